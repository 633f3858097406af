"""What the probes check and how ``/metrics`` stays cheap.

Readiness means the service can do its work, and its work includes writing (posts, jobs): a database
that only reads (a SQLite file made read-only, a PostgreSQL replica or ``default_transaction_read_only``)
must fail ``/readyz`` rather than answer 500 to every write. The scrape-time database figures of
``/metrics`` are computed in a thread and reused for ``metrics_cache_seconds``, so frequent scrapers
cost one set of aggregate queries per period, however many they are.
"""

from __future__ import annotations

import os
import stat
import threading
import time
from collections.abc import Callable, Iterable

from prometheus_client.core import Metric
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from app.db import sqlite_path


def unwritable_reason(engine: Engine, database_url: str) -> str | None:
    """Why the database cannot take a write now, or None when it can.

    The probe writes inside a transaction it rolls back (``alembic_version`` always has its row once
    migrated). A SQLite file without write permission counts as read-only even for a superuser, whom the
    file system would let write anyway: the operator made it read-only on purpose."""
    if engine.dialect.name == "sqlite":
        path = sqlite_path(database_url)
        if path is not None and path.exists() and not os.stat(path).st_mode & (stat.S_IWUSR | stat.S_IWGRP):
            return f"the SQLite file {path.name} is read-only"
    try:
        with engine.connect() as conn:
            busy = None
            if engine.dialect.name == "sqlite":
                busy = conn.exec_driver_sql("PRAGMA busy_timeout").scalar()
                conn.exec_driver_sql("PRAGMA busy_timeout = 250")  # a busy writer proves it is writable
            try:
                conn.execute(text("UPDATE alembic_version SET version_num = version_num"))
            finally:
                conn.rollback()
                if busy is not None:
                    conn.exec_driver_sql(f"PRAGMA busy_timeout = {int(busy)}")
    except OperationalError as exc:
        if "locked" in str(exc.orig).lower():
            return None
        return f"the database refuses writes: {_first_line(exc)}"
    except SQLAlchemyError as exc:
        return f"the database refuses writes: {_first_line(exc)}"
    return None


def _first_line(exc: SQLAlchemyError) -> str:
    text_ = str(getattr(exc, "orig", None) or exc).strip()
    return (text_.splitlines() or [type(exc).__name__])[0][:200]


class CachedCollector:
    """A scrape-time callback whose figures are reused for ``seconds``; one refresh at a time."""

    def __init__(self, callback: Callable[[], Iterable[Metric]], seconds: float) -> None:
        self._callback = callback
        self._seconds = seconds
        self._lock = threading.Lock()
        self._metrics: list[Metric] = []
        self._at = float("-inf")
        self.refreshes = 0

    def __call__(self) -> Iterable[Metric]:
        with self._lock:  # concurrent scrapes wait for the one refresh instead of each querying
            if time.monotonic() - self._at >= self._seconds:
                self._metrics = list(self._callback())
                self._at = time.monotonic()
                self.refreshes += 1
            return list(self._metrics)
