"""The run page's loss chart as SVG text, drawn on the server for the page without JavaScript.

The same chart as static/comparisons.js draws in the browser (which adds hover values and redraws as
events arrive): step numbers on the x axis, loss ticks and gridlines, the mean over seeds per variant
with a ±1 std band where two or more seeds reached a step, each seed's own line on request, an optional
EMA smoothing and log scale, and the corpus's reference losses as labelled dashed lines. Text is 12 px
at the drawn size; on a phone the chart keeps that size in a box that scrolls (style.css). A long curve
is drawn as the means of at most ``MAX_POINTS`` equal stretches of steps. The tick arithmetic is the
explorer chart's too (app/plots/axes.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape

from app.jobs.curves import Curves, RunCurve, band, ema
from app.plots.axes import nice_ticks, tick_label
from app.plots.svg import PALETTE

WIDTH, HEIGHT = 760, 360
LEFT, RIGHT, TOP, BOTTOM = 64, 150, 14, 46
FONT_PX = 12
MAX_POINTS = 300
#: The smoothing choices offered (EMA weight on the past).
SMOOTHING = (0.0, 0.6, 0.9, 0.98)
REFERENCE_NAMES = {"optimal_loss": "entropy (optimal)", "bigram_loss": "bigram", "unigram_loss": "unigram"}
SPLIT_NAMES = {"train": "training loss", "val": "validation loss"}


@dataclass(frozen=True)
class ChartOptions:
    split: str = "train"
    smoothing: float = 0.0
    seeds: bool = False
    log: bool = False


def thin(points: list[tuple[int, float]], limit: int = MAX_POINTS) -> list[tuple[int, float]]:
    """At most ``limit`` points: the mean step and value of equal stretches (the last point kept)."""
    if len(points) <= limit:
        return points
    size = math.ceil(len(points) / limit)
    out = []
    for i in range(0, len(points), size):
        chunk = points[i : i + size]
        out.append((round(sum(p[0] for p in chunk) / len(chunk)), sum(p[1] for p in chunk) / len(chunk)))
    out[-1] = (points[-1][0], out[-1][1])
    return out


Series = tuple[str, list[tuple[int, float, float, int]], list[RunCurve]]


def _series(curves: Curves, options: ChartOptions) -> list[Series]:
    out = []
    for variant in curves.variants:
        runs = [r for r in curves.ordered() if r.variant == variant and r.points(options.split)]
        if runs:
            out.append((variant, band(runs, options.split, options.smoothing), runs))
    return out


def legend(curves: Curves) -> list[tuple[str, str]]:
    """(variant, colour) in the chart's order, for the legend beside it."""
    return [(v, PALETTE[i % len(PALETTE)]) for i, v in enumerate(curves.variants)]


def chart_svg(curves: Curves, options: ChartOptions) -> str | None:
    """The chart (x axis up to the furthest step reported), or None when no run has reported a loss of
    this split yet."""
    series = _series(curves, options)
    if not series:
        return None
    seed_lines = {
        (v, r.seed): thin(list(zip([p[0] for p in r.points(options.split)],
                                   ema([p[1] for p in r.points(options.split)], options.smoothing), strict=True)))
        for v, _, runs in series for r in runs
    } if options.seeds else {}
    values = [m + s * k for _, b, _ in series for _, m, s, _ in b for k in (-1, 1)]
    values += [y for line in seed_lines.values() for _, y in line]
    references = {k: v for k, v in curves.reference.items() if k in REFERENCE_NAMES and math.isfinite(v)}
    values += list(references.values())
    if options.log:
        values = [v for v in values if v > 0]
    lo, hi = min(values), max(values)
    ticks = [t for t in nice_ticks(lo, hi, enclose=True) if t > 0 or not options.log]
    lo, hi = min([lo, *ticks]), max([hi, *ticks])
    transform = math.log if options.log else (lambda v: v)
    t_lo, t_hi = transform(max(lo, 1e-9)) if options.log else lo, transform(hi)
    x_hi = max(max(b[-1][0] for _, b, _ in series), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def px(step: float) -> float:
        return LEFT + plot_w * step / x_hi

    def py(value: float) -> float:
        v = transform(max(value, 1e-9)) if options.log else value
        return TOP + plot_h * (1 - (v - t_lo) / ((t_hi - t_lo) or 1.0))

    label = f"{SPLIT_NAMES[options.split].capitalize()} per variant"
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}" width="{WIDTH}" '
             f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-size="{FONT_PX}" class="loss-chart">',
             f"<title>{escape(label)}</title>"]
    for tick in ticks:
        y = py(tick)
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
                     'stroke="#e3e6ea"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#3d4550">'
                     f"{tick_label(tick, ticks)}</text>")
    x_ticks = [t for t in nice_ticks(0, x_hi, 6) if t <= x_hi]
    for tick in x_ticks:
        x = px(tick)
        parts.append(f'<line class="grid" x1="{x:.1f}" x2="{x:.1f}" y1="{TOP}" y2="{TOP + plot_h}" stroke="#eef0f3"/>')
        parts.append(f'<text x="{x:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" fill="#3d4550">'
                     f"{tick_label(tick, x_ticks)}</text>")
    parts.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" stroke="#3d4550"/>')
    parts.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}" stroke="#3d4550"/>')
    parts.append(f'<text x="{LEFT + plot_w / 2:.0f}" y="{HEIGHT - 8}" text-anchor="middle">step</text>')
    parts.append(f'<text x="14" y="{TOP + plot_h / 2:.0f}" text-anchor="middle" '
                 f'transform="rotate(-90 14 {TOP + plot_h / 2:.0f})">{SPLIT_NAMES[options.split]} (nats/token'
                 f'{", log scale" if options.log else ""})</text>')
    placed: list[float] = []
    for key, value in sorted(references.items(), key=lambda kv: kv[1]):
        y = py(value)
        parts.append(f'<line class="reference" x1="{LEFT}" x2="{LEFT + plot_w}" y1="{y:.1f}" y2="{y:.1f}" '
                     'stroke="#555" stroke-dasharray="4 3"/>')
        label_y = y + 4
        while any(abs(label_y - p) < FONT_PX + 2 for p in placed):
            label_y -= FONT_PX + 2
        placed.append(label_y)
        parts.append(f'<text x="{LEFT + plot_w + 6}" y="{label_y:.1f}" fill="#444">'
                     f"{REFERENCE_NAMES[key]} {value:.3f}</text>")
    for variant, points, runs in series:
        color = PALETTE[curves.variants.index(variant) % len(PALETTE)]
        shown = thin([(s, m) for s, m, _, _ in points])
        spread = thin([(s, sd) for s, _, sd, n in points if n > 1])
        if spread:
            means = dict((s, m) for s, m in thin([(s, m) for s, m, _, n in points if n > 1]))
            upper = " ".join(f"{px(s):.1f},{py(means[s] + sd):.1f}" for s, sd in spread)
            lower = " ".join(f"{px(s):.1f},{py(means[s] - sd):.1f}" for s, sd in reversed(spread))
            parts.append(f'<path class="band" d="M{upper} L{lower} Z" fill="{color}" fill-opacity="0.16" '
                         'stroke="none"/>')
        for run in runs if options.seeds else []:
            line = seed_lines[(variant, run.seed)]
            d = " L".join(f"{px(s):.1f},{py(v):.1f}" for s, v in line)
            parts.append(f'<path class="seed" d="M{d}" fill="none" stroke="{color}" stroke-opacity="0.45" '
                         f'stroke-width="1"><title>{escape(variant)} seed {run.seed}</title></path>')
        coords = " ".join(f"{px(s):.1f},{py(m):.1f}" for s, m in shown)
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="1.8">'
                     f"<title>{escape(variant)}: mean over {max(p[3] for p in points)} seed(s)</title></polyline>")
    parts.append("</svg>")
    return "".join(parts)
