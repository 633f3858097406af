"""Follow-ups that ask a new field of the model just answered about, in words the keyword tables miss: how
many of its experts run per token ("how many of them are active per token" after a mixture-of-experts
width), one expert's weights or a whole layer's ("and all 8 of them in one layer"), the same question of
another size of the model ("no sorry, i meant the 9b") and the width its report prints ("what does the paper
print for that one"), written out with the model's name and the field's own words.

Why apart from :func:`app.answers.followups.model_fields`: that rule carries the model over to words that
already name a field ("d_model and d_ff?"); these words name the field only through a pronoun for the
earlier answer's parts ("them", "those" are the experts its layout listed), so the rule must read the
earlier row's kind before it can say which field is meant.
"""

from __future__ import annotations

import re
from typing import Any

from app.answers import framework_names
from app.answers.facts import Facts
from app.answers.ffn_widths import moe_layout
from app.answers.followup_reading import _named, last_operation
from app.answers.functions import APPROXIMATIONS
from app.answers.intents import WHY
from app.answers.lexicon import Lexicon
from app.vocabulary import FFN_VARIANTS

#: "how many of them are active per token", "how many fire for each token", "and how many get used?".
ACTIVE_COUNT = re.compile(r"\bhow many\b.{0,25}\b(?:active|activated|used|routed|selected|chosen|picked|fire|run|"
                          r"on|engaged|consulted)\b|\b(?:per|each|every|a) token\b|\btop[- ]?k\b", re.IGNORECASE)


def active_experts(read: str, previous: dict[str, Any] | None, facts: Facts, lexicon: Lexicon) -> str | None:
    """'does mixtral 8x22b use swiglu' … 'per-expert d_ff?' … 'how many of them are active per token': the
    expert layout of the mixture-of-experts model just asked about."""
    if previous is None or str(previous.get("intent")) not in ("architecture", "model_activation"):
        return None
    if not ACTIVE_COUNT.search(read) or WHY.search(read.lower()):
        return None
    model = _moe_model(read, previous, facts, lexicon)
    return f"{model} active experts per token?" if model else None


#: "out of how many", "of how many in total?", "and how many are there altogether": the whole count the
#: earlier count was a part of.
TOTAL_COUNT = re.compile(r"^\s*(?:and|ok(?:ay)?|so|but)?[\s,]*(?:out\s+)?of\s+how\s+many\b|"
                         r"\bhow many\b.{0,25}\b(?:in total|total|altogether|overall|all told|there are|are there)\b",
                         re.IGNORECASE)


def total_experts(read: str, previous: dict[str, Any] | None, facts: Facts, lexicon: Lexicon) -> str | None:
    """'how many experts fire per token' … 'out of how many': the routed-expert count of the
    mixture-of-experts model just answered about (the words name neither the model nor the experts)."""
    if previous is None or str(previous.get("intent")) not in ("architecture", "model_activation"):
        return None
    if not TOTAL_COUNT.search(read) or WHY.search(read.lower()):
        return None
    model = _moe_model(read, previous, facts, lexicon)
    return f"{model} how many routed experts in total?" if model else None


def _moe_model(read: str, previous: dict[str, Any], facts: Facts, lexicon: Lexicon) -> str | None:
    """The one mixture-of-experts catalog model the thread's last answer was about, when the follow-up names
    no subject of its own; else None."""
    models = [m for m in (previous.get("slots") or {}).get("models") or [] if m in facts.catalog]
    named = _named(read, lexicon)
    if len(models) != 1 or named.models or named.variants or named.activations or named.gates:
        return None
    return models[0] if moe_layout(facts.catalog[models[0]]) else None


#: "and all 8 of them in one layer", "all the experts together?", "and every expert of a layer": the whole
#: layer's experts after one expert's count.
ALL_EXPERTS = re.compile(r"\ball\s+(?:the\s+)?(?:\d+\s+)?(?:of\s+)?(?:them|those|these|experts?)\b|"
                         r"\b(?:every|each)\s+expert\b.{0,20}\b(?:layer|together|combined)\b|"
                         r"\ball\s+\d+\b.{0,20}\b(?:layer|together|combined)\b", re.IGNORECASE)
#: "how many weights is one of those experts", "params of a single expert": one expert's weights.
ONE_EXPERT = re.compile(r"\b(?:weights?|params?|parameters?)\b.{0,30}\b(?:one|a single|each|an?)\s+(?:of\s+"
                        r"(?:those|them|these|the)\s+)?(?:experts?|of (?:those|them|these))\b|"
                        r"\b(?:one|a single|each)\s+(?:of (?:those|them|these)\s+)?experts?\b.{0,30}\b(?:weights?|"
                        r"params?|parameters?)\b", re.IGNORECASE)


def expert_weights(read: str, previous: dict[str, Any] | None, facts: Facts, lexicon: Lexicon) -> str | None:
    """'mixtral 8x7b, how wide is each expert's ffn' … 'how many weights is one of those experts' … 'and all 8
    of them in one layer': the weights of one expert, or of all the experts of one layer, of the
    mixture-of-experts model the thread is about, written out with its name."""
    if previous is None:
        return None
    whole_layer = bool(ALL_EXPERTS.search(read))
    if not (whole_layer or ONE_EXPERT.search(read)) or WHY.search(read.lower()):
        return None
    model = _moe_model(read, previous, facts, lexicon)
    if model is None:
        return None
    if whole_layer:
        return f"how many expert ffn weights in one {model} layer, all experts?"
    return f"how many weights in one expert of {model}?"


# --- the error of the approximation a model's activation uses ----------------------------------------------

#: "how big is the worst gap vs exact", "how far off is it from the erf one", "and its approximation error?":
#: how far the activation just named lies from the exact function it approximates.
APPROXIMATION_GAP = re.compile(r"\b(?:errors?|gaps?|difference|diff|discrepancy|deviation|off)\b.{0,30}\b(?:exact|erf|"
                               r"true|real|precise|original)\b|\b(?:exact|erf)\b.{0,30}\b(?:errors?|gaps?|"
                               r"difference|diff|deviation|off)\b|\bapprox(?:imation)?\s+errors?\b|"
                               r"\bhow (?:accurate|close|far off)\b", re.IGNORECASE)


def model_approximation(row: dict[str, Any]) -> str | None:
    """The approximated activation a catalog row's FFN uses ('gelu_tanh' for GPT-2's, and for Gemma's
    approximated GeGLU, whose gate names it), or None when it uses an exact function."""
    activation = str(row.get("activation", ""))
    inner = next((v.activation for v in FFN_VARIANTS if v.gate == activation), activation)
    return inner if inner in APPROXIMATIONS else None


def approximation_gap(read: str, previous: dict[str, Any] | None, facts: Facts, lexicon: Lexicon) -> str | None:
    """'what activation_function does gpt-2 set' … 'how big is the worst gap vs exact': the largest error of the
    approximation the model just answered about uses, against the exact function (the words name no function,
    so the slot merge would keep the model and read the size words as its parameter count)."""
    if previous is None or str(previous.get("intent")) not in ("architecture", "model_activation"):
        return None
    if not APPROXIMATION_GAP.search(read) or WHY.search(read.lower()):
        return None
    names = [str(m) for m in (previous.get("slots") or {}).get("models") or []]
    members = {m for n in names for m in (lexicon.groups[n].members if n in lexicon.groups else [n])}
    approximations = {a for m in members if m in facts.catalog
                      and (a := model_approximation(facts.catalog[m])) is not None}
    named = _named(read, lexicon)
    if len(approximations) != 1 or named.models or named.variants or named.gates:
        return None
    approx = approximations.pop()
    return f"largest error of {approx} against exact {APPROXIMATIONS[approx]}?"


#: "max gap between those two forms", "how far apart are the two": the two forms just named, set apart.
FORMS_APART = re.compile(r"\b(?:between|of)\s+(?:them|both|the two|those two|these two)\b|"
                         r"\b(?:those|these|the|both)\s+(?:two\s+)?(?:forms|versions|definitions|implementations|"
                         r"formulas|ones)\b.{0,20}\b(?:apart|differ)|\bhow far apart\b", re.IGNORECASE)


def framework_gap(read: str, previous: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'is hf's gelu the exact one' … 'and the original tf bert code?' … 'max gap between those two forms': the
    largest error of the approximation a framework name just answered about computes, against the exact form
    (the words name no function, so they would otherwise be read as the thread's table cells)."""
    operation = last_operation(previous)
    if operation is None or operation.get("method") != "framework_name" or WHY.search(read.lower()):
        return None
    if not (APPROXIMATION_GAP.search(read) or FORMS_APART.search(read)):
        return None
    entries = [framework_names.by_name(str(n)) for n in (operation.get("inputs") or {}).get("names") or []]
    approximations = {str(e["activation"]) for e in entries if e is not None and e["activation"] in APPROXIMATIONS}
    if len(approximations) != 1:
        return None
    approx = approximations.pop()
    named = _named(read, lexicon)  # "how far off is it from exact gelu": the pair itself may be named
    if named.models or named.variants or named.gates or not set(named.activations) <= {approx, APPROXIMATIONS[approx]}:
        return None
    return f"largest error of {approx} against exact {APPROXIMATIONS[approx]}?"


#: "per-layer ffn weights of those two", "params of both": a count asked of the thread's last two models.
_OF_BOTH = re.compile(r"\b(?:those|these|the)\s+two\b|\bboth\b|\bof them\b|\beach of them\b", re.IGNORECASE)
_WEIGHT_WORDS = re.compile(r"\bweights?\b|\bparams?\b|\bparameters?\b|\bparameter count\b", re.IGNORECASE)


def weights_of_both(read: str, previous_meta: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'t5 v1.0 base d_ff' … 'and v1.1 base' … 'per-layer ffn weights of those two, are they equal': the FFN weight
    count of both models the thread named, side by side."""
    subjects = [s for s in (previous_meta or {}).get("thread_subjects") or [] if isinstance(s, dict)]
    models = list(dict.fromkeys(str(s.get("value") or s.get("text")) for s in subjects if s.get("kind") == "model"))
    if len(models) < 2 or not (_OF_BOTH.search(read) and _WEIGHT_WORDS.search(read)) or _named(read, lexicon).models:
        return None
    same = ", are they equal" if re.search(r"\b(?:equal|same|match)\w*\b", read, re.IGNORECASE) else ""
    return f"{models[-2]} and {models[-1]} ffn weights per layer{same}?"


# --- a correction of the model's size, and the size its paper prints ----------------------------------------

#: "no sorry, i meant the 9b", "oops, meant 27b", "wait i mean the 70b one": the earlier question, another size.
CORRECTED_SIZE = re.compile(r"^\s*(?:(?:no|nah|nope|sorry|oops|wait|ah|err?|um+|my bad|actually)\b[\s,.!-]*)*"
                            r"(?:i\s+)?(?:meant|mean)\s+(?:the\s+)?(?:[\w.-]+\s+){0,3}?(?P<size>\d+(?:\.\d+)?\s*[bm])\b(?:\s+one)?"
                            r"(?:\s+(?:model|version))?(?:[\s,.!-]*(?:sorry|pls|please|lol))?\s*[?.!]*\s*$",
                            re.IGNORECASE)
_SIZE = re.compile(r"\b\d+(?:\.\d+)?\s*[bm]\b", re.IGNORECASE)


def corrected_size(read: str, previous: dict[str, Any] | None) -> str | None:
    """'gemma 2 2b intermediate_size?' … 'no sorry, i meant the 9b': the earlier question about the size the
    asker meant (the slot merge would read a bare size as no model at all)."""
    found = CORRECTED_SIZE.match(read)  # the family may have been put in front of the size already
    before = str((previous or {}).get("question", ""))
    if found is None or not _SIZE.search(before):
        return None
    return _SIZE.sub(found.group("size").replace(" ", ""), before, count=1)


#: "and what does the paper print for that one", "what's the report's number", "what does the tech report
#: say for it": the width the model's own report prints, after its config width.
PAPER_PRINTS = re.compile(r"\b(?:paper|report|tech report|technical report|table)(?:'s)?\b.{0,25}\b(?:print|prints|"
                          r"printed|say|says|said|list|lists|listed|give|gives|show|shows|number|value|figure)\b|"
                          r"\b(?:print|prints|say|says|list|lists)\b.{0,20}\b(?:paper|report)\b", re.IGNORECASE)


def printed_width(read: str, previous: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'gemma 2 9b intermediate_size?' … 'and what does the paper print for that one': the feed-forward
    dimension the model's report prints (Gemma's counts both GeGLU branches), beside the config's."""
    if previous is None or str(previous.get("intent")) != "architecture" or not PAPER_PRINTS.search(read):
        return None
    slots = previous.get("slots") or {}
    models = slots.get("models") or []
    keys = [*(slots.get("arch_keys") or []), *(slots.get("setup_keys") or [])]
    named = _named(read, lexicon)
    if len(models) != 1 or named.models or named.variants or not any("ff" in k or "intermediate" in k for k in keys):
        return None
    return f"{models[0]} feed-forward dimension in the report?"
