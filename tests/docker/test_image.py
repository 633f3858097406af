"""The image as users run it: ``actlab serve`` on SQLite with its embedded worker, and the scaled-out shape
(API + Celery worker containers from the same image) on the machine's PostgreSQL and Redis.

Built with torch from the local CPU wheel on a registry-free Debian base (see tests/docker/engine.py).
With CI=true a missing engine, wheel, PostgreSQL or Redis fails these tests; elsewhere they are skipped."""

from __future__ import annotations

import secrets
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import service_unavailable
from tests.docker.engine import IMAGE, Containers, docker, free_port, wait_until
from tests.jobs.test_comparisons import TINY

pytestmark = [pytest.mark.docker, pytest.mark.slow]

#: A Redis database number no other test uses (they use 0), so a stray key of ours bothers nobody.
REDIS_URL = "redis://127.0.0.1:6379/13"
#: Fast health checks, so `healthy` is reached in seconds rather than the image's 30 s interval.
HEALTH_FLAGS = ("--health-interval=1s", "--health-timeout=5s", "--health-retries=3", "--health-start-period=300s")
STOP_GRACE_SECONDS = 30


def production_env(**more: str) -> dict[str, str]:
    """What production refuses to start without (a strong admin token), plus quiet logs and one trainer."""
    return {
        "ACTLAB_ENVIRONMENT": "production",
        "ACTLAB_ADMIN_TOKEN": secrets.token_urlsafe(32),
        "ACTLAB_LOG_LEVEL": "warning",
        "ACTLAB_WORKER_PROCESSES": "1",
        **more,
    }


def api_env(port: int, **more: str) -> dict[str, str]:
    return production_env(ACTLAB_HOST="127.0.0.1", ACTLAB_PORT=str(port), **more)


def wait_ready(api: httpx.Client, containers: Containers, name: str) -> dict[str, Any]:
    """Poll /readyz until 200; a container that exits meanwhile fails at once with its logs."""

    def ready() -> dict[str, Any] | None:
        if not containers.state(name)["Running"]:
            raise AssertionError(f"{name} exited:\n{containers.logs(name)}")
        response = api.get("/readyz")
        body: dict[str, Any] = response.json()
        return body if response.status_code == 200 else None

    return wait_until(ready, timeout=240, what=f"{name} to answer /readyz with 200")


def job_status(api: httpx.Client, job_id: str) -> dict[str, Any]:
    response = api.get(f"/api/v1/comparisons/{job_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def finished(api: httpx.Client, job_id: str) -> Callable[[], dict[str, Any] | None]:
    def probe() -> dict[str, Any] | None:
        status = job_status(api, job_id)
        return status if status["status"] in ("succeeded", "failed", "cancelled") else None

    return probe


def submit(api: httpx.Client, config: dict[str, Any]) -> str:
    created = api.post("/api/v1/comparisons", json=config)
    assert created.status_code == 202, created.text
    job_id: str = created.json()["id"]
    return job_id


def test_image_is_the_small_cpu_image_run_as_a_non_root_user(
    built_image: dict[str, Any], report_measurement: Callable[[str, object], None]
) -> None:
    config = built_image["Config"]
    assert config["User"] == "10001:10001"
    assert config["Cmd"] == ["actlab", "serve"]
    assert config["Healthcheck"]["Test"][0] == "CMD" and "/healthz" in " ".join(config["Healthcheck"]["Test"])
    listed = docker("run", "--rm", "--network", "none", IMAGE, "python", "-c",
                    "import torch; print(torch.__version__, torch.version.cuda)").stdout.split()  # fmt: skip
    assert listed == ["2.13.0+cpu", "None"], listed  # the CPU build, no CUDA libraries
    report_measurement("image_size_mb", round(built_image["Size"] / 1e6))
    report_measurement("build_seconds", built_image["_seconds"])


def test_image_on_sqlite_answers_runs_a_comparison_and_turns_healthy(containers: Containers) -> None:
    port = free_port()
    name = containers.run("sqlite", api_env(port), *HEALTH_FLAGS)
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as api:
        readiness = wait_ready(api, containers, name)
        assert readiness["status"] == "ready", readiness

        asked = api.post("/api/v1/questions", json={"question": "Why does Gemma 2 use GeGLU?"})
        assert asked.status_code == 201, asked.text
        post = asked.json()["post"]
        assert post["author_kind"] == "service" and post["answer_meta"]["grounding"]["ok"], post
        assert post["citations"], post

        job_id = submit(api, TINY)  # run by the worker `actlab serve` starts beside the API
        final = wait_until(finished(api, job_id), timeout=240, what="the embedded worker to run the comparison")
        assert final["status"] == "succeeded", final
        assert [v["variant"] for v in final["results"]["variants"]] == ["ReLU", "GEGLU"]

    health = wait_until(
        lambda: (h := containers.state(name)["Health"])["Status"] == "healthy" and h,
        timeout=120, what="the HEALTHCHECK to report healthy",
    )  # fmt: skip
    assert health["Log"][-1]["ExitCode"] == 0


@pytest.fixture
def redis_queue() -> Iterator[str]:
    """A queue of this test's own in Redis database 13, deleted afterwards."""
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            if not sock.recv(16).startswith(b"+PONG"):
                raise ConnectionError("no PONG")
    except OSError as exc:
        service_unavailable("Redis at 127.0.0.1:6379", exc)
    name = f"actlab-docker-test-{uuid.uuid4().hex[:10]}"
    yield name
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    client.delete(name, f"{name}.reply")
    client.close()


def stop_all(names: list[str]) -> dict[str, float]:
    """``docker stop -t 30`` (SIGTERM, SIGKILL after the grace) on each at once; seconds each stop took."""
    started = time.monotonic()
    stops = {n: subprocess.Popen(["docker", "stop", "-t", str(STOP_GRACE_SECONDS), n],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for n in names}  # fmt: skip
    took = {}
    for name, proc in stops.items():
        _, err = proc.communicate(timeout=STOP_GRACE_SECONDS + 60)
        assert proc.returncode == 0, err
        took[name] = round(time.monotonic() - started, 1)
    return took


def test_api_and_celery_worker_containers_survive_a_killed_worker_and_stop_on_sigterm(
    containers: Containers, pg_url: str, redis_queue: str, report_measurement: Callable[[str, object], None]
) -> None:
    """A worker container killed mid-job is a new host when replaced: its job's heartbeat goes stale and the
    new worker re-queues and runs it. SIGTERM then stops the API and a worker in the middle of a job within
    the grace period, the job handed back to the queue."""
    port = free_port()
    jobs = {
        "ACTLAB_DATABASE_URL": pg_url,
        "ACTLAB_JOB_BACKEND": "celery",
        "ACTLAB_BROKER_URL": REDIS_URL,
        "ACTLAB_CELERY_QUEUE": redis_queue,
        "ACTLAB_WORKER_HEARTBEAT_SECONDS": "1",
        "ACTLAB_WORKER_STALE_SECONDS": "10",
        "ACTLAB_JOB_EVENT_FLUSH_SECONDS": "0.2",
    }
    api_name = containers.run("api", api_env(port, ACTLAB_EMBEDDED_WORKER="false", **jobs))

    def start_worker(role: str) -> str:
        return containers.run(role, production_env(**jobs), f"--hostname=actlab-{role}", "--no-healthcheck",
                              command=("actlab", "worker", "--backend", "celery"))  # fmt: skip

    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as api:
        wait_ready(api, containers, api_name)  # `actlab serve` migrated the fresh database
        first = start_worker("worker-1")
        job_id = submit(api, {**TINY, "steps": 120})
        wait_until(lambda: job_status(api, job_id)["done_steps"] > 0, timeout=180, what="the job to train")
        docker("kill", first)  # SIGKILL: the job is left `running` under a worker that is gone
        assert job_status(api, job_id)["status"] == "running"

        second = start_worker("worker-2")
        restarted = time.monotonic()
        final = wait_until(finished(api, job_id), timeout=60, what="the job to complete on the new worker")
        report_measurement("seconds_from_restart_to_done", round(time.monotonic() - restarted, 1))
        assert final["status"] == "succeeded", final
        assert final["attempts"] == 2, final

        long_job = submit(api, {**TINY, "steps": 5000})
        wait_until(lambda: job_status(api, long_job)["done_steps"] > 0, timeout=120, what="the long job to train")
        took = stop_all([second])
        handed_back = job_status(api, long_job)
        assert handed_back["status"] == "queued" and handed_back["attempts"] == 0, handed_back
        took |= stop_all([api_name])

    for name in (second, api_name):
        state = containers.state(name)
        assert state["ExitCode"] == 0, (name, state, containers.logs(name))  # 137: killed after the grace
        assert took[name] < STOP_GRACE_SECONDS, (name, took)
    report_measurement("sigterm_stop_seconds", took)
