"""The reference rows a paper reprints (Raffel et al.'s T5 baseline in the GLU-variants paper), looked up by name.

Why a lookup of its own: every result template ranks and reads the variant rows and leaves reference rows
out on purpose (they are another paper's runs, not competitors), so a question that asks for the reprinted
row itself ("Raffel et al.'s GLUE average as the GLU paper prints it") got the best variant instead. This
answers with the reference cell of each column asked about, its inter-run stddev where printed, and the
named variants' cells of the same column beside it.
"""

from __future__ import annotations

import re
from typing import Any

from app.answers.builder import Builder
from app.answers.entities import Entities
from app.answers.facts import Facts
from app.answers.intents import slots_from
from app.answers.tables import describe, direction, select_columns

#: Words that name a reference row rather than a variant.
REFERENCE_WORDS = re.compile(r"\braffel\b|\breference rows?\b|\bt5 baseline\b|\breprint(ed|s)?\b|"
                             r"\bt5 paper\b|\bt5(?:'s)? (?:row|number|result|score|figure)s?\b|\bthe t5 one\b|"
                             r"\boriginal t5\b")
#: "by how much does relu beat the raffel row", "geglu minus raffel": the named variants' gap to the row.
GAP_WORDS = re.compile(r"\bhow much\b|\bhow far\b|\bby how\b|\bminus\b|\bgap\b|\bdifference\b|\bdelta\b|"
                       r"\bdiff\b|\bbeats?\b|\babove\b|\bbelow\b|\bahead\b|\bbehind\b|\bmore than\b|"
                       r"\bless than\b|\bhigher than\b|\blower than\b|\bimprove")


#: "why does the raffel row score lower", "what's the deal with the raffel row": about the row, not its cells.
ABOUT_THE_ROW = re.compile(r"\bwhy\b|\bhow come\b|\breasons?\b|\bthe deal\b|\bwhat (?:is|are) (?:the |those |these )?"
                           r"(?:raffel|reference)\b|\bmeaning\b|\bpurpose\b|\bsame model\b")


def detect(text: str, entities: Entities, facts: Facts) -> dict[str, Any] | None:
    """The columns whose reference cell the question asks for, or None when it names no reference row."""
    if not REFERENCE_WORDS.search(text) or not (entities.benchmarks or entities.metrics or entities.steps):
        return None
    if ABOUT_THE_ROW.search(text):  # why the row is there or lower: the curated explanation answers that
        return None
    columns, _ = select_columns(facts, slots_from(entities, text))
    columns = [c for c in columns if facts.reference_cell(*c) is not None]
    if not columns:
        return None
    return {"columns": [list(c) for c in columns[:6]], "variants": list(entities.variant_like()),
            "gap": bool(GAP_WORDS.search(text))}


def compose(b: Builder, inputs: dict[str, Any]) -> None:
    """One line per column: the reference row's printed value first, then the named variants' cells."""
    lines = []
    for benchmark, metric, steps in inputs["columns"]:
        ref = b.facts.reference_cell(benchmark, metric, int(steps))
        if ref is None:
            continue
        line = f"- {describe(ref)} ({direction(ref)}): **{ref.row}** {b.value(ref)}"
        spread = b.stddev(ref)
        if spread is not None:
            line += f" (inter-run stddev {spread})"
        for variant in inputs["variants"]:
            own = next((c for c in b.facts.column_cells(benchmark, metric, int(steps)) if c.row == variant), None)
            if own is not None:
                line += f"; {variant} {b.value(own)}"
                if inputs.get("gap"):
                    line += f", {variant} − {ref.row} = **{b.diff(own, ref)}**"
        lines.append(line + f" — Table {ref.table}")
    b.add("The reference row the GLU-variants paper reprints (not one of its own runs; it never competes in "
          "its rankings):\n\n" + "\n".join(lines))
