"""The stored facts an answer may use, read from the database once per dataset revision, with citations.

Why an in-memory copy: the reference data is a few hundred rows that only change when ``actlab seed``
loads a new revision, and an answer looks up dozens of them; reading them once per revision turns each
lookup into a dictionary access (this is what keeps an answer well under 100 ms). Every value handed to
an answer comes with its citation (paper, table, row, column or the report/config it comes from), and the
grounding check resolves citations against this same store, never against the text of the citation.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.answers.per_revision import PerRevision
from app.orm import (
    ArchitectureFact,
    CatalogModel,
    Misreading,
    Paper,
    PaperFact,
    PaperTable,
    Post,
    Result,
    Thread,
    Variant,
)


@dataclass(frozen=True)
class Cell:
    """One printed table cell with everything needed to cite it."""

    paper: str
    arxiv: str
    table: int
    table_title: str
    row: str
    variant: str | None
    is_reference: bool
    benchmark: str
    metric: str
    column: str
    column_position: int
    steps: int
    value_text: str
    stddev_text: str | None
    higher_is_better: bool
    #: How the cell was checked ("two-source", "single-source", …); rankings leave single-source cells out.
    verification: str = ""

    def citation(self) -> dict[str, Any]:
        return {
            "kind": "result",
            "paper": self.paper,
            "arxiv": self.arxiv,
            "table": self.table,
            "row": self.row,
            "column": self.column,
            "value_text": self.value_text,
            "stddev_text": self.stddev_text,
            "label": f"{self.arxiv} Table {self.table}, row {self.row}, column {self.column}",
            "url": f"/papers/{self.paper}#table-{self.table}",
        }


@dataclass(frozen=True)
class Explanation:
    """A curated explanation as stored in its thread (rendered from the data at seed time)."""

    key: str
    title: str
    thread_id: int
    post_id: int
    summary: str
    body: str
    questions: tuple[str, ...]
    tags: tuple[str, ...]
    summary_citations: tuple[dict[str, Any], ...]
    citations: tuple[dict[str, Any], ...]
    computations: tuple[dict[str, Any], ...]
    attachments: tuple[dict[str, Any], ...]

    def citation(self) -> dict[str, Any]:
        return {
            "kind": "explanation",
            "key": self.key,
            "title": self.title,
            "thread_id": self.thread_id,
            "post_id": self.post_id,
            "label": f"Curated explanation “{self.title}”",
            "url": f"/threads/{self.thread_id}#post-{self.post_id}",
        }


@dataclass
class Facts:
    """All stored facts of one revision, indexed the ways answers look them up."""

    revision: int
    cells: list[Cell]
    papers: dict[str, dict[str, Any]]
    paper_facts: dict[tuple[str, str], dict[str, Any]]
    tables: dict[tuple[str, int], dict[str, Any]]
    arch: dict[tuple[str, str, str], dict[str, Any]]
    catalog: dict[str, dict[str, Any]]
    variants: dict[str, dict[str, Any]]
    explanations: dict[str, Explanation]
    by_cell: dict[tuple[int, str, str], Cell] = field(default_factory=dict)
    by_variant: dict[str, list[Cell]] = field(default_factory=dict)
    #: The cells and papers of the other stored papers (Narang et al.), kept apart from ``cells`` so that
    #: no answer about the main paper mixes another paper's runs into its columns; only questions that name
    #: that paper read them (app.answers.second_paper).
    side_cells: list[Cell] = field(default_factory=list)
    side_papers: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: The stored common misreadings (id -> title, wrong, right, shows_up, evidence), an answer source of
    #: their own: a question that repeats one gets its correction (app.answers.misread).
    misreadings: dict[str, dict[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        grouped: dict[str, list[Cell]] = defaultdict(list)
        for c in self.cells:
            self.by_cell[(c.table, c.row, c.column)] = c
            if c.variant:
                grouped[c.variant].append(c)
        self.by_variant = dict(grouped)

    # -- lookups ---------------------------------------------------------------------------------
    def cell(self, table: int, row: str, column: str) -> Cell | None:
        return self.by_cell.get((table, row, column))

    def find(
        self, *, variant: str | None = None, benchmark: str | None = None, metric: str | None = None,
        steps: int | None = None, reference: bool | None = None,
    ) -> list[Cell]:
        pool = self.by_variant.get(variant, []) if variant else self.cells
        return [
            c for c in pool
            if (benchmark is None or c.benchmark == benchmark)
            and (metric is None or c.metric == metric)
            and (steps is None or c.steps == steps)
            and (reference is None or c.is_reference == reference)
        ]

    def reference_cell(self, benchmark: str, metric: str, steps: int) -> Cell | None:
        return next(
            (c for c in self.cells if c.is_reference and c.benchmark == benchmark and c.metric == metric
             and c.steps == steps), None,
        )

    def column_cells(self, benchmark: str, metric: str, steps: int) -> list[Cell]:
        """The variant cells of one table column (reference rows left out)."""
        return [c for c in self.cells if not c.is_reference and c.benchmark == benchmark and c.metric == metric
                and c.steps == steps]

    def paper_fact(self, paper: str, key: str) -> dict[str, Any] | None:
        return self.paper_facts.get((paper, key))

    def arch_fact(self, family: str, size: str, parameter: str) -> dict[str, Any] | None:
        return self.arch.get((family, size, parameter))

    def arch_sizes(self, family: str) -> list[str]:
        return list(dict.fromkeys(k[1] for k in self.arch if k[0] == family))

    def main_paper(self) -> dict[str, Any]:
        return next(iter(self.papers.values()))

    def side_cell(self, paper: str, table: int, row: str, column: str) -> Cell | None:
        return next((c for c in self.side_cells if c.paper == paper and c.table == table and c.row == row
                     and c.column == column), None)


def paper_citation(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": "paper",
        "paper": p["id"],
        "arxiv": p["arxiv"],
        "label": f"{p['authors']} ({p['year']}), “{p['title']}”, {p['arxiv']}",
        "url": f"/papers/{p['id']}",
    }


def _load(session: Session, revision: int) -> Facts:
    papers: dict[str, dict[str, Any]] = {}
    paper_facts: dict[tuple[str, str], dict[str, Any]] = {}
    tables: dict[tuple[str, int], dict[str, Any]] = {}
    # The first stored paper is the one the answers read cells of (main_paper); the others are not mixed in.
    paper_rows = select(Paper).options(selectinload(Paper.facts), selectinload(Paper.tables)).order_by(Paper.position)
    for p in session.scalars(paper_rows.limit(1)):
        arxiv = f"arXiv:{p.arxiv_id}{p.arxiv_version}"
        papers[p.id] = {"id": p.id, "arxiv": arxiv, "title": p.title, "authors": p.authors, "year": p.year}
        for f in p.facts:
            paper_facts[(p.id, f.key)] = {
                "kind": "paper_fact", "paper": p.id, "key": f.key, "label": f"{arxiv} {f.location}: {f.label}",
                "fact_label": f.label, "value": f.value, "location": f.location, "url": f"/papers/{p.id}",
            }
        for t in p.tables:
            tables[(p.id, t.number)] = {
                "kind": "table", "paper": p.id, "table": t.number, "title": t.title, "caption": t.caption,
                "label": f"{arxiv} Table {t.number} ({t.title})", "url": f"/papers/{p.id}#table-{t.number}",
            }
    table_info = {
        t.id: (t.paper_id, t.number, t.title)
        for t in session.scalars(select(PaperTable).where(PaperTable.paper_id.in_(list(papers))))
    }
    cells = []
    for r in session.scalars(select(Result).order_by(Result.table_id, Result.row_position, Result.column_position)):
        if r.table_id not in table_info or r.training_steps is None:
            continue
        paper_id, number, title = table_info[r.table_id]
        cells.append(
            Cell(
                paper=paper_id, arxiv=papers[paper_id]["arxiv"], table=number, table_title=title, row=r.row_label,
                variant=r.variant_name, is_reference=r.is_reference, benchmark=r.benchmark, metric=r.metric,
                column=r.column_label, column_position=r.column_position, steps=r.training_steps,
                value_text=r.value_text, stddev_text=r.stddev_text, higher_is_better=r.higher_is_better,
            )
        )
    arch = {}
    for a in session.scalars(select(ArchitectureFact).order_by(ArchitectureFact.position)):
        arch[(a.family, a.size, a.parameter)] = {
            "kind": "architecture", "family": a.family, "size": a.size, "parameter": a.parameter,
            "value_text": a.value_text, "source": a.source, "verified": a.verified,
            "label": f"{a.family} {a.size}, {a.parameter} ({a.source})",
            "url": f"/api/v1/architectures/{quote(a.family)}",
        }
    catalog = {}
    for m in session.scalars(select(CatalogModel).order_by(CatalogModel.position)):
        catalog[m.name] = {
            "kind": "catalog", "model": m.name, "organization": m.organization, "year": m.year,
            "ffn_type": m.ffn_type, "activation": m.activation, "d_model_text": m.d_model_text,
            "d_ff_text": m.d_ff_text, "source": m.source, "verified": m.verified,
            "label": f"Model catalog, {m.name} ({m.source})", "url": f"/models/{quote(m.name)}",
        }
    variants = {
        v.name: {"name": v.name, "activation": v.activation, "gated": v.gated, "d_ff_paper": v.d_ff_paper,
                 "description": v.description, "formula_latex": v.formula_latex}
        for v in session.scalars(select(Variant).order_by(Variant.position))
    }
    explanations: dict[str, Explanation] = {}
    curated = session.execute(
        select(Thread, Post).join(Post, Post.thread_id == Thread.id)
        .where(Thread.curated_key.is_not(None), Post.parent_id.is_(None), Post.author_kind == "service")
        .order_by(Thread.id, Post.id)
    ).all()
    for thread, post in curated:
        assert thread.curated_key is not None
        meta = (post.answer_meta or {}).get("explanation") or {}
        if thread.curated_key in explanations or not meta:
            continue
        explanations[thread.curated_key] = Explanation(
            key=thread.curated_key, title=thread.title, thread_id=thread.id, post_id=post.id,
            summary=meta.get("summary", ""), body=post.body, questions=tuple(meta.get("questions", ())),
            tags=tuple(meta.get("tags", ())), summary_citations=tuple(meta.get("summary_citations", ())),
            citations=tuple(post.citations or ()), computations=tuple(meta.get("computations", ())),
            attachments=tuple(post.attachments or ()),
        )
    side_papers, side_cells = _side_papers(session, set(papers))
    side_facts = select(PaperFact).where(PaperFact.paper_id.in_(list(side_papers)))
    for f in session.scalars(side_facts.order_by(PaperFact.paper_id, PaperFact.position)):
        side = side_papers[f.paper_id]
        paper_facts[(f.paper_id, f.key)] = {
            "kind": "paper_fact", "paper": f.paper_id, "key": f.key,
            "label": f"{side['arxiv']} {f.location}: {f.label}", "fact_label": f.label, "value": f.value,
            "location": f.location, "url": f"/papers/{f.paper_id}",
        }
    misreadings = {
        m.id: {"id": m.id, "title": m.title, "wrong": m.wrong, "right": m.right, "shows_up": m.shows_up,
               "evidence": list(m.evidence or []), "concerns": dict(m.concerns or {})}
        for m in session.scalars(select(Misreading).order_by(Misreading.position))
    }
    return Facts(revision, cells, papers, paper_facts, tables, arch, catalog, variants, explanations,
                 side_cells=side_cells, side_papers=side_papers, misreadings=misreadings)


def _side_papers(session: Session, main: set[str]) -> tuple[dict[str, dict[str, Any]], list[Cell]]:
    """The papers after the first and their table cells (a cell without a training length gets 0)."""
    papers: dict[str, dict[str, Any]] = {}
    for p in session.scalars(select(Paper).order_by(Paper.position)):
        if p.id not in main:
            papers[p.id] = {"id": p.id, "arxiv": f"arXiv:{p.arxiv_id}{p.arxiv_version}", "title": p.title,
                            "authors": p.authors, "year": p.year}
    info = {t.id: (t.paper_id, t.number, t.title)
            for t in session.scalars(select(PaperTable).where(PaperTable.paper_id.in_(list(papers))))}
    cells = []
    for r in session.scalars(select(Result).where(Result.table_id.in_(list(info)))
                             .order_by(Result.table_id, Result.row_position, Result.column_position)):
        paper_id, number, title = info[r.table_id]
        cells.append(Cell(
            paper=paper_id, arxiv=papers[paper_id]["arxiv"], table=number, table_title=title, row=r.row_label,
            variant=r.variant_name, is_reference=r.is_reference, benchmark=r.benchmark, metric=r.metric,
            column=r.column_label, column_position=r.column_position, steps=r.training_steps or 0,
            value_text=r.value_text, stddev_text=r.stddev_text, higher_is_better=r.higher_is_better,
            verification=r.verification or "",
        ))
    return papers, cells


_facts: PerRevision[Facts] = PerRevision(lambda session, revision: _load(session, revision))


def load_facts(session: Session, *, fresh: bool = False) -> Facts:
    """The facts of the loaded revision (cached per database and revision; ``fresh`` reads them anew)."""
    return _facts.get(session, fresh=fresh)
