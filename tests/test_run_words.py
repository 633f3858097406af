"""The verdict in words says what the stored statistics say and no more: undecided pairs "cannot be told
apart with N seeds at this size", a difference carries its Holm-adjusted p, the distance to the corpus's
entropy decides whether "train longer" is said, and the seeds suggestion is the result's own."""

from __future__ import annotations

from typing import Any

from app.experiments.stats import pairwise, rerun_preset
from app.web.run_words import p_words, verdict_sentences


def result(losses: dict[str, list[float]], optimal: float = 1.0) -> dict[str, Any]:
    """A result as quality.aggregate stores it, from final losses per variant (the real pairwise test)."""
    pairs = pairwise(losses)
    means = {k: sum(v) / len(v) for k, v in losses.items()}
    seed_std = sum((sum((x - means[k]) ** 2 for x in v) / max(1, len(v) - 1)) ** 0.5
                   for k, v in losses.items()) / len(losses)
    m = list(means.values())
    between = (sum((x - sum(m) / len(m)) ** 2 for x in m) / (len(m) - 1)) ** 0.5
    return {
        "variants": [{"variant": k, "final_val_loss": {"mean": means[k]}} for k in losses],
        "ranking": sorted(losses, key=lambda k: means[k]),
        "pairs": pairs,
        "verdict_rule": {"seeds": min(len(v) for v in losses.values())},
        "rerun": rerun_preset(pairs),
        "spread": {"between_variants_std": between, "mean_seed_std": seed_std,
                   "ratio": between / seed_std if seed_std else None},
        "corpus": {"reference": {"optimal_loss": optimal, "bigram_loss": optimal + 0.5}},
    }


def test_undecided_variants_are_named_together_with_the_seeds_and_train_longer() -> None:
    words = " ".join(verdict_sentences(result({"GEGLU": [2.30, 2.35, 2.28], "SwiGLU": [2.31, 2.27, 2.36]})))
    assert "GEGLU and SwiGLU cannot be told apart with 3 seeds at this size." in words
    assert "ends 1.31 nats/token above the corpus's entropy — train longer for a clearer verdict" in words
    assert "equal" not in words and "same" not in words


def test_a_difference_is_named_with_its_holm_adjusted_p_and_the_undecided_rest() -> None:
    losses = {"GELU": [2.60, 2.61, 2.605], "ReLU": [2.40, 2.41, 2.405], "GEGLU": [2.30, 2.35, 2.28],
              "SwiGLU": [2.31, 2.27, 2.36]}
    res = result(losses)
    gelu_relu = next(p for p in res["pairs"] if {p["a"], p["b"]} == {"GELU", "ReLU"})
    assert gelu_relu["significant"]
    words = " ".join(verdict_sentences(res))
    assert "GEGLU and SwiGLU cannot be told apart with 3 seeds at this size" in words
    assert f"GELU is worse than ReLU by 0.200 nats/token (Holm-adjusted {p_words(gelu_relu['p_holm'])})" in words


def test_every_pair_decided_gives_the_ranking_and_no_train_longer() -> None:
    res = result({"A": [1.0, 1.01, 1.02], "B": [2.0, 2.01, 2.02]}, optimal=0.9)
    words = verdict_sentences(res)
    assert words[0].startswith("B is worse than A by 1.000 nats/token (Holm-adjusted p")
    assert "Every pair differs; from lowest to highest loss: A, B." in words
    assert not any("train longer" in w for w in words)


def test_near_the_entropy_the_words_say_there_is_little_room_left() -> None:
    words = " ".join(verdict_sentences(result({"A": [1.00, 1.02, 0.99], "B": [1.01, 0.98, 1.03]}, optimal=0.99)))
    assert "within 0.01 nats/token of the corpus's entropy, where variants have little room left to differ" in words
    assert "train longer" not in words


def test_the_seeds_suggestion_is_the_results_rerun_preset() -> None:
    res = result({"A": [2.00, 2.05, 1.98], "B": [2.04, 2.09, 2.02]})
    assert res["rerun"]["seeds"] is not None
    words = " ".join(verdict_sentences(res))
    assert f"{res['rerun']['seeds']} seeds per variant would settle the undecided pair with 80% power" in words


def test_one_seed_cannot_be_tested() -> None:
    words = verdict_sentences(result({"A": [2.0], "B": [2.1], "C": [2.2]}, optimal=1.0))
    assert words[0] == "No pair could be tested: needs at least 2 seeds per variant."
    assert "train longer for a clearer verdict" in words[1]


def test_many_groups_are_counted_not_listed() -> None:
    names = [f"V{i}" for i in range(12)]
    # Six pairs of twins far apart from each other: six undecided groups of two.
    losses = {n: [2.0 + (i // 2) * 0.5 + d for d in (0.0, 0.03, -0.02)] for i, n in enumerate(names)}
    words = verdict_sentences(result(losses))[0]
    assert words.startswith("V0 and V1; V2 and V3; V4 and V5; V6 and V7 (and 2 more groups) cannot be told apart")


def test_p_values_read_without_exponents() -> None:
    assert p_words(0.0041) == "p = 0.0041" and p_words(0.31) == "p = 0.31" and p_words(0.00002) == "p < 0.001"
