"""Error statistics of one curve against another, and the approximation error of one scalar activation
against another (error = function − reference) in float64."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from app.activations.evaluation import evaluate_at, frozen, grid
from app.activations.functions import FloatArray
from app.activations.registry import get

#: Relative errors skip reference values smaller than this fraction of the largest |reference| on the grid.
REL_ERROR_FLOOR_FRACTION = 1e-12
#: Grid points whose |error| is within this fraction of the largest error count as "worst" points.
WORST_POINT_TOLERANCE = 1e-6


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


def error_stats(x: FloatArray, err: FloatArray, reference: FloatArray, floor: float) -> ErrorStats:
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
    x = grid(spec.xmin, spec.xmax, spec.points)
    fy = evaluate_at(f, x, spec.derivative, spec.beta)
    gy = evaluate_at(g, x, spec.derivative, spec.beta)
    err = fy - gy
    finite_ref = np.abs(gy[np.isfinite(gy)])
    floor = max(REL_ERROR_FLOOR_FRACTION * float(finite_ref.max(initial=0.0)), float(np.finfo(np.float64).tiny))
    stats = error_stats(x, err, gy, floor)
    at = float(err[int(np.argmin(np.abs(x - stats.argmax_abs_error)))]) if stats.argmax_abs_error is not None else 0.0
    if spec.include_curve:
        return ApproximationError(spec, stats, at, frozen(x), frozen(err))
    return ApproximationError(spec, stats, at)
