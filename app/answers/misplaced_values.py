"""A claim that quotes a variant's printed values for the wrong training length ("swiglu got 1.636 and geglu
1.633 at 65k steps": those are their values after 524,288 steps).

Why a module of its own: the claim's numbers are all in the table, so a look-up of the length named finds
other values and a number check finds nothing wrong; what is wrong is where the numbers were read. The claim
is answered by naming, for each value, the length it belongs to, then giving the values at the length asked.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from app.answers import misread
from app.answers.builder import Builder
from app.answers.entities import Entities
from app.answers.facts import Cell, Facts
from app.answers.framing import YES_NO_START, is_claim


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None


def detect(text: str, entities: Entities, facts: Facts) -> dict[str, Any] | None:
    """The decline's inputs when every value a claim quotes for its variants is a printed cell of theirs at
    another training length than the one the claim names, else None."""
    if not (entities.steps and entities.variants) or not (is_claim(text) or YES_NO_START.search(text)):
        return None
    asked = set(entities.steps)
    claimed = [Decimal(str(n)) for n in entities.numbers if 0 < n < 100 and n not in asked and n != int(n)]
    if not claimed:
        return None
    misplaced: list[tuple[str, str, int]] = []
    for number in claimed:
        cells = [c for c in facts.cells if c.variant in entities.variants and not c.is_reference
                 and _decimal(c.value_text) == number]
        if not cells or any(c.steps in asked for c in cells):
            return None  # a value of the length asked, or of no named variant: not this misreading
        cell = cells[0]
        misplaced.append((str(cell.variant), cell.value_text, cell.steps))
    repeated = misread.detect(text, facts, misread.CLAIM_SCORE)
    if repeated is not None and repeated["shared_number"]:
        return None  # a stored misreading of these very numbers ("1.942 after full training") answers it
    return {"what": "misplaced_values", "cells": misplaced, "steps": sorted(asked)}


def _cell(facts: Facts, variant: str, value_text: str, steps: int) -> Cell | None:
    return next((c for c in facts.cells if c.variant == variant and c.value_text == value_text and c.steps == steps),
                None)


def compose(b: Builder, inputs: dict[str, Any]) -> None:
    """No, with each quoted value's own training length, then the cells of the length the claim named."""
    said, at_asked = [], []
    for variant, value_text, steps in inputs["cells"]:
        cell = _cell(b.facts, variant, value_text, steps)
        if cell is None:
            continue
        said.append(f"{variant}'s {b.value(cell)} is its {cell.metric} after {b.steps(cell)} steps")
        for other in (c for c in b.facts.cells if c.variant == variant and c.steps in inputs["steps"]
                      and c.benchmark == cell.benchmark and c.metric == cell.metric):
            at_asked.append(f"{variant} {b.value(other)}")
    lengths = " and ".join(f"{s:,}" for s in inputs["steps"])
    line = "No, those values belong to another training length: " + "; ".join(said) + "."
    if at_asked:
        line += f" After {lengths} steps the paper prints " + ", ".join(at_asked) + "."
    b.add(line)
