"""The charts of a comparison: loss curves with ±std bands over seeds, final-loss bars with error bars,
and the live training curves for the page without JavaScript.

A finished job never changes, so its charts are drawn once per job and process.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np

from app.cache_memory import process_cache
from app.plots.svg import PALETTE, figure_to_chart, figure_to_svg, render_lock

#: The charts of finished jobs, at most 64, counted in bytes in the process's cache budget.
_CHARTS = process_cache("comparison-charts", 64)


def result_charts(job_id: str, results: dict[str, Any]) -> dict[str, str]:
    """Charts of a finished quality job, drawn once per job and process (a finished job never changes)."""
    charts: dict[str, str] = _CHARTS.get_or_compute(  # type: ignore[assignment]
        job_id, lambda _: {"curves": loss_curves_svg(results), "bars": final_loss_bars_svg(results)}
    )
    return charts


def _color(i: int) -> str:
    return PALETTE[i % len(PALETTE)]


def _reference_lines(ax: Any, reference: dict[str, float]) -> None:
    labels = {"optimal_loss": "optimal (entropy rate)", "bigram_loss": "bigram", "unigram_loss": "unigram"}
    for key, label in labels.items():
        if key in reference:
            ax.axhline(reference[key], color="#555", linestyle=":", linewidth=1)
            ax.annotate(
                f"{label} {reference[key]:.3f}",
                (1.0, reference[key]),
                xycoords=("axes fraction", "data"),
                ha="right",
                va="bottom",
                fontsize=7,
                color="#555",
            )


def loss_curves_svg(results: dict[str, Any]) -> str:
    """Validation (left) and training (right) loss per variant: mean over seeds with a ±1 std band."""
    with render_lock:
        fig, axes = plt.subplots(1, 2, figsize=(11, 4))
        for i, v in enumerate(results["variants"]):
            for ax, key in ((axes[0], "val_loss"), (axes[1], "train_loss")):
                curve = v[key]
                steps, mean, std = np.array(curve["steps"]), np.array(curve["mean"]), np.array(curve["std"])
                if key == "train_loss" and len(mean) > 20:  # a moving average keeps 8 noisy lines readable
                    k = max(1, len(mean) // 50)
                    kernel = np.ones(k) / k
                    mean, std = np.convolve(mean, kernel, "valid"), np.convolve(std, kernel, "valid")
                    steps = steps[k - 1 :]
                ax.plot(
                    steps,
                    mean,
                    color=_color(i),
                    linewidth=1.4,
                    label=v["variant"],
                    linestyle="-" if v["gated"] else "--",
                )
                ax.fill_between(steps, mean - std, mean + std, color=_color(i), alpha=0.18, linewidth=0)
        reference = results["corpus"]["reference"]
        for ax, title in ((axes[0], "validation loss (fixed set)"), (axes[1], "training loss (moving average)")):
            _reference_lines(ax, reference)
            ax.set_xlabel("step")
            ax.set_ylabel("nats per token")
            ax.set_title(title, fontsize=10)
            finals = [v["final_val_loss"]["mean"] for v in results["variants"]]
            low = min([*finals, reference.get("optimal_loss", min(finals))])
            ax.set_ylim(low - 0.05, max(finals) + 0.6)
        axes[0].legend(fontsize=8, ncol=2)
        fig.suptitle("Loss per variant: mean over seeds, band = ±1 std (solid: gated, dashed: dense)", fontsize=11)
        fig.tight_layout()
        return figure_to_svg(fig, "Loss curves per variant")


def final_loss_bars_svg(results: dict[str, Any]) -> str:
    """Final validation loss per variant: mean over seeds, error bar = ±1 std."""
    variants = results["variants"]
    with render_lock:
        fig, ax = plt.subplots(figsize=(8, 3.6))
        names = [v["variant"] for v in variants]
        means = [v["final_val_loss"]["mean"] for v in variants]
        stds = [v["final_val_loss"]["std"] for v in variants]
        colors = [PALETTE[0] if v["gated"] else PALETTE[7] for v in variants]
        ax.bar(names, means, yerr=stds, capsize=4, color=colors)
        for i, v in enumerate(variants):
            ax.scatter(
                [i] * len(v["final_val_loss"]["values"]), v["final_val_loss"]["values"], s=8, color="#222", zorder=3
            )
        low, high = (
            min(m - s for m, s in zip(means, stds, strict=True)),
            max(m + s for m, s in zip(means, stds, strict=True)),
        )
        pad = (high - low) * 0.5 + 0.005
        ax.set_ylim(low - pad, high + pad)
        ax.set_ylabel("final validation loss (nats)")
        ax.tick_params(axis="x", rotation=30)
        ax.set_title(
            "Final validation loss: mean ± std over seeds, dots = seeds (blue: gated, grey: dense)", fontsize=10
        )
        fig.tight_layout()
        return figure_to_chart(fig, "Final validation loss per variant")  # also drawn for phones
