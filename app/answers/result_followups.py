"""Follow-ups that work on the answers just given: the ratio of the two sizes a model's answer showed, the
gap between the thread's last two cells, which of the last two functions is closer to a third at the point
just computed, the same task in the other benchmark suite, and another form of the function just computed.

Why a module of its own: each reads the thread's last answers as values to set against each other (two
subjects, one cell; one model, two sizes; two functions, one point), while the rules of
:mod:`app.answers.followups` carry one subject or one cell over; like those, each writes the follow-up out
as the whole question it stands for, so the ordinary planner answers it from stored or computed values.
"""

from __future__ import annotations

import re
from typing import Any

from app.answers.facts import Facts
from app.answers.followup_reading import _LEAD, SUBJECT_KINDS, _named, _texts, last_operation
from app.answers.functions import APPROXIMATIONS
from app.answers.intents import WHY
from app.answers.lexicon import Lexicon
from app.answers.other_paper_followups import _BASELINE_WORDS, OTHER_PAPER_METHODS, _column_words

# --- the ratio of a model's two sizes ---------------------------------------------------------------------

#: "ratio between the two?", "how many times bigger is it", "expansion factor?": one size over the other.
_RATIO = re.compile(r"\bratios?\b|\bhow many times\b|\bwhat multiple\b|\bexpansion(?: factor| ratio)?\b|"
                    r"\b(?:one )?(?:divided by|over) the other\b|\bquotient\b|"
                    r"\b(?:d_ff|ffn|intermediate(?:_size)?)\s*/\s*(?:d_model|hidden(?:_size)?)\b", re.IGNORECASE)


def size_ratio(read: str, previous: dict[str, Any] | None, facts: Facts, lexicon: Lexicon) -> str | None:
    """'gemma 3 27b intermediate_size?' … 'and its hidden size' … 'ratio between the two?': the model's FFN
    width over its d_model, the two sizes its answers show."""
    if previous is None or str(previous.get("intent")) not in ("architecture", "model_activation"):
        return None
    if not _RATIO.search(read) or WHY.search(read.lower()):
        return None
    models = [m for m in (previous.get("slots") or {}).get("models") or [] if m in facts.catalog]
    named = _named(read, lexicon)
    if len(models) != 1 or not named.is_empty() or named.numbers:
        return None
    return two_models(previous) or f"{models[0]} ratio of intermediate_size to d_model?"


def two_models(previous: dict[str, Any]) -> str | None:
    """'llama 3 8b d_ff' … 'and 70b?' … 'ratio between the two?': when the thread's last two subjects are two
    models, the same size of both set against each other (the size the last answer was asked for)."""
    subjects = [s for s in previous.get("thread_subjects") or [] if isinstance(s, dict)]
    if len(subjects) < 2 or any(s.get("kind") != "model" for s in subjects[-2:]):
        return None
    earlier, later = (str(s.get("text")) for s in subjects[-2:])
    if earlier.lower() == later.lower():
        return None
    size = "d_model" if (previous.get("slots") or {}).get("arch_keys") == ["d_model"] else "ffn width"
    return f"{earlier} vs {later} {size} difference?"


# --- the gap between the last two cells -----------------------------------------------------------------

#: "so the gap is", "difference?", "what's the gap between them", "by how much then": the distance between
#: the two values the thread just gave.
GAP = re.compile(r"^\s*(?:and\s+|so\s+|ok(?:ay)?\s+|then\s+)*(?:what(?:'s| is)\s+)?(?:the\s+)?(?:difference|diff|gap|"
                 r"delta|margin|how far apart|distance|by how much|how (?:big|large) is the (?:difference|gap))\b"
                 r"(?:\s+(?:between them|between the two|then|there|is|was|exactly|in numbers))*\s*[?.]*\s*$",
                 re.IGNORECASE)


def _cell_words(slots: dict[str, Any]) -> list[str]:
    """The words naming the earlier answer's cell: its benchmark, metric and length ids, which the lexicon
    holds as phrases in lower case."""
    words = [str(b).lower() for b in slots.get("benchmarks") or []]
    words += [str(m).lower() for m in slots.get("metrics") or []]
    return words + [str(s) for s in slots.get("steps") or []]


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
        columns = _column_words(before)
        if len(subjects) < 2 or not columns:
            return None
        return f"narang {' '.join(subjects[-2:])} {' '.join(columns)}?"
    if str(previous_meta.get("intent")) == "architecture":  # "llama 3 8b d_ff" … "and 70b?" … "difference?"
        return two_models(previous_meta)
    if method != "fact":
        return None
    subjects = list(dict.fromkeys(s.lower() for s in earlier))[-2:]
    cells = _cell_words(operation.get("slots") or {})
    if len(subjects) != 2 or not cells:
        return None
    return f"{subjects[0]} vs {subjects[1]} {' '.join(cells)}?"


# --- which of two functions is closer to a third ----------------------------------------------------------

#: "which of those two is closer to real gelu there", "which one's nearer to exact gelu?".
_CLOSER = re.compile(r"\bwhich\b.{0,30}\b(?:closer|nearer|closest|nearest|more accurate|better approximation)\b|"
                     r"\b(?:closer|nearer)\b.{0,40}\?\s*$", re.IGNORECASE)


def closer_function(read: str, previous_meta: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'silu(0.5)' … 'quick gelu at the same x' … 'which of those two is closer to real gelu there': the
    thread's last two functions, each set against the one named now at the point just computed."""
    if previous_meta is None or str(previous_meta.get("intent")) != "math" or not _CLOSER.search(read):
        return None
    numbers = (previous_meta.get("slots") or {}).get("numbers") or []
    named = _named(read, lexicon)
    target = list(dict.fromkeys(named.activations))
    functions = [str(s.get("value")) for s in previous_meta.get("thread_subjects") or []
                 if isinstance(s, dict) and s.get("kind") == "activation"]
    functions = [f for f in dict.fromkeys(functions) if f not in target][-2:]
    if len(numbers) != 1 or len(target) != 1 or len(functions) != 2 or named.numbers:
        return None
    return f"which is closer to {target[0]} at x={float(numbers[0]):g}, {functions[0]} or {functions[1]}?"


# --- how many times one approximation's error is the other's ----------------------------------------------

#: "how many times worse is that", "ratio?", "by what factor": the last error against the one before it.
_TIMES = re.compile(r"\bhow many times\b|\bratios?\b|\bwhat factor\b|\bby (?:what|which|how much of a) factor\b|"
                    r"\bhow much (?:worse|bigger|larger|better|smaller)\b|\btimes (?:worse|bigger|larger|more)\b",
                    re.IGNORECASE)


def error_ratio(read: str, previous_meta: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'max error of the tanh gelu' … 'and the sigmoid one?' … 'how many times worse is that': the last
    approximation's largest error over the one before it, both computed again."""
    if previous_meta is None or str(previous_meta.get("intent")) != "math" or not _TIMES.search(read):
        return None
    named = _named(read, lexicon)
    if not named.is_empty() or named.numbers:
        return None
    functions = [str(s.get("value")) for s in previous_meta.get("thread_subjects") or []
                 if isinstance(s, dict) and s.get("kind") == "activation"]
    approximations = [f for f in dict.fromkeys(reversed(functions)) if f in APPROXIMATIONS][:2]
    if len(approximations) != 2:
        return None
    later, earlier = approximations
    return f"how many times larger is the max error of {later} than that of {earlier}?"


# --- the same task in the other benchmark suite -------------------------------------------------------------

#: A follow-up naming only a benchmark suite, with words that ask for its copy of the task ("superglue one?",
#: "and the glue version", "in superglue?"); an average asked outright ("superglue avg?") is the suite's own.
_SUITE_ONLY = re.compile(r"^\s*(?:and\s+|what about\s+|how about\s+|now\s+)?(?:(?:in|on|for|from)\s+)?(?:the\s+)?"
                         r"(?P<suite>super\s?glue|glue)(?:'s)?(?:\s+(?:one|version|table|copy|task|column|number))?"
                         r"(?:\s+(?:then|too|instead))?\s*\??\s*$", re.IGNORECASE)
_SUITES = {"glue": "GLUE", "superglue": "SuperGLUE", "super glue": "SuperGLUE"}


def other_suite_task(read: str, previous: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """"swiglu's rte on glue" … 'superglue one?': the same task (RTE is in both suites) in the suite named now,
    for the same subject."""
    if previous is None or str(previous.get("intent")) not in ("fact", "best", "compare"):
        return None
    found = _SUITE_ONLY.match(read)
    if found is None:
        return None
    suite = _SUITES[found.group("suite").lower()]
    slots = previous.get("slots") or {}
    tasks = [str(b).split("/", 1) for b in slots.get("benchmarks") or [] if "/" in str(b)]
    moved = [f"{suite}/{task}" for parent, task in tasks if parent != suite]
    if len(moved) != 1 or moved[0].lower() not in lexicon.phrases:
        return None
    subjects = _texts(list(previous.get("entities") or []), SUBJECT_KINDS) or list(slots.get("variants") or [])
    if not subjects:
        return None
    return f"{' and '.join(subjects[:3])} {moved[0].lower()}?"


# --- the baseline row of the same cell ----------------------------------------------------------------------

#: "vanilla?", "and the baseline?", "what about the plain ffn": the row every variant is set against.
_BASELINE_ONLY = re.compile(r"^\s*(?:and\s+|what about\s+|how about\s+|vs\.?\s+|versus\s+|compared to\s+)?(?:the\s+)?"
                            r"(?:vanilla|baseline|plain|standard|ungated)(?:\s+(?:one|ffn|mlp|transformer|baseline|"
                            r"relu|row|model))?\s*\??\s*$", re.IGNORECASE)


def baseline_cell(read: str, previous: dict[str, Any] | None) -> str | None:
    """'swiglu glue avg' … 'vanilla?': the GLU-variants paper's baseline (its ReLU FFN) on the same cell."""
    if previous is None or str(previous.get("intent")) not in ("fact", "best", "compare"):
        return None
    if not _BASELINE_ONLY.match(read):
        return None
    cells = _cell_words(previous.get("slots") or {})
    if not cells:
        return None
    subjects = _texts(list(previous.get("entities") or []), SUBJECT_KINDS)
    if _SET_AGAINST.match(read) and subjects:  # "vs the plain ffn?": the earlier row against the baseline
        return f"{subjects[0]} vs ffn_relu {' '.join(cells)}?"
    return f"ffn_relu {' '.join(cells)}?"


_SET_AGAINST = re.compile(r"^\s*(?:and\s+)?(?:vs\.?|versus|compared to|against)\b", re.IGNORECASE)


# --- another form of the function just computed ----------------------------------------------------------

#: "tanh version?", "the sigmoid one", "and the tanh-approximated form": an approximation of the exact GELU
#: just computed, named by the word that sets it apart.
_FORM = re.compile(r"^\s*(?:and\s+|what about\s+|how about\s+|now\s+|same for\s+|with\s+)?(?:the\s+|its\s+|an?\s+)?"
                   r"(?:(?P<form>tanh|sigmoid|quick)(?P<approx>[- ]approx(?:imat(?:ed|ion)|\.)?)?|"
                   r"(?P<plain>approx(?:imat(?:ed?|ion)|\.)?))(?:[- ]gelu)?"
                   r"(?:\s+(?P<word>version|one|variant|form|flavou?r|approx(?:imation)?|equivalent|kind)\b)?"
                   r"[\s\w]{0,20}\??\s*$", re.IGNORECASE)
#: The approximation each word names; a bare "approximate" one is the tanh form (PyTorch's approximate="tanh").
_APPROXIMATION = {"tanh": "gelu_tanh", "sigmoid": "gelu_sigmoid", "quick": "gelu_sigmoid", "": "gelu_tanh"}
#: The exact GELU as an earlier question names it ("erf gelu", "exact (erf) gelu", "gelu").
_EXACT_GELU = re.compile(r"\b(?:(?:exact|erf)\s+(?:\(erf\)\s+)?)?gelu\b(?![_\w])(?!\s*\(?\s*(?:tanh|sigmoid))",
                         re.IGNORECASE)


def approximation_form(read: str, previous_meta: dict[str, Any] | None) -> str | None:
    """'slope of erf gelu at x=-2' … 'tanh version?': the same computation on that approximation of GELU."""
    operation = last_operation(previous_meta)
    if previous_meta is None or operation is None or operation.get("method") != "math":
        return None
    found = _FORM.match(_LEAD.sub("", read) or read)
    activations = (operation.get("slots") or {}).get("activations") or []
    if found is None or "gelu" not in activations or not (found.group("word") or found.group("approx") or (
            found.group("plain"))):
        return None  # a bare "tanh?" may be the function of that name
    before = str(operation.get("read_as") or operation.get("asked") or "")
    edited = _EXACT_GELU.sub(_APPROXIMATION[(found.group("form") or "").lower()], before, count=1)
    return edited if edited != before else None

