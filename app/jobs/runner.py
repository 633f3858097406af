"""Running one claimed job — the same code under the embedded worker and under Celery.

``execute`` runs ``app.experiments.comparison.run`` in a child process (:mod:`app.jobs.job_process`,
so that every phase can be stopped) with a reporter that

* buffers per-step losses and writes them as one ``progress`` event every ``job_event_flush_seconds``
  (a few hundred rows per comparison instead of one per step per run);
* checks for cancellation every ``job_cancel_poll_seconds`` — at a step boundary, or on the ``tick`` the
  job process relay sends when the job is in a phase without steps (corpus build, evaluation,
  compilation) — and raises ``Cancelled``, which kills the job process and its training pool at once;

while a heartbeat thread keeps the job's ``heartbeat_at`` fresh independently of training progress,
so a long single step (compilation, a slow device) is not mistaken for a dead worker.

Two more ways a job ends early, both at a step boundary:

* **Shutdown** (the worker's ``stop`` event is set by SIGTERM/SIGINT): a job expected to end within
  ``worker_shutdown_grace_seconds`` is finished; otherwise the reporter raises ``ShutdownRequested`` after
  the current step and the job is handed back to the queue at once (``queue.release``), its attempt not
  counted, instead of waiting ``worker_stale_seconds`` for its heartbeat to go stale.
* **Wall-clock limit** (``job_wall_clock_limit_seconds`` per attempt): the reporter raises
  ``TimeLimitExceeded`` and the job fails with that reason; the worker takes the next job. Should a single
  step never return, the heartbeat thread fails the job in the database shortly after the deadline, so its
  state is right even then.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import traceback
import uuid
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.jobs import queue

log = logging.getLogger("actlab.jobs")


class ShutdownRequested(Exception):
    """The worker is shutting down and the job would not finish within the grace period."""


class TimeLimitExceeded(Exception):
    """The job ran past ``job_wall_clock_limit_seconds``."""


def time_limit_reason(settings: Settings) -> str:
    return (
        f"stopped after {settings.job_wall_clock_limit_seconds:g} s: over the wall-clock limit per job "
        "(ACTLAB_JOB_WALL_CLOCK_LIMIT_SECONDS)"
    )


def worker_id(prefix: str = "local") -> str:
    return f"{prefix}:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class JobReporter:
    """The ``report`` callback of one job (see module docstring)."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        settings: Settings,
        job_id: str,
        worker: str,
        stop: threading.Event | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.settings = settings
        self.job_id = job_id
        self.worker = worker
        self.stop = stop
        self.points: list[dict[str, Any]] = []
        self.pending: list[tuple[str, dict[str, Any]]] = []
        self.done = 0
        self.total = 0
        self.started = time.monotonic()
        self.deadline = self.started + settings.job_wall_clock_limit_seconds
        self.last_flush = self.started
        self.last_cancel_check = self.started
        #: When the shutdown was first noticed, and whether the job is being finished within the grace.
        self.stop_seen: float | None = None
        self.finishing = False
        #: The first step seen (time, done steps): the pace is measured from it, not from the start-up.
        self.first_step: tuple[float, int] | None = None

    def remaining_seconds(self, t: float) -> float | None:
        """Expected seconds left at the training pace so far (None before a few steps were timed)."""
        if self.first_step is None or self.total <= 0:
            return None
        since, first_done = self.first_step
        steps = self.done - first_done
        if steps < 3:
            return None
        return (t - since) / steps * max(0, self.total - self.done)

    def check_limits(self, t: float) -> None:
        """Raise at this step boundary when the job is over its time or the worker is shutting down."""
        if t >= self.deadline:
            raise TimeLimitExceeded(time_limit_reason(self.settings))
        if self.stop is None or not self.stop.is_set():
            return
        grace = self.settings.worker_shutdown_grace_seconds
        if self.stop_seen is None:
            self.stop_seen = t
            remaining = self.remaining_seconds(t)
            self.finishing = remaining is not None and remaining <= grace
            log.info(
                "job %s: worker shutting down; %s",
                self.job_id,
                f"finishing it (about {remaining:.1f} s left)" if self.finishing else "handing it back to the queue",
            )
        if not self.finishing or t - self.stop_seen > grace:
            raise ShutdownRequested(
                f"worker {self.worker} shut down after step {self.done} of {self.total}; re-queued "
                "(not counted as an attempt)"
            )

    def __call__(self, event: dict[str, Any]) -> None:
        from app.experiments.types import Cancelled

        kind = event["type"]
        if kind == "phase":  # corpus, training, compile: shown live, and checked like a step
            self.pending.append(("phase", {k: v for k, v in event.items() if k != "type"}))
        elif kind == "start":
            self.total = int(event["total_steps"])
            self.pending.append(("start", {k: v for k, v in event.items() if k != "type"}))
            self.flush()
        elif kind == "step":
            self.done, self.total = int(event["done_steps"]), int(event["total_steps"])
            if self.first_step is None:
                self.first_step = (time.monotonic(), self.done)
            self.points.append({k: v for k, v in event.items() if k not in ("type", "done_steps", "total_steps")})
        elif kind == "run_done":
            self.pending.append(("run_done", {k: v for k, v in event.items() if k != "type"}))
            self.flush()
        t = time.monotonic()
        self.check_limits(t)
        if t - self.last_flush >= self.settings.job_event_flush_seconds:
            self.flush()
        elif t - self.last_cancel_check >= self.settings.job_cancel_poll_seconds:
            self.last_cancel_check = t
            with self.session_factory() as session:
                if queue.cancel_requested(session, self.job_id):
                    raise Cancelled(f"job {self.job_id} was cancelled")

    def flush(self) -> None:
        from app.experiments.types import Cancelled

        events = list(self.pending)
        if self.points:
            events.insert(0, ("progress", {"done_steps": self.done, "total_steps": self.total, "points": self.points}))
        self.points, self.pending = [], []
        self.last_flush = self.last_cancel_check = time.monotonic()
        if queue.record_progress(self.session_factory, self.job_id, self.worker, self.done, self.total, events):
            raise Cancelled(f"job {self.job_id} was cancelled")


class Heartbeat:
    """Refreshes the job's heartbeat every ``worker_heartbeat_seconds`` on its own thread, and fails the job
    in the database when it is still running two beats past its wall-clock deadline (a step that does not
    return never reaches the reporter's check)."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        settings: Settings,
        job_id: str,
        worker: str,
        deadline: float | None = None,
    ) -> None:
        self._stop = threading.Event()
        self.deadline = deadline
        #: Set when this thread failed the job for its time limit.
        self.timed_out = False
        self._thread = threading.Thread(
            target=self._beat,
            args=(session_factory, settings, job_id, worker),
            daemon=True,
            name=f"heartbeat-{job_id[:8]}",
        )

    def _beat(self, session_factory: sessionmaker[Session], settings: Settings, job_id: str, worker: str) -> None:
        slack = 2 * settings.worker_heartbeat_seconds
        while not self._stop.wait(settings.worker_heartbeat_seconds):
            try:
                if self.deadline is not None and time.monotonic() >= self.deadline + slack:
                    reason = time_limit_reason(settings)
                    if queue.finish(session_factory, job_id, worker, "failed", error=reason):
                        self.timed_out = True
                        log.warning("job %s failed by the watchdog: %s", job_id, reason)
                    return
                queue.heartbeat(session_factory, job_id, worker)
            except Exception:  # a transient database error must not kill the job; the next beat retries
                log.warning("heartbeat for job %s failed", job_id, exc_info=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def cost_record(
    config: dict[str, Any], admitted: dict[str, Any], results: dict[str, Any], seconds: float, settings: Settings
) -> dict[str, Any]:
    """Estimated against measured: the admitted estimate (seconds, FLOPs), this worker's breakdown of it
    (training, evaluation, corpus, compilation; peak memory), and the attempt's wall-clock seconds and
    the job process's peak resident memory (its training pool processes report theirs per run)."""
    from app.experiments import cost
    from app.experiments.config import parse_config

    text = isinstance(config.get("corpus"), dict) and config["corpus"].get("kind") == "text"
    try:
        breakdown: dict[str, Any] | None = cost.estimate(
            parse_config(config), str(admitted["device_class"]), settings, text_corpus=text
        ).to_dict()
    except Exception:  # a measurement record must never fail a job that succeeded
        log.warning("could not recompute the estimate of a finished job", exc_info=True)
        breakdown = None
    measured = results.pop("measured", {})
    return {
        "estimated_seconds": admitted["seconds"],
        "estimated_flops": admitted["flops"],
        "estimate": breakdown,
        "measured_seconds": seconds,
        "measured_over_estimated": seconds / admitted["seconds"] if admitted["seconds"] else None,
        "measured_peak_rss_bytes": measured.get("peak_rss_bytes"),
    }


def execute(
    session_factory: sessionmaker[Session],
    settings: Settings,
    job_id: str,
    worker: str,
    stop: threading.Event | None = None,
) -> str:
    """Run a job this worker has claimed to its final state; returns that state (``queued`` when the job
    was handed back because the worker is shutting down)."""
    from app.experiments.types import Cancelled
    from app.jobs import job_process

    with session_factory() as session:
        job = queue.get_job(session, job_id)
        config = queue.runnable_config(job)
        admitted = {"seconds": job.estimate_seconds, "flops": job.estimate_flops, "device_class": job.device_class}
    reporter = JobReporter(session_factory, settings, job_id, worker, stop)
    heartbeat = Heartbeat(session_factory, settings, job_id, worker, deadline=reporter.deadline)
    log.info("job %s (%s) started by %s", job_id, config.get("kind"), worker)
    results: dict[str, Any] | None
    try:
        with heartbeat:
            outcome = job_process.run(config, reporter, settings.job_cancel_poll_seconds)
    except ShutdownRequested as exc:
        released = queue.release(session_factory, job_id, worker, str(exc))
        log.info("job %s handed back: %s", job_id, released or "no longer this worker's")
        return released or "released"
    except TimeLimitExceeded as exc:
        status, error, results = "failed", str(exc), None
    except Cancelled:
        if heartbeat.timed_out:
            log.info("job %s failed: %s", job_id, time_limit_reason(settings))
            return "failed"
        status, error, results = "cancelled", None, None
    except job_process.JobProcessError as exc:
        log.warning("job %s failed: %s", job_id, exc)
        status, error, results = "failed", str(exc), None
    except Exception as exc:
        log.warning("job %s failed", job_id, exc_info=True)
        status, error, results = "failed", f"{type(exc).__name__}: {exc}", None
        log.debug("%s", traceback.format_exc())
    else:
        status, error = "succeeded", None
        outcome["cost"] = cost_record(config, admitted, outcome, time.monotonic() - reporter.started, settings)
        results = outcome
        if heartbeat.timed_out:  # the result came too late: the job already failed for its time limit
            log.info("job %s failed: %s", job_id, time_limit_reason(settings))
            return "failed"
    if not queue.finish(session_factory, job_id, worker, status, results=results, error=error):
        log.warning("job %s was taken from worker %s before it finished (%s)", job_id, worker, status)
    log.info("job %s %s", job_id, status)
    return status
