"""The names of the full-text search objects migration 0009 adds outside the ORM: the FTS5 table on SQLite
(with the shadow tables SQLite makes for it) and the GIN indexes on PostgreSQL.

Kept apart from app/thread_search.py so the migration environment and the drift check can name them
without importing the search code."""

from __future__ import annotations

SEARCH_TABLE = "thread_search"
SEARCH_INDEXES = ("ix_posts_body_search", "ix_threads_title_search")


def search_object(name: str | None, type_: str) -> bool:
    """True for the search table, its shadow tables and the search indexes, so a comparison of the models
    with the migrated schema leaves them out."""
    if name is None:
        return False
    if type_ == "table":
        return name == SEARCH_TABLE or name.startswith(f"{SEARCH_TABLE}_")
    return type_ == "index" and name in SEARCH_INDEXES
