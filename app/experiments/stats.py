"""The statistics of the quality verdicts: mean and spread over seeds, Welch's t-test, Holm's adjustment."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np


def mean_std(values: Iterable[float]) -> dict[str, Any]:
    """Mean and sample standard deviation (ddof=1; 0.0 for a single value), with the values."""
    arr = np.asarray(list(values), dtype=float)
    std = float(arr.std(ddof=1)) if len(arr) > 1 else 0.0
    return {"mean": float(arr.mean()), "std": std, "values": arr.tolist()}


def welch(
    name_a: str, losses_a: list[float], name_b: str, losses_b: list[float], alpha: float = 0.05
) -> dict[str, Any]:
    """Welch's t-test on final validation losses (lower is better) with a plain verdict.

    ``"GEGLU better than ReLU, p = 0.003"`` when p < alpha, ``"within noise, p = 0.41"`` otherwise.
    With fewer than two seeds per side, or no variation at all, no test is possible and the verdict says so.
    """
    out: dict[str, Any] = {
        "a": name_a,
        "b": name_b,
        "mean_diff": float(np.mean(losses_a) - np.mean(losses_b)),
        "t": None,
        "p": None,
        "better": None,
    }
    if len(losses_a) < 2 or len(losses_b) < 2:
        out["verdict"] = "not tested: needs at least 2 seeds per variant"
        return out
    from scipy import stats  # here: training processes import this module and never test (~1 s of imports)

    res = stats.ttest_ind(losses_a, losses_b, equal_var=False)
    t, p = float(res.statistic), float(res.pvalue)
    if math.isnan(p):
        out["verdict"] = "not tested: no variation between seeds"
        return out
    out.update(t=t, p=p)
    if p < alpha:
        better, worse = (name_a, name_b) if out["mean_diff"] < 0 else (name_b, name_a)
        out["better"] = better
        out["verdict"] = f"{better} better than {worse}, p = {p:.2g}"
    else:
        out["verdict"] = f"within noise, p = {p:.2g}"
    return out


def holm(pvalues: list[float | None]) -> list[float | None]:
    """Holm–Bonferroni adjusted p-values (reported beside the raw ones: many pairs, few seeds)."""
    indexed = sorted((p, i) for i, p in enumerate(pvalues) if p is not None)
    m = len(indexed)
    out: list[float | None] = [None] * len(pvalues)
    running = 0.0
    for rank, (p, i) in enumerate(indexed):
        running = max(running, min(1.0, (m - rank) * p))
        out[i] = running
    return out
