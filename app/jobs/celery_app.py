"""Scaled-out execution: Celery workers (one per GPU) consume the same jobs through a Redis broker.

The database stays the source of truth; the broker only carries job ids. The API publishes
``actlab.run_job(job_id)`` after storing a queued job (``job_backend=celery``); a worker claims that
job with the same atomic claim as the embedded worker and runs it with the same ``runner.execute``.
A duplicate or late message is harmless: the claim fails and the task returns. When a worker starts
it re-queues jobs whose worker died and re-publishes every queued job, so nothing waits on a lost
message: jobs of workers that died are re-queued *and published again* — at once for a dead worker on
this host, within a third of ``worker_stale_seconds`` otherwise (a reaper thread in every worker).

Start with ``actlab worker --backend celery`` (solo pool, one job at a time: a GPU per worker, and
a quality job's CPU training processes must be children of a non-daemonic process).

Shutdown: on SIGTERM (Celery's warm shutdown) the running job is finished if it should end within
``worker_shutdown_grace_seconds``, else handed back to the queue after its current step (the attempt
not counted) and published again, so another worker takes it at once.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from functools import cache
from typing import Any

from celery import Celery
from celery.signals import worker_ready, worker_shutting_down
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings, get_settings
from app.db import create_db_engine, make_session_factory
from app.jobs import queue, runner
from app.orm.jobs import Job

log = logging.getLogger("actlab.jobs")
TASK_NAME = "actlab.run_job"
#: Set when this worker process starts its warm shutdown; the running job sees it at its next step.
_shutting_down = threading.Event()


def make_celery(broker_url: str, queue_name: str) -> Celery:
    app = Celery("actlab", broker=broker_url)
    app.conf.update(
        task_default_queue=queue_name,
        task_acks_late=True,  # a message is acknowledged when the job ends, not when it starts
        worker_prefetch_multiplier=1,
        task_ignore_result=True,  # results live in the database
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=5,
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5},
    )
    app.task(name=TASK_NAME)(run_job)
    return app


@cache
def celery_app_for(broker_url: str, queue_name: str) -> Celery:
    return make_celery(broker_url, queue_name)


def celery_app() -> Celery:
    """The Celery app of this process's settings (``celery -A app.jobs.celery_app`` finds it too)."""
    settings = get_settings()
    return celery_app_for(settings.broker_url, settings.celery_queue)


@cache
def _session_factory() -> sessionmaker[Session]:
    return make_session_factory(create_db_engine(get_settings()))


def safe_url(url: str) -> str:
    """A URL fit for logs: the password replaced by ***."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]


def run_job(job_id: str) -> str:
    """Claim ``job_id`` if it is still queued and run it; returns its final status or why it was skipped.

    A message redelivered after its worker died finds the job still 'running' under the dead worker:
    stale jobs are re-queued first, so the redelivery picks it up instead of skipping it forever."""
    settings = get_settings()
    factory = _session_factory()
    me = runner.worker_id("celery")
    reap_and_publish(settings, factory)
    job = queue.claim(factory, me, job_id=job_id)
    if job is None:
        return "skipped: not queued"
    status = runner.execute(factory, settings, job.id, me, _shutting_down)
    if status == "queued":  # handed back on shutdown: tell the other workers
        publish(settings, job.id)
    return status


def publish(settings: Settings, job_id: str) -> None:
    """Tell the Celery workers about a queued job. If the broker is unreachable the job stays queued
    in the database, and the next worker to start publishes it again (see ``_on_worker_ready``)."""
    try:
        celery_app_for(settings.broker_url, settings.celery_queue).send_task(
            TASK_NAME, args=[job_id], queue=settings.celery_queue
        )
    except Exception:
        log.warning(
            "could not publish job %s to %s; it stays queued", job_id, safe_url(settings.broker_url), exc_info=True
        )


@worker_shutting_down.connect
def _on_worker_shutting_down(**_: Any) -> None:
    _shutting_down.set()


def requeue_dead_local_workers(factory: sessionmaker[Session], settings: Settings) -> list[str]:
    """Re-queue at once the running jobs of Celery workers on this host whose process is gone (a worker
    killed and restarted quickly: its job's heartbeat is still fresh, so waiting for it to go stale would
    leave the job stranded for ``worker_stale_seconds``)."""
    host = socket.gethostname()
    requeued: list[str] = []
    with factory() as session:
        owners = session.scalars(
            select(Job.worker).where(Job.status == "running", Job.worker.startswith(f"celery:{host}:", autoescape=True))
        ).all()
    for owner in set(filter(None, owners)):
        pid_text = owner.split(":")[2] if owner.count(":") >= 3 else ""
        pid = int(pid_text) if pid_text.isdigit() else os.getpid()
        if pid != os.getpid() and not _alive(pid):
            why = f"worker {owner} is gone (process {pid} no longer runs on {host})"
            requeued += queue.requeue_stale(factory, settings, dead_worker=f"celery:{host}:{pid}:", why=why)
    return requeued


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap_and_publish(settings: Settings, factory: sessionmaker[Session]) -> list[str]:
    """Re-queue the jobs of dead workers and publish each re-queued job, so that no job waits for the
    broker to redeliver its lost message (Redis: after the visibility timeout, an hour by default)."""
    requeued = requeue_dead_local_workers(factory, settings) + queue.requeue_stale(factory, settings)
    for job_id in requeued:
        publish(settings, job_id)
    if requeued:
        log.info("re-queued and published %d job(s) whose worker died: %s", len(requeued), ", ".join(requeued))
    return requeued


def _reaper(settings: Settings, stop: threading.Event) -> None:
    """While this worker runs: re-queue and publish jobs whose worker died, wherever it ran."""
    interval = max(0.5, settings.worker_stale_seconds / 3)
    while not stop.wait(interval):
        try:
            reap_and_publish(settings, _session_factory())
        except Exception:  # a broker or database hiccup: the next round retries
            log.warning("re-queueing the jobs of dead workers failed", exc_info=True)


@worker_ready.connect
def _on_worker_ready(**_: Any) -> None:
    """On start: re-queue the jobs of dead workers, publish every queued job of the database (a message
    may have been lost with its worker), and keep reaping while this worker runs."""
    settings = get_settings()
    factory = _session_factory()
    reap_and_publish(settings, factory)
    for job_id in queue.queued_ids(factory):
        publish(settings, job_id)
    threading.Thread(target=_reaper, args=(settings, _shutting_down), daemon=True, name="reaper").start()


def run_worker(settings: Settings) -> None:
    """``actlab worker --backend celery``: a solo-pool worker on ``celery_queue``."""
    from app.jobs.worker_env import prepare_process

    prepare_process(settings)
    celery_app().worker_main(
        [
            "worker",
            "--pool=solo",
            "--concurrency=1",
            f"--queues={settings.celery_queue}",
            f"--loglevel={settings.log_level.upper()}",
            "--without-gossip",
            "--without-mingle",
        ]
    )
