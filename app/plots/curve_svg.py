"""The explorer's curve chart as SVG text written directly (no matplotlib): a few milliseconds whatever
the number of points, where a matplotlib drawing took ~110 ms in a pool of two threads.

The chart shows what the matplotlib one did: every function's curve in the palette's colours with a
legend, the zero lines, hollow markers where a derivative is undefined and autograd's conventional value
is plotted, axis labels and ticks with gridlines, and with a low-precision dtype a second panel of each
curve's rounding error. A page gets two drawings, one wide and one for phones (``chart-wide`` /
``chart-narrow``, one hidden by the stylesheet); text is 12 px at the drawn size in both, long titles
wrap on the narrow one. Lines are thinned to the lowest and highest point per pixel column.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

import numpy as np
from numpy.typing import NDArray

from app.activations.curves import Curve
from app.plots.axes import Scale, line_path, nice_ticks, padded_range, thinned, tick_label
from app.plots.svg import PALETTE

FONT_PX = 12
LINE_PX = FONT_PX + 4
CHAR_PX = FONT_PX * 0.6  # a generous average glyph width, for laying out legend rows and wrapping titles
AXIS, GRID, ZERO, INK = "#3d4550", "#e3e6ea", "#999999", "#1f2328"
CONVENTION = "value by convention (undefined)"


@dataclass(frozen=True)
class Layout:
    """One drawing's size: total width, the plot areas' heights and the margins around them."""

    css_class: str
    width: int
    main_height: int
    error_height: int
    left: int = 70
    right: int = 16
    title_chars: int = 110


WIDE = Layout("chart-wide", 760, 280, 170)
BODY = Layout("", 760, 280, 170)
NARROW = Layout("chart-narrow", 340, 230, 150, left=62, right=10, title_chars=44)


@dataclass(frozen=True)
class Panel:
    """One plot area: its y label and the lines drawn in it (label, colour, x, y)."""

    ylabel: str
    lines: Sequence[tuple[str, str, NDArray[np.float64], NDArray[np.float64]]]
    steps: bool = False


def curve_svg(curve: Curve, title: str, ylabel: str, layout: Layout = WIDE) -> str:
    """One drawing of the curve chart (``layout`` picks the wide or the phone one; one without a CSS class
    is shown at every width, as a response body is)."""
    spec = curve.spec
    lowp = spec.dtype != "float64"
    colors = [PALETTE[i % len(PALETTE)] for i in range(len(curve.series))]
    x = np.asarray(curve.x, dtype=np.float64)
    main = Panel(ylabel, [(s.fn, c, x, np.asarray(s.y, dtype=np.float64)) for s, c in zip(curve.series, colors,
                                                                                          strict=True)], lowp)
    panels = [main]
    if lowp:
        panels.append(Panel(f"{spec.dtype} − float64", [
            (s.fn, c, x, np.asarray(s.rounding_error, dtype=np.float64))
            for s, c in zip(curve.series, colors, strict=True) if s.rounding_error is not None
        ]))
    conventions = [(px, s, c) for s, c in zip(curve.series, colors, strict=True) for px in s.by_convention_x]
    legend = [(s.fn, c) for s, c in zip(curve.series, colors, strict=True)]
    plot_w = layout.width - layout.left - layout.right
    title_lines = textwrap.wrap(title, layout.title_chars, break_on_hyphens=False) or [title]
    parts: list[str] = []
    y: float = 6 + LINE_PX
    for line in title_lines:
        parts.append(f'<text x="{layout.width / 2:.0f}" y="{y}" text-anchor="middle" font-size="{FONT_PX + 1}" '
                     f'font-weight="600" fill="{INK}">{escape(line)}</text>')
        y += LINE_PX + 2
    y, legend_parts = _legend(legend, bool(conventions), layout, y)
    parts.extend(legend_parts)
    if conventions:
        note = "hollow marker: derivative undefined there; autograd's value shown"
        for line in textwrap.wrap(note, int((layout.width - layout.left) / CHAR_PX)):
            parts.append(f'<text x="{layout.left}" y="{y + FONT_PX}" fill="{AXIS}">{escape(line)}</text>')
            y += LINE_PX
    top = y + 8
    heights = [layout.main_height] + ([layout.error_height] if lowp else [])
    xs = Scale(spec.xmin, spec.xmax, layout.left, layout.left + plot_w)
    x_count = 8 if layout.width > 500 else 4
    x_ticks = [t for t in nice_ticks(spec.xmin, spec.xmax, x_count) if spec.xmin <= t <= spec.xmax]
    ranges: list[tuple[float, float]] = []
    for i, (panel, height) in enumerate(zip(panels, heights, strict=True)):
        last = i == len(panels) - 1
        values = np.concatenate([ln[3] for ln in panel.lines]) if panel.lines else np.zeros(1)
        lo, hi = padded_range(values)
        ranges.append((lo, hi))
        ys = Scale(lo, hi, top + height, top)
        parts.extend(_panel(panel, xs, ys, x_ticks, top, height, layout, last, plot_w))
        if i == 0:
            for px, s, color in conventions:
                hit = np.flatnonzero(curve.x == px)
                if hit.size and np.isfinite(s.y[hit[0]]):
                    parts.append(f'<circle class="convention" cx="{xs(px):.1f}" cy="{ys(float(s.y[hit[0]])):.1f}" '
                                 f'r="4" fill="white" stroke="{color}" stroke-width="1.5">'
                                 f"<title>{escape(s.fn)} at x = {px:g}: {CONVENTION}</title></circle>")
        top += height + (40 if last else 24)
    height_total = top - 40 + 48
    desc = _description(curve, ranges)
    css = f'class="{layout.css_class}" ' if layout.css_class else ""
    head = (f'<svg {css}xmlns="http://www.w3.org/2000/svg" role="img" '
            f'aria-label="{escape(title)}" width="{layout.width}" height="{height_total}" '
            f'viewBox="0 0 {layout.width} {height_total}" font-size="{FONT_PX}" '
            f'font-family="system-ui, -apple-system, Segoe UI, sans-serif">'
            f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>")
    return head + "".join(parts) + "</svg>"


def _legend(items: list[tuple[str, str]], conventions: bool, layout: Layout, y: float) -> tuple[float, list[str]]:
    """Legend entries in rows from the plot's left edge, wrapped to the drawing's width."""
    parts: list[str] = ['<g class="legend">']
    x = float(layout.left)
    row_y = y + 4
    entries: list[tuple[str, str, bool]] = [(name, color, False) for name, color in items]
    if conventions:
        entries.append((CONVENTION, AXIS, True))
    for name, color, hollow in entries:
        width = 28 + len(name) * CHAR_PX + 14
        if x + width > layout.width - layout.right and x > layout.left:
            x, row_y = float(layout.left), row_y + LINE_PX + 2
        mid = row_y + FONT_PX / 2
        if hollow:
            parts.append(f'<circle cx="{x + 10:.1f}" cy="{mid - 4:.1f}" r="4" fill="white" stroke="{color}" '
                         'stroke-width="1.5"/>')
        else:
            parts.append(f'<line x1="{x:.1f}" x2="{x + 20:.1f}" y1="{mid - 4:.1f}" y2="{mid - 4:.1f}" '
                         f'stroke="{color}" stroke-width="2.5"/>')
        parts.append(f'<text x="{x + 26:.1f}" y="{mid:.1f}" fill="{INK}">{escape(name)}</text>')
        x += width
    parts.append("</g>")
    return row_y + LINE_PX + 4, parts


def _panel(panel: Panel, xs: Scale, ys: Scale, x_ticks: list[float], top: float, height: float, layout: Layout,
           last: bool, plot_w: int) -> list[str]:
    """Gridlines, ticks, zero lines, the curves and the axes of one plot area."""
    left, right, bottom = layout.left, layout.left + plot_w, top + height
    parts = ['<g class="panel">']
    y_ticks = [t for t in nice_ticks(ys.lo, ys.hi, 5) if ys.lo <= t <= ys.hi]
    for tick in y_ticks:
        y = ys(tick)
        parts.append(f'<line class="grid" x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(f'<text class="tick" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{AXIS}">'
                     f"{escape(tick_label(tick, y_ticks))}</text>")
    for tick in x_ticks:
        x = xs(tick)
        parts.append(f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{top:.1f}" y2="{bottom:.1f}" stroke="{GRID}"/>')
        if last:
            parts.append(f'<text class="tick" x="{x:.1f}" y="{bottom + 16:.1f}" text-anchor="middle" '
                         f'fill="{AXIS}">{escape(tick_label(tick, x_ticks))}</text>')
    if ys.lo < 0 < ys.hi:
        parts.append(f'<line class="zero" x1="{left}" x2="{right}" y1="{ys(0):.1f}" y2="{ys(0):.1f}" '
                     f'stroke="{ZERO}" stroke-width="0.8"/>')
    if xs.lo < 0 < xs.hi:
        parts.append(f'<line class="zero" x1="{xs(0):.1f}" x2="{xs(0):.1f}" y1="{top:.1f}" y2="{bottom:.1f}" '
                     f'stroke="{ZERO}" stroke-width="0.8"/>')
    for name, color, line_x, line_y in panel.lines:
        tx, ty = thinned(line_x, line_y, plot_w)
        if panel.steps and tx.size == line_x.size and line_x.size > 1:
            tx, ty = _steps(tx, ty)
        d = line_path(xs.array(tx), ys.array(ty))
        if d:
            parts.append(f'<path class="curve" d="{d}" fill="none" stroke="{color}" stroke-width="1.6" '
                         f'stroke-linejoin="round"><title>{escape(name)}</title></path>')
    parts.append(f'<line x1="{left}" x2="{right}" y1="{bottom:.1f}" y2="{bottom:.1f}" stroke="{AXIS}"/>')
    parts.append(f'<line x1="{left}" x2="{left}" y1="{top:.1f}" y2="{bottom:.1f}" stroke="{AXIS}"/>')
    mid = top + height / 2
    parts.append(f'<text class="axis-label" x="14" y="{mid:.0f}" text-anchor="middle" fill="{INK}" '
                 f'transform="rotate(-90 14 {mid:.0f})">{escape(panel.ylabel)}</text>')
    if last:
        parts.append(f'<text class="axis-label" x="{left + plot_w / 2:.0f}" y="{bottom + 34:.0f}" '
                     f'text-anchor="middle" fill="{INK}">x</text>')
    parts.append("</g>")
    return parts


def _steps(x: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The line as steps centred on each point (matplotlib's ``steps-mid``): a rounded value is flat."""
    mids = (x[:-1] + x[1:]) / 2
    sx = np.concatenate([[x[0]], np.repeat(mids, 2), [x[-1]]])
    sy = np.repeat(y, 2)
    return sx, sy


def _description(curve: Curve, ranges: list[tuple[float, float]]) -> str:
    """What the chart shows in words, for a screen reader."""
    spec = curve.spec
    lo, hi = ranges[0]
    text = (f"{len(curve.series)} curve(s), {', '.join(s.fn for s in curve.series)}, on {spec.points:,} points "
            f"from x = {spec.xmin:g} to {spec.xmax:g}; the vertical axis spans {lo:.4g} to {hi:.4g}.")
    if len(ranges) > 1:
        text += (f" A second panel shows each curve's rounding error in {spec.dtype} against float64, "
                 f"from {ranges[1][0]:.3g} to {ranges[1][1]:.3g}.")
    return text


def curve_chart_svg(curve: Curve, title: str, ylabel: str, *, page: bool) -> str:
    """The chart as a response body (one wide drawing) or as a page inlines it (wide and phone drawings)."""
    if not page:
        return curve_svg(curve, title, ylabel, BODY)
    return curve_svg(curve, title, ylabel, WIDE) + curve_svg(curve, title, ylabel, NARROW)
