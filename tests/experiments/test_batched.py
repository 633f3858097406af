"""Batched runs are the separate runs, computed together: same gradients, same clip, same curves.

The reference is ``quality.train_one`` (one TinyLM, torch's own ``clip_grad_norm_`` and AdamW) and, for the
matmul floor, ``tiny_lm.forward_flops_per_token`` — code paths the batched computation does not use.
"""

from __future__ import annotations

import pytest
import torch

from app import ffn as ffn_lib
from app.experiments import batched_training, cost
from app.experiments import corpus as corpus_lib
from app.experiments.batched_lm import BatchedLM, batch_order, clip_grad_norm_per_run
from app.experiments.batched_training import train_batch
from app.experiments.config import QualityConfig, SyntheticSpec
from app.experiments.cost import BATCH_TRAINING_BYTES, batch_plan, runs_per_batch
from app.experiments.gemm_floor import forward_shapes, training_shapes
from app.experiments.quality import train_one
from app.experiments.tiny_lm import TinyLM, forward_flops_per_token

SMOOTH = ("GELU", "Swish", "GEGLU", "SwiGLU", "Bilinear", "GLU")
RELU_FAMILY = ("ReLU", "ReGLU")
#: How far a ReLU-family run may drift from its separate twin in final validation loss: a float32 rounding
#: difference flips which units are active at zero, and the run follows another (equally valid) trajectory.
RELU_TOLERANCE = 2e-3


@pytest.fixture(scope="module")
def small() -> tuple[QualityConfig, corpus_lib.Corpus]:
    torch.set_num_threads(1)
    cfg = QualityConfig(steps=30, eval_interval=10, final_eval_windows=256, pool_processes=1)
    return cfg, corpus_lib.build_corpus(cfg.corpus, cfg.seq_len)


def test_batched_runs_match_separate_runs(
    small: tuple[QualityConfig, corpus_lib.Corpus], monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg, corpus = small
    monkeypatch.setattr(batched_training, "DRAW_STEPS", 7)  # batches drawn ahead across several chunks
    runs = [(v, s) for s in (0, 1) for v in SMOOTH + RELU_FAMILY]
    events: list[dict[str, object]] = []
    batched = train_batch(cfg, runs, corpus, torch.device("cpu"), events.append)
    separate = [train_one(cfg, v, s, corpus, torch.device("cpu"), lambda _e: None) for v, s in runs]
    assert [(r["variant"], r["seed"]) for r in batched] == runs
    for b, s in zip(batched, separate, strict=True):
        assert (b["params"], b["ffn_params"]) == (s["params"], s["ffn_params"])
        assert [step for step, _ in b["val_loss"]] == [step for step, _ in s["val_loss"]]
        if b["variant"] in SMOOTH:
            assert b["final_val_loss"] == pytest.approx(s["final_val_loss"], abs=1e-6), b["variant"]
            assert max(abs(x - y) for x, y in zip(b["train_loss"], s["train_loss"], strict=True)) < 1e-5
        else:
            assert abs(b["final_val_loss"] - s["final_val_loss"]) < RELU_TOLERANCE, b["variant"]
    # the tolerance is far below what changing the seed does
    spread = [abs(a["final_val_loss"] - b["final_val_loss"]) for a, b in zip(separate[:8], separate[8:], strict=True)]
    assert sum(spread) / len(spread) > 2 * RELU_TOLERANCE
    # every run still reports every step, in order
    for variant, seed in runs:
        mine = [e["step"] for e in events if e["variant"] == variant and e["seed"] == seed]
        assert mine == list(range(1, cfg.steps + 1))


def test_gradients_and_the_per_run_clip_equal_each_run_on_its_own(
    small: tuple[QualityConfig, corpus_lib.Corpus],
) -> None:
    cfg, corpus = small
    runs = [("SwiGLU", 0), ("GELU", 1), ("GEGLU", 2), ("Swish", 0)]
    order = batch_order(runs, cfg.d_model, cfg.dense_d_ff, cfg.matched, cfg.multiple_of)
    runs = [runs[i] for i in order]
    singles = [TinyLM(cfg.lm_config(v, corpus.vocab_size), seed=s) for v, s in runs]
    batched = BatchedLM(singles)
    x, y = corpus_lib.sample_batch(corpus.train, 8, cfg.seq_len, torch.Generator().manual_seed(5))
    losses = batched(x.expand(len(runs), -1, -1), y.expand(len(runs), -1, -1))
    losses.sum().backward()
    norms = clip_grad_norm_per_run(batched, 0.5)
    for r, model in enumerate(singles):
        _, loss = model(x, y)
        assert loss is not None
        assert losses[r].item() == pytest.approx(loss.item(), abs=1e-6)
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        assert norms[r].item() == pytest.approx(norm.item(), rel=1e-5)
        assert norm.item() > 0.5  # the clip did act
        torch.testing.assert_close(batched.tok.grad[r], model.tok.weight.grad, rtol=1e-4, atol=1e-7)  # type: ignore[index]
        block = model.blocks[0]
        torch.testing.assert_close(
            batched.qkv[0].grad[r], block.attn.qkv.weight.grad.t(), rtol=1e-4, atol=1e-7  # type: ignore[union-attr]
        )


def test_batch_order_keeps_shapes_and_variants_together() -> None:
    runs = [(v, s) for s in (0, 1) for v in ("SwiGLU", "ReLU", "GEGLU", "GELU")]
    ordered = [runs[i] for i in batch_order(runs, 64, 256, True, 1)]
    assert [v for v, _ in ordered] == ["GELU", "GELU", "ReLU", "ReLU", "GEGLU", "GEGLU", "SwiGLU", "SwiGLU"]


def test_batch_plan_shares_runs_evenly_and_bounds_memory() -> None:
    cfg = QualityConfig()
    tasks = [(v, s) for s in cfg.seeds for v in cfg.variants]
    plan = batch_plan(cfg, tasks, 2, 32)
    assert [len(b) for b in plan] == [12, 12]
    assert sorted(t for b in plan for t in b) == sorted(tasks)
    work = [sum(forward_flops_per_token(cfg.lm_config(v, 32)) for v, _ in share) for share in plan]
    assert max(work) / min(work) < 1.02  # each process gets the same arithmetic
    # whole variants per batch: 4 FFN groups per process, not all 8
    assert [len({v for v, _ in b}) for b in plan] == [4, 4]
    assert all({ffn_lib.get_variant(v).gated for v, _ in b} == {True, False} for b in plan)  # both kinds in each
    unmatched = QualityConfig(matched=False)  # gated runs cost 1.5x a dense one: shares by arithmetic, not count
    shares = batch_plan(unmatched, [(v, s) for s in unmatched.seeds for v in unmatched.variants], 2, 32)
    work = [sum(forward_flops_per_token(unmatched.lm_config(v, 32)) for v, _ in b) for b in shares]
    biggest_run = max(forward_flops_per_token(unmatched.lm_config(v, 32)) for v in unmatched.variants)
    assert abs(work[0] - work[1]) <= biggest_run
    assert sorted(t for b in shares for t in b) == sorted((v, s) for s in unmatched.seeds for v in unmatched.variants)
    wide = QualityConfig(d_model=128, seq_len=64, seeds=(0, 1, 2, 3))
    size = runs_per_batch(wide, 32)
    assert 1 < size < wide.n_runs
    wide_plan = batch_plan(wide, [(v, s) for s in wide.seeds for v in wide.variants], 2, 32)
    assert max(len(b) for b in wide_plan) == size and sum(len(b) for b in wide_plan) == wide.n_runs
    per_run = max(cost._training_bytes(wide, v, 32) for v in wide.variants)
    assert size * per_run <= BATCH_TRAINING_BYTES < (size + 1) * per_run
    huge = QualityConfig(d_model=1024, seq_len=512, batch_size=64)  # one run over the budget trains alone
    assert runs_per_batch(huge, 32) == 1


@pytest.mark.parametrize("variant", ["ReLU", "SwiGLU", "Bilinear"])
def test_the_floor_counts_the_models_matmul_flops(variant: str) -> None:
    cfg = QualityConfig(corpus=SyntheticSpec(vocab_size=48), d_model=96, n_heads=6, seq_len=24, batch_size=5)
    lm = cfg.lm_config(variant, 48)
    tokens = cfg.batch_size * cfg.seq_len
    forward = sum(2 * b * m * k * n for b, m, k, n in forward_shapes(cfg, variant, 48, cfg.batch_size))
    assert forward == forward_flops_per_token(lm) * tokens
    training = sum(2 * b * m * k * n for b, m, k, n in training_shapes(cfg, variant, 48))
    assert training == 3 * forward


def test_a_run_stopped_before_training_leaves_no_prestarted_process() -> None:
    """The pool's processes start before the corpus build; a run stopped then must not leave them behind."""
    from app.experiments import pool
    from app.experiments.quality import run

    def stop_at_corpus(event: dict[str, object]) -> None:
        if event.get("phase") == "corpus":
            started.extend(pool.prestarted())
            raise KeyboardInterrupt

    started: list[object] = []
    with pytest.raises(KeyboardInterrupt):
        run(QualityConfig(variants=("ReLU", "GELU"), seeds=(0,), pool_processes=2, device="cpu"), stop_at_corpus)
    assert len(started) == 2 and pool.prestarted() == []
    assert all(p.poll() is not None for p in started)  # type: ignore[attr-defined]


def test_the_comparison_floor_reports_its_phases() -> None:
    from app.experiments.gemm_floor import comparison_floor

    cfg = QualityConfig(variants=("ReLU", "SwiGLU"), seeds=(0,), steps=3, final_eval_windows=40, eval_windows=8)
    floor = comparison_floor(cfg, 32, processes=2, repeats=1)
    assert floor["seconds"] == pytest.approx(floor["training_seconds"] + floor["evaluation_seconds"])
    assert floor["training_seconds"] > 0 and floor["evaluation_seconds"] > 0 and floor["cpu_seconds"] > 0


def test_the_floor_timed_in_processes_at_once_reports_its_phases() -> None:
    """Timed in two fresh processes released together; each reports the same phases, and their mean is the floor."""
    from app.experiments.gemm_floor import concurrent_comparison_floor

    cfg = QualityConfig(variants=("ReLU", "SwiGLU"), seeds=(0,), steps=3, final_eval_windows=40, eval_windows=8)
    floor = concurrent_comparison_floor(cfg, 32, processes=2, repeats=1)
    assert set(floor) == {"training_seconds", "evaluation_seconds", "seconds", "cpu_seconds"}
    assert floor["seconds"] == pytest.approx(floor["training_seconds"] + floor["evaluation_seconds"])
    assert floor["training_seconds"] > 0 and floor["evaluation_seconds"] > 0 and floor["cpu_seconds"] > 0
