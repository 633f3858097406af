"""Follow-ups about a model's FFN sizes, read against the sizes the thread just gave: the ratio of the two sizes
of one model, whether that width is the 8/3 rule, why a report's width is twice the Hugging Face one, whether a
width comes out of LLaMA's rule, and LLaMA's rule again with one of its fields changed; and the stored LLaMA
sizing fields of a catalog model, for "how does llama 2 70b land on 28672".

Why a module of its own: each reads the earlier answer's subject (one catalog model) or the typed inputs of
the calculation it made, and writes the follow-up out as the whole question it stands for, so the ordinary
planner answers it from stored or computed values; the slot merge would keep the earlier method instead
(a lookup, an explanation) and never compute what is asked.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from app.answers.entities import Entities
from app.answers.facts import Facts
from app.answers.followup_reading import _named, last_operation
from app.answers.framing import YES_NO_START
from app.answers.lexicon import Lexicon
from app.sizing import llama_hidden_size

# --- which two sizes "those two" are ----------------------------------------------------------------------

#: A size field named by itself ("and its hidden_size", "the d_model?"): another size of the same model.
_SIZE_FIELD = re.compile(r"\bd_model\b|\bhidden[_ ]size\b|\bmodel dim\w*\b|\bd_ff\b|\bintermediate[_ ]size\b|"
                         r"\bffn (?:width|size|dim)\b|\bwidth\b|\bembedding (?:size|dim)\b", re.IGNORECASE)


def asked_other_size(previous: dict[str, Any]) -> bool:
    """Whether the earlier question asked another size of the model the thread is on ("gemma 2 27b
    intermediate_size" … "and its hidden_size"): it names a size and no model (a model is written with its size
    in digits), so "the ratio of those two" is that model's two sizes, not two models' same size."""
    asked = str(previous.get("question", ""))
    return bool(_SIZE_FIELD.search(asked)) and not re.search(r"\d", asked)


def _one_model(previous: dict[str, Any] | None, facts: Facts, intents: tuple[str, ...]) -> str | None:
    """The one catalog model an earlier catalog answer was about, or None."""
    if previous is None or str(previous.get("intent")) not in intents:
        return None
    models = [m for m in (previous.get("slots") or {}).get("models") or [] if m in facts.catalog]
    return models[0] if len(models) == 1 else None


CATALOG_ANSWERS = ("architecture", "model_activation")

# --- is that width the 8/3 rule ------------------------------------------------------------------------------

#: A ratio claimed of the width just given: "is that the 8/3 rule", "is that 8/3 of it?", "4x d_model?".
_RATIO_CLAIM = re.compile(r"\b8\s*/\s*3\b|\b2\s*/\s*3\s*(?:of|\*|×|x|·)\s*\(?\s*4|\btwo[- ]thirds\b|"
                          r"\b(?P<times>\d+(?:\.\d+)?)\s*(?:x|×|times)\s*(?:the\s+)?"
                          r"(?:d_model|d\b|hidden(?:_size| size)?|model dim\w*|it)\b", re.IGNORECASE)
_CLAIM_ASKED = re.compile(r"^\s*(?:(?:and|so|ok(?:ay)?|but)\s+)*(?:is|was|does|did|do|are)\b|\b(?:right|true|correct)"
                          r"\s*\??\s*$", re.IGNORECASE)


#: Words that make the claim one about the width just given ("is that …", "does it …", "is its d_ff …").
_OF_THE_WIDTH = re.compile(r"\b(?:that|this|it|its|they|their)\b|\bd_ff\b|\bintermediate[_ ]size\b|\bwidth\b|"
                           r"\bffn\b|\bmlp\b|\bratio\b", re.IGNORECASE)


def ratio_claim(read: str, previous: dict[str, Any] | None, facts: Facts, lexicon: Lexicon) -> str | None:
    """'qwen2.5-7b hidden_size and intermediate_size?' … 'is that the 8/3 rule': the model's d_ff / d_model
    checked against the ratio named (the catalog row's two fields, divided)."""
    model = _one_model(previous, facts, CATALOG_ANSWERS)
    found = _RATIO_CLAIM.search(read)
    if model is None or found is None or not (_CLAIM_ASKED.search(read) and _OF_THE_WIDTH.search(read)):
        return None
    named = _named(read, lexicon)
    if named.models or named.variants or named.activations:
        return None
    claim = f"{found.group('times')}x d_model" if found.group("times") else "8/3"
    return f"is {model}'s d_ff / d_model ratio {claim}?"


def ratio_inputs(text: str, models: list[str]) -> dict[str, Any]:
    """The ffn_ratio inputs of a question naming catalog models: the models, and the ratio a yes/no question
    claims ("is qwen2.5-7b's d_ff / d_model ratio 8/3?") where it claims one."""
    claimed = claimed_ratio(text)
    return {"models": models, **({"claim": claimed} if claimed else {})}


def claimed_ratio(text: str) -> list[int | float] | None:
    """The d_ff / d_model ratio a yes/no question claims ("is qwen2.5-7b's ratio 8/3?") as a numerator and a
    denominator, or None when it claims none."""
    found = _RATIO_CLAIM.search(text)
    if found is None or not _CLAIM_ASKED.search(text):
        return None
    times = found.group("times")
    if times is None:
        return [8, 3]
    return [float(times) if "." in times else int(times), 1]


# --- why a report's width is twice the Hugging Face one -------------------------------------------------------

#: "why is that twice what the hf config says", "how come it's double the intermediate_size".
_TWICE = re.compile(r"\b(?:twice|double[sd]?|2x|2 ?×|two times|2 times)\b", re.IGNORECASE)
_WHY_WORDS = re.compile(r"\bwhy\b|\bhow come\b|\bhow is\b|\bexplain\b", re.IGNORECASE)


def report_and_branch(model: str, facts: Facts, lexicon: Lexicon) -> tuple[str, str] | None:
    """(a report's feed-forward width, the Hugging Face intermediate_size) stored for a model, when the first is
    twice the second (Gemma's reports count both gated branches)."""
    group = lexicon.groups.get(model)
    if group is None or not group.arch_family or not group.arch_size:
        return None
    branch = facts.arch_fact(group.arch_family, group.arch_size, "HF intermediate_size")
    if branch is None or not str(branch["value_text"]).isdigit():
        return None
    for (family, size, parameter), fact in facts.arch.items():
        if (family, size) == (group.arch_family, group.arch_size) and "feedforward" in parameter.lower() and (
                str(fact["value_text"]) == str(2 * int(branch["value_text"]))):
            return str(fact["value_text"]), str(branch["value_text"])
    return None


def doubled_width(read: str, previous: dict[str, Any] | None, facts: Facts, lexicon: Lexicon) -> str | None:
    """'gemma 7b feedforward hidden dim according to the tech report' … 'why is that twice what the hf config
    says': the two widths the stored facts give the model, set side by side (the doubled one counts both gated
    branches)."""
    # a report family's size may have no catalog row of its own ("gemma 2b"), only its stored architecture facts
    models = list((previous or {}).get("slots", {}).get("models") or [])
    if previous is None or str(previous.get("intent")) not in CATALOG_ANSWERS or len(models) != 1:
        return None
    model = str(models[0])
    if not (_WHY_WORDS.search(read) and _TWICE.search(read)):
        return None
    if _named(read, lexicon).models:
        return None
    widths = report_and_branch(model, facts, lexicon)
    if widths is None:
        return None
    return f"the {model} report says {widths[0]} for the ffn but the hf config says {widths[1]}, why?"


# --- does that width come out of LLaMA's rule ----------------------------------------------------------------

_RULE_NAMED = re.compile(r"\bllama\b|\bformula\b|\brule\b|\bmultiple[_ ]of\b|\b8\s*/\s*3\b", re.IGNORECASE)
_DIM_GIVEN = re.compile(r"\b(?:d_model|dim|hidden_size|n_embd|model dim(?:ension)?)\b\s*(?:[:=]|of|is|at)?\s*\d",
                        re.IGNORECASE)
_THAT = re.compile(r"\b(?:that|this|it)\b(?:\s+(?:width|number|size|value|one))?", re.IGNORECASE)


def width_from_rule(read: str, previous: dict[str, Any] | None, facts: Facts, lexicon: Lexicon) -> str | None:
    """'olmo 2 13b ffn width?' … 'does that come straight out of the llama formula at d_model 5120, multiple_of
    256': the same yes/no with the width just given written in place of 'that', so the rule's result is checked
    against it."""
    model = _one_model(previous, facts, CATALOG_ANSWERS)
    if model is None or not (YES_NO_START.search(read) and _RULE_NAMED.search(read) and _DIM_GIVEN.search(read)):
        return None
    width = str(facts.catalog[model]["d_ff_text"]).replace(",", "")
    # "the llama formula" names the rule's owner, not a model the width is asked of
    others = [m for m in _named(read, lexicon).models if m.name.lower() != "llama"]
    if not width.isdigit() or others or not _THAT.search(read):
        return None
    return _THAT.sub(width, read, count=1)


#: "walk me through how the llama code lands on that", "show me the steps", "how do you get that from 8192".
_WALK_THROUGH = re.compile(r"\bwalk (?:me |us )?through\b|\bshow (?:me |us )?(?:the )?(?:math|maths|steps|working|"
                           r"derivation|calculation)\b|\bstep[- ]by[- ]step\b|"
                           r"\b(?:which|what)\b.{0,20}\b(?:multiple_of|ffn_dim_multiplier|multiplier)\b|"
                           r"\bhow (?:do|does|did|would) (?:you|one|i|we|they|meta)\b.{0,30}"
                           r"\b(?:get|arrive at|reach|land on|derive|compute)\b", re.IGNORECASE)


def rule_derivation(read: str, previous: dict[str, Any] | None, facts: Facts, lexicon: Lexicon) -> str | None:
    """'llama 2 70b intermediate_size?' … 'how do you get that from hidden 8192': the width just given, derived
    with LLaMA's rule from the fields stored for that model (the words name no model, so the slot merge would
    explain the two-thirds rule instead of computing this model's steps)."""
    model = _one_model(previous, facts, CATALOG_ANSWERS)
    if model is None or not (_WALK_THROUGH.search(read) or _HOW_REACHED.search(read)):
        return None
    if not (_THAT.search(read) or _WIDTH_WORDS.search(read)):
        return None
    row = facts.catalog[model]
    sizes = {str(row[k]).replace(",", "") for k in ("d_model_text", "d_ff_text")}
    named = _named(read, lexicon)
    others = [m for m in named.models if m.name.lower() != "llama" and model not in m.members]
    if others or any(str(int(n)) not in sizes for n in named.numbers) or stored_rule_fields(row, facts) is None:
        return None
    return f"how does {model} land on intermediate_size {str(row['d_ff_text']).replace(',', '')}?"


#: A follow-up that only names another model ("and the llama 3 70b?", "same for llama 3 8b").
_ONLY_A_MODEL = re.compile(r"^\s*(?:(?:and|so|ok(?:ay)?|now|then|what about|how about|same for|same with|for)\s+)*"
                           r"(?:the\s+)?(?P<rest>.+?)\s*(?:then|too|one)?\s*\??\s*$", re.IGNORECASE)


_FILLER = frozenset({"the", "one", "model", "version", "then", "too", "pls", "please", "instead", "case"})


def rule_for_other_model(read: str, previous_meta: dict[str, Any] | None, facts: Facts, lexicon: Lexicon) -> str | None:
    """'how does llama 2 70b land on 28672' … 'and the llama 3 70b?': the same derivation for the model named now
    (its width alone when the catalog stores no LLaMA fields for it), not the rule's general explanation."""
    operation = last_operation(previous_meta)
    stored = (operation or {}).get("inputs") or {}
    if operation is None or operation.get("method") != "hidden_size" or not stored.get("stored"):
        return None
    only = _ONLY_A_MODEL.match(read)
    named = _named(read, lexicon)
    rows = [facts.catalog[m] for g in named.models for m in g.members if m in facts.catalog]
    if only is None or len(named.models) != 1 or len(rows) != 1 or named.numbers:
        return None
    rest = only.group("rest").lower()
    for match in named.matches:
        rest = rest.replace(str(match.get("text", "")).lower(), " ")
    if set(re.findall(r"[a-z_]{2,}", rest)) - _FILLER:
        return None  # the follow-up asks something of its own about that model
    model, width = rows[0]["model"], str(rows[0]["d_ff_text"]).replace(",", "")
    if stored_rule_fields(rows[0], facts) is None:
        return f"{model} intermediate_size and hidden_size?"
    return f"how does {model} land on intermediate_size {width}?"


# --- LLaMA's rule again, with one field changed ------------------------------------------------------------

_DROPPED = re.compile(r"\b(?:drop|remove|without|no|lose|skip|get rid of|take out|leave out|minus)\s+(?:the\s+|a\s+|"
                      r"any\s+)?(?:ffn_dim_)?multiplier\b|\b(?:ffn_dim_)?multiplier\b\s+(?:were|was|is|got|gets)?\s*"
                      r"(?:left out|dropped|removed|omitted|unset|not set|missing|null|none|gone)\b", re.IGNORECASE)
_MULTIPLE_OF = re.compile(r"\bmultiple[_ ]of\b\s*[\"']?\s*(?:[:=]|of|is|to)?\s*(\d[\d,]*)", re.IGNORECASE)
_MULTIPLIER = re.compile(r"\b(?:ffn_dim_)?multiplier\b\s*[\"']?\s*(?:[:=]|of|is|to|at)?\s*(\d+(?:\.\d+)?)",
                         re.IGNORECASE)
#: "keeping 1.3", "with 1.5 instead": a fraction written alone is the multiplier (the other fields are whole).
_BARE_FRACTION = re.compile(r"(?<![\w.])(\d{1,2}\.\d+)(?![\w.])")
_DIM = re.compile(r"\b(?:d_model|dim|hidden_size|n_embd|model dim(?:ension)?)\b\s*(?:[:=]|of|is|to)?\s*(\d[\d,]*)",
                  re.IGNORECASE)


def rule_edit(read: str, previous_meta: dict[str, Any] | None, lexicon: Lexicon) -> str | None:
    """'how does llama 2 70b land on 28672' … 'what would it be without the multiplier' … 'and keeping 1.3 but
    with multiple_of 256 instead': LLaMA's rule on the last calculation's own inputs with the fields the
    follow-up changes (the earlier words may not write the inputs out: they were the model's stored fields)."""
    operation = last_operation(previous_meta)
    if operation is None or operation.get("method") != "hidden_size":
        return None
    inputs = operation.get("inputs") or {}
    # a pasted call, a model the rule is tried on, or a claimed width: the earlier words carry it, and the
    # edits of the earlier words keep it
    if not inputs.get("d_model") or not inputs.get("multiple_of") or any(
            inputs.get(k) for k in ("call", "row", "compare", "claimed")):
        return None
    if _named(read, lexicon).models:
        return None
    fields = {"dim": str(inputs["d_model"]), "multiple_of": str(inputs["multiple_of"]),
              "ffn_dim_multiplier": str(inputs.get("ffn_dim_multiplier") or "")}
    changed = False
    if _DROPPED.search(read):
        fields["ffn_dim_multiplier"], changed = "", True
    for pattern, name in ((_MULTIPLE_OF, "multiple_of"), (_MULTIPLIER, "ffn_dim_multiplier"), (_DIM, "dim")):
        found = pattern.search(read)
        if found is not None:
            fields[name], changed = found.group(1).replace(",", ""), True
    fraction = _BARE_FRACTION.search(_MULTIPLIER.sub(" ", read))
    if fraction is not None and not _DROPPED.search(read):
        fields["ffn_dim_multiplier"], changed = fraction.group(1), True
    if not changed:
        return None
    multiplier = f", ffn_dim_multiplier {fields['ffn_dim_multiplier']}" if fields["ffn_dim_multiplier"] else ""
    return f"llama hidden dim formula for dim {fields['dim']}, multiple_of {fields['multiple_of']}{multiplier}?"


# --- the LLaMA sizing fields stored for a catalog model ---------------------------------------------------

#: "Llama 2 70B (d 8192, multiplier 1.3, multiple_of 4096) -> 28672": a model's fields as a stored text gives them.
_FIELDS_TEXT = re.compile(r"(?P<name>[A-Za-z][\w.-]*(?: [\w.-]+){0,3}?) \(d (?P<d>\d+)"
                          r"(?:, multiplier (?P<m>\d+(?:\.\d+)?))?, multiple_of (?P<k>\d+)\) ?-> ?(?P<w>\d+)")
_SOURCE_MULTIPLIER = re.compile(r"\bffn_dim_multiplier\s*[=:]?\s*(\d+(?:\.\d+)?)")
_SOURCE_MULTIPLE_OF = re.compile(r"\bmultiple_of\s*[=:]?\s*(\d+)")


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _reproduces(d_model: int, multiple_of: int, multiplier: str | None, d_ff: str) -> bool:
    try:
        sizing = llama_hidden_size(d_model, multiple_of, Decimal(multiplier) if multiplier else None)
    except (InvalidOperation, ValueError):
        return False
    return str(sizing.d_ff) == d_ff


def stored_rule_fields(row: dict[str, Any], facts: Facts) -> dict[str, Any] | None:
    """LLaMA's rule fields (multiple_of, ffn_dim_multiplier) a stored text gives for a catalog model, with the
    citation that gives them, when the rule on its d_model reproduces its stored width; else None. The texts are
    the row's own source and the stored misreadings' corrections (which print worked examples)."""
    d_model = str(row["d_model_text"]).replace(",", "")
    d_ff = str(row["d_ff_text"]).replace(",", "")
    if not (d_model.isdigit() and d_ff.isdigit()):
        return None
    source = str(row.get("source", ""))
    multiple_of = _SOURCE_MULTIPLE_OF.search(source)
    if multiple_of is not None:
        multiplier = _SOURCE_MULTIPLIER.search(source)
        value = multiplier.group(1) if multiplier else None
        if _reproduces(int(d_model), int(multiple_of.group(1)), value, d_ff):
            return {"multiple_of": int(multiple_of.group(1)), "ffn_dim_multiplier": value, "citation": row}
    for misreading in facts.misreadings.values():
        for found in _FIELDS_TEXT.finditer(" ".join(str(misreading.get("right", "")).split())):
            if not _key(row["model"]).startswith(_key(found.group("name"))) or found.group("d") != d_model or (
                    found.group("w") != d_ff):
                continue
            if _reproduces(int(d_model), int(found.group("k")), found.group("m"), d_ff):
                return {"multiple_of": int(found.group("k")), "ffn_dim_multiplier": found.group("m"),
                        "citation": {"kind": "misreading", "id": misreading["id"],
                                     "label": f"Common misreading: {misreading['title']}",
                                     "url": f"/misreadings/{misreading['id']}"}}
    return None


#: "how does llama 2 70b land on 28672", "how did meta get 14336 for llama 3 8b", "derive llama 2 70b's d_ff".
_HOW_REACHED = re.compile(r"\bhow (?:does|did|do|is|was|would)\b.{0,40}\b(?:lands?|land(?:ed|s)? on|get|gets|got|arrive"
                          r"|reach|end up|come to|come out|derive|compute|calculate|obtain)\b|\bderive\b|"
                          r"\bwhere does\b.{0,40}\bcome from\b|"
                          # "… = 3.5x, why isn't it the 8/3 the swiglu rule gives": how the width departs from 8/3
                          r"\bwhy (?:is|isn'?t|is not|does|doesn'?t|does not)\b.{0,60}\b(?:8\s*/\s*3|2\s*/\s*3|"
                          r"two[- ]thirds|eight[- ]thirds)", re.IGNORECASE)
_WIDTH_WORDS = re.compile(r"\bintermediate[_ ]size\b|\bd_ff\b|\bffn (?:width|size|dim)\b|\bhidden[_ ]dim\b|"
                          r"\bwidth\b|\b\d{4,6}\b", re.IGNORECASE)


def detect_stored_rule(text: str, entities: Entities, facts: Facts) -> dict[str, Any] | None:
    """'how does llama 2 70b land on intermediate_size 28672': LLaMA's rule on the model's d_model with the
    fields stored for it, which reproduce its width (the hidden_size inputs), or None."""
    if len(entities.models) != 1 or not (_HOW_REACHED.search(text) and _WIDTH_WORDS.search(text)):
        return None
    rows = [facts.catalog[m] for m in entities.models[0].members if m in facts.catalog]
    if len(rows) != 1:
        return None
    row = rows[0]
    widths = [n for n in entities.numbers if n >= 256]
    if widths and str(int(widths[0])) != str(row["d_ff_text"]).replace(",", ""):
        return None  # a width the model does not have is a different question
    fields = stored_rule_fields(row, facts)
    if fields is None:
        return None
    return {"d_model": int(str(row["d_model_text"]).replace(",", "")), "multiple_of": fields["multiple_of"],
            "multiple_of_given": True, "ffn_dim_multiplier": fields["ffn_dim_multiplier"],
            "stored": {"model": row["model"], "citation": fields["citation"]}}
