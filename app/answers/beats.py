"""A yes or no before a comparison that checks a claim ("is it true that ReLU beat GELU and Swish at full length?",
"GEGLU 1.633 vs ReLU 1.677 — those are the fully trained numbers?").

Why: a comparison lists both rows' cells and the gap, which answers "X vs Y" but never says whether the
claim the asker repeats holds. Two framings are checked, on the cells the comparison itself shows: a claim
that the first-named variant beats (or trails) the others is decided column by column, and values the asker
states are confirmed when each is one of the cells shown.
"""

from __future__ import annotations

from decimal import Decimal

from app.answers import framing
from app.answers.builder import Builder
from app.answers.framing import BEATS, TRAILS, confirmed


def is_beat_claim(question: str) -> bool:
    """Whether the question repeats a claim that one variant beats or trails the others, for checking."""
    return framing.is_beat_claim(question)


def verdict(b: Builder, question: str, variants: list[str], columns: list[tuple[str, str, int]]) -> str:
    """'Yes. ', 'No. ' or 'Partly: ' for a claim that ``variants[0]`` beats (or trails) the others on the
    columns compared, else ''."""
    if len(variants) < 2 or not is_beat_claim(question):
        return ""
    wins = []
    for bench, metric, steps in columns:
        own = b.facts.find(variant=variants[0], benchmark=bench, metric=metric, steps=steps)
        for other in variants[1:]:
            theirs = b.facts.find(variant=other, benchmark=bench, metric=metric, steps=steps)
            if not own or not theirs:
                continue
            mine, value = Decimal(own[0].value_text), Decimal(theirs[0].value_text)
            if mine != value:
                wins.append((mine > value) == own[0].higher_is_better)
    if not wins:
        return ""
    if TRAILS.search(question) and not BEATS.search(question):
        wins = [not w for w in wins]
    return "Yes. " if all(wins) else "No. " if not any(wins) else "Partly: "


def lead(b: Builder, start: int, question: str, variants: list[str], columns: list[tuple[str, str, int]]) -> None:
    """Put the verdict (or the confirmation of stated values) before the comparison composed from ``start``."""
    if start >= len(b.parts):
        return
    prefix = verdict(b, question, variants, columns) or confirmed(question, "\n".join(b.parts[start:]))
    if prefix:
        b.parts[start] = prefix + b.parts[start]
