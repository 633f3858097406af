"""The one way the service reads and prints time: aware UTC everywhere.

SQLite hands back naive datetimes (they were written in UTC) and PostgreSQL aware ones; every
comparison and every printed instant goes through here so both databases give the same answer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import overload


def utcnow() -> datetime:
    return datetime.now(UTC)


@overload
def as_utc(moment: datetime) -> datetime: ...
@overload
def as_utc(moment: None) -> None: ...
@overload
def as_utc(moment: datetime | None) -> datetime | None: ...


def as_utc(moment: datetime | None) -> datetime | None:
    """The same instant as an aware UTC datetime (a naive value is taken to be UTC already)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def iso_utc(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC with its offset, whichever database the value came from."""
    aware = as_utc(moment)
    return None if aware is None else aware.isoformat()
