"""Axis arithmetic shared by the charts drawn as SVG text without matplotlib (the run page's loss chart,
the explorer's curves): round tick values, their labels, linear scales and lines thinned to the pixels
they cover, so a chart costs milliseconds however many points it has."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


def nice_ticks(lo: float, hi: float, count: int = 5, enclose: bool = False) -> list[float]:
    """Round tick values (1, 2, 2.5 or 5 times a power of ten) within lo..hi, about ``count`` of them;
    with ``enclose`` the first and last lie at or beyond lo and hi (an axis that ends on a tick)."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return []
    if hi - lo <= 1e-12:
        pad = abs(hi) * 0.05 or 1.0
        lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(lo / step + 1e-9) if enclose else math.ceil(lo / step - 1e-9)
    last = math.ceil(hi / step - 1e-9) if enclose else math.floor(hi / step + 1e-9)
    return [round((first + i) * step, 12) for i in range(last - first + 1)]


def tick_label(value: float, ticks: list[float]) -> str:
    """The tick's value with as many decimals as the tick spacing needs (a very small or large spacing
    in scientific notation, which stays short)."""
    step = abs(ticks[1] - ticks[0]) if len(ticks) > 1 else abs(value) or 1.0
    if step < 1e-4 or step >= 1e7:
        return f"{value:.3g}" if value else "0"
    decimals = 0
    while decimals < 6 and abs(step * 10**decimals - round(step * 10**decimals)) > 1e-6:
        decimals += 1
    return f"{value:,.{decimals}f}"


@dataclass(frozen=True)
class Scale:
    """A linear map from data values lo..hi to pixels start..end (end < start for a y axis)."""

    lo: float
    hi: float
    start: float
    end: float

    def __call__(self, value: float) -> float:
        span = (self.hi - self.lo) or 1.0
        return self.start + (self.end - self.start) * (value - self.lo) / span

    def array(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        span = (self.hi - self.lo) or 1.0
        return self.start + (self.end - self.start) * (values - self.lo) / span


def padded_range(values: NDArray[np.float64], pad: float = 0.05) -> tuple[float, float]:
    """The finite values' range widened by ``pad`` of it on each side (-1..1 when there are none)."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return -1.0, 1.0
    lo, hi = float(finite.min()), float(finite.max())
    if hi - lo <= 1e-12 * max(1.0, abs(hi)):
        half = abs(hi) * 0.05 or 1.0
        return lo - half, hi + half
    return lo - (hi - lo) * pad, hi + (hi - lo) * pad


def thinned(x: NDArray[np.float64], y: NDArray[np.float64], columns: int) -> tuple[NDArray[np.float64], ...]:
    """At most about 2 × ``columns`` points of the line: per column of x, its lowest and highest point in
    the order they come, so peaks and steps stay where they are drawn."""
    if x.size <= 2 * columns:
        return x, y
    size = -(-x.size // columns)
    rows = -(-x.size // size)
    padded = np.full(rows * size, np.nan)
    padded[: y.size] = y
    grid = padded.reshape(rows, size)
    offsets = np.arange(rows) * size
    low = offsets + np.argmin(np.where(np.isnan(grid), np.inf, grid), axis=1)
    high = offsets + np.argmax(np.where(np.isnan(grid), -np.inf, grid), axis=1)
    index = np.unique(np.concatenate([[0, x.size - 1], low, high]))
    index = index[index < x.size]
    return x[index], y[index]


def line_path(px: NDArray[np.float64], py: NDArray[np.float64]) -> str:
    """An SVG path's ``d`` through the points, broken where a value is not finite (NaN, ±inf)."""
    ok = np.isfinite(px) & np.isfinite(py)
    parts: list[str] = []
    pen_down = False
    for x, y, good in zip(px.tolist(), py.tolist(), ok.tolist(), strict=True):
        if not good:
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{x:.1f},{y:.1f}")
        pen_down = True
    return "".join(parts)
