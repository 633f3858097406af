"""Queries over the stored paper results: names, tables as printed, filtered results, winners, variants.

Comparing two variants is ``app.paper_compare``; a table as printed is ``app.paper_tables``; an admin's
correction of a cell is ``app.paper_corrections``.

A query that names no paper is about the first stored paper (papers.yaml order): each paper is its own
experiment, so results, rankings and winners are always scoped to one paper and never mix two. Cells read
in one copy only (``single-source``) never enter a ranking or a winner unless the caller asks for them,
and then each answer says so.

Numbers are compared and subtracted as decimals built from the printed text, so that a difference
such as 1.942 − 1.944 is reported as −0.002 and not as −0.0020000000000000018.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
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


def default_paper(session: Session) -> Paper | None:
    """The paper a query that names none is about: the first in papers.yaml."""
    return session.scalars(select(Paper).order_by(Paper.position, Paper.id).limit(1)).first()


def paper_scope(session: Session, paper_id: str | None, field: str = "paper") -> str | None:
    """The id of the named paper, or of the default one; None only when nothing is stored."""
    if paper_id is not None:
        return resolve_paper(session, paper_id, field).id
    paper = default_paper(session)
    return None if paper is None else paper.id


def ranked(result: Result, include_single_source: bool = False) -> bool:
    """Whether a cell may compete in a ranking: a variant row, a numeric value, and verified enough."""
    if result.is_reference or result.value is None:
        return False
    return include_single_source or result.verification != "single-source"


def row_name(result: Result) -> str:
    """The stored variant a row is, or the paper's own row label where it is none of them."""
    return result.variant_name or result.row_label


def resolve_paper(session: Session, paper_id: str, field: str = "paper") -> Paper:
    wanted = paper_id.strip().lower().removeprefix("arxiv:")
    for paper in session.scalars(select(Paper).order_by(Paper.position, Paper.id)):
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


def _names_in(column: Any, paper_id: str | None) -> Any:
    """The stored values of a Result column, within one paper where one is given (the names it knows)."""
    stmt = select(column).order_by(Result.id)
    if paper_id is not None:
        stmt = stmt.join(Result.table).where(PaperTable.paper_id == paper_id)
    return stmt


def resolve_benchmarks(
    session: Session, name: str, field: str = "benchmark", paper_id: str | None = None
) -> list[str]:
    all_names = list(dict.fromkeys(session.scalars(_names_in(Result.benchmark, paper_id))))
    wanted = name.strip().lower()
    exact = [b for b in all_names if b.lower() == wanted]
    if exact:
        return exact
    matches = [b for b in all_names if wanted in benchmark_aliases(b)]
    if not matches:
        raise UnknownNameError("benchmark", name, all_names, field)
    return matches


def resolve_metric(session: Session, name: str, field: str = "metric", paper_id: str | None = None) -> str:
    """The stored metric name for ``name`` (any case); unknown names list the valid ones."""
    metrics = list(dict.fromkeys(session.scalars(_names_in(Result.metric, paper_id))))
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
        "verification": result.verification,
        "verification_rule": result.verification_rule,
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
    "verification",
    "verification_rule",
    "source.label",
]


def results_query() -> Any:
    return select(Result).options(selectinload(Result.table).selectinload(PaperTable.paper))


def list_papers(session: Session) -> list[dict[str, Any]]:
    papers = session.scalars(select(Paper).options(selectinload(Paper.tables)).order_by(Paper.position, Paper.id))
    return [paper_summary(p, verification_counts(session, p.id)) for p in papers]


def verification_counts(session: Session, paper_id: str) -> dict[str, int]:
    """How many of a paper's stored cells carry each verification status."""
    stmt = (
        select(Result.verification, func.count()).join(Result.table)
        .where(PaperTable.paper_id == paper_id).group_by(Result.verification).order_by(Result.verification)
    )
    return {status: int(n) for status, n in session.execute(stmt)}


def paper_summary(paper: Paper, counts: dict[str, int]) -> dict[str, Any]:
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
        "verification_counts": counts,
    }


def get_paper(session: Session, paper_id: str) -> dict[str, Any]:
    paper = resolve_paper(session, paper_id, "paper_id")
    out = paper_summary(paper, verification_counts(session, paper.id))
    out["summary"] = paper.summary
    out["facts"] = [
        {"key": f.key, "label": f.label, "value": f.value, "location": f.location} for f in paper.facts
    ]
    return out


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
    paper_id = paper_scope(session, filters.paper)
    stmt = results_query().join(Result.table).where(PaperTable.paper_id == paper_id)
    if filters.variant is not None:
        stmt = stmt.where(Result.variant_name == resolve_variant(session, filters.variant))
    if filters.benchmark is not None:
        stmt = stmt.where(Result.benchmark.in_(resolve_benchmarks(session, filters.benchmark, paper_id=paper_id)))
    if filters.metric is not None:
        stmt = stmt.where(Result.metric == resolve_metric(session, filters.metric, paper_id=paper_id))
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
            "training_steps": lambda r: (r.training_steps is None, r.training_steps or 0),
            "value": lambda r: (r.value is None, r.value or 0.0),
        }
        rows.sort(key=keyfuncs[key], reverse=descending)
    total = len(rows)
    return [result_item(r) for r in rows[offset : offset + limit]], total


def best(
    session: Session, benchmark: str | None = None, training_steps: int | None = None,
    metric: str | None = None, paper: str | None = None, include_single_source: bool = False,
) -> list[dict[str, Any]]:
    """The best row per benchmark/metric/length of one paper, ties listed; reference rows never compete.

    Single-source cells are left out unless ``include_single_source``; then each answer whose winners
    include one says so (``single_source``), and ``verification`` names the weakest status among them.
    """
    paper_id = paper_scope(session, paper)
    stmt = results_query().join(Result.table).where(Result.is_reference.is_(False), PaperTable.paper_id == paper_id)
    if benchmark is not None:
        stmt = stmt.where(Result.benchmark.in_(resolve_benchmarks(session, benchmark, paper_id=paper_id)))
    if training_steps is not None:
        stmt = stmt.where(Result.training_steps == training_steps)
    if metric is not None:
        stmt = stmt.where(Result.metric == resolve_metric(session, metric, paper_id=paper_id))
    groups: dict[tuple[int, str, str, int | None], list[Result]] = defaultdict(list)
    left_out: dict[tuple[int, str, str, int | None], int] = defaultdict(int)
    for r in session.scalars(stmt.order_by(PaperTable.number, Result.column_position, Result.row_position)):
        key = (r.table.number, r.benchmark, r.metric, r.training_steps)
        if ranked(r, include_single_source):
            groups[key].append(r)
        elif ranked(r, include_single_source=True):
            left_out[key] += 1
    out = []
    for key, rs in groups.items():
        _, bench, metric_name, steps = key
        if len(rs) < 2:
            continue  # one competitor is no ranking (e.g. the one two-source cell of a single-source column)
        pick = max if rs[0].higher_is_better else min
        top = pick(Decimal(r.value_text) for r in rs)
        winners = [r for r in rs if Decimal(r.value_text) == top]
        statuses = {w.verification for w in winners}
        out.append(
            {
                "paper": winners[0].table.paper_id,
                "benchmark": bench,
                "metric": metric_name,
                "training_steps": steps,
                "higher_is_better": rs[0].higher_is_better,
                "best": [row_name(w) for w in winners],
                "best_rows": [w.row_label for w in winners],
                "value": winners[0].value,
                "value_text": winners[0].value_text,
                "tie": len(winners) > 1,
                "verification": next(s for s in ("single-source", "derived", "two-source") if s in statuses),
                "single_source": "single-source" in statuses,
                "single_source_left_out": left_out[key],
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


def get_variant(session: Session, name: str, paper: str | None = None) -> dict[str, Any]:
    """A variant with its results in one paper and its rank among that table's rows in each column.

    Single-source cells rank among nothing, so they are not listed here (``/api/v1/results`` has them).
    """
    canonical = resolve_variant(session, name, "name")
    variant = session.get(Variant, canonical)
    assert variant is not None
    results = list(
        session.scalars(
            results_query().join(Result.table)
            .where(Result.is_reference.is_(False), PaperTable.paper_id == paper_scope(session, paper))
            .order_by(PaperTable.number, Result.column_position)
        )
    )
    groups: dict[tuple[int, str, str, int | None], list[Result]] = defaultdict(list)
    for r in results:
        groups[(r.table.number, r.benchmark, r.metric, r.training_steps)].append(r)
    ranked_items = []
    for rs in groups.values():
        mine = next((r for r in rs if r.variant_name == canonical), None)
        if mine is None:
            continue
        if not ranked(mine):
            continue
        competitors = [r for r in rs if ranked(r)]
        mine_value = Decimal(mine.value_text)
        better_count = sum(
            1
            for r in competitors
            if (Decimal(r.value_text) > mine_value if mine.higher_is_better else Decimal(r.value_text) < mine_value)
        )
        item = result_item(mine)
        item["rank"], item["of"] = better_count + 1, len(competitors)
        ranked_items.append(item)
    out = variant_summary(variant)
    out["results"] = ranked_items
    return out
