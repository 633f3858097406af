"""Request validation: checks a request against the limits and builds its canonical, hashable spec
(ids rather than aliases), raising ActivationInputError or UnknownActivationError."""

from __future__ import annotations

import math
from collections.abc import Sequence

from app.activations.approximation import ErrorSpec
from app.activations.curves import CurveSpec
from app.activations.errors import ActivationInputError
from app.activations.functions import DTYPES
from app.activations.registry import get
from app.activations.surfaces import SurfaceSpec

DERIVATIVE_ORDERS = (0, 1, 2)


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


def parse_points(text: str, max_abs_x: float, max_points: int, field_name: str = "at") -> list[float]:
    """The x values of a comma- or semicolon-separated list (a typed "−" counts as a minus sign)."""
    values = []
    for part in text.replace(";", ",").split(","):
        part = part.strip().replace("−", "-")
        if not part:
            continue
        try:
            value = float(part)
        except ValueError:
            raise ActivationInputError(field_name, f"'{part}' is not a number") from None
        if not math.isfinite(value) or abs(value) > max_abs_x:
            raise ActivationInputError(field_name, f"{part} must be finite with |x| ≤ {max_abs_x:g}", limit=max_abs_x)
        values.append(value)
    if len(values) > max_points:
        raise ActivationInputError(field_name, f"at most {max_points} points, got {len(values)}", limit=max_points)
    return values
