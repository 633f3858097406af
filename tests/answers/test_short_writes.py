"""A question's writes come after its answer is composed: composing (planning, executing, checking) only
reads, so another writer is never kept waiting for it — on SQLite (its one write lock) and on PostgreSQL
(the thread row) — while the question and its answer are still written together or not at all."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine

from app.answers import pipeline
from app.config import Settings
from tests.conftest import open_client, sqlite_settings

WRITES = ("INSERT", "UPDATE", "DELETE")
QUESTION = "What is GEGLU's perplexity after full training?"
FOLLOW_UP = "And SwiGLU?"


def _record(engine: Engine, log: list[str]) -> None:
    """Log every statement the app's engine sends, in order."""

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        log.append(statement.lstrip().split(None, 1)[0].upper())

    event.listen(engine, "before_cursor_execute", before)


def _watch_composition(monkeypatch: pytest.MonkeyPatch, log: list[str],
                       probe: Callable[[], None]) -> list[str]:
    """Wrap the composer: when it has finished (the moment a write taken earlier would still be held),
    run ``probe`` from another connection and mark the end of composition in the statement log."""
    compose = pipeline.compose_answer
    probes: list[str] = []

    def watched(*args: Any, **kwargs: Any) -> pipeline.ComposedAnswer:
        answer = compose(*args, **kwargs)
        probe()
        probes.append("ok")
        log.append("<composed>")
        return answer

    monkeypatch.setattr(pipeline, "compose_answer", watched)
    return probes


def _writes_after_composition(log: list[str]) -> None:
    """Every write of the request comes after the composer's mark, and the posts were written."""
    assert "<composed>" in log
    end = log.index("<composed>")
    early = [s for s in log[:end] if s in WRITES]
    assert early == [], f"written before the answer was composed: {log[:end]}"
    assert {"INSERT", "UPDATE"} <= set(log[end:])


def _ask_and_follow_up(client: TestClient, log: list[str]) -> None:
    log.clear()
    first = client.post("/api/v1/questions", json={"question": QUESTION})
    assert first.status_code == 201, first.text
    _writes_after_composition(log)
    thread_id = first.json()["thread"]["id"]
    answer_id = first.json()["post"]["id"]
    log.clear()
    second = client.post("/api/v1/questions", json={"question": FOLLOW_UP, "thread_id": thread_id,
                                                    "parent_id": answer_id})
    assert second.status_code == 201, second.text
    _writes_after_composition(log)
    body = second.json()
    assert body["post"]["answer_meta"]["follow_up_of"] is not None  # the follow-up still read the first plan
    assert body["question_post"]["id"] > answer_id and body["post"]["id"] > body["question_post"]["id"]
    assert body["post"]["parent_id"] == body["question_post"]["id"]
    assert body["thread"]["post_count"] == 4


@pytest.fixture
def client(db_path: Path) -> Iterator[TestClient]:
    with open_client(sqlite_settings(db_path, rate_limit_writes_per_minute=10_000)) as test_client:
        yield test_client


def test_sqlite_write_lock_is_free_while_the_answer_is_composed(
    client: TestClient, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log: list[str] = []
    _record(client.app.state.engine, log)  # type: ignore[attr-defined]

    def take_the_write_lock() -> None:
        # timeout=0: fails at once with "database is locked" if the request holds the write lock.
        other = sqlite3.connect(db_path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
        finally:
            other.close()

    probes = _watch_composition(monkeypatch, log, take_the_write_lock)
    _ask_and_follow_up(client, log)
    assert probes == ["ok", "ok"]


def test_the_web_ask_box_writes_after_composing(client: TestClient, db_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    log: list[str] = []
    _record(client.app.state.engine, log)  # type: ignore[attr-defined]
    _watch_composition(monkeypatch, log, lambda: None)
    sent = client.post("/ask", data={"question": QUESTION}, follow_redirects=False)
    assert sent.status_code == 303, sent.text
    _writes_after_composition(log)


def test_question_and_answer_are_written_together_or_not_at_all(db_path: Path) -> None:
    settings = sqlite_settings(db_path, rate_limit_writes_per_minute=10_000, thread_posts_max=2)
    with open_client(settings) as client:
        first = client.post("/api/v1/questions", json={"question": QUESTION})
        assert first.status_code == 201, first.text
        thread_id = first.json()["thread"]["id"]
        # The thread is full: the question is refused, and no part of it (nor an answer) is stored.
        again = client.post("/api/v1/questions", json={"question": FOLLOW_UP, "thread_id": thread_id})
        assert again.status_code == 422 and again.json()["errors"][0]["loc"] == ["path", "thread_id"]
        thread = client.get(f"/api/v1/threads/{thread_id}").json()
        assert thread["post_count"] == 2 and len(thread["posts"]) == 1 and len(thread["posts"][0]["replies"]) == 1


@pytest.mark.postgres
def test_postgres_thread_row_is_free_while_the_answer_is_composed(
    pg_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = pg_settings.model_copy(update={"rate_limit_writes_per_minute": 10_000})
    other = create_engine(settings.database_url)
    with open_client(settings) as client:
        log: list[str] = []
        _record(client.app.state.engine, log)  # type: ignore[attr-defined]

        def lock_the_threads() -> None:
            # NOWAIT: fails at once if the request holds a lock on any thread row (it did before composing).
            with other.begin() as conn:
                conn.execute(text("SET LOCAL lock_timeout = '1ms'"))
                conn.execute(text("SELECT id FROM threads FOR UPDATE NOWAIT")).all()

        probes = _watch_composition(monkeypatch, log, lock_the_threads)
        try:
            _ask_and_follow_up(client, log)
        finally:
            other.dispose()
        assert probes == ["ok", "ok"]


def _both_compose_then_write(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two follow-ups in one thread, both composed before either writes (a barrier holds each composer until
    the other has composed too): each question is followed by its own answer, in write order."""
    first = client.post("/api/v1/questions", json={"question": QUESTION})
    assert first.status_code == 201, first.text
    thread_id = first.json()["thread"]["id"]
    together = threading.Barrier(2, timeout=60)
    compose = pipeline.compose_answer

    def composed_together(*args: Any, **kwargs: Any) -> pipeline.ComposedAnswer:
        answer = compose(*args, **kwargs)
        together.wait()  # a composer holding a write lock here would keep the other from composing
        return answer

    monkeypatch.setattr(pipeline, "compose_answer", composed_together)
    with ThreadPoolExecutor(2) as pool:
        sent = list(pool.map(lambda q: client.post("/api/v1/questions", json={"question": q, "thread_id": thread_id}),
                             ["And SwiGLU?", "And ReLU?"]))
    assert [r.status_code for r in sent] == [201, 201], [r.text for r in sent]
    posts = sorted((p for root in client.get(f"/api/v1/threads/{thread_id}").json()["posts"]
                    for p in [root, *root["replies"]]), key=lambda p: p["id"])
    kinds = [p["author_kind"] for p in posts]
    assert kinds == ["person", "service"] * 3
    for question, answer in zip(posts[::2], posts[1::2], strict=True):
        assert answer["parent_id"] == question["id"]
    # Both read the thread before either wrote: each follow-up edits the first answer's plan.
    assert [p["answer_meta"]["follow_up_of"] for p in posts[3::2]] == [posts[1]["id"]] * 2


def test_concurrent_questions_in_one_thread_on_sqlite(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    _both_compose_then_write(client, monkeypatch)


@pytest.mark.postgres
def test_concurrent_questions_in_one_thread_on_postgres(pg_settings: Settings,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    with open_client(pg_settings.model_copy(update={"rate_limit_writes_per_minute": 10_000})) as client:
        _both_compose_then_write(client, monkeypatch)
