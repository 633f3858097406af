"""Backup and restore of user data: ``actlab export FILE`` and ``actlab import FILE``.

What is saved is what people and the service wrote — threads, posts (hidden ones included, with their
moderation state), quotes, comparison jobs (config, state, results, the hash of the cancel token) and
their event logs. The reference data (papers, results, the model catalog) is not: ``actlab seed``
restores it from ``app/data``. Curated explanation threads are saved with the other threads, because
people reply to and quote them; ``actlab seed`` reconciles them by key afterwards.

The file is JSON lines (gzip when its name ends in ``.gz``; ``-`` is stdin/stdout)::

    {"format": "actlab-user-data", "version": 1, "exported_at": "…", "app_version": "…", "tables": [...]}
    {"table": "threads", "row": {"id": 1, "title": "…", "created_at": "2026-…+00:00", …}}
    …                                      (tables in the order of the header, rows in primary-key order)
    {"end": true, "counts": {"threads": 12, "posts": 80, …}}

Every row lists exactly the columns of its table in this format version (timestamps as ISO 8601 UTC,
JSON columns as JSON), so a file can be read without this code. The export reads one consistent
snapshot (a single read transaction on SQLite, REPEATABLE READ on PostgreSQL) while the service runs.

Import is all or nothing: one transaction into a database that holds no user data yet (a new, migrated
database; one that ``actlab seed`` has already filled holds only the curated threads, which are replaced
by the file's). A file of another format or version, an unknown table or column, a value of the wrong
type, a broken reference, or a missing end line (a truncated file) stops it with a message naming the
line, and nothing is written. Row ids are kept, so links and API answers are the same as before; on
PostgreSQL the id sequences are moved past the imported ids.

The format itself (tables, columns, value types, reading a file back) is ``app.backup_format``.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select
from sqlalchemy import delete as sql_delete
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from app import __version__
from app.backup_format import (
    BATCH,
    COLUMNS,
    FORMAT,
    SEQUENCED,
    TABLES,
    VERSION,
    BackupError,
    ImportReport,
    open_for_reading,
    open_for_writing,
    read_header,
    read_rows,
    table_of,
)
from app.config import Settings
from app.db import create_db_engine

__all__ = ["COLUMNS", "BackupError", "ImportReport", "export_data", "import_data"]


def _dump_value(value: Any) -> Any:
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return moment.isoformat()
    return value


def _snapshot(conn: Connection) -> None:
    """Make every SELECT of this connection read the same snapshot."""
    if conn.dialect.name == "sqlite":
        # pysqlite only opens a transaction before writes; an explicit BEGIN makes the reads one snapshot.
        conn.exec_driver_sql("BEGIN")


def export_data(settings: Settings, target: str) -> dict[str, int]:
    """Write the user data of ``settings.database_url`` to ``target``; returns the row count per table."""
    engine = create_db_engine(settings)
    counts: dict[str, int] = {}
    try:
        options: dict[str, Any] = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
        with engine.connect().execution_options(**options) as conn, open_for_writing(target) as out:
            _snapshot(conn)
            header = {
                "format": FORMAT,
                "version": VERSION,
                "exported_at": datetime.now(UTC).isoformat(),
                "app_version": __version__,
                "database": conn.dialect.name,
                "tables": list(TABLES),
            }
            out.write(json.dumps(header) + "\n")
            for name in TABLES:
                table = table_of(name)
                columns = [table.columns[c] for c in COLUMNS[name]]
                order = list(table.primary_key.columns)
                result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(
                    select(*columns).order_by(*order)
                )
                n = 0
                for row in result:
                    values = {c: _dump_value(v) for c, v in zip(COLUMNS[name], row, strict=True)}
                    out.write(json.dumps({"table": name, "row": values}, ensure_ascii=False) + "\n")
                    n += 1
                counts[name] = n
            out.write(json.dumps({"end": True, "counts": counts}) + "\n")
            conn.rollback()
    finally:
        engine.dispose()
    return counts


def _check_empty(conn: Connection) -> int:
    """Refuse a database with user data; return how many seeded curated threads it holds (to replace)."""
    threads, posts, jobs = table_of("threads"), table_of("posts"), table_of("jobs")
    n_jobs = conn.scalar(select(func.count()).select_from(jobs)) or 0
    n_threads = conn.scalar(select(func.count()).select_from(threads).where(threads.c.curated_key.is_(None))) or 0
    curated = select(threads.c.id).where(threads.c.curated_key.is_not(None))
    n_posts = conn.scalar(
        select(func.count()).select_from(posts).where(
            (posts.c.author_kind != "service") | posts.c.thread_id.not_in(curated) | posts.c.parent_id.is_not(None)
        )
    ) or 0
    if n_jobs or n_threads or n_posts:
        raise BackupError(
            f"the database already holds user data ({n_threads} threads, {n_posts} posts, {n_jobs} jobs); "
            "import only into a new database (set ACTLAB_DATABASE_URL to an empty one; `actlab import` migrates it)"
        )
    return conn.scalar(select(func.count()).select_from(threads).where(threads.c.curated_key.is_not(None))) or 0


def import_data(settings: Settings, source: str) -> ImportReport:
    """Restore an export into the (migrated, empty) database of ``settings``, all or nothing."""
    from app.migrate import is_at_head

    report = ImportReport()
    stream = open_for_reading(source)
    engine = create_db_engine(settings)
    try:
        if not is_at_head(settings, engine):
            raise BackupError("the database is not at the latest migration; run `actlab migrate` first")
        lines = ((n, line) for n, line in enumerate(stream, start=1) if line.strip())
        read_header(lines)
        with engine.begin() as conn:
            curated = _check_empty(conn)
            if curated:
                threads = table_of("threads")
                conn.execute(sql_delete(threads).where(threads.c.curated_key.is_not(None)))
                report.replaced_curated_threads = curated
            batch: list[dict[str, Any]] = []
            batch_table, first_line = "", 0
            try:
                for name, number, row in read_rows(lines, report):
                    if batch and (name != batch_table or len(batch) >= BATCH):
                        conn.execute(insert(table_of(batch_table)), batch)
                        batch = []
                    if not batch:
                        batch_table, first_line = name, number
                    batch.append(row)
                if batch:
                    conn.execute(insert(table_of(batch_table)), batch)
            except IntegrityError as exc:
                raise BackupError(
                    f"{batch_table} rows from line {first_line} on break a constraint of the database "
                    f"(nothing was imported): {exc.orig}"
                ) from exc
            if conn.dialect.name == "postgresql":
                for name in SEQUENCED:
                    conn.exec_driver_sql(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
                    )
    except SQLAlchemyError as exc:
        raise BackupError(f"the import failed and nothing was imported: {exc}") from exc
    finally:
        engine.dispose()
        if stream is not sys.stdin:
            stream.close()
    return report
