"""The statistics of the quality verdicts: mean and spread over seeds, Welch's t-test, Holm's adjustment,
the confidence interval of each difference, the smallest difference the run could detect, and how many seeds
would settle an undecided pair.

Why each choice:

* **Decided on the Holm-adjusted p.** A default comparison has 28 pairs; at a raw alpha of 0.05 more than one
  "difference" is expected by chance alone. Holm keeps the chance of any false claim at alpha.
* **"Not distinguishable with N seeds", never "equal".** With 3 seeds Welch's test finds a true difference
  of one seed-to-seed spread about 12% of the time (the noncentral-t approximation says 16%): a
  non-significant pair means the run could not tell.
* **Power under both variances' sampling error.** The textbook approximation (a noncentral t with the
  Welch–Satterthwaite degrees of freedom of the true spreads) ignores that Welch's test *estimates* both
  variances and its degrees of freedom; at 3 seeds it overstates the power (0.69 where it promises 0.80).
  :func:`welch_power` integrates over both sample variances instead (Gauss–Laguerre quadrature of their
  scaled chi-square laws), which is exact for normal losses; the tests check it by simulation.
* **Seeds suggested at alpha / m.** Holm never demands less than Bonferroni's alpha / m of the smallest p, so
  a suggestion made at that level still holds whichever rank the pair takes in the next run.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np

POWER = 0.8
CONFIDENCE = 0.95
#: The most seeds per variant a suggestion names (20 x 8 variants is already 160 training runs).
SEED_CAP = 20
_NODES = 32  # Gauss–Laguerre nodes per variance: power within 1e-3 of 128 nodes from 3 seeds, ~1e-2 at 2


def mean_std(values: Iterable[float]) -> dict[str, Any]:
    """Mean and sample standard deviation (ddof=1; 0.0 for a single value), with the values."""
    arr = np.asarray(list(values), dtype=float)
    std = float(arr.std(ddof=1)) if len(arr) > 1 else 0.0
    return {"mean": float(arr.mean()), "std": std, "values": arr.tolist()}


# --- power of Welch's test ------------------------------------------------------------------------


@dataclass(frozen=True)
class WelchDesign:
    """Welch's two-sided test for given true spreads, seeds per side and alpha, ready to price differences.

    ``thresholds[k]`` is the critical |mean difference| for the k-th pair of quadrature nodes (the sample
    variances), ``weights[k]`` its probability, ``se`` the true standard error of the mean difference.
    """

    thresholds: np.ndarray
    weights: np.ndarray
    se: float

    def power(self, difference: float) -> float:
        """The probability that the test rejects when the true mean difference is ``difference``."""
        from scipy.special import ndtr

        d = abs(difference) / self.se
        t = self.thresholds / self.se
        return float(np.sum(self.weights * (ndtr(d - t) + ndtr(-d - t))))

    def detectable(self, power: float = POWER) -> float:
        """The smallest |true difference| rejected with probability ``power``."""
        from scipy.optimize import brentq

        high = self.se
        while self.power(high) < power:
            high *= 2
        return float(brentq(lambda d: self.power(d) - power, 0.0, high, xtol=self.se * 1e-9))


def _scaled_chi2_nodes(dof: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights for E[f(S²/σ²)] with S²/σ² ~ χ²(dof)/dof (Gauss–Laguerre on Gamma(dof/2, 1))."""
    from scipy.special import gammaln, roots_genlaguerre

    x, w = roots_genlaguerre(_NODES, dof / 2 - 1)
    return 2 * x / dof, w / math.exp(gammaln(dof / 2))


def preload() -> None:
    """Import the SciPy modules the tests and power calculations use (~1 s here). A comparison calls it in a
    background thread once its first training process is done, when a core is free, instead of paying it at
    the end, after the last run, when nothing else is left to do."""
    import scipy.optimize
    import scipy.special
    import scipy.stats  # noqa: F401


def welch_design(std_a: float, std_b: float, n_a: int, n_b: int, alpha: float) -> WelchDesign:
    """Welch's test with true spreads ``std_a``/``std_b`` and ``n_a``/``n_b`` seeds (both ≥ 2, spreads not
    both zero), at two-sided level ``alpha``."""
    from scipy import stats

    if n_a < 2 or n_b < 2 or (std_a <= 0 and std_b <= 0):
        raise ValueError("Welch's test needs two seeds per side and some spread")
    ra, wa = _scaled_chi2_nodes(n_a - 1)
    rb, wb = _scaled_chi2_nodes(n_b - 1)
    va = (std_a**2 / n_a) * ra[:, None]  # the estimated variances of each mean, per node
    vb = (std_b**2 / n_b) * rb[None, :]
    total = va + vb
    dof = total**2 / (va**2 / (n_a - 1) + vb**2 / (n_b - 1))
    thresholds = stats.t.ppf(1 - alpha / 2, dof) * np.sqrt(total)
    weights = wa[:, None] * wb[None, :]
    return WelchDesign(thresholds.ravel(), weights.ravel(), math.sqrt(std_a**2 / n_a + std_b**2 / n_b))


def welch_power(difference: float, std_a: float, std_b: float, n_a: int, n_b: int, alpha: float) -> float:
    """Power of Welch's two-sided test at level ``alpha`` for a true ``difference`` (normal losses)."""
    return welch_design(std_a, std_b, n_a, n_b, alpha).power(difference)


def seeds_needed(
    difference: float, std_a: float, std_b: float, alpha: float, start: int, cap: int = SEED_CAP
) -> int | None:
    """The fewest seeds per variant (from ``start``, at most ``cap``) at which Welch's test detects
    ``difference`` with probability POWER at ``alpha``; None when even ``cap`` seeds do not."""
    if difference == 0 or start > cap:
        return None

    def enough(n: int) -> bool:
        return welch_design(std_a, std_b, n, n, alpha).power(difference) >= POWER

    if not enough(cap):
        return None
    low, high = start, cap  # power grows with n: the first n that is enough, by bisection
    while low < high:
        mid = (low + high) // 2
        low, high = (low, mid) if enough(mid) else (mid + 1, high)
    return low


# --- one pair, then all of them ---------------------------------------------------------------------


def welch(
    name_a: str, losses_a: list[float], name_b: str, losses_b: list[float], alpha: float = 0.05
) -> dict[str, Any]:
    """Welch's t-test on final validation losses (lower is better), with the 95% interval of the
    difference and the smallest difference these seeds detect with 80% power at ``alpha``.

    No verdict yet: that needs the other pairs' p-values (see :func:`pairwise`). With fewer than two seeds
    per side, or no variation at all, no test is possible and ``verdict`` already says so.
    """
    out: dict[str, Any] = {
        "a": name_a,
        "b": name_b,
        "seeds": min(len(losses_a), len(losses_b)),
        "mean_diff": float(np.mean(losses_a) - np.mean(losses_b)),
        "mean_diff_ci95": None,
        "t": None,
        "df": None,
        "p": None,
        "mde_80": None,
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
    va, vb = np.var(losses_a, ddof=1) / len(losses_a), np.var(losses_b, ddof=1) / len(losses_b)
    dof = float((va + vb) ** 2 / (va**2 / (len(losses_a) - 1) + vb**2 / (len(losses_b) - 1)))
    half = float(stats.t.ppf(0.5 + CONFIDENCE / 2, dof) * math.sqrt(va + vb))
    sa, sb = float(np.std(losses_a, ddof=1)), float(np.std(losses_b, ddof=1))
    out.update(
        t=t,
        df=dof,
        p=p,
        mean_diff_ci95=[out["mean_diff"] - half, out["mean_diff"] + half],
        mde_80=welch_design(sa, sb, len(losses_a), len(losses_b), alpha).detectable(),
        _stds=(sa, sb),
    )
    return out


def holm(pvalues: list[float | None]) -> list[float | None]:
    """Holm–Bonferroni adjusted p-values (the verdicts are decided on these: many pairs, few seeds)."""
    indexed = sorted((p, i) for i, p in enumerate(pvalues) if p is not None)
    m = len(indexed)
    out: list[float | None] = [None] * len(pvalues)
    running = 0.0
    for rank, (p, i) in enumerate(indexed):
        running = max(running, min(1.0, (m - rank) * p))
        out[i] = running
    return out


def _decide(pair: dict[str, Any], alpha: float, tested: int) -> None:
    """Verdict, family-level detectable difference and suggested seeds of one tested pair (in place)."""
    sa, sb = pair.pop("_stds")
    family_alpha = alpha / tested
    n = pair["seeds"]
    pair["mde_80_holm"] = welch_design(sa, sb, n, n, family_alpha).detectable()
    if pair["significant"]:
        better, worse = (pair["a"], pair["b"]) if pair["mean_diff"] < 0 else (pair["b"], pair["a"])
        pair["better"] = better
        pair["verdict"] = f"{better} lower loss than {worse} (Holm p = {pair['p_holm']:.2g})"
        return
    pair["verdict"] = f"not distinguishable with {n} seeds (Holm p = {pair['p_holm']:.2g})"
    needed = seeds_needed(pair["mean_diff"], sa, sb, family_alpha, start=n + 1)
    pair["suggested_seeds"] = needed
    pair["suggested_seeds_over_cap"] = needed is None and pair["mean_diff"] != 0


def pairwise(losses: Mapping[str, list[float]], alpha: float = 0.05) -> list[dict[str, Any]]:
    """Every pair of ``losses`` (in order) tested, Holm-adjusted and worded; see the module docstring.

    Each pair: ``a``, ``b``, ``seeds``, ``mean_diff`` (a − b) with ``mean_diff_ci95`` (Welch–Satterthwaite,
    not adjusted), ``t``, ``df``, ``p``, ``p_holm``, ``alpha``, ``significant`` (p_holm < alpha), ``better``
    (the lower-loss variant, only when significant), ``verdict``, ``mde_80`` (the smallest |a − b| found
    with 80% power at alpha for this pair alone), ``mde_80_holm`` (the same at alpha / m, what the Holm
    decision can need), ``suggested_seeds`` (seeds per variant that find the observed difference with
    80% power at alpha / m; null when significant, untested or beyond SEED_CAP) and
    ``suggested_seeds_over_cap``.
    """
    pairs = [welch(a, list(losses[a]), b, list(losses[b]), alpha) for a, b in combinations(losses, 2)]
    adjusted = holm([p["p"] for p in pairs])
    tested = sum(p is not None for p in adjusted)
    for pair, p_holm in zip(pairs, adjusted, strict=True):
        pair.update(
            p_holm=p_holm,
            alpha=alpha,
            significant=p_holm is not None and p_holm < alpha,
            better=None,
            mde_80_holm=None,
            suggested_seeds=None,
            suggested_seeds_over_cap=False,
        )
        if p_holm is not None:
            _decide(pair, alpha, tested)
    return pairs


def rerun_preset(pairs: list[dict[str, Any]], cap: int = SEED_CAP) -> dict[str, Any]:
    """The "run again with N seeds" suggestion: the fewest seeds that settle every undecided pair that
    ``cap`` seeds can settle (at 80% power, if the true differences are the observed ones)."""
    undecided = [p for p in pairs if p["p_holm"] is not None and not p["significant"]]
    within = [p["suggested_seeds"] for p in undecided if p["suggested_seeds"] is not None]
    seeds = max(within) if within else None
    return {
        "seeds": seeds,
        "label": f"run again with {seeds} seeds" if seeds is not None else None,
        "undecided_pairs": len(undecided),
        "settled_within_cap": len(within),
        "beyond_cap": sum(p["suggested_seeds_over_cap"] for p in undecided),
        "seed_cap": cap,
        "power": POWER,
    }


def verdict_rule(pairs: list[dict[str, Any]], alpha: float) -> dict[str, Any]:
    """How the verdicts were decided, stored beside them so a reader needs no documentation."""
    tested = sum(p["p_holm"] is not None for p in pairs)
    return {
        "test": "Welch's two-sided t-test on final validation loss",
        "adjustment": "Holm",
        "alpha": alpha,
        "pairs_tested": tested,
        "family_alpha_per_pair": alpha / tested if tested else None,
        "seeds": min((p["seeds"] for p in pairs), default=0),
        "confidence": CONFIDENCE,
        "power": POWER,
    }
