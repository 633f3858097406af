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
REFERENCE_ROW_IDS = {"Raffel_et_al_2019_reported": "Raffel et al. 2019"}
LOWER_IS_BETTER_METRICS = {"log-perplexity"}


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


def column_label(table_number: int, benchmark: str, metric: str, training_steps: int) -> str:
    """The column heading as the paper prints it."""
    if table_number == 1:
        return f"{training_steps:,} steps"
    if table_number == 4:
        return metric
    task = benchmark.split("/", 1)[1] if "/" in benchmark else ""
    return f"{task} {metric}" if task else metric


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

    _upsert(
        session,
        report,
        Paper,
        ("id",),
        [
            {k: p[k] for k in ("id", "arxiv_id", "arxiv_version", "title", "authors", "organization", "year")}
            | {"submitted": str(p["submitted"]), "summary": p["summary"].strip()}
            for p in papers
        ],
    )
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
            [
                {
                    "paper_id": pid,
                    "number": t["number"],
                    "title": t["title"],
                    "caption": t["caption"].strip(),
                    "source_label": f"arXiv:{paper['arxiv_id']}{paper['arxiv_version']} Table {t['number']}",
                    "stddev_row_label": t.get("stddev_row_label", "ibid. stddev."),
                }
                for t in paper["tables"]
            ],
            PaperTable.paper_id == pid,
        )
        for t in paper["tables"]:
            table_row = tables[(t["number"],)]
            _upsert(
                session,
                report,
                Result,
                ("row_label", "benchmark", "metric", "training_steps"),
                _result_rows(table_row.id, t["number"], _read_csv(data_dir / t["file"]), variant_names),
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


def _result_rows(
    table_id: int, table_number: int, rows: list[dict[str, str]], variant_names: set[str]
) -> list[dict[str, Any]]:
    row_positions: dict[str, int] = {}
    column_positions: dict[tuple[str, str, int], int] = {}
    out = []
    for r in rows:
        row_id = r["variant"]
        is_reference = row_id in REFERENCE_ROW_IDS
        if not is_reference and row_id not in variant_names:
            raise ValueError(f"table {table_number}: unknown variant {row_id!r}")
        steps = int(r["training_steps"])
        column = (r["benchmark"], r["metric"], steps)
        row_positions.setdefault(row_id, len(row_positions))
        column_positions.setdefault(column, len(column_positions))
        stddev_text = r["stddev"].strip() or None
        out.append(
            {
                "table_id": table_id,
                "row_label": REFERENCE_ROW_IDS.get(row_id, row_id),
                "row_position": row_positions[row_id],
                "variant_name": None if is_reference else row_id,
                "is_reference": is_reference,
                "benchmark": r["benchmark"],
                "metric": r["metric"],
                "column_label": column_label(table_number, r["benchmark"], r["metric"], steps),
                "column_position": column_positions[column],
                "training_steps": steps,
                "value": float(r["value"]),
                "value_text": r["value"].strip(),
                "stddev": float(stddev_text) if stddev_text else None,
                "stddev_text": stddev_text,
                "higher_is_better": r["metric"] not in LOWER_IS_BETTER_METRICS,
            }
        )
    return out
