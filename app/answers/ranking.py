"""Orderings of a result column, as an operation of app.answers.routing.

Why separate from ``tables.compose_best``: "best X" wants one winner, but "rank the variants by X", "top 3
by X" and "which gated variant is worst" want an ordered list, cut to N or to one group (gated or dense),
and the best-per-column template answered them with a single winner. The run-to-run spread of a column
is answered in app.answers.column_spread, differences the cells do not print in app.answers.cell_differences.
"""

from __future__ import annotations

import re
from decimal import Decimal

from app.answers.builder import Builder
from app.answers.cell_differences import RANGE_WORDS as RANGE_WORDS
from app.answers.cell_differences import RELATIVE_WORDS as RELATIVE_WORDS
from app.answers.cell_differences import compose_gap as compose_gap
from app.answers.cell_differences import detect_gap as detect_gap
from app.answers.column_spread import SPREAD_WORDS as SPREAD_WORDS
from app.answers.column_spread import checks_a_gap as checks_a_gap
from app.answers.column_spread import compose_spread as compose_spread
from app.answers.column_spread import gap_columns as gap_columns
from app.answers.column_spread import wants_spread as wants_spread
from app.answers.entities import Entities
from app.answers.facts import paper_citation
from app.answers.intents import Intent, rank_order
from app.answers.table_columns import columns_with_variant
from app.answers.tables import (
    COUNT_WORDS,
    ORDINALS,
    describe,
    direction,
    select_columns,
    variant_list,
)
from app.answers.variant_groups import DENSE_ONLY, GATED_ONLY, _group

RANKING = re.compile(r"\brank(s|ed|ing)?\b|\border(ed)?\b|\bsort(ed)?\b|\bleaderboard\b|\bfrom best to worst\b|"
                     r"\ball (the )?variants\b|\b(top|bottom)[\s-]*(\d+|two|three|four|five|six)\b|\bpodium\b|"
                     r"\brunners?[- ]up\b|\ball (?:\d+|eight|twelve|the) (?:variants|ffns|activations|rows)\b|"
                     r"\b(?:for|of|across) (?:all|every|each) (?:the |of the )?(?:\w+ )?(?:variants?|ffns?|"
                     r"activations?|rows?)\b|\blist (?:the |all )?\w+ (?:for|of|across)\b|"
                     r"\b(?:compare|list|show)\s+(?:all|every|each)\b")
COUNT = re.compile(r"\b(?:top|best|worst|bottom)[\s-]*(\d+|two|three|four|five|six)\b")
NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6}


#: "why do gated ffns beat dense ones", "what's the mechanism that makes them win": a reason asked, not the gap
#: between the groups; "is the ffn dense or gated?" asks a model's kind, not a gap either.
NOT_A_GAP = re.compile(r"\b(?:why|how come|mechanis\w*|what makes)\b|"
                       r"\b(?:dense|gated|ungated|plain)\s+or\s+(?:a\s+)?(?:dense|gated|ungated|plain|glu)\b")


def wants_ranking(intent: Intent, text: str) -> bool:
    """A 'best' question that asks for an ordered list, N entries or one group of variants."""
    return intent.name == "best" and not intent.slots.variants and bool(
        RANKING.search(text) or COUNT.search(text) or GATED_ONLY.search(text) or DENSE_ONLY.search(text)
        or ORDINAL.search(text))


#: "which variants beat relu on glue", "how many ffns outperform gelu": the rows better than one named row.
BEATERS = re.compile(r"\b(?:which|what|how many|who|list|anything|anyone|any (?:other )?(?:variants?|ffns?|"
                     r"activations?|ones?))\b.{0,40}\b(?:beat|beats|outperform\w*|(?:are|is|do|does|"
                     r"did|score|scored) better than|do better|did better|improve[sd]? (?:on|over|upon)|surpass\w*|"
                     r"(?:are|is) above|exceed\w*)\b")


def wants_beaters(text: str, entities: Entities) -> bool:
    """A question for the variants better than one named variant on a column."""
    return bool(BEATERS.search(text)) and len(entities.variant_like()) == 1 and not entities.models


#: "third best glue avg", "2nd worst on cola", "the fourth-highest": one place of a column's order.
ORDINAL = re.compile(r"\b(second|2nd|third|3rd|fourth|4th|fifth|5th|sixth|6th|seventh|7th)[- ]"
                     r"(?:best|worst|highest|lowest|place|strongest|weakest|from (?:the )?(?:top|bottom))\b")
ORDINAL_NUMBERS = {"second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5, "5th": 5,
                   "sixth": 6, "6th": 6, "seventh": 7, "7th": 7}


def place_asked(text: str) -> int | None:
    """The place a question asks for ('third best' -> 3), or None."""
    match = ORDINAL.search(text)
    return ORDINAL_NUMBERS[match.group(1)] if match else None


def count_asked(text: str) -> int | None:
    match = COUNT.search(text)
    if match is None and re.search(r"\bpodium\b", text):
        return 3
    if match is None and re.search(r"\brunners?[- ]up\b", text):
        return 2
    if match is None:
        return place_asked(text)
    word = match.group(1)
    return int(word) if word.isdigit() else NUMBER_WORDS[word]


def compose_ranking(b: Builder, intent: Intent) -> None:
    facts, text = b.facts, intent.question.lower()
    order = rank_order(intent.question)
    columns, note = select_columns(facts, intent.slots)
    count = count_asked(text)
    group = _group(facts, text)
    b.cite(paper_citation(facts.main_paper()))
    named = variant_list(intent.slots)
    if BEATERS.search(text) and len(named) == 1:
        _compose_beaters(b, named[0], columns)
        return
    if count and TOP_AND_BOTTOM.search(text):
        # "top 3 and bottom 3 on glue": both ends, each best first
        order = "best"
        count = min(count * 2, 12)
    lines = []
    for bench, metric, steps in columns:
        cells = facts.column_cells(bench, metric, steps)
        if group is not None:
            cells = [c for c in cells if c in group[1]]
        if not cells:
            continue
        descending = {"best": cells[0].higher_is_better, "worst": not cells[0].higher_is_better,
                      "lowest": False, "highest": True}[order]
        ordered = sorted(cells, key=lambda c: Decimal(c.value_text), reverse=descending)
        shown = ordered[:count] if count else ordered
        if count and TOP_AND_BOTTOM.search(text) and len(ordered) > count:
            shown = ordered[:count // 2] + ordered[-(count // 2):]
        place = place_asked(text)
        marked = shown[place - 1] if place and len(shown) >= place else shown[0]
        entries = [f"{'**' + c.row + '**' if c is marked else c.row} {b.value(c)}" for c in shown]
        lead = (f"{ORDINALS[place - 1]}: **{marked.row}** {b.value(marked)}; "
                if place and marked is not shown[0] else "")
        lines.append(f"- {describe(cells[0])} ({direction(cells[0])}): {lead}" + ", then ".join(entries) + ".")
    if not lines:
        b.add("The paper reports no such column.")
        return
    first = {"best": "best first", "worst": "worst first", "lowest": "lowest first", "highest": "highest first"}
    which = f"the {group[0]} variants" if group else "the variants"
    end = "bottom" if order == "worst" else "top"
    head = (f"The {end} {COUNT_WORDS[count]} of {which}" if count and count < len(COUNT_WORDS)
            else f"{which[0].upper()}{which[1:]}, ranked")
    if count and TOP_AND_BOTTOM.search(text):
        head = f"The top and bottom {COUNT_WORDS[count // 2]} of {which}"
    intro = f"{head} ({first[order]}) in the GLU-variants paper; reference rows never compete:"
    if note:
        intro = note + " " + intro
    b.add(intro + "\n\n" + "\n".join(lines))
    b.add("Each cell is a single run; how far apart two cells must be to count is the column's run-to-run "
          "spread, which a comparison of two variants shows.")


#: "top 3 and bottom 3", "best two and worst two": both ends of one column.
TOP_AND_BOTTOM = re.compile(r"\b(?:top|best)\b.{0,20}\b(?:and|&|plus|vs\.?)\s+(?:the\s+)?(?:bottom|worst)\b")


def _compose_beaters(b: Builder, variant: str, columns: list[tuple[str, str, int]]) -> None:
    """The variants whose cell is better than ``variant``'s, per column, best first."""
    lines = []
    for cells, own in columns_with_variant(b.facts, variant, columns):
        mine = Decimal(own.value_text)
        better = sorted((c for c in cells if (Decimal(c.value_text) > mine) == own.higher_is_better
                         and Decimal(c.value_text) != mine), key=lambda c: Decimal(c.value_text),
                        reverse=own.higher_is_better)
        count = COUNT_WORDS[len(better)] if len(better) < len(COUNT_WORDS) else str(len(better))
        listed = ", ".join(f"{c.row} {b.value(c)}" for c in better) or "none"
        lines.append(f"- {describe(own)} ({direction(own)}): {count[0].upper()}{count[1:]} of the variants beat "
                     f"**{variant}** ({b.value(own)}): {listed}.")
    if not lines:
        b.add(f"The paper reports no such column for {variant}.")
        return
    b.add("In the GLU-variants paper (reference rows never compete; each cell is a single run, so a small lead "
          "may be noise):\n\n" + "\n".join(lines))
