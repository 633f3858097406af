"""Server-side charts with matplotlib, as SVG text to inline in pages (no JavaScript, works offline).

Renders are cached on their input data, so a chart is drawn once per dataset revision and process.
"""

from __future__ import annotations

import io
import threading
from functools import lru_cache

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

plt.rcParams.update(
    {
        "svg.fonttype": "none",
        "svg.hashsalt": "actlab",
        "font.size": 10,
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
)
_render_lock = threading.Lock()  # pyplot state is global; one figure at a time per process

PALETTE = ["#3b6ea8", "#c8553d", "#5b9a68", "#8c6bb1", "#d4a72c", "#4d9fb0", "#b05b8c", "#7a7a7a"]


def figure_to_svg(fig: Figure, title: str) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Title": title, "Date": None})
    plt.close(fig)
    svg = buffer.getvalue()
    start = svg.find("<svg")
    svg = svg[start:]
    return svg.replace("<svg ", f'<svg role="img" aria-label="{title}" ', 1)


def figure_to_png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


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
    with _render_lock:
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


@lru_cache(maxsize=16)
def activations_by_year_svg(counts: tuple[tuple[int, tuple[tuple[str, int], ...]], ...]) -> str:
    """Stacked bars: how many catalog models of each year use each FFN activation."""
    title = "FFN activation of the catalog's models, by release year"
    with _render_lock:
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
