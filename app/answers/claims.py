"""Claims about a variant over *all* columns ("is GEGLU the best on every benchmark?"), checked column by column.

Why: the keyword intents read such a question as a lookup and list the variant's own cells, which never
says yes or no and hides the columns another variant wins. :func:`detect` reads the claim (one variant,
"best", "every/all"); :func:`compose` answers yes or no first, then each column's winner beside the
variant's own cell, every number a cited cell.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from app.answers.builder import Builder
from app.answers.entities import Entities
from app.answers.facts import Cell, Facts
from app.answers.intents import slots_from
from app.answers.tables import describe, direction, select_columns

BEST = re.compile(r"\b(best|top|winner|wins|win|strongest|beats? (?:all|every|the others))\b")
EVERY = re.compile(r"\b(every|all|each|everything|across the board|always)\b")
GATED = re.compile(r"\b(gated|glu variants|glu-variants|glus|glu ffns?)\b")
UNGATED = re.compile(r"\b(ungated|non-gated|nongated|dense|plain|standard ffns?|ungated ones)\b")
BEAT = re.compile(r"\b(beat|beats|better|outperform|outperforms|win|wins|ahead|lower|higher|superior)\b")


def detect(entities: Entities, facts: Facts) -> dict[str, Any] | None:
    """The variant and columns of an 'X is the best on every …' claim, or None."""
    text = entities.text
    if GATED.search(text) and UNGATED.search(text) and BEAT.search(text) and not entities.models:
        columns, _ = select_columns(facts, slots_from(entities, text))
        columns = [c for c in columns if facts.column_cells(*c)]
        return {"variant": "", "columns": columns, "families": True} if columns else None
    if len(entities.variants) != 1 or entities.models or not (BEST.search(text) and EVERY.search(text)):
        return None
    columns, _ = select_columns(facts, slots_from(entities, text))
    columns = [c for c in columns if facts.column_cells(*c)]
    return {"variant": entities.variants[0], "columns": columns} if len(columns) >= 2 else None


def _best(cells: list[Cell]) -> Cell:
    return sorted(cells, key=lambda c: Decimal(c.value_text), reverse=cells[0].higher_is_better)[0]


def compose(b: Builder, variant: str, columns: list[tuple[str, str, int]], families: bool = False) -> None:
    """Yes when the variant is best in every column asked about, else no with the columns it loses."""
    if families:
        compose_gated_vs_dense(b, columns)
        return
    wins, losses = [], []
    for column in columns:
        cells = [c for c in b.facts.column_cells(*column) if not c.is_reference]
        best = _best(cells)
        own = next((c for c in cells if c.row == variant), None)
        top = Decimal(best.value_text)
        if own is not None and Decimal(own.value_text) == top:
            wins.append(f"- {describe(own)} ({direction(own)}): **{variant}** is best at {b.value(own)}.")
        else:
            line = f"- {describe(best)} ({direction(best)}): **{best.row}** is best at {b.value(best)}"
            losses.append(line + (f"; {variant} has {b.value(own)}." if own is not None else "."))
    if not losses:
        b.add(f"Yes: in the GLU-variants paper {variant} is the best variant in every column asked about.")
    else:
        b.add(f"No. {variant} is not the best on every benchmark in the GLU-variants paper; no single variant "
              "wins them all.")
    b.add("\n".join(losses + wins))


def compose_gated_vs_dense(b: Builder, columns: list[tuple[str, str, int]]) -> None:
    """'The gated variants beat the dense ones': true in a column when its worst gated variant beats its
    best dense one, partly when only some gated variants do."""
    verdicts, lines = [], []
    for column in columns[:6]:
        cells = [c for c in b.facts.column_cells(*column) if not c.is_reference and c.row in b.facts.variants]
        gated = [c for c in cells if b.facts.variants[c.row].get("gated")]
        dense = [c for c in cells if not b.facts.variants[c.row].get("gated")]
        if not gated or not dense:
            continue
        lower = not cells[0].higher_is_better
        worst_gated = sorted(gated, key=lambda c: Decimal(c.value_text), reverse=lower)[0]
        best_dense = _best(dense)
        g, d = Decimal(worst_gated.value_text), Decimal(best_dense.value_text)
        all_beat = g < d if lower else g > d
        some_beat = any((Decimal(c.value_text) < d) if lower else (Decimal(c.value_text) > d) for c in gated)
        verdicts.append("all" if all_beat else "some" if some_beat else "none")
        lines.append(f"- {describe(best_dense)} ({direction(best_dense)}): the weakest gated variant, "
                     f"{worst_gated.row}, has {b.value(worst_gated)}; the best dense one, {best_dense.row}, has "
                     f"{b.value(best_dense)}.")
    if not verdicts:
        b.add("The stored columns asked about do not hold both gated and dense variants.")
        return
    if all(v == "all" for v in verdicts):
        lead = "Yes: every gated variant beats every dense (ungated) one in the GLU-variants paper"
    elif all(v == "none" for v in verdicts):
        lead = "No: no gated variant beats the best dense (ungated) one in the GLU-variants paper"
    else:
        lead = "Partly: not every gated variant beats every dense (ungated) one in the GLU-variants paper"
    b.add(lead + " for what you asked about.\n\n" + "\n".join(lines))
