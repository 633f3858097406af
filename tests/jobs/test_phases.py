"""Cancel and the wall-clock limit stop a job in phases without training steps: here the synthetic corpus
build (a power iteration over a 256³ transition tensor that does not mix), and the job's processes are
gone, not left burning CPU."""

from __future__ import annotations

import threading
import time
from typing import Any

from fastapi.testclient import TestClient

from app.config import Settings
from app.jobs import local
from tests.conftest import open_client, sqlite_settings
from tests.jobs.test_comparisons import FAST_WORKER, TINY, api, job_settings, read_events_plain, status_of, wait_for
from tests.jobs.test_durability import job_processes

__all__ = ["api", "job_settings"]  # fixtures

#: A corpus whose build takes ~50 s here: near-deterministic successors (tiny concentration) never mix,
#: so the power iteration runs to its cap.
SLOW_CORPUS: dict[str, Any] = {
    "kind": "synthetic",
    "seed": 1,
    "vocab_size": 256,
    "concentration": 1e-6,
    "bigram_fraction": 1.0,
}


def in_corpus_phase(settings: Settings, job_id: str, before: frozenset[int]) -> bool:
    return any(
        e["type"] == "phase" and e["data"]["phase"] == "corpus" for e in read_events_plain(settings, job_id)
    ) and bool(job_processes(before))


def test_cancel_during_the_corpus_build_stops_the_job_within_2_s(api: TestClient, job_settings: Settings) -> None:
    created = api.post("/api/v1/comparisons", json={**TINY, "corpus": SLOW_CORPUS})
    assert created.status_code == 202, created.text
    job_id = created.json()["id"]
    before = frozenset(job_processes())  # children another test of the run left (a warm pool) are not the job's
    stop = threading.Event()
    worker = threading.Thread(target=local.serve_forever, args=(job_settings, stop), daemon=True)
    worker.start()
    try:
        wait_for(lambda: in_corpus_phase(job_settings, job_id, before), what="the corpus build to start")
        asked = time.monotonic()
        answer = api.delete(
            f"/api/v1/comparisons/{job_id}", headers={"Authorization": f"Bearer {created.json()['cancel_token']}"}
        )
        assert answer.status_code == 202
        wait_for(lambda: status_of(api, job_id)["status"] == "cancelled", timeout=2, what="the job to be cancelled")
        wait_for(lambda: job_processes(before) == [], timeout=max(0.1, 2 - (time.monotonic() - asked)),
                 what="no job process")
        assert time.monotonic() - asked < 2
        assert worker.is_alive()  # the worker itself goes on to the next job
        statuses = [e["data"]["status"] for e in read_events_plain(job_settings, job_id) if e["type"] == "status"]
        assert statuses == ["queued", "running", "cancelled"]
    finally:
        stop.set()
        worker.join(timeout=30)


def test_the_wall_clock_limit_stops_a_corpus_build(db_path: Any) -> None:
    settings = sqlite_settings(db_path, job_wall_clock_limit_seconds=3.0, **FAST_WORKER)
    before = frozenset(job_processes())
    with open_client(settings) as api:
        job_id = api.post("/api/v1/comparisons", json={**TINY, "corpus": SLOW_CORPUS}).json()["id"]
        started = time.monotonic()
        local.serve_forever(settings, once=True)
        took = time.monotonic() - started
        job = status_of(api, job_id)
    assert job["status"] == "failed" and "ACTLAB_JOB_WALL_CLOCK_LIMIT_SECONDS" in job["error"]
    assert took < 3.0 + 5  # the limit, and at most a few seconds to notice and stop
    assert job_processes(before) == []
