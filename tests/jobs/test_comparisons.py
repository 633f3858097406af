"""Comparison jobs end to end on SQLite: submit, limits, cache, cancel, SSE, pages, and a worker killed
mid-job whose job completes after a restart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.clock import utcnow
from app.config import PROJECT_ROOT, Settings
from app.jobs import local
from tests.conftest import open_client, sqlite_settings

TINY: dict[str, Any] = {
    "kind": "quality",
    "variants": ["ReLU", "GEGLU"],
    "seeds": 2,
    "d_model": 16,
    "n_layers": 1,
    "n_heads": 2,
    "seq_len": 16,
    "batch_size": 4,
    "steps": 6,
    "device": "cpu",
    "corpus": {"kind": "synthetic", "seed": 1, "vocab_size": 8},
}
FAST_WORKER = {
    "worker_processes": 1,
    "worker_poll_seconds": 0.1,
    "worker_heartbeat_seconds": 0.3,
    "job_event_flush_seconds": 0.1,
    "job_cancel_poll_seconds": 0.05,
}


@pytest.fixture
def job_settings(db_path: Path) -> Settings:
    return sqlite_settings(db_path, **FAST_WORKER)


@pytest.fixture
def api(job_settings: Settings) -> Iterator[TestClient]:
    with open_client(job_settings) as client:
        yield client


def wait_for(predicate: Callable[[], Any], timeout: float = 60.0, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def status_of(api: TestClient, job_id: str) -> dict[str, Any]:
    response = api.get(f"/api/v1/comparisons/{job_id}")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_submit_run_and_cache_hit(api: TestClient, job_settings: Settings) -> None:
    created = api.post("/api/v1/comparisons", json=TINY)
    assert created.status_code == 202, created.text
    job = created.json()
    assert created.headers["location"] == f"/api/v1/comparisons/{job['id']}"
    assert job["status"] == "queued" and job["queue_position"] == 1 and job["cached"] is False
    assert job["config"]["steps"] == 6 and job["config"]["lr"] == 0.003  # defaults filled in
    assert job["device_class"] == "cpu" and job["code_version"].startswith("src-")

    local.serve_forever(job_settings, once=True)

    done = status_of(api, job["id"])
    assert done["status"] == "succeeded" and done["progress"] == 1.0 and done["attempts"] == 1
    assert [v["variant"] for v in done["results"]["variants"]] == ["ReLU", "GEGLU"]

    again = api.post("/api/v1/comparisons", json=TINY)
    assert again.status_code == 200 and again.json()["cached"] is True
    assert again.json()["id"] == job["id"] and again.json()["results"] == done["results"]

    other = api.post("/api/v1/comparisons", json={**TINY, "steps": 7})
    assert other.status_code == 202 and other.json()["id"] != job["id"]

    listed = api.get("/api/v1/comparisons").json()
    assert listed["total"] == 2 and {j["id"] for j in listed["items"]} == {job["id"], other.json()["id"]}
    assert "results" not in listed["items"][0]


def test_events_replay_and_resume_with_last_event_id(api: TestClient, job_settings: Settings) -> None:
    job_id = api.post("/api/v1/comparisons", json=TINY).json()["id"]
    local.serve_forever(job_settings, once=True)
    events = read_events(api, job_id)
    kinds = [e["event"] for e in events]
    assert kinds[0] == "status" and events[0]["data"]["status"] == "queued"
    assert events[-1]["event"] == "status" and events[-1]["data"]["status"] == "succeeded"
    points = [p for e in events if e["event"] == "progress" for p in e["data"]["points"]]
    assert len(points) == 2 * 2 * 6  # every step of every (variant, seed)
    assert {(p["variant"], p["seed"]) for p in points} == {("ReLU", 0), ("ReLU", 1), ("GEGLU", 0), ("GEGLU", 1)}
    ids = [int(e["id"]) for e in events]
    assert ids == list(range(1, len(ids) + 1))
    resumed = read_events(api, job_id, headers={"Last-Event-ID": str(ids[2])})
    assert [int(e["id"]) for e in resumed] == ids[3:]


def read_events(api: TestClient, job_id: str, headers: dict[str, str] | None = None) -> list[dict[str, Any]]:
    import json

    events, current = [], {}
    with api.stream("GET", f"/api/v1/comparisons/{job_id}/events", headers=headers or {}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if not line:
                if "event" in current:
                    events.append(current)
                current = {}
            elif line.startswith(("id:", "event:", "data:")):
                key, value = line.split(":", 1)
                current[key] = json.loads(value) if key == "data" else value.strip()
    return events


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


def test_cancel_a_queued_job_and_refuse_to_cancel_a_finished_one(api: TestClient, job_settings: Settings) -> None:
    created = api.post("/api/v1/comparisons", json=TINY).json()
    job_id, token = created["id"], created["cancel_token"]
    cancelled = api.delete(f"/api/v1/comparisons/{job_id}", headers=bearer(token))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert "cancel_token" not in cancelled.json()  # shown once, at submission
    local.serve_forever(job_settings, once=True)  # nothing left to claim
    assert status_of(api, job_id)["status"] == "cancelled"
    assert api.delete(f"/api/v1/comparisons/{job_id}", headers=bearer(token)).status_code == 409
    missing = api.delete("/api/v1/comparisons/nope", headers=bearer(token))
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")


ADMIN = "an-admin-token-for-the-tests"


def test_only_the_submitter_or_the_admin_may_cancel(db_path: Path) -> None:
    from sqlalchemy import select

    from app.db import create_db_engine
    from app.jobs import queue as job_queue
    from app.orm.jobs import Job

    with open_client(sqlite_settings(db_path, admin_token=ADMIN, **FAST_WORKER)) as api:
        mine = api.post("/api/v1/comparisons", json=TINY)
        theirs = api.post("/api/v1/comparisons", json={**TINY, "steps": 7})
        third = api.post("/api/v1/comparisons", json={**TINY, "steps": 8})
        assert mine.status_code == theirs.status_code == third.status_code == 202
        token = mine.json()["cancel_token"]
        assert isinstance(token, str) and len(token) >= 40 and token != theirs.json()["cancel_token"]
        # The same config again is the same job, not yours: no token.
        again = api.post("/api/v1/comparisons", json=TINY)
        assert again.status_code == 202 and again.json()["id"] == mine.json()["id"]
        assert again.json()["cancel_token"] is None

        url = f"/api/v1/comparisons/{theirs.json()['id']}"
        missing = api.delete(url)
        assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
        assert missing.headers["content-type"].startswith("application/problem+json")
        wrong = api.delete(url, headers=bearer("not-a-token-of-any-job"))
        assert wrong.status_code == 401 and "invalid_token" in wrong.headers["www-authenticate"]
        other = api.delete(url, headers=bearer(token))  # a valid token, of another job
        assert other.status_code == 403 and "another job" in other.json()["detail"]
        assert status_of(api, theirs.json()["id"])["status"] == "queued"

        assert api.delete(f"/api/v1/comparisons/{mine.json()['id']}", headers=bearer(token)).status_code == 200
        by_admin = api.delete(url, headers=bearer(ADMIN))
        assert by_admin.status_code == 200 and by_admin.json()["status"] == "cancelled"

        # Only a hash of the token is stored.
        engine = create_db_engine(sqlite_settings(db_path))
        try:
            with engine.connect() as conn:
                stored = dict(conn.execute(select(Job.id, Job.cancel_token_hash)).all())
        finally:
            engine.dispose()
        assert stored[mine.json()["id"]] == job_queue.token_hash(token) and token not in stored.values()
        assert all(h is not None and len(h) == 64 for h in stored.values())


def test_cancel_a_running_job_stops_it_at_a_step(api: TestClient, job_settings: Settings) -> None:
    created = api.post("/api/v1/comparisons", json={**TINY, "steps": 5000}).json()
    job_id = created["id"]
    stop = threading.Event()
    worker = threading.Thread(target=local.serve_forever, args=(job_settings, stop), daemon=True)
    worker.start()
    try:
        wait_for(lambda: status_of(api, job_id)["done_steps"] > 0, what="the job to start training")
        answer = api.delete(f"/api/v1/comparisons/{job_id}", headers=bearer(created["cancel_token"]))
        assert answer.status_code == 202 and answer.json()["cancel_requested"] is True
        asked = time.monotonic()
        final = wait_for(lambda: (s := status_of(api, job_id))["status"] == "cancelled" and s, what="cancellation")
        assert time.monotonic() - asked < 5
        assert final["done_steps"] < final["total_steps"] and final["results"] is None
    finally:
        stop.set()
        worker.join(timeout=30)


def test_full_queue_answers_429_with_retry_after(db_path: Path) -> None:
    with open_client(sqlite_settings(db_path, compare_queue_max=1)) as api:
        assert api.post("/api/v1/comparisons", json=TINY).status_code == 202
        full = api.post("/api/v1/comparisons", json={**TINY, "steps": 7})
        assert full.status_code == 429
        assert full.headers["content-type"].startswith("application/problem+json")
        assert int(full.headers["retry-after"]) >= 1
        assert "ACTLAB_COMPARE_QUEUE_MAX" in full.json()["detail"]
        # an identical config is not new work: it is answered with the queued job, not 429
        assert api.post("/api/v1/comparisons", json=TINY).status_code == 202


def test_oversize_configs_get_422_naming_the_limit(api: TestClient, db_path: Path) -> None:
    too_long = api.post("/api/v1/comparisons", json={**TINY, "steps": 10**6})
    assert too_long.status_code == 422
    body = too_long.json()
    assert body["errors"][0]["loc"] == ["body", "steps"] and body["errors"][0]["limit"] == 20_000
    assert "ACTLAB_COMPARE_MAX_STEPS" in body["detail"]

    with open_client(sqlite_settings(db_path, compare_max_expected_seconds=30)) as strict:
        costly = strict.post("/api/v1/comparisons", json={"kind": "quality", "device": "cpu"})
        assert costly.status_code == 422
        assert "ACTLAB_COMPARE_MAX_EXPECTED_SECONDS" in costly.json()["detail"]
        assert costly.json()["errors"][0]["limit"] == 30

    wrong_field = api.post("/api/v1/comparisons", json={**TINY, "tokens": 64})
    assert wrong_field.status_code == 422 and wrong_field.json()["errors"][0]["loc"] == ["body", "tokens"]
    unknown = api.post("/api/v1/comparisons", json={**TINY, "variants": ["ReLU", "TanhGLU"]})
    assert unknown.status_code == 422 and "SwiGLU" in unknown.json()["detail"]


def test_text_corpus_upload_limit(db_path: Path, job_settings: Settings) -> None:
    with open_client(sqlite_settings(db_path, compare_corpus_max_bytes=1000, **FAST_WORKER)) as api:
        text = "the quick brown fox jumps over the lazy dog. " * 20  # 900 bytes
        ok = api.post("/api/v1/comparisons", json={**TINY, "corpus": {"kind": "text", "text": text}})
        assert ok.status_code == 202, ok.text
        corpus = ok.json()["config"]["corpus"]
        assert "text" not in corpus and len(corpus["sha256"]) == 64
        big = api.post("/api/v1/comparisons", json={**TINY, "corpus": {"kind": "text", "text": text * 2}})
        assert big.status_code == 413 and big.json()["errors"][0]["limit"] == 1000
        local.serve_forever(sqlite_settings(db_path, compare_corpus_max_bytes=1000, **FAST_WORKER), once=True)
        done = status_of(api, ok.json()["id"])
        assert done["status"] == "succeeded", done["error"]
        assert (
            done["results"]["corpus"]["name"] == "user text" and done["results"]["corpus"]["vocab_size"] == 28
        )  # a-z, space, "."


def test_pages_form_live_view_and_result(api: TestClient, job_settings: Settings) -> None:
    page = api.get("/comparisons")
    assert page.status_code == 200 and 'name="variants" value="GEGLU"' in page.text
    posted = api.post(
        "/comparisons",
        data={
            "kind": "quality",
            "variants": ["ReLU", "GEGLU"],
            "d_model": "16",
            "n_layers": "1",
            "n_heads": "2",
            "seq_len": "16",
            "batch_size": "4",
            "steps": "6",
            "seeds": "2",
            "corpus_seed": "1",
            "device": "cpu",
            "matched": "1",
        },
        follow_redirects=False,
    )
    assert posted.status_code == 303, posted.text
    job_page = posted.headers["location"]
    cookie = posted.headers["set-cookie"]
    assert cookie.startswith("actlab_cancel_token=") and f"Path={job_page}" in cookie
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    live = api.get(job_page)
    assert live.status_code == 200 and 'http-equiv="refresh"' in live.text and "<progress" in live.text
    assert f'action="{job_page}/cancel"' in live.text  # the submitter sees the Cancel button
    api.cookies.clear()
    assert f'action="{job_page}/cancel"' not in api.get(job_page).text  # others do not
    local.serve_forever(job_settings, once=True)
    result = api.get(job_page)
    assert result.status_code == 200 and 'http-equiv="refresh"' not in result.text
    assert result.text.count("<svg") >= 2 and "Welch" in result.text and "/papers/glu-variants-2020" in result.text
    assert "±" in result.text


def test_a_job_survives_a_killed_worker(job_settings: Settings, db_path: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "ACTLAB_DATABASE_URL": job_settings.database_url,
        "ACTLAB_WORKER_STALE_SECONDS": "2",
        "ACTLAB_WORKER_HEARTBEAT_SECONDS": "0.3",
        "ACTLAB_WORKER_POLL_SECONDS": "0.2",
        "ACTLAB_JOB_EVENT_FLUSH_SECONDS": "0.1",
        "ACTLAB_WORKER_PROCESSES": "2",
        "ACTLAB_LOG_LEVEL": "warning",
    }

    def start_worker() -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "app.jobs.local"], cwd=PROJECT_ROOT, env=env)

    with open_client(job_settings) as api:
        job_id = api.post("/api/v1/comparisons", json={**TINY, "steps": 400}).json()["id"]
        first = start_worker()
        try:
            wait_for(lambda: status_of(api, job_id)["done_steps"] > 20, what="training to start")
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
            killed = status_of(api, job_id)
            assert killed["status"] == "running" and killed["attempts"] == 1
            second = start_worker()
            try:
                final = wait_for(
                    lambda: (s := status_of(api, job_id))["status"] in ("succeeded", "failed") and s,
                    timeout=180,
                    what="the job to finish after the restart",
                )
            finally:
                second.terminate()
                second.wait(timeout=30)
        finally:
            if first.poll() is None:
                first.kill()
    assert final["status"] == "succeeded", final["error"]
    assert final["attempts"] == 2
    statuses = [e["data"]["status"] for e in read_events_plain(job_settings, job_id) if e["type"] == "status"]
    assert statuses == ["queued", "running", "queued", "running", "succeeded"]


def read_events_plain(settings: Settings, job_id: str) -> list[dict[str, Any]]:
    from app.db import create_db_engine, make_session_factory
    from app.jobs import queue

    engine = create_db_engine(settings)
    try:
        with make_session_factory(engine)() as session:
            return [{"type": e.type, "data": e.data} for e in queue.events_after(session, job_id, 0, limit=10_000)]
    finally:
        engine.dispose()


def test_stale_jobs_fail_with_the_reason_after_the_last_attempt(job_settings: Settings) -> None:
    from datetime import timedelta

    from app.db import create_db_engine, make_session_factory
    from app.jobs import queue
    from app.orm.jobs import Job

    settings = job_settings.model_copy(update={"job_max_attempts": 1, "worker_stale_seconds": 1})
    engine = create_db_engine(settings)
    factory = make_session_factory(engine)
    try:
        with factory() as session:
            job_id = queue.submit(session, settings, TINY).job.id
            session.commit()
        assert queue.claim(factory, "dead-worker") is not None
        with factory() as session:
            job = session.get(Job, job_id)
            assert job is not None
            job.heartbeat_at = utcnow() - timedelta(seconds=5)
            session.commit()
        assert queue.requeue_stale(factory, settings) == []
        with factory() as session:
            job = session.get(Job, job_id)
            assert job is not None and job.status == "failed"
            assert job.error is not None and "gave up after 1 attempts" in job.error and "dead-worker" in job.error
    finally:
        engine.dispose()


def test_two_claims_never_take_the_same_job(job_settings: Settings) -> None:
    from app.db import create_db_engine, make_session_factory
    from app.jobs import queue

    engine = create_db_engine(job_settings)
    factory = make_session_factory(engine)
    try:
        with factory() as session:
            queue.submit(session, job_settings, TINY)
            session.commit()
        claimed: list[Any] = []
        threads = [threading.Thread(target=lambda i=i: claimed.append(queue.claim(factory, f"w{i}"))) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sum(1 for c in claimed if c is not None) == 1
    finally:
        engine.dispose()


def test_a_bad_form_field_is_a_422_naming_it(api: TestClient) -> None:
    bad = api.post("/comparisons", data={"kind": "quality", "steps": "0", "device": "cpu"}, follow_redirects=False)
    assert bad.status_code == 422 and "steps" in bad.text
    worse = api.post("/comparisons", data={"kind": "quality", "steps": "many"}, follow_redirects=False)
    assert worse.status_code == 422 and "steps" in worse.text


def test_the_page_cancel_button_works_for_the_submitter_only(api: TestClient) -> None:
    form = {"kind": "quality", "variants": ["ReLU", "GEGLU"], "d_model": "16", "n_layers": "1", "n_heads": "2",
            "seq_len": "16", "batch_size": "4", "steps": "9", "seeds": "2", "corpus_seed": "1", "device": "cpu"}
    posted = api.post("/comparisons", data=form, follow_redirects=False)
    job_page = posted.headers["location"]
    job_id = job_page.rsplit("/", 1)[1]
    token = api.cookies.get("actlab_cancel_token")
    assert token is not None
    api.cookies.clear()
    refused = api.post(f"{job_page}/cancel", follow_redirects=False, headers={"accept": "text/html"})
    assert refused.status_code == 401 and "text/html" in refused.headers["content-type"]
    assert status_of(api, job_id)["status"] == "queued"
    api.cookies.set("actlab_cancel_token", token, path=job_page)
    cancelled = api.post(f"{job_page}/cancel", follow_redirects=False)
    assert cancelled.status_code == 303 and cancelled.headers["location"] == job_page
    assert status_of(api, job_id)["status"] == "cancelled"
    # The cross-site check still guards the button (SameSite=Strict keeps the cookie home as well).
    cross = api.post(f"{job_page}/cancel", headers={"sec-fetch-site": "cross-site"}, follow_redirects=False)
    assert cross.status_code == 403
