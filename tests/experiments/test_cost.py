"""The cost model counts every phase (training, evaluation, corpus build, compilation, start-up) and peak
memory, and admission refuses a config over the time or memory limit, or over a size bound, with a 422
naming the limit and its setting."""

from __future__ import annotations

from typing import Any

import pytest

from app.config import Settings
from app.domain import InvalidInputError
from app.experiments import corpus as corpus_lib
from app.experiments import cost
from app.experiments.admission import prepare
from app.experiments.config import parse_config

SETTINGS = Settings(environment="test")  # type: ignore[call-arg]
SMALL: dict[str, Any] = {
    "kind": "quality",
    "variants": ["ReLU", "GEGLU"],
    "seeds": 2,
    "d_model": 16,
    "n_layers": 1,
    "n_heads": 2,
    "seq_len": 16,
    "batch_size": 4,
    "steps": 6,
    "device": "cpu",
    "corpus": {"kind": "synthetic", "vocab_size": 8},
}


def price(raw: dict[str, Any], **settings: Any) -> cost.Estimate:
    return cost.estimate(parse_config(raw), "cpu", SETTINGS.model_copy(update=settings))


def refusal(raw: dict[str, Any], **settings: Any) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as caught:
        prepare(raw, SETTINGS.model_copy(update=settings))
    return caught.value


def test_the_estimate_is_the_sum_of_its_phases() -> None:
    e = price(SMALL)
    assert e.seconds == pytest.approx(
        e.training_seconds + e.evaluation_seconds + e.corpus_seconds + e.compile_seconds + e.startup_seconds
    )
    assert min(e.training_seconds, e.evaluation_seconds, e.corpus_seconds) > 0


def test_evaluation_is_counted_and_can_dominate() -> None:
    # One step of one sequence per run, but its first, last and final evaluations score 1,280 windows.
    evaluating = {**SMALL, "steps": 1, "batch_size": 1, "seq_len": 256, "d_model": 256, "n_heads": 4}
    e = price(evaluating)
    assert e.evaluation_seconds > 100 * e.training_seconds
    limit = e.training_seconds + e.corpus_seconds + e.startup_seconds + 1  # enough for training alone
    error = refusal(evaluating, compare_max_expected_seconds=limit)
    assert "ACTLAB_COMPARE_MAX_EXPECTED_SECONDS" in str(error) and "evaluation" in str(error)


def test_the_corpus_build_is_counted_at_its_worst_case() -> None:
    assert cost.STATIONARY_MAX_ITER == corpus_lib.STATIONARY_MAX_ITER
    small, large = price(SMALL), price({**SMALL, "corpus": {"kind": "synthetic", "vocab_size": 256}})
    assert large.corpus_seconds > 30 * small.corpus_seconds and large.corpus_seconds > 10
    error = refusal({**SMALL, "corpus": {"kind": "synthetic", "vocab_size": 256}}, compare_max_expected_seconds=30)
    assert "corpus" in str(error) and error.limit == 30


def test_compilation_is_counted_when_a_speed_job_compiles() -> None:
    eager = price({"kind": "speed", "variants": ["ReLU", "GEGLU"], "device": "cpu"})
    compiled = price({"kind": "speed", "variants": ["ReLU", "GEGLU"], "device": "cpu", "compile": True})
    assert eager.compile_seconds == 0
    assert compiled.compile_seconds == 2 * SETTINGS.compare_compile_seconds


def test_peak_memory_is_estimated_and_limited() -> None:
    big = {"kind": "speed", "variants": ["SwiGLU"], "device": "cpu", "tokens": 262_144, "d_model": 1024}
    e = price(big)
    # the saved hidden activations alone: 2 x 6 x 262,144 tokens x 2,731 x 4 bytes
    assert e.peak_memory_bytes > 30 * 2**30
    error = refusal(big, compare_max_expected_seconds=86_400)
    assert "ACTLAB_COMPARE_MAX_PEAK_MEMORY_BYTES" in str(error) and error.field == "config"
    assert error.limit == SETTINGS.compare_max_peak_memory_bytes
    # each quality training process holds the parameters, their gradients and AdamW's two moments
    one, two = price({**SMALL, "d_model": 512, "n_heads": 8}), price(SMALL)
    assert one.memory["training_processes"] > two.memory["training_processes"] + 2 * 16 * 512 * 2048


def test_d_ff_is_bounded_for_both_kinds() -> None:
    error = refusal({**SMALL, "d_ff": 10**6})
    assert error.field == "d_ff" and "ACTLAB_COMPARE_MAX_D_FF" in str(error)
    error = refusal({"kind": "speed", "device": "cpu", "d_ff": 10**7})
    assert error.field == "d_ff" and "ACTLAB_COMPARE_MAX_D_FF_SPEED" in str(error)


def test_the_admitted_estimate_is_kept_whole() -> None:
    prepared = prepare(SMALL, SETTINGS)
    assert prepared.estimate.seconds == prepared.estimate_seconds
    assert prepared.estimate.to_dict()["peak_memory_bytes"] == prepared.estimate.peak_memory_bytes > 0
