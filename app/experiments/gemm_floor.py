"""The shape-aware matmul floor of a quality comparison: its GEMMs alone, at their real shapes.

A training step of the tiny LM is mostly matmuls; what is not (attention's softmax, activations, norms, the
optimizer, framework dispatch) is overhead. The floor runs, for one run, every matmul of one training step
— forward, input gradient and weight gradient of the attention projections, the attention scores and values,
the FFN matrices and the tied output head — and of the evaluation forward passes, on preallocated operands
without autograd, with the threads the comparison uses. ``wall / floor`` then says how far a comparison is
from what its arithmetic needs on this machine (1.0 = nothing but matmuls).

:func:`concurrent_comparison_floor` times it the way the comparison runs: in as many processes as it trains
in, all at once. Two cores busy together do not each go as fast as one core alone (shared caches, memory
bandwidth, a host that maps both onto one physical core); a floor timed in one process and divided by the
process count assumes they do, and on some machines that is 20% too low.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import torch

from app import ffn as ffn_lib
from app.experiments.config import QualityConfig
from app.experiments.cost import evaluations_per_run, validation_windows

#: (batch, m, k, n) of one matmul ``A (m x k) @ B (k x n)``, repeated ``batch`` times.
Shape = tuple[int, int, int, int]


def training_shapes(cfg: QualityConfig, variant: str, vocab: int) -> list[Shape]:
    """Every matmul of one training step of one run: for ``Y = X W`` the forward product, ``dX = dY W^T``
    and ``dW = X^T dY``."""
    return _backward(forward_shapes(cfg, variant, vocab, cfg.batch_size))


def forward_shapes(cfg: QualityConfig, variant: str, vocab: int, batch: int) -> list[Shape]:
    """The forward matmuls of one run on ``batch`` sequences."""
    d, t, h = cfg.d_model, cfg.seq_len, cfg.n_heads
    n, hd = batch * t, cfg.d_model // cfg.n_heads
    d_ff = ffn_lib.hidden_size(variant, d, cfg.dense_d_ff, cfg.matched, cfg.multiple_of)
    ffn_in = [(1, n, d, d_ff)] * (ffn_lib.n_matrices(variant) - 1)  # the gated family: gate and up
    layer = [
        (1, n, d, 3 * d),  # q, k, v
        (batch * h, t, hd, t),  # scores
        (batch * h, t, t, hd),  # weighted values
        (1, n, d, d),  # output projection
        *ffn_in,
        (1, n, d_ff, d),  # FFN out
    ]
    return layer * cfg.n_layers + [(1, n, d, vocab)]


def _backward(shapes: list[Shape]) -> list[Shape]:
    out = []
    for b, m, k, n in shapes:
        out += [(b, m, k, n), (b, m, n, k), (b, k, m, n)]  # Y = XW; dX = dY W^T; dW = X^T dY
    return out


def time_shapes(shapes: list[Shape], repeats: int = 5, warm: bool = False) -> tuple[float, float]:
    """Median (wall, CPU) seconds of one pass over ``shapes`` (each matmul run once, on its own operands, as a
    step runs them), after a warm-up pass. ``warm``: each matmul is instead repeated on the same operands and
    its median taken — operands hot in cache, which a real step never has: the lowest floor there is."""
    calls: list[Callable[[], torch.Tensor]] = []
    for b, m, k, n in shapes:
        calls.append(partial(torch.bmm, torch.randn(b, m, k), torch.randn(b, k, n), out=torch.empty(b, m, n)))
    if warm:
        wall = cpu = 0.0
        for call in calls:
            one = time_shapes_of([call], repeats)
            wall, cpu = wall + one[0], cpu + one[1]
        return wall, cpu
    return time_shapes_of(calls, repeats)


def time_shapes_of(calls: list[Callable[[], torch.Tensor]], repeats: int) -> tuple[float, float]:
    walls, cpus = [], []
    for i in range(repeats + 1):
        wall, cpu = time.perf_counter(), time.process_time()
        for call in calls:
            call()
        if i:
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
    return sorted(walls)[len(walls) // 2], sorted(cpus)[len(cpus) // 2]


def comparison_floor(
    cfg: QualityConfig, vocab: int, processes: int, repeats: int = 5, warm: bool = False
) -> dict[str, float]:
    """Seconds the comparison's matmuls take on ``processes`` cores when spread evenly: every run's training
    steps and evaluation passes, each matmul at its real shape, timed here with this process's threads; and
    the CPU seconds they take in all (on a busy machine wall time says little, CPU time more)."""
    windows = validation_windows(cfg)
    curve, final = min(cfg.eval_windows, windows), min(cfg.final_eval_windows, windows)
    train = evaluation = cpu = 0.0
    seeds = len(cfg.seeds)
    for variant in cfg.variants:
        step = time_shapes(training_shapes(cfg, variant, vocab), repeats, warm)
        curve_pass = time_shapes(_eval_pass(cfg, variant, vocab, curve), repeats, warm)
        final_pass = time_shapes(_eval_pass(cfg, variant, vocab, final), repeats, warm)
        per_run = [
            step[i] * cfg.steps + curve_pass[i] * evaluations_per_run(cfg) + final_pass[i] for i in (0, 1)
        ]
        train += step[0] * cfg.steps * seeds
        evaluation += (per_run[0] - step[0] * cfg.steps) * seeds
        cpu += per_run[1] * seeds
    return {
        "training_seconds": train / processes,
        "evaluation_seconds": evaluation / processes,
        "seconds": (train + evaluation) / processes,
        "cpu_seconds": cpu,
    }


def _eval_pass(cfg: QualityConfig, variant: str, vocab: int, windows: int) -> list[Shape]:
    """The forward matmuls of one evaluation over ``windows`` windows, in batches of ``batch_size``."""
    full, rest = divmod(windows, cfg.batch_size)
    shapes = forward_shapes(cfg, variant, vocab, cfg.batch_size) * full
    return shapes + (forward_shapes(cfg, variant, vocab, rest) if rest else [])


def concurrent_comparison_floor(
    cfg: QualityConfig, vocab: int, processes: int, repeats: int = 5, warm: bool = False
) -> dict[str, float]:
    """:func:`comparison_floor` timed in ``processes`` fresh processes at once (``python -m
    app.experiments.gemm_floor``, each with ``cfg.threads`` threads, released together once all are ready),
    each timing every matmul of the comparison; the floor is their mean, spread over the processes."""
    root = str(Path(__file__).resolve().parents[2])
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
        "OMP_NUM_THREADS": str(cfg.threads),
        "MKL_NUM_THREADS": str(cfg.threads),
    }
    header = json.dumps({"config": cfg.to_dict(), "vocab": vocab, "processes": processes, "repeats": repeats,
                         "warm": warm})
    children = [
        subprocess.Popen([sys.executable, "-m", "app.experiments.gemm_floor"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True, env=env, cwd=root)
        for _ in range(processes)
    ]
    try:
        for child in children:
            assert child.stdin is not None
            child.stdin.write(header + "\n")
            child.stdin.flush()
        for child in children:  # each has loaded torch and its kernels: the start line
            assert child.stdout is not None
            if child.stdout.readline().strip() != "ready":
                raise RuntimeError("a floor process failed to start")
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.close()
        floors = []
        for child in children:
            assert child.stdout is not None
            line = child.stdout.readline()
            if not line:
                raise RuntimeError("a floor process died while timing")
            floors.append(json.loads(line))
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
            child.wait()
    return {key: sum(f[key] for f in floors) / len(floors) for key in floors[0]}


def _child() -> None:
    """One process of :func:`concurrent_comparison_floor`: read the header, warm up, say ready, wait for go."""
    from app.experiments import device as device_lib

    header = json.loads(sys.stdin.readline())
    cfg = QualityConfig.from_dict(header["config"])
    device_lib.set_threads(cfg.threads)
    time_shapes(training_shapes(cfg, cfg.variants[0], header["vocab"]), 1)  # load the kernels first
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    sys.stdin.readline()
    floor = comparison_floor(cfg, header["vocab"], header["processes"], header["repeats"], header["warm"])
    sys.stdout.write(json.dumps(floor) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    _child()
