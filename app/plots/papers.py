"""The charts of the paper and the model catalog pages: Table 1 as bars, activations by release year."""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from typing import Any

import matplotlib.pyplot as plt

from app.plots.svg import PALETTE, figure_to_svg, render_lock


def table1_chart(table: dict[str, Any], gated_by_name: dict[str, bool]) -> str:
    """Table 1 of the GLU paper (a ``papers.paper_table`` document) as the bar chart of its page."""
    steps = [c["training_steps"] for c in table["columns"]]
    short_i, long_i = steps.index(min(steps)), steps.index(max(steps))
    rows = table["rows"]
    return perplexity_bars_svg(
        tuple(r["variant"] for r in rows),
        tuple(gated_by_name[r["variant"]] for r in rows),
        tuple(r["cells"][short_i]["value"] for r in rows),
        tuple(r["cells"][short_i]["stddev"] for r in rows),
        tuple(r["cells"][long_i]["value"] for r in rows),
        "Held-out log-perplexity on C4 (arXiv:2002.05202 Table 1)",
    )


@lru_cache(maxsize=32)
def perplexity_bars_svg(
    variants: tuple[str, ...],
    gated: tuple[bool, ...],
    short_values: tuple[float, ...],
    short_spreads: tuple[float | None, ...],
    long_values: tuple[float, ...],
    title: str,
) -> str:
    """Table 1 as two bar panels (65,536 and 524,288 steps), each on its own axis, spreads as error bars."""
    with render_lock:
        fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
        labels = [v.removeprefix("FFN_") for v in variants]
        panels = [
            (axes[0], short_values, short_spreads, "65,536 steps (± run-to-run spread)"),
            (axes[1], long_values, tuple(None for _ in long_values), "524,288 steps (no spread reported)"),
        ]
        for ax, values, spreads, subtitle in panels:
            colors = [PALETTE[0] if g else PALETTE[7] for g in gated]
            errors = [s if s is not None else 0.0 for s in spreads]
            ax.bar(labels, values, color=colors, yerr=errors if any(errors) else None, capsize=3)
            low, high = min(values), max(values)
            pad = (high - low) * 0.6 + 0.01
            ax.set_ylim(low - pad, high + pad)
            ax.set_title(subtitle, fontsize=10)
            ax.set_ylabel("log-perplexity (lower is better)")
            ax.tick_params(axis="x", rotation=40)
            for i, value in enumerate(values):
                ax.annotate(f"{value:.3f}", (i, value), ha="center", va="bottom", fontsize=8,
                            xytext=(0, 2), textcoords="offset points")
        fig.suptitle(f"{title} (blue: gated variants, grey: dense)", fontsize=11)
        fig.tight_layout()
        return figure_to_svg(fig, title)


def activations_by_year_chart(counts: dict[int, Counter[str]]) -> str:
    """The catalog page's chart from ``catalog.activation_choices_by_year``: models per year and activation."""
    return activations_by_year_svg(tuple((year, tuple(sorted(c.items()))) for year, c in counts.items()))


@lru_cache(maxsize=16)
def activations_by_year_svg(counts: tuple[tuple[int, tuple[tuple[str, int], ...]], ...]) -> str:
    """Stacked bars: how many catalog models of each year use each FFN activation."""
    title = "FFN activation of the catalog's models, by release year"
    with render_lock:
        years = [year for year, _ in counts]
        activations = sorted({name for _, pairs in counts for name, _ in pairs})
        fig, ax = plt.subplots(figsize=(9, 3.6))
        bottoms = [0] * len(years)
        for i, activation in enumerate(activations):
            heights = [dict(pairs).get(activation, 0) for _, pairs in counts]
            ax.bar([str(y) for y in years], heights, bottom=bottoms, label=activation,
                   color=PALETTE[i % len(PALETTE)])
            bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
        ax.set_ylabel("models in the catalog")
        ax.legend(fontsize=8, ncols=2, frameon=False)
        ax.set_title(title, fontsize=11)
        fig.tight_layout()
        return figure_to_svg(fig, title)
