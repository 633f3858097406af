"""Curves: values or a derivative of several scalar activations on one grid, and in a low-precision
dtype the rounding error of each against float64."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from app.activations.approximation import ErrorStats, error_stats
from app.activations.evaluation import convention_hits, evaluate_at, frozen, grid
from app.activations.functions import DTYPES, FloatArray
from app.activations.registry import get


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
    x = grid(spec.xmin, spec.xmax, spec.points)
    lowp = spec.dtype != "float64"
    x_rounded = torch.from_numpy(x).to(DTYPES[spec.dtype]).to(torch.float64).numpy() if lowp else None
    series = []
    for fn_id in spec.functions:
        entry = get(fn_id, family="scalar")
        if not lowp:
            y = evaluate_at(entry, x, spec.derivative, spec.beta)
            series.append(Series(entry.id, frozen(y), convention_hits(entry, x, spec.derivative)))
            continue
        assert x_rounded is not None
        y = evaluate_at(entry, x, spec.derivative, spec.beta, spec.dtype)
        exact_at_rounded = evaluate_at(entry, x_rounded, spec.derivative, spec.beta)
        exact = evaluate_at(entry, x, spec.derivative, spec.beta)
        err = y - exact_at_rounded
        floor = float(torch.finfo(DTYPES[spec.dtype]).tiny)
        total = np.abs(y - exact)
        series.append(
            Series(
                entry.id,
                frozen(y),
                convention_hits(entry, x_rounded, spec.derivative),
                rounding_error=frozen(err),
                rounding=error_stats(x, err, exact_at_rounded, floor),
                max_abs_total_error=float(np.max(total[np.isfinite(total)])) if np.isfinite(total).any() else None,
            )
        )
    return Curve(spec, frozen(x), tuple(series), frozen(x_rounded) if x_rounded is not None else None)
