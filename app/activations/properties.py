"""Properties of each scalar activation, computed numerically rather than typed in.

:func:`properties` scans each scalar function on the window ``PROPERTY_WINDOW`` = [−10, 10] with step
``PROPERTY_STEP`` = 1e-3 (the window is chosen so that every function is still resolved in float64 at its
edges: tanh rounds to ±1 beyond |x| ≈ 19, which would make it look flat), refines interior extrema by
bisection on the autograd derivative, detects jumps of the first derivative, and classifies the
behaviour for large |x| from the values at ±1e2, ±1e3 and ±1e4.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from app.activations.evaluation import evaluate_at, frozen
from app.activations.functions import FloatArray
from app.activations.registry import Activation, get

PROPERTY_WINDOW = (-10.0, 10.0)
PROPERTY_STEP = 1e-3
LIMIT_PROBES = (1e2, 1e3, 1e4)


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
    return float(evaluate_at(entry, np.array([x]), derivative, 1.0)[0]) + 0.0  # + 0.0: no −0.0


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
    ys = evaluate_at(entry, xs, 0, 1.0)
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
    x = frozen(np.arange(-n // 2, n // 2 + 1) * PROPERTY_STEP)  # 0 is on the grid exactly
    y = evaluate_at(entry, x, 0, 1.0)
    d1 = evaluate_at(entry, x, 1, 1.0)
    d2 = evaluate_at(entry, x, 2, 1.0)

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
