"""SQLite writers of one process take turns in a queue before they ask SQLite for its write lock.

SQLite lets one writer at a time hold a database file. A writer that finds the lock taken does not queue:
its busy handler sleeps and tries again (1 ms, 2 ms, 5 ms … then every 100 ms) until the busy timeout,
and whoever happens to try just after the holder commits wins. Under many concurrent writers a waiter can
lose every round and fail with "database is locked" after the timeout while others went through in
milliseconds. So the writers of one process first take a process-wide, first-come-first-served lock per
database file (:class:`WriteQueue`), and only then SQLite's: within a process SQLite's lock is never
waited on, and each writer waits as long as the writers before it take, no longer. The busy timeout stays
the guard between processes (the embedded worker, ``actlab seed``, a second server).

Only writes queue. A connection takes its turn just before its first statement that writes (``INSERT``,
``UPDATE``, ``DELETE``, ``REPLACE``, DDL, ``BEGIN IMMEDIATE``/``EXCLUSIVE``) and gives it up when its
transaction ends (commit, rollback, a released outermost savepoint, or the connection closing). Reads,
inside a write transaction or not, never touch the queue: WAL lets them run beside the writer. A thread
that already holds the turn through another connection does not wait for itself; that second connection
meets SQLite's lock and its busy timeout, as without the queue.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections import deque
from pathlib import Path
from typing import Any, cast

#: Statements that take SQLite's write lock, by their first word (``WITH`` when a write follows its CTEs).
_WRITE_START = re.compile(
    r"\s*(?:INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER|REINDEX|VACUUM|BEGIN\s+(?:IMMEDIATE|EXCLUSIVE))\b",
    re.IGNORECASE,
)
_WITH_WRITE = re.compile(r"\s*WITH\b.*\b(?:INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE | re.DOTALL)


def is_write(statement: str) -> bool:
    """Whether ``statement`` takes SQLite's write lock (reads, ``PRAGMA`` and deferred ``BEGIN`` do not)."""
    return bool(_WRITE_START.match(statement) or _WITH_WRITE.match(statement))


class WriteQueue:
    """A lock handed over in arrival order: a released turn goes to the longest waiter, never to a newcomer.

    (``threading.Lock`` wakes some waiter, which then races every thread that asks at that moment.)
    """

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._held = False
        self._waiters: deque[threading.Lock] = deque()
        self.owner: int | None = None  # the thread holding the turn

    def acquire(self, timeout: float) -> bool:
        """Wait for the turn at most ``timeout`` seconds; whether it was taken."""
        with self._mutex:
            if not self._held:
                self._held = True
                self.owner = threading.get_ident()
                return True
            waiter = threading.Lock()
            waiter.acquire()
            self._waiters.append(waiter)
        if not waiter.acquire(timeout=max(timeout, 0.0)):
            with self._mutex:
                if waiter in self._waiters:
                    self._waiters.remove(waiter)
                    return False
            # handed over between the timeout and the removal: the turn is ours
        self.owner = threading.get_ident()
        return True

    def release(self) -> None:
        """Hand the turn to the longest waiter, or free it."""
        with self._mutex:
            self.owner = None
            if self._waiters:
                self._waiters.popleft().release()  # stays held: ownership passes directly
            else:
                self._held = False

    def waiting(self) -> int:
        """How many writers wait for the turn now."""
        with self._mutex:
            return len(self._waiters)

    def held(self) -> bool:
        """Whether a writer has the turn now."""
        with self._mutex:
            return self._held


_queues: dict[str, WriteQueue] = {}
_queues_lock = threading.Lock()


def queue_for(path: Path) -> WriteQueue:
    """The one queue of this process for the database file at ``path``, whichever engine opens it."""
    key = os.path.realpath(path)
    with _queues_lock:
        return _queues.setdefault(key, WriteQueue())


def queued_connection_class(queue: WriteQueue, timeout_seconds: float) -> type[sqlite3.Connection]:
    """A ``sqlite3.Connection`` class (for ``sqlite3.connect(factory=…)``) whose writes take ``queue``'s turn
    first; a writer that waits past ``timeout_seconds`` fails as SQLite would ("database is locked")."""

    class QueuedCursor(sqlite3.Cursor):
        def execute(self, sql: str, parameters: Any = (), /) -> QueuedCursor:
            conn = cast(QueuedConnection, self.connection)
            conn._before(sql)
            try:
                super().execute(sql, parameters)
            finally:
                conn._after()
            return self

        def executemany(self, sql: str, seq_of_parameters: Any, /) -> QueuedCursor:
            conn = cast(QueuedConnection, self.connection)
            conn._before(sql)
            try:
                super().executemany(sql, seq_of_parameters)
            finally:
                conn._after()
            return self

        def executescript(self, sql_script: str, /) -> QueuedCursor:
            conn = cast(QueuedConnection, self.connection)
            conn._before("CREATE")  # a script may write anything
            try:
                super().executescript(sql_script)
            finally:
                conn._after()
            return self

    class QueuedConnection(sqlite3.Connection):
        _holds_turn = False

        def cursor(self, factory: Any = QueuedCursor) -> Any:
            return super().cursor(factory)

        def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
            return self.cursor().execute(sql, parameters)

        def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:
            return self.cursor().executemany(sql, parameters)

        def executescript(self, sql_script: str, /) -> sqlite3.Cursor:
            return self.cursor().executescript(sql_script)

        def _before(self, sql: str) -> None:
            if self._holds_turn or not is_write(sql):
                return
            if queue.owner == threading.get_ident():
                return  # this thread's other connection holds the turn: SQLite's busy timeout decides
            if not queue.acquire(timeout_seconds):
                raise sqlite3.OperationalError("database is locked")
            self._holds_turn = True

        def _after(self) -> None:
            if self._holds_turn and not self.in_transaction:
                self._give_up_turn()  # an autocommit write, or a released outermost savepoint

        def _give_up_turn(self) -> None:
            if self._holds_turn:
                self._holds_turn = False
                queue.release()

        def commit(self) -> None:
            try:
                super().commit()
            finally:
                self._after()

        def rollback(self) -> None:
            try:
                super().rollback()
            finally:
                self._after()

        def close(self) -> None:
            try:
                super().close()
            finally:
                self._give_up_turn()

        def __del__(self) -> None:  # a connection dropped without close must not keep the turn
            self._give_up_turn()

    return QueuedConnection
