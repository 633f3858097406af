"""The embedded worker: one process beside the API that claims comparison jobs from the database.

``actlab serve`` starts it (``python -m app.jobs.local``) so that torch never trains inside the API
process: pages stay fast while a comparison runs. It is niced (``worker_nice``) and its torch threads
are bounded, it dies with the server (PR_SET_PDEATHSIG), and on start — and every
``worker_stale_seconds`` while idle — it re-queues jobs whose worker died. ``actlab worker`` runs the
same loop in the foreground. The server supervises its worker (:class:`Supervisor`): a worker that dies
is restarted, and its job re-queued at once. The worker gets the server's effective settings
(:mod:`app.jobs.worker_env`), not whatever its own environment would give.

Shutdown: SIGTERM or SIGINT sets the loop's ``stop`` event; a running job is finished if it should end
within ``worker_shutdown_grace_seconds``, else handed back to the queue after its current step (see
app/jobs/runner.py). When ``actlab serve`` exits (SIGTERM, SIGINT, or its end), it sends the worker
SIGTERM and waits for it (the grace plus 10 s) before killing it.
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time

from sqlalchemy.exc import SQLAlchemyError

from app.config import PROJECT_ROOT, Settings, get_settings
from app.db import create_db_engine, make_session_factory
from app.jobs import queue, runner
from app.jobs.worker_env import prepare_process, settings_environment

__all__ = ["prepare_process", "serve_forever", "start_embedded"]  # prepare_process: `actlab worker` uses it

log = logging.getLogger("actlab.jobs")
#: The longest wait before the embedded worker is restarted (a crash loop backs off to this).
MAX_RESTART_BACKOFF_SECONDS = 30.0
#: The supervisor of the worker ``actlab serve`` started in this process (readiness, ``/metrics``).
_supervisor: Supervisor | None = None


def embedded_worker_alive() -> bool | None:
    """Whether the embedded worker started by this process runs; None when this process started none."""
    return None if _supervisor is None else _supervisor.alive()


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
            announce_all(settings, requeued)
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
                    announce_all(settings, queue.requeue_stale(factory, settings))
                    last_reap = time.monotonic()
            except SQLAlchemyError:
                # A locked or unreachable database is transient: keep the worker alive and try again.
                # A job it was running stays 'running' until its heartbeat is stale and is then re-queued.
                log.exception("database error in the worker loop; retrying in %s s", settings.worker_poll_seconds)
            stop.wait(settings.worker_poll_seconds)
    finally:
        engine.dispose()


class Supervisor:
    """Keeps the embedded worker process running for as long as the server runs.

    Why: a worker that dies (SIGKILL, the out-of-memory killer) would otherwise leave its job 'running'
    until the heartbeat goes stale, new jobs queued forever and the server looking healthy. When the worker
    exits unasked, its running job is re-queued at once (the attempt counts; the reason names the exit) and
    a new worker starts after a backoff: 0.5 s, doubled after each death that comes within a minute of its
    start, at most :data:`MAX_RESTART_BACKOFF_SECONDS`. Readiness and ``/metrics`` report the worker down
    meanwhile (:func:`embedded_worker_alive`, :func:`embedded_worker_restarts`).
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.env = {**os.environ, **settings_environment(settings)}
        self.cwd = os.getcwd()  # the server's: the same .env, and the SQLite path is absolute anyway
        self.stopping = threading.Event()
        self.restarts = 0
        self.proc = self._spawn()
        self.started_at = time.monotonic()

    def _spawn(self) -> subprocess.Popen[bytes]:
        env = {**self.env, "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), self.env.get("PYTHONPATH")]))}
        proc = subprocess.Popen([sys.executable, "-m", "app.jobs.local"], cwd=self.cwd, env=env)
        print(f"comparison worker started (pid {proc.pid})", flush=True)
        return proc

    def alive(self) -> bool:
        return self.proc.poll() is None

    def watch(self) -> None:
        """The supervising loop (its own thread): wait for the worker to exit; unless asked, restart it."""
        backoff = 0.5
        while True:
            code = self.proc.wait()
            if self.stopping.is_set():
                return
            if time.monotonic() - self.started_at > 60:
                backoff = 0.5  # it ran a good while: this death is not part of a crash loop
            reason = f"worker (pid {self.proc.pid}) died: {exit_reason(code)}"
            print(f"comparison {reason}; restarting it in {backoff:g} s", flush=True)
            self._requeue(self.proc.pid, reason)
            if self.stopping.wait(backoff):
                return
            self.proc, self.started_at = self._spawn(), time.monotonic()
            self.restarts += 1
            backoff = min(2 * backoff, MAX_RESTART_BACKOFF_SECONDS)

    def _requeue(self, pid: int, reason: str) -> None:
        engine = create_db_engine(self.settings)
        try:
            prefix = f"local:{socket.gethostname()}:{pid}:"
            requeued = queue.requeue_stale(make_session_factory(engine), self.settings, dead_worker=prefix, why=reason)
            if requeued:
                log.warning("re-queued job(s) %s of the dead worker", ", ".join(requeued))
                announce_all(self.settings, requeued)
        except SQLAlchemyError:  # the next worker re-queues it once its heartbeat is stale
            log.exception("could not re-queue the jobs of the dead worker")
        finally:
            engine.dispose()

    def stop(self) -> None:
        """Stop supervising and stop the worker (it finishes or hands back its job; see the module docstring)."""
        self.stopping.set()
        proc = self.proc
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=self.settings.worker_shutdown_grace_seconds + 10)
            except subprocess.TimeoutExpired:
                log.warning("comparison worker (pid %d) did not stop in time; killing it", proc.pid)
                proc.kill()
                proc.wait()
            print(f"comparison worker stopped (exit status {proc.returncode})", flush=True)


def exit_reason(code: int) -> str:
    if code < 0:
        name = signal.Signals(-code).name
        return f"killed by {name}" + (" (out of memory?)" if -code == signal.SIGKILL else "")
    return f"exit status {code}"


def embedded_worker_restarts() -> int:
    return 0 if _supervisor is None else _supervisor.restarts


def announce_all(settings: Settings, job_ids: list[str]) -> None:
    """Tell Celery workers (``job_backend=celery``) about re-queued jobs; a polling worker needs no word."""
    from app.jobs.submit import announce

    for job_id in job_ids:
        announce(settings, job_id)


def start_embedded(settings: Settings) -> Supervisor | None:
    """Start the supervised worker process beside the API (``actlab serve``); stopped when the server exits."""
    if not settings.embedded_worker:
        return None
    global _supervisor
    supervisor = Supervisor(settings)
    _supervisor = supervisor
    threading.Thread(target=supervisor.watch, daemon=True, name="worker-supervisor").start()
    atexit.register(supervisor.stop)
    # uvicorn shuts the API down gracefully on SIGTERM and then raises the signal again; with this handler
    # that ends the process normally, so the atexit hook above stops the worker instead of the kernel
    # killing it with the server (PR_SET_PDEATHSIG) in the middle of a training step.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _exit_normally)
    return supervisor


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
