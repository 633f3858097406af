"""Queries over the stored paper results: tables as printed, filtered results, comparisons, winners.

Numbers are compared and subtracted as decimals built from the printed text, so that a difference
such as 1.942 − 1.944 is reported as −0.002 and not as −0.0020000000000000018.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.domain import InvalidInputError, UnknownNameError
from app.orm import DatasetInfo, Paper, PaperTable, Result, Variant
from app.spread import NO_SPREAD, WITHIN_NOISE, combined_spread, noise_reading

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


def _source(result: Result) -> dict[str, Any]:
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
        "source": _source(result),
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


def _results_query() -> Any:
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
            _results_query()
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
    stmt = _results_query().join(Result.table)
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


def _spread(a: Result, b: Result, reference_stddev: dict[tuple[str, str, int], Result]) -> tuple[
    Decimal | None, str
]:
    """The run-to-run spread of a difference between two single runs, from what the paper reports.

    Table 1's 65,536-step column gives a spread per variant; Tables 2–4 give one inter-run stddev per
    metric (Raffel et al.'s). Two independent runs with spreads s_a and s_b differ by a spread of
    sqrt(s_a² + s_b²), which is what a difference has to exceed before it means anything.
    """
    if a.stddev_text and b.stddev_text:
        spread = combined_spread(Decimal(a.stddev_text), Decimal(b.stddev_text))
        return spread, "the paper's run-to-run spread of each variant in this column"
    ref = reference_stddev.get((a.benchmark, a.metric, a.training_steps))
    if ref is not None and ref.stddev_text:
        s = Decimal(ref.stddev_text)
        return combined_spread(s, s), "the inter-run stddev of Raffel et al. (2019) for this metric"
    return None, NO_SPREAD


def compare(session: Session, a: str, b: str, paper: str | None = None) -> dict[str, Any]:
    """Both variants' values per benchmark and metric, the difference, who is better, and the noise."""
    name_a, name_b = resolve_variant(session, a, "a"), resolve_variant(session, b, "b")
    stmt = _results_query().join(Result.table)
    if paper is not None:
        stmt = stmt.where(PaperTable.paper_id == resolve_paper(session, paper).id)
    results = list(session.scalars(stmt.order_by(PaperTable.number, Result.column_position)))
    by_cell: dict[tuple[str, str, int], dict[str, Result]] = defaultdict(dict)
    reference_stddev: dict[tuple[str, str, int], Result] = {}
    for r in results:
        cell = (r.benchmark, r.metric, r.training_steps)
        if r.is_reference:
            reference_stddev[cell] = r
        elif r.variant_name in (name_a, name_b):
            by_cell[cell][r.variant_name] = r
    items = []
    for cell, pair in by_cell.items():
        if name_a not in pair or name_b not in pair:
            continue
        ra, rb = pair[name_a], pair[name_b]
        va, vb = Decimal(ra.value_text), Decimal(rb.value_text)
        diff = va - vb
        if diff == 0:
            better = "tie"
        else:
            a_wins = (diff > 0) == ra.higher_is_better
            better = name_a if a_wins else name_b
        spread, spread_source = _spread(ra, rb, reference_stddev)
        noise = noise_reading(diff, spread)
        items.append(
            {
                "benchmark": cell[0],
                "metric": cell[1],
                "training_steps": cell[2],
                "higher_is_better": ra.higher_is_better,
                "a": {"variant": name_a, "value": ra.value, "value_text": ra.value_text,
                      "stddev": ra.stddev, "source": _source(ra)},
                "b": {"variant": name_b, "value": rb.value, "value_text": rb.value_text,
                      "stddev": rb.stddev, "source": _source(rb)},
                "difference": float(diff),
                "difference_text": _signed(diff),
                "better": better,
                "spread": None if spread is None else _round_like(spread, ra.value_text),
                "spread_source": spread_source,
                "noise": noise,
                "verdict": _verdict(better, noise),
            }
        )
    wins = {name_a: 0, name_b: 0, "tie": 0}
    for item in items:
        wins[str(item["better"])] += 1
    return {"a": name_a, "b": name_b, "items": items, "wins": wins}


def _verdict(better: str, noise: str) -> str:
    if better == "tie":
        return "tie"
    if noise == WITHIN_NOISE:
        return f"{better} ahead, within noise"
    if noise == NO_SPREAD:
        return f"{better} ahead; {NO_SPREAD}"
    return f"{better} better"


def _signed(value: Decimal) -> str:
    text = format(value, "f")
    return text if text.startswith("-") or value == 0 else f"+{text}"


def _round_like(value: Decimal, like_text: str) -> float:
    """A derived spread shown with one more decimal than the printed values it comes from."""
    decimals = len(like_text.split(".", 1)[1]) + 1 if "." in like_text else 1
    return float(round(value, decimals))


def best(
    session: Session, benchmark: str | None = None, training_steps: int | None = None,
    metric: str | None = None,
) -> list[dict[str, Any]]:
    """The best variant per benchmark/metric/length, ties listed; reference rows never compete."""
    stmt = _results_query().join(Result.table).where(Result.is_reference.is_(False))
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
                "source": _source(winners[0]),
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
            _results_query().join(Result.table).where(Result.is_reference.is_(False))
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



def correct_result(
    session: Session, result_id: int, value_text: str | None, stddev_text: str | None, clear_stddev: bool = False
) -> dict[str, Any]:
    """An admin's correction of one stored cell, as printed text; bumps the dataset revision.

    The files in app/data stay the source of truth: a later `actlab seed` restores their value unless the
    file is corrected too, which is what the README tells operators to do.
    """
    result = session.get(Result, result_id, options=[selectinload(Result.table).selectinload(PaperTable.paper)])
    if result is None:
        raise UnknownNameError("result", str(result_id), [], "result_id")
    if value_text is not None:
        result.value, result.value_text = _parse_printed(value_text, "body.value_text"), value_text.strip()
    if clear_stddev:
        result.stddev, result.stddev_text = None, None
    elif stddev_text is not None:
        result.stddev, result.stddev_text = _parse_printed(stddev_text, "body.stddev_text"), stddev_text.strip()
    info = session.scalar(select(DatasetInfo).where(DatasetInfo.id == 1))
    if info is not None:
        info.revision += 1
    session.flush()
    return result_item(result)


def _parse_printed(text: str, field: str) -> float:
    """A printed decimal such as "1.960": digits with an optional sign and point, nothing else."""
    stripped = text.strip()
    try:
        value = Decimal(stripped)
    except InvalidOperation as exc:
        raise InvalidInputError(field, "must be a decimal number as printed, e.g. 1.960") from exc
    if not value.is_finite() or not all(ch.isdigit() or ch in "+-." for ch in stripped):
        raise InvalidInputError(field, "must be a decimal number as printed, e.g. 1.960")
    return float(value)
