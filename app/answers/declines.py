"""Specific declines for questions whose subject is stored but whose *particular* ask is not.

Why a module of its own: the keyword intents answer the nearest cell, so "SwiGLU at 100k steps" got the
65,536- and 524,288-step rows, "Swish with β = 2" got the β = 1 results, "Llama 3 8B perplexity on C4" got
the paper's SwiGLU number, and "which GELU implementation did the paper use" got GELU's formula — each a
confident answer to a neighbouring question. :func:`detect` reads which stored thing the question is next
to but not about, and :func:`compose` says so by name, with what the store does hold. It returns the
inputs of a ``decline`` (see ``derived.py``, which calls it), so each stays one operation of a plan.
"""

from __future__ import annotations

import contextlib
import re
from functools import lru_cache
from typing import Any

from app.answers import second_paper_table
from app.answers.builder import Builder, activation_label
from app.answers.entities import Entities
from app.answers.explanations import activation_citation
from app.answers.facts import Facts, paper_citation
from app.answers.family_members import other_release
from app.answers.lexicon import Lexicon

#: Kinds of decline this module composes (``inputs["what"]``).
KINDS = ("other_paper", "steps", "parameter", "not_stated", "cost", "model_results", "seq_len", "model_size",
         "not_a_row", "not_a_variant", "with_biases")

STEPS_ASKED = re.compile(r"\b(\d[\d,]*(?:\.\d+)?)\s*(k|m|thousand|million)?\s*(?:training\s+|pre-?training\s+)?"
                         r"steps?\b")
#: "with 2048-token inputs", "at a context length of 4096": a sequence length the question writes out.
SEQ_ASKED = re.compile(r"\b(\d[\d,]*)[- ]?(?:tokens?|tok)\b(?:[- ](?:inputs?|sequences?|context|prompts?))?|"
                       r"\b(?:context|sequence|input) (?:length|window|size) (?:of )?(\d[\d,]*)\b")
RUN_REQUEST = re.compile(r"\b(run|rerun|launch|start|queue|kick off)\b|\btrain (?:a|an|the|them|it)\b")
BETA = re.compile(r"(?:\bbeta\b|β)\s*(?:=|of|is)?\s*(\d+(?:\.\d+)?)")
COST = re.compile(r"\b(cost|costs|dollars?|usd|price|energy|carbon|co2|emissions?|kwh|gpu[- ]hours?|"
                  r"tpu[- ]hours?|flops?|training compute|compute budget)\b|\$")
ASKS_WHY = re.compile(r"\bwhy\b|\bhow come\b|\bconclu")
USE_WORDS = re.compile(r"\b(use|uses|using|used|activation|act|ffn|mlp|glu|gated|hidden_act|architecture)\b")
#: Tasks Narang et al. report that the GLU-variants paper does not (named so a paper-scoped ask is declined).
OTHER_PAPER_BENCHMARK = re.compile(r"\bxsum\b|\bwmt\b|web ?questions|\bwebq\b|\bbleu\b|"
                                   r"\brouge\b|\btranslation\b|\bsummari[sz]ation\b", re.IGNORECASE)
OTHER_PAPER_LABEL = {"xsum": "XSum", "wmt": "WMT", "web": "WebQuestions", "webq": "WebQuestions",
                     "bleu": "WMT BLEU", "rouge": "XSum ROUGE", "translation": "translation (WMT)",
                     "summarization": "summarization (XSum)", "summarisation": "summarization (XSum)"}
CONTENT_WORD = re.compile(r"[a-zA-Z][a-zA-Z-]{3,}")
#: Words an asker uses for a content word of the 'not stated' list ("which tanh or exact GELU" is the
#: implementation used; "averaged over seeds" is the mean of the runs), counted only when the question names
#: the paper (so "exact gelu at 1" stays a computation).
SYNONYMS = {
    "implementation": ("exact", "tanh", "erf", "approximat", "version", "flavo", "which gelu", "gelu did",
                       "gelu was used", "gelu they used"),
    "mean": ("average", "averaged"), "runs": ("seeds", "repeats", "trials"), "single": ("one run", "just one"),
    "parameter": ("params", "weights"), "counts": ("how many", "number of", "total"),
}
#: What is measured of a model rather than stored about it: compute, speed and memory figures.
MODEL_MEASURES = re.compile(r"\bflops?\b|\bflop count\b|\btokens? per second\b|\btokens?/s\b|\blatency\b|"
                            r"\bthroughput\b|\bmemory (?:use|usage|footprint)\b|\bvram\b|\binference speed\b")
#: A model's own paper or report named as the source of a result ("in the llama paper").
MODEL_PAPER = re.compile(r"\b(?:in|from|by|per|according to) (?:the |its |their )?[\w.\- ]{2,20}? ?"
                         r"(?:paper|report|tech report)\b")
ABLATION = re.compile(r"\bablat\w*|\bbeat\w*\b.{0,30}\bby\b|\bgains?\b|\bimprove\w*\b.{0,20}\bby\b")
RESULT_WORDS = re.compile(r"\bperplexit|\bppl\b|\bloss\b|\bscores?\b|\baccuracy\b|\bresults?\b|\bbenchmarks?\b")
#: "how does the paper keep parameter counts equal": the two-thirds rule, which the paper does state.
MATCHED = re.compile(r"\b(?:equal|same|matched?|matching|keeps?|kept|constant|fair)\b")
STOP = frozenset({"whether", "used", "only", "defined", "figure", "four", "with", "from", "that", "this",
                  "paper", "what", "which", "does", "exactly"})


def detect(entities: Entities, lexicon: Lexicon, facts: Facts) -> dict[str, Any] | None:
    """The inputs of a specific decline, or None when the question's ask is in the store."""
    text = entities.text
    version = _unknown_version(entities, facts)
    if version is not None:
        return {"what": "model", "name": version, "asked": [*entities.gates, *entities.activations]}
    subject = bool(entities.variants or entities.activations or entities.gates or entities.paper)
    measured = entities.metrics or entities.benchmarks or MODEL_MEASURES.search(text)
    own = _only_own_activation(entities, facts)
    if entities.models and measured and (not subject or own) and not USE_WORDS.search(text):
        return {"what": "model_results", "name": entities.models[0].name}
    if entities.models and MODEL_PAPER.search(text) and ABLATION.search(text):
        # "how much did swiglu beat relu by in the palm paper's ablation": that paper's results are not stored
        return {"what": "model_results", "name": entities.models[0].name}
    if entities.models and TOTAL_PARAMS.search(text) and not FFN_PART.search(text) and not any(
            m.arch_family for m in entities.models):
        return {"what": "model_size", "name": entities.models[0].name}
    asks_result = entities.metrics or entities.benchmarks or RESULT_WORDS.search(text)
    if entities.models and MODEL_PAPER.search(text) and asks_result:  # "swiglu's perplexity in the llama paper"
        return {"what": "model_results", "name": entities.models[0].name}
    if entities.models:
        return None
    unlisted = second_paper_table.unlisted_activation(entities.activations)
    if unlisted is not None and second_paper_table.names_paper(text):  # "narang's squared relu final loss"
        return {"what": "not_a_row", "name": unlisted}
    if (entities.variants or entities.gates) and BIASES_ON.search(text) and not BIASES_OFF.search(text) and (
            asks_result or entities.steps) and not second_paper_table.names_paper(text):
        # "shazeer's glu ffn with the bias terms b and c turned on - perplexity?": trained without them only
        return {"what": "with_biases", "name": (entities.variant_like() or ["the variants"])[0]}
    if UNTESTED_FORMS & set(entities.activations) and not entities.variants and (asks_result or entities.steps):
        # "an ffn with quick gelu in shazeer's perplexity table": no variant computes that shortcut
        return {"what": "not_a_variant", "name": sorted(UNTESTED_FORMS & set(entities.activations))[0]}
    other = OTHER_PAPER_BENCHMARK.search(text)
    if other and entities.paper:
        key = re.split(r"[ /]", other.group(0).replace("webquestions", "web"))[0]
        return {"what": "other_paper", "name": OTHER_PAPER_LABEL.get(key, other.group(0))}
    asked = _steps_not_reported(text, entities, lexicon)
    if asked is not None and subject | bool(entities.metrics or entities.benchmarks):
        return {"what": "steps", "name": asked, "variants": entities.variant_like()}
    length = SEQ_ASKED.search(text)
    if length and subject and _seq_not_stated(length.group(1) or length.group(2), facts):
        return {"what": "seq_len", "name": length.group(0)}
    beta = BETA.search(text)
    if beta and float(beta.group(1)) != 1 and ({"swish", "silu"} & set(entities.activations)
                                               or "swiglu" in entities.gates or "FFN_Swish" in entities.variants):
        return {"what": "parameter", "name": beta.group(0)}
    if subject and COST.search(text) and not ASKS_WHY.search(text):  # "why it works, or its cost": the conclusions
        return {"what": "cost", "name": (entities.variant_like() or ["the variants"])[0]}
    # the functions read as their ids: "gelu_new" or "NewGELU" is the tanh form the paper does not say it ran
    named = " ".join([text, *entities.activations])
    item = _not_stated_item(named, facts, bool(entities.paper)) if subject and not MATCHED.search(text) else None
    if item is not None:
        return {"what": "not_stated", "name": item}
    return None


#: Bias terms asked to be on in a variant the paper trains without them ("with the bias terms b and c").
BIASES_ON = re.compile(r"\bbias(?:es)?\b|\bb and c\b|\+\s*b\)|\+\s*c\)")
#: … unless the question says they are off, or asks why they are.
BIASES_OFF = re.compile(r"\bno bias|\bwithout (?:the |any )?bias|\bbias[- ]?free\b|"
                        r"\bbias(?:es)? (?:off|removed|dropped)\b|"
                        r"\bwhy\b|\bwhere\b")


#: Approximations of GELU that no FFN variant of the GLU-variants paper computes (its FFN_GELU is defined with
#: the exact x·Φ(x); the tanh form is left to the "not stated" implementation).
UNTESTED_FORMS = frozenset({"gelu_sigmoid"})


#: A whole model's size ("total param count", "how many parameters does X have"), not one FFN layer's.
TOTAL_PARAMS = re.compile(r"\b(?:total|overall|whole|full|entire)\b.{0,20}\b(?:param(?:eter)?s?|param count|weights|"
                          r"size)\b|\bparam(?:eter)? count\b|\bhow many (?:params|parameters)\b|"
                          r"\bnumber of (?:params|parameters)\b|\bhow big is\b")
#: Words that narrow a parameter question to the FFN (answered by the FFN-weights computation instead).
FFN_PART = re.compile(r"\bffn\b|\bmlp\b|\bfeed[- ]?forward\b|\bper layer\b|\bone layer\b|\bexperts?\b|"
                      r"\bembedding\b|\bgate_proj\b|\bup_proj\b|\bdown_proj\b")


def _only_own_activation(entities: Entities, facts: Facts) -> bool:
    """Whether every function the question names is the named model's own catalog activation ("primer's relu²
    perplexity"), so the question asks for that model's results, not the paper's for the function."""
    if entities.variants or entities.paper or not (entities.activations or entities.gates):
        return False
    used = {facts.catalog[m]["activation"] for g in entities.models for m in g.members if m in facts.catalog}
    return bool(used) and set([*entities.activations, *entities.gates]) <= used


#: Words that name another member of a family than the catalog's ('Mistral Large', 'Gemini Flash').
QUALIFIERS = re.compile(r"large|small|medium|mini|micro|tiny|lite|nemo|pro|ultra|flash|nano|base|xxl|xl|"
                        r"behemoth|maverick|scout|max|plus|turbo|"
                        r"next|codestral|mamba|opus|sonnet|haiku|mixtral\s+8x22b|8x22b")


def _unknown_version(entities: Entities, facts: Facts) -> str | None:
    """A family the catalog holds written with a version or member it does not hold ('llama 4', 'mistral
    large 2'): that model is unknown, not the family's stored member (and its digit is no table value)."""
    known_names = _known_names(tuple(facts.catalog))
    for match in entities.matches:
        if match.get("kind") != "model":
            continue
        release = other_release(entities.text, match["text"], str(match.get("value", "")))
        if release is not None:  # "mistral-7b-instruct-v0.2": not the stored v0.1
            return release
        member_of, sized, versioned = _model_patterns(re.escape(match["text"]))
        member = member_of.search(entities.text) or sized.search(entities.text)
        if member is not None:
            written = _written(RELEASE_TAG.sub("", member.group(0)))
            if not any(k == written or k.startswith(written + " ") for k in known_names):
                # "llama-3.2-11b-vision": the unknown model is quoted with the words that name its kind
                kind = _KIND_SUFFIX.match(entities.text, member.end())
                return member.group(0) + (kind.group(0) if kind else "")
        # "llama 3.3": a point release of a family member the lexicon matched ("llama 3")
        dotted = re.search(rf"\b{re.escape(match['text'])}(\.\d+(?:[ac-jln-z](?![a-z0-9]))?)(?![\d.])", entities.text)
        if dotted is not None:
            written = _written(f"{match['text']}{dotted.group(1)}")
            if not any(k == written or k.startswith(written + " ") for k in known_names):
                return dotted.group(0)
        # a version is a small number ("llama 4", "qwen 2.5"), not a width the question quotes ("llama 7b 11008")
        version = versioned.search(entities.text)
        if version is None:
            continue
        written = _written(f"{match['text']} {version.group(1)}")
        if not any(k == written or k.startswith(written + " ") for k in known_names):
            return version.group(0)
    return None


SEPARATORS = re.compile(r"[-_\s]+")
#: Words after a model's size that name its kind ("-vision", "-instruct", "-it"), quoted with an unknown model.
_KIND_SUFFIX = re.compile(r"(?:[-_](?:vision|instruct|chat|it|base|hf|code|coder|math|moe|vl)|"
                          r"\s(?:vision|instruct|chat))+\b", re.IGNORECASE)
#: A release tag inside a hub name ("OLMo-2-0425-1B", "OLMo-2-1124-7B"): the member is named by its size.
RELEASE_TAG = re.compile(r"[\s-]\d{4}(?=[\s-])")
#: A family's name and its version number, written apart or together ("qwen 2.5", "qwen2.5").
_NAME_THEN_VERSION = re.compile(r"(?<=[a-z]) (?=\d)")


def _written(name: str) -> str:
    """A model name as compared: separators as one space, none between a family and its version."""
    return _NAME_THEN_VERSION.sub("", SEPARATORS.sub(" ", name))


@lru_cache(maxsize=8)
def _known_names(names: tuple[str, ...]) -> tuple[str, ...]:
    """The catalog's model names as questions write them (built once per catalog, not per question)."""
    return tuple(_written(name.lower()) for name in names)


@lru_cache(maxsize=256)
def _model_patterns(named: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """A model name followed by a family member, by a size, or by a version (compiled once per name)."""
    return (re.compile(rf"\b{named}[\s-]+({QUALIFIERS.pattern})\b(?:[\s-]*\d+(?:\.\d+)?\b)?"),
            # "mixtral 8x3b": experts × size; "olmo-2-0425-1b": a release tag (month and year) before the size
            re.compile(rf"\b{named}(?:[\s-]\d{{4}}(?=[\s-]))?[\s-]?(?:\d+x)?\d+(?:\.\d+)?[bm]\b"),
            # a version may end in a letter ("gemma 3n"), though not in a size's b, m or k
            re.compile(rf"\b{named}[\s-]?(\d{{1,2}}(?:\.\d+)?(?:[ac-jln-z](?![a-z0-9]))?)(?![\d.,]|x\d|\s*[bmk]\b)"))


def _seq_not_stated(asked: str | None, facts: Facts) -> bool:
    """Whether a written-out sequence length is none of the lengths the paper's setup states."""
    fact = facts.paper_fact(facts.main_paper()["id"], "seq_len")
    if fact is None or not asked:
        return False
    return asked.replace(",", "") not in re.findall(r"\d+", str(fact["value"]))


def _steps_not_reported(text: str, entities: Entities, lexicon: Lexicon) -> str | None:
    """A training length the question writes out that no stored column has ('at 100k steps')."""
    if entities.steps or RUN_REQUEST.search(text):  # a run of any length can be requested, not looked up
        return None
    for match in STEPS_ASKED.finditer(text):
        scale = {"k": 1000, "m": 1_000_000, "thousand": 1000, "million": 1_000_000}.get(match.group(2) or "", 1)
        value = float(match.group(1).replace(",", "")) * scale
        if value >= 100 and all(abs(value - s) > 0.02 * s for s in lexicon.steps):
            return match.group(0)
    return None


def _not_stated_item(text: str, facts: Facts, scoped: bool = False) -> str | None:
    """The item of the paper's 'not stated' list the question asks about (two of its words in the question)."""
    fact = facts.paper_fact(facts.main_paper()["id"], "not_stated")
    if fact is None:
        return None
    words = set(re.findall(r"[a-z][a-z-]+", text))
    for item in str(fact["value"]).split(";"):
        content = {w.lower() for w in CONTENT_WORD.findall(item)} - STOP
        hits = {w for w in content if any(q.startswith(w[:6]) for q in words if len(q) >= 4)
                or (scoped and any(s in text for s in SYNONYMS.get(w, ())))}
        if len(hits) >= 2:
            return item.strip()
    return None


def compose(b: Builder, inputs: dict[str, Any]) -> None:
    """Decline ``inputs`` by name, then give what the store holds next to it."""
    paper = b.facts.main_paper()
    what, name = inputs["what"], str(inputs["name"])
    if what == "model_size":
        b.add(f"{name}'s total parameter count is not in the stored evidence: the catalog holds its FFN "
              "activation, d_model and FFN hidden size, not the whole model's size. The weights of one of its FFN "
              f"layers can be computed from those (ask \"how many parameters in one FFN layer of {name}?\").")
        return
    if what == "with_biases":
        stated = _stated_fact(b, paper["id"], "biases", "biases: ")
        b.add(f"The GLU-variants paper trains {name} and every other FFN variant without biases{stated}; a version "
              "with the bias terms turned on was not tested, so its results are not in the stored evidence. The "
              "biases b and c appear only in the GLU layer's definition, σ(xW + b) ⊙ (xV + c), that the FFN "
              "variants start from; the printed numbers are for the variants with no biases.")
        return
    if what == "not_a_variant":
        _compose_not_a_variant(b, name)
        return
    if what == "not_a_row":
        _compose_not_a_row(b, name)
        return
    if what == "model_results":
        b.add(f"There are no stored perplexities or benchmark scores for {name}: the stored results are the "
              "GLU-variants paper's FFN variants, trained by its authors at one size, and the catalog holds "
              f"{name}'s architecture only (ask \"what activation does {name} use?\"). Its results are not in "
              "the stored evidence.")
    elif what == "other_paper":
        b.add(f"The GLU-variants paper does not report {name}: its results are C4 log-perplexity and the GLUE, "
              "SuperGLUE and SQuAD fine-tuning scores, so that score is not in the paper. Narang et al. report "
              "that task for their activation variants: [their stored results](/papers/narang-2021).")
    elif what == "steps":
        fact = b.facts.paper_fact(paper["id"], "steps")
        if fact is not None:
            b.cite(fact)
        lengths = " and ".join(f"{s:,}" for s in sorted({c.steps for c in b.facts.cells if c.steps}))
        b.quoted_names.append(name)  # the asker's own length, quoted as written
        b.add(f"The GLU-variants paper reports results after {lengths} steps only; the length you asked for, "
              f"“{name}”, is not reported, so it is not in the stored evidence.")
        rows = []
        for variant in inputs.get("variants", [])[:2]:
            for cell in (c for c in b.facts.cells if c.row == variant and c.benchmark.startswith("C4")):
                rows.append(f"- {variant} after {b.steps(cell)} steps: {b.value(cell)} ({cell.metric})")
        if rows:
            b.add("At the reported lengths:\n\n" + "\n".join(rows))
    elif what == "parameter":
        stated = _stated_fact(b, paper["id"], "swish_beta")
        b.add(f"The GLU-variants paper uses β = 1 only{stated}; results with another β, as asked, are not "
              "reported, so they are not in the stored evidence.")
    elif what == "seq_len":
        stated = _stated_fact(b, paper["id"], "seq_len")
        b.add(f"The GLU-variants paper trains at one sequence length{stated}; results at another length, as asked, "
              "are not reported, so they are not in the stored evidence.")
    elif what == "cost":
        fact = b.facts.paper_fact(paper["id"], "step_time")
        stated = ""
        if fact is not None:
            b.cite(fact)
            stated = f"; what it does state is the step time, “{fact['value']}” ({fact['location']})"
        b.add(f"The GLU-variants paper does not report a training cost (money, energy, hours or FLOPs) for {name}, so "
              f"it is not in the stored evidence{stated}, the same for every variant at equal parameters and "
              "compute.")
    else:
        fact = b.facts.paper_fact(paper["id"], "not_stated")
        if fact is not None:
            b.cite(fact)
        b.add(f"The GLU-variants paper does not say: {name} is among what it leaves not stated, so it is not in "
              "the stored evidence.")


def _compose_not_a_row(b: Builder, activation_id: str) -> None:
    """An activation Narang et al. did not test: named, with the rows their table does have, and no other
    row's number in its place."""
    paper = b.facts.side_papers.get(second_paper_table.PAPER_ID)
    if paper is not None:
        b.cite(paper_citation(paper))
    label = activation_label(activation_id)
    rows = ", ".join(second_paper_table.row_names(b.facts))
    b.add(f"Narang et al.'s activation table has no {label} row: {label} is not among the activations they "
          f"tested, so its results are not in the stored evidence (and another row's number would answer a "
          f"different question). The table's rows are {rows}.")


def _compose_not_a_variant(b: Builder, activation_id: str) -> None:
    """A shortcut of GELU no FFN variant computes: named, with how the paper defines its GELU, and none of
    FFN_GELU's numbers in its place."""
    paper = b.facts.main_paper()
    b.cite(paper_citation(paper))
    with contextlib.suppress(LookupError):
        b.cite(activation_citation(activation_id))
    fact = b.facts.paper_fact(paper["id"], "not_stated")
    if fact is not None:
        b.cite(fact)
    variants = ", ".join(sorted(b.facts.variants))
    b.add(f"The GLU-variants paper has no FFN with the {activation_label(activation_id)}: it is not one of its "
          f"FFN variants ({variants}), so that FFN was not tested and its results are not in the stored evidence. "
          "The paper's FFN_GELU is defined with the exact GELU, x·Φ(x), and the numerical implementation behind "
          "it is not stated; its numbers are not the shortcut's.")


def _stated_fact(b: Builder, paper_id: str, key: str, label: str = "") -> str:
    """The paper's own words on ``key``, cited, as a parenthesis to put after the sentence they back (empty when
    the paper's facts do not hold it): a decline then quotes what the paper does state."""
    fact = b.facts.paper_fact(paper_id, key)
    if fact is None:
        return ""
    b.cite(fact)
    return f" ({label}“{fact['value']}”, {fact['location']})"
