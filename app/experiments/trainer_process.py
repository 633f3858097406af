"""A training pool process for parallel quality runs: ``python -m app.experiments.trainer_process``.

Protocol (JSON, one object per line): the parent writes ``{"config": <the QualityConfig dict>,
"corpus_path": <the corpus it built, saved by pool.save_corpus>}``, then one
batch of ``[variant, seed]`` runs at a time (trained together by
:func:`app.experiments.batched_training.train_batch`); for each batch this process writes every run's
``step`` event per optimiser step and finally ``{"type": "results", "results": [...]}`` (or
``{"type": "error", ...}``) and waits for the next batch. End of input means no more work. Torch
threads are set from the config (1 by default).
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import signal
import sys
import traceback
from typing import Any

import torch


def die_with_parent() -> None:
    """Linux: ask the kernel to SIGKILL this process when its parent dies, so a killed job worker
    leaves no orphaned training behind (a no-op elsewhere)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG = 1


def main() -> None:
    die_with_parent()
    # Ctrl-C (SIGINT to the whole process group) or a SIGTERM to every process must not kill a training
    # step: the parent decides whether to finish the job or stop it, and kills this process when done.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    from app import memory_release

    memory_release.keep_large_allocations()  # a step's tensors are reused from the heap, not faulted in anew
    from app.experiments import device as device_lib
    from app.experiments.batched_training import train_batch, warm_up
    from app.experiments.config import QualityConfig
    from app.experiments.corpus import Corpus

    warm_up()  # before the header: while the parent is still building the corpus
    header = json.loads(sys.stdin.readline())
    cfg = QualityConfig.from_dict(header["config"])
    device_lib.set_threads(cfg.threads)
    corpus = Corpus(**torch.load(header["corpus_path"], weights_only=False))  # written by our parent
    out = sys.stdout

    def emit(event: dict[str, Any]) -> None:
        out.write(json.dumps(event) + "\n")
        out.flush()

    for line in sys.stdin:
        batch = [(variant, seed) for variant, seed in json.loads(line)]
        try:
            results = train_batch(cfg, batch, corpus, torch.device("cpu"), emit)
        except Exception as exc:  # reported to the parent, which fails the comparison with it
            emit({"type": "error", "task": batch, "message": f"{exc!r}\n{traceback.format_exc()}"})
            return
        emit({"type": "results", "results": results})


if __name__ == "__main__":
    main()
