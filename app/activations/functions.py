"""The scalar functions themselves, in torch: the framework op a model runs and, where that op loses
relative precision in float64, a tail-stable form of the same function.

Each function takes (x, beta); beta is used by Swish only. All math is done by torch; derivatives come
from autograd (``torch.autograd.grad(..., create_graph=True)`` for the second one), never from finite
differences. Each scalar entry of the registry has two implementations of the same function:

* ``torch_fn``, the framework op a model runs (``F.gelu``, ``F.gelu(approximate="tanh")``, ``F.silu``,
  ``torch.tanh``, ``F.elu`` ...). The float32 / bfloat16 / float16 curves use it, so their rounding error
  is the one a model sees (e.g. ``F.gelu`` computes 1 + erf(x/√2), which cancels for x ≪ 0 in any dtype).
* ``reference_fn``, where the framework op loses relative precision in float64, a form that keeps
  ~1e-15 in the value and both derivatives (checked against mpmath to 1e-12): GELU as ½·x·erfc(−x/√2)
  (the erf form loses nine digits at x = −5); the tanh form through ½·(1 + tanh u) = σ(2u); ELU and
  SELU with expm1 (exp(x) − 1 loses eight digits at x = −1e-8); softplus as logaddexp(x, 0) (``F.softplus``
  returns x above 20, so its derivative there is 1, not σ(x)); and σ, tanh, expm1 and softplus with
  backward formulas σ(x)·σ(−x), 4·σ(2x)·σ(−2x), eˣ and σ(x) instead of torch's y·(1 − y), 1 − y² and
  y + 1, which keep only the absolute precision of a saturated output (tanh′(20) would be 0).
  Float64 curves, errors, surfaces and properties use it.

The functions keep their leading underscore: the registry shows their source text (``torch_source``,
``float64_reference_source``) as it is written here, name included.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
import torch.nn.functional as F

FloatArray = npt.NDArray[np.float64]
ScalarFn = Callable[[torch.Tensor, float], torch.Tensor]

SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
INV_SQRT_2 = 1.0 / math.sqrt(2.0)
GELU_TANH_COEFF = 0.044715
GELU_SIGMOID_SCALE = 1.702
SELU_LAMBDA = 1.0507009873554804934193349852946
SELU_ALPHA = 1.6732632423543772848170429916717

#: The dtypes a curve can be computed in, by the name a request uses.
DTYPES: dict[str, torch.dtype] = {
    "float64": torch.float64,
    "float32": torch.float32,
    "bfloat16": torch.bfloat16,
    "float16": torch.float16,
}


# Autograd functions whose backward keeps relative precision where torch's own does not.


class _Sigmoid(torch.autograd.Function):
    """σ(x) whose derivative is σ(x)·σ(−x): torch's own backward, y·(1 − y), keeps only the absolute
    precision of 1 − y, i.e. σ′(30) to three digits."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x)
        return torch.sigmoid(x)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        (x,) = ctx.saved_tensors
        return grad * _sigmoid_p(x) * _sigmoid_p(-x)


class _Tanh(torch.autograd.Function):
    """tanh(x) whose derivative is sech²(x) = 4·σ(2x)·σ(−2x) rather than 1 − tanh², which is 0 in
    float64 for |x| > 19 and has eight wrong digits at |x| = 10."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x)
        return torch.tanh(x)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        (x,) = ctx.saved_tensors
        return grad * 4.0 * _sigmoid_p(2.0 * x) * _sigmoid_p(-2.0 * x)


class _Expm1(torch.autograd.Function):
    """eˣ − 1 whose derivative is eˣ (torch's backward uses (eˣ − 1) + 1, which cancels for x ≪ 0)."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x)
        return torch.expm1(x)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        (x,) = ctx.saved_tensors
        return grad * torch.exp(x)


class _Softplus(torch.autograd.Function):
    """ln(1 + eˣ) = logaddexp(x, 0), exact on both tails, whose derivative is σ(x) (torch's logaddexp
    backward divides by 1 + e^−x, which turns the second derivative into inf/inf below x = −709)."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x)
        return torch.logaddexp(x, torch.zeros_like(x))

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        (x,) = ctx.saved_tensors
        return grad * _sigmoid_p(x)


def _sigmoid_p(x: torch.Tensor) -> torch.Tensor:
    out: torch.Tensor = _Sigmoid.apply(x)
    return out


def _tanh_p(x: torch.Tensor) -> torch.Tensor:
    out: torch.Tensor = _Tanh.apply(x)
    return out


def _expm1_p(x: torch.Tensor) -> torch.Tensor:
    out: torch.Tensor = _Expm1.apply(x)
    return out


def _softplus_p(x: torch.Tensor) -> torch.Tensor:
    out: torch.Tensor = _Softplus.apply(x)
    return out


# Framework ops: what a model runs.


def _relu(x: torch.Tensor, beta: float) -> torch.Tensor:
    return torch.relu(x)


def _gelu(x: torch.Tensor, beta: float) -> torch.Tensor:
    return F.gelu(x)


def _gelu_tanh(x: torch.Tensor, beta: float) -> torch.Tensor:
    return F.gelu(x, approximate="tanh")


def _gelu_sigmoid(x: torch.Tensor, beta: float) -> torch.Tensor:
    return x * torch.sigmoid(GELU_SIGMOID_SCALE * x)


def _silu(x: torch.Tensor, beta: float) -> torch.Tensor:
    return F.silu(x) if beta == 1.0 else x * torch.sigmoid(beta * x)


def _sigmoid(x: torch.Tensor, beta: float) -> torch.Tensor:
    return torch.sigmoid(x)


def _tanh(x: torch.Tensor, beta: float) -> torch.Tensor:
    return torch.tanh(x)


def _softplus(x: torch.Tensor, beta: float) -> torch.Tensor:
    return F.softplus(x)


def _mish(x: torch.Tensor, beta: float) -> torch.Tensor:
    return F.mish(x)


def _elu(x: torch.Tensor, beta: float) -> torch.Tensor:
    return F.elu(x)


def _selu(x: torch.Tensor, beta: float) -> torch.Tensor:
    return F.selu(x)


def _squared_relu(x: torch.Tensor, beta: float) -> torch.Tensor:
    return torch.square(torch.relu(x))


def _identity(x: torch.Tensor, beta: float) -> torch.Tensor:
    return x.clone()


# Float64 references: the same functions, written to keep their relative precision.


def _gelu_ref(x: torch.Tensor, beta: float) -> torch.Tensor:
    # ½·x·(1 + erf(x/√2)) = ½·x·erfc(−x/√2): the erf form loses nine digits at x = −5, erfc none.
    return 0.5 * x * torch.special.erfc(-x * INV_SQRT_2)


def _gelu_tanh_ref(x: torch.Tensor, beta: float) -> torch.Tensor:
    # ½·x·(1 + tanh u) = x·σ(2u), u = √(2/π)·(x + 0.044715·x³): no cancellation for x ≪ 0.
    u = SQRT_2_OVER_PI * (x + GELU_TANH_COEFF * x * x * x)
    return x * _sigmoid_p(2.0 * u)


def _gelu_sigmoid_ref(x: torch.Tensor, beta: float) -> torch.Tensor:
    return x * _sigmoid_p(GELU_SIGMOID_SCALE * x)


def _silu_ref(x: torch.Tensor, beta: float) -> torch.Tensor:
    return x * _sigmoid_p(beta * x)


def _sigmoid_ref(x: torch.Tensor, beta: float) -> torch.Tensor:
    return _sigmoid_p(x)


def _tanh_ref(x: torch.Tensor, beta: float) -> torch.Tensor:
    return _tanh_p(x)


def _softplus_ref(x: torch.Tensor, beta: float) -> torch.Tensor:
    # F.softplus returns x above x = 20, so its derivative there is 1 instead of σ(x).
    return _softplus_p(x)


def _mish_ref(x: torch.Tensor, beta: float) -> torch.Tensor:
    return x * _tanh_p(_softplus_p(x))


def _elu_ref(x: torch.Tensor, beta: float) -> torch.Tensor:
    # expm1, not exp − 1 (eight digits lost at x = −1e-8); the clamp keeps the unused branch finite for
    # large x, where an inf would turn its masked-out gradient into NaN.
    return torch.where(x > 0, x, _expm1_p(torch.clamp(x, max=0.0)))


def _selu_ref(x: torch.Tensor, beta: float) -> torch.Tensor:
    return SELU_LAMBDA * torch.where(x > 0, x, SELU_ALPHA * _expm1_p(torch.clamp(x, max=0.0)))
