"""A thread's JSON (``GET /api/v1/threads/{id}``) is built once per state of the thread and kept: the next
request after any write to it (a new post from this process or another, a post hidden or shown again, a
quoted post hidden in another thread) shows the write, and an unchanged thread is served from the cache
(``X-Cache: hit``), the same document as a fresh build; readers arriving together while it is built wait for
that one build. On SQLite and on PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.cli.common import migrate, seed
from app.config import Settings
from app.documents import threads as documents
from tests.conftest import open_client, sqlite_settings

ADMIN = "a-moderators-admin-token"
AUTH = {"authorization": f"Bearer {ADMIN}"}


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, db_path: Path) -> Settings:
    extra: dict[str, Any] = {"admin_token": ADMIN, "rate_limit_writes_per_minute": 10_000}
    if request.param == "sqlite":
        return sqlite_settings(db_path, **extra)
    url = request.getfixturevalue("pg_url")
    settings = Settings(database_url=url, environment="test", **extra)
    migrate(settings)
    seed(settings)
    return settings


@pytest.fixture
def two_processes(database: Settings) -> Iterator[tuple[TestClient, TestClient]]:
    """Two applications on one database, as two server processes would be (each with its own caches)."""
    with open_client(database) as first, open_client(database) as second:
        yield first, second


def _doc(client: TestClient, tid: int) -> tuple[dict[str, Any], str]:
    response = client.get(f"/api/v1/threads/{tid}")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json(), response.headers["x-cache"]


def _bodies(doc: dict[str, Any]) -> list[str]:
    out: list[str] = []

    def walk(posts: list[dict[str, Any]]) -> None:
        for post in posts:
            out.append(post["body"])
            walk(post["replies"])

    walk(doc["posts"])
    return out


def test_the_json_follows_every_write_and_is_kept_otherwise(two_processes: tuple[TestClient, TestClient]) -> None:
    client, other = two_processes
    made = client.post("/api/v1/threads", json={"title": "Kept JSON", "body": "Post 1."})
    assert made.status_code == 201, made.text
    tid = made.json()["id"]

    first, cache = _doc(client, tid)
    assert cache == "miss" and _bodies(first) == ["Post 1."]
    again, cache = _doc(client, tid)
    assert cache == "hit" and again == first

    reply = client.post(f"/api/v1/threads/{tid}/posts", json={"body": "A reply.", "parent_id": first["posts"][0]["id"]})
    assert reply.status_code == 201
    doc, cache = _doc(client, tid)
    assert cache == "miss" and _bodies(doc) == ["Post 1.", "A reply."] and doc["post_count"] == 2

    # A write by another process shows on this process's next request.
    elsewhere = other.post(f"/api/v1/threads/{tid}/posts", json={"body": "From the other process."})
    assert elsewhere.status_code == 201
    doc, cache = _doc(client, tid)
    assert cache == "miss" and _bodies(doc)[-1] == "From the other process."
    assert _doc(client, tid) == (doc, "hit")

    # Hidden, then shown again.
    post_id = elsewhere.json()["id"]
    assert other.post(f"/api/v1/posts/{post_id}/hide", headers=AUTH, json={}).status_code == 200
    doc, _ = _doc(client, tid)
    assert next(p for p in doc["posts"] if p["id"] == post_id)["hidden"] is True
    assert other.post(f"/api/v1/posts/{post_id}/unhide", headers=AUTH).status_code == 200
    doc, _ = _doc(client, tid)
    assert next(p for p in doc["posts"] if p["id"] == post_id)["body"] == "From the other process."


def test_a_quoted_post_hidden_in_another_thread_shows_hidden(two_processes: tuple[TestClient, TestClient]) -> None:
    client, other = two_processes
    source = client.post("/api/v1/threads", json={"title": "Source", "body": "Quote me."}).json()
    quoted_id = source["posts"][0]["id"]
    quoting = client.post("/api/v1/threads", json={"title": "Quoting", "body": "Start."}).json()
    tid = quoting["id"]
    quoting_post = client.post(f"/api/v1/threads/{tid}/posts", json={"body": "See", "quote_ids": [quoted_id]})
    assert quoting_post.status_code == 201
    doc, _ = _doc(client, tid)
    assert _doc(client, tid) == (doc, "hit")
    assert doc["posts"][1]["quotes"][0]["hidden"] is False
    assert other.post(f"/api/v1/posts/{quoted_id}/hide", headers=AUTH, json={}).status_code == 200
    doc, cache = _doc(client, tid)
    assert cache == "miss" and doc["posts"][1]["quotes"][0]["hidden"] is True


def test_the_kept_document_is_the_one_a_fresh_build_gives(two_processes: tuple[TestClient, TestClient]) -> None:
    client, _ = two_processes
    tid = client.post("/api/v1/threads", json={"title": "Same", "body": "One *Markdown* post."}).json()["id"]
    for n in range(3):
        assert client.post(f"/api/v1/threads/{tid}/posts", json={"body": f"Post {n}."}).status_code == 201
    _doc(client, tid)
    kept, cache = _doc(client, tid)
    assert cache == "hit"
    app = client.app
    with app.state.session_factory() as session:  # type: ignore[attr-defined]
        assert kept == documents.thread_document(session, tid)


def test_an_unknown_thread_is_a_404_problem(two_processes: tuple[TestClient, TestClient]) -> None:
    client, _ = two_processes
    missing = client.get("/api/v1/threads/987654321")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


def test_concurrent_readers_of_a_changed_thread_build_it_once(
    two_processes: tuple[TestClient, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, _ = two_processes
    tid = client.post("/api/v1/threads", json={"title": "Herd", "body": "Post 1."}).json()["id"]
    readers = 6
    flights = client.app.state.reference_responses.thread_flights  # type: ignore[attr-defined]
    builds: list[int] = []
    original = documents.thread_document

    def slow_build(session: Any, thread_id: int) -> dict[str, Any]:
        builds.append(thread_id)
        deadline = time.monotonic() + 60  # readiness: the build goes on once every other reader waits for it
        while flights.waiting() < readers - 1:
            if time.monotonic() > deadline:
                pytest.fail("the other readers never waited for the build in flight")
            time.sleep(0.005)
        return original(session, thread_id)

    monkeypatch.setattr(documents, "thread_document", slow_build)
    answers: list[tuple[dict[str, Any], str]] = []
    threads = [threading.Thread(target=lambda: answers.append(_doc(client, tid))) for _ in range(readers)]
    for reader in threads:
        reader.start()
    for reader in threads:
        reader.join(timeout=120)
    assert builds == [tid]
    assert len(answers) == readers and all(doc == answers[0][0] for doc, _ in answers)
    assert _bodies(answers[0][0]) == ["Post 1."]
    assert _doc(client, tid)[1] == "hit"
