"""A claimed gap between two variants ("the GEGLU–SwiGLU gap after full training is 0.002, correct?").

Why: the number claimed is a difference, not a cell, so the yes/no check over the stored cells found it
nowhere and said so without giving the gap itself. When a verification names two variants and a gap word,
the gap is computed from the two cited cells and compared with the claimed number.
"""

from __future__ import annotations

import re
from decimal import Decimal

from app.answers.builder import Builder
from app.answers.facts import Cell

GAP = re.compile(r"\bgap\b|\bdifference\b|\bapart\b|\bahead by\b|\bbehind by\b|\bmargin\b|\bbeats? \w+ by\b|"
                 r"\bbetter by\b|\bworse by\b|\bdiffer(?:s)? by\b", re.IGNORECASE)


def claimed_gap(b: Builder, question: str, cells: list[Cell], claimed: list[float]) -> tuple[str, bool] | None:
    """The sentence giving the gap between the two asked cells, and whether a claimed number equals it; None
    when the question names no gap or not exactly two cells of one column."""
    if len(cells) != 2 or not GAP.search(question) or cells[0].column != cells[1].column:
        return None
    first, second = sorted(cells, key=lambda c: Decimal(c.value_text))
    gap = abs(b.diff(second, first))
    matches = any(Decimal(repr(n)) == gap for n in claimed)
    return f"The gap between {first.row} and {second.row} there is **{gap}**.", matches
