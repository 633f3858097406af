"""Answers that are computed or honestly declined rather than looked up: one small function per kind.

Why a module of its own: the keyword intents look a cell up, so a question whose answer is *derived*
(LLaMA's FFN width from d_model and ``multiple_of``, an FFN's weight count, whether a derivative exceeds a
bound) or that names something the store does not hold (an unknown model, a benchmark or an activation
the paper does not report) used to get a neighbouring answer. :func:`detect` reads which kind a question
is (a :class:`Derived` with its typed inputs) and :func:`compose` answers it, each kind by one function,
so each can become one operation of a question plan later. Every number shown is a stored cell or a
registered computation, like everywhere else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from app import activations
from app.answers import (
    benchmark_lengths,
    claims,
    config_defaults,
    declines,
    error_bound,
    misplaced_values,
    moe_sizes,
    paper_claims,
    pasted_code,
    pasted_sizes,
    ranking,
    reference_rows,
    size_claims,
    sizing_followups,
    unknown_functions,
    unreported,
    width_claims,
    width_premise,
)
from app.answers.builder import Builder
from app.answers.derived_answers import compose_decline as compose_decline
from app.answers.derived_answers import compose_derivative_bound as compose_derivative_bound
from app.answers.derived_answers import compose_false_premise as compose_false_premise
from app.answers.entities import Entities
from app.answers.facts import Facts
from app.answers.ffn_size_answers import compose_ffn_params as compose_ffn_params
from app.answers.ffn_size_answers import compose_ffn_ratio as compose_ffn_ratio
from app.answers.ffn_size_answers import compose_hidden_size as compose_hidden_size
from app.answers.ffn_size_answers import compose_sizing_rule as compose_sizing_rule
from app.answers.framing import YES_NO_START, is_claim
from app.answers.functions import APPROXIMATIONS
from app.answers.intents import slots_from
from app.answers.lexicon import Lexicon, ModelGroup
from app.answers.tables import select_columns
from app.answers.unreported_benchmarks import OTHER_AUTHORS
from app.answers.unreported_benchmarks import other_benchmark as other_benchmark
from app.sizing import LLAMA_DEFAULT_MULTIPLE_OF

NUM = r"(\d[\d_,]*)"
#: A d_model written out; not a fraction or a multiple that follows the word ("hidden dim 2/3 of 4d" names the
#: rule, not a d_model of 2).
D_MODEL = re.compile(rf"\b(?:d_model|dim|hidden_size|n_embd|model dim(?:ension)?|d model)\b[\"']?\s*"
                     rf"(?:[:=]|of|is)?\s*{NUM}(?![\d_,]|\s*/\s*\d|\s*(?:x|×|\*)?\s*d\b)")
#: "llama rule for hidden 2048": a bare "hidden" with a number is d_model, when no d_model is labelled otherwise.
BARE_HIDDEN = re.compile(rf"\bhidden\s*[:=]?\s*{NUM}(?![\d_,]|\s*/\s*\d)")
MULTIPLE_OF = re.compile(rf"\bmultiple[_ ]of\b[\"']?\s*(?:[:=]|of|is)?\s*{NUM}")
#: "the 8/3 rule … rounded to 256": LLaMA's rule named by its fraction, with the rounding written in words.
EIGHT_THIRDS = re.compile(r"\b8\s*/\s*3\b|\b2\s*/\s*3\s*(?:of|\*|×|x)\s*4\b|\brounded (?:up )?to\b")
#: "2/3 of 4*4096", "8/3 × 4096": LLaMA's starting width written as arithmetic on d_model.
FRACTION_OF_D = re.compile(r"\b(?:2\s*/\s*3|two[- ]thirds)\s*(?:of|\*|×|x)?\s*"
                           r"(?:\(?\s*4\s*[*×x·]\s*|four times\s+)(\d+)|\b8\s*/\s*3\s*(?:of|\*|×|x|·)?\s*(\d+)")
ROUNDED_TO = re.compile(rf"\bround(?:ed|ing)?\s+(?:up\s+)?to\s+(?:a\s+|the\s+next\s+)?(?:multiple of\s+)?{NUM}")
MULTIPLIER = re.compile(r"\b(?:ffn_dim_)?multiplier\b[\"']?\s*(?:[:=]|of|is)?\s*(none|null|\d+(?:\.\d+)?)")
SIZE_WORDS = re.compile(r"hidden[_ ]?(?:dim|size)|intermediate[_ ]size|\bd_ff\b|ffn (?:width|size|dim)|"
                        r"feed[- ]?forward (?:width|size|dim)|multiple_of|ffn_dim_multiplier|"
                        # "how does llama 7b end up at 11008 from dim 4096": a width reached from d_model
                        r"\b(?:ends? up|arrives?|lands?|gets?|comes? out)\s+(?:at|to|with)\s+\d")
#: A pasted config that already gives the FFN width: nothing to derive, its weights are asked for instead.
GIVEN_WIDTH = re.compile(r"\bintermediate_size\b[\"']?\s*[:=]\s*\d")
FFN_WORDS = re.compile(r"\b(ffn|mlp|feed[- ]?forward)\b")
SIZING_FIELDS = re.compile(r"\bffn_dim_multiplier\b|\bmultiple_of\b")
ASKS_WHAT = re.compile(r"\bwhat\b|\bhow\b|\bwhy\b|\bexplain\b|\bmean(s|ing)?\b|\bpurpose\b|\brole\b")
PARAM_WORDS = re.compile(r"\b(weights|parameters|params?|parameter count|param count|weight count|number of weights)\b")
RATIO = re.compile(r"\bhow much (?:bigger|wider|larger)\b.{0,30}\bthan (?:the |its )?(?:d_model|hidden|model dim)|"
                   r"\bratio\b|\bd_ff\s*/\s*d_model\b|\bintermediate_size\s*/\s*hidden_size\b|"
                   r"\bhow many times (?:wider|larger|bigger)\b|\bexpansion (?:factor|ratio)\b|"
                   # "intermediate/hidden", "ff/d", "d_ff over d_model", "mlp expansion", "how many x d_model"
                   r"\b(?:intermediate(?:_size)?|d_ff|ff|ffn(?:_dim)?|mlp)\s*(?:/|over|:|divided by)\s*"
                   r"(?:hidden(?:_size)?|d_model|d|dim|n_embd|model dim)\b|\b(?:mlp|ffn) expansion\b|"
                   r"\bhow many (?:times|x) (?:d_model|the hidden size|hidden)\b|\bmultiple of d_model\b")
DERIVATIVE = re.compile(r"\b(derivative|slope|gradient)\b|f′|f'")
BOUND = re.compile(r"\b(exceed|exceeds|greater than|larger than|bigger than|more than|above|over|go above|"
                   r"get above|less than|smaller than|below|under)\b")
BELOW = re.compile(r"\b(less than|smaller than|below|under)\b")
YES_NO = re.compile(r"^\s*(is|are|does|do|can|will|could)\b|\b(true|right|correct|really|yes or no)\s*\??\s*$")
#: "gemini 1.5 ffn activation?", "Claude hidden_act", "grok's activation function": a name, then what it uses.
UNKNOWN_NAMED_FIRST = re.compile(r"^\s*(?P<name>[a-z][\w.\- ]{1,30}?)(?:'s)?\s+(?:ffn |mlp |feed[- ]?forward )?"
                                 r"(?:activation|hidden_act|non-?linearity|glu variant|gating|d_ff|d_model|"
                                 r"intermediate[_ ]size|hidden[_ ](?:size|dim)|(?:ffn )?(?:width|dim))\b")
UNKNOWN_USE = re.compile(r"\b(?:does|do|did)\s+(?P<name>[a-z][\w.\- ]{1,30}?)\s+(?:use|uses|employ|have|rely on)\b")
NOT_A_NAME = re.compile(r"^(why|how|when|where|who|is|are|was|were|does|do|did|can|could|should|would|"
                        r"compare|rank|list|show|give|sort|tell|find|get|plot|name|print|order|"
                        r"and|or|but|also|plus|so|then|its|their|whats|what's|if|when|given|suppose|say|let|"
                        r"it|they|this|that|the|a|an|any|each|every|one|you|your|we|our|my|such|these|"
                        r"those|most|all|both|either|which|what|it's|people|folks|everyone|anyone|researchers|"
                        r"companies|labs|models?|llms?|transformers?|networks?|modern|new|recent|other|many|"
                        r"gated|dense|ffns?|mlps?|feed[- ]?forwards?|layers?|"
                        r"some|so many|i|me|he|she|there|paper|papers|authors?|\w+est|same|similar|different|"
                        r"identical|matching|their own|own)\b")
#: "meta models with …", "google llms": a kind of models, not one model's name.
KIND_OF_MODELS = re.compile(r"\b(?:models|llms|entries|checkpoints|networks)\b")
#: "explain llama's ffn hidden dim formula": how LLaMA's code rounds the width, not one model's value.
SIZING_HOW = re.compile(r"\bformula\b|\brule\b|\brounding\b|\bhow (?:is|are|was|were|do|does) .{0,40}\b(?:computed|"
                        r"calculated|derived|chosen|picked|rounded)\b")
#: A model-like name with a version ("gpt-5", "claude 3", "gemini 1.5 pro") asked about with FFN words.
MODELISH = re.compile(r"(?<![\w.-])(?P<name>[a-z][a-z]{1,12}[- ]?\d{1,2}(?:\.\d)?(?![\d,])(?:[- ](?:pro|mini|turbo|"
                      r"ultra|flash|large|small|medium|base|instruct|chat|sonnet|opus|haiku))?)(?![\w.-])")
FFN_ASK = re.compile(r"\bactivation\b|\bhidden_act\b|\bnon-?linearity\b|\bd_ff\b|\bintermediate[_ ]size\b|"
                     r"\bffn\b|\bmlp\b|\bfeed[- ]?forward\b")
NOT_MODELISH = re.compile(r"^(?:eli5|tldr|imo|"
                          r"table|tables|figure|fig|section|step|steps|top|layer|layers|head|heads|appendix|eq|"
                          r"equation|version|rank|part|round|batch|epoch|epochs|run|runs|seed|seeds|float|fp|bf|int|"
                          r"at|of|and|or|vs|is|by|with|from|to|in|on|for|dim|size|the|first|last|x|than|get|gets|"
                          r"about|around|over|under|only|just|every|each|per|using|use|uses|has|have|had|are|was|"
                          r"were|be|been|into|like|top|after|before|below|above|exactly|nearly|almost)\b")
PREMISE = re.compile(r"^\s*(why|how come)\b|\b(since|given that|because|now that)\b")
BEST_WORD = re.compile(r"\b(best|winner|wins|strongest|beats all|beats every)\b")
PERPLEXITY = re.compile(r"perplexit|\bppl\b|\bloss\b|wiki\s?text|\bptb\b|penn|lambada|the pile|openwebtext")


@dataclass
class Derived:
    """What kind of derived answer a question asks for, with the inputs read from it."""

    kind: str
    inputs: dict[str, Any] = field(default_factory=dict)


def _int(text: str) -> int:
    return int(text.replace("_", "").replace(",", ""))


def _hidden_size(text: str, fraction_ok: bool = True) -> Derived | None:
    """d_model (and ``multiple_of``, ``ffn_dim_multiplier``) written out, as config fields or pasted code."""
    fraction = FRACTION_OF_D.search(text) if fraction_ok else None
    # a bare "hidden 4096" beside a named model is its own size (its stored rule answers) unless multiple_of is given
    bare = BARE_HIDDEN.search(text) if fraction_ok or SIZING_FIELDS.search(text) else None
    d = D_MODEL.search(text) or fraction or bare
    if d is None or not (SIZE_WORDS.search(text) or fraction) or GIVEN_WIDTH.search(text):
        return None
    if not (MULTIPLE_OF.search(text) or MULTIPLIER.search(text) or "llama" in text or EIGHT_THIRDS.search(text)):
        return None
    mult_of = MULTIPLE_OF.search(text) or ROUNDED_TO.search(text)
    mult = MULTIPLIER.search(text)
    inputs: dict[str, Any] = {"d_model": _int(next(g for g in d.groups() if g)),
                              "multiple_of": _int(mult_of.group(1)) if mult_of else LLAMA_DEFAULT_MULTIPLE_OF,
                              "multiple_of_given": mult_of is not None,
                              "ffn_dim_multiplier": mult.group(1) if mult and mult.group(1)[0].isdigit() else None}
    if not (0 < inputs["d_model"] <= 131_072 and 0 < inputs["multiple_of"] <= 65_536):
        return None
    if is_claim(text) or YES_NO_START.search(text):  # "13824 comes out of dim 5120 …, correct?": the width claimed
        given = {inputs["d_model"], inputs["multiple_of"]}
        claimed = [n for n in (_int(m) for m in re.findall(r"(?<![\d.])\d[\d_,]{2,}(?![\d.])", text)) if n not in given]
        inputs["claimed"] = claimed[0] if claimed else None
    return Derived("hidden_size", inputs)


#: "… vs what it actually has", "compared with its real width": the named model's stored width set beside the rule's.
ACTUAL = re.compile(r"\bactual(?:ly)?\b|\breal(?:ly)?\b|\bvs\.? (?:what|its|the stored|the catalog)\b|"
                    r"\bcompared? (?:to|with) (?:what|its)\b|\b(?:get|give|gives|reproduce|match|land on|is that|"
                    r"is it|is this) its\b")
#: "had a llama style swiglu mlp", "under llama's rounding": LLaMA's width rule applied to another d_model.
LLAMA_RULE = re.compile(r"\bllama[- ]?(?:style|like|'s (?:rule|rounding|formula|recipe|sizing))\b|\bmultiple[_ ]of\b")
#: "if falcon-7b had …", "what would … be": the rule asked of a model as a hypothetical.
HYPOTHETICAL = re.compile(r"\bif\b|\bhad\b|\bwere\b|\bwould\b|\bunder\b|\busing\b|\bwith\b")
WIDTH_ASKED = re.compile(r"\bhow wide\b|\bwidth\b|\bwide\b|\bd_ff\b|\bintermediate[_ ]size\b|\bhidden[_ ]dim\b|"
                         r"\bffn (?:size|dim)\b")


def single_row(group: ModelGroup, facts: Facts) -> dict[str, Any] | None:
    """The catalog row a named model stands for: its own, or a family's only one ("gpt-j" is GPT-J-6B)."""
    rows = [facts.catalog[m] for m in group.members if m in facts.catalog]
    return rows[0] if len(rows) == 1 else None


def _model_hidden_size(text: str, entities: Entities, facts: Facts) -> Derived | None:
    """'if falcon-7b had a llama style swiglu mlp, multiple_of 256, how wide would it be': LLaMA's rule on the
    named model's catalog d_model; 'how does llama 2 70b land on 28672': with the fields stored for it."""
    if (stored := sizing_followups.detect_stored_rule(text, entities, facts)) is not None:
        return Derived("hidden_size", stored)
    if not (LLAMA_RULE.search(text) and HYPOTHETICAL.search(text) and WIDTH_ASKED.search(text)):
        return None
    # the LLaMA named as the rule's owner is not the model the rule is applied to
    others = [m for m in entities.models if "llama" not in m.name.lower()] if len(entities.models) > 1 else []
    named = others or entities.models
    if len(named) != 1:
        return None
    row = single_row(named[0], facts)
    d_model = str(row["d_model_text"]).replace(",", "") if row else ""
    if row is None or not d_model.isdigit() or not (MULTIPLE_OF.search(text) or MULTIPLIER.search(text)):
        return None
    mult_of, mult = MULTIPLE_OF.search(text), MULTIPLIER.search(text)
    return Derived("hidden_size", {"d_model": int(d_model),
                                   "multiple_of": _int(mult_of.group(1)) if mult_of else LLAMA_DEFAULT_MULTIPLE_OF,
                                   "multiple_of_given": mult_of is not None,
                                   "ffn_dim_multiplier": mult.group(1) if mult and mult.group(1)[0].isdigit() else None,
                                   "row": row})


def _against_named(sized: Derived, text: str, entities: Entities, facts: Facts) -> Derived:
    """'if gemma 2 2b (hidden 2304) followed the llama rule …, vs what it actually has': the rule's width set
    beside the named model's stored one (a LLaMA named as the rule's owner is not that model)."""
    named = [m for m in entities.models if m.name.lower() != "llama"]  # the rule's owner, not a model
    named = [m for m in named if "llama" not in m.name.lower()] or named
    if ACTUAL.search(text) and len(named) == 1 and "compare" not in sized.inputs:
        sized.inputs["compare"] = single_row(named[0], facts)
    return sized


def detect(question: str, entities: Entities, lexicon: Lexicon, facts: Facts) -> Derived | None:
    """The derived-answer kind of a (non-follow-up) question, or None to leave it to the intents."""
    unknown = unknown_functions.detect(entities.text) or benchmark_lengths.detect(entities.text, entities, facts)
    # "relu6(3)": nothing stored; "geglu glue avg at 65k": after full training only; "swiglu got 1.636 at 65k": misread
    declined = unknown or misplaced_values.detect(entities.text, entities, facts)
    if declined is not None:
        return Derived("decline", declined)
    called = pasted_code.bound_call(question)  # "def ffn_hidden(dim, …): … ffn_hidden(16384, 4096, 1.2)"
    if called is not None:
        named = [r for r in (single_row(m, facts) for m in entities.models) if r is not None]
        return Derived("hidden_size", {**called, "compare": named[0] if len(named) == 1 else None})
    return _detect(question, entities, lexicon, facts)


def _detect(question: str, entities: Entities, lexicon: Lexicon, facts: Facts) -> Derived | None:
    text = entities.text
    sized = _hidden_size(text, fraction_ok=not entities.models)  # "llama 2 70b … instead of 8/3 * 8192": its rule
    if sized is not None:
        return _against_named(sized, text, entities, facts)
    ratio_claim = width_claims.detect(text, entities)  # "every swiglu model uses d_ff = 8/3 d_model?": the catalog
    if ratio_claim is not None:
        return Derived("best_everywhere", ratio_claim)
    sized = _model_hidden_size(text, entities, facts)
    if sized is not None:
        return sized
    defaults = config_defaults.detect(text, question, entities, facts)
    if defaults is not None:
        return Derived("decline", defaults)
    if SIZING_FIELDS.search(text) and ASKS_WHAT.search(text) and not entities.numbers:
        return Derived("sizing_rule", {})
    if SIZE_WORDS.search(text) and SIZING_HOW.search(text) and "llama" in text and not entities.numbers:
        return Derived("sizing_rule", {})
    unlisted = declines.detect(entities, lexicon, facts) if entities.models else None
    if unlisted is not None and unlisted.get("what") == "model":  # "bert-large ffn params": not BERT-base's
        return Derived("decline", unlisted)
    rows = {r["model"]: r for r in (single_row(m, facts) for m in entities.models) if r is not None}
    row = next(iter(rows.values())) if len(rows) == 1 else None
    given = _given_sizes(text, entities, row)
    if given is not None:
        return given
    doubled = width_premise.detect(text, entities, facts)
    if doubled is not None:
        return Derived("decline", doubled)
    if entities.models and FFN_WORDS.search(text) and PARAM_WORDS.search(text) and not PREMISE.search(text):
        return Derived("ffn_params", {"models": [m.name for m in entities.models]})
    if entities.models and (RATIO.search(text) or sizing_followups.claimed_ratio(text)):
        return Derived("ffn_ratio", sizing_followups.ratio_inputs(text, [m.name for m in entities.models]))
    reference = reference_rows.detect(text, entities, facts)
    if reference is not None:
        return Derived("reference_row", reference)
    why = bool(ranking.NOT_A_GAP.search(text))  # "… every gated beats every dense on every metric"
    everywhere = None if why else claims.detect_every_column(entities, facts)
    if everywhere is not None:
        return Derived("best_everywhere", everywhere)
    gap = None if why else ranking.detect_gap(text, entities, facts)
    if gap is not None:
        return Derived("column_gap", gap)
    scalar = [a for a in entities.activations if activations.get(a).family == "scalar"]
    if scalar and DERIVATIVE.search(text) and BOUND.search(text) and entities.numbers and YES_NO.search(text):
        which = "minimum" if BELOW.search(text) else "maximum"
        return Derived("derivative_bound", {"fn": scalar[0], "bound": entities.numbers[-1], "which": which})
    bounded = error_bound.detect(text, entities)
    if bounded is not None:
        return Derived("error_bound", bounded)
    sized_claim = size_claims.detect(text)
    if sized_claim is not None:
        return Derived("decline", sized_claim)
    arithmetic = None if re.search(r"\bwhy\b|\bhow come\b", text) else claims.detect_arithmetic(text)  # a reason
    # "gemma 3 12b's intermediate_size is 3840*8 = 30720": the claim is about the model's stored width, which
    # the arithmetic only arrives at; the model's row answers it (and names a doubled width for what it is)
    if arithmetic is not None and not (entities.models and SIZE_WORDS.search(text)):
        return Derived("arith_check", arithmetic)
    claim = claims.detect(entities, facts) if YES_NO.search(text) else None
    if claim is not None:
        return Derived("best_everywhere", claim)
    specific = declines.detect(entities, lexicon, facts) or unreported.detect(text, entities)
    if specific is not None:
        return Derived("decline", specific)
    if entities.models and not declines.USE_WORDS.search(text) and other_benchmark(text):
        return Derived("decline", {"what": "model_results", "name": entities.models[0].name})
    if not entities.models:
        masked = lexicon.name_mask.sub(" ", text)
        use = UNKNOWN_USE.search(masked) or UNKNOWN_NAMED_FIRST.search(masked)
        name = use.group("name").strip() if use else ""
        name = "" if NOT_A_NAME.match(name) or KIND_OF_MODELS.search(name) else name
        versioned = MODELISH.search(masked) if FFN_ASK.search(masked) and not name else None
        name = versioned.group("name") if versioned and not NOT_MODELISH.match(versioned.group("name")) else name
        if name and len(name.split()) <= 3 and not NOT_A_NAME.match(name) and not _names_entity(name, entities):
            shown = re.search(re.escape(name), question, re.IGNORECASE)
            return Derived("decline", {"what": "model", "name": shown.group(0) if shown else name,
                                       "asked": [*entities.gates, *entities.activations]})
        label = other_benchmark(text, question)
        if label:
            author = OTHER_AUTHORS.search(question)
            return Derived("decline", {"what": "benchmark", "name": label, "perplexity": bool(PERPLEXITY.search(text)),
                                       **({"author": author.group(1).capitalize()} if author else {})})
        premise = _false_best_premise(text, entities, facts)
        if premise is not None:
            return premise
        missing = _activations_not_in_paper(entities, facts)
        if missing and (entities.benchmarks or entities.metrics or entities.steps or entities.paper):
            return Derived("decline", {"what": "activation", "name": missing[0]})
    return None


def _given_sizes(text: str, entities: Entities, row: dict[str, Any] | None) -> Derived | None:
    """FFN weights from sizes the question writes out or from an MoE row's expert layout: "all 8 experts of one
    mixtral layer … and what a token goes through" counts experts, not one FFN."""
    moe = moe_sizes.detect(text, row) if row is not None or not entities.models else None
    if moe is not None:
        return Derived("ffn_params", {"models": [], "moe": moe})
    given = pasted_sizes.detect(text) if not entities.models else (
        pasted_sizes.detect_for_model(text, row) if row is not None else None)
    return Derived("ffn_params", {"models": [], "given": given}) if given is not None else None


def _false_best_premise(text: str, entities: Entities, facts: Facts) -> Derived | None:
    """'Why is SwiGLU the best?' when the column's best is another variant: the premise is named, not
    explained. Only when the variant wins none of the columns asked about (else the premise is partly true)."""
    if not (PREMISE.search(text) and BEST_WORD.search(text)) or len(entities.variants) != 1:
        return None
    variant = entities.variants[0]
    columns, _ = select_columns(facts, slots_from(entities, text))
    winners: list[tuple[str, str, int]] = []
    for column in columns:
        cells = facts.column_cells(*column)
        if not cells:
            continue
        best = (max if cells[0].higher_is_better else min)(Decimal(c.value_text) for c in cells)
        if any(c.row == variant and Decimal(c.value_text) == best for c in cells):
            return None
        winners.append(column)
    return Derived("decline", {"what": "premise", "name": variant, "columns": winners}) if winners else None


def _names_entity(name: str, entities: Entities) -> bool:
    """Whether the would-be model name is a word the question's entities came from (a variant, a gate)."""
    return any(str(e.get("text", "")) in name for e in entities.to_meta())


def _activations_not_in_paper(entities: Entities, facts: Facts) -> list[str]:
    """Activations the question names that no stored FFN variant uses (Mish, ELU, softplus …)."""
    stored = {str(v.get("activation")) for v in facts.variants.values()} | {"swish"}
    stored |= {fn for fn, exact in APPROXIMATIONS.items() if exact in stored}  # GELU's approximations
    return [a for a in entities.activations if a not in stored]


def compose(b: Builder, derived: Derived, lexicon: Lexicon, question: str) -> None:
    """Answer ``derived`` into ``b`` by the function for its kind."""
    if derived.kind == "hidden_size":
        compose_hidden_size(b, **{k: v for k, v in derived.inputs.items()})
    elif derived.kind == "ffn_params" and derived.inputs.get("moe"):
        moe_sizes.compose(b, derived.inputs["moe"])
    elif derived.kind == "ffn_params" and derived.inputs.get("given"):
        pasted_sizes.compose(b, derived.inputs["given"])
    elif derived.kind == "ffn_params":
        compose_ffn_params(b, lexicon, derived.inputs.get("models", []), question)
    elif derived.kind == "sizing_rule":
        compose_sizing_rule(b)
    elif derived.kind == "ffn_ratio":
        compose_ffn_ratio(b, lexicon, derived.inputs["models"], question, derived.inputs.get("claim"))
    elif derived.kind == "reference_row":
        reference_rows.compose(b, derived.inputs)
    elif derived.kind == "column_gap":
        ranking.compose_gap(b, derived.inputs)
    elif derived.kind == "derivative_bound":
        compose_derivative_bound(b, **derived.inputs)
    elif derived.kind == "error_bound":
        error_bound.compose(b, **derived.inputs)
    elif derived.kind == "best_everywhere" and derived.inputs.get("what") == "width_ratio_claim":
        width_claims.compose(b, derived.inputs)
    elif derived.kind == "best_everywhere" and derived.inputs.get("what") == "paper_attribution":
        paper_claims.compose(b, derived.inputs)
    elif derived.kind == "best_everywhere":
        claims.compose(b, **derived.inputs)
    elif derived.kind == "arith_check":
        claims.compose_arithmetic(b, **derived.inputs)
    else:
        compose_decline(b, derived.inputs, lexicon)
