"""Exact GELU and its tanh and sigmoid approximations: how far apart they are, and whether the
difference survives rounding to bfloat16, float16 or float32."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from app.activations.approximation import ApproximationError, ErrorSpec, ErrorStats, compute_error
from app.activations.curves import CurveSpec, compute_curve
from app.activations.evaluation import scalar_values
from app.activations.precision import DtypeAgreement, compare_in_dtype, spacing

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
