"""Follow-ups that set the thread's last two cells against each other: their gap ("how far apart are they"),
whether that gap is bigger than the noise the paper publishes, and whether a named row is the one the earlier
ranking picked ("so is reglu best there too").

Why a module of its own: each reads the two values the thread just gave (two subjects on one cell, or a
cell and the row a ranking picked) rather than carrying one subject or one cell over as the rules of
:mod:`app.answers.followups` do; like those, each writes the follow-up out as the whole question it stands
for, so the ordinary planner answers it from stored cells and computed differences.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from app.answers import second_paper, tables
from app.answers.facts import Facts
from app.answers.followup_reading import SUBJECT_KINDS, _named, _texts, last_operation
from app.answers.intents import NOISE, Slots, rank_order
from app.answers.lexicon import Lexicon
from app.answers.other_paper_followups import _BASELINE_WORDS, OTHER_PAPER_METHODS, _column_words, _narang_row
from app.answers.result_followups import _cell_words, two_models

# --- the gap between the last two cells -----------------------------------------------------------------

#: "so the gap is", "difference?", "what's the gap between them", "by how much then": the distance between
#: the two values the thread just gave.
GAP = re.compile(r"^\s*(?:and\s+|so\s+|ok(?:ay)?\s+|then\s+)*(?:what(?:'s| is)\s+)?(?:the\s+)?(?:difference|diff|gap|"
                 r"delta|margin|how far apart|distance|by how much|how (?:big|large) is the (?:difference|gap))\b"
                 r"(?:\s+(?:between them|between the two|then|there|is|was|exactly|in numbers|"
                 r"(?:are|were) (?:they|those|these|the two|them)))*\s*[?.]*\s*$",
                 re.IGNORECASE)


def cell_gap(read: str, previous_meta: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'narang xsum for reglu' … 'vanilla?' … 'so the gap is': the thread's last two subjects set against each
    other on the cell just given (which shows their difference)."""
    if previous_meta is None or not (GAP.search(read) or WHICH_OF_TWO.search(read)):
        return None
    return _two_cells(previous_meta, lexicon)


#: "which is higher?", "who wins", "which of the two is better": the thread's last two values, ordered.
WHICH_OF_TWO = re.compile(r"^\s*(?:so\s+|and\s+|ok(?:ay)?\s+)?(?:which|who)(?:'s|s| is| one(?:'s| is)?|"
                          r" of (?:them|the two|those|these|both)(?: two)?(?: is)?)?\s+(?:is\s+|was\s+|did\s+|does\s+)?"
                          r"(?:higher|better|bigger|larger|wider|lower|worse|smaller|ahead|wins?|won|comes out ahead|"
                          r"on top)\b[^?]{0,20}\??\s*$", re.IGNORECASE)


def _two_cells(previous_meta: dict[str, Any], lexicon: Lexicon) -> str | None:
    """The thread's last two subjects on the cell (or the catalog size) just given, set against each other."""
    operation = last_operation(previous_meta)
    if operation is None:
        return None
    method = str(operation.get("method"))
    before = str(operation.get("read_as") or operation.get("asked") or "")
    earlier = [str(s.get("text")) for s in previous_meta.get("thread_subjects") or []
               if isinstance(s, dict) and s.get("kind") != "model"]  # a table's rows, not a model asked in between
    if method in OTHER_PAPER_METHODS:
        shown = _texts(_named(before, lexicon).matches, SUBJECT_KINDS) + _BASELINE_WORDS.findall(before.lower())
        subjects = list(dict.fromkeys(s.lower() for s in [*earlier, *shown]))
        if len(shown) >= 2:
            return before
        # "fastest" names the speed column and a ranking: the gap is asked of the column ("step/s")
        columns = ["step/s" if second_paper.SLOW.search(c) or second_paper.FAST.search(c) else c
                   for c in _column_words(before)]
        if len(subjects) < 2 or not columns:
            return None
        return f"narang {' vs '.join(subjects[-2:])} {' '.join(dict.fromkeys(columns))}?"
    if str(previous_meta.get("intent")) == "architecture":  # "llama 3 8b d_ff" … "and 70b?" … "difference?"
        return two_models(previous_meta)
    if method not in ("fact", "best"):  # a cell, or the row a ranking picked ("and the worst?" … "how far apart")
        return None
    subjects = list(dict.fromkeys(s.lower() for s in earlier))[-2:]
    cells = _cell_words(operation.get("slots") or {})
    if len(subjects) != 2 or not cells:
        return None
    return f"{subjects[0]} vs {subjects[1]} {' '.join(cells)}?"


# --- the gap against the noise ------------------------------------------------------------------------

#: "is that gap bigger than the noise", "is the difference significant", "within noise?": the gap between the
#: thread's last two cells, not the spread of the last one alone.
_GAP_AGAINST_NOISE = re.compile(r"\b(?:gap|difference|diff|margin|delta)\b|\b(?:bigger|larger|greater|more|smaller|"
                                r"less)\s+than\s+(?:the\s+)?(?:run-to-run\s+|ibid\.?\s+|raffel'?s?\s+|inter-run\s+|"
                                r"reported\s+|published\s+)?(?:noise|spread|std|stddev|error)|"
                                r"\b(?:within|beyond|outside|above)\s+(?:the\s+)?noise\b|\bsignifican|\bmeaningful\b",
                                re.IGNORECASE)


def gap_noise(read: str, previous_meta: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'geglu at 65k' … 'and swiglu?' … 'is that gap bigger than the noise': the thread's last two subjects on
    the cell just given, asked whether their gap exceeds the spread (the slot merge would keep only the
    last subject and answer its spread alone)."""
    if previous_meta is None or not NOISE.search(read.lower()) or not _GAP_AGAINST_NOISE.search(read):
        return None
    if not _named(read, lexicon).is_empty():
        return None
    pair = _two_cells(previous_meta, lexicon) or _compared_pair(previous_meta)
    if pair and pair.startswith("narang "):  # "bigger" there would read as a question about the rows' sizes
        return f"{pair.rstrip(' ?')}, is the gap more than the noise?"
    return f"{pair.rstrip(' ?')}, is the gap bigger than the noise?" if pair else None


def _compared_pair(previous_meta: dict[str, Any]) -> str | None:
    """The two variants a comparison just set side by side, on the columns it named ('relu vs reglu mrpc f1')."""
    operation = last_operation(previous_meta)
    if operation is None or operation.get("method") != "compare":
        return None
    slots = operation.get("slots") or {}
    variants = [str(v).lower() for v in slots.get("variants") or []]
    cells = _cell_words(slots)
    return f"{variants[0]} vs {variants[1]} {' '.join(cells)}?" if len(variants) == 2 and cells else None


# --- a named row against the earlier ranking ---------------------------------------------------------

#: "so is reglu best there too", "is geglu the top one as well?", "does swiglu win that too": whether a named row
#: is the one the earlier ranking picked.
_IS_RANKED = re.compile(r"^\s*(?:(?:so|and|but|ok(?:ay)?|then|wait)[\s,]+)*(?:is|was|does|did|isn'?t|wasn'?t)\b.{0,40}"
                        r"\b(?:best|worst|top|winner|wins?|won|first|last|bottom|lowest|highest)\b", re.IGNORECASE)


def winner_claim(read: str, previous: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'best superglue avg in shazeer' … 'so is reglu best there too': is the named variant the one that
    ranking picks, on the column the ranking was over (the slot merge would show the variant's whole row)."""
    if previous is None or str(previous.get("intent")) != "best" or not _IS_RANKED.search(read):
        return None
    named = _named(read, lexicon)
    subjects = _texts(named.matches, SUBJECT_KINDS)
    if len(set(named.variants)) != 1 or named.models or named.benchmarks or named.metrics or named.steps:
        return None
    cells = _cell_words(previous.get("slots") or {})
    if not cells or not subjects:
        return None
    return f"is {subjects[0]} the {rank_order(read)} on {' '.join(cells)} in shazeer's glu variants paper?"


def ranking_rows(question: str, slots: Slots, facts: Facts) -> list[str]:
    """The rows a best/worst question over one column of the GLU-variants paper picks, all of them when
    tied, in the table's order; [] when the answer is over several columns."""
    columns, _ = tables.select_columns(facts, slots)
    if len(columns) != 1:
        return []
    cells = facts.column_cells(*columns[0])
    if not cells:
        return []
    order = rank_order(question)
    descending = {"best": cells[0].higher_is_better, "worst": not cells[0].higher_is_better,
                  "lowest": False, "highest": True}[order]
    ordered = sorted(cells, key=lambda c: Decimal(c.value_text), reverse=descending)
    return [c.row for c in ordered if Decimal(c.value_text) == Decimal(ordered[0].value_text)]


# --- the row a ranking picked against a named row ------------------------------------------------------

#: "how far is that above the relu baseline", "by how much does it lead glu", "what's the margin over
#: vanilla": a distance asked between the row just ranked first and another row.
_DISTANCE = re.compile(r"\bhow (?:far|much)\b|\bby how much\b|\b(?:gap|difference|diff|margin|lead|delta|"
                       r"distance)\b", re.IGNORECASE)
#: The baseline row named by its role, not its name ("the baseline", "the plain ffn", "vanilla").
_BASELINE_ROLE = re.compile(r"\bbaseline\b|\bvanilla\b|\bplain (?:ffn|mlp|one)\b|\bungated (?:ffn|one|baseline)\b",
                            re.IGNORECASE)


def winner_gap(read: str, previous: dict[str, Any] | None, facts: Facts, lexicon: Lexicon) -> str | None:
    """'best cola mcc in the glu paper' … 'how far is that above the relu baseline': the row the ranking put
    first set against the one row the follow-up names (or the baseline), on the ranked column.

    Why: the slot merge keeps only the named row and drops the ranked column, answering that row's whole
    line; the distance asked for is the difference of two stored cells, which the comparison computes."""
    if previous is None or str(previous.get("intent")) != "best" or not _DISTANCE.search(read):
        return None
    named = _named(read, lexicon)
    if named.models or named.benchmarks or named.metrics or named.steps:
        return None  # a new column or a model: another question
    others = _texts(named.matches, SUBJECT_KINDS)
    if len(others) > 1 or not (others or _BASELINE_ROLE.search(read)):
        return None
    operation = last_operation(previous) or {}
    asked = str(operation.get("read_as") or operation.get("asked") or previous.get("question") or "")
    if operation.get("method") == "second_paper_ranking":
        if _column_words(read):
            return None  # a column of its own: another question
        first, columns = second_paper.ranked_first(asked, facts), _column_words(asked)
        other = _narang_row(others[0].lower()) if others else "vanilla"
        if not first or not columns or other in (first[0].lower(), first[0].lower().split()[0]):
            return None
        return f"narang {first[0].lower()} {other} {' '.join(columns)}?"
    first = ranking_rows(asked, Slots.from_dict(previous.get("slots")), facts)
    cells = _cell_words(previous.get("slots") or {})
    other = others[0].lower() if others else "ffn_relu"
    if not first or not cells or other in (first[0].lower(), first[0].lower().removeprefix("ffn_")):
        return None
    return f"{first[0].lower()} vs {other} {' '.join(cells)}?"
