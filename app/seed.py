"""Idempotent load of app/data into the database.

The files in app/data are the truth: a second run changes nothing, a corrected value updates exactly
its row, a removed row is deleted. Everything happens in one transaction, so a failed load leaves the
previous data intact, and the dataset revision only moves when something really changed (which is
what invalidates the cached reference responses in every process).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import paper_data
from app.catalog_files import catalog_rows
from app.clock import iso_utc, utcnow
from app.orm import (
    ArchitectureFact,
    CatalogModel,
    DatasetInfo,
    Paper,
    PaperFact,
    PaperTable,
    Result,
    Variant,
)
from app.orm.base import Base

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass
class SeedReport:
    """What one load did, per table: how many rows were inserted, updated, deleted or left alone."""

    version: str = ""
    revision: int = 0
    changed: bool = False
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, table: str, what: str) -> None:
        per_table = self.counts.setdefault(table, {"inserted": 0, "updated": 0, "deleted": 0, "unchanged": 0})
        per_table[what] += 1
        if what != "unchanged":
            self.changed = True

    def summary(self) -> str:
        lines = [f"dataset {self.version}, revision {self.revision}: {'updated' if self.changed else 'no changes'}"]
        for table, c in sorted(self.counts.items()):
            lines.append(
                f"  {table:<20} {c['inserted']:>4} inserted {c['updated']:>4} updated "
                f"{c['deleted']:>4} deleted {c['unchanged']:>4} unchanged"
            )
        return "\n".join(lines)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _int_or_none(text: str) -> int | None:
    return int(text) if text.strip().isdigit() else None


def content_hash(data_dir: Path, files: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for name in files:
        digest.update(name.encode())
        digest.update((data_dir / name).read_bytes())
    return digest.hexdigest()


def _upsert(
    session: Session,
    report: SeedReport,
    model: type[Base],
    key_fields: tuple[str, ...],
    wanted: list[dict[str, Any]],
    scope: Any = None,
) -> dict[tuple[Any, ...], Any]:
    """Make the rows of ``model`` (optionally within ``scope``) equal ``wanted``; return them by key."""
    stmt = select(model)
    if scope is not None:
        stmt = stmt.where(scope)
    existing = {tuple(getattr(row, k) for k in key_fields): row for row in session.scalars(stmt)}
    table = model.__tablename__
    result: dict[tuple[Any, ...], Any] = {}
    for values in wanted:
        key = tuple(values[k] for k in key_fields)
        row = existing.pop(key, None)
        if row is None:
            row = model(**values)
            session.add(row)
            report.add(table, "inserted")
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            report.add(table, "updated")
        else:
            report.add(table, "unchanged")
        result[key] = row
    for row in existing.values():
        session.delete(row)
        report.add(table, "deleted")
    session.flush()
    return result


def load_reference_data(session: Session, data_dir: Path = DATA_DIR) -> SeedReport:
    """Upsert every reference file into the database inside the caller's transaction."""
    manifest = yaml.safe_load((data_dir / "manifest.yaml").read_text(encoding="utf-8"))
    report = SeedReport(version=str(manifest["version"]))
    papers = yaml.safe_load((data_dir / "papers.yaml").read_text(encoding="utf-8"))

    variant_rows = [
        {
            "name": r["name"],
            "activation": r["activation"],
            "gated": r["gated"].strip().lower() == "true",
            "formula_latex": r["formula_latex"],
            "d_ff_paper": int(r["d_ff_paper"]),
            "description": r["description"],
            "position": i,
        }
        for i, r in enumerate(_read_csv(data_dir / "variants.csv"))
    ]
    _upsert(session, report, Variant, ("name",), variant_rows)
    variant_names = {str(v["name"]) for v in variant_rows}

    _upsert(session, report, Paper, ("id",), [paper_data.paper_row(p, i) for i, p in enumerate(papers)])
    for paper in papers:
        pid = paper["id"]
        facts = [
            {"paper_id": pid, "position": i, **{k: str(f[k]) for k in ("key", "label", "value", "location")}}
            for i, f in enumerate(paper["facts"])
        ]
        _upsert(session, report, PaperFact, ("key",), facts, PaperFact.paper_id == pid)
        tables = _upsert(
            session,
            report,
            PaperTable,
            ("number",),
            [paper_data.table_row(paper, t) for t in paper["tables"]],
            PaperTable.paper_id == pid,
        )
        for t in paper["tables"]:
            table_row = tables[(t["number"],)]
            _upsert(
                session,
                report,
                Result,
                ("row_label", "benchmark", "metric", "training_steps"),
                paper_data.result_rows(table_row.id, paper, t, data_dir, variant_names),
                Result.table_id == table_row.id,
            )

    _upsert(session, report, CatalogModel, ("name",), catalog_rows(data_dir))

    facts_rows = [
        {
            "family": r["family"],
            "size": r["size"],
            "parameter": r["parameter"],
            "value_text": r["value_text"],
            "source": r["source"],
            "verified": r["verified"],
            "position": int(r["position"]),
        }
        for r in _read_csv(data_dir / "architecture_facts.csv")
    ]
    _upsert(session, report, ArchitectureFact, ("family", "size", "parameter"), facts_rows)

    # Curated explanation threads (app/answers/explanations.py): rendered from the rows loaded above.
    if (data_dir / "explanations.yaml").exists():
        from app.answers.explanations import load_explanations

        load_explanations(session, data_dir, report)

    # Common misreadings (app/misreadings.py): their citations are checked against the rows loaded above.
    if (data_dir / "misreadings.yaml").exists():
        from app.misreadings import load_misreadings

        load_misreadings(session, data_dir, report)

    sha = content_hash(data_dir, manifest["files"])
    info = session.scalar(select(DatasetInfo).where(DatasetInfo.id == 1))
    if info is None:
        info = DatasetInfo(id=1, version=report.version, content_sha256=sha, revision=1, loaded_at=utcnow())
        session.add(info)
        report.changed = True
    elif report.changed or info.version != report.version or info.content_sha256 != sha:
        info.version, info.content_sha256 = report.version, sha
        info.revision += 1
        info.loaded_at = utcnow()
        report.changed = True
    session.flush()
    report.revision = info.revision
    return report


def dataset_version(session: Session) -> dict[str, Any]:
    """Which reference data is loaded: its version, revision, load time and content hash (null before a seed)."""
    info = session.scalar(select(DatasetInfo).where(DatasetInfo.id == 1))
    if info is None:
        return {"version": None, "revision": 0, "loaded_at": None, "content_sha256": None}
    return {
        "version": info.version,
        "revision": info.revision,
        "loaded_at": iso_utc(info.loaded_at),
        "content_sha256": info.content_sha256,
    }
