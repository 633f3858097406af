"""The export file format, version 1: its tables and columns, the file streams, and reading it back.

Everything ``actlab import`` checks before it writes lives here: the header, the order of the tables,
the columns of each row, the type of each value and the end line that proves the file is complete.
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

from sqlalchemy import JSON, Boolean, DateTime, Float, Integer, String, Table, Text

from app import __version__
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


@contextlib.contextmanager
def open_for_writing(target: str) -> Iterator[IO[str]]:
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


def open_for_reading(source: str) -> IO[str]:
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


def load_value(table: Table, name: str, value: Any, where: str) -> Any:
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


def table_of(name: str) -> Table:
    return Base.metadata.tables[name]


def read_header(lines: Iterator[tuple[int, str]]) -> dict[str, Any]:
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


def read_rows(lines: Iterator[tuple[int, str]], report: ImportReport) -> Iterator[tuple[str, int, dict[str, Any]]]:
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
        table = table_of(name)
        counts[name] += 1
        yield name, number, {c: load_value(table, c, row[c], where) for c in COLUMNS[name]}
    raise BackupError("the file ends without its end line: it is truncated (nothing was imported)")
