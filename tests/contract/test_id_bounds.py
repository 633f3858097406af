"""Integer inputs are bounded by what the databases hold: on SQLite and on PostgreSQL, an id from 2^31 up to
2^63 - 1 is looked up (404 when not stored, never a database error) and 2^63 is a 422 naming the field."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from alembic import command
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import inspect, text

from app.cli.common import migrate
from app.config import Settings
from app.db import create_db_engine
from app.migrate import alembic_config
from tests.conftest import open_client

ADMIN = "an-admin-token-for-the-id-tests"
AUTH = {"authorization": f"Bearer {ADMIN}"}
BIG_IDS = [2**31, 2**31 + 1, 2**63 - 1]
TOO_BIG = 2**63
#: These tests send many writes from one client; the rate limits are tested elsewhere.
UNLIMITED = {"rate_limit_writes_per_minute": 100_000, "rate_limit_reads_per_minute": 100_000}


@pytest.fixture(params=["sqlite", "postgresql"])
def admin_client(request: pytest.FixtureRequest) -> Iterator[TestClient]:
    """The app on each database, with an admin token (the moderation and correction routes need it)."""
    base: Settings = request.getfixturevalue("settings" if request.param == "sqlite" else "pg_settings")
    with open_client(base.model_copy(update={"admin_token": SecretStr(ADMIN), **UNLIMITED})) as client:
        yield client


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.request.method, response.request.url, response.text[:300])
    assert response.headers["content-type"].startswith(("application/problem+json", "text/html"))
    return response.json() if "json" in response.headers["content-type"] else {}


def _new_thread(client: TestClient) -> dict[str, Any]:
    response = client.post("/api/v1/threads", json={"title": "Bounds", "body": "first"})
    assert response.status_code == 201
    return response.json()


def _cancelled_job(client: TestClient) -> str:
    created = client.post("/api/v1/comparisons", json={"kind": "speed", "tokens": 256, "d_model": 64})
    assert created.status_code in (200, 202), created.text
    job = created.json()
    if job["cancel_token"]:
        client.delete(f"/api/v1/comparisons/{job['id']}", headers={"authorization": f"Bearer {job['cancel_token']}"})
    return str(job["id"])


def test_ids_up_to_2_63_minus_1_are_not_found_and_2_63_is_refused(admin_client: TestClient) -> None:
    client = admin_client
    thread = _new_thread(client)
    tid = thread["id"]
    routes: list[tuple[str, str, dict[str, Any]]] = [
        ("GET", "/api/v1/threads/{n}", {}),
        ("GET", "/threads/{n}", {}),
        ("POST", "/api/v1/threads/{n}/posts", {"json": {"body": "hi"}}),
        ("POST", "/api/v1/posts/{n}/hide", {"headers": AUTH}),
        ("POST", "/api/v1/posts/{n}/unhide", {"headers": AUTH}),
        ("PATCH", "/api/v1/results/{n}", {"headers": AUTH, "json": {"value_text": "1.0"}}),
        ("POST", "/threads/{n}/posts", {"data": {"body": "hi"}}),
        ("POST", "/threads/{n}/ask", {"data": {"question": "what is GEGLU?"}}),
    ]
    for method, template, kwargs in routes:
        field = "thread_id" if "{n}" in template and "thread" in template else None
        for number in BIG_IDS:
            _problem(client.request(method, template.format(n=number), **kwargs), 404)
        refused = _problem(client.request(method, template.format(n=TOO_BIG), **kwargs), 422)
        if refused:
            assert refused["errors"][0]["loc"][0] == "path", refused
            if field:
                assert refused["errors"][0]["loc"] == ["path", field]

    for number in BIG_IDS:
        _problem(client.post("/api/v1/questions", json={"question": "what is GEGLU?", "thread_id": number}), 404)
        parent = _problem(client.post(f"/api/v1/threads/{tid}/posts", json={"body": "x", "parent_id": number}), 422)
        assert parent["errors"][0]["loc"] == ["body", "parent_id"]
        quoted = _problem(client.post(f"/api/v1/threads/{tid}/posts", json={"body": "x", "quote_ids": [number]}), 422)
        assert quoted["errors"][0]["loc"] == ["body", "quote_ids"]
        form = client.post(f"/threads/{tid}/posts", data={"body": "x", "parent_id": str(number)})
        assert form.status_code == 422 and "body.parent_id" in form.text
        ticked = client.post(f"/threads/{tid}/posts", data={"body": "quoting", "quote_ids": str(number)})
        assert ticked.status_code == 422 and "body.quote_ids" in ticked.text  # looked up: no such post
    for body, loc in [
        ({"question": "q?", "thread_id": TOO_BIG}, ["body", "thread_id"]),
        ({"question": "q?", "thread_id": tid, "parent_id": TOO_BIG}, ["body", "parent_id"]),
    ]:
        assert _problem(client.post("/api/v1/questions", json=body), 422)["errors"][0]["loc"] == loc
    for body, loc in [
        ({"body": "x", "parent_id": TOO_BIG}, ["body", "parent_id"]),
        ({"body": "x", "quote_ids": [TOO_BIG]}, ["body", "quote_ids", 0]),
    ]:
        assert _problem(client.post(f"/api/v1/threads/{tid}/posts", json=body), 422)["errors"][0]["loc"] == loc
    too_big_form = client.post(f"/threads/{tid}/posts", data={"body": "x", "parent_id": str(TOO_BIG)})
    assert too_big_form.status_code == 422 and "body.parent_id" in too_big_form.text
    ticked = client.post(
        f"/threads/{tid}/posts", data={"body": "quoting", "quote_ids": str(TOO_BIG)}, follow_redirects=False
    )
    assert ticked.status_code == 303  # not an id at all: left out of the quotes, as any non-id value is


def test_event_numbers_up_to_2_63_minus_1_and_2_63_refused(each_database_client: TestClient) -> None:
    client = each_database_client
    job = _cancelled_job(client)
    for number in BIG_IDS:
        stream = client.get(f"/api/v1/comparisons/{job}/events", params={"after": number})
        assert stream.status_code == 200 and stream.headers["content-type"].startswith("text/event-stream")
        assert "id: " not in stream.text  # nothing after that number
        _problem(
            client.get("/api/v1/comparisons/0123456789abcdef0123456789abcdef/events", params={"after": number}), 404
        )
    refused = _problem(client.get(f"/api/v1/comparisons/{job}/events", params={"after": TOO_BIG}), 422)
    assert refused["errors"][0]["loc"] == ["query", "after"]
    header = _problem(client.get(f"/api/v1/comparisons/{job}/events", headers={"last-event-id": str(TOO_BIG)}), 422)
    assert header["errors"][0]["loc"][0] == "header"


@pytest.mark.parametrize(
    "url, loc",
    [
        ("/api/v1/threads?limit={n}", ["query", "limit"]),
        ("/api/v1/threads?offset={n}", ["query", "offset"]),
        ("/api/v1/comparisons?offset={n}", ["query", "offset"]),
        ("/api/v1/results?training_steps={n}", ["query", "training_steps"]),
        ("/api/v1/papers/glu-variants-2020/tables/{n}", ["path", "number"]),
        ("/api/v1/models?year_min={n}", ["query", "year_min"]),
        ("/threads?offset={n}", ["query", "offset"]),
    ],
)
def test_other_integer_parameters_are_bounded(client: TestClient, url: str, loc: list[str]) -> None:
    for number in (2**31, 2**63 - 1, 2**63, 10**30):
        body = _problem(client.get(url.format(n=number), headers={"accept": "application/json"}), 422)
        if body:
            assert body["errors"][0]["loc"] == loc


@pytest.mark.postgres
def test_postgres_stores_and_reads_ids_above_2_31(pg_settings: Settings) -> None:
    """The columns and the sequences behind them are 64-bit: a thread numbered past 2^31 is written and read."""
    with open_client(pg_settings) as client:
        engine = client.app.state.engine  # type: ignore[attr-defined]
        with engine.begin() as conn:
            conn.execute(text("ALTER SEQUENCE threads_id_seq RESTART WITH 3000000000"))
            conn.execute(text("ALTER SEQUENCE posts_id_seq RESTART WITH 5000000000"))
        thread = _new_thread(client)
        assert thread["id"] == 3_000_000_000 and thread["posts"][0]["id"] == 5_000_000_000
        reply = client.post(
            f"/api/v1/threads/{thread['id']}/posts",
            json={"body": "reply", "parent_id": 5_000_000_000, "quote_ids": [5_000_000_000]},
        )
        assert reply.status_code == 201 and reply.json()["parent_id"] == 5_000_000_000
        assert client.get(f"/api/v1/threads/{thread['id']}").status_code == 200


@pytest.mark.postgres
def test_the_bigint_migration_downgrades_and_upgrades_on_postgres(pg_url: str) -> None:
    settings = Settings(database_url=pg_url, environment="test")
    migrate(settings)
    engine = create_db_engine(settings)
    try:

        def id_types() -> set[str]:
            return {str(c["type"]) for c in inspect(engine).get_columns("posts") if c["name"].endswith("id")}

        assert id_types() == {"BIGINT"}
        command.downgrade(alembic_config(settings), "0007_paper_evidence")
        engine.dispose()
        assert id_types() == {"INTEGER"}
        command.upgrade(alembic_config(settings), "head")
        engine.dispose()
        assert id_types() == {"BIGINT"}
    finally:
        engine.dispose()
