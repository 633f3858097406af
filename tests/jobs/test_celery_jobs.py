"""The scaled-out path for real: the API publishes to Redis, a Celery worker process (``actlab worker
--backend celery``) runs the job against PostgreSQL. With CI=true an unreachable Redis or PostgreSQL
fails the test; elsewhere it is skipped with the reason."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from app.cli.common import migrate
from app.config import PROJECT_ROOT, Settings
from tests.conftest import open_client, service_unavailable
from tests.jobs.test_comparisons import TINY, status_of, wait_for

REDIS_URL = os.environ.get("ACTLAB_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


@pytest.fixture
def redis_queue() -> Iterator[str]:
    """A queue name of this test's own on the Redis at 127.0.0.1:6379 (deleted afterwards)."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            if not sock.recv(16).startswith(b"+PONG"):
                raise ConnectionError("no PONG")
    except OSError as exc:
        service_unavailable("Redis at 127.0.0.1:6379", exc)
    name = f"actlab-test-{uuid.uuid4().hex[:10]}"
    yield name
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.delete(name)
    client.close()


@pytest.fixture
def celery_settings(pg_url: str, redis_queue: str) -> Settings:
    settings = Settings(  # type: ignore[call-arg]
        database_url=pg_url,
        environment="test",
        job_backend="celery",
        broker_url=REDIS_URL,
        celery_queue=redis_queue,
        job_event_flush_seconds=0.1,
        worker_heartbeat_seconds=0.3,
    )
    migrate(settings)
    return settings


def test_celery_worker_runs_a_job_end_to_end(celery_settings: Settings) -> None:
    env = {
        **os.environ,
        "ACTLAB_DATABASE_URL": celery_settings.database_url,
        "ACTLAB_BROKER_URL": REDIS_URL,
        "ACTLAB_CELERY_QUEUE": celery_settings.celery_queue,
        "ACTLAB_JOB_BACKEND": "celery",
        "ACTLAB_WORKER_PROCESSES": "2",
        "ACTLAB_JOB_EVENT_FLUSH_SECONDS": "0.1",
        "ACTLAB_LOG_LEVEL": "warning",
    }
    with open_client(celery_settings) as api:
        # Submitted before any worker runs: the message waits in Redis.
        created = api.post("/api/v1/comparisons", json=TINY)
        assert created.status_code == 202, created.text
        job_id = created.json()["id"]
        worker = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "worker", "--backend", "celery"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            final: dict[str, Any] = wait_for(
                lambda: (s := status_of(api, job_id))["status"] in ("succeeded", "failed") and s,
                timeout=180,
                what="the Celery worker to run the job",
            )
            assert final["status"] == "succeeded", final["error"]
            assert final["results"]["environment"]["workers"] == 2
            assert [v["variant"] for v in final["results"]["variants"]] == ["ReLU", "GEGLU"]
            # The same job id, run once, by a Celery worker.
            from app.db import create_db_engine, make_session_factory
            from app.orm.jobs import Job

            engine = create_db_engine(celery_settings)
            with make_session_factory(engine)() as session:
                job = session.get(Job, job_id)
                assert job is not None and job.worker is not None and job.worker.startswith("celery:")
                assert job.attempts == 1
            engine.dispose()
            # An identical config is answered from the stored result at once.
            started = time.monotonic()
            again = api.post("/api/v1/comparisons", json=TINY)
            assert again.status_code == 200 and again.json()["cached"] is True
            assert time.monotonic() - started < 5
        finally:
            worker.terminate()
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()


def test_celery_worker_hands_its_job_back_on_sigterm(celery_settings: Settings) -> None:
    """Warm shutdown (SIGTERM) of a Celery worker: the running job goes back to the queue after its current
    step, its attempt not counted, and is published again for the other workers."""
    import redis

    env = {
        **os.environ,
        "ACTLAB_DATABASE_URL": celery_settings.database_url,
        "ACTLAB_BROKER_URL": REDIS_URL,
        "ACTLAB_CELERY_QUEUE": celery_settings.celery_queue,
        "ACTLAB_JOB_BACKEND": "celery",
        "ACTLAB_WORKER_PROCESSES": "1",
        "ACTLAB_JOB_EVENT_FLUSH_SECONDS": "0.1",
        "ACTLAB_WORKER_SHUTDOWN_GRACE_SECONDS": "0",
        "ACTLAB_LOG_LEVEL": "warning",
    }
    with open_client(celery_settings) as api:
        job_id = api.post("/api/v1/comparisons", json={**TINY, "steps": 5000}).json()["id"]
        worker = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "worker", "--backend", "celery"],
            cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        try:
            wait_for(lambda: status_of(api, job_id)["done_steps"] > 0, timeout=120, what="the job to train")
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=60)
            job = status_of(api, job_id)
            assert job["status"] == "queued" and job["attempts"] == 0, job
            client = redis.Redis.from_url(REDIS_URL)
            try:
                assert client.llen(celery_settings.celery_queue) >= 1  # published again
            finally:
                client.close()
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=30)


def test_a_job_of_a_killed_celery_worker_runs_on_the_next_worker_within_60_s(celery_settings: Settings) -> None:
    """A worker SIGKILLed mid-job and replaced at once: its job's heartbeat is still fresh and its message
    sits unacknowledged in Redis until the visibility timeout (an hour). The new worker sees the dead
    worker's process is gone, re-queues the job and publishes it again."""
    env = {
        **os.environ,
        "ACTLAB_DATABASE_URL": celery_settings.database_url,
        "ACTLAB_BROKER_URL": REDIS_URL,
        "ACTLAB_CELERY_QUEUE": celery_settings.celery_queue,
        "ACTLAB_JOB_BACKEND": "celery",
        "ACTLAB_WORKER_PROCESSES": "1",
        "ACTLAB_JOB_EVENT_FLUSH_SECONDS": "0.1",
        "ACTLAB_WORKER_STALE_SECONDS": "600",  # a stale heartbeat would come far too late
        "ACTLAB_LOG_LEVEL": "warning",
    }

    def start_worker() -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "app.cli", "worker", "--backend", "celery"],
            cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    with open_client(celery_settings) as api:
        job_id = api.post("/api/v1/comparisons", json={**TINY, "steps": 300}).json()["id"]
        first = start_worker()
        second = None
        try:
            wait_for(lambda: status_of(api, job_id)["done_steps"] > 0, timeout=120, what="the job to train")
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=30)
            assert status_of(api, job_id)["status"] == "running"  # stranded under the dead worker
            second = start_worker()
            final = wait_for(
                lambda: (s := status_of(api, job_id))["status"] in ("succeeded", "failed") and s,
                timeout=60,
                what="the job to run on the new worker",
            )
            assert final["status"] == "succeeded", final["error"]
            assert final["attempts"] == 2
        finally:
            for proc in (first, second):
                if proc is not None and proc.poll() is None:
                    proc.kill()
                    proc.wait(timeout=30)
