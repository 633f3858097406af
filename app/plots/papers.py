"""The charts of the paper and the model catalog pages: a paper table as bars, activations by release year."""

from __future__ import annotations

from collections import Counter
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from app.cache_memory import memoized
from app.plots.svg import PALETTE, PHONE_WIDTH_IN, figure_to_chart, render_lock


def table_chart(table: dict[str, Any], gated_by_name: dict[str, bool]) -> str:
    """A paper table (a ``paper_tables.paper_table`` document) as the bar panels its page shows.

    One panel per column whose metric the table's ``chart_metrics`` lists; a panel holds the rows that
    compete in that column (numeric, not single-source), with the printed spread as error bars.
    """
    wanted = set(table["chart_metrics"])
    panels = []
    for i, column in enumerate(table["columns"]):
        if column["metric"] not in wanted:
            continue
        rows = [r for r in table["rows"] if r["cells"][i] is not None and r["cells"][i]["value"] is not None
                and r["cells"][i]["verification"] != "single-source"]
        cells = [r["cells"][i] for r in rows]
        spreads = tuple(c["stddev"] for c in cells)
        note = "± run-to-run spread" if any(x is not None for x in spreads) else "no spread reported"
        panels.append(
            (
                f"{column['label']} ({note})",
                f"{column['metric']} ({'higher' if column['higher_is_better'] else 'lower'} is better)",
                tuple(r["label"] for r in rows),
                tuple(bool(r["variant"] and gated_by_name.get(r["variant"], False)) for r in rows),
                tuple(c["value"] for c in cells),
                spreads,
                tuple(c["value_text"] for c in cells),
            )
        )
    return bars_svg(tuple(panels), f"{table['title']} ({table['source']})")


Panel = tuple[str, str, tuple[str, ...], tuple[bool, ...], tuple[float, ...], tuple[float | None, ...], tuple[str, ...]]


@memoized("paper-charts", 32)  # two SVGs (wide and phone) each: counted in bytes
def bars_svg(panels: tuple[Panel, ...], title: str) -> str:
    """Bar panels side by side, each on its own axis, spreads as error bars, values labelled as printed;
    on a phone the panels stack, one above the other."""
    with render_lock:
        wide = _bars_figure(panels, title, phone=False)
        return figure_to_chart(wide, title, phone=_bars_figure(panels, title, phone=True))


def _bars_figure(panels: tuple[Panel, ...], title: str, *, phone: bool) -> Figure:
    n = len(panels)
    shape, size = ((n, 1), (PHONE_WIDTH_IN, 3.4 * n + 0.8)) if phone else ((1, n), (5 * n, 3.6))
    fig, axes = plt.subplots(*shape, figsize=size, squeeze=False)
    for ax, (subtitle, ylabel, labels, gated, values, spreads, texts) in zip(axes.flat, panels, strict=True):
        colors = [PALETTE[0] if g else PALETTE[7] for g in gated]
        errors = [s if s is not None else 0.0 for s in spreads]
        names = [label.removeprefix("FFN_") for label in labels]
        ax.bar(names, values, color=colors, yerr=errors if any(errors) else None, capsize=3)
        if values:
            low, high = min(values), max(values)
            pad = (high - low) * (1.2 if phone else 0.6) + 0.01
            ax.set_ylim(low - pad, high + pad)
        ax.set_title(subtitle, fontsize=10)
        ax.set_ylabel(ylabel)
        ax.tick_params(axis="x", rotation=90 if phone else 40)
        for i, (value, text) in enumerate(zip(values, texts, strict=True)):
            ax.annotate(text, (i, value), ha="center", va="bottom", fontsize=8, rotation=90 if phone else 0,
                        xytext=(0, 2), textcoords="offset points")
    fig.suptitle(f"{title} (blue: gated variants, grey: dense)", fontsize=11)
    fig.tight_layout()
    return fig


def activations_by_year_chart(counts: dict[int, Counter[str]]) -> str:
    """The catalog page's chart from ``catalog.activation_choices_by_year``: models per year and activation."""
    return activations_by_year_svg(tuple((year, tuple(sorted(c.items()))) for year, c in counts.items()))


@memoized("catalog-charts", 16)
def activations_by_year_svg(counts: tuple[tuple[int, tuple[tuple[str, int], ...]], ...]) -> str:
    """Stacked bars: how many catalog models of each year use each FFN activation; on a phone the legend
    goes below the bars and the years stand upright."""
    title = "FFN activation of the catalog's models, by release year"
    with render_lock:
        wide = _by_year_figure(counts, title, phone=False)
        return figure_to_chart(wide, title, phone=_by_year_figure(counts, title, phone=True))


def _by_year_figure(counts: tuple[tuple[int, tuple[tuple[str, int], ...]], ...], title: str, *, phone: bool) -> Figure:
    years = [year for year, _ in counts]
    activations = sorted({name for _, pairs in counts for name, _ in pairs})
    fig, ax = plt.subplots(figsize=(PHONE_WIDTH_IN, 3.2 + 0.3 * len(activations)) if phone else (9, 3.6))
    bottoms = [0] * len(years)
    for i, activation in enumerate(activations):
        heights = [dict(pairs).get(activation, 0) for _, pairs in counts]
        ax.bar([str(y) for y in years], heights, bottom=bottoms, label=activation, color=PALETTE[i % len(PALETTE)])
        bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
    ax.set_ylabel("models in the catalog")
    if phone:
        ax.tick_params(axis="x", rotation=90)
        ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(0, -0.3), ncols=1)
    else:
        ax.legend(fontsize=8, ncols=2, frameon=False)
    ax.set_title(title, fontsize=11)
    fig.tight_layout()
    return fig
