"""Quality comparison: train the tiny LM once per (variant, seed), then compare final validation losses.

Read top to bottom: the config; one training run (``train_one``); running all runs — in this process
or in single-thread worker processes (``run``); aggregation; the pairwise Welch tests.

Fairness rules, all in code:

* the model is identical across variants except the FFN, sized by :func:`app.ffn.hidden_size`
  (``matched=False`` gives gated variants 1.5x the FFN parameters, on purpose);
* for one seed every variant starts from the same non-FFN weights and sees the same batches in the
  same order (a data generator seeded by the seed alone), and all are scored on one fixed validation set;
* the verdicts come from the measured losses only: lower mean final validation loss is better, and
  a difference is claimed only where Welch's t-test gives p < ``alpha``.

Why the defaults (2 layers, d_model 64, 4 heads, seq 32, batch 32, 500 steps, lr 3e-3, 3 seeds, the
8 paper variants, 2 single-thread worker processes on CPU): the default comparison (24 runs) must end
in <= 150 s on a 2-core CPU. Cost is linear in tokens (~85k tokens/s per single-thread process at this
width), and two single-thread processes get ~25% more throughput than one two-thread process. The
order-2 structure of the synthetic corpus needs only two tokens of context, so sequences of 32 instead
of 64 buy twice the optimiser steps for the same tokens: measured on this machine, 500 steps at seq 32
separated the variant groups (range of variant means ≈ 10x the mean seed-to-seed std) where 300 steps
at seq 64 — the same compute — left the curves closer together, and a learning rate of 1e-2 doubled
the seed spread. 24 x 500 steps x 1024 tokens took ~100 s wall here. On CUDA runs go one after another
in the calling process (tiny models do not fill a GPU; parallel processes would blur the timings).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from itertools import combinations
from pathlib import Path
from typing import Any

import numpy as np
import torch
from scipy import stats

from app import ffn as ffn_lib
from app.experiments import corpus as corpus_lib
from app.experiments import device as device_lib
from app.experiments.tiny_lm import LMConfig, TinyLM, forward_flops_per_token

#: Progress callback: receives each event; raising (e.g. :class:`Cancelled`) stops the comparison
#: within one training step.
Report = Callable[[dict[str, Any]], None]


class Cancelled(Exception):
    """Raised by a ``report`` callback to stop a comparison; ``run`` re-raises it after cleaning up."""


@dataclass(frozen=True)
class TextCorpus:
    """User-supplied UTF-8 text, character-level."""

    text: str
    val_fraction: float = 0.1


@dataclass(frozen=True)
class QualityConfig:
    variants: tuple[str, ...] = ffn_lib.PAPER_VARIANTS
    seeds: tuple[int, ...] = (0, 1, 2)
    d_model: int = 64
    n_layers: int = 2
    n_heads: int = 4
    #: Dense-variant hidden size; None means 4 · d_model (the Transformer convention).
    d_ff: int | None = None
    seq_len: int = 32
    batch_size: int = 32
    steps: int = 500
    lr: float = 3e-3
    #: Validation loss is measured every ``eval_interval`` steps (and at step 0 and the last step).
    eval_interval: int = 50
    #: Validation windows (of ``seq_len`` tokens) for the curve points during training.
    eval_windows: int = 128
    #: Validation windows for the final loss — the number the verdicts use, so a larger set: forward
    #: passes are cheap and a small set adds scoring noise that looks like seed-to-seed spread.
    final_eval_windows: int = 1024
    corpus: corpus_lib.SyntheticSpec | TextCorpus = field(default_factory=corpus_lib.SyntheticSpec)
    device: str = "auto"
    matched: bool = True
    #: 1: at tiny sizes exact parameter matching matters more than shape alignment (see LMConfig).
    multiple_of: int = 1
    #: Torch threads per worker; 1 because two single-thread processes beat one two-thread process.
    threads: int = 1
    #: Parallel worker processes on CPU (1 = in this process). Results do not depend on it.
    workers: int = 2
    #: Significance level of the pairwise verdicts.
    alpha: float = 0.05

    def __post_init__(self) -> None:
        if not self.variants:
            raise ValueError("variants: at least one variant is needed")
        canon = tuple(ffn_lib.canonical_name(v) for v in self.variants)
        if len(set(canon)) != len(canon):
            raise ValueError("variants: each variant may appear once")
        object.__setattr__(self, "variants", canon)
        if not self.seeds or len(set(self.seeds)) != len(self.seeds):
            raise ValueError("seeds: at least one seed, no repeats")
        for name in (
            "d_model",
            "n_layers",
            "n_heads",
            "seq_len",
            "batch_size",
            "steps",
            "eval_interval",
            "eval_windows",
            "final_eval_windows",
            "multiple_of",
            "threads",
            "workers",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.d_ff is not None and self.d_ff < 1:
            raise ValueError("d_ff must be at least 1")
        if not (0 < self.lr < 1):
            raise ValueError("lr must be in (0, 1)")
        if not (0 < self.alpha < 1):
            raise ValueError("alpha must be in (0, 1)")
        device_lib.resolve(self.device)  # fails early for "cuda" without a GPU
        LMConfig(vocab_size=2, d_model=self.d_model, n_heads=self.n_heads)  # head divisibility

    @property
    def dense_d_ff(self) -> int:
        return self.d_ff if self.d_ff is not None else 4 * self.d_model

    @property
    def n_runs(self) -> int:
        return len(self.variants) * len(self.seeds)

    def lm_config(self, variant: str, vocab_size: int) -> LMConfig:
        return LMConfig(
            vocab_size=vocab_size,
            seq_len=self.seq_len,
            d_model=self.d_model,
            n_layers=self.n_layers,
            n_heads=self.n_heads,
            variant=variant,
            d_ff=self.dense_d_ff,
            matched=self.matched,
            multiple_of=self.multiple_of,
        )

    def training_flops(self, vocab_size: int) -> float:
        """Matmul FLOPs of the whole comparison (fwd+bwd ≈ 3x forward; evaluation not counted)."""
        tokens = self.steps * self.batch_size * self.seq_len * len(self.seeds)
        per_token = sum(forward_flops_per_token(self.lm_config(v, vocab_size)) for v in self.variants)
        return float(ffn_lib.FWD_BWD_FLOPS_FACTOR * per_token * tokens)

    def to_dict(self) -> dict[str, Any]:
        out = {"kind": "quality", **asdict(self)}
        out["variants"], out["seeds"] = list(self.variants), list(self.seeds)
        out["corpus"] = {"kind": "text" if isinstance(self.corpus, TextCorpus) else "synthetic", **out["corpus"]}
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QualityConfig:
        """From JSON-like data: ``seeds`` may be a count (n -> 0..n-1) or a list; ``corpus`` a dict with
        ``kind`` "synthetic" (SyntheticSpec fields) or "text" (``text``, ``val_fraction``)."""
        data = dict(data)
        data.pop("kind", None)
        unknown = set(data) - {f for f in cls.__dataclass_fields__}
        if unknown:
            raise ValueError(f"unknown field(s): {', '.join(sorted(unknown))}")
        if isinstance(data.get("seeds"), int):
            data["seeds"] = tuple(range(data["seeds"]))
        for key in ("seeds", "variants"):
            if key in data:
                data[key] = tuple(data[key])
        spec = data.get("corpus")
        if isinstance(spec, dict):
            spec = dict(spec)
            kind = spec.pop("kind", "synthetic")
            data["corpus"] = TextCorpus(**spec) if kind == "text" else corpus_lib.SyntheticSpec(**spec)
        return cls(**data)


def build_corpus(spec: corpus_lib.SyntheticSpec | TextCorpus, seq_len: int) -> corpus_lib.Corpus:
    if isinstance(spec, TextCorpus):
        return corpus_lib.from_text(spec.text, spec.val_fraction, min_tokens=seq_len + 1)
    return corpus_lib.synthetic(spec)


# --- one training run ----------------------------------------------------------------------------


def lr_at(step: int, steps: int, lr: float) -> float:
    """Linear warm-up over the first 10% of steps, then cosine decay to lr/10 (nanoGPT's schedule)."""
    warmup = max(1, steps // 10)
    if step < warmup:
        return lr * (step + 1) / warmup
    progress = (step - warmup) / max(1, steps - warmup)
    return lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


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
    worker processes are killed at once and the exception propagates.
    """
    emit = report or (lambda _event: None)
    dev = device_lib.resolve(cfg.device)
    started = time.perf_counter()
    corpus = build_corpus(cfg.corpus, cfg.seq_len)
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
        emit(event)

    workers = min(cfg.workers, len(tasks)) if dev.type == "cpu" else 1
    if workers <= 1:
        if dev.type == "cpu":
            device_lib.set_threads(cfg.threads)  # same thread count as worker processes: same numbers
        runs = _run_here(cfg, tasks, corpus, dev, forward)
    else:
        runs = _run_in_processes(cfg, tasks, workers, forward)
    env = {
        **device_lib.environment(dev, "bfloat16 autocast" if device_lib.autocast_dtype(dev) else "float32"),
        "threads": cfg.threads if dev.type == "cpu" else torch.get_num_threads(),
        "workers": workers,
    }
    return aggregate(cfg, corpus, runs, env, wall_seconds=time.perf_counter() - started)


def _run_here(
    cfg: QualityConfig, tasks: list[tuple[str, int]], corpus: corpus_lib.Corpus, dev: torch.device, emit: Report
) -> list[dict[str, Any]]:
    runs = []
    for variant, seed in tasks:
        result = train_one(cfg, variant, seed, corpus, dev, emit)
        runs.append(result)
        emit(_run_done_event(result))
    return runs


def _run_done_event(result: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "run_done",
        "variant": result["variant"],
        "seed": result["seed"],
        "final_val_loss": result["final_val_loss"],
        "tokens_per_second": result["tokens_per_second"],
    }


def _run_in_processes(
    cfg: QualityConfig, tasks: list[tuple[str, int]], workers: int, emit: Report
) -> list[dict[str, Any]]:
    """Hand tasks to ``workers`` single-thread child processes, relay their events to ``emit``, collect
    the results.

    Children are plain ``python -m app.experiments.worker`` processes speaking JSON lines over their
    stdin/stdout (see that module): unlike multiprocessing's spawn they never re-import the caller's
    ``__main__``, and unlike fork they start without inherited OpenMP state; they also work under a
    daemonic parent (a Celery prefork child). A task goes to whichever child is free. Any exception —
    including one raised by ``emit``, i.e. a cancellation — kills the children before propagating, so
    a cancel stops training within one step; children also die with this process (PR_SET_PDEATHSIG).
    """
    root = str(Path(__file__).resolve().parents[2])
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
        "OMP_NUM_THREADS": str(cfg.threads),
        "MKL_NUM_THREADS": str(cfg.threads),
    }
    lines: queue.Queue[tuple[int, str | None]] = queue.Queue()
    procs: list[subprocess.Popen[str]] = []
    pending = list(tasks)
    busy: set[int] = set()  # children with a task in flight
    results: list[dict[str, Any]] = []

    def send_next(i: int) -> None:
        stdin = procs[i].stdin
        assert stdin is not None
        if pending:
            stdin.write(json.dumps(pending.pop(0)) + "\n")
            stdin.flush()
            busy.add(i)
        else:
            stdin.close()

    def pump(i: int) -> None:
        stdout = procs[i].stdout
        assert stdout is not None
        for line in stdout:
            lines.put((i, line))
        lines.put((i, None))

    try:
        for i in range(workers):
            proc = subprocess.Popen(
                [sys.executable, "-m", "app.experiments.worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                env=env,
                cwd=root,
            )
            procs.append(proc)
            assert proc.stdin is not None
            proc.stdin.write(json.dumps(cfg.to_dict()) + "\n")
            threading.Thread(target=pump, args=(i,), daemon=True).start()
            send_next(i)
        while len(results) < len(tasks):
            i, line = lines.get()
            if line is None:
                if i in busy:
                    code = procs[i].wait()
                    raise RuntimeError(f"a training worker process exited mid-run (exit code {code})")
                continue
            event = json.loads(line)
            if event["type"] == "error":
                raise RuntimeError(f"training run {event['task']} failed: {event['message']}")
            if event["type"] == "result":
                busy.discard(i)
                results.append(event["result"])
                emit(_run_done_event(event["result"]))
                send_next(i)
            else:
                emit(event)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            for stream in (proc.stdin, proc.stdout):
                with contextlib.suppress(OSError):
                    if stream is not None:
                        stream.close()
    order = {task: i for i, task in enumerate(tasks)}
    return sorted(results, key=lambda r: order[(r["variant"], r["seed"])])


# --- aggregation and verdicts ------------------------------------------------------------------


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
    pairs = [welch(a, by_name[a], b, by_name[b], cfg.alpha) for a, b in combinations(cfg.variants, 2)]
    for pair, adjusted in zip(pairs, holm([p["p"] for p in pairs]), strict=True):
        pair["p_holm"] = adjusted
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
