"""The embedded worker: one process beside the API that claims comparison jobs from the database.

``actlab serve`` starts it (``python -m app.jobs.local``) so that torch never trains inside the API
process: pages stay fast while a comparison runs. It is niced (``worker_nice``) and its torch threads
are bounded, it dies with the server (PR_SET_PDEATHSIG), and on start — and every
``worker_stale_seconds`` while idle — it re-queues jobs whose worker died. ``actlab worker`` runs the
same loop in the foreground.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time

from app.config import PROJECT_ROOT, Settings, get_settings
from app.db import create_db_engine, make_session_factory
from app.jobs import queue, runner

log = logging.getLogger("actlab.jobs")


def prepare_process(settings: Settings) -> None:
    """Nice this process and bound torch threads before any job imports torch's thread pools."""
    with contextlib.suppress(OSError):
        os.nice(settings.worker_nice)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(settings.worker_speed_threads))


def serve_forever(settings: Settings, stop: threading.Event | None = None, once: bool = False) -> None:
    """Claim and run jobs until ``stop`` is set (or, with ``once``, until the queue is empty)."""
    stop = stop or threading.Event()
    engine = create_db_engine(settings)
    factory = make_session_factory(engine)
    me = runner.worker_id("local")
    try:
        requeued = queue.requeue_stale(factory, settings)
        if requeued:
            log.info("re-queued %d job(s) whose worker died: %s", len(requeued), ", ".join(requeued))
        last_reap = time.monotonic()
        while not stop.is_set():
            job = queue.claim(factory, me)
            if job is not None:
                runner.execute(factory, settings, job.id, me)
                continue
            if once:
                return
            if time.monotonic() - last_reap > settings.worker_stale_seconds:
                queue.requeue_stale(factory, settings)
                last_reap = time.monotonic()
            stop.wait(settings.worker_poll_seconds)
    finally:
        engine.dispose()


def start_embedded(settings: Settings) -> subprocess.Popen[bytes] | None:
    """Start the worker process beside the API (``actlab serve``); it is stopped when the server exits."""
    if not settings.embedded_worker:
        return None
    env = {**os.environ, "ACTLAB_DATABASE_URL": settings.database_url}
    proc = subprocess.Popen([sys.executable, "-m", "app.jobs.local"], cwd=PROJECT_ROOT, env=env)

    def stop() -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()

    atexit.register(stop)
    print(f"comparison worker started (pid {proc.pid})")
    return proc


def main() -> None:
    from app.experiments.worker import die_with_parent

    die_with_parent()
    settings = get_settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s")
    prepare_process(settings)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    serve_forever(settings, stop)


if __name__ == "__main__":
    main()
