"""SQLite writers of one process queue for the file in arrival order, and reads never wait for them.

The promise: however many requests of one process write to one SQLite file at once, each waits only for
the writers before it (first come, first served) rather than retrying in SQLite's busy handler, where a
writer could lose every round until "database is locked"; reads are answered while writers wait; and a
writer that cannot get its turn within ACTLAB_SQLITE_BUSY_TIMEOUT_MS is a 503, never a hang.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.config import Settings
from app.db import create_db_engine, sqlite_path
from app.sqlite_writes import WriteQueue, is_write, queue_for, queued_connection_class
from tests.conftest import open_client, sqlite_settings

WRITERS = 8


def wait_until(condition: Callable[[], bool], what: str, seconds: float = 60.0) -> None:
    """Readiness, not a timing: poll ``condition`` until it holds (failing after a generous deadline)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"never saw: {what}")
        time.sleep(0.005)


@pytest.fixture
def patient(db_path: Path) -> Settings:
    """A busy timeout far above anything this test waits, so only the order can differ."""
    return sqlite_settings(db_path, sqlite_busy_timeout_ms=600_000)


def test_concurrent_writers_are_served_in_arrival_order_while_reads_go_on(patient: Settings) -> None:
    with open_client(patient) as client:
        app: FastAPI = client.app  # type: ignore[assignment]
        thread = client.post("/api/v1/threads", json={"title": "Queued writers", "body": "The first post."}).json()
        path = sqlite_path(patient.database_url)
        assert path is not None
        queue = queue_for(path)
        statuses: dict[int, int] = {}

        def write(n: int) -> None:
            response = client.post(f"/api/v1/threads/{thread['id']}/posts", json={"body": f"writer {n}"})
            statuses[n] = response.status_code

        with app.state.engine.connect() as holder:
            # Another writer of this process holds the file: an open write transaction.
            holder.execute(text("UPDATE threads SET title = title WHERE id = :id"), {"id": thread["id"]})
            assert queue.held() and queue.waiting() == 0
            writers = []
            for n in range(WRITERS):
                writer = threading.Thread(target=write, args=(n,))
                writer.start()
                writers.append(writer)
                wait_until(lambda n=n: queue.waiting() == n + 1, f"writer {n} waiting for its turn")  # type: ignore[misc]
            # Reads are answered while every writer waits.
            page = client.get(f"/threads/{thread['id']}")
            doc = client.get(f"/api/v1/threads/{thread['id']}")
            assert page.status_code == 200 and doc.status_code == 200
            assert doc.json()["post_count"] == 1
            assert queue.waiting() == WRITERS
            holder.commit()
        for writer in writers:
            writer.join(timeout=120)
        assert statuses == {n: 201 for n in range(WRITERS)}
        posts = client.get(f"/api/v1/threads/{thread['id']}").json()["posts"]
        assert [p["body"] for p in posts] == ["The first post."] + [f"writer {n}" for n in range(WRITERS)]
        assert not queue.held()


def test_a_writer_that_cannot_get_its_turn_in_the_busy_timeout_gets_503(db_path: Path) -> None:
    settings = sqlite_settings(db_path, sqlite_busy_timeout_ms=300)
    with open_client(settings) as client:
        app: FastAPI = client.app  # type: ignore[assignment]
        thread = client.post("/api/v1/threads", json={"title": "Held", "body": "The first post."}).json()
        with app.state.engine.connect() as holder:
            holder.execute(text("UPDATE threads SET title = title WHERE id = :id"), {"id": thread["id"]})
            refused = client.post(f"/api/v1/threads/{thread['id']}/posts", json={"body": "too late"})
            assert refused.status_code == 503
            assert "Retry-After" in refused.headers
            assert client.get(f"/api/v1/threads/{thread['id']}").status_code == 200
            holder.rollback()
        assert client.post(f"/api/v1/threads/{thread['id']}/posts", json={"body": "in time"}).status_code == 201
        bodies = [p["body"] for p in client.get(f"/api/v1/threads/{thread['id']}").json()["posts"]]
        assert bodies == ["The first post.", "in time"]


def _connect(path: Path, queue: WriteQueue) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=5, factory=queued_connection_class(queue, 5), check_same_thread=False)


def test_the_turn_is_given_back_however_the_transaction_ends(tmp_path: Path) -> None:
    queue = WriteQueue()
    path = tmp_path / "turns.db"
    conn = _connect(path, queue)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)")  # autocommit DDL
    assert not queue.held()
    conn.execute("SELECT count(*) FROM t").fetchall()  # a read takes no turn
    assert not queue.held()
    conn.execute("INSERT INTO t (v) VALUES ('a')")
    assert queue.held()
    conn.commit()
    assert not queue.held()
    conn.execute("INSERT INTO t (v) VALUES ('b')")
    conn.rollback()
    assert not queue.held()
    conn.execute("INSERT INTO t (v) VALUES ('c')")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO t (v) VALUES ('c')")
    assert queue.held()  # the transaction is still open after a failed statement
    conn.rollback()
    assert not queue.held()
    conn.execute("SAVEPOINT s")
    conn.execute("INSERT INTO t (v) VALUES ('d')")
    assert queue.held()
    conn.execute("RELEASE SAVEPOINT s")  # the outermost savepoint: this commits
    assert not queue.held()
    conn.execute("INSERT INTO t (v) VALUES ('e')")
    conn.close()
    assert not queue.held()
    check = sqlite3.connect(path)
    assert [v for (v,) in check.execute("SELECT v FROM t ORDER BY id")] == ["a", "d"]
    check.close()


def test_a_thread_holding_the_turn_does_not_wait_for_itself(tmp_path: Path) -> None:
    queue = WriteQueue()
    path = tmp_path / "self.db"
    first, second = _connect(path, queue), _connect(path, queue)
    first.execute("PRAGMA journal_mode=WAL")
    first.execute("CREATE TABLE t (v TEXT)")
    first.execute("INSERT INTO t VALUES ('one')")
    second.execute("PRAGMA busy_timeout=0")
    with pytest.raises(sqlite3.OperationalError, match="locked"):  # SQLite's own answer, not a wait on the queue
        second.execute("INSERT INTO t VALUES ('two')")
    assert queue.waiting() == 0
    first.commit()
    second.execute("INSERT INTO t VALUES ('two')")
    second.commit()
    first.close()
    second.close()
    assert not queue.held()


def test_what_counts_as_a_write() -> None:
    writes = ["INSERT INTO t VALUES (1)", "  update t set v = 1", "DELETE FROM t", "REPLACE INTO t VALUES (1)",
              "CREATE TABLE x (a)", "DROP TABLE x", "ALTER TABLE x ADD b", "BEGIN IMMEDIATE",
              "WITH c AS (SELECT 1) INSERT INTO t SELECT * FROM c"]
    reads = ["SELECT * FROM t", "PRAGMA journal_mode=WAL", "BEGIN", "WITH c AS (SELECT 1) SELECT * FROM c",
             "SELECT updated_at FROM t", "RELEASE SAVEPOINT s"]
    assert [s for s in writes if not is_write(s)] == []
    assert [s for s in reads if is_write(s)] == []


def test_every_engine_of_a_process_on_one_file_shares_its_queue(db_path: Path) -> None:
    settings = sqlite_settings(db_path)
    engines = [create_db_engine(settings), create_db_engine(settings, pool_size=1, max_overflow=0)]
    try:
        with engines[0].connect() as holder:
            holder.execute(text("UPDATE dataset_info SET revision = revision"))
            queue = queue_for(db_path)
            assert queue.held()
            done = threading.Event()

            def other_engine_writes() -> None:
                with engines[1].begin() as conn:
                    conn.execute(text("UPDATE dataset_info SET revision = revision"))
                done.set()

            writer = threading.Thread(target=other_engine_writes)
            writer.start()
            wait_until(lambda: queue.waiting() == 1, "the other engine's writer waiting for its turn")
            assert not done.is_set()
            holder.commit()
            writer.join(timeout=60)
            assert done.is_set()
    finally:
        for engine in engines:
            engine.dispose()


def test_the_client_fixture_writes_through_the_queue(client: TestClient, settings: Settings) -> None:
    path = sqlite_path(settings.database_url)
    assert path is not None
    created = client.post("/api/v1/threads", json={"title": "Plain", "body": "A post."})
    assert created.status_code == 201
    assert not queue_for(path).held()  # given back after the request's commit
