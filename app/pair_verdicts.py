"""Two variants compared within each stored paper, with a one-line verdict per paper that counts only the
differences that exceed the paper's own run-to-run spread.

Each paper is compared on its own (``app.paper_compare``): two papers come from different baselines, so
their cells are never set against each other. The verdict reads "ahead" columns as what they are: most of
them are within noise, and a count of wins that ignores the spread overstates a difference.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.orm import Paper
from app.paper_compare import compare
from app.papers import resolve_variant
from app.spread import EXCEEDS_SPREAD, NO_SPREAD, WITHIN_NOISE


def compare_in_every_paper(session: Session, a: str, b: str) -> dict[str, Any]:
    """Both variants in every stored paper that has cells for both; raises UnknownNameError for a bad name."""
    name_a, name_b = resolve_variant(session, a, "a"), resolve_variant(session, b, "b")
    out = []
    for paper in session.scalars(select(Paper).order_by(Paper.position)):
        result = compare(session, name_a, name_b, paper.id)
        if not result["items"]:
            continue
        out.append(
            {
                "paper": paper.id,
                "title": paper.title,
                "authors": paper.authors,
                "year": paper.year,
                "items": result["items"],
                "wins": result["wins"],
                "verdict": verdict(name_a, name_b, result["items"]),
            }
        )
    return {"a": name_a, "b": name_b, "papers": out}


def verdict(a: str, b: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """How many columns each variant wins beyond the spread, how many are within noise or have no
    spread to read against, and the sentence that says it."""
    beyond = {a: 0, b: 0}
    within = unread = ties = 0
    for item in items:
        if item["better"] == "tie":
            ties += 1
        elif item["noise"] == EXCEEDS_SPREAD:
            beyond[str(item["better"])] += 1
        elif item["noise"] == WITHIN_NOISE:
            within += 1
        elif item["noise"] == NO_SPREAD:
            unread += 1
    if beyond[a] == beyond[b] == 0:
        lead = f"no difference beyond the run-to-run spread in any of {len(items)} shared columns"
    elif beyond[a] and beyond[b]:
        lead = f"mixed: {a} better beyond the spread in {beyond[a]}, {b} in {beyond[b]} of {len(items)} columns"
    else:
        winner = a if beyond[a] else b
        lead = f"{winner} better beyond the spread in {beyond[winner]} of {len(items)} shared columns"
    return {
        "beyond_spread": beyond, "within_noise": within, "no_spread": unread, "ties": ties,
        "columns": len(items), "sentence": lead,
    }
