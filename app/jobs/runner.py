"""Running one claimed job — the same code under the embedded worker and under Celery.

``execute`` runs ``app.experiments.run`` with a reporter that

* buffers per-step losses and writes them as one ``progress`` event every ``job_event_flush_seconds``
  (a few hundred rows per comparison instead of one per step per run);
* checks for cancellation every ``job_cancel_poll_seconds``, at a step boundary, and raises
  ``Cancelled`` there, which stops training at once (worker processes are killed);

while a heartbeat thread keeps the job's ``heartbeat_at`` fresh independently of training progress,
so a long single step (compilation, a slow device) is not mistaken for a dead worker.
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


def worker_id(prefix: str = "local") -> str:
    return f"{prefix}:{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class JobReporter:
    """The ``report`` callback of one job (see module docstring)."""

    def __init__(self, session_factory: sessionmaker[Session], settings: Settings, job_id: str, worker: str) -> None:
        self.session_factory = session_factory
        self.settings = settings
        self.job_id = job_id
        self.worker = worker
        self.points: list[dict[str, Any]] = []
        self.pending: list[tuple[str, dict[str, Any]]] = []
        self.done = 0
        self.total = 0
        self.last_flush = time.monotonic()
        self.last_cancel_check = time.monotonic()

    def __call__(self, event: dict[str, Any]) -> None:
        from app.experiments import Cancelled

        kind = event["type"]
        if kind == "start":
            self.total = int(event["total_steps"])
            self.pending.append(("start", {k: v for k, v in event.items() if k != "type"}))
            self.flush()
        elif kind == "step":
            self.done, self.total = int(event["done_steps"]), int(event["total_steps"])
            self.points.append({k: v for k, v in event.items() if k not in ("type", "done_steps", "total_steps")})
        elif kind == "run_done":
            self.pending.append(("run_done", {k: v for k, v in event.items() if k != "type"}))
            self.flush()
        t = time.monotonic()
        if t - self.last_flush >= self.settings.job_event_flush_seconds:
            self.flush()
        elif t - self.last_cancel_check >= self.settings.job_cancel_poll_seconds:
            self.last_cancel_check = t
            with self.session_factory() as session:
                if queue.cancel_requested(session, self.job_id):
                    raise Cancelled(f"job {self.job_id} was cancelled")

    def flush(self) -> None:
        from app.experiments import Cancelled

        events = list(self.pending)
        if self.points:
            events.insert(0, ("progress", {"done_steps": self.done, "total_steps": self.total, "points": self.points}))
        self.points, self.pending = [], []
        self.last_flush = self.last_cancel_check = time.monotonic()
        if queue.record_progress(self.session_factory, self.job_id, self.worker, self.done, self.total, events):
            raise Cancelled(f"job {self.job_id} was cancelled")


class Heartbeat:
    """Refreshes the job's heartbeat every ``worker_heartbeat_seconds`` on its own thread."""

    def __init__(self, session_factory: sessionmaker[Session], settings: Settings, job_id: str, worker: str) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._beat,
            args=(session_factory, settings, job_id, worker),
            daemon=True,
            name=f"heartbeat-{job_id[:8]}",
        )

    def _beat(self, session_factory: sessionmaker[Session], settings: Settings, job_id: str, worker: str) -> None:
        while not self._stop.wait(settings.worker_heartbeat_seconds):
            try:
                queue.heartbeat(session_factory, job_id, worker)
            except Exception:  # a transient database error must not kill the job; the next beat retries
                log.warning("heartbeat for job %s failed", job_id, exc_info=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)


def execute(session_factory: sessionmaker[Session], settings: Settings, job_id: str, worker: str) -> str:
    """Run a job this worker has claimed to its final state; returns that state."""
    from app import experiments

    with session_factory() as session:
        job = queue.get_job(session, job_id)
        config = queue.runnable_config(job)
    reporter = JobReporter(session_factory, settings, job_id, worker)
    log.info("job %s (%s) started by %s", job_id, config.get("kind"), worker)
    try:
        with Heartbeat(session_factory, settings, job_id, worker):
            results = experiments.run(config, reporter)
    except experiments.Cancelled:
        status, error, results = "cancelled", None, None
    except Exception as exc:
        log.warning("job %s failed", job_id, exc_info=True)
        status, error, results = "failed", f"{type(exc).__name__}: {exc}", None
        log.debug("%s", traceback.format_exc())
    else:
        status, error = "succeeded", None
    if not queue.finish(session_factory, job_id, worker, status, results=results, error=error):
        log.warning("job %s was taken from worker %s before it finished (%s)", job_id, worker, status)
    log.info("job %s %s", job_id, status)
    return status
