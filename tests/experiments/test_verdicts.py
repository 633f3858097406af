"""Quality verdicts: decided on the Holm-adjusted p, worded as "not distinguishable with N seeds" when not
significant, each with its Welch interval, its minimum detectable difference at 80% power and the seeds that
would settle it — every number checked against scipy (intervals, the noncentral t) or a simulation of Welch's
test itself (power), never against this code's own output."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from app.experiments.stats import (
    POWER,
    SEED_CAP,
    holm,
    pairwise,
    rerun_preset,
    seeds_needed,
    verdict_rule,
    welch,
    welch_design,
    welch_power,
)


def _simulated_power(
    difference: float, std_a: float, std_b: float, n: int, alpha: float, sims: int = 20_000, seed: int = 0
) -> float:
    """How often scipy's Welch test rejects on normal samples (standard error of the estimate ≤ 0.0036)."""
    rng = np.random.default_rng(seed)
    a = rng.normal(difference, std_a, (sims, n))
    b = rng.normal(0.0, std_b, (sims, n))
    return float((stats.ttest_ind(a, b, axis=1, equal_var=False).pvalue < alpha).mean())


# --- interval -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ([2.07, 2.06, 2.03], [2.10, 2.08, 2.11]),
        ([1.0, 1.3, 0.9, 1.1], [1.2, 1.25, 1.21]),
        ([5.0, 5.0, 5.1], [4.0, 6.0]),
    ],
)
def test_interval_and_df_are_scipys_welch_interval(a: list[float], b: list[float]) -> None:
    out = welch("A", a, "B", b)
    res = stats.ttest_ind(a, b, equal_var=False)
    ci = res.confidence_interval(0.95)
    assert out["mean_diff_ci95"] == pytest.approx([ci.low, ci.high], rel=1e-10)
    assert out["df"] == pytest.approx(res.df, rel=1e-10)
    assert out["p"] == pytest.approx(res.pvalue, rel=1e-10) and out["t"] == pytest.approx(res.statistic)


# --- power and the minimum detectable difference --------------------------------------------------


@pytest.mark.parametrize(
    ("std_a", "std_b", "n", "alpha"),
    [(1.0, 1.0, 3, 0.05), (0.5, 2.0, 3, 0.05), (1.0, 3.0, 5, 0.05), (1.0, 1.0, 3, 0.05 / 28), (0.02, 0.01, 10, 0.002)],
)
def test_minimum_detectable_difference_has_80_percent_power_in_simulation(
    std_a: float, std_b: float, n: int, alpha: float
) -> None:
    mde = welch_design(std_a, std_b, n, n, alpha).detectable()
    assert _simulated_power(mde, std_a, std_b, n, alpha) == pytest.approx(POWER, abs=0.015)


def test_three_seeds_rarely_find_a_difference_of_one_spread() -> None:
    ours = welch_power(1.0, 1.0, 1.0, 3, 3, 0.05)
    assert ours == pytest.approx(_simulated_power(1.0, 1.0, 1.0, 3, 0.05, sims=50_000), abs=0.01)
    assert 0.10 < ours < 0.14


def test_power_matches_the_noncentral_t_where_that_approximation_holds() -> None:
    # With many seeds the estimated degrees of freedom barely vary: scipy's noncentral t is then the reference.
    n, sa, sb, alpha, diff = 60, 1.0, 1.5, 0.05, 0.6
    va, vb = sa**2 / n, sb**2 / n
    df = (va + vb) ** 2 / (va**2 / (n - 1) + vb**2 / (n - 1))
    tc, nc = stats.t.ppf(1 - alpha / 2, df), diff / math.sqrt(va + vb)
    expected = stats.nct.sf(tc, df, nc) + stats.nct.cdf(-tc, df, nc)
    assert welch_power(diff, sa, sb, n, n, alpha) == pytest.approx(expected, abs=2e-3)


def test_power_is_alpha_without_a_difference() -> None:
    assert welch_power(0.0, 1.0, 2.0, 4, 4, 0.05) == pytest.approx(_simulated_power(0.0, 1.0, 2.0, 4, 0.05), abs=0.01)


def test_suggested_seeds_reach_the_power_and_one_fewer_does_not() -> None:
    diff, sa, sb, alpha = 0.025, 0.0157, 0.0157, 0.05 / 28
    n = seeds_needed(diff, sa, sb, alpha, start=4)
    assert n is not None and 4 < n <= SEED_CAP
    assert _simulated_power(diff, sa, sb, n, alpha) >= POWER - 0.015
    assert _simulated_power(diff, sa, sb, n - 1, alpha, seed=1) < POWER + 0.015
    assert seeds_needed(0.001, sa, sb, alpha, start=4) is None  # beyond the cap
    assert seeds_needed(0.0, sa, sb, alpha, start=4) is None


# --- the verdicts ---------------------------------------------------------------------------------

# Four variants: A is far below the rest; B, C, D differ a little. B vs D has raw p < 0.05 but not after Holm.
LOSSES = {
    "A": [1.80, 1.81, 1.79],
    "B": [2.000, 2.010, 2.005],
    "C": [2.030, 2.000, 2.060],
    "D": [2.015, 2.025, 2.018],
}


def test_verdicts_are_decided_on_the_holm_adjusted_p() -> None:
    pairs = {(p["a"], p["b"]): p for p in pairwise(LOSSES)}
    raw = {k: stats.ttest_ind(LOSSES[k[0]], LOSSES[k[1]], equal_var=False).pvalue for k in pairs}
    m = len(raw)
    order = sorted(raw, key=raw.__getitem__)
    expected, running = {}, 0.0
    for rank, key in enumerate(order):  # Holm by hand from scipy's p-values
        running = max(running, min(1.0, (m - rank) * raw[key]))
        expected[key] = running
    for key, pair in pairs.items():
        assert pair["p_holm"] == pytest.approx(expected[key])
        assert pair["significant"] is bool(expected[key] < 0.05)
    bd = pairs[("B", "D")]
    assert raw[("B", "D")] < 0.05 <= bd["p_holm"]  # the case the raw p would have claimed
    assert bd["significant"] is False and bd["better"] is None
    assert bd["verdict"] == f"not distinguishable with 3 seeds (Holm p = {bd['p_holm']:.2g})"
    ab = pairs[("A", "B")]
    assert ab["significant"] and ab["better"] == "A"
    assert ab["verdict"] == f"A lower loss than B (Holm p = {ab['p_holm']:.2g})"
    ba = pairwise({"B": LOSSES["B"], "A": LOSSES["A"]})[0]
    assert ba["better"] == "A" and ba["verdict"].startswith("A lower loss than B (Holm p = ")
    for pair in pairs.values():
        assert "noise" not in pair["verdict"] and "equal" not in pair["verdict"]
        assert not any(key.startswith("_") for key in pair)


def test_each_pair_carries_its_detectable_differences_and_suggested_seeds() -> None:
    pairs = pairwise(LOSSES)
    m = len(pairs)
    for pair in pairs:
        sa, sb = np.std(LOSSES[pair["a"]], ddof=1), np.std(LOSSES[pair["b"]], ddof=1)
        low, high = pair["mean_diff_ci95"]
        assert low < pair["mean_diff"] < high
        assert pair["mde_80"] == pytest.approx(welch_design(sa, sb, 3, 3, 0.05).detectable())
        assert pair["mde_80_holm"] > pair["mde_80"]  # alpha / m asks for more
        if pair["significant"]:
            assert pair["suggested_seeds"] is None and pair["suggested_seeds_over_cap"] is False
        elif pair["suggested_seeds"] is not None:
            n = pair["suggested_seeds"]
            assert welch_power(pair["mean_diff"], sa, sb, n, n, 0.05 / m) >= POWER
            assert welch_power(pair["mean_diff"], sa, sb, n - 1, n - 1, 0.05 / m) < POWER or n == 4
        else:
            assert pair["suggested_seeds_over_cap"] is True


def test_rerun_preset_names_the_seeds_that_settle_the_most_pairs() -> None:
    pairs = pairwise(LOSSES)
    preset = rerun_preset(pairs)
    undecided = [p for p in pairs if not p["significant"]]
    within = [p["suggested_seeds"] for p in undecided if p["suggested_seeds"] is not None]
    assert preset["undecided_pairs"] == len(undecided) > 0
    assert preset["settled_within_cap"] == len(within) and preset["seed_cap"] == SEED_CAP
    assert preset["seeds"] == max(within) and preset["label"] == f"run again with {max(within)} seeds"
    assert preset["beyond_cap"] == len(undecided) - len(within)
    rule = verdict_rule(pairs, 0.05)
    assert rule["adjustment"] == "Holm" and rule["pairs_tested"] == 6 and rule["seeds"] == 3
    assert rule["family_alpha_per_pair"] == pytest.approx(0.05 / 6)


def test_nothing_to_rerun_when_every_pair_is_decided() -> None:
    preset = rerun_preset(pairwise({"A": [1.0, 1.01, 1.02], "B": [2.0, 2.01, 2.02]}))
    assert preset["seeds"] is None and preset["label"] is None and preset["undecided_pairs"] == 0


def test_untestable_pairs_say_why_and_stay_out_of_holm() -> None:
    pairs = pairwise({"A": [1.0], "B": [2.0], "C": [1.5]})
    assert all(p["verdict"].startswith("not tested") and p["p_holm"] is None for p in pairs)
    flat = pairwise({"A": [1.0, 1.0], "B": [1.0, 1.0], "C": [1.2, 1.3]})
    assert flat[0]["verdict"] == "not tested: no variation between seeds" and flat[0]["mde_80"] is None
    assert holm([p["p"] for p in flat])[0] is None and flat[1]["p_holm"] is not None
