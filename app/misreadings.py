"""Common misreadings of activation facts: loading them from app/data, reading them, and finding the ones
that concern a model, an activation or a paper.

A misreading's evidence cites stored rows where they exist. The load checks every cited paper cell and
report-table cell against what is stored (and a cited catalog model whenever the model is stored), so a
corrected value or a renamed row stops the seed instead of leaving a misreading that quotes a stale number.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog import normalize_model_name
from app.domain import UnknownNameError
from app.orm import ArchitectureFact, CatalogModel, Misreading, PaperTable, Result

MISREADINGS_FILE = "misreadings.yaml"
CONCERN_KINDS = ("models", "activations", "papers")
FIELDS = ("id", "title", "wrong", "right", "where", "concerns", "evidence")


class MisreadingDataError(ValueError):
    """A misreading file entry that is malformed or cites a stored row that says something else."""


def _row_values(entry: dict[str, Any], position: int) -> dict[str, Any]:
    missing = [f for f in FIELDS if f not in entry]
    if missing:
        raise MisreadingDataError(f"misreading {entry.get('id')!r}: missing {', '.join(missing)}")
    concerns = {kind: [str(v) for v in (entry["concerns"].get(kind) or [])] for kind in CONCERN_KINDS}
    return {
        "id": str(entry["id"]),
        "position": position,
        "title": str(entry["title"]).strip(),
        "wrong": str(entry["wrong"]).strip(),
        "right": str(entry["right"]).strip(),
        "shows_up": str(entry["where"]).strip(),
        "concerns": concerns,
        "evidence": [{k: str(v) for k, v in e.items()} for e in entry["evidence"]],
    }


def _stored_value(session: Session, citation: dict[str, str]) -> str | None:
    """The printed value of the stored row a citation names, or None when no such row is stored."""
    kind = citation["kind"]
    if kind == "paper_cell":
        stmt = (
            select(Result.value_text)
            .join(PaperTable, Result.table_id == PaperTable.id)
            .where(
                PaperTable.paper_id == citation["paper"],
                PaperTable.number == int(citation["table"]),
                Result.row_label == citation["row"],
                Result.column_label == citation["column"],
            )
        )
        return session.scalar(stmt)
    if kind == "architecture_fact":
        return session.scalar(
            select(ArchitectureFact.value_text).where(
                ArchitectureFact.family == citation["family"],
                ArchitectureFact.size == citation["size"],
                ArchitectureFact.parameter == citation["parameter"],
            )
        )
    if kind == "catalog_model":
        model = session.get(CatalogModel, citation["model"])
        return None if model is None else str(getattr(model, citation["field"]))
    return None


def _check_evidence(session: Session, misreading_id: str, evidence: list[dict[str, str]]) -> None:
    for citation in evidence:
        kind = citation.get("kind")
        if kind not in ("paper_cell", "architecture_fact", "catalog_model", "reference_fact", "external"):
            raise MisreadingDataError(f"misreading {misreading_id!r}: unknown evidence kind {kind!r}")
        if kind in ("reference_fact", "external"):
            continue
        stored = _stored_value(session, citation)
        if stored is None and kind == "catalog_model":
            continue  # a model the catalog does not hold yet is cited by name only
        if stored != citation.get("value_text"):
            raise MisreadingDataError(
                f"misreading {misreading_id!r} cites {citation!r}, but the stored value is {stored!r}"
            )


def load_misreadings(session: Session, data_dir: Path, report: Any = None) -> None:
    """Upsert misreadings.yaml into its table inside the caller's transaction (rows loaded earlier are checked)."""
    entries = yaml.safe_load((data_dir / MISREADINGS_FILE).read_text(encoding="utf-8")) or []
    wanted = [_row_values(entry, i) for i, entry in enumerate(entries)]
    existing = {row.id: row for row in session.scalars(select(Misreading))}
    for values in wanted:
        _check_evidence(session, values["id"], values["evidence"])
        row = existing.pop(values["id"], None)
        if row is None:
            session.add(Misreading(**values))
            _count(report, "inserted")
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            _count(report, "updated")
        else:
            _count(report, "unchanged")
    for row in existing.values():
        session.delete(row)
        _count(report, "deleted")
    session.flush()


def _count(report: Any, what: str) -> None:
    if report is not None and hasattr(report, "add"):
        report.add(Misreading.__tablename__, what)


def _citation(session: Session, citation: dict[str, str]) -> dict[str, Any]:
    """A citation as served: its kind, a readable label, the value as printed, and where the row lives."""
    kind = citation["kind"]
    value_text = citation.get("value_text")
    stored = _stored_value(session, citation) == value_text if kind not in ("reference_fact", "external") else False
    label, url, page_url, source = citation.get("text", ""), None, None, citation.get("source", "")
    if kind == "paper_cell":
        label = f"{citation['paper']} Table {citation['table']}, {citation['row']}, {citation['column']}"
        url = f"/api/v1/papers/{citation['paper']}/tables/{citation['table']}"
        page_url = f"/papers/{citation['paper']}"
        source = source or label
    elif kind == "architecture_fact":
        label = f"{citation['family']} {citation['size']}, {citation['parameter']}"
        url = f"/api/v1/architectures/{quote(citation['family'])}"
        source = source or f"architecture table of {citation['family']}"
    elif kind == "catalog_model":
        label = f"{citation['model']}, {citation['field']}"
        url = f"/api/v1/models/{quote(citation['model'])}"
        page_url = f"/models/{quote(citation['model'])}"
        source = source or "model catalog"
    key = {k: v for k, v in citation.items() if k not in ("kind", "text", "source", "value_text")}
    return {
        "kind": kind,
        "label": label,
        "value_text": value_text,
        "source": source,
        "stored": stored,
        "url": url if stored else None,
        "page_url": page_url if stored else None,
        "key": key,
    }


def summary(row: Misreading) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "wrong": row.wrong,
        "right": row.right,
        "where": row.shows_up,
        "concerns": {kind: list(row.concerns.get(kind, [])) for kind in CONCERN_KINDS},
    }


def list_misreadings(session: Session, limit: int | None = None, offset: int = 0) -> tuple[list[dict[str, Any]], int]:
    """Misreadings in the order of the data file, paginated, and how many there are in all."""
    rows = list(session.scalars(select(Misreading).order_by(Misreading.position)))
    page = rows[offset:] if limit is None else rows[offset : offset + limit]
    return [summary(r) | {"evidence": [_citation(session, c) for c in r.evidence]} for r in page], len(rows)


def get_misreading(session: Session, misreading_id: str) -> dict[str, Any]:
    """One misreading by its id (a stable slug); an unknown id names the valid ones."""
    row = session.get(Misreading, misreading_id.strip().lower())
    if row is None:
        ids = list(session.scalars(select(Misreading.id).order_by(Misreading.position)))
        raise UnknownNameError("misreading", misreading_id, ids, "id")
    return summary(row) | {"evidence": [_citation(session, c) for c in row.evidence]}


def concerning(
    session: Session, *, model: str | None = None, activation: str | None = None, paper: str | None = None
) -> list[dict[str, Any]]:
    """The misreadings that concern a catalog model (name matched as the catalog matches it), an activation
    id or a paper id, in the order of the data file; what a model, activation or paper page lists."""
    wanted_model = normalize_model_name(model) if model else None
    out = []
    for row in session.scalars(select(Misreading).order_by(Misreading.position)):
        concerns = row.concerns
        if (
            (wanted_model and wanted_model in {normalize_model_name(m) for m in concerns.get("models", [])})
            or (activation and activation.lower() in concerns.get("activations", []))
            or (paper and paper in concerns.get("papers", []))
        ):
            out.append(summary(row) | {"page_url": f"/misreadings/{row.id}"})
    return out
