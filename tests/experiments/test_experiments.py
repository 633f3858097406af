"""Experiments: the corpus (against hand-computed and sampled entropies), the tiny LM's fairness rules,
repeatable CPU runs, the Welch verdicts (against the textbook formula), cancellation, and speed runs."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np
import pytest
import torch
from scipy import stats

from app import ffn
from app.experiments import comparison as experiments
from app.experiments import corpus as corpus_lib
from app.experiments.config import QualityConfig, SpeedConfig
from app.experiments.stats import holm, pairwise, welch
from app.experiments.tiny_lm import LMConfig, TinyLM
from app.experiments.types import Cancelled

SMALL = corpus_lib.SyntheticSpec(seed=3, vocab_size=8, train_streams=8, val_streams=4, stream_len=256)


def tiny_quality(**changes: Any) -> QualityConfig:
    base: dict[str, Any] = dict(
        variants=("ReLU", "GEGLU"),
        seeds=(0, 1),
        d_model=16,
        n_layers=1,
        n_heads=2,
        seq_len=16,
        batch_size=4,
        steps=6,
        eval_interval=3,
        eval_windows=8,
        final_eval_windows=16,
        corpus=SMALL,
        device="cpu",
        workers=1,
    )
    base.update(changes)
    return QualityConfig(**base)


# --- corpus ---------------------------------------------------------------------------------------


def test_synthetic_corpus_is_deterministic_per_seed() -> None:
    a, b = corpus_lib.synthetic(SMALL), corpus_lib.synthetic(SMALL)
    assert torch.equal(a.train, b.train) and torch.equal(a.val, b.val)
    assert a.reference == b.reference
    other = corpus_lib.synthetic(corpus_lib.SyntheticSpec(**{**SMALL.__dict__, "seed": 4}))
    assert not torch.equal(a.train, other.train)


def test_optimal_loss_below_bigram_below_unigram() -> None:
    ref = corpus_lib.synthetic(corpus_lib.SyntheticSpec()).reference
    assert ref["optimal_loss"] < ref["bigram_loss"] < ref["unigram_loss"] <= math.log(32)


def test_reference_losses_on_a_hand_computed_chain() -> None:
    # Two tokens; the next token repeats the one two back with probability 0.9. By symmetry the unigram
    # distribution is uniform (ln 2); the entropy rate is H(0.9) = -(0.9 ln 0.9 + 0.1 ln 0.1).
    p = np.zeros((2, 2, 2))
    for a in range(2):
        p[a, :, a], p[a, :, 1 - a] = 0.9, 0.1
    ref = corpus_lib.reference_losses(p)
    assert ref["optimal_loss"] == pytest.approx(-(0.9 * math.log(0.9) + 0.1 * math.log(0.1)), abs=1e-10)
    assert ref["unigram_loss"] == pytest.approx(math.log(2), abs=1e-10)
    # Knowing only the previous token tells nothing here: bigram loss = ln 2.
    assert ref["bigram_loss"] == pytest.approx(math.log(2), abs=1e-10)


def test_reference_losses_match_plug_in_estimates_from_the_sampled_text() -> None:
    spec = corpus_lib.SyntheticSpec(seed=1, vocab_size=6, train_streams=64, val_streams=1, stream_len=4096)
    corpus = corpus_lib.synthetic(spec)
    tokens = corpus.train.numpy()
    uni = np.bincount(tokens.ravel(), minlength=6) / tokens.size
    assert -(uni * np.log(uni)).sum() == pytest.approx(corpus.reference["unigram_loss"], abs=0.01)
    triples = Counter(zip(tokens[:, :-2].ravel(), tokens[:, 1:-1].ravel(), tokens[:, 2:].ravel(), strict=True))
    pairs = Counter(zip(tokens[:, :-2].ravel(), tokens[:, 1:-1].ravel(), strict=True))
    n = sum(triples.values())
    h = -sum(c / n * math.log(c / pairs[(a, b)]) for (a, b, _), c in triples.items())
    assert h == pytest.approx(corpus.reference["optimal_loss"], abs=0.02)


def test_user_text_is_character_level_with_a_held_out_tail() -> None:
    text = "abcab" * 40 + "zzzz"
    corpus = corpus_lib.from_text(text, val_fraction=0.1, min_tokens=5)
    assert corpus.chars == "abcz" and corpus.vocab_size == 4
    assert corpus.train.shape == (1, 184) and corpus.val.shape == (1, 20)
    assert "".join(corpus.chars[i] for i in corpus.val[0].tolist()).endswith("zzzz")
    # Unigram reference = held-out text scored by add-one-smoothed training frequencies.
    # first 184 characters: 36 x "abcab" + "abca" -> a 74, b 73, c 37, z 0
    counts = {"a": 74 + 1, "b": 73 + 1, "c": 37 + 1, "z": 0 + 1}
    total = sum(counts.values())
    val = text[184:]
    expected = -sum(math.log(counts[c] / total) for c in val) / len(val)
    assert corpus.reference["unigram_loss"] == pytest.approx(expected)
    with pytest.raises(ValueError, match="too short"):
        corpus_lib.from_text("abab", min_tokens=33)


def test_batches_depend_only_on_the_generator_seed() -> None:
    data = corpus_lib.synthetic(SMALL).train
    x1, y1 = corpus_lib.sample_batch(data, 4, 16, torch.Generator().manual_seed(5))
    x2, y2 = corpus_lib.sample_batch(data, 4, 16, torch.Generator().manual_seed(5))
    assert torch.equal(x1, x2) and torch.equal(y1, y2)
    assert torch.equal(x1[:, 1:], y1[:, :-1])


# --- tiny LM -----------------------------------------------------------------------------------


def test_models_differ_only_in_the_ffn() -> None:
    relu = TinyLM(LMConfig(vocab_size=8, d_model=16, n_layers=1, n_heads=2, d_ff=64, variant="ReLU"), seed=7)
    geglu = TinyLM(LMConfig(vocab_size=8, d_model=16, n_layers=1, n_heads=2, d_ff=64, variant="GEGLU"), seed=7)
    shared = {n: p for n, p in relu.named_parameters() if ".ffn." not in n}
    other = {n: p for n, p in geglu.named_parameters() if ".ffn." not in n}
    assert shared.keys() == other.keys()
    assert all(torch.equal(shared[n], other[n]) for n in shared)
    # 2/3 · 64 = 42.67 -> 43 (multiple_of 1): 3·16·43 = 2064 vs 2·16·64 = 2048 FFN weights per layer.
    assert relu.ffn_params() == 2048 and geglu.ffn_params() == 2064


def test_causal_attention_does_not_look_ahead() -> None:
    model = TinyLM(LMConfig(vocab_size=8, seq_len=12, d_model=16, n_heads=2, d_ff=32), seed=0).eval()
    x = torch.randint(8, (1, 12), generator=torch.Generator().manual_seed(0))
    changed = x.clone()
    changed[0, 8:] = (changed[0, 8:] + 1) % 8
    with torch.no_grad():
        a, _ = model(x)
        b, _ = model(changed)
    assert torch.allclose(a[0, :8], b[0, :8]) and not torch.allclose(a[0, 8:], b[0, 8:])


# --- quality runs ------------------------------------------------------------------------------


def test_same_seed_on_cpu_gives_identical_losses() -> None:
    cfg = tiny_quality()
    first, second = experiments.run(cfg), experiments.run(cfg)
    for a, b in zip(first["variants"], second["variants"], strict=True):
        assert [r["train_loss"] for r in a["runs"]] == [r["train_loss"] for r in b["runs"]]
        assert a["final_val_loss"]["values"] == b["final_val_loss"]["values"]
    seeds = first["variants"][0]["runs"]
    assert seeds[0]["train_loss"] != seeds[1]["train_loss"]  # another seed is another run


def test_worker_processes_give_the_same_losses_as_one_process() -> None:
    here = experiments.run(tiny_quality(workers=1, threads=1))
    there = experiments.run(tiny_quality(workers=2, threads=1))
    assert [v["final_val_loss"]["values"] for v in here["variants"]] == [
        v["final_val_loss"]["values"] for v in there["variants"]
    ]


def test_quality_result_reports_every_field() -> None:
    events: list[dict[str, Any]] = []
    result = experiments.run(tiny_quality(), events.append)
    assert [v["variant"] for v in result["variants"]] == ["ReLU", "GEGLU"]
    relu, geglu = result["variants"]
    assert relu["d_ff"] == 64 and geglu["d_ff"] == 43
    assert relu["ffn_params_per_layer"] == 2 * 16 * 64 and geglu["ffn_params_per_layer"] == 3 * 16 * 43
    for v in result["variants"]:
        assert len(v["train_loss"]["mean"]) == 6 and v["val_loss"]["steps"] == [0, 3, 6]
        assert v["perplexity"]["values"] == pytest.approx([math.exp(x) for x in v["final_val_loss"]["values"]])
        assert v["tokens_per_second"]["mean"] > 0 and v["peak_memory_mb"] > 0 and v["model_flops_per_token"] > 0
    assert len(result["pairs"]) == 1 and result["pairs"][0]["verdict"]
    assert result["corpus"]["reference"]["optimal_loss"] < result["corpus"]["reference"]["unigram_loss"]
    env = result["environment"]
    assert (
        env["device"] == "cpu" and env["torch_version"] == torch.__version__ and env["code_version"].startswith("src-")
    )
    assert env["hardware_class"] == f"cpu:{env['cpu_model']} ({torch.backends.cpu.get_cpu_capability()})"
    assert env["torch_build"]["cuda"] == torch.version.cuda and env["torch_build"]["version"] == torch.__version__
    assert env["torch_build"]["mkldnn"] == torch.backends.mkldnn.is_available()
    assert env["determinism"]["seeds"] == [0, 1] and env["determinism"]["intra_op_threads"] == 1
    assert env["determinism"]["deterministic_algorithms"] == torch.are_deterministic_algorithms_enabled()
    assert result["verdict_rule"]["adjustment"] == "Holm" and result["rerun"]["seed_cap"] == 20
    steps = [e for e in events if e["type"] == "step"]
    assert len(steps) == 4 * 6 and steps[-1]["done_steps"] == steps[-1]["total_steps"] == 24


@pytest.mark.parametrize("workers", [1, 2])
def test_a_raising_report_stops_the_run_within_one_step(workers: int) -> None:
    seen: list[int] = []

    def report(event: dict[str, Any]) -> None:
        if event["type"] == "step":
            seen.append(event["done_steps"])
            if len(seen) == 3:
                raise Cancelled("stop")

    with pytest.raises(Cancelled):
        experiments.run(tiny_quality(workers=workers, steps=50), report)
    assert len(seen) == 3


def test_config_accepts_a_seed_count_and_names_bad_fields() -> None:
    cfg = QualityConfig.from_dict({"kind": "quality", "seeds": 4, "variants": ["ffn_swiglu", "relu"], "device": "cpu"})
    assert cfg.seeds == (0, 1, 2, 3) and cfg.variants == ("SwiGLU", "ReLU")
    with pytest.raises(ValueError, match="unknown field"):
        QualityConfig.from_dict({"stepz": 3})
    with pytest.raises(ValueError, match="n_heads"):
        QualityConfig(d_model=10, n_heads=4, device="cpu")
    with pytest.raises(KeyError):
        QualityConfig(variants=("NoSuchGLU",), device="cpu")


def test_default_comparison_is_the_paper_eight_with_three_seeds() -> None:
    cfg = QualityConfig(device="cpu")
    assert cfg.variants == ffn.PAPER_VARIANTS and len(cfg.seeds) == 3 and cfg.matched


# --- verdicts -----------------------------------------------------------------------------------


def _welch_by_hand(a: list[float], b: list[float]) -> float:
    va, vb = np.var(a, ddof=1) / len(a), np.var(b, ddof=1) / len(b)
    t = (np.mean(a) - np.mean(b)) / math.sqrt(va + vb)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    return float(2 * stats.t.sf(abs(t), df))


def test_welch_verdict_names_the_lower_loss_variant_with_holm_p() -> None:
    geglu, relu = [1.90, 1.91, 1.92], [2.00, 2.02, 2.01]
    (out,) = pairwise({"ReLU": relu, "GEGLU": geglu})
    p = _welch_by_hand(relu, geglu)
    assert out["p"] == pytest.approx(p) and out["p_holm"] == pytest.approx(p) and p < 0.05  # one pair: Holm = p
    assert out["better"] == "GEGLU" and out["significant"] is True
    assert out["verdict"] == f"GEGLU lower loss than ReLU (Holm p = {p:.2g})"


def test_welch_verdict_says_not_distinguishable_with_the_seeds() -> None:
    (out,) = pairwise({"GELU": [2.00, 2.03, 1.98], "Swish": [2.01, 1.99, 2.02]})
    p = _welch_by_hand([2.00, 2.03, 1.98], [2.01, 1.99, 2.02])
    assert out["better"] is None and out["verdict"] == f"not distinguishable with 3 seeds (Holm p = {p:.2g})"
    assert out["p"] == pytest.approx(p)


def test_welch_needs_two_seeds() -> None:
    assert welch("A", [1.0], "B", [2.0])["verdict"].startswith("not tested")


def test_holm_adjustment_by_hand() -> None:
    # sorted 0.01, 0.03, 0.04 -> 3·0.01 = 0.03, 2·0.03 = 0.06, max(0.06, 1·0.04) = 0.06
    assert holm([0.01, 0.04, 0.03, None]) == pytest.approx([0.03, 0.06, 0.06, None])


# --- speed ----------------------------------------------------------------------------------------


def test_tiny_speed_run_has_sane_fields() -> None:
    cfg = SpeedConfig(
        variants=("ReLU", "SwiGLU"),
        tokens=64,
        d_model=32,
        device="cpu",
        compile=False,
        warmup=1,
        iters=2,
        repeats=2,
        threads=1,
    )
    result = experiments.run(cfg)
    assert result["kind"] == "speed" and result["environment"]["dtype"] == "float32"
    for row in result["variants"]:
        assert row["eager_ms"] > 0 and row["floor_ms"] > 0 and row["ratio_to_floor"] > 0
        assert row["eager_tflops"] == pytest.approx(row["fwd_bwd_flops"] / (row["eager_ms"] / 1e3) / 1e12)
        assert row["compiled_ms"] is None and "not attempted" in row["compile_error"]
    relu, swiglu = result["variants"]
    # fwd+bwd = 3 x forward = 3 x 2 x weights x tokens; 2/3·128 = 85.3 -> 88 (multiple of 8)
    assert relu["fwd_bwd_flops"] == 3 * 2 * (2 * 32 * 128) * 64
    assert swiglu["d_ff"] == 88 and swiglu["fwd_bwd_flops"] == 3 * 2 * (3 * 32 * 88) * 64


def test_speed_config_validates() -> None:
    with pytest.raises(ValueError, match="dtype"):
        SpeedConfig(dtype="int8", device="cpu")
    with pytest.raises(ValueError, match="compile"):
        SpeedConfig(compile="sometimes", device="cpu")


def test_cuda_without_a_gpu_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="no CUDA device"):
        QualityConfig(device="cuda")


def test_actlab_compare_prints_the_tables_and_writes_json(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from app.cli.main import main

    out = tmp_path / "result.json"
    argv = [
        "compare",
        "quality",
        "--variants",
        "ReLU",
        "GEGLU",
        "--seeds",
        "2",
        "--d-model",
        "16",
        "--n-layers",
        "1",
        "--n-heads",
        "2",
        "--seq-len",
        "16",
        "--batch-size",
        "4",
        "--steps",
        "4",
        "--workers",
        "1",
        "--device",
        "cpu",
        "--json",
        str(out),
    ]
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert "ETA" in captured.err and "100.0%" in captured.err  # the progress bar
    assert "ReLU vs GEGLU:" in captured.out and "optimal_loss" in captured.out
    result = json.loads(out.read_text())
    assert [v["variant"] for v in result["variants"]] == ["ReLU", "GEGLU"] and result["config"]["steps"] == 4
    assert main(["compare", "quality", "--variants", "NoSuchGLU", "--device", "cpu"]) == 2


def test_the_code_version_covers_every_module_that_computes_a_result() -> None:
    """A result is served from the cache only for the same code version, so every module whose code a
    training run executes for its numbers is hashed into it (the batched training above all); the modules
    that only schedule, price, describe or transport work are not."""
    import ast
    from pathlib import Path

    from app.experiments import device

    not_numeric = {"pool", "trainer_process", "cost", "config", "types", "device", "admission", "request",
                   "comparison", "gemm_floor", "__init__"}
    root = Path(device.__file__).resolve().parent
    seen, todo = set(), ["quality", "speed"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        tree = ast.parse((root / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                parts = node.module.split(".")
                if parts[:2] == ["app", "experiments"]:
                    names = parts[2:3] or [a.name for a in node.names]
                    todo += [n for n in names if (root / f"{n}.py").exists()]
    computing = {f"experiments/{name}.py" for name in seen - not_numeric}
    assert computing <= set(device._VERSIONED_SOURCES), sorted(computing - set(device._VERSIONED_SOURCES))
    assert "experiments/batched_lm.py" in computing  # the walk does reach the batched model
