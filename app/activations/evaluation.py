"""f, f′ and f″ of a registry entry at given points, by autograd, in a chosen dtype.

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

Results are numpy ``float64`` arrays, made read-only by :func:`frozen` so that a cache can share them.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import torch

from app.activations.functions import DTYPES, FloatArray, ScalarFn
from app.activations.registry import Activation, get


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


def frozen(array: npt.ArrayLike) -> FloatArray:
    """A float64, C-contiguous, read-only copy, safe to share from a cache."""
    out = np.ascontiguousarray(array, dtype=np.float64)
    out.flags.writeable = False
    return out


def grid(lo: float, hi: float, points: int) -> FloatArray:
    return np.linspace(lo, hi, points, dtype=np.float64)


def evaluate_at(entry: Activation, x: FloatArray, derivative: int, beta: float, dtype: str = "float64") -> FloatArray:
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


def convention_hits(entry: Activation, x: FloatArray, derivative: int) -> tuple[float, ...]:
    points = entry.by_convention_points(derivative)
    if not points:
        return ()
    return tuple(float(p) for p in points if np.any(x == p))


def scalar_values(
    activation_id: str, x: npt.ArrayLike, derivative: int = 0, beta: float = 1.0, dtype: str = "float64"
) -> FloatArray:
    """f, f′ or f″ at a handful of chosen points (the explorer's table); with a low-precision dtype the
    input is rounded to it and the framework op computes in it."""
    entry = get(activation_id, family="scalar")
    return frozen(evaluate_at(entry, np.asarray(x, dtype=np.float64), derivative, beta, dtype))
