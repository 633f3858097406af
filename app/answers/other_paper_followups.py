"""Follow-ups that move a question to Narang et al.'s table, stay in it, or ask why the two papers differ.

Why apart from the other follow-up rules: after an answer from Narang et al.'s table an elliptical follow-up
("and geglu?", "xsum?", "how noisy was that") is a question about that table, written with that paper's row
and column names (its "vanilla" baseline, its loss columns), which no GLU-variants rule uses; and a
GLU-variants question moved to that paper needs its rows renamed the same way. These rules share that
vocabulary and nothing else.
"""

from __future__ import annotations

import re
from typing import Any

from app.answers import second_paper, second_paper_setup
from app.answers.facts import Facts
from app.answers.followup_reading import _LEAD, _PRONOUN, SUBJECT_KINDS, _named, _texts, last_operation
from app.answers.intents import NOISE, WHY, is_follow_up
from app.answers.lexicon import Lexicon

#: Operations answered from Narang et al.'s table: a follow-up of one stays in that paper.
OTHER_PAPER_METHODS = frozenset({"second_paper_cells", "second_paper_spread", "second_paper_ranking",
                                 "second_paper_verify"})
#: Benchmarks of the GLU-variants lexicon that Narang et al.'s table also reports.
SHARED_BENCHMARKS = frozenset({"SuperGLUE"})
#: Narang et al.'s row for a GLU-variants paper row whose name differs (LiGLU is Shazeer's Bilinear, the
#: vanilla Transformer is the ReLU baseline).
NARANG_ROW = ((re.compile(r"\b(?:ffn_)?bilinear\b", re.IGNORECASE), "liglu"),
              (re.compile(r"\b(?:ffn_)?relu\b(?![- ]?(?:glu|2|squared))", re.IGNORECASE), "vanilla"))
_RANKING_WORDS = re.compile(r"\bbest\b|\bworst\b|\btop\b|\btops\b|\bwins?\b|\blowest\b|\bhighest\b|\brank|"
                            r"\bsmallest\b|\blargest\b|\bbiggest\b|\bbottom\b|\bminimum\b|\bmaximum\b|"
                            r"\bwho(?:'s| is)? (?:first|last)\b|\bwhich (?:one|activation|variant)\b", re.IGNORECASE)


#: "runner up?", "who's second?", "and next?": the rows after the winner.
_RUNNER_UP = re.compile(r"\brunner[- ]?ups?\b|\bsecond(?: place| best)?\b|\bwho(?:'s| is)? next\b|\bnext best\b",
                        re.IGNORECASE)


def _column_words(text: str) -> list[str]:
    """The words naming a column of Narang et al.'s table, one per column, in the table's order; a bare
    "loss" beside "early loss" names no second column."""
    low = text.lower()
    found: list[str] = []
    for words in second_paper.COLUMN_WORDS.values():
        hit = next((w for w in words if re.search(rf"(?<![a-z0-9]){re.escape(w)}(?![a-z0-9])", low)), None)
        if hit is None or any(hit in f for f in found) or (hit in second_paper.GENERIC_LOSS_WORDS and found):
            continue
        found.append(hit)
    return found


# --- to the other paper ---------------------------------------------------------------------------------

_OTHER_PAPER = re.compile(r"\bnarang(?:'s)?(?:\s+et\s+al\.?(?:'s)?)?|\b(?:the\s+)?(?:other|second|2021|later)\s+"
                          r"(?:paper|study|table|one|source)(?:'s)?", re.IGNORECASE)
#: Words a follow-up may wrap around the other paper's name without asking anything new ("what did narang
#: et al get for it", "and narang's equivalent of it?", "same in the other paper pls").
_FILLER = frozenset({
    "and", "what", "about", "how", "did", "does", "do", "they", "get", "got", "have", "has", "had", "for", "it",
    "its", "of", "equivalent", "counterpart", "version", "number", "numbers", "value", "values", "there", "same",
    "in", "on", "the", "table", "paper", "say", "says", "said", "report", "reported", "show", "shows", "one",
    "that", "this", "then", "so", "ok", "okay", "now", "q", "question", "please", "pls", "according", "to", "from",
    "with", "is", "was", "are", "were", "whats", "what's", "score", "scored", "but", "instead", "ask", "asked",
    "again", "too", "also", "as", "well", "their", "ones"})


def moves_to_other_paper(text: str, previous: dict[str, Any]) -> bool:
    """A follow-up that only moves the earlier GLU-variants question to Narang et al.'s paper."""
    asked_before = str(previous.get("question", ""))
    if not asked_before or "narang" in asked_before.lower() or not _OTHER_PAPER.search(text):
        return False
    rest = _OTHER_PAPER.sub(" ", text.lower())
    return all(w in _FILLER for w in re.findall(r"[a-z']+", rest))


#: The question a "why did it beat relu" follow-up is written out as (:mod:`app.answers.result_followups`).
_REASON = re.compile(r"^does shazeer's paper explain why (\S+) beat .*?( at 65,536 steps)?$")


def in_other_paper(previous: dict[str, Any]) -> str:
    """The earlier question asked of Narang et al.'s table: its rows under that paper's names, and the loss
    column the earlier length or perplexity names when the words name none of the table's columns."""
    before = str(previous.get("question", "")).rstrip(" ?.!")
    operation = last_operation(previous) or {}
    reason = _REASON.match(str(operation.get("read_as") or "").rstrip(" ?"))
    if reason:  # "why did it beat relu" … "and in narang?": the row the reason was asked about, in that table
        return f"{reason.group(1)} {'early' if reason.group(2) else 'final'} loss in narang et al?"
    for pattern, row in NARANG_ROW:
        before = pattern.sub(row, before)
    slots = previous.get("slots") or {}
    if not _column_words(before) or set(_column_words(before)) <= {"loss", "perplexity"}:
        steps = slots.get("steps") or []
        if 65536 in steps:
            before += " early loss"
        elif steps or "log-perplexity" in (slots.get("metrics") or []):
            before += " final loss"
    return f"{before} in narang et al?"


# --- back to the GLU-variants paper ---------------------------------------------------------------------

#: The GLU-variants paper by name, or as "the other paper" once the answer came from Narang et al.'s table.
_FIRST_PAPER = re.compile(r"\bshazeer(?:'s)?(?:\s+(?:et\s+al\.?(?:'s)?|\(?2020\)?))?|"
                          r"\b(?:the\s+)?glu[- ]variants?(?:\s+(?:paper|table|study|one))?(?:'s)?|"
                          r"\b(?:the\s+)?(?:other|first|original|2020|earlier|older)\s+(?:paper|study|table|one|"
                          r"source)(?:'s)?", re.IGNORECASE)
#: Narang et al.'s name in an earlier question, with the words around it that name their table.
_NARANG_NAMED = re.compile(r"(?:\b(?:in|from|of|per|according to)\s+)?(?:the\s+)?(?:sharan\s+)?\bnarang(?:'s)?"
                           r"(?:\s+et\s+al\.?(?:'s)?)?(?:\s+\(?2021\)?)?(?:\s+(?:activation\s+|ffn\s+)?"
                           r"(?:table|paper|study)(?:\s+1)?)?|\btransformer modifications transfer\b", re.IGNORECASE)
#: Narang et al.'s words for a cell, in the GLU-variants paper's words: its early loss is the 65,536-step
#: log-perplexity, its final loss (or a bare "loss") the fully trained one; its LiGLU row is Shazeer's
#: Bilinear and its vanilla Transformer the ReLU baseline.
_FIRST_PAPER_WORDS = (
    (re.compile(r"\bearly(?:\s+loss)?\b", re.IGNORECASE), "log-perplexity at 65536 steps"),
    (re.compile(r"\bfinal(?:\s+loss)?\b|\bloss\b", re.IGNORECASE), "log-perplexity at 524288 steps"),
    (re.compile(r"\bliglu\b", re.IGNORECASE), "bilinear"),
    (re.compile(r"\bvanilla(?:\s+transformer)?\b|\bbaseline\b", re.IGNORECASE), "relu"),
)


def to_first_paper(text: str, previous_meta: dict[str, Any] | None) -> str | None:
    """'narang swiglu final loss' … 'in the other paper?': the earlier question asked of the GLU-variants paper,
    in that paper's row and column names (a column only Narang et al. have is then declined by name).

    Why: after an answer from Narang et al.'s table the other stored paper is Shazeer's, so "the other paper"
    cannot mean Narang's again; and the earlier words name Narang's columns, which Shazeer's table calls
    otherwise."""
    operation = last_operation(previous_meta)
    if operation is None or operation.get("method") not in OTHER_PAPER_METHODS or not _FIRST_PAPER.search(text):
        return None
    rest = _FIRST_PAPER.sub(" ", text.lower())
    if not all(w in _FILLER for w in re.findall(r"[a-z']+", rest)):
        return None
    before = str(operation.get("read_as") or operation.get("asked") or "")
    before = _NARANG_NAMED.sub(" ", before)
    for pattern, words in _FIRST_PAPER_WORDS:
        before = pattern.sub(words, before)
    before = re.sub(r"\s+", " ", before).strip(" ?.!,")
    return f"{before} in shazeer's glu variants paper?" if before else None


# --- staying in the other paper -------------------------------------------------------------------------


def _narang_row(subject: str) -> str:
    """A row under Narang et al.'s name for it (a subject carried over from a GLU-variants question)."""
    for pattern, row in NARANG_ROW:
        subject = pattern.sub(row, subject)
    return subject


#: Narang et al.'s baseline row, named by words the lexicon does not hold.
_BASELINE_WORDS = re.compile(r"\bvanilla\b|\bbaseline\b")
#: A new row set against the earlier one ("vs vanilla?", "compared to geglu").
_SET_AGAINST = re.compile(r"\bvs\.?\b|\bversus\b|\bcompared?\b|\bagainst\b|\bthan\b|\bbeside\b", re.IGNORECASE)


#: "is that the slowest row", "was it the top one?": a yes/no about the place of the row just given.
_CLAIMED_PLACE = re.compile(r"^\s*(?:(?:and|so|but|ok(?:ay)?)\s+)*(?:is|was|isn't|wasn't)\b.*"
                            + second_paper.SUPERLATIVE.pattern, re.IGNORECASE)


#: The value the paper's text states beside its table's cell ("doesn't the text say a different number?").
_TEXT_VALUE = re.compile(r"\btext\b.{0,40}\b(?:says?|gives?|states?|reports?|different|number|value)\b|"
                         r"\b(?:in|from) the (?:paper'?s )?text\b|\bpaper(?:'s)? text\b")


def within_other_paper(read: str, previous_meta: dict[str, Any] | None, lexicon: Lexicon,
                       facts: Facts) -> str | None:
    """An elliptical follow-up of an answer from Narang et al.'s table, written as a question about that
    table: a new row ('and geglu?'), a new column ('xsum?'), its noise ('how noisy was that') or its order."""
    operation = last_operation(previous_meta)
    if previous_meta is None or operation is None:
        return None
    low = read.lower()
    rest = _LEAD.sub("", read).strip(" ?")
    before = str(operation.get("read_as") or operation.get("asked") or "")
    if operation.get("method") == "second_paper_setup" and _TEXT_VALUE.search(before.lower()) and (
            second_paper_setup.GAP.search(low)):  # "… the text says a different number" … "how far apart"
        return f"{before.rstrip(' ?')}, and how far apart are the two?"
    if operation.get("method") not in OTHER_PAPER_METHODS and not (
            operation.get("method") == "second_paper_setup" and _column_words(rest)):
        return None  # after what that paper calls a row ("bilinear is liglu there"), only a column stays in it
    if second_paper.NAMES.search(low) or re.search(r"\bshazeer\b|\bglu[- ]variants?\b|\bboth\b", low) or (
            WHY.search(low)):
        return None
    if _TEXT_VALUE.search(low) and re.search(r"\bvanilla\b|\bbaseline\b", before.lower()) and (
            "superglue" in before.lower()):  # "doesnt the paper text say a different number for it": the text's
        return f"narang: {_PRONOUN.sub('the vanilla superglue', read.rstrip(' ?'), count=1)}?"  # one value
    named = _named(read, lexicon)
    if named.models or any(b not in SHARED_BENCHMARKS and not b.startswith("C4") for b in named.benchmarks):
        return None
    noisy = bool(NOISE.search(low)) or bool(re.search(r"\bnoisy\b|\bhow stable\b", low))
    runner_up = bool(_RUNNER_UP.search(rest))
    if operation.get("method") == "second_paper_spread" and _ITS_VALUE.search(low) and not named.variant_like():
        # "which activation has the biggest std in that column" … "and its mean there?": that row's cell
        rows = second_paper.noisiest_rows(before, facts)
        if len(rows) == 1:
            return f"narang {_narang_row(rows[0].lower())} {' '.join(_column_words(before)) or 'early loss'}?"
    if _HOW_SOLID.search(low) and operation.get("method") in OTHER_PAPER_METHODS:
        # "how solid is the softplus number, two copies?": the cell again, whose answer says how it was read
        rows = _texts(named.matches, SUBJECT_KINDS) or _texts(_named(before, lexicon).matches, SUBJECT_KINDS)
        columns = _column_words(before)
        if rows and columns:
            return f"narang {_narang_row(rows[0])} {' '.join(columns)}?"
    # "what is liglu in narang's table" … "whats its final loss": a column of the row that answer was about
    of_setup_row = operation.get("method") == "second_paper_setup" and bool(_PRONOUN.search(rest))
    if not (is_follow_up(named.text, named, True) or noisy or runner_up or of_setup_row or (
            named.is_empty() and (_column_words(rest) or _BASELINE_WORDS.search(low)))):
        return None
    new_subjects = list(dict.fromkeys(_texts(named.matches, SUBJECT_KINDS) + _BASELINE_WORDS.findall(low)))
    old_subjects = _texts(_named(before, lexicon).matches, SUBJECT_KINDS)
    columns = _column_words(rest) or _column_words(before)
    if runner_up and not new_subjects:  # the ranking, in full, says who comes after the winner
        return f"rank the activations in narang et al by {' '.join(columns) or 'final loss'}?"
    if _CLAIMED_PLACE.search(rest) and not new_subjects and len(old_subjects) == 1 and _PRONOUN.search(rest):
        # "is that the slowest row": a yes/no about the row just given, checked against the ranking
        claim = _PRONOUN.sub(_narang_row(old_subjects[0]), rest, count=1)
        return f"narang: {claim} ({' '.join(columns)})?" if columns and columns != _column_words(claim) else (
            f"narang: {claim}?")
    if _RANKING_WORDS.search(rest) and not new_subjects:
        return f"{rest} in narang et al, {' '.join(columns)}?".replace(", ?", "?")
    if new_subjects and (_PRONOUN.search(rest) or _SET_AGAINST.search(rest)):
        subjects = [*old_subjects, *(s for s in new_subjects if s not in old_subjects)]
    else:
        subjects = new_subjects or old_subjects
    if not subjects and not columns:
        return None
    words = ["narang", *(_narang_row(s) for s in subjects), *columns]
    if noisy:
        words.append("spread")
    return " ".join(words) + "?"


_DIFFERENT = re.compile(r"\bdiffer|\bdifferent\b|\bhigher\b|\blower\b|\bmismatch|\bmatch\b|\bnot the same\b|"
                        r"\bgap\b|\bdiscrepan|\bdisagree|\bline up\b|\bbetter\b|\bworse\b", re.IGNORECASE)


#: "can i put those two side by side", "are they comparable", "apples to apples?": two cells set side by side.
_SIDE_BY_SIDE = re.compile(r"\bside[- ]by[- ]side\b|\bcomparab\w*|\bcompare (?:them|those|these|the two)\b|"
                           r"\bcompare\b.{0,20}\bdirectly\b|\bapples[- ]to[- ]apples\b|\bsame (?:measurement|metric|"
                           r"scale|thing|number)\b|\blike for like\b", re.IGNORECASE)


#: "in narang's run", "in shazeer's": the one paper a row's result is set against the other paper's in.
_IN_ONE_PAPER = re.compile(r"\b(?:in|for|on)\s+(?:narang|shazeer)\b|\b(?:narang|shazeer)(?:'s)?\s+(?:run|table|paper|"
                           r"numbers?|setup)\b", re.IGNORECASE)


#: "and its mean there?", "what's its value": the cell of the row the answer before picked.
_ITS_VALUE = re.compile(r"\b(?:its|that one'?s|their)\s+(?:mean|value|loss|number|score|figure)\b")
#: "how solid is that number", "two copies?", "is it verified": how a cell was read, which its answer says.
_HOW_SOLID = re.compile(r"\bhow (?:solid|reliable|sure|certain|trustworthy)\b|\btwo copies\b|\bsingle[- ]source\b|"
                        r"\b(?:verified|confirmed|double[- ]checked)\b")


def cells_of_both_papers(read: str, previous_meta: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'narang geglu early loss' … 'and geglu in shazeer's 65k column?' … 'can i put those two side by side':
    a cell of each paper set against the other, which the stored fact on their different baselines answers."""
    papers = (previous_meta or {}).get("thread_papers") or []
    if set(papers[-2:]) != {"first", "second"}:
        return None
    if WHY.search(read.lower()) and _DIFFERENT.search(read):  # "… why do they disagree?"
        return "why don't narang's numbers match shazeer's?"
    # "can i put those two side by side"; "so bilinear got worse in narang's run?" (one row, each paper's cell)
    one_row_worse = bool(_DIFFERENT.search(read) and _IN_ONE_PAPER.search(read)) and len(
        _named(read, lexicon).variant_like()) <= 1
    return "are narang's numbers comparable with shazeer's?" if one_row_worse or _SIDE_BY_SIDE.search(read) else None


def across_papers(read: str, previous_meta: dict[str, Any] | None) -> str | None:
    """'reglu superglue avg' … 'and in narang et al?' … 'why the difference?': why the two papers' numbers for
    the same row differ, which is what the stored fact on their different baselines answers."""
    operation = last_operation(previous_meta)
    if previous_meta is None or operation is None or operation.get("method") not in OTHER_PAPER_METHODS:
        return None
    low = read.lower()
    if not (WHY.search(low) or re.search(r"\bhow come\b", low)) or not _DIFFERENT.search(low):
        return None
    return "why don't narang's numbers match shazeer's?"
