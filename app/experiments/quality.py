"""Quality comparison: train the tiny LM once per (variant, seed), then compare final validation losses.

Read top to bottom: one training run (``train_one``, the reference: one model, torch's own gradient clip
and AdamW — the batched runs are tested against it); running all runs — as batched computations
(:mod:`app.experiments.batched_training`), in this process or in the single-thread processes of the
training pool (``run``, :mod:`app.experiments.pool`); aggregation into per-variant summaries and the
pairwise Welch tests (:mod:`app.experiments.stats`). The config, with every default, is
:class:`app.experiments.config.QualityConfig`.

Fairness rules, all in code:

* the model is identical across variants except the FFN, sized by :func:`app.ffn.hidden_size`
  (``matched=False`` gives gated variants 1.5x the FFN parameters, on purpose);
* for one seed every variant starts from the same non-FFN weights and sees the same batches in the
  same order (a data generator seeded by the seed alone), and all are scored on one fixed validation set;
* the verdicts come from the measured losses only: lower mean final validation loss is better, and
  a difference is claimed only where Welch's t-test gives a Holm-adjusted p < ``alpha`` over all pairs;
  every other pair is "not distinguishable with N seeds", with the interval of its difference, the
  smallest difference the run could have found and the seeds that would settle it
  (:mod:`app.experiments.stats`).

Why the defaults (2 layers, d_model 64, 4 heads, seq 32, batch 32, 500 steps, lr 3e-3, 3 seeds, the
8 paper variants, 2 single-thread pool processes on CPU): the default comparison (24 runs) must end
in <= 150 s on a 2-core CPU. Cost is linear in tokens (~85k tokens/s per single-thread process at this
width), and two single-thread processes get ~25% more throughput than one two-thread process. The
order-2 structure of the synthetic corpus needs only two tokens of context, so sequences of 32 instead
of 64 buy twice the optimiser steps for the same tokens: measured on this machine, 500 steps at seq 32
separated the variant groups (range of variant means ≈ 10x the mean seed-to-seed std) where 300 steps
at seq 64 — the same compute — left the curves closer together, and a learning rate of 1e-2 doubled
the seed spread. 24 x 500 steps x 1024 tokens took ~100 s wall here one run at a time. On CPU each pool
process trains its share of the runs as batches; on CUDA all runs train as batches in the calling process
(tiny models do not fill a GPU; one batched step of all runs fills it better than 24 steps in turn).
"""

from __future__ import annotations

import math
import threading
import time
from typing import Any

import numpy as np
import torch

from app import ffn as ffn_lib
from app.experiments import corpus as corpus_lib
from app.experiments import device as device_lib
from app.experiments import pool
from app.experiments.batched_training import train_batch
from app.experiments.config import QualityConfig
from app.experiments.cost import batch_plan
from app.experiments.pool import run_done_event, run_in_pool
from app.experiments.schedule import lr_at
from app.experiments.stats import mean_std, pairwise, preload, rerun_preset, verdict_rule
from app.experiments.tiny_lm import TinyLM, forward_flops_per_token
from app.experiments.types import Report

# --- one training run ----------------------------------------------------------------------------


@torch.no_grad()
def evaluate(model: TinyLM, x: torch.Tensor, y: torch.Tensor, batch_size: int, dev: torch.device) -> float:
    """Mean cross-entropy over the fixed validation windows (nats per token)."""
    model.eval()
    total = 0.0
    for i in range(0, len(x), batch_size):
        with device_lib.autocast(dev):
            _, loss = model(x[i : i + batch_size], y[i : i + batch_size])
        assert loss is not None
        total += loss.item() * len(x[i : i + batch_size])
    model.train()
    return total / len(x)


def train_one(
    cfg: QualityConfig, variant: str, seed: int, corpus: corpus_lib.Corpus, dev: torch.device, emit: Report
) -> dict[str, Any]:
    """Train one (variant, seed) and return its curves and measurements; ``emit`` gets a ``step`` event
    after every optimiser step (and may raise to stop)."""
    torch.manual_seed(seed)
    model = TinyLM(cfg.lm_config(variant, corpus.vocab_size), seed=seed).to(dev)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, betas=(0.9, 0.95), weight_decay=0.0)
    data_order = torch.Generator().manual_seed(seed)  # the same batches for every variant of this seed
    x_final, y_final = (t.to(dev) for t in corpus_lib.eval_windows(corpus.val, cfg.seq_len, cfg.final_eval_windows))
    xv, yv = x_final[: cfg.eval_windows], y_final[: cfg.eval_windows]  # a prefix of the final set
    train_curve: list[float] = []
    val_curve: list[list[float]] = [[0, evaluate(model, xv, yv, cfg.batch_size, dev)]]
    train_seconds = 0.0
    with device_lib.peak_memory(dev) as mem:
        start = time.perf_counter()
        for step in range(cfg.steps):
            t0 = time.perf_counter()
            for group in opt.param_groups:
                group["lr"] = lr_at(step, cfg.steps, cfg.lr)
            x, y = (t.to(dev) for t in corpus_lib.sample_batch(corpus.train, cfg.batch_size, cfg.seq_len, data_order))
            with device_lib.autocast(dev):
                _, loss = model(x, y)
            assert loss is not None
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            train_loss = loss.item()  # synchronises the device, so t0..now is the whole step
            train_seconds += time.perf_counter() - t0
            train_curve.append(train_loss)
            event: dict[str, Any] = {
                "type": "step",
                "variant": variant,
                "seed": seed,
                "step": step + 1,
                "train_loss": train_loss,
            }
            if (step + 1) % cfg.eval_interval == 0 or step + 1 == cfg.steps:
                event["val_loss"] = evaluate(model, xv, yv, cfg.batch_size, dev)
                val_curve.append([step + 1, event["val_loss"]])
            emit(event)
        wall = time.perf_counter() - start
    final = evaluate(model, x_final, y_final, cfg.batch_size, dev)
    return {
        "variant": variant,
        "seed": seed,
        "params": model.n_params(),
        "ffn_params": model.ffn_params(),
        "final_val_loss": final,
        "train_loss": train_curve,
        "val_loss": val_curve,
        "tokens_per_second": cfg.steps * cfg.batch_size * cfg.seq_len / train_seconds,
        "wall_seconds": wall,
        **mem,
    }


# --- running every (variant, seed) ------------------------------------------------------------


def run(cfg: QualityConfig, report: Report | None = None) -> dict[str, Any]:
    """Run the whole comparison and return the JSON-ready result.

    ``report`` receives ``{"type": "start", ...}``, a ``step`` event per optimiser step of every run
    (with ``done_steps`` / ``total_steps`` added) and ``run_done`` per finished run. If it raises,
    pool processes are killed at once and the exception propagates.
    """
    emit = report or (lambda _event: None)
    dev = device_lib.resolve(cfg.device)
    started = time.perf_counter()
    processes = min(cfg.pool_processes, cfg.n_runs) if dev.type == "cpu" else 1
    if processes > 1:  # their start-up (importing torch) then overlaps the corpus build
        pool.prestart(processes - len(pool.prestarted()), cfg.threads)
    try:
        corpus, batches, runs = _build_and_train(cfg, dev, processes, emit, started)
    finally:  # no-op once the pool took them; else (a failed or cancelled build) they are not needed
        pool.reap_prestarted()
    env = device_lib.environment(dev, "bfloat16 autocast" if device_lib.autocast_dtype(dev) else "float32")
    threads = cfg.threads if dev.type == "cpu" else torch.get_num_threads()
    determinism = {**env["determinism"], "intra_op_threads": threads, "seeds": list(cfg.seeds)}
    if processes > 1:  # trained in fresh pool processes, which set both thread counts before any work
        determinism["interop_threads"] = cfg.threads
    env["determinism"] = determinism
    env.update(threads=threads, workers=processes, batches=[len(b) for b in batches])
    return aggregate(cfg, corpus, runs, env, wall_seconds=time.perf_counter() - started)


def _build_and_train(
    cfg: QualityConfig, dev: torch.device, processes: int, emit: Report, started: float
) -> tuple[corpus_lib.Corpus, list[list[tuple[str, int]]], list[dict[str, Any]]]:
    emit({"type": "phase", "phase": "corpus"})  # no steps here: the job process relay ticks meanwhile
    corpus = corpus_lib.build_corpus(cfg.corpus, cfg.seq_len)
    emit({"type": "phase", "phase": "training", "corpus_seconds": time.perf_counter() - started})
    tasks = [(v, s) for s in cfg.seeds for v in cfg.variants]  # seed-major: early curves for every variant
    total_steps = len(tasks) * cfg.steps
    emit(
        {
            "type": "start",
            "runs": len(tasks),
            "total_steps": total_steps,
            "variants": list(cfg.variants),
            "seeds": list(cfg.seeds),
            "reference": corpus.reference,
        }
    )
    done = 0

    def forward(event: dict[str, Any]) -> None:
        nonlocal done
        if event["type"] == "step":
            done += 1
            event = {**event, "done_steps": done, "total_steps": total_steps}
        elif event["type"] == "run_done" and not preloading.is_set():
            preloading.set()
            threading.Thread(target=preload, name="stats-preload", daemon=True).start()
        emit(event)

    preloading = threading.Event()

    batches = batch_plan(cfg, tasks, processes, corpus.vocab_size)
    if processes <= 1:
        if dev.type == "cpu":
            device_lib.set_threads(cfg.threads)  # same thread count as pool processes: same numbers
        runs = _run_here(cfg, batches, corpus, dev, forward)
    else:
        runs = run_in_pool(cfg, batches, processes, forward, corpus)
    order = {task: i for i, task in enumerate(tasks)}
    runs.sort(key=lambda r: order[(r["variant"], r["seed"])])
    return corpus, batches, runs


def _run_here(
    cfg: QualityConfig, batches: list[list[tuple[str, int]]], corpus: corpus_lib.Corpus, dev: torch.device, emit: Report
) -> list[dict[str, Any]]:
    runs = []
    for batch in batches:
        for result in train_batch(cfg, batch, corpus, dev, emit):
            runs.append(result)
            emit(run_done_event(result))
    return runs


# --- aggregation and verdicts ------------------------------------------------------------------


def _curve(runs: list[dict[str, Any]], key: str) -> dict[str, Any]:
    if key == "train_loss":
        steps = list(range(1, len(runs[0]["train_loss"]) + 1))
        matrix = np.array([r["train_loss"] for r in runs], dtype=float)
    else:
        steps = [int(s) for s, _ in runs[0]["val_loss"]]
        matrix = np.array([[v for _, v in r["val_loss"]] for r in runs], dtype=float)
    std = matrix.std(axis=0, ddof=1) if len(runs) > 1 else np.zeros(matrix.shape[1])
    return {"steps": steps, "mean": matrix.mean(axis=0).tolist(), "std": std.tolist()}


def aggregate(
    cfg: QualityConfig, corpus: corpus_lib.Corpus, runs: list[dict[str, Any]], env: dict[str, Any], wall_seconds: float
) -> dict[str, Any]:
    """Per-variant summaries, pairwise verdicts and the spread check, from the per-run measurements."""
    variants = []
    for name in cfg.variants:
        mine = [r for r in runs if r["variant"] == name]
        lm = cfg.lm_config(name, corpus.vocab_size)
        final = [r["final_val_loss"] for r in mine]
        variants.append(
            {
                **ffn_lib.describe(name, cfg.d_model, cfg.dense_d_ff, cfg.matched, cfg.multiple_of),
                "ffn_params_per_layer": ffn_lib.param_count(
                    name, cfg.d_model, cfg.dense_d_ff, cfg.matched, cfg.multiple_of
                ),
                "ffn_params": mine[0]["ffn_params"],
                "model_params": mine[0]["params"],
                "model_flops_per_token": forward_flops_per_token(lm),
                "final_val_loss": mean_std(final),
                "perplexity": mean_std(math.exp(v) for v in final),
                "train_loss": _curve(mine, "train_loss"),
                "val_loss": _curve(mine, "val_loss"),
                "tokens_per_second": mean_std(r["tokens_per_second"] for r in mine),
                "wall_seconds": mean_std(r["wall_seconds"] for r in mine),
                "peak_memory_mb": max(r["peak_memory_mb"] for r in mine),
                "peak_memory_kind": mine[0]["peak_memory_kind"],
                "runs": [
                    {
                        k: r[k]
                        for k in (
                            "seed",
                            "final_val_loss",
                            "tokens_per_second",
                            "wall_seconds",
                            "peak_memory_mb",
                            "train_loss",
                            "val_loss",
                        )
                    }
                    for r in mine
                ],
            }
        )
    by_name = {v["variant"]: v["final_val_loss"]["values"] for v in variants}
    pairs = pairwise({name: by_name[name] for name in cfg.variants}, cfg.alpha)
    means = [v["final_val_loss"]["mean"] for v in variants]
    seed_std = float(np.mean([v["final_val_loss"]["std"] for v in variants]))
    between = float(np.std(means, ddof=1)) if len(means) > 1 else 0.0
    return {
        "kind": "quality",
        "config": _public_config(cfg),
        "environment": env,
        "corpus": {
            "name": corpus.name,
            "vocab_size": corpus.vocab_size,
            "train_tokens": corpus.train_tokens,
            "val_tokens": corpus.val_tokens,
            "reference": corpus.reference,
            "info": corpus.info,
        },
        "variants": variants,
        "ranking": [v["variant"] for v in sorted(variants, key=lambda v: v["final_val_loss"]["mean"])],
        "pairs": pairs,
        "verdict_rule": verdict_rule(pairs, cfg.alpha),
        "rerun": rerun_preset(pairs),
        "spread": {
            "between_variants_std": between,
            "mean_seed_std": seed_std,
            "ratio": between / seed_std if seed_std > 0 else None,
        },
        "training_flops": cfg.training_flops(corpus.vocab_size),
        "wall_seconds": wall_seconds,
    }


def _public_config(cfg: QualityConfig) -> dict[str, Any]:
    """The config as stored with results; user text is replaced by its size (it lives with the job)."""
    data = cfg.to_dict()
    if data["corpus"]["kind"] == "text":
        text = data["corpus"].pop("text")
        data["corpus"]["characters"] = len(text)
    return data
