"""One client may have at most ACTLAB_COMPARE_MAX_UNFINISHED_PER_CLIENT unfinished comparisons; more get a
429 problem naming the limit, with Retry-After. Other clients, and identical configs, are not held back.

The count is in the database, so it holds on SQLite and PostgreSQL alike, across API processes and restarts,
for the API and the question box (the form: tests/test_forms_keep_input.py), and when many submit at the same
instant (here: separate processes released together), neither a client's quota nor the queue's capacity is overrun.
"""

from __future__ import annotations

import multiprocessing
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.cli.common import migrate, seed
from app.config import Settings
from app.db import create_db_engine, make_session_factory
from app.jobs.quota import client_hash
from app.orm.jobs import Job, JobSubmitter
from tests.conftest import open_client
from tests.jobs.racing_submitter import submit_at_once
from tests.jobs.test_comparisons import TINY

ALICE, BOB = {"X-Forwarded-For": "203.0.113.7"}, {"X-Forwarded-For": "198.51.100.9"}


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated and seeded database of either kind (tests below add their own settings on top)."""
    url = f"sqlite:///{tmp_path}/quota.db" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    settings = Settings(database_url=url, environment="test")
    migrate(settings)
    seed(settings)
    return url


def quota_settings(url: str, **overrides: Any) -> Settings:
    return Settings(database_url=url, environment="test", trust_forwarded_for=True, **overrides)


def test_a_client_may_have_only_its_quota_of_unfinished_jobs(database_url: str) -> None:
    settings = quota_settings(database_url, compare_max_unfinished_per_client=2)
    with open_client(settings) as api:
        first = api.post("/api/v1/comparisons", json=TINY, headers=ALICE)
        assert first.status_code == 202
        assert api.post("/api/v1/comparisons", json={**TINY, "steps": 7}, headers=ALICE).status_code == 202
        refused = api.post("/api/v1/comparisons", json={**TINY, "steps": 8}, headers=ALICE)
        assert refused.status_code == 429
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert int(refused.headers["retry-after"]) >= 1
        body = refused.json()
        assert "ACTLAB_COMPARE_MAX_UNFINISHED_PER_CLIENT" in body["detail"]
        assert body["errors"][0]["loc"] == ["client"] and body["errors"][0]["limit"] == 2
        # the same config again is not new work; another client has its own quota
        assert api.post("/api/v1/comparisons", json=TINY, headers=ALICE).status_code == 202
        assert api.post("/api/v1/comparisons", json={**TINY, "steps": 8}, headers=BOB).status_code == 202
        # once one of alice's jobs has finished she may queue another
        token = first.json()["cancel_token"]
        assert api.delete(f"/api/v1/comparisons/{first.json()['id']}", headers={"Authorization": f"Bearer {token}"})
        assert api.post("/api/v1/comparisons", json={**TINY, "steps": 9}, headers=ALICE).status_code == 202


def test_the_quota_holds_across_api_processes_and_restarts(database_url: str) -> None:
    """Two app instances on one database are two API processes: each sees the jobs the other queued."""
    settings = quota_settings(database_url, compare_max_unfinished_per_client=2)
    with open_client(settings) as one:
        assert one.post("/api/v1/comparisons", json=TINY, headers=ALICE).status_code == 202
        with open_client(settings) as other:
            assert other.post("/api/v1/comparisons", json={**TINY, "steps": 7}, headers=ALICE).status_code == 202
            assert one.post("/api/v1/comparisons", json={**TINY, "steps": 8}, headers=ALICE).status_code == 429
            assert other.post("/api/v1/comparisons", json={**TINY, "steps": 8}, headers=ALICE).status_code == 429
    with open_client(settings) as restarted:
        refused = restarted.post("/api/v1/comparisons", json={**TINY, "steps": 8}, headers=ALICE)
        assert refused.status_code == 429
        assert restarted.post("/api/v1/comparisons", json={**TINY, "steps": 8}, headers=BOB).status_code == 202


def test_the_address_is_not_stored_only_a_pseudonym(database_url: str) -> None:
    settings = quota_settings(database_url)
    with open_client(settings) as api:
        job_id = api.post("/api/v1/comparisons", json=TINY, headers=ALICE).json()["id"]
    engine = create_db_engine(settings)
    try:
        with make_session_factory(engine)() as session:
            stored = session.scalars(select(JobSubmitter.client_hash).where(JobSubmitter.job_id == job_id)).all()
    finally:
        engine.dispose()
    assert len(stored) == 1 and len(stored[0]) == 64
    assert "203.0.113.7" not in stored[0]


def test_a_question_that_starts_a_comparison_counts_against_the_askers_quota(database_url: str) -> None:
    settings = quota_settings(database_url, compare_max_unfinished_per_client=1)
    question = "run a comparison of SwiGLU against ReLU with 2 seeds"
    with open_client(settings) as api:
        assert api.post("/api/v1/comparisons", json=TINY, headers=ALICE).status_code == 202
        refused = api.post("/api/v1/questions", json={"question": question}, headers=ALICE)
        assert refused.status_code == 201  # the question is answered: the answer says why nothing started
        post = refused.json()["post"]
        assert "unfinished comparisons" in post["body"]
        assert not any(a.get("kind") == "job" for a in post["attachments"])
        started = api.post("/api/v1/questions", json={"question": question}, headers=BOB)
        assert any(a.get("kind") == "job" for a in started.json()["post"]["attachments"])
        # and bob, now at his quota of one, cannot start a second through the API
        assert api.post("/api/v1/comparisons", json={**TINY, "steps": 7}, headers=BOB).status_code == 429


# --- many submitters at the same instant, each in its own process ---------------------------------------------


def race(url: str, overrides: dict[str, Any], clients: list[str]) -> list[tuple[str, str]]:
    """Submit one distinct config per client, each from its own process, all released at once; the outcomes
    (client, "queued" | "quota" | "full" | "error: …")."""
    ctx = multiprocessing.get_context("forkserver")  # torch and the app load once, in the fork server
    ctx.set_forkserver_preload(["app.experiments.admission", "tests.jobs.racing_submitter"])
    barrier, out = ctx.Barrier(len(clients)), ctx.Queue()
    procs = [ctx.Process(target=submit_at_once, args=(url, overrides, c, {**TINY, "steps": 10 + i}, barrier, out))
             for i, c in enumerate(clients)]
    for p in procs:
        p.start()
    try:
        outcomes = [out.get(timeout=180) for _ in procs]
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
    return outcomes


def test_submitters_racing_cannot_overrun_a_clients_quota_or_the_queue(database_url: str) -> None:
    """Three submissions of one client and one each of two others, at the same instant, against a quota of two
    and a queue of three: three are queued, at most two of them the first client's, the others refused."""
    clients = ["198.51.100.1"] * 3 + ["198.51.100.2", "198.51.100.3"]
    outcomes = race(database_url, {"compare_max_unfinished_per_client": 2, "compare_queue_max": 3}, clients)
    assert {o for _, o in outcomes} <= {"full", "queued", "quota"}, outcomes
    assert [o for _, o in outcomes].count("queued") == 3, outcomes
    assert [o for c, o in outcomes if c == clients[0]].count("queued") <= 2, outcomes
    engine = create_db_engine(Settings(database_url=database_url, environment="test"))
    try:
        with make_session_factory(engine)() as session:
            assert session.scalar(select(func.count()).select_from(Job).where(Job.status == "queued")) == 3
            first = session.scalar(select(func.count()).select_from(JobSubmitter)
                                   .where(JobSubmitter.client_hash == client_hash(clients[0])))
            assert first is not None and first <= 2
    finally:
        engine.dispose()
