"""The registry of activation functions and gates, and the numbers computed from it.

Everything the service says about an activation function comes from this module: the curves, their
first and second derivatives, the same curves in low-precision dtypes, the error of one function
against another, gate surfaces, and the properties (minimum, monotonicity, bounds, kinks, limits).
It is pure domain code: it knows nothing about HTTP and returns numpy ``float64`` arrays inside frozen
dataclasses, which the HTTP layer serializes with ``orjson.OPT_SERIALIZE_NUMPY`` (a 4 MB curve costs a
few milliseconds that way; turning the arrays into Python lists first costs 20 times more).

Numerics
--------
All math is done by torch; derivatives come from autograd (``torch.autograd.grad(...,
create_graph=True)`` for the second one), never from finite differences. Each scalar entry has two
implementations of the same function:

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

Non-differentiable points (the convention)
------------------------------------------
ReLU and SELU have no derivative at 0 (ReLU: left 0, right 1; SELU: left λα ≈ 1.7581, right λ ≈ 1.0507);
ReLU, squared ReLU, ELU (α = 1) and SELU have no second derivative at 0. At such a point the service
returns what torch autograd of the framework op returns, as a model in training gets it, in every dtype
(the float64 reference form is overridden there so that both agree):

* ReLU′(0) = 0 (``relu`` passes the gradient only where x > 0), SELU′(0) = λα (the x ≤ 0 branch of
  ``F.selu``);
* ReLU″(0) = squared-ReLU″(0) = ELU″(0) = SELU″(0) = 0 (the right-hand value, as torch's double
  backward gives it).

Each entry lists these points in ``nondifferentiable_points`` (first derivative undefined) and
``second_derivative_undefined_at``; every curve whose grid contains such a point reports it in
``by_convention_x`` so that a client can mark the value as a convention rather than a derivative.

Properties
----------
:func:`properties` scans each scalar function on the window ``PROPERTY_WINDOW`` = [−10, 10] with step
``PROPERTY_STEP`` = 1e-3 (the window is chosen so that every function is still resolved in float64 at its
edges: tanh rounds to ±1 beyond |x| ≈ 19, which would make it look flat), refines interior extrema by
bisection on the autograd derivative, detects jumps of the first derivative, and classifies the
behaviour for large |x| from the values at ±1e2, ±1e3 and ±1e4. Nothing in the properties is typed in.
"""

from __future__ import annotations

import functools
import inspect
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import torch
import torch.nn.functional as F

from app.domain import InvalidInputError, UnknownNameError

FloatArray = npt.NDArray[np.float64]
Family = Literal["scalar", "gate"]
ScalarFn = Callable[[torch.Tensor, float], torch.Tensor]

SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
INV_SQRT_2 = 1.0 / math.sqrt(2.0)
GELU_TANH_COEFF = 0.044715
GELU_SIGMOID_SCALE = 1.702
SELU_LAMBDA = 1.0507009873554804934193349852946
SELU_ALPHA = 1.6732632423543772848170429916717

DTYPES: dict[str, torch.dtype] = {
    "float64": torch.float64,
    "float32": torch.float32,
    "bfloat16": torch.bfloat16,
    "float16": torch.float16,
}
DERIVATIVE_ORDERS = (0, 1, 2)

PROPERTY_WINDOW = (-10.0, 10.0)
PROPERTY_STEP = 1e-3
LIMIT_PROBES = (1e2, 1e3, 1e4)
#: Relative errors skip reference values smaller than this fraction of the largest |reference| on the grid.
REL_ERROR_FLOOR_FRACTION = 1e-12
#: Grid points whose |error| is within this fraction of the largest error count as "worst" points.
WORST_POINT_TOLERANCE = 1e-6


# --------------------------------------------------------------------------------------------------
# Errors (mapped to 422 / 404 problem+json by app/errors.py)
# --------------------------------------------------------------------------------------------------


class ActivationInputError(InvalidInputError):
    """An input outside what the computations accept: names the field and the limit it broke."""

    def __init__(self, field: str, message: str, limit: Any = None) -> None:
        super().__init__(field, message, limit=limit, status=422)


class UnknownActivationError(UnknownNameError, KeyError):
    """An id that is neither an activation id nor an alias; carries the valid ids for the answer."""

    def __init__(self, name: str, valid_ids: Sequence[str], field: str = "id", kind: str = "activation") -> None:
        super().__init__(kind, name, list(valid_ids), field=field)
        self.valid_ids = list(valid_ids)

    def __str__(self) -> str:  # KeyError would quote the whole message
        return f"unknown {self.kind} '{self.name}'; valid: {', '.join(self.valid_ids)}"


# --------------------------------------------------------------------------------------------------
# Torch implementations. Each takes (x, beta); beta is used by Swish only.
#
# Every scalar entry has the framework op a model runs (``torch_fn``: F.gelu, torch.tanh, F.elu ...),
# used as-is for the float32 / bfloat16 / float16 curves so that their rounding error is the one a model
# sees. Where that op loses relative precision in float64 (cancelling forms, or a backward that computes
# 1 − y from a saturated output), the entry also has a float64 ``reference_fn``: the same function in a
# form that keeps ~1e-15 relative precision in its value and its first two derivatives.
# --------------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------------
# The registry
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Where a function was introduced: enough to find the paper, and its arXiv id when it has one."""

    title: str
    authors: str
    year: int
    arxiv: str | None = None
    venue: str | None = None
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "authors": self.authors,
            "year": self.year,
            "arxiv": self.arxiv,
            "venue": self.venue,
            "note": self.note,
        }


@dataclass(frozen=True)
class Activation:
    """One registry entry: a scalar activation f(x) or a gate f(a)·b built on a scalar activation.

    ``torch_fn`` is the framework op (used for low-precision dtypes and for the convention at
    non-differentiable points); ``reference_fn``, when present, is the float64 form used for float64.
    """

    id: str
    name: str
    formula: str
    family: Family
    introduced_by: Source | None
    torch_fn: ScalarFn | None = None
    reference_fn: ScalarFn | None = None
    gate_activation: str | None = None
    aliases: tuple[str, ...] = ()
    nondifferentiable_points: tuple[float, ...] = ()
    second_derivative_undefined_at: tuple[float, ...] = ()
    parameters: tuple[tuple[str, float], ...] = ()
    origin_note: str = ""

    def by_convention_points(self, derivative: int) -> tuple[float, ...]:
        """Points where the requested derivative is undefined and the service reports autograd's value."""
        if derivative == 1:
            return self.nondifferentiable_points
        if derivative == 2:
            return tuple(sorted(set(self.nondifferentiable_points) | set(self.second_derivative_undefined_at)))
        return ()

    def scalar(self) -> Activation:
        """The scalar activation: the entry itself, or the one a gate applies to its first input."""
        return self if self.family == "scalar" else REGISTRY[self.gate_activation or ""]

    def implementation(self, dtype: str = "float64") -> ScalarFn:
        """The scalar function used for a dtype: the float64 reference, else the framework op."""
        entry = self.scalar()
        fn = entry.reference_fn if dtype == "float64" and entry.reference_fn is not None else entry.torch_fn
        assert fn is not None
        return fn

    def gate(self, a: torch.Tensor, b: torch.Tensor, beta: float = 1.0) -> torch.Tensor:
        """f(a)·b for a gate, in a's dtype (float64 uses the reference form)."""
        dtype = next(k for k, v in DTYPES.items() if v == a.dtype)
        return self.implementation(dtype)(a, beta) * b

    @property
    def torch_source(self) -> str:
        """Source of the framework op (of the gate's activation for a gate)."""
        fn = self.scalar().torch_fn
        return inspect.getsource(fn) if fn is not None else ""

    @property
    def reference_source(self) -> str | None:
        """Source of the float64 reference form, when it differs from the framework op."""
        fn = self.scalar().reference_fn
        return inspect.getsource(fn) if fn is not None else None

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready description (no computed properties: see :func:`properties`)."""
        return {
            "id": self.id,
            "name": self.name,
            "family": self.family,
            "formula_latex": self.formula,
            "introduced_by": self.introduced_by.to_dict() if self.introduced_by else None,
            "origin_note": self.origin_note,
            "aliases": list(self.aliases),
            "gate_activation": self.gate_activation,
            "parameters": dict(self.parameters),
            "nondifferentiable_points": list(self.nondifferentiable_points),
            "second_derivative_undefined_at": list(self.second_derivative_undefined_at),
            "torch_source": self.torch_source,
            "float64_reference_source": self.reference_source,
        }


_GELU_PAPER = Source("Gaussian Error Linear Units (GELUs)", "Dan Hendrycks, Kevin Gimpel", 2016, arxiv="1606.08415")
_GLU_VARIANTS = Source("GLU Variants Improve Transformer", "Noam Shazeer", 2020, arxiv="2002.05202")

_SCALARS: tuple[Activation, ...] = (
    Activation(
        "relu",
        "ReLU",
        r"\max(0, x)",
        "scalar",
        Source(
            "Rectified Linear Units Improve Restricted Boltzmann Machines",
            "Vinod Nair, Geoffrey E. Hinton",
            2010,
            venue="ICML 2010",
        ),
        _relu,
        nondifferentiable_points=(0.0,),
        second_derivative_undefined_at=(0.0,),
    ),
    Activation(
        "gelu",
        "GELU (exact, erf)",
        r"x\,\Phi(x) = \frac{1}{2}\,x\left(1 + \mathrm{erf}\left(\frac{x}{\sqrt{2}}\right)\right)",
        "scalar",
        _GELU_PAPER,
        _gelu,
        _gelu_ref,
        aliases=("gelu_erf", "exact gelu", "gelu_python"),
    ),
    Activation(
        "gelu_tanh",
        "GELU, tanh approximation",
        r"\frac{1}{2}\,x\left(1 + \tanh\left(\sqrt{\frac{2}{\pi}}\left(x + 0.044715\,x^{3}\right)\right)\right)",
        "scalar",
        _GELU_PAPER,
        _gelu_tanh,
        _gelu_tanh_ref,
        aliases=("gelu_new", "gelu_pytorch_tanh", "gelu_fast", "approximate gelu"),
        origin_note="GPT-2's gelu_new and the approximated GELU of Gemma's GeGLU.",
    ),
    Activation(
        "gelu_sigmoid",
        "GELU, sigmoid approximation",
        r"x\,\sigma(1.702\,x)",
        "scalar",
        _GELU_PAPER,
        _gelu_sigmoid,
        _gelu_sigmoid_ref,
        aliases=("quick_gelu",),
    ),
    Activation(
        "silu",
        "SiLU / Swish",
        r"x\,\sigma(\beta x) = \frac{x}{1 + e^{-\beta x}}",
        "scalar",
        Source(
            "Searching for Activation Functions",
            "Prajit Ramachandran, Barret Zoph, Quoc V. Le",
            2017,
            arxiv="1710.05941",
            note="x·σ(x) also appears as SiLU in Elfwing, Uchibe & Doya (arXiv:1702.03118).",
        ),
        _silu,
        _silu_ref,
        aliases=("swish",),
        parameters=(("beta", 1.0),),
    ),
    Activation(
        "sigmoid",
        "Logistic sigmoid",
        r"\sigma(x) = \frac{1}{1 + e^{-x}}",
        "scalar",
        None,
        _sigmoid,
        _sigmoid_ref,
        origin_note="The logistic function; classical, not introduced by a machine-learning paper.",
    ),
    Activation(
        "tanh",
        "Hyperbolic tangent",
        r"\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
        "scalar",
        None,
        _tanh,
        _tanh_ref,
        origin_note="Classical; not introduced by a machine-learning paper.",
    ),
    Activation(
        "softplus",
        "Softplus",
        r"\ln\left(1 + e^{x}\right)",
        "scalar",
        Source(
            "Incorporating Second-Order Functional Knowledge for Better Option Pricing",
            "Charles Dugas, Yoshua Bengio, François Bélisle, Claude Nadeau, René Garcia",
            2000,
            venue="NIPS 2000",
        ),
        _softplus,
        _softplus_ref,
    ),
    Activation(
        "mish",
        "Mish",
        r"x\,\tanh\left(\ln\left(1 + e^{x}\right)\right)",
        "scalar",
        Source("Mish: A Self Regularized Non-Monotonic Activation Function", "Diganta Misra", 2019, "1908.08681"),
        _mish,
        _mish_ref,
    ),
    Activation(
        "elu",
        "ELU (α = 1)",
        r"\begin{cases} x & x > 0 \\ e^{x} - 1 & x \le 0 \end{cases}",
        "scalar",
        Source(
            "Fast and Accurate Deep Network Learning by Exponential Linear Units (ELUs)",
            "Djork-Arné Clevert, Thomas Unterthiner, Sepp Hochreiter",
            2015,
            arxiv="1511.07289",
        ),
        _elu,
        _elu_ref,
        second_derivative_undefined_at=(0.0,),
        parameters=(("alpha", 1.0),),
    ),
    Activation(
        "selu",
        "SELU",
        r"\lambda \begin{cases} x & x > 0 \\ \alpha\left(e^{x} - 1\right) & x \le 0 \end{cases}",
        "scalar",
        Source(
            "Self-Normalizing Neural Networks",
            "Günter Klambauer, Thomas Unterthiner, Andreas Mayr, Sepp Hochreiter",
            2017,
            arxiv="1706.02515",
        ),
        _selu,
        _selu_ref,
        nondifferentiable_points=(0.0,),
        second_derivative_undefined_at=(0.0,),
        parameters=(("lambda", SELU_LAMBDA), ("alpha", SELU_ALPHA)),
    ),
    Activation(
        "squared_relu",
        "Squared ReLU",
        r"\max(0, x)^{2}",
        "scalar",
        Source(
            "Primer: Searching for Efficient Transformers for Language Modeling",
            "David R. So, Wojciech Mańke, Hanxiao Liu, Zihang Dai, Noam Shazeer, Quoc V. Le",
            2021,
            arxiv="2109.08668",
        ),
        _squared_relu,
        aliases=("relu2", "relu_squared"),
        second_derivative_undefined_at=(0.0,),
    ),
    Activation(
        "identity",
        "Identity",
        r"x",
        "scalar",
        None,
        _identity,
        aliases=("linear",),
        origin_note="No activation; the gate built on it is the bilinear layer.",
    ),
)

_GATES: tuple[Activation, ...] = (
    Activation(
        "glu",
        "GLU",
        r"\sigma(a)\,b",
        "gate",
        Source(
            "Language Modeling with Gated Convolutional Networks",
            "Yann N. Dauphin, Angela Fan, Michael Auli, David Grangier",
            2016,
            arxiv="1612.08083",
        ),
        gate_activation="sigmoid",
    ),
    Activation(
        "bilinear",
        "Bilinear",
        r"a\,b",
        "gate",
        _GLU_VARIANTS,
        gate_activation="identity",
        origin_note="The GLU without its sigmoid; compared as an FFN variant by Shazeer (2020).",
    ),
    Activation("reglu", "ReGLU", r"\max(0, a)\,b", "gate", _GLU_VARIANTS, gate_activation="relu"),
    Activation("geglu", "GEGLU", r"\mathrm{GELU}(a)\,b", "gate", _GLU_VARIANTS, gate_activation="gelu"),
    Activation(
        "geglu_tanh",
        "GEGLU, tanh-approximated GELU",
        r"\mathrm{GELU}_{\tanh}(a)\,b",
        "gate",
        Source(
            "Gemma: Open Models Based on Gemini Research and Technology",
            "Gemma Team, Google DeepMind",
            2024,
            arxiv="2403.08295",
            note="'the approximated version of the GeGLU activation function'; the gate itself is Shazeer's (2020).",
        ),
        gate_activation="gelu_tanh",
        aliases=("approximate geglu",),
    ),
    Activation(
        "swiglu",
        "SwiGLU",
        r"\mathrm{Swish}_{\beta}(a)\,b = a\,\sigma(\beta a)\,b",
        "gate",
        _GLU_VARIANTS,
        gate_activation="silu",
        parameters=(("beta", 1.0),),
    ),
)

REGISTRY: dict[str, Activation] = {a.id: a for a in (*_SCALARS, *_GATES)}
SCALAR_IDS: tuple[str, ...] = tuple(a.id for a in _SCALARS)
GATE_IDS: tuple[str, ...] = tuple(a.id for a in _GATES)


def _normalize(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


_LOOKUP: dict[str, str] = {}
for _entry in REGISTRY.values():
    for _name in (_entry.id, *_entry.aliases):
        _key = _normalize(_name)
        assert _key not in _LOOKUP, f"duplicate activation name {_name!r}"
        _LOOKUP[_key] = _entry.id
    if _entry.family == "gate":
        assert _entry.gate_activation in SCALAR_IDS, _entry.id


def scalar_names() -> list[str]:
    """Every id and alias a scalar activation answers to (as written in the registry)."""
    return [name for a in REGISTRY.values() if a.family == "scalar" for name in (a.id, *a.aliases)]


def all_activations(family: Family | None = None) -> list[Activation]:
    """Registry entries in their canonical order, optionally of one family."""
    return [a for a in REGISTRY.values() if family is None or a.family == family]


def get(name: str, *, field: str = "id", family: Family | None = None) -> Activation:
    """The entry for an id or alias (case, spaces and hyphens ignored); raises UnknownActivationError."""
    entry_id = _LOOKUP.get(_normalize(name))
    if entry_id is None or (family is not None and REGISTRY[entry_id].family != family):
        valid = [a.id for a in all_activations(family)]
        kind = {"scalar": "scalar activation", "gate": "gate", None: "activation"}[family]
        raise UnknownActivationError(name, valid, field=field, kind=kind)
    return REGISTRY[entry_id]


# --------------------------------------------------------------------------------------------------
# Evaluation
# --------------------------------------------------------------------------------------------------


def evaluate(fn: ScalarFn, x: torch.Tensor, derivative: int, beta: float = 1.0) -> torch.Tensor:
    """f, f′ or f″ of an element-wise function at every x, by autograd, in x's dtype.

    Because f is element-wise, the gradient of sum(f(x)) is f′ at every point; the second pass uses
    create_graph. A derivative that no longer depends on x (identity′, ReLU″) is zero everywhere.
    """
    if derivative == 0:
        with torch.no_grad():
            return fn(x, beta)
    xg = x.detach().clone().requires_grad_(True)
    out = fn(xg, beta)
    for order in range(derivative):
        if not out.requires_grad:
            return torch.zeros_like(x)
        (grad,) = torch.autograd.grad(
            out, xg, grad_outputs=torch.ones_like(out), create_graph=order + 1 < derivative, allow_unused=True
        )
        if grad is None:
            return torch.zeros_like(x)
        out = grad
    return out.detach()


def _frozen(array: npt.ArrayLike) -> FloatArray:
    """A float64, C-contiguous, read-only copy, safe to share from a cache."""
    out = np.ascontiguousarray(array, dtype=np.float64)
    out.flags.writeable = False
    return out


def _grid(lo: float, hi: float, points: int) -> FloatArray:
    return np.linspace(lo, hi, points, dtype=np.float64)


def _evaluate_np(entry: Activation, x: FloatArray, derivative: int, beta: float, dtype: str = "float64") -> FloatArray:
    """f, f′ or f″ at x (float64 numpy in and out), computed in ``dtype``.

    At points where the derivative is undefined, the value is the framework op's autograd value (the
    convention in the module docstring), also when the float64 reference form computed the rest.
    """
    entry = entry.scalar()
    t = torch.tensor(np.asarray(x, dtype=np.float64)).to(DTYPES[dtype])  # a copy: cached arrays are read-only
    out = evaluate(entry.implementation(dtype), t, derivative, beta).to(torch.float64).numpy()
    if dtype == "float64" and entry.reference_fn is not None and entry.torch_fn is not None:
        for p in entry.by_convention_points(derivative):
            hit = t.numpy() == p
            if hit.any():
                at = evaluate(entry.torch_fn, torch.tensor([p], dtype=torch.float64), derivative, beta)
                out[hit] = float(at[0])
    return out


def _convention_hits(entry: Activation, x: FloatArray, derivative: int) -> tuple[float, ...]:
    points = entry.by_convention_points(derivative)
    if not points:
        return ()
    return tuple(float(p) for p in points if np.any(x == p))


@dataclass(frozen=True)
class ErrorStats:
    """Summary of an error curve e = approximation − reference."""

    max_abs_error: float
    argmax_abs_error: float | None
    worst_x: tuple[float, ...]
    max_rel_error: float
    argmax_rel_error: float | None
    rel_error_floor: float
    rel_error_points_skipped: int
    rms_error: float
    nonfinite_points: int

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _error_stats(x: FloatArray, err: FloatArray, reference: FloatArray, floor: float) -> ErrorStats:
    """Max absolute (and where), max relative over |reference| ≥ floor, RMS; non-finite points are counted
    and left out (a float16 overflow, for instance)."""
    finite = np.isfinite(err) & np.isfinite(reference)
    nonfinite = int(err.size - np.count_nonzero(finite))
    abs_err = np.where(finite, np.abs(err), -1.0)
    if not finite.any():
        nan = float("nan")
        return ErrorStats(nan, None, (), nan, None, floor, int(err.size), nan, nonfinite)
    i = int(np.argmax(abs_err))
    max_abs = float(abs_err[i])
    rel_mask = finite & (np.abs(reference) >= floor)
    if rel_mask.any():
        rel = np.where(rel_mask, abs_err / np.where(rel_mask, np.abs(reference), 1.0), -1.0)
        j = int(np.argmax(rel))
        max_rel, argmax_rel = float(rel[j]), float(x[j])
    else:
        max_rel, argmax_rel = float("nan"), None
    rms = float(np.sqrt(np.mean(np.square(err[finite]))))
    return ErrorStats(
        max_abs_error=max_abs,
        argmax_abs_error=float(x[i]),
        worst_x=_worst_points(x, abs_err, max_abs),
        max_rel_error=max_rel,
        argmax_rel_error=argmax_rel,
        rel_error_floor=floor,
        rel_error_points_skipped=int(np.count_nonzero(finite & ~rel_mask)),
        rms_error=rms,
        nonfinite_points=nonfinite,
    )


def _worst_points(x: FloatArray, abs_err: FloatArray, max_abs: float) -> tuple[float, ...]:
    """The x of each separate peak whose |error| is within WORST_POINT_TOLERANCE of the largest: an even
    error (as every GELU approximation's is) has its worst point at ±x*, and both are reported."""
    if max_abs <= 0.0:
        return ()
    near = abs_err >= max_abs * (1.0 - WORST_POINT_TOLERANCE)
    idx = np.flatnonzero(near)
    if idx.size > 64:  # a plateau of equal errors (e.g. identical functions on a region), not peaks
        return (float(x[idx[0]]), float(x[idx[-1]]))
    runs = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)
    return tuple(float(x[run[np.argmax(abs_err[run])]]) for run in runs if run.size)


# --------------------------------------------------------------------------------------------------
# Curves
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CurveSpec:
    """A validated, canonical curve request (ids, not aliases), hashable so that it can key a cache."""

    functions: tuple[str, ...]
    xmin: float = -4.0
    xmax: float = 4.0
    points: int = 401
    derivative: int = 0
    dtype: str = "float64"
    beta: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "fn": list(self.functions),
            "xmin": self.xmin,
            "xmax": self.xmax,
            "points": self.points,
            "derivative": self.derivative,
            "dtype": self.dtype,
            "beta": self.beta,
        }


@dataclass(frozen=True)
class Series:
    """One function's curve. With a low-precision dtype, ``y`` is the value computed in that dtype (at the
    input rounded to it) and ``rounding_error`` is y − f64(x̃), the error of the arithmetic alone at the
    same rounded input x̃; ``rounding`` summarises it, and ``max_abs_total_error`` also counts the rounding
    of the input (y − f64(x))."""

    fn: str
    y: FloatArray
    by_convention_x: tuple[float, ...]
    rounding_error: FloatArray | None = None
    rounding: ErrorStats | None = None
    max_abs_total_error: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"fn": self.fn, "y": self.y, "by_convention_x": list(self.by_convention_x)}
        if self.rounding is not None:
            out["rounding_error"] = self.rounding_error
            out["rounding"] = self.rounding.to_dict()
            out["max_abs_total_error"] = self.max_abs_total_error
        return out


@dataclass(frozen=True)
class Curve:
    spec: CurveSpec
    x: FloatArray
    series: tuple[Series, ...]
    x_rounded: FloatArray | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (numpy arrays stay numpy for orjson.OPT_SERIALIZE_NUMPY)."""
        out: dict[str, Any] = {**self.spec.to_dict(), "x": self.x}
        if self.x_rounded is not None:
            out["x_rounded"] = self.x_rounded
        out["series"] = [s.to_dict() for s in self.series]
        return out


def compute_curve(spec: CurveSpec) -> Curve:
    """Values or a derivative of each function on the grid; with a low-precision dtype, also its error.

    The low-precision curve casts the input to the dtype, computes every operation in that dtype
    (autograd included) and casts the result back to float64.
    """
    x = _grid(spec.xmin, spec.xmax, spec.points)
    lowp = spec.dtype != "float64"
    x_rounded = torch.from_numpy(x).to(DTYPES[spec.dtype]).to(torch.float64).numpy() if lowp else None
    series = []
    for fn_id in spec.functions:
        entry = get(fn_id, family="scalar")
        if not lowp:
            y = _evaluate_np(entry, x, spec.derivative, spec.beta)
            series.append(Series(entry.id, _frozen(y), _convention_hits(entry, x, spec.derivative)))
            continue
        assert x_rounded is not None
        y = _evaluate_np(entry, x, spec.derivative, spec.beta, spec.dtype)
        exact_at_rounded = _evaluate_np(entry, x_rounded, spec.derivative, spec.beta)
        exact = _evaluate_np(entry, x, spec.derivative, spec.beta)
        err = y - exact_at_rounded
        floor = float(torch.finfo(DTYPES[spec.dtype]).tiny)
        total = np.abs(y - exact)
        series.append(
            Series(
                entry.id,
                _frozen(y),
                _convention_hits(entry, x_rounded, spec.derivative),
                rounding_error=_frozen(err),
                rounding=_error_stats(x, err, exact_at_rounded, floor),
                max_abs_total_error=float(np.max(total[np.isfinite(total)])) if np.isfinite(total).any() else None,
            )
        )
    return Curve(spec, _frozen(x), tuple(series), _frozen(x_rounded) if x_rounded is not None else None)


# --------------------------------------------------------------------------------------------------
# Approximation error of one function against another
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErrorSpec:
    """Error of ``function`` against ``reference`` (error = function − reference) on a grid."""

    function: str
    reference: str
    xmin: float = -10.0
    xmax: float = 10.0
    points: int = 200_001
    derivative: int = 0
    beta: float = 1.0
    include_curve: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "fn": self.function,
            "reference": self.reference,
            "xmin": self.xmin,
            "xmax": self.xmax,
            "points": self.points,
            "derivative": self.derivative,
            "beta": self.beta,
        }


@dataclass(frozen=True)
class ApproximationError:
    """max_abs_error = max |f − g| over the grid, at argmax_abs_error (the leftmost when tied) and at every
    separate peak within 1e-6 of it (worst_x: ±x* for an even error). max_rel_error = max |f − g| / |g|
    over the points where |g| ≥ rel_error_floor = 1e-12 · max|g| (where g vanishes or underflows the ratio
    says nothing; the skipped count is reported). rms_error = √(mean (f − g)²) over the grid."""

    spec: ErrorSpec
    stats: ErrorStats
    error_at_argmax: float
    x: FloatArray | None = None
    error: FloatArray | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {**self.spec.to_dict(), **self.stats.to_dict(), "error_at_argmax": self.error_at_argmax}
        if self.x is not None:
            out["x"] = self.x
            out["error"] = self.error
        return out


def compute_error(spec: ErrorSpec) -> ApproximationError:
    """Approximation error in float64 (of the value, or of a derivative when spec.derivative > 0)."""
    f, g = get(spec.function, family="scalar"), get(spec.reference, family="scalar")
    x = _grid(spec.xmin, spec.xmax, spec.points)
    fy = _evaluate_np(f, x, spec.derivative, spec.beta)
    gy = _evaluate_np(g, x, spec.derivative, spec.beta)
    err = fy - gy
    finite_ref = np.abs(gy[np.isfinite(gy)])
    floor = max(REL_ERROR_FLOOR_FRACTION * float(finite_ref.max(initial=0.0)), float(np.finfo(np.float64).tiny))
    stats = _error_stats(x, err, gy, floor)
    at = float(err[int(np.argmin(np.abs(x - stats.argmax_abs_error)))]) if stats.argmax_abs_error is not None else 0.0
    if spec.include_curve:
        return ApproximationError(spec, stats, at, _frozen(x), _frozen(err))
    return ApproximationError(spec, stats, at)


# --------------------------------------------------------------------------------------------------
# Gate surfaces
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SurfaceSpec:
    gate: str
    amin: float = -4.0
    amax: float = 4.0
    bmin: float = -4.0
    bmax: float = 4.0
    points: int = 101
    beta: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class Surface:
    """z[j, i] = f(a[i]) · b[j]: rows follow b, columns follow a (the layout of an image with b upward)."""

    spec: SurfaceSpec
    activation: str
    a: FloatArray
    b: FloatArray
    z: FloatArray

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.spec.to_dict(),
            "activation": self.activation,
            "a": self.a,
            "b": self.b,
            "z": self.z,
            "z_min": float(self.z.min()),
            "z_max": float(self.z.max()),
        }


def compute_surface(spec: SurfaceSpec) -> Surface:
    """The gate on a points × points grid, computed in float64 by its torch implementation."""
    entry = get(spec.gate, family="gate")
    a = torch.from_numpy(_grid(spec.amin, spec.amax, spec.points))
    b = torch.from_numpy(_grid(spec.bmin, spec.bmax, spec.points))
    with torch.no_grad():
        z = entry.gate(a.unsqueeze(0), b.unsqueeze(1), spec.beta)
    return Surface(spec, entry.gate_activation or "", _frozen(a.numpy()), _frozen(b.numpy()), _frozen(z.numpy()))


# --------------------------------------------------------------------------------------------------
# Validation: builds the canonical specs, raising ActivationInputError / UnknownActivationError
# --------------------------------------------------------------------------------------------------


def _finite(field_name: str, value: float) -> float:
    if not math.isfinite(value):
        raise ActivationInputError(field_name, f"must be a finite number, got {value}")
    return float(value)


def _range(lo_field: str, lo: float, hi_field: str, hi: float, max_abs_x: float) -> tuple[float, float]:
    lo, hi = _finite(lo_field, lo), _finite(hi_field, hi)
    for name, value in ((lo_field, lo), (hi_field, hi)):
        if abs(value) > max_abs_x:
            raise ActivationInputError(name, f"|{name}| must be at most {max_abs_x:g}, got {value:g}", limit=max_abs_x)
    if lo >= hi:
        raise ActivationInputError(lo_field, f"{lo_field} must be less than {hi_field} ({lo:g} ≥ {hi:g})")
    return lo, hi


def _points(value: int, limit: int, field_name: str = "points") -> int:
    if value < 2:
        raise ActivationInputError(field_name, f"at least 2 points are needed, got {value}", limit=2)
    if value > limit:
        raise ActivationInputError(field_name, f"at most {limit} points, got {value}", limit=limit)
    return int(value)


def _derivative(value: int) -> int:
    if value not in DERIVATIVE_ORDERS:
        raise ActivationInputError("derivative", f"must be 0, 1 or 2, got {value}", limit=2)
    return int(value)


def _scalar_id(name: str, field_name: str) -> str:
    entry = get(name, field=field_name)
    if entry.family != "scalar":
        raise ActivationInputError(
            field_name,
            f"'{entry.id}' is a gate with two inputs; curves take scalar activations "
            f"(its activation is '{entry.gate_activation}'; its surface is at /gates/{entry.id}/surface)",
        )
    return entry.id


def make_curve_spec(
    functions: Sequence[str],
    xmin: float = -4.0,
    xmax: float = 4.0,
    points: int = 401,
    derivative: int = 0,
    dtype: str = "float64",
    beta: float = 1.0,
    *,
    max_points: int,
    max_functions: int,
    max_abs_x: float,
) -> CurveSpec:
    """Check a curve request against the limits and return its canonical spec (ids in request order,
    duplicates dropped), so that aliases and repeats hit the same cache entry."""
    if not functions:
        raise ActivationInputError("fn", "name at least one function")
    if len(functions) > max_functions:  # counted as sent, repeats included, so the limit is what the schema says
        raise ActivationInputError(
            "fn", f"at most {max_functions} functions, got {len(functions)}", limit=max_functions
        )
    ids = list(dict.fromkeys(_scalar_id(name, "fn") for name in functions))
    lo, hi = _range("xmin", xmin, "xmax", xmax, max_abs_x)
    if dtype not in DTYPES:
        raise ActivationInputError("dtype", f"must be one of {', '.join(DTYPES)}, got '{dtype}'")
    return CurveSpec(
        tuple(ids), lo, hi, _points(points, max_points), _derivative(derivative), dtype, _finite("beta", beta)
    )


def make_error_spec(
    function: str,
    reference: str,
    xmin: float = -10.0,
    xmax: float = 10.0,
    points: int = 200_001,
    derivative: int = 0,
    beta: float = 1.0,
    include_curve: bool = False,
    *,
    max_points: int,
    max_abs_x: float,
) -> ErrorSpec:
    """Check an approximation-error request and return its canonical spec."""
    fn_id = _scalar_id(function, "id")
    ref_id = _scalar_id(reference, "reference")
    lo, hi = _range("xmin", xmin, "xmax", xmax, max_abs_x)
    return ErrorSpec(
        fn_id,
        ref_id,
        lo,
        hi,
        _points(points, max_points),
        _derivative(derivative),
        _finite("beta", beta),
        bool(include_curve),
    )


def make_surface_spec(
    gate: str,
    amin: float = -4.0,
    amax: float = 4.0,
    bmin: float = -4.0,
    bmax: float = 4.0,
    points: int = 101,
    beta: float = 1.0,
    *,
    max_points_per_axis: int,
    max_abs_x: float,
) -> SurfaceSpec:
    """Check a gate-surface request and return its canonical spec."""
    entry = get(gate, field="id", family="gate")
    alo, ahi = _range("amin", amin, "amax", amax, max_abs_x)
    blo, bhi = _range("bmin", bmin, "bmax", bmax, max_abs_x)
    return SurfaceSpec(entry.id, alo, ahi, blo, bhi, _points(points, max_points_per_axis), _finite("beta", beta))


# --------------------------------------------------------------------------------------------------
# Cached computations
# --------------------------------------------------------------------------------------------------


class ActivationLab:
    """The computations behind LRU caches keyed by the (hashable, canonical) specs.

    One instance per application, its size from Settings. Cached results hold read-only arrays, so a
    caller cannot change what the next caller gets.
    """

    def __init__(self, cache_size: int = 64) -> None:
        self.cache_size = cache_size
        self._curve = functools.lru_cache(maxsize=cache_size)(compute_curve)
        self._error = functools.lru_cache(maxsize=cache_size)(compute_error)
        self._surface = functools.lru_cache(maxsize=cache_size)(compute_surface)

    def curve(self, spec: CurveSpec) -> Curve:
        return self._curve(spec)

    def error(self, spec: ErrorSpec) -> ApproximationError:
        return self._error(spec)

    def surface(self, spec: SurfaceSpec) -> Surface:
        return self._surface(spec)

    def cache_info(self) -> dict[str, dict[str, int | None]]:
        """Hits, misses and sizes per computation (for /health-style reporting and the benchmark)."""
        return {
            name: info._asdict()
            for name, info in (
                ("curve", self._curve.cache_info()),
                ("error", self._error.cache_info()),
                ("surface", self._surface.cache_info()),
            )
        }

    def clear(self) -> None:
        self._curve.cache_clear()
        self._error.cache_clear()
        self._surface.cache_clear()


# --------------------------------------------------------------------------------------------------
# Properties, computed numerically
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Extremum:
    """The smallest (or largest) value on the property window.

    kind: "interior" (a stationary point, refined by bisection on f′), "plateau" (attained on a whole
    interval, given in ``interval``) or "boundary" (at the window's edge: no extremum inside it, the
    function keeps going beyond).
    """

    value: float
    x: float
    kind: Literal["interior", "plateau", "boundary"]
    interval: tuple[float, float] | None = None


@dataclass(frozen=True)
class Jump:
    """A jump of the first derivative at x: one-sided values just left and right of it, and the value
    autograd returns at x itself (the convention)."""

    x: float
    left: float
    right: float
    convention: float


@dataclass(frozen=True)
class Asymptote:
    """Behaviour as x → ±∞, from the values at LIMIT_PROBES.

    kind "constant": f → limit. "power": f ≈ coefficient · |x|^power·sign (power 1: linear).
    """

    direction: Literal["-inf", "+inf"]
    kind: Literal["constant", "power"]
    limit: float | None
    coefficient: float | None
    power: int | None
    description: str


@dataclass(frozen=True)
class Properties:
    id: str
    window: tuple[float, float]
    grid_step: float
    minimum: Extremum
    maximum: Extremum
    monotonic: Literal["increasing", "non-decreasing", "decreasing", "non-increasing", "no"]
    bounded_below: bool
    infimum: float | None
    bounded_above: bool
    supremum: float | None
    first_derivative_continuous: bool
    first_derivative_jumps: tuple[Jump, ...]
    value_at_0: float
    derivative_at_0: float
    derivative_at_0_by_convention: bool
    second_derivative_at_0: float
    second_derivative_at_0_by_convention: bool
    large_negative: Asymptote
    large_positive: Asymptote

    def to_dict(self) -> dict[str, Any]:
        def conv(value: Any) -> Any:
            if hasattr(value, "__dataclass_fields__"):
                return {k: conv(v) for k, v in value.__dict__.items()}
            if isinstance(value, tuple):
                return [conv(v) for v in value]
            return value

        out: dict[str, Any] = conv(self)
        return out


def _scalar_at(entry: Activation, x: float, derivative: int) -> float:
    return float(_evaluate_np(entry, np.array([x]), derivative, 1.0)[0]) + 0.0  # + 0.0: no −0.0


def _bisect_root(entry: Activation, lo: float, hi: float, derivative: int, iterations: int = 80) -> float:
    """A sign change of the given derivative in [lo, hi], by bisection (autograd values, float64)."""
    flo = _scalar_at(entry, lo, derivative)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        fmid = _scalar_at(entry, mid, derivative)
        if (fmid < 0) == (flo < 0) and fmid != 0:
            lo, flo = mid, fmid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _extremum(entry: Activation, x: FloatArray, y: FloatArray, d1: FloatArray, sign: float) -> Extremum:
    """Minimum (sign = +1) or maximum (sign = −1) of f on the grid, classified and refined."""
    s = sign * y
    i = int(np.argmin(s))
    best = s[i]
    equal = np.flatnonzero(s == best)
    if equal.size > 1 and np.all(np.diff(equal) == 1):
        interval = (float(x[equal[0]]), float(x[equal[-1]]))
        return Extremum(float(y[i]), float(x[equal[0]]), "plateau", interval)
    if i in (0, x.size - 1):
        return Extremum(float(y[i]), float(x[i]), "boundary")
    lo, hi = float(x[i - 1]), float(x[i + 1])
    if sign * d1[i - 1] < 0 < sign * d1[i + 1]:
        xr = _bisect_root(entry, lo, hi, 1)
        value = _scalar_at(entry, xr, 0)
        if sign * value <= best:
            return Extremum(value, xr, "interior")
    return Extremum(float(y[i]), float(x[i]), "interior")


def _jumps(entry: Activation, x: FloatArray, d1: FloatArray, d2: FloatArray) -> tuple[Jump, ...]:
    """Where f′ changes by more than its own curvature allows between neighbours.

    For a continuous f′, |Δf′| ≤ h·max|f″| on each step (+ O(h²)); a jump of f′ is a change that is
    not explained by f″ with a margin of 10 and an absolute slack of 1e-6.
    """
    h = float(x[1] - x[0])
    step = np.abs(np.diff(d1))
    allowed = 10.0 * h * np.maximum(np.abs(d2[:-1]), np.abs(d2[1:])) + 1e-6
    out = []
    for i in np.flatnonzero(step > allowed):
        lo, hi = float(x[i]), float(x[i + 1])
        left_value, right_value = float(d1[i]), float(d1[i + 1])
        for _ in range(80):  # shrink [lo, hi] around the jump
            mid = 0.5 * (lo + hi)
            if mid in (lo, hi):
                break
            v = _scalar_at(entry, mid, 1)
            if abs(v - left_value) <= abs(v - right_value):
                lo = mid
            else:
                hi = mid
        where = round(0.5 * (lo + hi), 9) + 0.0  # + 0.0 turns −0.0 into 0.0
        out.append(
            Jump(
                x=where,
                left=_scalar_at(entry, where - 1e-9, 1),
                right=_scalar_at(entry, where + 1e-9, 1),
                convention=_scalar_at(entry, where, 1),
            )
        )
    return tuple(out)


def _format_number(value: float) -> str:
    if value == round(value):
        return f"{round(value):d}".replace("-", "−")
    return f"{value:.4f}".rstrip("0").replace("-", "−")


def _asymptote(entry: Activation, direction: Literal["-inf", "+inf"]) -> Asymptote:
    """Classify f at ±1e2, ±1e3, ±1e4: constant limit, or a power law c·|x|^p with integer p."""
    sgn = -1.0 if direction == "-inf" else 1.0
    xs = np.array([sgn * p for p in LIMIT_PROBES])
    ys = _evaluate_np(entry, xs, 0, 1.0)
    scale = max(1.0, abs(float(ys[-1])))
    if np.all(np.abs(np.diff(ys)) <= 1e-9 * scale):
        limit = float(ys[-1])
        limit = float(round(limit)) + 0.0 if abs(limit - round(limit)) < 1e-12 else limit
        return Asymptote(direction, "constant", limit, None, None, f"→ {_format_number(limit)}")
    ratio = abs(float(ys[-1]) / float(ys[-2]))
    power_f = math.log10(ratio) if ratio > 0 else float("nan")
    power = round(power_f)
    if not math.isfinite(power_f) or abs(power_f - power) > 0.01 or power < 1:
        return Asymptote(direction, "power", None, None, None, "no simple power law")
    coeff = float(ys[-1]) / (sgn * LIMIT_PROBES[-1]) ** power
    coeff = float(round(coeff)) if abs(coeff - round(coeff)) < 1e-9 else coeff
    c_text = "" if coeff == 1 else f"{_format_number(coeff)}·"
    if power == 1:
        description = f"≈ {c_text}x"
    else:
        goes = "+∞" if ys[-1] > 0 else "−∞"
        superscript = str(power).translate(str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹"))
        description = f"→ {goes} like {c_text}x{superscript}"
    return Asymptote(direction, "power", None, coeff, power, description)


def _goes_to(asym: Asymptote, sign: float) -> bool:
    """Whether f → sign·∞ on this side."""
    if asym.kind == "constant" or asym.coefficient is None or asym.power is None:
        return False
    x_sign = -1.0 if asym.direction == "-inf" else 1.0
    return asym.coefficient * x_sign**asym.power * sign > 0


@functools.cache
def properties(activation_id: str) -> Properties:
    """Properties of a scalar activation, computed on first use and cached (β = 1 for Swish)."""
    entry = get(activation_id, family="scalar")
    lo, hi = PROPERTY_WINDOW
    n = round((hi - lo) / PROPERTY_STEP)
    x = _frozen(np.arange(-n // 2, n // 2 + 1) * PROPERTY_STEP)  # 0 is on the grid exactly
    y = _evaluate_np(entry, x, 0, 1.0)
    d1 = _evaluate_np(entry, x, 1, 1.0)
    d2 = _evaluate_np(entry, x, 2, 1.0)

    if np.all(d1 > 0):
        monotonic: Literal["increasing", "non-decreasing", "decreasing", "non-increasing", "no"] = "increasing"
    elif np.all(d1 >= 0):
        monotonic = "non-decreasing"
    elif np.all(d1 < 0):
        monotonic = "decreasing"
    elif np.all(d1 <= 0):
        monotonic = "non-increasing"
    else:
        monotonic = "no"

    minimum = _extremum(entry, x, y, d1, 1.0)
    maximum = _extremum(entry, x, y, d1, -1.0)
    neg, pos = _asymptote(entry, "-inf"), _asymptote(entry, "+inf")
    bounded_below = not (_goes_to(neg, -1.0) or _goes_to(pos, -1.0))
    bounded_above = not (_goes_to(neg, 1.0) or _goes_to(pos, 1.0))
    limits = [a.limit for a in (neg, pos) if a.limit is not None]
    infimum = min([minimum.value, *limits]) if bounded_below else None
    supremum = max([maximum.value, *limits]) if bounded_above else None
    jumps = _jumps(entry, x, d1, d2)
    zero = int(np.flatnonzero(x == 0.0)[0])
    return Properties(
        id=entry.id,
        window=(float(x[0]), float(x[-1])),
        grid_step=PROPERTY_STEP,
        minimum=minimum,
        maximum=maximum,
        monotonic=monotonic,
        bounded_below=bounded_below,
        infimum=infimum,
        bounded_above=bounded_above,
        supremum=supremum,
        first_derivative_continuous=not jumps,
        first_derivative_jumps=jumps,
        value_at_0=float(y[zero]),
        derivative_at_0=float(d1[zero]),
        derivative_at_0_by_convention=0.0 in entry.by_convention_points(1),
        second_derivative_at_0=float(d2[zero]),
        second_derivative_at_0_by_convention=0.0 in entry.by_convention_points(2),
        large_negative=neg,
        large_positive=pos,
    )


def scalar_values(
    activation_id: str, x: npt.ArrayLike, derivative: int = 0, beta: float = 1.0, dtype: str = "float64"
) -> FloatArray:
    """f, f′ or f″ at a handful of chosen points (the explorer's table); with a low-precision dtype the
    input is rounded to it and the framework op computes in it."""
    entry = get(activation_id, family="scalar")
    return _frozen(_evaluate_np(entry, np.asarray(x, dtype=np.float64), derivative, beta, dtype))


# --------------------------------------------------------------------------------------------------
# Two functions compared inside a 16-bit dtype, on every representable input
# --------------------------------------------------------------------------------------------------

_SIXTEEN_BIT = {"bfloat16": torch.bfloat16, "float16": torch.float16}


@dataclass(frozen=True)
class DtypeAgreement:
    """How often two functions, each computed by its framework op in a 16-bit dtype, give the same
    result, over every representable input in [xmin, xmax] (so an approximation whose error is below
    the dtype's resolution shows up as identical outputs). ``within_one_ulp`` counts the inputs whose
    two outputs are equal or adjacent representable numbers."""

    function: str
    reference: str
    dtype: str
    xmin: float
    xmax: float
    inputs: int
    identical: int
    within_one_ulp: int
    max_abs_difference: float
    argmax_abs_difference: float | None

    @property
    def identical_fraction(self) -> float:
        return self.identical / self.inputs if self.inputs else float("nan")

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "identical_fraction": self.identical_fraction}


def _ordered_bits(values: torch.Tensor) -> npt.NDArray[np.int64]:
    """Integers in the order of the 16-bit floats they encode (adjacent floats differ by 1)."""
    bits = values.view(torch.int16).numpy().astype(np.int64)
    return np.where(bits < 0, -(bits & 0x7FFF), bits)


@functools.cache
def compare_in_dtype(function: str, reference: str, dtype: str, xmin: float, xmax: float) -> DtypeAgreement:
    """Compare two scalar activations' framework ops on every ``dtype`` value in [xmin, xmax]."""
    f, g = get(function, family="scalar"), get(reference, family="scalar")
    if dtype not in _SIXTEEN_BIT:
        raise ActivationInputError("dtype", f"must be one of {', '.join(_SIXTEEN_BIT)}, got '{dtype}'")
    every = torch.arange(-32768, 32768, dtype=torch.int32).to(torch.int16).view(_SIXTEEN_BIT[dtype])
    wide = every.to(torch.float64)
    x = every[torch.isfinite(wide) & (wide >= xmin) & (wide <= xmax)]
    x = x[torch.argsort(x.to(torch.float64))]
    with torch.no_grad():
        fy = f.implementation(dtype)(x, 1.0)
        gy = g.implementation(dtype)(x, 1.0)
    same = (fy == gy) | (torch.isnan(fy) & torch.isnan(gy))
    ulps = np.abs(_ordered_bits(fy) - _ordered_bits(gy))
    diff = (fy.to(torch.float64) - gy.to(torch.float64)).abs().numpy()
    i = int(np.argmax(diff)) if diff.size else 0
    return DtypeAgreement(
        function=f.id,
        reference=g.id,
        dtype=dtype,
        xmin=xmin,
        xmax=xmax,
        inputs=int(x.numel()),
        identical=int(same.sum()),
        within_one_ulp=int(np.count_nonzero(same.numpy() | (ulps <= 1))),
        max_abs_difference=float(diff[i]) if diff.size else 0.0,
        argmax_abs_difference=float(x[i].to(torch.float64)) if diff.size else None,
    )


def spacing(value: float, dtype: str) -> float:
    """The gap between ``value`` (rounded to dtype) and the next representable number above it in
    magnitude: the resolution of the dtype at that value (half of it is the worst rounding error)."""
    t = torch.tensor([abs(value)], dtype=DTYPES[dtype])
    up = torch.nextafter(t, torch.tensor([math.inf], dtype=DTYPES[dtype]))
    return float((up.to(torch.float64) - t.to(torch.float64))[0])


# --------------------------------------------------------------------------------------------------
# GELU and its two approximations: how far apart, and whether it shows at a given precision
# --------------------------------------------------------------------------------------------------

GELU_APPROXIMATIONS = ("gelu_tanh", "gelu_sigmoid")


@dataclass(frozen=True)
class PrecisionScale:
    """The approximation's error at one of its worst points next to a dtype's resolution at the value GELU
    has there: half the gap between adjacent representable numbers is the most that rounding moves a
    value, so an error well below it disappears when the result is stored in that dtype."""

    dtype: str
    x: float
    gelu_value: float
    error: float
    half_step: float
    error_over_half_step: float


@dataclass(frozen=True)
class ApproximationSummary:
    approximation: ApproximationError
    error_at_window_edges: tuple[float, float]
    scales: tuple[PrecisionScale, ...]
    agreement: tuple[DtypeAgreement, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.approximation.to_dict(),
            "error_at_window_edges": list(self.error_at_window_edges),
            "precision_scales": [s.__dict__ for s in self.scales],
            "agreement_in_16_bit_dtypes": [a.to_dict() for a in self.agreement],
        }


@dataclass(frozen=True)
class GeluApproximationReport:
    """Exact GELU vs its tanh and sigmoid forms on [xmin, xmax], and GELU's own bfloat16 rounding error
    on the same grid for scale (the framework's bfloat16 GELU against float64)."""

    xmin: float
    xmax: float
    points: int
    approximations: tuple[ApproximationSummary, ...]
    bfloat16_rounding: ErrorStats

    def to_dict(self) -> dict[str, Any]:
        return {
            "xmin": self.xmin,
            "xmax": self.xmax,
            "points": self.points,
            "approximations": [a.to_dict() for a in self.approximations],
            "gelu_bfloat16_rounding": self.bfloat16_rounding.to_dict(),
        }


@functools.cache
def gelu_approximation_report(
    xmin: float = -10.0, xmax: float = 10.0, points: int = 100_001
) -> GeluApproximationReport:
    """Everything /gelu-approximations shows, computed (cached per window and grid)."""
    summaries = []
    for fn_id in GELU_APPROXIMATIONS:
        err = compute_error(ErrorSpec(fn_id, "gelu", xmin, xmax, points))
        edges = scalar_values(fn_id, [xmin, xmax]) - scalar_values("gelu", [xmin, xmax])
        scales = []
        for x_star in err.stats.worst_x:
            g_star = float(scalar_values("gelu", [x_star])[0])
            e_star = float(scalar_values(fn_id, [x_star])[0]) - g_star
            for dtype in ("bfloat16", "float16", "float32"):
                half = spacing(g_star, dtype) / 2
                scales.append(PrecisionScale(dtype, x_star, g_star, e_star, half, abs(e_star) / half))
        agreement = tuple(compare_in_dtype(fn_id, "gelu", d, xmin, xmax) for d in ("bfloat16", "float16"))
        summaries.append(ApproximationSummary(err, (float(edges[0]), float(edges[1])), tuple(scales), agreement))
    bf16 = compute_curve(CurveSpec(("gelu",), xmin, xmax, points, 0, "bfloat16")).series[0].rounding
    assert bf16 is not None
    return GeluApproximationReport(xmin, xmax, points, tuple(summaries), bf16)


__all__ = [
    "DTYPES",
    "GATE_IDS",
    "PROPERTY_WINDOW",
    "REGISTRY",
    "SCALAR_IDS",
    "Activation",
    "ActivationInputError",
    "ActivationLab",
    "ApproximationError",
    "Asymptote",
    "Curve",
    "CurveSpec",
    "DtypeAgreement",
    "ErrorSpec",
    "ErrorStats",
    "Extremum",
    "GeluApproximationReport",
    "Jump",
    "Properties",
    "Series",
    "Source",
    "Surface",
    "SurfaceSpec",
    "UnknownActivationError",
    "all_activations",
    "compare_in_dtype",
    "compute_curve",
    "compute_error",
    "compute_surface",
    "evaluate",
    "gelu_approximation_report",
    "get",
    "make_curve_spec",
    "make_error_spec",
    "make_surface_spec",
    "properties",
    "scalar_values",
    "spacing",
]
