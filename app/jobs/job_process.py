"""Each job attempt runs in a child process of its worker: ``python -m app.jobs.job_process``.

Why a process per job: a cancel or the wall-clock limit must stop a job in *every* phase, and several
phases have no step boundary at which Python code could look at a flag — the synthetic corpus build (a
power iteration in numpy), a long evaluation, ``torch.compile``'s first call. The worker keeps the
control loop: it relays the child's events to the job's reporter and, when nothing arrives, calls the
reporter with a ``tick`` every ``job_cancel_poll_seconds`` so that cancel, the time limit and shutdown
are checked anyway. Whatever the reporter raises (``Cancelled``, ``TimeLimitExceeded``,
``ShutdownRequested``) kills the child at once; its training pool processes die with it
(PR_SET_PDEATHSIG). A child killed by the kernel (out of memory) fails the job with that reason while
the worker lives on.

Protocol: the worker writes the config as one JSON line to the child's stdin; the child writes one JSON
event per line to its stdout (the reporter's events, then ``{"type": "result", ...}`` or
``{"type": "error", ...}``). Anything else the child prints goes to stderr, so it cannot break the
protocol.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import resource
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from app.experiments.pool import reap

ROOT = Path(__file__).resolve().parents[2]
#: How the worker starts a job process (a list so a test may swap in a stand-in).
COMMAND = [sys.executable, "-m", "app.jobs.job_process"]


class JobProcessError(RuntimeError):
    """The job process failed (its exception) or died (its exit status or signal)."""


def _death_reason(code: int) -> str:
    if code < 0:
        name = signal.Signals(-code).name
        hint = " (the kernel's out-of-memory killer, or someone, killed it)" if -code == signal.SIGKILL else ""
        return f"the job process was killed by {name}{hint}"
    return f"the job process exited with status {code} without a result"


def run(config: Mapping[str, Any], report: Callable[[dict[str, Any]], None], tick_seconds: float) -> dict[str, Any]:
    """Run ``config`` in a child process and return its result; ``report`` gets every event and a
    ``{"type": "tick"}`` at least every ``tick_seconds``. An exception from ``report`` kills the child
    and propagates."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.Popen(COMMAND, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True, name=f"job-process-{proc.pid}").start()
    try:
        assert proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            proc.stdin.write(json.dumps(dict(config)) + "\n")
            proc.stdin.close()
        outcome: dict[str, Any] | None = None
        while True:
            try:
                line = lines.get(timeout=tick_seconds)
            except queue.Empty:
                report({"type": "tick"})
                continue
            if line is None:
                break
            event = json.loads(line)
            if event["type"] in ("result", "error"):
                outcome = event
                continue
            report(event)
        code = proc.wait()
        if outcome is None:
            raise JobProcessError(_death_reason(code))
        if outcome["type"] == "error":
            raise JobProcessError(str(outcome["message"]))
        result: dict[str, Any] = outcome["result"]
        result.setdefault("measured", {}).update(outcome.get("measured", {}))
        return result
    finally:
        reap(proc)


def _peak_rss_bytes() -> int:
    """This process's peak resident memory: VmHWM, which starts afresh at exec (``ru_maxrss`` carries the
    parent's peak over an exec, so it would count the worker's memory too)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _prestart_pool(config: dict[str, Any]) -> None:
    """A CPU quality job with a training pool starts the pool's processes first: their start-up then runs
    beside this process's (torch, the corpus) instead of after it."""
    workers = int(config.get("workers", 1)) if config.get("kind") == "quality" else 1
    runs = len(config.get("variants", ())) * len(config.get("seeds", ()))
    if config.get("device") == "cpu" and workers > 1 and runs > 1:
        from app.experiments import pool

        pool.prestart(min(workers, runs), int(config.get("threads", 1)))


def main() -> None:
    """The child: run the config read from stdin, events to the protocol stream, exit."""
    from app.experiments.trainer_process import die_with_parent

    die_with_parent()
    # The worker decides when a job stops (Ctrl-C reaches the whole process group; SIGTERM too under
    # some process managers); it kills this process itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    protocol = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints go to stderr, not into the protocol

    def emit(event: dict[str, Any]) -> None:
        protocol.write(json.dumps(event) + "\n")
        protocol.flush()

    config = json.loads(sys.stdin.readline())
    started = time.perf_counter()
    _prestart_pool(config)
    try:
        from app.experiments import comparison

        result = comparison.run(config, emit)
    except Exception as exc:  # reported to the worker, which fails the job with it
        emit({"type": "error", "message": f"{type(exc).__name__}: {exc}"})
        sys.exit(1)
    measured = {"seconds_in_process": time.perf_counter() - started, "peak_rss_bytes": _peak_rss_bytes()}
    emit({"type": "result", "result": result, "measured": measured})


if __name__ == "__main__":
    main()
