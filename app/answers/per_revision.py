"""What the question answering derives from the stored data, built once per database and dataset revision.

The lexicon and the facts are read from the database; a reseed bumps the revision, so a key of
(database URL, revision) serves the current data without any invalidation call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

T = TypeVar("T")


def dataset_revision(session: Session) -> int:
    try:
        value = session.execute(text("SELECT revision FROM dataset_info WHERE id = 1")).scalar()
    except SQLAlchemyError:
        return 0
    return int(value or 0)


class PerRevision(Generic[T]):
    """``build(session, revision)`` memoized per (database, revision); a few databases at most per process."""

    def __init__(self, build: Callable[[Session, int], T], keep: int = 16) -> None:
        self._build = build
        self._keep = keep
        self._lock = threading.Lock()
        self._values: dict[tuple[str, int], T] = {}

    def get(self, session: Session, *, fresh: bool = False) -> T:
        """The value for the loaded revision; ``fresh`` builds it anew without touching the memo."""
        revision = dataset_revision(session)
        if fresh:
            return self._build(session, revision)
        key = (str(session.get_bind().engine.url), revision)
        with self._lock:
            cached = self._values.get(key)
        if cached is not None:
            return cached
        value = self._build(session, revision)
        with self._lock:
            if len(self._values) >= self._keep:
                self._values.clear()
            self._values[key] = value
        return value
