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
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import JSON, Boolean, Connection, DateTime, Float, Integer, String, Table, Text, func, insert, select
from sqlalchemy import delete as sql_delete
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from app import __version__
from app.config import Settings
from app.db import create_db_engine
from app.orm import Base

FORMAT = "actlab-user-data"
VERSION = 1
#: Tables and columns of format version 1, in the order they are written and restored (parents first).
COLUMNS: dict[str, tuple[str, ...]] = {
    "threads": ("id", "title", "curated_key", "created_at", "updated_at", "post_count"),
    "posts": (
        "id", "thread_id", "parent_id", "author_kind", "display_name", "body", "attachments", "citations",
        "answer_meta", "created_at", "hidden_at", "hidden_reason",
    ),
    "post_quotes": ("post_id", "quoted_post_id", "position"),
    "jobs": (
        "id", "kind", "config", "corpus_text", "config_hash", "code_version", "device_class", "status",
        "cancel_requested", "progress", "done_steps", "total_steps", "estimate_seconds", "estimate_flops",
        "attempts", "error", "results", "worker", "cancel_token_hash", "created_at", "started_at", "heartbeat_at",
        "finished_at",
    ),
    "job_events": ("id", "job_id", "seq", "type", "data", "created_at"),
}
TABLES = tuple(COLUMNS)
#: Tables whose integer id comes from a sequence on PostgreSQL (moved past the imported ids).
SEQUENCED = ("threads", "posts", "job_events")
BATCH = 500


class BackupError(Exception):
    """A file that cannot be imported, or a database that cannot take it; the message says which and why."""


@dataclass
class ImportReport:
    counts: dict[str, int] = field(default_factory=dict)
    replaced_curated_threads: int = 0

    def summary(self) -> str:
        rows = ", ".join(f"{n} {table}" for table, n in self.counts.items())
        extra = (
            f"; replaced the {self.replaced_curated_threads} curated threads `actlab seed` had written"
            if self.replaced_curated_threads
            else ""
        )
        return f"imported {rows}{extra}"


# --- files --------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _open_for_writing(target: str) -> Iterator[IO[str]]:
    """Write to a temporary file beside ``target`` and move it into place only when complete."""
    if target == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as raw:
            packed = gzip.GzipFile(fileobj=raw, mode="wb") if path.suffix == ".gz" else None
            text = io.TextIOWrapper(packed or raw, encoding="utf-8", newline="\n")
            yield text
            text.flush()
            text.detach()  # keep the binary streams open: close them in order below
            if packed is not None:
                packed.close()  # writes the gzip trailer; leaves ``raw`` open
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _open_for_reading(source: str) -> IO[str]:
    if source == "-":
        return sys.stdin
    path = Path(source)
    try:
        with path.open("rb") as probe:
            head = probe.read(2)
    except OSError as exc:
        raise BackupError(f"cannot read {source}: {exc.strerror}") from exc
    if head == b"\x1f\x8b":
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
    return path.open(encoding="utf-8")


# --- values ---------------------------------------------------------------------------------------------


def _dump_value(value: Any) -> Any:
    if isinstance(value, datetime):
        moment = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return moment.isoformat()
    return value


def _load_value(table: Table, name: str, value: Any, where: str) -> Any:
    """Check one value against its column and convert it (timestamps); BackupError names the place."""
    column = table.columns[name]
    if value is None:
        if not column.nullable:
            raise BackupError(f"{where}: {table.name}.{name} must not be null")
        return None
    kind = column.type

    def wrong(expected: str) -> BackupError:
        return BackupError(f"{where}: {table.name}.{name} must be {expected}, not {json.dumps(value)[:60]}")

    if isinstance(kind, DateTime):
        if not isinstance(value, str):
            raise wrong("an ISO 8601 timestamp")
        try:
            moment = datetime.fromisoformat(value)
        except ValueError as exc:
            raise wrong("an ISO 8601 timestamp") from exc
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if isinstance(kind, Boolean):
        if not isinstance(value, bool):
            raise wrong("true or false")
        return value
    if isinstance(kind, Integer):
        if isinstance(value, bool) or not isinstance(value, int):
            raise wrong("an integer")
        return value
    if isinstance(kind, Float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise wrong("a number")
        return float(value)
    if isinstance(kind, String | Text):
        if not isinstance(value, str):
            raise wrong("a string")
        if isinstance(kind, String) and kind.length is not None and len(value) > kind.length:
            raise wrong(f"at most {kind.length} characters")
        return value
    if isinstance(kind, JSON):
        return value
    raise BackupError(f"{where}: no conversion for {table.name}.{name} ({kind})")  # pragma: no cover


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


# --- export ---------------------------------------------------------------------------------------------


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
        with engine.connect().execution_options(**options) as conn, _open_for_writing(target) as out:
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
                table = _table(name)
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


# --- import ---------------------------------------------------------------------------------------------


def _read_header(lines: Iterator[tuple[int, str]]) -> dict[str, Any]:
    try:
        _, first = next(lines)
    except StopIteration:
        raise BackupError("the file is empty; expected an Activation Lab export") from None
    try:
        header = json.loads(first)
    except json.JSONDecodeError:
        raise BackupError("line 1 is not JSON: this is not an Activation Lab export") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError(f"line 1 does not announce format {FORMAT!r}: this is not an Activation Lab export")
    if header.get("version") != VERSION:
        raise BackupError(
            f"the file is format version {header.get('version')!r} of {FORMAT}; this actlab "
            f"({__version__}) reads version {VERSION} only — import it with the actlab version that wrote it"
        )
    if header.get("tables") != list(TABLES):
        raise BackupError(f"line 1 lists tables {header.get('tables')!r}; version {VERSION} has {list(TABLES)}")
    return header


def _check_empty(conn: Connection) -> int:
    """Refuse a database with user data; return how many seeded curated threads it holds (to replace)."""
    threads, posts, jobs = _table("threads"), _table("posts"), _table("jobs")
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


def _rows(lines: Iterator[tuple[int, str]], report: ImportReport) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """(table, line number, row) in file order, checked against the format; checks the end line."""
    position = 0
    counts = {name: 0 for name in TABLES}
    for number, line in lines:
        where = f"line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise BackupError(f"{where} is not JSON ({exc.msg})") from None
        if not isinstance(record, dict):
            raise BackupError(f"{where}: expected an object")
        if record.get("end") is True:
            if record.get("counts") != counts:
                raise BackupError(
                    f"{where}: the end line counts {record.get('counts')} rows but the file holds {counts}"
                )
            for extra_number, extra in lines:
                if extra.strip():
                    raise BackupError(f"line {extra_number}: data after the end line")
            report.counts = counts
            return
        name, row = record.get("table"), record.get("row")
        if name not in COLUMNS or not isinstance(row, dict):
            raise BackupError(f"{where}: expected {{\"table\": one of {list(TABLES)}, \"row\": {{…}}}}")
        if TABLES.index(name) < position:
            raise BackupError(f"{where}: {name} rows must come before {TABLES[position]} rows")
        position = TABLES.index(name)
        if set(row) != set(COLUMNS[name]):
            missing, unknown = set(COLUMNS[name]) - set(row), set(row) - set(COLUMNS[name])
            raise BackupError(
                f"{where}: {name} row columns differ from format version {VERSION}"
                + (f"; missing {sorted(missing)}" if missing else "")
                + (f"; unknown {sorted(unknown)}" if unknown else "")
            )
        table = _table(name)
        counts[name] += 1
        yield name, number, {c: _load_value(table, c, row[c], where) for c in COLUMNS[name]}
    raise BackupError("the file ends without its end line: it is truncated (nothing was imported)")


def import_data(settings: Settings, source: str) -> ImportReport:
    """Restore an export into the (migrated, empty) database of ``settings``, all or nothing."""
    from app.migrate import is_at_head

    report = ImportReport()
    stream = _open_for_reading(source)
    engine = create_db_engine(settings)
    try:
        if not is_at_head(settings, engine):
            raise BackupError("the database is not at the latest migration; run `actlab migrate` first")
        lines = ((n, line) for n, line in enumerate(stream, start=1) if line.strip())
        _read_header(lines)
        with engine.begin() as conn:
            curated = _check_empty(conn)
            if curated:
                threads = _table("threads")
                conn.execute(sql_delete(threads).where(threads.c.curated_key.is_not(None)))
                report.replaced_curated_threads = curated
            batch: list[dict[str, Any]] = []
            batch_table, first_line = "", 0
            try:
                for name, number, row in _rows(lines, report):
                    if batch and (name != batch_table or len(batch) >= BATCH):
                        conn.execute(insert(_table(batch_table)), batch)
                        batch = []
                    if not batch:
                        batch_table, first_line = name, number
                    batch.append(row)
                if batch:
                    conn.execute(insert(_table(batch_table)), batch)
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


# --- CLI ------------------------------------------------------------------------------------------------
