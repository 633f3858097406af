"""The rule planner: a question (and the thread's previous plan) -> a :class:`~app.answers.plan.Plan`.

Why rules first: they are deterministic, fast (well under a millisecond per question) and every choice
has a readable reason, which "how this was answered" shows. The steps are the ones the answers have always
taken — entities, intent, the shape reroutes of :mod:`app.answers.routing`, the derived kinds of
:mod:`app.answers.derived` — but their outcome is now a list of typed operations, one per part asked,
instead of a single template choice. A follow-up edits the previous plan: the slots the new question names
replace the previous ones, the rest are inherited, and both lists are recorded on the operation.
"""

from __future__ import annotations

import re
from typing import Any

from app.answers import derived, framework_names, framing, misread, paraphrase, routing
from app.answers.entities import Entities, recognize
from app.answers.facts import Facts
from app.answers.intents import (
    ARCH_KEYWORDS,
    NOISE,
    SETUP_KEYWORDS,
    WHY,
    Intent,
    Slots,
    classify,
    is_follow_up,
)
from app.answers.lexicon import Lexicon
from app.answers.plan import ROUTED_METHODS, SLOT_NAMES, Operation, Plan, last_operation, operation_for
from app.answers.retrieval import MIN_SCORE

#: Words of a question that asks for a computation on a function, not for what its name means.
COMPUTING = re.compile(r"derivative|slope|gradient|\berrors?\b|\bpeaks?\b|\bmax(?:imum)?\b|\bmin(?:imum)?\b|"
                       r"\bplot\b|\bcurve\b|\bat x\b|\bvalue\b", re.IGNORECASE)
#: Intents a stored misreading answers instead (its correction is the explanation asked for) …
EXPLAINED_BY_MISREADING = ("explain", "out_of_scope", "why_model")
#: … and those it follows: the value is looked up as asked, then the misreading the question repeats is named.
NAMED_AFTER = ("verify", "architecture", "fact", "model_activation")
#: Out-of-scope questions that still share words with an explanation need this much more evidence.
OUT_OF_SCOPE_RETRIEVAL_FACTOR = 1.6
#: Words of the service's own subject: a question using them is not out of scope for sharing few words
#: with an explanation ("what's a gated FFN vs a normal MLP").
IN_DOMAIN = re.compile(r"\bgated\b|\bgating\b|\bffns?\b|\bmlps?\b|\bfeed[- ]?forward\b|\bactivation functions?\b|"
                       r"\bnon-?linearit", re.IGNORECASE)
#: Intents whose rule is a fallback (the subject's cells, a formula, the setup): a claim the question repeats
#: for checking ("qwen v1's config says swiglu, so it computes swiglu, right?") is answered by the stored
#: misreading it matches instead, on a weaker match than an unframed question needs.
CLAIM_REREAD = ("explain", "out_of_scope", "why_model", "math", "fact", "paper_setup", "model_activation")


def plan_question(
    question: str, lexicon: Lexicon, facts: Facts, index: Any,
    previous_meta: dict[str, Any] | None = None, previous_post_id: int | None = None,
) -> tuple[Plan, Entities]:
    """The plan answering ``question``, and the entities found in it (kept for the next follow-up)."""
    previous = last_operation(previous_meta)
    read = paraphrase.rewrite(question, lexicon)
    entities = recognize(read, lexicon)
    if previous is not None and not entities.models:
        earlier = Slots.from_dict(previous.get("slots"))
        read = paraphrase.with_family(read, list(earlier.models), lexicon)
        read = paraphrase.with_exact(read, list(earlier.activations), lexicon)
        entities = recognize(read, lexicon)
    if previous is not None and asks_sources(question) and previous.get("question"):
        # "source?" after an answer: the same question again, answered with its sources named first
        read = str(previous["question"])
        entities = recognize(read, lexicon)
        previous = previous_post_id = None
    if previous is not None and _moves_to_other_paper(read, previous):
        # "who tops the superglue average?" … "how about in narang?": the same question, about the other paper
        read = f"{str(previous.get('question', '')).rstrip(' ?.!')} in narang et al?"
        entities = recognize(read, lexicon)
        previous = previous_post_id = None
    intent = classify(read, entities.text, entities, lexicon, previous, previous_post_id)
    intent, entities = routing.resolve(read, intent, entities, lexicon, previous, previous_post_id, facts)
    _keep_operation(intent, previous_meta)
    if framing.is_creative(question):
        intent.name, intent.operation, intent.rule = "out_of_scope", "", "a creative-writing task"
    derive = intent.follow_up_of is None
    whole = _derived(intent, question, entities, lexicon, facts) if derive else None
    if whole is None and intent.operation == "multi_part":
        return Plan(operations=_parts(intent, lexicon, facts, index)), entities
    operation = whole or _operation(intent, question, entities, lexicon, facts, index, derive=False)
    if intent.follow_up_of is not None and previous is not None:
        _mark_edits(operation, Slots.from_dict(previous.get("slots")), recognize(operation.text, lexicon))
    operations = _with_sizes(operation)
    if intent.follow_up_of is None:
        operations += _misreading_after(operations[-1], facts)
    return Plan(operations=operations, follow_up_of=intent.follow_up_of), entities


#: The benchmarks of the GLU-variants lexicon that Narang et al.'s Table 1 also has a column for (the SuperGLUE
#: average, and C4 pre-training loss; its XSum, WebQ and WMT columns are matched by that paper's own words).
NARANG_BENCHMARKS = frozenset({"SuperGLUE"})
#: A follow-up that only moves the question to Narang et al.'s paper ("how about in narang?", "and in narang's",
#: "and in the other paper?": after a question about the GLU-variants paper the other stored one is Narang's).
_OTHER_PAPER_ONLY = re.compile(r"^\s*(?:and|what about|how about|same|now|ok(?:ay)?)?\s*(?:for|in|from|with)?\s*"
                               r"(?:(?:the\s+)?narang(?:'s| et al\.?(?:'s)?)?(?:\s+(?:paper|table|one|et al\.?))?|"
                               r"the\s+(?:other|second|2021)\s+(?:paper|study|table|one|source))"
                               r"\s*\??\s*$",
                               re.IGNORECASE)


#: A bare ask for the evidence behind the previous answer ("source?", "where's that from?", "citation pls").
SOURCE_ONLY = re.compile(
    r"^\s*(?:and\s+|what(?:'s| is| are)\s+)?(?:the\s+|your\s+)?(?:sources?|citations?|cite|refs?|"
    r"references?|links?|evidence)(?:\s+for\s+(?:that|this|it))?\s*(?:pls|please)?\s*\??\s*$|"
    r"^\s*where(?:'s| is| does| did)?\s+(?:that|this|it)\s+(?:from|come from|coming from)\s*\??\s*$|"
    r"^\s*according to (?:what|whom|which (?:paper|source))\s*\??\s*$", re.IGNORECASE)


def asks_sources(question: str) -> bool:
    return bool(SOURCE_ONLY.match(question))


def _moves_to_other_paper(text: str, previous: dict[str, Any]) -> bool:
    asked_before = str(previous.get("question", ""))
    return bool(_OTHER_PAPER_ONLY.match(text)) and bool(asked_before) and "narang" not in asked_before.lower()


def _keep_operation(intent: Intent, previous_meta: dict[str, Any] | None) -> None:
    """A follow-up that names no operation of its own keeps the previous one ('how noisy is cola' … 'and
    rte?' is RTE's spread, not its cells), as a later part of a multi-part question does (:func:`_edit_of`)."""
    if intent.follow_up_of is None or intent.operation or not previous_meta:
        return
    plan = previous_meta.get("plan")
    operations = plan.get("operations") if isinstance(plan, dict) else None
    answered = [op for op in operations or [] if isinstance(op, dict) and op.get("method") != "misreading"]
    method = str(answered[-1].get("method", "")) if answered else ""
    if method in ROUTED_METHODS and method not in routing.OTHER_PAPER and ROUTED_METHODS[method] == intent.name:
        intent.operation = method
        intent.rule += f"; keeps the previous operation ({method})"


#: A config field name as people paste it ("hidden_act", "intermediate_size", "hidden_activation").
_FIELD = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")
_CONTRAST = re.compile(r"\bvs\.?\b|\bversus\b|\bdifference\b|\bdiffer\b|\bwhich one\b|\bor\b")


def _contrasts_fields(question: str) -> bool:
    """'hidden_act vs hidden_activation — what's the difference?': two config fields set against each other,
    which is what the stored misreadings about configs explain."""
    return len(set(_FIELD.findall(question.lower()))) >= 2 and bool(_CONTRAST.search(question.lower()))


def _misreading_after(operation: Operation, facts: Facts) -> list[Operation]:
    """The stored misreading a lookup or a claim repeats, as an operation after it ('LLaMA-13B's hidden
    size is 13568?' gets the stored size, then the rounding misreading that yields 13568)."""
    unknown_model = operation.method == "decline" and operation.inputs.get("what") == "model"
    if operation.method not in NAMED_AFTER and not unknown_model:
        return []
    if states_catalog_sizes(operation.slots.models, operation.slots.numbers, facts):
        return []
    repeated = misread.detect(operation.text, facts)
    if repeated is None:
        return []
    return [Operation(kind="verify", method="misreading", asked=operation.asked, read_as=operation.read_as,
                      inputs=repeated, rule=f"repeats a stored misreading ({repeated['id']})")]


def states_catalog_sizes(models: list[str], numbers: list[float], facts: Facts) -> bool:
    """'mixtral 8x7b's expert ffn is 14336 wide, right?': every number the question states is a catalog size
    of a model it names, so it repeats no misreading (a wrong one, 'LLaMA-13B's is 13568?', still does)."""
    rows = [facts.catalog[m] for m in models if m in facts.catalog]
    sizes = set()
    for row in rows:
        for text in (row["d_model_text"], row["d_ff_text"]):
            try:
                sizes.add(float(str(text).replace(",", "")))
            except ValueError:
                continue
    return bool(numbers) and bool(sizes) and all(n in sizes for n in numbers)


def _with_sizes(operation: Operation) -> list[Operation]:
    """'gemma 2 9b d_model, intermediate size and activation': the sizes asked beside the activation are an
    operation of their own, answered first (the words come first in the question)."""
    if operation.method != "model_activation" or not operation.slots.arch_keys or not operation.slots.models:
        return [operation]
    sizes = operation.model_copy(update={"method": "architecture", "kind": "catalog",
                                         "rule": "a model and architecture parameters, asked beside its activation"})
    return [sizes, operation]


def _operation(intent: Intent, asked: str, entities: Entities, lexicon: Lexicon, facts: Facts, index: Any,
               derive: bool) -> Operation:
    """One operation: a framework name's meaning or a derived kind where the question asks for one, else the
    (rerouted) intent's own."""
    asks_why = intent.name in ("explain", "why_model") and WHY.search(intent.question)
    names = (framework_names.detect(intent.question)
             if not (entities.models or entities.numbers or intent.operation or COMPUTING.search(intent.question)
                     or asks_why) else [])
    if names:
        intent.rule = "asks what a framework's or config's activation name computes"
        return operation_for(intent, asked, "framework_name", {"names": names})
    wanted = _derived(intent, asked, entities, lexicon, facts) if derive else None
    if wanted is not None:
        return wanted
    # a claim comparing two table rows is the table's to check, not a misreading's
    rereadable = intent.name in CLAIM_REREAD and len(entities.variant_like()) < 2
    claim = rereadable and framing.is_claim(intent.question)
    asks_yes_no = rereadable and bool(framing.YES_NO_START.search(intent.question))
    contrast = intent.name in CLAIM_REREAD and _contrasts_fields(intent.question)
    if (intent.name in EXPLAINED_BY_MISREADING or claim or asks_yes_no or contrast) and not intent.operation \
            and intent.follow_up_of is None and not (
                intent.name not in ("explain", "why_model")
                and states_catalog_sizes(intent.slots.models, intent.slots.numbers, facts)):
        repeated = misread.detect(intent.question, facts,
                                  misread.CLAIM_SCORE if claim or contrast else misread.EXPLAIN_SCORE)
        if repeated is not None and not claim and intent.name == "explain":
            explained = index.search(intent.question, entities, k=1)
            wording = repeated["score"] - (misread.NUMBER_SCORE if repeated["shared_number"] else 0.0)
            repeated = None if explained and explained[0].score > wording else repeated
        if repeated is not None:
            intent.rule = f"repeats a stored misreading ({repeated['id']}, score {repeated['score']})"
            return operation_for(intent, asked, "misreading", repeated)
    if intent.name == "out_of_scope" and not intent.operation and not framing.is_creative(intent.question):
        strong = index.search(intent.question, entities, k=1)
        factor = 1.0 if IN_DOMAIN.search(intent.question) else OUT_OF_SCOPE_RETRIEVAL_FACTOR
        if strong and strong[0].score >= MIN_SCORE * factor:
            intent.name, intent.rule = "explain", "no entity, but a curated explanation matches strongly"
    return operation_for(intent, asked)


def _derived(intent: Intent, asked: str, entities: Entities, lexicon: Lexicon, facts: Facts) -> Operation | None:
    """The derived-answer operation the words ask for (a calculation, a claim, a specific decline), if any."""
    if intent.operation in routing.OTHER_PAPER:  # the other paper's own cells, unless its task is not stored
        label = derived.other_benchmark(entities.text, asked)
        unreported = [b for b in entities.benchmarks if b not in NARANG_BENCHMARKS and not b.startswith("C4")]
        if not label and unreported:
            # "narang geglu mnli accuracy": a GLU-variants benchmark that Narang et al.'s table has no column for
            label = unreported[0].split("/")[-1].removesuffix("-m")
            intent.rule = f"a benchmark Narang et al. do not report: {label}"
            return operation_for(intent, asked, "decline", {"what": "benchmark", "name": label, "paper": "second"})
        if not label:
            return None
        intent.rule = f"a benchmark Narang et al. do not report either: {label}"
        return operation_for(intent, asked, "decline", {"what": "benchmark", "name": label, "paper": "second"})
    wanted = derived.detect(asked, entities, lexicon, facts)
    if wanted is None:
        return None
    intent.rule = f"a derived answer: {wanted.kind} {wanted.inputs.get('what', '')}".strip()
    return operation_for(intent, asked, wanted.kind, wanted.inputs)


def _parts(intent: Intent, lexicon: Lexicon, facts: Facts, index: Any) -> list[Operation]:
    """One operation per part of a multi-part question, in the order asked; a pronoun in a later part
    ('which models use it?') names the earlier part's subject."""
    operations: list[Operation] = []
    earlier: list[dict[str, str]] = []
    for piece in intent.parts:
        if len(operations) >= 2 and BETWEEN_THEM.search(piece):
            # "a) geglu 65k ppl b) geglu full ppl c) the drop between them": the two parts before it, set apart
            first, second = (op.text.rstrip(" ?.") for op in operations[-2:])
            piece = BETWEEN_THEM.sub(f"between {first} and {second}", piece, count=1)
        part, part_entities = routing.part_intent(piece, lexicon, earlier, facts)
        if operations and is_follow_up(part_entities.text, part_entities, True):
            part, part_entities = _edit_of(operations[-1], piece, earlier, lexicon, facts)
        operations.append(_operation(part, piece, part_entities, lexicon, facts, index, derive=True))
        earlier = part_entities.matches or earlier
    return operations


#: A part that asks how the two parts before it differ ("the drop between them", "the gap between the two").
BETWEEN_THEM = re.compile(r"\b(?:between|of) (?:them|the two|those two|these two|both)\b", re.IGNORECASE)


def _edit_of(before: Operation, piece: str, earlier: list[dict[str, str]], lexicon: Lexicon,
             facts: Facts) -> tuple[Intent, Entities]:
    """An elliptical later part ('… and qwen3-32b?') read as an edit of the part before it: the same
    operation with the slots it names replaced, as a follow-up edits the previous answer's plan."""
    context = {"intent": ROUTED_METHODS.get(before.method, before.method), "slots": before.slots.model_dump(),
               "question": before.text, "entities": earlier}
    text = paraphrase.with_family(piece, list(before.slots.models), lexicon)
    entities = recognize(text, lexicon)
    part = classify(text, entities.text, entities, lexicon, context, None)
    part.follow_up_of, part.rule = None, f"an elliptical part: the {before.method} operation before it, edited"
    if before.method in ROUTED_METHODS and not part.operation and part.name == ROUTED_METHODS[before.method]:
        part.operation = before.method
    part = routing.reroute(part, entities.text, entities, None, facts)
    if not part.operation and NOISE.search(entities.text) and (
            part.slots.variants or part.slots.benchmarks or part.slots.steps):
        part.name, part.operation = "fact", "spread"  # "… 2) its run-to-run spread": the same column's noise
    return part, entities


def _mark_edits(operation: Operation, previous: Slots, named: Entities) -> None:
    """Record which slots the follow-up named (replaced) and which it took from the previous plan."""
    new = named_slots(named)
    for name in SLOT_NAMES:
        value = getattr(operation.slots, name)
        if not value:
            continue
        if getattr(new, name):
            operation.replaced.append(name)
        elif value == getattr(previous, name):
            operation.inherited.append(name)


def vocabulary(lexicon: Lexicon) -> dict[str, frozenset[str]]:
    """The ids each slot may hold, for a language-model planner: what recognition itself can produce."""
    found: dict[str, set[str]] = {}
    for refs in (*lexicon.phrases.values(), *lexicon.cased_phrases.values()):
        for ref in refs:
            found.setdefault(f"{ref.kind}s", set()).add(ref.value)
    found["steps"] = {str(s) for s in lexicon.steps}
    found["setup_keys"], found["arch_keys"] = set(SETUP_KEYWORDS), set(ARCH_KEYWORDS)
    return {k: frozenset(v) for k, v in found.items()}


def named_slots(entities: Entities) -> Slots:
    """The slots a question names itself (its entities, without any inherited context)."""
    return Slots(variants=list(entities.variants), activations=list(entities.activations), gates=list(entities.gates),
                 models=[m.name for m in entities.models], benchmarks=list(entities.benchmarks),
                 metrics=list(entities.metrics), steps=list(entities.steps), numbers=list(entities.numbers),
                 paper=entities.paper)
