"""Follow-ups that set the earlier answer's subject or cell against another: a pronoun inside a comparison
("how much does swiglu beat it by"), a new subject against the earlier one ("vs reglu?"), the reference row's
cell of the same column, both training lengths of the same row, two functions' distance at the same point.

Why apart from the other follow-up rules: each writes the follow-up out as a question about two things at
once, one of them taken from the earlier answer's entities or slots; they share the split of those names
into subjects and cells, which the other rules read differently or not at all.
"""

from __future__ import annotations

import re
from typing import Any

from app.answers.followup_reading import _LEAD, CELL_KINDS, SUBJECT_KINDS, _named, _texts
from app.answers.intents import WHY
from app.answers.lexicon import Lexicon

BACK_REFERENCE = re.compile(
    r"\b(?:beat|beats|beating|than|over|vs\.?|versus|against|behind|ahead of|compared? (?:to|with)|relative to|"
    r"from)\s+(?P<pronoun>it|that one|this one|that|this|them|those|the baseline)\b", re.IGNORECASE)


#: "does it beat swiglu?", "is that better than reglu": the pronoun is the subject of the comparison.
FORWARD_REFERENCE = re.compile(
    r"^\s*(?:so\s+|and\s+|but\s+)?(?:does|did|do|is|was|are|were|can|could|would|will)\s+(?P<pronoun>it|that|this|"
    r"that one|this one|they)\s+(?:actually\s+|really\s+)?(?:beat|outperform|do better|win|lose|trail|compare|"
    r"better|worse|higher|lower|match|hold up)", re.IGNORECASE)


def back_reference(read: str, previous: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'glue average for the relu baseline' … 'how much does swiglu beat it by' (or 'does it beat swiglu?'):
    the pronoun set against a new subject is the earlier subject, and the cell compared is the earlier one."""
    if previous is None:
        return None
    match = BACK_REFERENCE.search(read) or FORWARD_REFERENCE.search(read)
    named = _named(read, lexicon)
    matches = list(previous.get("entities") or [])
    subjects = _texts(matches, SUBJECT_KINDS)
    if match is None or not subjects or not (named.variants or named.activations or named.gates or named.models):
        return None
    if any(s.lower() in read.lower() for s in subjects):
        return None
    text = read[:match.start("pronoun")] + subjects[0] + read[match.end("pronoun"):]
    cells = [t for t in _texts(matches, CELL_KINDS) if t.lower() not in text.lower()]
    return f"{text.rstrip(' ?')} ({' '.join(cells)})?" if cells else text


#: "in percent how much better than relu", "vs reglu?": a new subject set against the earlier one.
_AGAINST_NEW = re.compile(r"\b(?:better|worse|higher|lower|ahead of|behind)\s+than\b|^\s*(?:and\s+)?(?:vs\.?|versus|"
                          r"compared (?:to|with)|against)\s+\S", re.IGNORECASE)


#: "is swiglu better?", "does geglu do worse?": a new subject set against the earlier one, which is left unsaid.
_AGAINST_UNSAID = re.compile(r"^\s*(?:so\s+|and\s+|but\s+)?(?:is|was|does|did)\s+(?P<subject>.+?)\s+(?:do\s+|does\s+)?"
                             r"(?:any\s+|even\s+)?(?P<comparative>better|worse|higher|lower)"
                             r"(?:\s+(?:there|on (?:it|that|this)))?\s*[?!.]*\s*$", re.IGNORECASE)


def versus_earlier(read: str, previous: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'swiglu glue' … 'in percent how much better than relu' (or 'is geglu better?'): the earlier subject
    against the one named now, on the earlier cell."""
    unsaid = _AGAINST_UNSAID.match(read)
    if previous is None or not (_AGAINST_NEW.search(read) or unsaid):
        return None
    named = _named(read, lexicon)
    new = _texts(named.matches, SUBJECT_KINDS)
    matches = list(previous.get("entities") or [])
    subjects = _texts(matches, SUBJECT_KINDS)
    if len(new) != 1 or not subjects or named.models or any(s.lower() == new[0].lower() for s in subjects):
        return None
    if str(previous.get("intent")) == "math" or not _texts(matches, CELL_KINDS):
        return None  # a computation's follow-up ("vs exact gelu?") keeps its point; only table cells are set here
    cells = [t for t in _texts(matches, CELL_KINDS) if t.lower() not in read.lower()]
    if unsaid is not None:
        text = f"is {unsaid['subject']} {unsaid['comparative'].lower()} than {subjects[0]}"
    else:
        text = f"{subjects[0]} {_LEAD.sub('', read).rstrip(' ?')}"
    return f"{text} ({' '.join(cells)})?" if cells else f"{text}?"


#: The reference row the GLU-variants paper reprints, asked about after one of its cells.
_REFERENCE_ROW = re.compile(r"\braffel\b|\breference row\b|\bibid\b|\bt5 paper'?s?\b", re.IGNORECASE)


def reference_row(read: str, previous: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'relu's superglue' … 'what did raffel et al report for it': the reference row's cell of that column."""
    if previous is None or not _REFERENCE_ROW.search(read) or WHY.search(read.lower()):
        return None
    named = _named(read, lexicon)
    cells = _texts(list(previous.get("entities") or []), CELL_KINDS)
    if named.benchmarks or named.metrics or named.steps or not cells:
        return None
    return f"raffel et al {' '.join(cells)}?"


_BOTH_LENGTHS = re.compile(r"\bboth (?:lengths|columns|step counts|runs|training lengths)\b|\bat both\b|"
                           r"\b65k and (?:full|524k)\b|\bshort and (?:long|full)\b", re.IGNORECASE)


def both_lengths(read: str, previous: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'what's the ppl of swiglu' … 'both lengths pls': that row's loss after 65k steps and after full training."""
    if previous is None or not _BOTH_LENGTHS.search(read):
        return None
    named = _named(read, lexicon)
    subjects = _texts(named.matches, SUBJECT_KINDS) or _texts(list(previous.get("entities") or []), SUBJECT_KINDS)
    if not subjects:
        return None
    return f"{' and '.join(subjects)} log-perplexity at 65k and at 524k steps?"


_DISTANCE = re.compile(r"\bhow (?:far|much|close)\b|\bdiffer|\boff\b|\berror\b|\bgap\b|\bcompared?\b|\bvs\.?\b",
                       re.IGNORECASE)


def math_distance(read: str, previous: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'gelu_tanh(1)' … 'how far is that from exact gelu': the two functions' difference at that point."""
    if previous is None or str(previous.get("intent")) != "math" or not _DISTANCE.search(read):
        return None
    slots = previous.get("slots") or {}
    functions, numbers = slots.get("activations") or [], slots.get("numbers") or []
    named = _named(read, lexicon)
    other = [a for a in named.activations if a not in functions]
    same_point = all(n == numbers[0] for n in named.numbers) if len(numbers) == 1 else not named.numbers
    if len(functions) != 1 or len(numbers) != 1 or len(other) != 1 or not same_point:
        return None  # "how far from silu(2)?" after gelu(2) names the same point again; another point is asked anew
    return f"difference between {functions[0]} and {other[0]} at x={numbers[0]:g}"
