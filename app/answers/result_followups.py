"""Follow-ups that work on the answers just given: the ratio of the two sizes a model's answer showed, which
of the last two functions is closer to a third at the point just computed, the same task in the other benchmark
suite, another form of the function just computed, its value or its approximation's error where it was just
computed, why a variant won, and LLaMA's rule again (with other rounding fields, or the catalog's models of the
width it gave). The gap between the thread's last two cells is :mod:`app.answers.gap_followups`'.

Why a module of its own: each reads the thread's last answers as values to set against each other (two
subjects, one cell; one model, two sizes; two functions, one point), while the rules of
:mod:`app.answers.followups` carry one subject or one cell over; like those, each writes the follow-up out
as the whole question it stands for, so the ordinary planner answers it from stored or computed values.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from app.answers import sizing_followups
from app.answers.facts import Facts
from app.answers.followup_reading import _LEAD, SUBJECT_KINDS, _named, _texts, last_operation
from app.answers.functions import APPROXIMATIONS
from app.answers.intents import WHY
from app.answers.lexicon import Lexicon
from app.sizing import llama_hidden_size

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
    # "… and its hidden_size" … "ratio of those two": the two sizes of the one model, not two models' one size
    # … and "ratio to d_model for that one" is the last model's own width over its own d_model
    own = sizing_followups.asked_other_size(previous) or _OWN_RATIO.search(read)
    two = None if own else two_models(previous)
    return two or f"{models[0]} ratio of intermediate_size to d_model?"


#: A ratio asked of one model's two sizes: "to d_model", "over its hidden size", "for that one".
_OWN_RATIO = re.compile(r"\b(?:to|over|vs\.?|against|/)\s*(?:its\s+|the\s+)?(?:d_model|hidden(?:_size| size)?|"
                        r"model dim(?:ension)?)\b|\b(?:for|of)\s+(?:that|this|the last)\s+one\b|\bits\s+own\b",
                        re.IGNORECASE)


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


def _cell_words(slots: dict[str, Any]) -> list[str]:
    """The words naming the earlier answer's cell: its benchmark, metric and length ids, which the lexicon
    holds as phrases in lower case."""
    words = [str(b).lower() for b in slots.get("benchmarks") or []]
    words += [str(m).lower() for m in slots.get("metrics") or []]
    return words + [str(s) for s in slots.get("steps") or []]


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


#: "is it above or below the exact gelu there", "over or under?", "which sign": the side of the error just given.
_WHICH_SIDE = re.compile(r"\babove or below\b|\bbelow or above\b|\bover(?:estimat\w*)? or under\w*\b|"
                         r"\bhigher or lower\b|\blower or higher\b|\bwhich sign\b|\bsign of the error\b", re.IGNORECASE)


#: "at which x", "where?", "what x is that at": where the error just given peaks (its answer says).
_WHERE_BARE = re.compile(r"^\s*(?:(?:and|so|ok)\s+)?(?:(?:at|for)\s+)?(?:which|what)\s+x\b[^?]{0,20}\??\s*$|"
                         r"^\s*(?:(?:and|so|ok)\s+)?where(?:\s+(?:is|does)\s+(?:it|that)(?:\s+(?:peak|happen|occur))?)?"
                         r"\s*\??\s*$", re.IGNORECASE)


def error_side(read: str, previous: dict[str, Any] | None) -> str | None:
    """'where does the tanh gelu approx hit its worst error' … 'is it above or below the exact gelu there': the
    same question again, whose answer says on which side of the exact curve the approximation lies."""
    operation = last_operation(previous)
    if operation is None or operation.get("method") != "math" or not (
            _WHICH_SIDE.search(read) or _WHERE_BARE.match(read)):
        return None
    before = str(operation.get("read_as") or operation.get("asked") or "")
    return before if re.search(r"\berrors?\b|\bapprox|\bdeviat|\bpeak", before, re.IGNORECASE) else None


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



# --- the function's own value where its slope was just computed -------------------------------------------

#: "and the value of it there", "what's the function itself at that point", "and silu itself there?".
_VALUE_THERE = re.compile(r"^\s*(?:(?:and|so|ok(?:ay)?|now|then)\s+)*(?:what(?:'s|s| is| about)\s+)?(?:the\s+)?"
                          r"(?:(?:actual|plain|function(?:'s)?|output)\s+)?(?:value|output|function(?: itself)?|"
                          r"\w+ itself)(?:\s+(?:of|for)\s+(?:it|that|the function|this))?(?:\s+itself)?\s*"
                          r"(?:there|at that (?:point|x)|at the same (?:point|x)|at that value|then)\s*(?:pls|please)?"
                          r"\s*\??\s*$", re.IGNORECASE)
_SLOPE_WORDS = re.compile(r"derivative|slope|gradient|['′]\s*\(", re.IGNORECASE)


def value_there(read: str, previous_meta: dict[str, Any] | None) -> str | None:
    """'derivative of silu at 1' … 'at x=-1' … 'and the value of it there': the function itself at the point
    whose slope was just computed (the slot merge would keep the derivative)."""
    operation = last_operation(previous_meta)
    if operation is None or operation.get("method") != "math" or not _VALUE_THERE.match(read):
        return None
    slots = operation.get("slots") or {}
    functions = [*(slots.get("activations") or []), *(slots.get("gates") or [])]
    numbers = slots.get("numbers") or []
    # the slope may have been asked turns before ("… 'what about at x=-1'"): the thread's words are read too
    before = f"{operation.get('read_as') or operation.get('asked') or ''} {operation.get('retrieval_query') or ''}"
    if len(functions) != 1 or len(numbers) != 1 or not _SLOPE_WORDS.search(before):
        return None
    return f"{functions[0]}({float(numbers[0]):g})?"


# --- why a variant beat another -----------------------------------------------------------------------------

#: "why did it beat relu tho", "why is it better than relu", "how come it wins": the reason for a result.
_WHY_BEAT = re.compile(r"\b(?:why|how come)\b.{0,30}\b(?:beat|beats|better|outperform\w*|wins?|won|ahead|lower|"
                       r"best|so good)\b", re.IGNORECASE)
_GATED = re.compile(r"GLU\b|GLU$")


def reason_for_result(read: str, previous: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'geglu's c4 perplexity once fully trained?' … 'why did it beat relu tho': the GLU-variants paper's own
    word on why its gated variants win, which is that it gives no explanation (the slot merge would set the
    gated variant's activation against ReLU, a different question)."""
    if previous is None or str(previous.get("intent")) not in ("fact", "best", "compare", "rank"):
        return None
    if not _WHY_BEAT.search(read):
        return None
    slots = previous.get("slots") or {}
    variants = [v for v in slots.get("variants") or [] if _GATED.search(str(v))]
    named = _named(read, lexicon)
    if "narang" in str(previous.get("question", "")).lower() or not variants or named.models or any(
            _GATED.search(v) for v in named.variants):
        return None
    against = [v for v in named.variants if v not in variants]
    other = against[0] if against else "the ReLU baseline"
    early = " at 65,536 steps" if 65536 in (slots.get("steps") or []) else ""
    return f"does shazeer's paper explain why {variants[0]} beat {other}{early}?"


# --- the approximation's error at the point just computed ---------------------------------------------------

#: "so the error there is what", "how big is the gap at that point", "and the difference there?".
_ERROR_THERE = re.compile(r"\b(?:error|gap|difference|diff|discrepancy|deviation)\b.{0,25}\b"
                          r"(?:there|at that (?:point|x)|at the same (?:point|x)|at (?:that|this) value|then)\b|"
                          r"\b(?:there|at that point)\b.{0,25}\b(?:error|gap|difference|diff)\b", re.IGNORECASE)
#: "which one is lower", "is it above or below": which side of the exact value the approximation lies.
_WHICH_SIDE = re.compile(r"\bwhich (?:one |of (?:them|the two) )?(?:is |'s |lies )?(?:lower|higher|smaller|bigger|"
                         r"larger|above|below|under|over)\b|\babove or below\b|\bover or under\b|\bhigher or lower\b|"
                         r"\blower or higher\b|\bover(?:shoot|estimat)\w*|\bunder(?:shoot|estimat)\w*", re.IGNORECASE)


def point_error(read: str, previous_meta: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'exact gelu at x = 1' … 'tanh approx of it?' … 'so the error there is what, and which one is lower': the
    approximation minus the exact function at the point just computed, and which side it lies on (the slot
    merge keeps the functions but not the point, and answers with the largest error instead)."""
    operation = last_operation(previous_meta)
    if operation is None or operation.get("method") != "math" or not _ERROR_THERE.search(read):
        return None
    slots = operation.get("slots") or {}
    activations = slots.get("activations") or []
    numbers = slots.get("numbers") or []
    approximations = [a for a in activations if a in APPROXIMATIONS]
    named = _named(read, lexicon)
    if len(approximations) != 1 or len(numbers) != 1 or named.numbers or not named.is_empty():
        return None
    approx = approximations[0]
    side = ": above or below it" if _WHICH_SIDE.search(read) else ""
    return f"error of {approx} against {APPROXIMATIONS[approx]} at x={float(numbers[0]):g}{side}?"


# --- the models whose width a computation just gave -----------------------------------------------------------

#: "which model in your catalog has that one", "any real models with that width?", "who uses that size".
_WHICH_HAVE_IT = re.compile(r"\b(?:which|what|any)\b.{0,25}\b(?:models?|llms?|catalog|entries|ones?|real)\b.{0,30}"
                            r"\b(?:that|this|it|those|these)\b(?:\s+(?:one|width|size|number|value|d_ff))?|"
                            r"\bwho\b.{0,15}\b(?:has|have|uses?)\b.{0,10}\b(?:that|this)\b", re.IGNORECASE)


def models_with_width(read: str, previous_meta: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'llama hidden dim for dim 4096, multiple_of 1024, ffn_dim_multiplier 1.3' … 'which model in your catalog
    has that one': the catalog's models of the width LLaMA's rule just gave (computed again from the same
    inputs; the slot merge would read 'that one' as the family named)."""
    operation = last_operation(previous_meta)
    if operation is None or operation.get("method") != "hidden_size" or not _WHICH_HAVE_IT.search(read):
        return None
    inputs = operation.get("inputs") or {}
    named = _named(read, lexicon)
    if not inputs.get("d_model") or not inputs.get("multiple_of") or named.numbers or named.models:
        return None
    multiplier = inputs.get("ffn_dim_multiplier")
    sizing = llama_hidden_size(int(inputs["d_model"]), int(inputs["multiple_of"]),
                               Decimal(str(multiplier)) if multiplier else None)
    return f"which models have d_ff {sizing.d_ff}?"


# --- LLaMA's rule again, with other rounding fields -----------------------------------------------------------

#: "ok and if multiple_of is 1024 with ffn_dim_multiplier 1.3", "what about multiple_of=4096?": new sizing fields.
_SIZING_FIELD = re.compile(r"\b(?:multiple[_ ]of|(?:ffn_dim_)?multiplier)\b\s*[\"']?\s*(?:[:=]|of|is|to)?\s*"
                           r"(?:none|null|\d+(?:\.\d+)?)", re.IGNORECASE)
_DIM_WORDS = re.compile(r"\b(?:d_model|dim|hidden_size|n_embd|model dim(?:ension)?|d model)\b\s*(?:[:=]|of|is)?\s*"
                        r"(\d[\d,]*)", re.IGNORECASE)


def sizing_fields(read: str, previous: dict[str, Any] | None, previous_meta: dict[str, Any] | None,
                  facts: Facts) -> str | None:
    """'how does llama 7b end up at 11008 from dim 4096?' … 'ok and if multiple_of is 1024 with
    ffn_dim_multiplier 1.3' (after an answer that computed nothing): LLaMA's rule on the same d_model with the
    fields the follow-up gives; the d_model is the earlier question's, or the one model's the thread is about."""
    if previous is None or not _SIZING_FIELD.search(read) or _DIM_WORDS.search(read):
        return None
    operation = last_operation(previous_meta) or {}
    if operation.get("method") == "hidden_size":
        return None  # the computation's own inputs are edited by the setting rules (they keep its multiple_of)
    d_model = None
    before = _DIM_WORDS.search(str(previous.get("question", "")))
    if before is not None:
        d_model = before.group(1).replace(",", "")
    models = [m for m in (previous.get("slots") or {}).get("models") or [] if m in facts.catalog]
    if d_model is None and len(models) == 1:
        d_model = str(facts.catalog[models[0]].get("d_model_text") or "").replace(",", "")
    if not d_model or not str(d_model).isdigit():
        return None
    fields = ", ".join(m.group(0) for m in _SIZING_FIELD.finditer(read))
    return f"llama hidden dim formula for dim {d_model}, {fields}?"
