"""Queries over the stored paper results: names, tables as printed, filtered results, winners, variants.

Comparing two variants is ``app.paper_compare``; an admin's correction of a cell is ``app.paper_corrections``.

Numbers are compared and subtracted as decimals built from the printed text, so that a difference
such as 1.942 − 1.944 is reported as −0.002 and not as −0.0020000000000000018.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.domain import UnknownNameError
from app.orm import Paper, PaperTable, Result, Variant

RESULT_SORT_KEYS = ("table", "variant", "benchmark", "metric", "training_steps", "value")


def normalize_variant(name: str) -> str:
    """'FFN_GEGLU', 'ffn_geglu' and 'GEGLU' all name the same variant."""
    key = name.strip().lower().replace("-", "_")
    return key.removeprefix("ffn_")


def variant_names(session: Session) -> list[str]:
    return list(session.scalars(select(Variant.name).order_by(Variant.position)))


def resolve_variant(session: Session, name: str, field: str = "variant") -> str:
    names = variant_names(session)
    wanted = normalize_variant(name)
    for candidate in names:
        if normalize_variant(candidate) == wanted:
            return candidate
    raise UnknownNameError("variant", name, names, field)


def resolve_paper(session: Session, paper_id: str, field: str = "paper") -> Paper:
    wanted = paper_id.strip().lower().removeprefix("arxiv:")
    for paper in session.scalars(select(Paper).order_by(Paper.year)):
        if wanted in {paper.id.lower(), paper.arxiv_id, f"{paper.arxiv_id}{paper.arxiv_version}".lower()}:
            return paper
    raise UnknownNameError("paper", paper_id, list(session.scalars(select(Paper.id))), field)


def benchmark_aliases(benchmark: str) -> set[str]:
    """Lower-case names a user may type for a benchmark: the full name, the task, the first word."""
    full = benchmark.lower()
    aliases = {full, full.split(" ", 1)[0]}
    if "/" in full:
        aliases.add(full.split("/", 1)[1])
    return aliases


def resolve_benchmarks(session: Session, name: str, field: str = "benchmark") -> list[str]:
    all_names = list(dict.fromkeys(session.scalars(select(Result.benchmark).order_by(Result.id))))
    wanted = name.strip().lower()
    exact = [b for b in all_names if b.lower() == wanted]
    if exact:
        return exact
    matches = [b for b in all_names if wanted in benchmark_aliases(b)]
    if not matches:
        raise UnknownNameError("benchmark", name, all_names, field)
    return matches


def resolve_metric(session: Session, name: str, field: str = "metric") -> str:
    """The stored metric name for ``name`` (any case); unknown names list the valid ones."""
    metrics = list(dict.fromkeys(session.scalars(select(Result.metric).order_by(Result.id))))
    wanted = name.strip().lower()
    for metric in metrics:
        if metric.lower() == wanted:
            return metric
    raise UnknownNameError("metric", name, metrics, field)


def source_of(result: Result) -> dict[str, Any]:
    table = result.table
    paper = table.paper
    return {
        "paper": paper.id,
        "arxiv": f"arXiv:{paper.arxiv_id}{paper.arxiv_version}",
        "table": table.number,
        "row": result.row_label,
        "column": result.column_label,
        "label": f"{table.source_label}, row {result.row_label}, column {result.column_label}",
    }


def result_item(result: Result) -> dict[str, Any]:
    return {
        "id": result.id,
        "variant": result.variant_name,
        "row_label": result.row_label,
        "is_reference": result.is_reference,
        "benchmark": result.benchmark,
        "metric": result.metric,
        "training_steps": result.training_steps,
        "value": result.value,
        "value_text": result.value_text,
        "stddev": result.stddev,
        "stddev_text": result.stddev_text,
        "higher_is_better": result.higher_is_better,
        "source": source_of(result),
    }


RESULT_CSV_COLUMNS = [
    "variant",
    "row_label",
    "is_reference",
    "benchmark",
    "metric",
    "training_steps",
    "value_text",
    "stddev_text",
    "higher_is_better",
    "source.label",
]


def results_query() -> Any:
    return select(Result).options(selectinload(Result.table).selectinload(PaperTable.paper))


def list_papers(session: Session) -> list[dict[str, Any]]:
    papers = session.scalars(select(Paper).options(selectinload(Paper.tables)).order_by(Paper.year))
    return [paper_summary(p) for p in papers]


def paper_summary(paper: Paper) -> dict[str, Any]:
    return {
        "id": paper.id,
        "arxiv_id": paper.arxiv_id,
        "arxiv_version": paper.arxiv_version,
        "arxiv_url": f"https://arxiv.org/abs/{paper.arxiv_id}{paper.arxiv_version}",
        "title": paper.title,
        "authors": paper.authors,
        "organization": paper.organization,
        "year": paper.year,
        "submitted": paper.submitted,
        "tables": [{"number": t.number, "title": t.title} for t in paper.tables],
    }


def get_paper(session: Session, paper_id: str) -> dict[str, Any]:
    paper = resolve_paper(session, paper_id, "paper_id")
    out = paper_summary(paper)
    out["summary"] = paper.summary
    out["facts"] = [
        {"key": f.key, "label": f.label, "value": f.value, "location": f.location} for f in paper.facts
    ]
    return out


def paper_table(session: Session, paper_id: str, number: int) -> dict[str, Any]:
    """A table as the paper prints it: columns, variant rows, reference rows, best cells marked."""
    paper = resolve_paper(session, paper_id, "paper_id")
    table = next((t for t in paper.tables if t.number == number), None)
    if table is None:
        raise UnknownNameError(
            "table", str(number), [str(t.number) for t in paper.tables], field="number"
        )
    results = list(
        session.scalars(
            results_query()
            .where(Result.table_id == table.id)
            .order_by(Result.row_position, Result.column_position)
        )
    )
    columns: dict[int, dict[str, Any]] = {}
    rows: dict[int, dict[str, Any]] = {}
    for r in results:
        columns.setdefault(
            r.column_position,
            {
                "label": r.column_label,
                "benchmark": r.benchmark,
                "metric": r.metric,
                "training_steps": r.training_steps,
                "higher_is_better": r.higher_is_better,
            },
        )
        row = rows.setdefault(
            r.row_position,
            {"label": r.row_label, "variant": r.variant_name, "is_reference": r.is_reference, "cells": {}},
        )
        row["cells"][r.column_position] = {
            "value": r.value,
            "value_text": r.value_text,
            "stddev": r.stddev,
            "stddev_text": r.stddev_text,
            "best": False,
        }
    column_order = sorted(columns)
    for pos in column_order:
        candidates = [
            row["cells"][pos] for row in rows.values() if not row["is_reference"] and pos in row["cells"]
        ]
        if not candidates:
            continue
        pick = max if columns[pos]["higher_is_better"] else min
        best_value = pick(Decimal(c["value_text"]) for c in candidates)
        for cell in candidates:
            cell["best"] = Decimal(cell["value_text"]) == best_value
    variant_rows: list[dict[str, Any]] = []
    reference_rows: list[dict[str, Any]] = []
    for pos in sorted(rows):
        row = rows[pos]
        row["cells"] = [row["cells"].get(c) for c in column_order]
        (reference_rows if row["is_reference"] else variant_rows).append(row)
    # The reference stddev ("ibid. stddev.", as each table labels it) is printed as its own row.
    for ref in list(reference_rows):
        if any(c and c["stddev_text"] for c in ref["cells"]):
            reference_rows.append(
                {
                    "label": table.stddev_row_label,
                    "variant": None,
                    "is_reference": True,
                    "is_stddev": True,
                    "cells": [
                        None
                        if c is None or c["stddev_text"] is None
                        else {"value": c["stddev"], "value_text": c["stddev_text"], "stddev": None,
                              "stddev_text": None, "best": False}
                        for c in ref["cells"]
                    ],
                }
            )
    return {
        "paper": paper.id,
        "number": table.number,
        "title": table.title,
        "caption": table.caption,
        "source": table.source_label,
        "columns": [columns[c] for c in column_order],
        "rows": variant_rows,
        "reference_rows": reference_rows,
    }


@dataclass(frozen=True)
class ResultFilters:
    paper: str | None = None
    variant: str | None = None
    benchmark: str | None = None
    metric: str | None = None
    training_steps: int | None = None
    include_reference: bool = True


def query_results(
    session: Session, filters: ResultFilters, sort: str | None, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    """Filtered, sorted results and the total count before pagination."""
    stmt = results_query().join(Result.table)
    if filters.paper is not None:
        stmt = stmt.where(PaperTable.paper_id == resolve_paper(session, filters.paper).id)
    if filters.variant is not None:
        stmt = stmt.where(Result.variant_name == resolve_variant(session, filters.variant))
    if filters.benchmark is not None:
        stmt = stmt.where(Result.benchmark.in_(resolve_benchmarks(session, filters.benchmark)))
    if filters.metric is not None:
        stmt = stmt.where(Result.metric == resolve_metric(session, filters.metric))
    if filters.training_steps is not None:
        stmt = stmt.where(Result.training_steps == filters.training_steps)
    if not filters.include_reference:
        stmt = stmt.where(Result.is_reference.is_(False))
    rows = list(session.scalars(stmt.order_by(PaperTable.number, Result.row_position, Result.column_position)))
    if sort:
        descending = sort.startswith("-")
        key = sort.lstrip("-")
        keyfuncs: dict[str, Any] = {
            "table": lambda r: (r.table.number, r.row_position, r.column_position),
            "variant": lambda r: r.row_label.lower(),
            "benchmark": lambda r: r.benchmark.lower(),
            "metric": lambda r: r.metric.lower(),
            "training_steps": lambda r: r.training_steps,
            "value": lambda r: r.value,
        }
        rows.sort(key=keyfuncs[key], reverse=descending)
    total = len(rows)
    return [result_item(r) for r in rows[offset : offset + limit]], total


def best(
    session: Session, benchmark: str | None = None, training_steps: int | None = None,
    metric: str | None = None,
) -> list[dict[str, Any]]:
    """The best variant per benchmark/metric/length, ties listed; reference rows never compete."""
    stmt = results_query().join(Result.table).where(Result.is_reference.is_(False))
    if benchmark is not None:
        stmt = stmt.where(Result.benchmark.in_(resolve_benchmarks(session, benchmark)))
    if training_steps is not None:
        stmt = stmt.where(Result.training_steps == training_steps)
    if metric is not None:
        stmt = stmt.where(Result.metric == resolve_metric(session, metric))
    groups: dict[tuple[str, str, int], list[Result]] = defaultdict(list)
    for r in session.scalars(stmt.order_by(PaperTable.number, Result.column_position, Result.row_position)):
        groups[(r.benchmark, r.metric, r.training_steps)].append(r)
    out = []
    for (bench, metric_name, steps), rs in groups.items():
        pick = max if rs[0].higher_is_better else min
        top = pick(Decimal(r.value_text) for r in rs)
        winners = [r for r in rs if Decimal(r.value_text) == top]
        out.append(
            {
                "benchmark": bench,
                "metric": metric_name,
                "training_steps": steps,
                "higher_is_better": rs[0].higher_is_better,
                "best": [w.variant_name for w in winners],
                "value": winners[0].value,
                "value_text": winners[0].value_text,
                "tie": len(winners) > 1,
                "source": source_of(winners[0]),
            }
        )
    return out


def variant_summary(v: Variant) -> dict[str, Any]:
    return {
        "name": v.name,
        "activation": v.activation,
        "gated": v.gated,
        "formula_latex": v.formula_latex,
        "d_ff_paper": v.d_ff_paper,
        "description": v.description,
    }


def list_variants(session: Session) -> list[dict[str, Any]]:
    return [variant_summary(v) for v in session.scalars(select(Variant).order_by(Variant.position))]


def get_variant(session: Session, name: str) -> dict[str, Any]:
    """A variant with all its results and its rank among the variants in each column."""
    canonical = resolve_variant(session, name, "name")
    variant = session.get(Variant, canonical)
    assert variant is not None
    results = list(
        session.scalars(
            results_query().join(Result.table).where(Result.is_reference.is_(False))
            .order_by(PaperTable.number, Result.column_position)
        )
    )
    groups: dict[tuple[int, str, str, int], list[Result]] = defaultdict(list)
    for r in results:
        groups[(r.table.number, r.benchmark, r.metric, r.training_steps)].append(r)
    ranked = []
    for rs in groups.values():
        mine = next((r for r in rs if r.variant_name == canonical), None)
        if mine is None:
            continue
        mine_value = Decimal(mine.value_text)
        better_count = sum(
            1
            for r in rs
            if (Decimal(r.value_text) > mine_value if mine.higher_is_better else Decimal(r.value_text) < mine_value)
        )
        item = result_item(mine)
        item["rank"] = better_count + 1
        item["of"] = len(rs)
        ranked.append(item)
    out = variant_summary(variant)
    out["results"] = ranked
    return out
