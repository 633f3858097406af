"""The embedded worker: one process beside the API that claims comparison jobs from the database.

``actlab serve`` starts it (``python -m app.jobs.local``) so that torch never trains inside the API
process: pages stay fast while a comparison runs. It is niced (``worker_nice``) and its torch threads
are bounded, it dies with the server (PR_SET_PDEATHSIG), and on start — and every
``worker_stale_seconds`` while idle — it re-queues jobs whose worker died. ``actlab worker`` runs the
same loop in the foreground.

Shutdown: SIGTERM or SIGINT sets the loop's ``stop`` event; a running job is finished if it should end
within ``worker_shutdown_grace_seconds``, else handed back to the queue after its current step (see
app/jobs/runner.py). When ``actlab serve`` exits (SIGTERM, SIGINT, or its end), it sends the worker
SIGTERM and waits for it (the grace plus 10 s) before killing it.
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

from sqlalchemy.exc import SQLAlchemyError

from app.config import PROJECT_ROOT, Settings, get_settings
from app.db import create_db_engine, make_session_factory
from app.jobs import queue, runner

log = logging.getLogger("actlab.jobs")
#: The worker process ``actlab serve`` started in this process (for the ``actlab_embedded_worker_up`` gauge).
_embedded: subprocess.Popen[bytes] | None = None


def embedded_worker_alive() -> bool | None:
    """Whether the embedded worker started by this process runs; None when this process started none."""
    return None if _embedded is None else _embedded.poll() is None


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
            try:
                job = queue.claim(factory, me)
                if job is not None:
                    runner.execute(factory, settings, job.id, me, stop)
                    continue
                if once:
                    return
                if time.monotonic() - last_reap > settings.worker_stale_seconds:
                    queue.requeue_stale(factory, settings)
                    last_reap = time.monotonic()
            except SQLAlchemyError:
                # A locked or unreachable database is transient: keep the worker alive and try again.
                # A job it was running stays 'running' until its heartbeat is stale and is then re-queued.
                log.exception("database error in the worker loop; retrying in %s s", settings.worker_poll_seconds)
            stop.wait(settings.worker_poll_seconds)
    finally:
        engine.dispose()


def start_embedded(settings: Settings) -> subprocess.Popen[bytes] | None:
    """Start the worker process beside the API (``actlab serve``); it is stopped when the server exits."""
    if not settings.embedded_worker:
        return None
    env = {**os.environ, "ACTLAB_DATABASE_URL": settings.database_url}
    global _embedded
    proc = subprocess.Popen([sys.executable, "-m", "app.jobs.local"], cwd=PROJECT_ROOT, env=env)
    _embedded = proc

    def stop() -> None:
        if proc.poll() is None:
            proc.terminate()  # the worker finishes or hands back its job (see the module docstring)
            try:
                proc.wait(timeout=settings.worker_shutdown_grace_seconds + 10)
            except subprocess.TimeoutExpired:
                log.warning("comparison worker (pid %d) did not stop in time; killing it", proc.pid)
                proc.kill()
                proc.wait()
            print(f"comparison worker stopped (exit status {proc.returncode})", flush=True)

    atexit.register(stop)
    # uvicorn shuts the API down gracefully on SIGTERM and then raises the signal again; with this handler
    # that ends the process normally, so the atexit hook above stops the worker instead of the kernel
    # killing it with the server (PR_SET_PDEATHSIG) in the middle of a training step.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _exit_normally)
    print(f"comparison worker started (pid {proc.pid})", flush=True)
    return proc


def _exit_normally(signum: int, _frame: object) -> None:
    raise SystemExit(0)


def main() -> None:
    stop = threading.Event()
    install_stop_handlers(stop)  # first: importing torch below takes seconds
    from app.experiments.trainer_process import die_with_parent

    die_with_parent()
    settings = get_settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s")
    prepare_process(settings)
    serve_forever(settings, stop)
    log.info("comparison worker %d stopped", os.getpid())


def install_stop_handlers(stop: threading.Event) -> None:
    """SIGTERM and SIGINT ask the loop to stop (gracefully: see the module docstring)."""

    def handler(signum: int, _frame: object) -> None:
        if not stop.is_set():
            log.info("comparison worker %d: %s received, stopping", os.getpid(), signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


if __name__ == "__main__":
    main()
