"""What every stored paper says about one pair of variants, side by side and never pooled.

Each paper is compared on its own (``app.paper_compare``, two-source cells only): which of the two it
found ahead in each of its columns, and against its own noise (its printed spreads). The papers' values
are never put into one ranking or subtracted across papers: their baselines and protocols differ (e.g.
LayerNorm and FFN biases vs RMSNorm without, different early-loss protocols), so only the orderings can
be read side by side.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from app.orm import Paper
from app.paper_compare import compare
from app.papers import resolve_variant

NOT_COMPARABLE = (
    "Absolute values are not comparable across these papers: each was measured against its own baseline "
    "and protocol, so read each paper's ordering and its own noise, never one paper's number against the other's."
)
NOT_COMPARABLE_FACT = "not_comparable"


def across_papers(session: Session, a: str, b: str) -> dict[str, Any]:
    """Per paper: how it names the two variants, the ordering it found per column, and its noise reading."""
    name_a, name_b = resolve_variant(session, a, "a"), resolve_variant(session, b, "b")
    out_papers = []
    cautions = []
    for paper in session.scalars(select(Paper).options(selectinload(Paper.facts)).order_by(Paper.position)):
        for fact in paper.facts:
            if fact.key == NOT_COMPARABLE_FACT:
                cautions.append({"paper": paper.id, "label": fact.label, "value": fact.value})
        result = compare(session, name_a, name_b, paper.id)
        if not result["items"]:
            continue
        items = [
            {
                "table": i["table"], "benchmark": i["benchmark"], "metric": i["metric"],
                "training_steps": i["training_steps"], "a_value_text": i["a"]["value_text"],
                "b_value_text": i["b"]["value_text"], "better": i["better"], "spread": i["spread"],
                "spread_source": i["spread_source"], "noise": i["noise"], "verdict": i["verdict"],
            }
            for i in result["items"]
        ]
        first = result["items"][0]
        out_papers.append(
            {
                "paper": paper.id,
                "title": paper.title,
                "authors": paper.authors,
                "year": paper.year,
                "arxiv": f"arXiv:{paper.arxiv_id}{paper.arxiv_version}",
                "row_labels": {"a": first["a"]["row_label"], "b": first["b"]["row_label"]},
                "items": items,
                "wins": result["wins"],
                "noise": dict(Counter(i["noise"] for i in items)),
                "ordering": _ordering(name_a, name_b, result["wins"], len(items)),
            }
        )
    return {
        "a": name_a,
        "b": name_b,
        "papers": out_papers,
        "comparable": False,
        "statement": NOT_COMPARABLE,
        "cautions": cautions,
    }


def _ordering(a: str, b: str, wins: dict[str, int], columns: int) -> str:
    """One sentence: who this paper found ahead, in how many of its own columns."""
    return (
        f"{a} ahead in {wins[a]}, {b} ahead in {wins[b]}, tied in {wins['tie']} of this paper's "
        f"{columns} shared columns (see each column's noise reading before calling it a difference)"
    )
