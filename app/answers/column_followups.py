"""Follow-ups about the column a table cell sits in: which rows tie with it, and the row's place in it.

Why a module of its own: both read the earlier answer's one cell (its row and its column words) and write the
follow-up out as a question about that column, so the ordinary planner answers it; the slot merge would keep
no column (the words name none) and answer the headline columns instead.
"""

from __future__ import annotations

import re
from typing import Any

from app.answers.followup_reading import _named
from app.answers.intents import WHY
from app.answers.lexicon import Lexicon
from app.answers.result_followups import _cell_words
from app.answers.table_columns import TIES_ASKED


def tied_rows(read: str, previous: dict[str, Any] | None) -> str | None:
    """'shazeer swiglu cb acc' … 'which other variants got exactly that': the same cell again, whose rank names
    the rows tied with it (the words name no row or column, so the slot merge finds nothing to look up)."""
    if previous is None or str(previous.get("intent")) != "fact" or not TIES_ASKED.search(read):
        return None
    slots = previous.get("slots") or {}
    cells, variants = _cell_words(slots), list(slots.get("variants") or [])
    if not cells or len(variants) != 1:
        return None
    return f"{variants[0]} {' '.join(cells)} (tied?)"


#: "is that the lowest in the column", "and the top one": a row's place in the column just given.
_PLACE = re.compile(r"\b(?P<word>lowest|highest|best|worst|top|bottom)\b", re.IGNORECASE)
_OF_THE_CELL = re.compile(r"\b(?:that|it|this)\b|\bthe column\b|\bthere\b|\bone\b|\bin it\b", re.IGNORECASE)


def place_in_column(read: str, previous: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'ffn_swish cola mcc' … 'is that the lowest in the column' … 'and the top one': the yes/no about the row's
    place, or the column's best or worst, asked of the cell just given (the words name no column, so the slot
    merge answers the headline columns instead)."""
    if previous is None or str(previous.get("intent")) not in ("fact", "best") or WHY.search(read.lower()):
        return None
    place = _PLACE.search(read)
    slots = previous.get("slots") or {}
    cells, variants = _cell_words(slots), list(slots.get("variants") or [])
    named = _named(read, lexicon)
    if place is None or not cells or not _OF_THE_CELL.search(read) or named.variants or named.benchmarks:
        return None
    word = place.group("word").lower()
    if re.match(r"^\s*(?:(?:and|so|but)\s+)?(?:is|was|isn'?t)\b", read, re.IGNORECASE) and len(variants) == 1:
        return f"is {variants[0]} the {word} on {' '.join(cells)}?"
    return f"{'best' if word == 'top' else 'worst' if word == 'bottom' else word} on {' '.join(cells)}?"
