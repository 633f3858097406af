"""A training process reuses its step's tensors from the heap instead of faulting fresh pages in each step.

With glibc's moving thresholds a batched training step of the default comparison page-faulted about 1,400–2,300
times (its freed activations mapped afresh or trimmed off the heap's top and touched again); the training
processes now keep them (``app.memory_release.keep_large_allocations``). Measured in a child process, so this
test process keeps its own allocator settings; faults are counted by the kernel (``ru_minflt``), the same on
any CPU.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

STEP_FAULTS = r"""
import json, resource, sys, torch
from app import memory_release
kept = memory_release.keep_large_allocations() if sys.argv[1] == "keep" else None
from app.experiments.batched_lm import BatchedLM, batch_order, clip_grad_norm_per_run
from app.experiments.batched_training import _adamw
from app.experiments.config import QualityConfig
from app.experiments.tiny_lm import TinyLM
torch.set_num_threads(1)
cfg = QualityConfig()
runs = [(v, s) for v in ("ReLU", "GEGLU", "GELU", "SwiGLU") for s in range(3)]
order = batch_order(runs, cfg.d_model, cfg.dense_d_ff, cfg.matched, cfg.multiple_of)
model = BatchedLM([TinyLM(cfg.lm_config(*runs[i][:1], 32), seed=runs[i][1]) for i in order])
opt = _adamw(model, cfg.lr)
x = torch.randint(0, 32, (len(runs), cfg.batch_size, cfg.seq_len))
def step():
    losses = model(x, x)
    opt.zero_grad(set_to_none=True)
    losses.sum().backward()
    clip_grad_norm_per_run(model, 1.0)
    opt.step()
for _ in range(10):  # the heap grows to a step's high-water mark
    step()
faults = []
for _ in range(30):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    step()
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
print(json.dumps({"kept": kept, "faults": faults}))
"""


def faults_per_step(mode: str) -> dict[str, object]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    env["PYTHONPATH"] = str(ROOT)
    out = subprocess.run([sys.executable, "-c", STEP_FAULTS, mode], capture_output=True, text=True, env=env,
                         cwd=ROOT, timeout=300, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_a_training_step_does_not_fault_its_tensors_in_again() -> None:
    kept = faults_per_step("keep")
    assert kept["kept"] is True, "the C library took both settings"
    faults = [int(n) for n in kept["faults"]]  # type: ignore[attr-defined]
    # A step allocates ~150 MB of activations and gradients (~37,000 pages). With glibc's moving thresholds about
    # half of all steps fault in thousands of pages again, for as long as training runs. Kept, a step faults only
    # while the heap still grows to a new high-water mark (fragmentation can move it a few times, by a few
    # thousand pages, at a point that differs between runs); every other step reuses its pages.
    refaulting = [n for n in faults if n > 100]
    assert len(refaulting) <= 3, faults
    assert statistics.median_high(faults) <= 5, faults


def test_an_operators_malloc_setting_stands() -> None:
    env = {**os.environ, "MALLOC_TRIM_THRESHOLD_": "1"}
    probe = "from app import memory_release; print(memory_release.keep_large_allocations())"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=60,
                         env={**env, "PYTHONPATH": str(ROOT)}, check=True)
    assert out.stdout.strip() == "False"
