"""Database engine and sessions.

SQLite is the embedded default, so its pragmas (WAL for concurrent readers beside one writer, foreign
keys, a busy timeout) are set on every connection, and the writers of a process queue for the file before
they take SQLite's write lock (app/sqlite_writes.py); PostgreSQL needs none of that.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.sqlite_writes import queue_for, queued_connection_class


class DatabaseConfigError(RuntimeError):
    """The configured database cannot be used; the message says why and what to change."""


def sqlite_path(url: str) -> Path | None:
    """The file behind a SQLite URL, or None for other databases and in-memory SQLite."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _prepare_sqlite_file(path: Path) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DatabaseConfigError(f"cannot create the database folder {path.parent}: {exc.strerror}") from exc
    probe = path if path.exists() else path.parent
    import os

    if not os.access(probe, os.W_OK):
        raise DatabaseConfigError(
            f"the database path {path} is not writable; set ACTLAB_DATABASE_URL to a writable location"
        )


def create_db_engine(settings: Settings, *, pool_size: int | None = None, max_overflow: int | None = None) -> Engine:
    """An engine for ``settings.database_url`` with the per-dialect setup this service relies on.

    The pool must hold more connections than the server has worker threads: sync routes run in a
    thread pool of 40, and a request that waits for a connection holds its thread, so a smaller pool
    can starve the threads that would return connections (the requests then stall until pool_timeout).
    """
    try:
        url = make_url(settings.database_url)
    except ArgumentError as exc:
        raise DatabaseConfigError(f"ACTLAB_DATABASE_URL is not a valid SQLAlchemy URL: {exc}") from exc
    backend = url.get_backend_name()
    if backend not in {"sqlite", "postgresql"}:
        raise DatabaseConfigError(f"unsupported database '{backend}': use sqlite or postgresql")
    kwargs: dict[str, Any] = {
        "pool_size": settings.db_pool_size if pool_size is None else pool_size,
        "max_overflow": settings.db_max_overflow if max_overflow is None else max_overflow,
        "pool_timeout": settings.db_pool_timeout_seconds,
    }
    if backend == "sqlite":
        path = sqlite_path(settings.database_url)
        if path is not None:
            _prepare_sqlite_file(path)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": settings.sqlite_busy_timeout_ms / 1000}
        if path is not None:  # this process's writers queue for the file (app/sqlite_writes.py)
            kwargs["connect_args"]["factory"] = queued_connection_class(
                queue_for(path), settings.sqlite_busy_timeout_ms / 1000
            )
    else:
        kwargs["pool_pre_ping"] = True
        # A runaway query must not hold a connection (and the request) forever.
        kwargs["connect_args"] = {"options": f"-c statement_timeout={int(settings.pg_statement_timeout_ms)}"}
    try:
        engine = create_engine(url, **kwargs)
    except Exception as exc:  # missing driver, bad options
        raise DatabaseConfigError(f"cannot open {url.render_as_string(hide_password=True)}: {exc}") from exc
    if backend == "sqlite":
        busy_ms = settings.sqlite_busy_timeout_ms

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cursor = dbapi_conn.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error, so nothing is half-written."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
