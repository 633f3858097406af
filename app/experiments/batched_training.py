"""Training several (variant, seed) runs of a quality comparison as one batched computation.

The protocol is :func:`app.experiments.quality.train_one`'s, run for R runs at once on a
:class:`app.experiments.batched_lm.BatchedLM`: the same learning-rate schedule, the same batches per seed (one
data generator per seed, drawn once per step and shared by that seed's runs, exactly the draws each run makes
on its own), the same validation windows, a gradient clip per run and AdamW. Each run still reports a ``step``
event per optimiser step and its own curves and final loss; the time and peak memory it reports are its
batch's, and its ``tokens_per_second`` is the batch's throughput (every run's tokens over the batch's
training time), the figure a process trains at.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import torch

from app.experiments import corpus as corpus_lib
from app.experiments import device as device_lib
from app.experiments.batched_lm import BatchedLM, batch_order, clip_grad_norm_per_run
from app.experiments.config import QualityConfig
from app.experiments.schedule import lr_at
from app.experiments.tiny_lm import TinyLM
from app.experiments.types import Report

#: On a GPU the per-step losses are read back every this many steps: reading them synchronises the device,
#: and a sync per step would stall the launch queue. On a CPU there is nothing to stall.
CUDA_FLUSH_STEPS = 10
#: Batches are drawn this many steps ahead and moved to the device at once (one copy instead of one per step);
#: each seed's generator draws them in the same order as step by step, so they are the same batches.
DRAW_STEPS = 50


@torch.no_grad()
def evaluate(model: BatchedLM, x: torch.Tensor, y: torch.Tensor, batch_size: int, dev: torch.device) -> list[float]:
    """Each run's mean cross-entropy over the fixed validation windows (nats per token)."""
    model.eval()
    total = torch.zeros(model.runs, dtype=torch.float64, device=dev)
    for i in range(0, len(x), batch_size):
        xb, yb = x[i : i + batch_size], y[i : i + batch_size]
        with device_lib.autocast(dev):
            losses = model(xb.expand(model.runs, -1, -1), yb.expand(model.runs, -1, -1))
        total += losses.double() * len(xb)
    model.train()
    return (total / len(x)).tolist()


def train_batch(
    cfg: QualityConfig,
    runs: Sequence[tuple[str, int]],
    corpus: corpus_lib.Corpus,
    dev: torch.device,
    emit: Report,
) -> list[dict[str, Any]]:
    """Train ``runs`` together; returns one result per run, in the order given. ``emit`` gets every run's
    ``step`` event after each optimiser step (and may raise to stop)."""
    order = batch_order(runs, cfg.d_model, cfg.dense_d_ff, cfg.matched, cfg.multiple_of)
    batch = [(str(runs[i][0]), int(runs[i][1])) for i in order]
    models = [TinyLM(cfg.lm_config(variant, corpus.vocab_size), seed=seed) for variant, seed in batch]
    sizes = [(m.n_params(), m.ffn_params()) for m in models]
    model = BatchedLM(models).to(dev)
    del models
    opt = _adamw(model, cfg.lr)
    seeds = sorted({seed for _, seed in batch})
    data_order = {seed: torch.Generator().manual_seed(seed) for seed in seeds}  # one per seed, as each run has
    of_seed = torch.tensor([seeds.index(seed) for _, seed in batch])
    x_final, y_final = (t.to(dev) for t in corpus_lib.eval_windows(corpus.val, cfg.seq_len, cfg.final_eval_windows))
    xv, yv = x_final[: cfg.eval_windows], y_final[: cfg.eval_windows]
    first = evaluate(model, xv, yv, cfg.batch_size, dev)
    val_curves: list[list[list[float]]] = [[[0, v]] for v in first]
    train_curves: list[list[float]] = [[] for _ in batch]
    pending: list[tuple[int, torch.Tensor, list[float] | None]] = []
    flush_every = CUDA_FLUSH_STEPS if dev.type == "cuda" else 1
    train_seconds = 0.0

    def flush() -> None:
        for step, losses, val in pending:
            for r, (loss, (variant, seed)) in enumerate(zip(losses.tolist(), batch, strict=True)):
                train_curves[r].append(loss)
                event: dict[str, Any] = {
                    "type": "step",
                    "variant": variant,
                    "seed": seed,
                    "step": step,
                    "train_loss": loss,
                }
                if val is not None:
                    event["val_loss"] = val[r]
                    val_curves[r].append([step, val[r]])
                emit(event)
        pending.clear()

    with device_lib.peak_memory(dev) as mem:
        start = time.perf_counter()
        for step in range(cfg.steps):
            t0 = time.perf_counter()
            for group in opt.param_groups:
                group["lr"] = lr_at(step, cfg.steps, cfg.lr)
            if step % DRAW_STEPS == 0:
                xs, ys = _draw(corpus, cfg, data_order, seeds, of_seed, min(DRAW_STEPS, cfg.steps - step), dev)
            x, y = xs[step % DRAW_STEPS], ys[step % DRAW_STEPS]
            with device_lib.autocast(dev):
                losses = model(x, y)
            opt.zero_grad(set_to_none=True)
            losses.sum().backward()  # each run's parameters get exactly its own loss's gradient
            clip_grad_norm_per_run(model, 1.0)
            opt.step()
            losses = losses.detach().float()
            evaluating = (step + 1) % cfg.eval_interval == 0 or step + 1 == cfg.steps
            flushing = evaluating or len(pending) + 1 >= flush_every
            if flushing:
                losses = losses.cpu()  # synchronises the device, so the timed span covers the work
            train_seconds += time.perf_counter() - t0
            val = evaluate(model, xv, yv, cfg.batch_size, dev) if evaluating else None
            pending.append((step + 1, losses, val))
            if flushing:
                flush()
        wall = time.perf_counter() - start
    final = evaluate(model, x_final, y_final, cfg.batch_size, dev)
    throughput = len(batch) * cfg.steps * cfg.batch_size * cfg.seq_len / train_seconds
    results = {
        run: {
            "variant": run[0],
            "seed": run[1],
            "params": sizes[r][0],
            "ffn_params": sizes[r][1],
            "final_val_loss": final[r],
            "train_loss": train_curves[r],
            "val_loss": val_curves[r],
            "tokens_per_second": throughput,
            "wall_seconds": wall,
            "batched_runs": len(batch),
            **mem,
        }
        for r, run in enumerate(batch)
    }
    return [results[(variant, seed)] for variant, seed in runs]


def _draw(
    corpus: corpus_lib.Corpus,
    cfg: QualityConfig,
    data_order: dict[int, torch.Generator],
    seeds: list[int],
    of_seed: torch.Tensor,
    steps: int,
    dev: torch.device,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The next ``steps`` batches of every run (``steps x R x B x T``), each seed's drawn step by step."""
    xs, ys = [], []
    for _ in range(steps):
        draws = [corpus_lib.sample_batch(corpus.train, cfg.batch_size, cfg.seq_len, data_order[s]) for s in seeds]
        xs.append(torch.stack([d[0] for d in draws])[of_seed])
        ys.append(torch.stack([d[1] for d in draws])[of_seed])
    return torch.stack(xs).to(dev), torch.stack(ys).to(dev)


def warm_up() -> None:
    """Pay a process's one-time costs of training before its first batch arrives: constructing the first
    optimizer imports ``torch._dynamo`` (1.5-3 s on a 2-core machine), and the first matmul, backward and fused
    AdamW step initialise their kernels. A pool process calls this while its parent still builds the corpus."""
    weight = torch.nn.Parameter(torch.zeros(2, 4, 4))
    opt = _adamw([weight], 1e-3)
    torch.bmm(weight, weight).sum().backward()
    opt.step()


def _adamw(model: BatchedLM | list[torch.nn.Parameter], lr: float) -> torch.optim.AdamW:
    """AdamW as every run uses it; the fused kernel (one pass per tensor instead of one per operation) where
    this torch has it for the device: the same element-wise update, rounded the same way up to the order of
    a few operations."""
    params = list(model.parameters()) if isinstance(model, BatchedLM) else model
    try:
        return torch.optim.AdamW(params, lr=lr, betas=(0.9, 0.95), weight_decay=0.0, fused=True)
    except (RuntimeError, ValueError):  # older torch: fused AdamW is CUDA-only
        return torch.optim.AdamW(params, lr=lr, betas=(0.9, 0.95), weight_decay=0.0, foreach=True)
