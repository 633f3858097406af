"""Gaps the cells beside each other do not state: a claimed gap between two variants, a variant's change with length.

A claimed gap between two variants ("the GEGLU–SwiGLU gap after full training is 0.002, correct?").

Why: the number claimed is a difference, not a cell, so the yes/no check over the stored cells found it
nowhere and said so without giving the gap itself. When a verification names two variants and a gap word,
the gap is computed from the two cited cells and compared with the claimed number.
"""

from __future__ import annotations

import re
from decimal import Decimal

from app.answers.builder import Builder
from app.answers.facts import Cell
from app.answers.intents import Intent

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


#: "how much does geglu's perplexity drop between 65k steps and full training": one row, two lengths.
CHANGE = re.compile(r"\bhow much\b|\bdrops?\b|\bimproves?\b|\bimprovement\b|\bchanges?\b|\bgap\b|\bdifference\b|"
                    r"\bbetween\b|\bfalls?\b|\bdecreases?\b|\bgains?\b", re.IGNORECASE)


def length_change(b: Builder, intent: Intent) -> None:
    """The change of one variant's cell between the two training lengths asked about, computed from the two
    cited cells (the lookup shows both cells, not their difference)."""
    slots = intent.slots
    if len(slots.variants) != 1 or len(set(slots.steps)) != 2 or not CHANGE.search(intent.question):
        return
    cells = sorted((c for c in b.facts.cells if c.row == slots.variants[0] and c.steps in slots.steps
                    and c.benchmark.startswith("C4")), key=lambda c: c.steps)
    if len(cells) != 2 or cells[0].steps == cells[1].steps:
        return
    short, full = cells
    change = b.diff(short, full)
    direction = "falls" if change > 0 else "rises"
    b.add(f"From {b.steps(short)} to {b.steps(full)} steps {short.row}'s {short.metric} {direction} by "
          f"**{abs(change)}** ({b.value(short)} → {b.value(full)}).")
