"""The embedded worker is supervised: killed mid-job it is restarted without restarting the server, its
job is re-queued at once (an attempt counted, with the reason) and completes; readiness reports a dead
worker. And it runs with the server's effective settings, wherever the server was started from."""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

import httpx
import pytest

from app.jobs import local
from tests.conftest import open_client, sqlite_settings
from tests.jobs.test_comparisons import TINY, read_events_plain, wait_for
from tests.jobs.test_durability import Servers, job_status, servers

__all__ = ["servers"]  # fixture


def worker_pids(log: str) -> list[int]:
    return [int(pid) for pid in re.findall(r"^comparison worker started \(pid (\d+)\)$", log, re.M)]


def test_a_killed_embedded_worker_is_restarted_and_its_job_completes(
    servers: Servers, db_path: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{db_path}"
    # A stale heartbeat would take 10 minutes here: only the supervisor's re-queue can save the job in time.
    server = servers.start(url, tmp_path / "serve.log", ACTLAB_WORKER_STALE_SECONDS="600")
    job_id = httpx.post(f"{server.base}/api/v1/comparisons", json={**TINY, "steps": 400}, timeout=10).json()["id"]
    wait_for(lambda: job_status(server.base, job_id)["done_steps"] > 0, timeout=120, what="training to start")
    first = server.worker_pid()
    os.kill(first, signal.SIGKILL)
    final = wait_for(
        lambda: (s := job_status(server.base, job_id))["status"] in ("succeeded", "failed") and s,
        timeout=60,
        what="the job to complete after the worker was killed",
    )
    assert final["status"] == "succeeded", final["error"]
    assert final["attempts"] == 2
    assert server.proc.poll() is None  # the server itself was not restarted
    pids = worker_pids(server.log_text())
    assert len(pids) == 2 and pids[0] == first and pids[1] != first
    statuses = [e["data"] for e in read_events_plain(sqlite_settings(db_path), job_id) if e["type"] == "status"]
    assert [e["status"] for e in statuses] == ["queued", "running", "queued", "running", "succeeded"]
    assert f"pid {first}" in statuses[2]["reason"] and "SIGKILL" in statuses[2]["reason"]
    metrics = httpx.get(f"{server.base}/metrics", timeout=10).text
    assert re.search(r"^actlab_embedded_worker_restarts_total 1\.0$", metrics, re.M), metrics
    assert re.search(r"^actlab_embedded_worker_up 1\.0$", metrics, re.M)
    assert httpx.get(f"{server.base}/readyz", timeout=10).status_code == 200


def test_readiness_fails_while_the_embedded_worker_is_down(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with open_client(sqlite_settings(db_path)) as api:
        assert api.get("/readyz").status_code == 200
        monkeypatch.setattr(local, "embedded_worker_alive", lambda: False)
        down = api.get("/readyz")
        assert down.status_code == 503 and "worker" in down.json()["detail"]


def test_the_worker_gets_the_servers_settings_from_any_directory(servers: Servers, tmp_path: Path) -> None:
    """Started from another directory with the default-style relative SQLite URL and a `.env`: the worker
    uses the server's database file and the `.env` settings."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".env").write_text("ACTLAB_JOB_WALL_CLOCK_LIMIT_SECONDS=15\nACTLAB_WORKER_NICE=7\n", encoding="utf-8")
    server = servers.start("sqlite:///./var/actlab.db", tmp_path / "serve.log", cwd=elsewhere)
    assert (elsewhere / "var" / "actlab.db").exists()
    long_id = httpx.post(f"{server.base}/api/v1/comparisons", json={**TINY, "steps": 20_000}, timeout=10).json()["id"]
    short_id = httpx.post(f"{server.base}/api/v1/comparisons", json=TINY, timeout=10).json()["id"]
    ended = ("succeeded", "failed", "cancelled")
    short = wait_for(
        lambda: (s := job_status(server.base, short_id))["status"] in ended and s, timeout=120, what="both jobs"
    )
    assert short["status"] == "succeeded", short["error"]
    long = job_status(server.base, long_id)
    assert long["status"] == "failed" and "15 s" in long["error"], long  # the .env's limit, not the default hour
    worker = server.worker_pid()
    assert os.getpriority(os.PRIO_PROCESS, worker) == os.getpriority(os.PRIO_PROCESS, 0) + 7
