"""Question shapes the keyword intents misread, recognized before composing, each named as an operation.

Why a separate step: the intent rules pick one template by keyword, so a question *about* a constant
(0.044715) got the function evaluated at it, a parameter question got table rows, and a pronoun
follow-up ("where does it occur?") fell out of scope. These rules look at the shape of the whole
question and set ``Intent.operation``; :func:`compose` answers that operation with its direct answer
first. They are written as separate operations so that a later question planner can emit them directly.
Multi-part questions are split here too (:func:`split_parts`); the pipeline answers each part in order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from app.answers import (
    catalog_field_answer,
    catalog_lists,
    catalog_notes,
    catalog_pairs,
    framing,
    ranking,
    second_paper,
    second_paper_cells,
    symbols,
)
from app.answers.builder import CAPABILITIES, Builder
from app.answers.computations import format_sig
from app.answers.entities import Entities, recognize
from app.answers.facts import Facts
from app.answers.followup_cues import its_owner
from app.answers.functions import DIFFERENCE_BACK, VALUE_AND_DERIVATIVE
from app.answers.intents import NOISE, Intent, Slots, classify
from app.answers.lexicon import Lexicon
from app.answers.part_splitting import _without_asides, asks_separately, is_listed, split_parts
from app.answers.routed_answers import (
    _compose_cells_of_both,
    _compose_constant,
    _compose_parameters,
    _compose_speed,
    formula_constants,
)

ABOUT_CONSTANT = re.compile(
    r"\bconstant\b|\bcoefficient\b|\bcomes? from\b|\borigin|\bwhy\b|\bwhat is\b|\bwhat's\b|\bmagic\b|\bwhere\b|"
    r"\bderived?\b|\bmean\b|\bstand for\b|\bthe number\b"
)
EVALUATE = re.compile(r"\b(at|of|for)\s+x\s*=|\bvalue (at|of)\b|\bevaluate|\bcompute\b|\bcalculate\b|\bderivative\b")
PARAMS = re.compile(r"\bparameters?\b|\bparams\b|\bweights\b|\bparameter count\b")
PARAMS_QUESTION = re.compile(r"\bmore\b|\bfewer\b|\bless\b|\bhow many\b|\bsame\b|\bequal\b|\bnumber of\b|\bcount\b|"
                             r"\b\d+(?:\.\d+)?\s*x\b|\btimes\b|\bdouble\b|\btriple\b|\boverhead\b|"
                             r"\bthan\b|\bcompared?\b|\bvs\.?\b|\bversus\b|\bbigger\b|\blarger\b|\bsmaller\b")
GATED_WORD = re.compile(r"\bglu\b|\bgated\b|\bgeglu\b|\bswiglu\b|\breglu\b|\bgating\b|\bglu[- ](variant|layer|ffn)")
#: "a gated FFN vs a normal MLP": the plain two-matrix layer a gated one is set against.
PLAIN_FFN = re.compile(r"\b(?:normal|plain|dense|ordinary|standard|regular|vanilla|ungated|non-gated|usual)\s+"
                       r"(?:ffns?|mlps?|feed[- ]?forward|layers?|ones?)\b")
CONTRASTED = re.compile(r"\bvs\.?\b|\bversus\b|\bdifference\b|\bdiffer|\bcompared?\b|\binstead of\b")
PRONOUN = re.compile(r"\b(it|its|that|this|there|they|them|those)\b")
WHERE = re.compile(r"\bwhere\b|\bat what x\b|\bwhich x\b|\bat which (x|point|value)\b|\bpeak")
SPEED = re.compile(r"\bfastest\b|\bslowest\b|\bfaster\b|\bslower\b|\bquickest\b|\bquicker\b|\bspeed\b|"
                   r"\bstep/s\b|\bsteps per second\b|\btokens?/s(?:ec)?\b|\btokens? per second\b|\btok/s\b|"
                   r"\blatency\b|\bwall[- ]?clock\b|"
                   r"\bthroughput\b|\bhow fast\b")
ABLATION = re.compile(r"\bablat|\bseeds?\b.{0,40}\b(?:activation|geglu|swiglu|ffn)\b|"
                      r"\b(?:did|does|do|have|has)\b.{0,40}\b(?:compare[ds]?|test(?:ed)?|tr(?:y|ied)|evaluated?|"
                      r"benchmark(?:ed)?)\b.{0,30}\b(?:against|vs\.?|versus|with|to|or)\b")
SUBJECT_KINDS = ("model", "variant", "gate", "activation")
DIFFERENCE = re.compile(r"\bdifference between\b|\bhow (?:do|does) .{1,40} differ\b|\bwhat distinguishes\b|"
                        r"\bhow (?:is|are) .{1,40} different\b|\bdifferent from\b")
DEFINE = re.compile(r"^\s*(?:explain|describe|define)\s+(?!why\b|how\b|the difference\b)|"
                    r"^\s*(?:eli5|tl;?dr|in plain english|in simple terms)\b[\s:,-]*(?:what(?:'s| is)?\s+)?\S+"
                    r"\s*\??\s*$|"
                    r"^\s*what (?:does|do) \S+ (?:mean|stand for)\b|"
                    r"^\s*what(?:'s|s| is| are)?\s+(?!(?:did|does|do|was|were|has|had|got|gets|scored?)\b)"
                    r"(?:a |an |the )?[\w\- ]{1,40}\??\s*$")
#: Operations that answer from another stored paper than the GLU-variants one: the derived answers' declines
#: ("the paper has no ELU variant") are about that paper and must not pre-empt them.
OTHER_PAPER = ("second_paper_spread", "second_paper_ranking", "second_paper_cells", "second_paper_setup",
               "second_paper_verify")


#: Operations that answer one field of one thing: a question that asks for more beside it is still split
#: ("who released OLMo 2 7B and what's its ffn width" is the catalog's organization, then its width).
SPLIT_AFTER = frozenset({"catalog_field"})


def subject_of(matches: list[dict[str, str]]) -> str | None:
    """The words that named the subject of an earlier question (its first model, variant or activation)."""
    return next((m["text"] for m in matches if m.get("kind") in SUBJECT_KINDS), None)


def resolve_pronoun(text: str, entities: Entities, previous_matches: list[dict[str, str]]) -> str | None:
    """The question with its bare pronoun replaced by the earlier subject, when it names none of its own."""
    # a function named only as the comparand ("worse than the tanh form is its worst error") owns no "its"
    own_function = bool(entities.activations or entities.gates) and not re.search(r"\bthan\b", text)
    owned = its_owner(text, previous_matches, bool(entities.models), own_function)
    if owned is not None:
        return owned
    if not entities.is_empty() or not PRONOUN.search(text):
        return None
    subject = subject_of(previous_matches)
    if subject is None:
        return None
    return PRONOUN.sub(subject, text, count=1)


#: "is that the exact erf gelu?", "so it's swiglu?": a yes/no whose subject is the thing the last answer named.
IS_THAT = re.compile(r"^\s*(?:so\s+|and\s+|but\s+|ok\s+)?(?:(?:is|was|isn'?t|wasn'?t)\s+(?P<a>that|it|this)\b|"
                     r"(?P<b>that|it|this)(?:'s|\s+is)\b)")
#: Previous intents whose subject is a model's FFN activation.
ACTIVATION_OF_MODEL = ("model_activation", "why_model")


def resolve_model_claim(text: str, entities: Entities, previous: dict[str, Any]) -> str | None:
    """'gemma 2's activation field?' … 'is that the exact erf gelu?': the function named is checked against the
    model the thread is about, so 'that' reads as that model's activation; None where the question names a
    model of its own, no function, or the thread was not about a model's activation."""
    asked = IS_THAT.match(text)
    if asked is None or entities.models or not (entities.activations or entities.gates or entities.variants) or (
            str(previous.get("intent")) not in ACTIVATION_OF_MODEL):
        return None
    named = [m["text"] for m in previous.get("entities") or [] if m.get("kind") == "model"]
    if not named:
        return None
    pronoun = "a" if asked.group("a") else "b"
    return f"{text[:asked.start(pronoun)]}{named[-1]}'s activation{text[asked.end(pronoun):]}"


def asks_definition(text: str, entities: Entities) -> bool:
    """'What's the difference between SwiGLU and GeGLU?', 'explain ReGLU': a question about what the
    functions are, naming no benchmark, metric, length, number or model to look a value up for."""
    if entities.benchmarks or entities.metrics or entities.steps or entities.numbers or entities.models:
        return False
    functions = {*entities.gates, *entities.activations} or set(entities.variants)
    if DIFFERENCE.search(text):
        return len(functions) >= 2
    return len(functions) == 1 and bool(DEFINE.match(text))


#: "what's the point of the gate in geglu", "what makes swiglu a gated unit": what the gate computes.
GATE_ROLE = re.compile(r"\bpoint of (?:the )?gat(?:e|ing)\b|\bwhat (?:does|do) the gate\b|\brole of (?:the )?gat|"
                       r"\bwhat is the gate for\b|\bhow does (?:the )?gat(?:e|ing) work\b|\bmakes? \S+ (?:an? )?"
                       r"[\"'“]?gated\b|\bwhy (?:is|are) \S+ (?:called )?[\"'“]?gated\b|\bgating mechanism\b")


#: "why is the approximation error symmetric": the error's evenness, answered by the computed error curve.
SYMMETRY = re.compile(r"\bsymmetr|\beven function\b|\bodd function\b|\bmirror|\bsame on both sides\b|"
                      r"\bboth sides of (?:zero|0)\b|\bnegative x\b|"
                      r"\bboth\b.{0,12}[+±]?\d[\d.]*\s*and\s*[-−]\d|\bboth signs\b|\bpositive and negative\b")
APPROX_ERROR = re.compile(r"\berrors?\b|\bapprox|\bdifference\b|\bgap\b")


def asks_gate_role(text: str, entities: Entities) -> bool:
    """A question about what the gate of a GLU-family function does: answered by its definition."""
    return bool(GATE_ROLE.search(text)) and bool(entities.gates or entities.variants) and not (
        entities.models or entities.benchmarks or entities.metrics or entities.steps)


def asks_name(text: str, entities: Entities) -> bool:
    """A question about why a function is called what it is: answered by what it computes."""
    return bool(framing.NAMING.search(text)) and bool(entities.gates or entities.activations) and not entities.models


def reroute(intent: Intent, text: str, entities: Entities, previous: dict[str, Any] | None,
            facts: Facts | None = None) -> Intent:
    """Set the operation for a question whose shape the keyword intent misreads; else return it as is."""
    if intent.follow_up_of is None and facts is not None and not (entities.benchmarks or entities.metrics) and (
            second_paper_cells.names_both(facts, entities.variants, text)):
        intent.name, intent.operation = "math", "same_layer"
        intent.rule = "sets the two papers' names of one layer against each other: the layer defined"
        return intent
    if intent.follow_up_of is None and symbols.asked_symbol(text, entities) is not None:
        intent.name, intent.operation = "explain", "symbol"
        intent.rule = "asks what a symbol of a formula means, not for a value or a spread"
        return intent
    numbers = formula_constants(text, entities.numbers)
    if numbers and ABOUT_CONSTANT.search(text) and not EVALUATE.search(text):
        intent.name, intent.operation = "explain", "explain_constant"
        intent.rule = "asks about a constant of an activation's formula, not for a value at it"
        intent.slots.numbers = numbers[:1]
        return intent
    if entities.models and ABLATION.search(text) and intent.name in ("model_activation", "architecture", "fact",
                                                                      "compare"):
        intent.name, intent.rule = "why_model", "asks for a model's own activation ablation: what its report says"
        return intent
    if entities.models and catalog_field_answer.asks_catalog_field(text) and (
            intent.name in ("model_activation", "architecture")):
        intent.name, intent.operation = "model_activation", "catalog_field"
        intent.rule = "asks who released a catalog model, or when"
        return intent
    if intent.name == "architecture" and len(entities.models) == 2 and facts is not None and (
            catalog_pairs.asks_pair(text, entities, facts)):
        intent.operation = "catalog_pair"
        intent.rule = "sets the same size of two catalog models against each other"
        return intent
    family = catalog_lists.family_extreme(text, entities, list(facts.catalog)) if facts is not None and (
        intent.name in ("architecture", "model_activation")) else None
    if family is not None:
        intent.name, intent.operation, intent.slots.models = "models_using", "", family
        intent.rule = "asks for the end of a catalog column among a named family's models"
        return intent
    if intent.name == "architecture" and entities.models and catalog_notes.asks_layers(intent.slots.arch_keys) and (
            not any(m.arch_family for m in entities.models)):
        intent.operation = "catalog_layers"
        intent.rule = "asks a catalog model's layer count, which only its row's source note states"
        return intent
    structure = GATED_WORD.search(text) and PLAIN_FFN.search(text) and CONTRASTED.search(text) and not (
        re.search(r"\bwhy\b|\bbetter\b|\bworse\b", text))
    if ((PARAMS.search(text) and PARAMS_QUESTION.search(text)) or structure) and GATED_WORD.search(text) and (
            not entities.models) and not second_paper.names_size_columns(text):
        intent.name, intent.operation = "explain", "compare_parameters"
        intent.rule = "asks how the parameters of a gated FFN compare with a dense one"
        return intent
    if (entities.paper or second_paper.names_paper(text)) and second_paper.ABOUT_PAPER.search(text) and (
            not entities.models):
        intent.name, intent.operation = "paper_setup", "paper_info"
        intent.rule = "asks who wrote a stored paper, when, or where it is"
        return intent
    if facts is not None and second_paper.setup_key(text, facts) is not None and not (
            ranking.SPREAD_WORDS.search(text) and second_paper.names_rows(text, facts)):
        # ("how much did narang's sigmoid early loss vary across runs" asks a row's spread, not the setup)
        intent.name, intent.operation = "paper_setup", "second_paper_setup"
        intent.rule = "asks what Narang et al.'s setup or text states"
        return intent
    if second_paper.names_paper(text) and intent.name == "verify" and facts is not None and (
            second_paper.names_rows(text, facts)) and not ranking.SPREAD_WORDS.search(text):
        intent.operation = "second_paper_verify"
        intent.rule = "a yes/no question about a number of Narang et al.'s table"
        return intent
    if second_paper.names_paper(text) and (intent.name != "verify" or ranking.SPREAD_WORDS.search(text)) and (
            not entities.models or (facts is not None and second_paper.names_rows(text, facts))):
        if ranking.SPREAD_WORDS.search(text):
            intent.name, intent.operation = "fact", "second_paper_spread"
            intent.rule = "asks for the run-to-run spread in Narang et al.'s table"
            return intent
        if second_paper.wants_ranking(text):
            intent.name, intent.operation = "best", "second_paper_ranking"
            intent.rule = "asks for a best, worst or ordered list in Narang et al.'s table"
            return intent
        if facts is not None and second_paper.names_rows(text, facts):
            intent.name, intent.operation = "fact", "second_paper_cells"
            intent.rule = "names rows of Narang et al.'s table: their cells, side by side with the difference"
            return intent
        if second_paper.names_size_columns(text):
            intent.name, intent.operation = "fact", "second_paper_cells"
            intent.rule = "asks for the model size of Narang et al.'s table: the column for every row"
            return intent
    stated_gap = ranking.gap_columns(text, entities, facts) if facts is not None and not entities.benchmarks else []
    if stated_gap and not (entities.steps or entities.metrics):
        # "geglu beats swiglu by 0.003 - real or noise?": the noise of the columns where the gap is 0.003
        intent.name, intent.operation = "fact", "spread"
        intent.slots.benchmarks = list(dict.fromkeys(c[0] for c in stated_gap))
        intent.slots.steps = list(dict.fromkeys(c[2] for c in stated_gap if c[1] == "log-perplexity"))
        intent.rule = "asks whether a stated gap between two variants is noise: the spread of those columns"
        return intent
    follow_noise = intent.follow_up_of is not None and bool(NOISE.search(text)) and bool(
        intent.slots.variants or intent.slots.benchmarks or intent.slots.steps) and not entities.numbers
    if (ranking.wants_spread(text, entities) or follow_noise) and (
            intent.name != "verify" or ranking.checks_a_gap(entities)):
        intent.name, intent.operation = "fact", "spread"
        intent.rule = "asks how noisy a column or a gap is: the run-to-run spread the paper publishes"
        return intent
    if ranking.wants_beaters(text, entities) and intent.name in ("fact", "compare", "best", "verify") and not (
            entities.numbers or SPEED.search(text)):
        intent.name, intent.operation = "best", "ranking"
        intent.rule = "asks which variants beat one named variant on a column"
        return intent
    if ranking.wants_ranking(intent, text) and not SPEED.search(text):
        intent.operation = "ranking"
        intent.rule = "asks for an ordered list (all, top N or one group of variants), not one winner"
        return intent
    if SPEED.search(text) and not entities.models and intent.name in ("best", "compare", "fact"):
        intent.operation = "speed"
        intent.rule = "asks about speed: what the stored evidence has on it, not perplexities"
        return intent
    if intent.follow_up_of is None and SYMMETRY.search(text) and APPROX_ERROR.search(text) and (
            entities.activations or entities.gates) and not entities.models:
        intent.name = "math"
        intent.rule = "asks about the shape of an approximation's error: computed, with why it is even"
        return intent
    if intent.follow_up_of is None and (asks_definition(text, entities) or asks_name(text, entities)
                                        or asks_gate_role(text, entities)) and (
            intent.name not in ("math", "paper_setup", "models_using")):  # "what models use swiglu": the catalog's
        intent.name = "math"
        intent.rule = "asks what a function is or how two differ: each defined, not their table values"
        return intent
    if previous and intent.follow_up_of is not None and str(previous.get("intent")) == "why_model":
        old = Slots.from_dict(previous.get("slots"))
        new_subject = [g for g in entities.gates if g not in old.gates]
        if new_subject and not entities.models:
            intent.name = "explain"
            intent.slots.models = []
            intent.retrieval_query = f"why use {' '.join(new_subject)}"
            intent.rule = "follow-up naming a new subject: the same 'why' question, asked about it"
    return intent


#: The composer of each routed operation, called with the builder, the intent and the lexicon.
COMPOSERS: dict[str, Callable[[Builder, Intent, Lexicon], None]] = {
    "explain_constant": lambda b, intent, lexicon: _compose_constant(b, intent),
    "symbol": lambda b, intent, lexicon: symbols.compose(b, intent.question),
    "same_layer": lambda b, intent, lexicon: symbols.compose_same_layer(b, intent),
    "compare_parameters": lambda b, intent, lexicon: _compose_parameters(b),
    "speed": lambda b, intent, lexicon: _compose_speed(b),
    "spread": lambda b, intent, lexicon: ranking.compose_spread(b, intent),
    "ranking": lambda b, intent, lexicon: ranking.compose_ranking(b, intent),
    "catalog_field": lambda b, intent, lexicon: catalog_field_answer.compose_catalog_field(b, intent, lexicon),
    "catalog_layers": lambda b, intent, lexicon: catalog_notes.compose_layers(b, intent, lexicon),
    "catalog_pair": lambda b, intent, lexicon: catalog_pairs.compose_pair(b, intent, lexicon),
    "second_paper_spread": lambda b, intent, lexicon: second_paper.compose_spread(b, intent.question),
    "second_paper_ranking": lambda b, intent, lexicon: second_paper.compose_ranking(b, intent.question),
    "second_paper_cells": lambda b, intent, lexicon: _compose_cells_of_both(b, intent),
    "second_paper_setup": lambda b, intent, lexicon: second_paper.compose_setup(b, intent.question),
    "paper_info": lambda b, intent, lexicon: second_paper.compose_paper_info(b, intent.question),
    "second_paper_verify": lambda b, intent, lexicon: second_paper.compose_verify(b, intent.question,
                                                                                 intent.slots.numbers),
}


def compose(b: Builder, intent: Intent, lexicon: Lexicon) -> bool:
    """Answer the intent's operation (direct answer first); False when it has none this module serves."""
    composer = COMPOSERS.get(intent.operation)
    if composer is None:
        return False
    composer(b, intent, lexicon)
    return True


def lead(b: Builder, intent: Intent, start: int = 0, computed: int = 0) -> None:
    """Put the direct answer first where the composed text would bury it ('where does the error peak?');
    ``start`` and ``computed`` are where this operation's paragraphs and computations begin."""
    if not WHERE.search(intent.question.lower()):
        return
    comp = next((c for c in b.computations[computed:] if c["name"] == "approx_error"), None)
    if comp is None:
        return
    out = comp["outputs"]
    fn, ref = comp["params"]["fn"], comp["params"]["reference"]
    b.parts.insert(start, f"The largest error of `{fn}` against exact `{ref}` occurs at x ≈ ±"
                      f"{format_sig(float(out['x']), 5)} (computed by this service), where it is "
                      f"{format_sig(float(out['max_abs_error']), 5)}.")


def resolve(
    question: str, intent: Intent, entities: Entities, lexicon: Lexicon, previous: dict[str, Any] | None,
    previous_post_id: int | None, facts: Facts | None = None,
) -> tuple[Intent, Entities]:
    """The question's intent after its pronoun is resolved, its shape rerouted and its parts split."""
    if previous is not None:
        resolved = resolve_pronoun(entities.text, entities, list(previous.get("entities") or [])) if (
            intent.follow_up_of is None) else None
        resolved = resolved or resolve_model_claim(entities.text, entities, previous)
        if resolved is not None:
            entities = recognize(resolved, lexicon)
            intent = classify(resolved, entities.text, entities, lexicon)
            intent.follow_up_of = previous_post_id
            intent.rule += f"; the pronoun read as the previous subject: {resolved!r}"
    intent = reroute(intent, entities.text, entities, previous, facts)
    splittable = not intent.operation or intent.operation in SPLIT_AFTER or is_listed(question) or (
        intent.follow_up_of is None and asks_separately(question, lexicon))
    # "softplus at 2, and what's its gradient": one function's value and slope at one point, one computation
    splittable = splittable and not (VALUE_AND_DERIVATIVE.search(question.lower()) and not entities.models
                                     and len({*entities.activations, *entities.gates}) == 1)
    # "slope of gelu_tanh at 0.5, and how much does it differ from the erf one's": one difference at one point
    splittable = splittable and not (DIFFERENCE_BACK.search(question.lower()) and not entities.models
                                     and entities.activations)
    pieces = split_parts(question) if intent.follow_up_of is None and splittable else [question]
    pieces = _without_asides(pieces, lexicon)
    if len(pieces) > 1:
        intent.operation, intent.parts = "multi_part", pieces
        intent.rule = f"a question in {len(pieces)} parts, each answered in the order asked"
    return intent, entities


def part_intent(piece: str, lexicon: Lexicon, earlier: list[dict[str, str]],
                facts: Facts | None = None) -> tuple[Intent, Entities]:
    """One part of a multi-part question; a pronoun in it ('which models use it?') names the earlier subject."""
    entities = recognize(piece, lexicon)
    resolved = resolve_pronoun(entities.text, entities, earlier)
    if resolved is not None:
        entities = recognize(resolved, lexicon)
    text = resolved or piece
    intent = classify(text, entities.text, entities, lexicon)
    return reroute(intent, entities.text, entities, None, facts), entities


def decline_part(b: Builder, start: int, asked: str = "") -> None:
    """Replace a part's general 'outside what this service covers' text by a decline naming the part."""
    if any(CAPABILITIES in p for p in b.parts[start:]):
        del b.parts[start:]
        named = f" (“{asked.rstrip('?')}”)" if asked else ""
        b.add(f"The stored evidence does not cover this part{named}, so this service does not answer it: it "
              "holds the two papers' result tables, the model catalog and the computed curves.")
