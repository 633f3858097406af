"""Follow-ups whose meaning depends on which kind of answer came before, read as a whole question.

Why rewrite the words instead of merging slots: the slot merge of :mod:`app.answers.intents` assumes the
earlier answer was a GLU-variants table lookup or a catalog row. After an answer from Narang et al.'s table
("and geglu?", "how noisy was that"), after a specific decline ("ok then its superglue avg"), after a size
("why that number?") or when a pronoun stands for the earlier subject inside a comparison ("how much does
swiglu beat it by") the merge picks the wrong paper, a method with no inputs, or drops the subject. Each rule
here writes the follow-up out as the full question it stands for, using only names the earlier answer or
the question itself contains, so the ordinary planner answers it and the plan shows the words as read.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from app.answers import pasted_sizes, second_paper, tables
from app.answers.entities import Entities, recognize
from app.answers.facts import Facts
from app.answers.intents import ARCH_KEYWORDS, NOISE, WHY, Slots, is_follow_up, rank_order
from app.answers.lexicon import Lexicon

#: Recognized names per (lexicon, text): the rules below read the same few texts several times a question.
_NAMED: dict[tuple[int, str], tuple[Lexicon, Entities]] = {}


def _named(text: str, lexicon: Lexicon) -> Entities:
    """``recognize``, remembered for the last few hundred texts (the entities are only read here)."""
    key = (id(lexicon), text)
    hit = _NAMED.get(key)
    if hit is not None and hit[0] is lexicon:
        return hit[1]
    if len(_NAMED) > 512:
        _NAMED.clear()
    found = recognize(text, lexicon)
    _NAMED[key] = (lexicon, found)
    return found


#: The kinds of entity that are the subject of a question (the thing a pronoun stands for).
SUBJECT_KINDS = ("model", "variant", "gate", "activation")
#: The kinds that say which cell of the subject was asked (kept when a pronoun follow-up names a new subject).
CELL_KINDS = ("benchmark", "metric", "steps")
#: Operations answered from Narang et al.'s table: a follow-up of one stays in that paper.
OTHER_PAPER_METHODS = frozenset({"second_paper_cells", "second_paper_spread", "second_paper_ranking",
                                 "second_paper_verify"})
#: Benchmarks of the GLU-variants lexicon that Narang et al.'s table also reports.
SHARED_BENCHMARKS = frozenset({"SuperGLUE"})
#: Narang et al.'s row for a GLU-variants paper row whose name differs (LiGLU is Shazeer's Bilinear, the
#: vanilla Transformer is the ReLU baseline).
NARANG_ROW = ((re.compile(r"\b(?:ffn_)?bilinear\b", re.IGNORECASE), "liglu"),
              (re.compile(r"\b(?:ffn_)?relu\b(?![- ]?(?:glu|2|squared))", re.IGNORECASE), "vanilla"))
_LEAD = re.compile(r"^\s*(?:(?:and|ok(?:ay)?|k|now|then|so|but|also|what about|how about|same for|and for)\b[\s,.]*)+",
                   re.IGNORECASE)
_PRONOUN = re.compile(r"\b(?:its|it|that one|this one|that|this|those|them|they)\b", re.IGNORECASE)
_RANKING_WORDS = re.compile(r"\bbest\b|\bworst\b|\btop\b|\btops\b|\bwins?\b|\blowest\b|\bhighest\b|\brank|"
                            r"\bwho(?:'s| is)? (?:first|last)\b|\bwhich (?:one|activation|variant)\b", re.IGNORECASE)


#: "runner up?", "who's second?", "and next?": the rows after the winner.
_RUNNER_UP = re.compile(r"\brunner[- ]?ups?\b|\bsecond(?: place| best)?\b|\bwho(?:'s| is)? next\b|\bnext best\b",
                        re.IGNORECASE)


def last_operation(meta: dict[str, Any] | None) -> dict[str, Any] | None:
    """The last answered operation of the earlier answer's stored plan, as stored."""
    plan = (meta or {}).get("plan")
    operations = plan.get("operations") if isinstance(plan, dict) else None
    answered = [op for op in operations or [] if isinstance(op, dict) and op.get("method") != "misreading"]
    return answered[-1] if answered else None


def _texts(matches: list[dict[str, Any]], kinds: tuple[str, ...]) -> list[str]:
    return list(dict.fromkeys(str(m["text"]) for m in matches if m.get("kind") in kinds and m.get("text")))


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


def in_other_paper(previous: dict[str, Any]) -> str:
    """The earlier question asked of Narang et al.'s table: its rows under that paper's names, and the loss
    column the earlier length or perplexity names when the words name none of the table's columns."""
    before = str(previous.get("question", "")).rstrip(" ?.!")
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


# --- staying in the other paper -------------------------------------------------------------------------


#: Narang et al.'s baseline row, named by words the lexicon does not hold.
_BASELINE_WORDS = re.compile(r"\bvanilla\b|\bbaseline\b")
#: A new row set against the earlier one ("vs vanilla?", "compared to geglu").
_SET_AGAINST = re.compile(r"\bvs\.?\b|\bversus\b|\bcompared?\b|\bagainst\b|\bthan\b|\bbeside\b", re.IGNORECASE)


def within_other_paper(read: str, previous_meta: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """An elliptical follow-up of an answer from Narang et al.'s table, written as a question about that
    table: a new row ('and geglu?'), a new column ('xsum?'), its noise ('how noisy was that') or its order."""
    operation = last_operation(previous_meta)
    if previous_meta is None or operation is None or operation.get("method") not in OTHER_PAPER_METHODS:
        return None
    low = read.lower()
    if second_paper.NAMES.search(low) or re.search(r"\bshazeer\b|\bglu[- ]variants?\b|\bboth\b", low) or (
            WHY.search(low)):
        return None
    named = _named(read, lexicon)
    if named.models or any(b not in SHARED_BENCHMARKS and not b.startswith("C4") for b in named.benchmarks):
        return None
    noisy = bool(NOISE.search(low)) or bool(re.search(r"\bnoisy\b|\bhow stable\b", low))
    rest = _LEAD.sub("", read).strip(" ?")
    runner_up = bool(_RUNNER_UP.search(rest))
    if not (is_follow_up(named.text, named, True) or noisy or runner_up or (
            named.is_empty() and _column_words(rest))):
        return None
    before = str(operation.get("read_as") or operation.get("asked") or "")
    new_subjects = _texts(named.matches, SUBJECT_KINDS) + [w for w in _BASELINE_WORDS.findall(low)]
    old_subjects = _texts(_named(before, lexicon).matches, SUBJECT_KINDS)
    columns = _column_words(rest) or _column_words(before)
    if runner_up and not new_subjects:  # the ranking, in full, says who comes after the winner
        return f"rank the activations in narang et al by {' '.join(columns) or 'final loss'}?"
    if _RANKING_WORDS.search(rest) and not new_subjects:
        return f"{rest} in narang et al, {' '.join(columns)}?".replace(", ?", "?")
    if new_subjects and (_PRONOUN.search(rest) or _SET_AGAINST.search(rest)):
        subjects = [*old_subjects, *(s for s in new_subjects if s not in old_subjects)]
    else:
        subjects = new_subjects or old_subjects
    if not subjects and not columns:
        return None
    words = ["narang", *subjects, *columns]
    if noisy:
        words.append("spread")
    return " ".join(words) + "?"


_DIFFERENT = re.compile(r"\bdiffer|\bdifferent\b|\bhigher\b|\blower\b|\bmismatch|\bmatch\b|\bnot the same\b|"
                        r"\bgap\b|\bdiscrepan|\bdisagree|\bline up\b|\bbetter\b|\bworse\b", re.IGNORECASE)


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


# --- the thread's earlier subjects ----------------------------------------------------------------------------

#: How many of a thread's subjects an answer remembers (for "both", "the two", "difference?").
THREAD_SUBJECTS = 4


def thread_subjects(previous_meta: dict[str, Any] | None, entities: Entities) -> list[dict[str, str]]:
    """The subjects of the thread so far, the latest last: the earlier answer's list and this question's own
    subject names (a follow-up that names none adds nothing)."""
    earlier = [s for s in (previous_meta or {}).get("thread_subjects") or [] if isinstance(s, dict)]
    for match in entities.matches:
        if match.get("kind") in SUBJECT_KINDS:
            subject = {"text": str(match["text"]), "kind": str(match["kind"]), "value": str(match.get("value", ""))}
            same = str(match["text"]).lower()
            if earlier and str(earlier[-1].get("text", "")).lower() == same and subject["kind"] != "activation":
                continue  # "geglu" is both a variant and a gate: one subject
            earlier = [s for s in earlier if str(s.get("text", "")).lower() != same or (
                s.get("kind") == "activation") != (subject["kind"] == "activation")] + [subject]
    return earlier[-THREAD_SUBJECTS:]


_BOTH = re.compile(r"\bboth(?: of them)?\b|\bthe two(?: of them)?\b|\beach of them\b", re.IGNORECASE)


def both_subjects(read: str, previous_meta: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'geglu glue' … 'swiglu?' … 'superglue for both': the two subjects the thread asked about last."""
    if previous_meta is None or not _BOTH.search(read) or re.search(r"\bpapers?\b|\blengths?\b", read, re.I):
        return None
    if _names_function_or_model(_named(read, lexicon)):
        return None
    subjects = [s for s in previous_meta.get("thread_subjects") or [] if isinstance(s, dict)]
    texts = list(dict.fromkeys(str(s.get("text")).lower() for s in reversed(subjects)))[:2]
    if len(texts) != 2:
        return None
    return f"{texts[1]} and {texts[0]} {_BOTH.sub(' ', _LEAD.sub('', read)).strip(' ?')}?"


_APART = re.compile(r"^\s*(?:and\s+|so\s+|ok\s+)?(?:the\s+)?(?:difference|diff|gap|how far apart|distance|"
                    r"how (?:big|large) is the (?:difference|gap))\s*(?:between them|then)?\s*\??\s*$", re.IGNORECASE)


def two_functions_apart(read: str, previous_meta: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'quick gelu at 3' … 'and exact?' … 'difference?': the last two functions of the thread, set apart at
    the point just computed."""
    if previous_meta is None or not _APART.search(read) or str(previous_meta.get("intent")) != "math":
        return None
    numbers = (previous_meta.get("slots") or {}).get("numbers") or []
    functions = [str(s.get("value")) for s in previous_meta.get("thread_subjects") or []
                 if isinstance(s, dict) and s.get("kind") == "activation"]
    functions = list(dict.fromkeys(functions))[-2:]
    if len(numbers) != 1 or len(functions) != 2:
        return None
    return f"difference between {functions[0]} and {functions[1]} at x={float(numbers[0]):g}"


def _names_function_or_model(entities: Entities) -> bool:
    return bool(entities.variants or entities.activations or entities.gates or entities.models)


# --- after a specific decline -----------------------------------------------------------------------------


def after_decline(read: str, previous_meta: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'swiglu's winogrande score?' … 'ok then its superglue avg': the follow-up of a decline asked again as a
    question of its own about the earlier subject (a decline has no cells to edit)."""
    operation = last_operation(previous_meta)
    if previous_meta is None or operation is None or operation.get("method") != "decline":
        return None
    named = _named(read, lexicon)
    if named.variants or named.activations or named.gates or named.models:
        return _LEAD.sub("", read)
    subjects = _texts(list(previous_meta.get("entities") or []), SUBJECT_KINDS)
    if not subjects:
        return None
    rest = _LEAD.sub("", read)
    if _PRONOUN.search(rest):
        return _PRONOUN.sub(subjects[0], rest, count=1)
    return f"{subjects[0]} {rest}"


# --- after a calculation or another derived answer -----------------------------------------------------------

#: Which names a follow-up's name replaces in the earlier question: a function for a function (a variant,
#: gate or activation), a model for a model, a column for a column, a length for a length.
_GROUP = {"variant": "subject", "gate": "subject", "activation": "subject", "model": "model",
          "benchmark": "column", "metric": "column", "steps": "steps"}
#: A number a follow-up gives with its label ("and with d_ff 8192?", "at x=2?"): it replaces the earlier
#: number of that label.
_LABELLED = re.compile(r"(?P<label>d_model|d_ff|hidden_size|intermediate_size|hidden|intermediate|x|at|multiple_of|"
                       r"multiplier)\s*(?:=|:|of)?\s*(?P<number>[-−]?\d+(?:\.\d+)?(?:e[-−]?\d+)?)", re.IGNORECASE)
_BARE_APPROXIMATION = {"tanh": "tanh approximation of gelu", "sigmoid": "sigmoid approximation of gelu"}


def _edited(before: str, read: str, lexicon: Lexicon) -> str | None:
    """The earlier question with the names and labelled numbers the follow-up gives put in place of the
    earlier ones of their kind; None when the follow-up gives none."""
    old, new = _named(before, lexicon), _named(read, lexicon)
    text, changed = before, False
    for group in dict.fromkeys(_GROUP.get(m["kind"], "") for m in new.matches):
        if not group:
            continue
        olds = [m for m in old.matches if _GROUP.get(m["kind"]) == group]
        news = [str(m["text"]) for m in new.matches if _GROUP.get(m["kind"]) == group]
        if olds and olds[0].get("value") in ("gelu_tanh", "gelu_sigmoid"):
            news = [_BARE_APPROXIMATION.get(n.lower(), n) for n in news]
        words = " ".join(dict.fromkeys(news))
        if not olds:
            text, changed = f"{text.rstrip(' ?')} {words}?", True
            continue
        first = re.search(re.escape(str(olds[0]["text"])), text, re.IGNORECASE)
        if first is None:
            continue
        text, changed = text[:first.start()] + words + text[first.end():], True
        if group == "column":  # "squad f1" … "and on glue?": GLUE's average, not its F1
            for other in olds[1:]:
                text = re.sub(rf"(?<!\w){re.escape(str(other['text']))}(?!\w)", " ", text, count=1, flags=re.IGNORECASE)
    for given in _LABELLED.finditer(read):
        label = given.group("label").lower()
        earlier = re.search(rf"(?<![\w]){re.escape(label)}\s*(?:=|:|of)?\s*([-−]?\d+(?:\.\d+)?(?:e[-−]?\d+)?)", text,
                            re.IGNORECASE)
        if earlier is not None:
            text, changed = text[:earlier.start(1)] + given.group("number") + text[earlier.end(1):], True
    if not changed and len(new.numbers) == 1 and len(old.numbers) == 1 and new.is_empty():
        written = _NUMBER_TOKEN.findall(before)
        if len(written) == 1:  # "and for 8192?" after a question with one number
            text, changed = _NUMBER_TOKEN.sub(_NUMBER_TOKEN.findall(read)[0], before, count=1), True
    return " ".join(text.split()) if changed else None


_NUMBER_TOKEN = re.compile(r"(?<![\w.])[-−]?\d+(?:\.\d+)?(?:e[-−]?\d+)?(?![\w.])", re.IGNORECASE)


def after_derived(read: str, previous_meta: dict[str, Any] | None, derived_methods: frozenset[str],
                  lexicon: Lexicon) -> str | None:
    """'d_model 1024 d_ff 4096 relu ffn, how many weights?' … 'and with swiglu?': a calculation (or another
    derived answer) asked again with what the follow-up changes, since its inputs are read from the words."""
    operation = last_operation(previous_meta)
    if operation is None or operation.get("method") not in derived_methods or operation.get("method") == "decline":
        return None
    if WHY.search(read.lower()) or NOISE.search(read.lower()):
        return None
    before = str(operation.get("read_as") or operation.get("asked") or "")
    if not before:
        return None
    edited = _edited(before, _LEAD.sub("", read), lexicon)
    if edited is None and operation.get("method") == "ffn_params":  # "and over all 32 layers?", "and if dense?"
        edited = pasted_sizes.rescaled(before, read)
    return edited


# --- a pronoun inside a comparison ---------------------------------------------------------------------------

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


def versus_earlier(read: str, previous: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'swiglu glue' … 'in percent how much better than relu': the earlier subject against the one named now,
    on the earlier cell."""
    if previous is None or not _AGAINST_NEW.search(read):
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
    if len(functions) != 1 or len(numbers) != 1 or len(other) != 1 or named.numbers:
        return None
    return f"difference between {functions[0]} and {other[0]} at x={numbers[0]:g}"


# --- why a size is what it is ------------------------------------------------------------------------------

_SIZE_WORDS = re.compile(r"\bnumber\b|\bsize\b|\bwidth\b|\bvalue\b|\bso (?:big|wide|large|odd)\b|\bthat\b|\bit\b|"
                         r"\bexactly\b|\bweird\b|\bodd\b", re.IGNORECASE)


#: "how did they get that number", "how do you arrive at 11008": a question about where a size comes from.
_RATIONALE = re.compile(r"\bhow (?:did|do|does|would) (?:they|it|you|one|meta|that) (?:get|arrive at|come up with|"
                        r"end up (?:at|with)|compute|derive|pick|choose)\b|\bwhere does (?:that|it|this) "
                        r"(?:number|width|size) come from\b|\bexplain (?:that|this|the) (?:number|width|size)\b",
                        re.IGNORECASE)


def size_rationale(read: str, previous: dict[str, Any] | None, facts: Facts, lexicon: Lexicon) -> str | None:
    """'llama-2-70b intermediate_size?' … 'why that number exactly': why the catalog's FFN width is what it
    is, asked with the model and the width it was just given."""
    if previous is None or str(previous.get("intent")) not in ("architecture", "model_activation"):
        return None
    slots = previous.get("slots") or {}
    models = [m for m in slots.get("models") or [] if m in facts.catalog]
    if len(models) != 1:
        return None
    width = str(facts.catalog[models[0]]["d_ff_text"]).replace(",", "")
    named = _named(read, lexicon)
    if not width.isdigit() or not named.is_empty() or any(n != float(width) for n in named.numbers):
        return None
    if not (WHY.search(read.lower()) or _RATIONALE.search(read)):
        return None
    if not (_SIZE_WORDS.search(read) or named.numbers or len(read.split()) <= 2):
        return None
    if "ff" not in (slots.get("arch_keys") or []) and not (named.numbers or _BARE_FFN.search(read)):
        return None  # after an activation answer only a question naming the width asks about it
    return f"why is {models[0]} intermediate_size {width}?"


# --- the answer of a ranking as the next subject ---------------------------------------------------------

_WINNER_PRONOUN = re.compile(r"\b(?:its|it|that one|this one|that variant|the winner|the winning one|that ffn|that)\b",
                             re.IGNORECASE)


def ranking_winner(question: str, slots: Slots, facts: Facts) -> str | None:
    """The one row a best/worst question over one column picks, looked up in the stored cells (so that a
    pronoun asking about it next names it); None when the answer is several columns or a tie."""
    columns, _ = tables.select_columns(facts, slots)
    if len(columns) != 1:
        return None
    cells = facts.column_cells(*columns[0])
    if not cells:
        return None
    order = rank_order(question)
    descending = {"best": cells[0].higher_is_better, "worst": not cells[0].higher_is_better,
                  "lowest": False, "highest": True}[order]
    ordered = sorted(cells, key=lambda c: Decimal(c.value_text), reverse=descending)
    tied = [c for c in ordered if Decimal(c.value_text) == Decimal(ordered[0].value_text)]
    return ordered[0].row if len(tied) == 1 else None


def with_winner(text: str, question: str, slots: Slots, facts: Facts, lexicon: Lexicon) -> str | None:
    """``text`` with its pronoun replaced by the row the earlier best/worst ``question`` picks."""
    named = _named(text, lexicon)
    if named.variants or named.activations or named.gates or named.models or not _WINNER_PRONOUN.search(text):
        return None
    winner = ranking_winner(question, slots, facts)
    return _WINNER_PRONOUN.sub(winner, text, count=1) if winner else None


def of_the_winner(read: str, previous: dict[str, Any] | None, facts: Facts, lexicon: Lexicon) -> str | None:
    """'who's best on cola' … "what's its squad em?": the pronoun is the variant the ranking picked."""
    if previous is None or str(previous.get("intent")) != "best":
        return None
    return with_winner(read, str(previous.get("question", "")), Slots.from_dict(previous.get("slots")), facts,
                       lexicon)


# --- another field of the same model, or a claim about it ---------------------------------------------------

_ARCH_WORDS = re.compile("(?<![a-z_])(?:" + "|".join(sorted({re.escape(w.strip()) for words in ARCH_KEYWORDS.values()
                                                             for w in words if w.strip()}, key=len, reverse=True))
                         + ")", re.IGNORECASE)


def _models_of(previous: dict[str, Any]) -> list[str]:
    return [str(m) for m in (previous.get("slots") or {}).get("models") or []]


#: The activation asked for by itself ("activation?", "and the act fn", "hidden_act?").
_ACTIVATION_FIELD = re.compile(r"\bactivations?\b|\bact(?:[ _]fn)?\b|\bnon-?linearity\b|\bhidden_act\w*", re.IGNORECASE)
#: An FFN named by itself ("ffn?", "and the mlp"): its width.
_BARE_FFN = re.compile(r"\b(?:ffn|mlp|ff|feed[- ]?forward)\b", re.IGNORECASE)


def model_fields(read: str, previous: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'llama 3 8b activation' … 'd_model and d_ff?' (or just 'ffn?'): the sizes of the model just asked about."""
    if previous is None:
        return None
    models = _models_of(previous)
    named = _named(read, lexicon)
    if not 1 <= len(models) <= 3 or not named.is_empty() or WHY.search(read.lower()):
        return None
    rest = _LEAD.sub("", read).rstrip(" ?")
    if _ARCH_WORDS.search(read) or (_ACTIVATION_FIELD.search(read) and len(read.split()) <= 4):
        return f"{' and '.join(models)} {rest}?"
    if _BARE_FFN.search(read) and len(read.split()) <= 4:
        return f"{' and '.join(models)} {rest} width?"
    return None


_DROP = re.compile(r"\bhow much\b.{0,30}\b(?:drop|fall|improve|change|decrease|go down|better)|\b(?:drop|fall|"
                   r"improvement|change|decrease)\b.{0,20}\b(?:between|from)\b|\bby how much\b", re.IGNORECASE)


def length_change(read: str, previous: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'ffn_swiglu 65k log-ppl' … 'after full training?' … 'so how much did it drop': the change of that row's
    loss between the two training lengths."""
    if previous is None or str(previous.get("intent")) != "fact":
        return None
    slots = previous.get("slots") or {}
    variants, steps = slots.get("variants") or [], slots.get("steps") or []
    if len(variants) != 1 or len(steps) != 1 or not _DROP.search(read) or not _named(read, lexicon).is_empty():
        return None
    return f"how much does {variants[0]}'s loss drop between 65k steps and full training?"


_CLAIM_WORDS = re.compile(r"\bwrong\b|\bright\b|\btrue\b|\bcorrect\b|\breally\b|\blegit\b|\bsays?\b|\bsaid\b|"
                          r"\bclaims?\b|\bheard\b|\bthought\b|\bisn'?t it\b", re.IGNORECASE)


def model_claim(read: str, previous: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'phi-3-mini activation' … 'some slides say geglu. wrong?': the claim is about the model just asked about."""
    if previous is None:
        return None
    models = _models_of(previous)
    named = _named(read, lexicon)
    if len(models) != 1 or named.models or not (named.gates or named.activations or named.variants) or (
            not _CLAIM_WORDS.search(read)):
        return None
    return f"{models[0]}: {read}"


#: "is that good?", "is 91.12 good?": how the value just given stands, which its rank says.
_IS_GOOD = re.compile(r"^\s*(?:so\s+|and\s+)?(?:is|was|are)\s+(?:that|this|it|those|[\d.,]+)\s+(?:any\s+)?(?:good|bad|"
                      r"high|low|decent|impressive|a lot|big|small|strong|weak)\b", re.IGNORECASE)
#: "so they're equal?", "really?", "you sure?": the asker checks the answer just given.
_CONFIRM = re.compile(r"^\s*(?:so|wait|hm+|huh|really|seriously|for real|are you sure|you sure|sure|ok so|so basically|"
                      r"is that (?:right|true|correct)|you'?re sure)\b", re.IGNORECASE)


#: "rank?", "where does it place?": the rank the earlier answer gives with its value.
_RANK_ONLY = re.compile(r"^\s*(?:and\s+|so\s+)?(?:its\s+|the\s+)?(?:rank|ranking|position|place|placement|standing)"
                        r"\s*\??\s*$|^\s*(?:and\s+)?(?:how|where) (?:does|did) (?:it|that) (?:rank|place|stand)\b",
                        re.IGNORECASE)


def confirmation(read: str, previous: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """A request to confirm the answer just given, or for the rank it gave, naming nothing new: the same
    question again, so that the same evidence answers it."""
    if previous is None or not previous.get("question") or WHY.search(read.lower()):
        return None
    named = _named(read, lexicon)
    if _IS_GOOD.search(read) and named.is_empty():
        return str(previous["question"])
    if not (_CONFIRM.search(read) or _RANK_ONLY.search(read)):
        return None
    if not named.is_empty() or named.numbers or len(read.split()) > 8:
        return None
    return str(previous["question"])


def subject_prefixed(piece: str, entities: Entities, earlier: list[dict[str, str]]) -> str | None:
    """A later part of a multi-part question that names nothing ('…, and which activation'): asked about the
    earlier part's subject."""
    if not entities.is_empty() or entities.numbers or len(piece.split()) > 8:
        return None
    subjects = _texts(earlier, SUBJECT_KINDS)
    return f"{subjects[0]} {_LEAD.sub('', piece)}" if subjects else None
