"""Bar charts as SVG text written directly (no matplotlib): the paper pages' table panels and the catalog's
activations by year.

A paper page shows one chart per table, each drawn twice (wide and phone): with matplotlib that was about
1.3 s per page in a fresh process and 11-13 s under load, and cold paper pages were most of a mixed load's
slowest requests. Written as text, a chart takes about a millisecond. The drawings show what the matplotlib
ones did: one panel per column, bars coloured gated / dense, the printed spread as error bars with caps, each
value labelled as printed, y ticks with gridlines; on a phone the panels stack and the labels stand upright,
with no text under 11 px at the drawn size (``chart-wide`` / ``chart-narrow``, one hidden by the stylesheet).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from app.plots.axes import Scale, nice_ticks, tick_label
from app.plots.svg import PALETTE

FONT_PX = 12
SMALL_PX = 11  # value labels: the smallest text a phone drawing may hold
LINE_PX = FONT_PX + 4
CHAR_PX = FONT_PX * 0.6  # an average glyph width, for wrapping and label room
LEGEND_CHAR_PX = FONT_PX * 0.7  # legend entries sit side by side: the widest glyphs (snake_case names) count
AXIS, GRID, INK = "#3d4550", "#e3e6ea", "#1f2328"
GATED, DENSE = PALETTE[0], PALETTE[7]
FONTS = "system-ui, -apple-system, Segoe UI, sans-serif"


@dataclass(frozen=True)
class BarPanel:
    """One column of a paper table: its subtitle, y label and bars (label, gated, value, spread, printed)."""

    subtitle: str
    ylabel: str
    labels: Sequence[str]
    gated: Sequence[bool]
    values: Sequence[float]
    spreads: Sequence[float | None]
    texts: Sequence[str]


@dataclass(frozen=True)
class Frame:
    """Where one plot area sits in the drawing, and how its labels are laid out."""

    left: float
    top: float
    width: float
    height: float
    upright: bool  # x labels and value labels at 90° (a phone) instead of 40° and level


def panels_chart(panels: Sequence[BarPanel], title: str) -> str:
    """The chart as a page inlines it: the panels side by side (wide) and stacked (phone)."""
    return _panels_svg(panels, title, phone=False) + _panels_svg(panels, title, phone=True)


def _panels_svg(panels: Sequence[BarPanel], title: str, *, phone: bool) -> str:
    full_title = f"{title} (blue: gated variants, grey: dense)"
    plot_h = 190.0
    longest = max((len(label.removeprefix("FFN_")) for p in panels for label in p.labels), default=4)
    label_room = min(150.0, longest * CHAR_PX * (1.0 if phone else math.sin(math.radians(40))) + 14)
    bars = max((len(p.labels) for p in panels), default=1)
    ylabel_lines = max((len(_wrapped(p.ylabel, plot_h)) for p in panels), default=1)
    base_left = 56.0 + 14 * (ylabel_lines - 1)
    plot_w = 340.0 - base_left - 10 if phone else max(184.0, 40.0 * bars)
    left = base_left
    if not phone:  # a slanted first label reaches left of its bar: room for it inside the panel
        first = max((len(p.labels[0].removeprefix("FFN_")) for p in panels if p.labels), default=0)
        left = max(base_left, first * CHAR_PX * math.cos(math.radians(40)) - plot_w / bars / 2 + 6)
    panel_w = 340.0 if phone else left + plot_w + 10
    width = 340.0 if phone else panel_w * max(1, len(panels))
    title_lines = _wrapped(full_title, width - 20)
    y = 12.0 + LINE_PX * len(title_lines)
    parts = [_text_lines(title_lines, width / 2, 6 + LINE_PX, "middle", FONT_PX + 1, weight="600")]
    bottom = y
    for i, panel in enumerate(panels):
        sub_lines = _wrapped(panel.subtitle, plot_w)
        x0 = 0.0 if phone else i * panel_w
        top = (bottom + 10 if phone else y + 6) + LINE_PX * len(sub_lines)
        parts.append(_text_lines(sub_lines, x0 + left + plot_w / 2, top - LINE_PX * len(sub_lines) + 4, "middle",
                                 FONT_PX))
        parts.append(_bar_panel(panel, Frame(x0 + left, top, plot_w, plot_h, phone)))
        bottom = max(bottom, top + plot_h + label_room)
    height = bottom + 8
    desc = "; ".join(f"{p.subtitle}: " + ", ".join(f"{lbl} {t}" for lbl, t in zip(p.labels, p.texts, strict=True))
                     for p in panels)
    return _svg(parts, title, desc, width, height, "chart-narrow" if phone else "chart-wide")


def _bar_panel(panel: BarPanel, f: Frame) -> str:
    tops = [v + (s or 0.0) for v, s in zip(panel.values, panel.spreads, strict=True)]
    lows = [v - (s or 0.0) for v, s in zip(panel.values, panel.spreads, strict=True)]
    bottom_y = f.top + f.height
    parts = ['<g class="panel">']
    if panel.values:
        low, high = min(lows), max(tops)
        pad = (high - low) * (1.2 if f.upright else 0.6) + 0.01
        ys = Scale(low - pad, high + pad, bottom_y, f.top)
        parts.append(_y_grid([t for t in nice_ticks(ys.lo, ys.hi, 5) if ys.lo <= t <= ys.hi], ys, f.left,
                             f.left + f.width))
        slot = f.width / len(panel.values)
        rows = zip(panel.labels, panel.gated, panel.values, panel.spreads, panel.texts, strict=True)
        for j, (label, gated, value, spread, text) in enumerate(rows):
            cx = f.left + slot * (j + 0.5)
            vy = ys(value)
            name = label.removeprefix("FFN_")
            note = f" ± {spread:g}" if spread is not None else ""
            parts.append(f'<rect class="bar" x="{cx - slot * 0.35:.1f}" y="{vy:.1f}" width="{slot * 0.7:.1f}" '
                         f'height="{max(0.0, bottom_y - vy):.1f}" fill="{GATED if gated else DENSE}">'
                         f"<title>{escape(name)}: {escape(text)}{escape(note)}</title></rect>")
            label_y = vy
            if spread is not None and spread > 0:
                hi_y, lo_y = ys(value + spread), ys(value - spread)
                parts.append(f'<path class="spread" d="M{cx:.1f},{lo_y:.1f}V{hi_y:.1f}M{cx - 3:.1f},{hi_y:.1f}'
                             f'H{cx + 3:.1f}M{cx - 3:.1f},{lo_y:.1f}H{cx + 3:.1f}" stroke="{INK}" fill="none"/>')
                label_y = min(vy, hi_y)
            parts.append(_value_label(text, cx, label_y - 3, f.upright))
            parts.append(_x_label(name, cx, bottom_y + 6, f.upright))
    parts.append(f'<line x1="{f.left:.1f}" x2="{f.left + f.width:.1f}" y1="{bottom_y:.1f}" y2="{bottom_y:.1f}" '
                 f'stroke="{AXIS}"/>')
    parts.append(f'<line x1="{f.left:.1f}" x2="{f.left:.1f}" y1="{f.top:.1f}" y2="{bottom_y:.1f}" stroke="{AXIS}"/>')
    mid = f.top + f.height / 2
    lines = _wrapped(panel.ylabel, f.height)  # along the axis, in as many lines as it needs, left of the ticks
    for k, line in enumerate(lines):
        ylabel_x = f.left - 44 - 14 * (len(lines) - 1 - k)
        parts.append(f'<text class="axis-label" x="{ylabel_x:.1f}" y="{mid:.1f}" text-anchor="middle" fill="{INK}" '
                     f'transform="rotate(-90 {ylabel_x:.1f} {mid:.1f})">{escape(line)}</text>')
    parts.append("</g>")
    return "".join(parts)


def _value_label(text: str, x: float, y: float, upright: bool) -> str:
    turn = f' transform="rotate(-90 {x:.1f} {y:.1f})" text-anchor="start" dy="4"' if upright else \
        ' text-anchor="middle"'
    return (f'<text class="value" x="{x:.1f}" y="{y:.1f}" font-size="{SMALL_PX}" fill="{INK}"{turn}>'
            f"{escape(text)}</text>")


def _x_label(text: str, x: float, y: float, upright: bool) -> str:
    angle = -90 if upright else -40
    return (f'<text class="tick" x="{x:.1f}" y="{y + 4:.1f}" text-anchor="end" fill="{AXIS}" dy="4" '
            f'transform="rotate({angle} {x:.1f} {y + 4:.1f})">{escape(text)}</text>')


# --- the catalog's activations by year -------------------------------------------------------------------


def stacked_years_chart(counts: Sequence[tuple[int, Sequence[tuple[str, int]]]], title: str) -> str:
    """Stacked bars of models per release year and activation, wide and phone drawings."""
    return _stacked_svg(counts, title, phone=False) + _stacked_svg(counts, title, phone=True)


def _stacked_svg(counts: Sequence[tuple[int, Sequence[tuple[str, int]]]], title: str, *, phone: bool) -> str:
    width = 340.0 if phone else 760.0
    left, right = 52.0, 12.0
    activations = sorted({name for _, pairs in counts for name, _ in pairs})
    colors = {a: PALETTE[i % len(PALETTE)] for i, a in enumerate(activations)}
    title_lines = _wrapped(title, width - 20)
    parts = [_text_lines(title_lines, width / 2, 6 + LINE_PX, "middle", FONT_PX + 1, weight="600")]
    y, legend = _legend([(a, colors[a]) for a in activations], left, width - right, 14.0 + LINE_PX * len(title_lines))
    parts.append(legend)
    top, plot_h = y + 8, 200.0
    bottom_y = top + plot_h
    totals = [sum(n for _, n in pairs) for _, pairs in counts]
    ticks = nice_ticks(0, max(totals, default=1), 5, enclose=True)
    ticks = [t for t in ticks if t == int(t)] or [0.0, 1.0]
    ys = Scale(0, max(ticks[-1], 1), bottom_y, top)
    plot_w = width - left - right
    parts.append('<g class="panel">')
    parts.append(_y_grid(ticks, ys, left, left + plot_w))
    slot = plot_w / max(1, len(counts))
    for j, (year, pairs) in enumerate(counts):
        cx, base = left + slot * (j + 0.5), 0
        for name, n in sorted(pairs, key=lambda p: activations.index(p[0])):
            y0, y1 = ys(base), ys(base + n)
            parts.append(f'<rect class="bar" x="{cx - slot * 0.35:.1f}" y="{y1:.1f}" width="{slot * 0.7:.1f}" '
                         f'height="{y0 - y1:.1f}" fill="{colors[name]}">'
                         f"<title>{year}: {n} × {escape(name)}</title></rect>")
            base += n
        if phone:
            parts.append(_x_label(str(year), cx, bottom_y + 6, True))
        else:
            parts.append(f'<text class="tick" x="{cx:.1f}" y="{bottom_y + 18:.1f}" text-anchor="middle" '
                         f'fill="{AXIS}">{year}</text>')
    parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{bottom_y:.1f}" y2="{bottom_y:.1f}" stroke="{AXIS}"/>')
    parts.append(f'<line x1="{left}" x2="{left}" y1="{top:.1f}" y2="{bottom_y:.1f}" stroke="{AXIS}"/>')
    mid = top + plot_h / 2
    parts.append(f'<text class="axis-label" x="14" y="{mid:.1f}" text-anchor="middle" fill="{INK}" '
                 f'transform="rotate(-90 14 {mid:.1f})">models in the catalog</text></g>')
    height = bottom_y + (52 if phone else 30)
    desc = "; ".join(f"{year}: " + ", ".join(f"{n} {name}" for name, n in pairs) for year, pairs in counts)
    return _svg(parts, title, desc, width, height, "chart-narrow" if phone else "chart-wide")


def _legend(items: list[tuple[str, str]], left: float, right: float, y: float) -> tuple[float, str]:
    """Legend entries in rows, wrapped to the drawing's width; returns the y below them."""
    parts, x, row_y = ['<g class="legend">'], left, y + 4
    for name, color in items:
        width = 20 + len(name) * LEGEND_CHAR_PX + 12
        if x + width > right and x > left:
            x, row_y = left, row_y + LINE_PX + 2
        parts.append(f'<rect x="{x:.1f}" y="{row_y:.1f}" width="12" height="12" fill="{color}"/>')
        parts.append(f'<text x="{x + 17:.1f}" y="{row_y + 11:.1f}" fill="{INK}">{escape(name)}</text>')
        x += width
    parts.append("</g>")
    return row_y + LINE_PX + 4, "".join(parts)


# --- shared --------------------------------------------------------------------------------------------------


def _y_grid(ticks: list[float], ys: Scale, left: float, right: float) -> str:
    """A gridline and a label at each y tick."""
    parts = []
    for tick in ticks:
        ty = ys(tick)
        parts.append(f'<line class="grid" x1="{left:.1f}" x2="{right:.1f}" y1="{ty:.1f}" y2="{ty:.1f}" '
                     f'stroke="{GRID}"/>')
        parts.append(f'<text class="tick" x="{left - 5:.1f}" y="{ty + 4:.1f}" text-anchor="end" fill="{AXIS}">'
                     f"{escape(tick_label(tick, ticks))}</text>")
    return "".join(parts)


def _wrapped(text: str, width: float) -> list[str]:
    return textwrap.wrap(text, max(12, int(width / CHAR_PX)), break_on_hyphens=False) or [text]


def _text_lines(lines: list[str], x: float, y: float, anchor: str, size: int, weight: str = "400") -> str:
    return "".join(f'<text x="{x:.1f}" y="{y + i * LINE_PX:.1f}" text-anchor="{anchor}" font-size="{size}" '
                   f'font-weight="{weight}" fill="{INK}">{escape(line)}</text>' for i, line in enumerate(lines))


def _svg(parts: list[str], title: str, desc: str, width: float, height: float, css_class: str) -> str:
    head = (f'<svg class="{css_class}" xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" '
            f'width="{width:.0f}" height="{height:.0f}" viewBox="0 0 {width:.0f} {height:.0f}" font-size="{FONT_PX}" '
            f'font-family="{FONTS}"><title>{escape(title)}</title><desc>{escape(desc)}</desc>')
    return head + "".join(parts) + "</svg>"
