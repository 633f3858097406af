"""The training pool: batches of quality runs spread over single-thread child processes on CPU.

Pool processes are plain ``python -m app.experiments.trainer_process`` children speaking JSON lines
over their stdin/stdout (see that module): unlike multiprocessing's spawn they never re-import the
caller's ``__main__``, and unlike fork they start without inherited OpenMP state; they also work under
a daemonic parent (a Celery prefork child). A task is a batch of runs trained together
(:mod:`app.experiments.batched_training`); it goes to whichever process is free. Any exception —
including one raised by ``emit``, i.e. a cancellation — kills the processes before propagating, so a
cancel stops training within one step; they also die with this process (PR_SET_PDEATHSIG).

The corpus is built once, by the caller, and handed to the processes as a file of token tensors: each
process building it again would cost its build time (up to minutes at a vocabulary of 256) and its
transition tensor's memory once more per process.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.experiments.config import QualityConfig
from app.experiments.types import Report

if TYPE_CHECKING:
    from app.experiments.corpus import Corpus


def run_done_event(result: dict[str, Any]) -> dict[str, Any]:
    """The event announcing one finished (variant, seed) run."""
    return {
        "type": "run_done",
        "variant": result["variant"],
        "seed": result["seed"],
        "final_val_loss": result["final_val_loss"],
        "tokens_per_second": result["tokens_per_second"],
    }


def save_corpus(corpus: Corpus, folder: str) -> str:
    """Write the corpus the pool processes train on; returns the file's path."""
    import dataclasses

    import torch

    path = str(Path(folder) / "corpus.pt")
    torch.save(dataclasses.asdict(corpus), path)
    return path


#: Processes started ahead by :func:`prestart`, taken by the next :func:`run_in_pool`.
_prestarted: list[subprocess.Popen[str]] = []


def _spawn(threads: int) -> subprocess.Popen[str]:
    root = str(Path(__file__).resolve().parents[2])
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
        "OMP_NUM_THREADS": str(threads),
        "MKL_NUM_THREADS": str(threads),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "app.experiments.trainer_process"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
        cwd=root,
    )


def prestarted() -> list[subprocess.Popen[str]]:
    """The processes started ahead and not yet taken."""
    return list(_prestarted)


def reap_prestarted() -> None:
    """Stop the processes started ahead when the run that wanted them ends before it trains."""
    while _prestarted:
        reap(_prestarted.pop())


def prestart(processes: int, threads: int) -> None:
    """Start the pool's processes now, so that their start-up (importing torch: seconds on a busy machine)
    overlaps the caller's own start-up and corpus build; the next :func:`run_in_pool` takes them."""
    _prestarted.extend(_spawn(threads) for _ in range(processes))


def run_in_pool(
    cfg: QualityConfig, batches: list[list[tuple[str, int]]], processes: int, emit: Report, corpus: Corpus
) -> list[dict[str, Any]]:
    """Hand ``batches`` of runs to ``processes`` single-thread child processes, relay their events to
    ``emit``, and return one result per run, in the order of the batches."""
    with tempfile.TemporaryDirectory(prefix="actlab-corpus-") as folder:
        return _run(cfg, batches, processes, emit, save_corpus(corpus, folder))


def _run(
    cfg: QualityConfig, batches: list[list[tuple[str, int]]], processes: int, emit: Report, corpus_path: str
) -> list[dict[str, Any]]:
    lines: queue.Queue[tuple[int, str | None]] = queue.Queue()
    procs: list[subprocess.Popen[str]] = []
    pending = list(batches)
    runs = sum(len(b) for b in batches)
    busy: set[int] = set()  # processes with a task in flight
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
        for i in range(processes):
            proc = _prestarted.pop(0) if _prestarted else _spawn(cfg.threads)
            procs.append(proc)
            assert proc.stdin is not None
            proc.stdin.write(json.dumps({"config": cfg.to_dict(), "corpus_path": corpus_path}) + "\n")
            threading.Thread(target=pump, args=(i,), daemon=True).start()
            send_next(i)
        while len(results) < runs:
            i, line = lines.get()
            if line is None:
                if i in busy:
                    code = procs[i].wait()
                    raise RuntimeError(f"a training pool process exited mid-run (exit code {code})")
                continue
            event = json.loads(line)
            if event["type"] == "error":
                raise RuntimeError(f"training runs {event['task']} failed: {event['message']}")
            if event["type"] == "results":
                busy.discard(i)
                for result in event["results"]:
                    results.append(result)
                    emit(run_done_event(result))
                send_next(i)
            else:
                emit(event)
    finally:
        procs += _prestarted  # started ahead but not needed
        _prestarted.clear()
        for proc in procs:
            reap(proc)
    order = {tuple(task): i for i, task in enumerate(t for b in batches for t in b)}
    return sorted(results, key=lambda r: order[(r["variant"], r["seed"])])


def reap(proc: subprocess.Popen[str]) -> None:
    """Kill a child that is still running, wait for it and close its pipes: no zombie and no open descriptor is
    left, whichever way its work ended."""
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    for stream in (proc.stdin, proc.stdout):
        with contextlib.suppress(OSError):
            if stream is not None:
                stream.close()
