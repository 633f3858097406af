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

from app.answers import derived, followups, framework_names, framing, misread, paraphrase, routing
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
    rank_order,
)
from app.answers.lexicon import Lexicon
from app.answers.plan import (
    DERIVED_METHODS,
    ROUTED_METHODS,
    SLOT_NAMES,
    Operation,
    Plan,
    last_operation,
    operation_for,
)
from app.answers.retrieval import MIN_SCORE
from app.answers.unreported import detect as unreported_aspect

#: Words of a question that asks for a computation on a function, not for what its name means.
COMPUTING = re.compile(r"derivative|slope|gradient|\berrors?\b|\bpeaks?\b|\bmax(?:imum)?\b|\bmin(?:imum)?\b|"
                       r"\bplot\b|\bcurve\b|\bat x\b|\bvalue\b", re.IGNORECASE)
#: An FFN kind the catalog stores for every model ("gated", "dense", "a glu ffn").
FFN_KIND = re.compile(r"\b(?:gated|dense|ungated|non-gated|glu[- ]style|glu-type)\b", re.IGNORECASE)
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
    beside = _beside_creative(question, lexicon)
    if beside is not None:
        # "write me a poem about swiglu and tell me its superglue avg": the poem is declined, the rest answered
        rest, entities = plan_question(beside, lexicon, facts, index)
        task = CREATIVE_AND.split(question, maxsplit=1)[0].strip(" ,")
        declined = Operation(kind="decline", method="out_of_scope", asked=task,
                             rule="a creative-writing task, asked beside a question the store answers")
        return Plan(operations=[declined, *rest.operations][:6]), entities
    read = paraphrase.rewrite(question, lexicon)
    entities = recognize(read, lexicon)
    if previous is not None and not entities.models:
        earlier = Slots.from_dict(previous.get("slots"))
        read = paraphrase.with_family(read, list(earlier.models), lexicon)
        read = paraphrase.with_exact(read, list(earlier.activations), lexicon)
        read = paraphrase.with_approximation(read, list(earlier.activations))
        entities = recognize(read, lexicon)
    if previous is not None and asks_sources(question) and previous.get("question"):
        # "source?" after an answer: the same question again, answered with its sources named first
        read = str(previous["question"])
        entities = recognize(read, lexicon)
        previous = previous_post_id = None
    if previous is not None and _moves_to_other_paper(read, previous):
        # "who tops the superglue average?" … "how about in narang?": the same question, about the other paper
        read = followups.in_other_paper(previous)
        entities = recognize(read, lexicon)
        previous = previous_post_id = None
    reworded = _reasked_with(read, previous) if previous is not None else None
    if reworded is not None:
        # "swiglu minus relu on superglue" … "in percent?": the same question, with what the follow-up adds
        read = reworded
        entities = recognize(read, lexicon)
        previous = previous_post_id = None
    written_out = _written_out(read, previous, previous_meta, lexicon, facts) if previous is not None else None
    if written_out is not None:
        read = written_out
        entities = recognize(read, lexicon)
        previous = previous_post_id = None
    intent = classify(read, entities.text, entities, lexicon, previous, previous_post_id)
    if intent.follow_up_of is not None and intent.name in DERIVED_METHODS:
        # a follow-up of a calculation that changes nothing it was computed from: a question of its own
        # (a derived method's inputs are read from the words, and these words give none)
        previous = previous_post_id = None
        intent = classify(read, entities.text, entities, lexicon)
    intent, entities = routing.resolve(read, intent, entities, lexicon, previous, previous_post_id, facts)
    _keep_operation(intent, previous_meta)
    _keep_derivative(intent, question, previous_meta)
    _keep_order(intent, previous)
    off_topic = _off_topic(read, entities)
    if framing.is_creative(question):
        intent.name, intent.operation, intent.rule = "out_of_scope", "", "a creative-writing task"
    elif off_topic:
        intent.name, intent.operation, intent.rule = "out_of_scope", "", off_topic
    elif intent.name == "paper_setup" and not intent.operation and entities.is_empty() and (
            not SETUP_CONTEXT.search(read) or (not STRONG_CONTEXT.search(read) and (
                PERSONAL.search(read) or len(read.split()) > 7))):
        intent.name, intent.rule = "out_of_scope", "a setup word only, in words about something else"
    # a question whose only tie to the thread is a pronoun is a question of its own once the pronoun is read
    resolved = intent.follow_up_of is not None and "the pronoun read as the previous subject" in intent.rule
    derive = (intent.follow_up_of is None or resolved) and not off_topic
    detect_in = paraphrase.without_instructions(question, lexicon)
    listed = intent.operation == "multi_part" and routing.is_listed(question)
    whole = (_derived(intent, question, entities, lexicon, facts, intent.question if resolved else detect_in)
             if derive and not listed else None)
    if (whole is None or whole.method == "decline") and intent.operation == "multi_part":
        # a decline of the whole ("geglu: glue avg? also narang final loss?" is no GLUE column of Narang's)
        # is the parts' to give, each for its own words
        parts = _parts(intent, lexicon, facts, index)
        if all(op.method == "out_of_scope" for op in parts):
            # "best vpn for streaming?? need one asap": no part names anything stored, so the question is out
            # of scope as a whole, not a list of undeclared parts
            parts = [Operation(kind="decline", method="out_of_scope", asked=question,
                               rule="no part of the question names anything the store holds")]
        return Plan(operations=parts), entities
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


#: A bare ask for the evidence behind the previous answer ("source?", "where's that from?", "citation pls",
#: "wheres that number from", "says who?", "got a link for that?", "which paper is that from").
_SOURCE_NOUN = r"(?:sources?|citations?|cite|refs?|references?|links?|evidence|proof|paper|table)"
_THAT = r"(?:that|this|it|those|these|them)"
_END = r"\s*(?:pls|please|plz)?\s*[?!.]*\s*$"
SOURCE_ONLY = re.compile(
    rf"^\s*(?:and\s+|ok(?:ay)?\s+|so\s+)?(?:(?:what(?:'s|s| is| are)|got|do you have|have you got|gimme|give me|"
    rf"any|can i (?:get|see)|show me)\s+)?(?:the\s+|your\s+|a\s+)?{_SOURCE_NOUN}(?:\s+(?:for|on|of|behind)\s+"
    rf"{_THAT}(?:\s+(?:number|value|figure|claim))?)?{_END}|"
    rf"^\s*(?:and\s+)?where(?:'s|s| is| does| did|'d| do)?\s+(?:(?:you|u|ya) get\s+)?{_THAT}(?:\s+(?:number|value|"
    rf"figure|one|come|comes|coming))*\s*(?:from|come from|comes from|coming from)?{_END}|"
    rf"^\s*(?:cite|link|source)\s+(?:{_THAT}|pls|please){_END}|"
    rf"^\s*(?:says who|according to (?:what|whom|which (?:paper|source|table))|based on what|"
    rf"which (?:paper|table|source)(?:\s+(?:is|was)\s+{_THAT}\s+from|\s+says\s+(?:that|so))?){_END}",
    re.IGNORECASE)
#: Words that say which end of a column a ranking question asks for.
ORDER_WORDS = re.compile(r"\b(?:best|worst|lowest|highest|top|bottom|weakest|strongest|smallest|largest|last)\b",
                         re.IGNORECASE)
#: "how do i fine-tune llama 3 on my own data": a how-to about using a model, which no stored table answers.
HOW_TO = re.compile(r"^\s*(?:how (?:do|can|should|would) (?:i|we|you|one)|how to|can you help me|help me|"
                    r"what'?s the (?:best|easiest) way to)\s+(?:fine-?tune|finetune|train|install|deploy|run|host|"
                    r"serve|quantize|set up|setup|debug|fix|speed up|download|load|prompt|build|code|implement|"
                    r"distill)\b",
                    re.IGNORECASE)
#: "what's the best gpu for training transformers": a shopping question, whatever domain words it has.
RECOMMEND = re.compile(r"\b(?:best|good|recommend\w*|should i (?:buy|get|use)|cheapest|which \w+ (?:to|should i) "
                       r"(?:buy|get))\b.{0,30}\b(?:gpus?|laptops?|computers?|cards?|hardware|cloud|providers?|books?|"
                       r"courses?|tutorials?|cpus?|macbooks?)\b", re.IGNORECASE)


def _off_topic(read: str, entities: Entities) -> str:
    """Why a question that shares words with the service's subject is still outside it ('' when it is not)."""
    functions = entities.activations or entities.gates or entities.variants
    if HOW_TO.search(read) and not functions:
        return "a how-to about using a model, not a question about its FFN or the papers"
    if RECOMMEND.search(read) and not functions and not entities.models:
        return "a request for a product or reading recommendation"
    return ""


#: Words that place a setup question in the papers' experiments whatever else it says …
STRONG_CONTEXT = re.compile(
    r"\b(?:paper|train\w*|pre-?train\w*|fine-?tun\w*|steps?|models?|glu\w*|ffns?|mlps?|t5|shazeer|narang|"
    r"transformers?|experiments?|runs|variability|c4|perplexity|d_ff|d_model|authors?|they|their)\b", re.IGNORECASE)
#: … and the asker's own things, which a setup word alone does not make a question about the papers ("the
#: best optimizer for my sourdough starter").
PERSONAL = re.compile(r"\b(?:my|mine|i|i'm|im|me|our|we)\b", re.IGNORECASE)
#: Words that put a bare setup word ("how long", "speed") in the papers' training setup; without one and
#: without any known name, the question is about something else ("how long do i boil an egg").
SETUP_CONTEXT = re.compile(
    r"\b(?:paper|train\w*|pre-?train\w*|fine-?tun\w*|steps?|models?|glu\w*|ffns?|mlps?|t5|shazeer|narang|"
    r"transformers?|experiments?|runs|variability|optimi[sz]er|adafactor|dropout|learning rate|lr|warmup|"
    r"batch|sequences?|tokens?|d_ff|d_model|attention|c4|bias(?:es)?|beta|β|objective|"
    r"perplexity|tpu|seeds?|authors?)\b", re.IGNORECASE)


_LEAD = r"^\s*(?:and|now|ok(?:ay)?|what about|how about|same|but)?[\s,]*(?:(?:in|as|for|with)\s+)?(?:a\s+|the\s+)?"
#: Follow-ups that only add a way of reading the previous question's cells ("in percent?", "and in the appendix
#: table?", "now bottom 3"), and how each rewrites it.
_PERCENT_ONLY = re.compile(_LEAD + r"(?:percent(?:age)?|per ?cent|%|relative(?: terms)?)(?: terms)?\s*\??\s*$",
                           re.IGNORECASE)
_APPENDIX_ONLY = re.compile(_LEAD + r"(?:appendix(?: table)?|table 2|learned[- ]pos\w*(?: embeddings?)?(?: table)?|"
                            r"learned position(?:al)? embeddings?(?: table)?)\s*\??\s*$", re.IGNORECASE)
_RANK_ONLY = re.compile(_LEAD + r"(?P<ask>(?:top|bottom|best|worst)[\s-]*(?:\d+|two|three|four|five)?)\s*\??\s*$",
                        re.IGNORECASE)
_RANK_WORDS = re.compile(r"\b(?:top|bottom|best|worst|highest|lowest)[\s-]*(?:\d+|two|three|four|five)?\b",
                         re.IGNORECASE)


def _reasked_with(text: str, previous: dict[str, Any]) -> str | None:
    """The previous question re-asked with what a bare modifier follow-up adds, or None."""
    before = str(previous.get("question", "")).strip().rstrip(" ?.!")
    if not before:
        return None
    if _PERCENT_ONLY.match(text):
        return f"{before}, in percent (relative)"
    if _APPENDIX_ONLY.match(text) and "narang" in before.lower():
        return f"{before} in narang's appendix table"
    ranked = _RANK_ONLY.match(text)
    if ranked and _RANK_WORDS.search(before):
        return f"{_RANK_WORDS.sub('', before, count=1).strip()} {ranked.group('ask')}"
    return None


def asks_sources(question: str) -> bool:
    return bool(SOURCE_ONLY.match(question))


def _moves_to_other_paper(text: str, previous: dict[str, Any]) -> bool:
    asked_before = str(previous.get("question", ""))
    if bool(_OTHER_PAPER_ONLY.match(text)) and bool(asked_before) and "narang" not in asked_before.lower():
        return True
    return followups.moves_to_other_paper(text, previous)


def _written_out(read: str, previous: dict[str, Any], previous_meta: dict[str, Any] | None, lexicon: Lexicon,
                 facts: Facts) -> str | None:
    """The follow-up written out as the whole question it stands for, where the kind of the earlier answer
    decides its meaning (see :mod:`app.answers.followups`); None when the slot merge reads it right."""
    return (followups.within_other_paper(read, previous_meta, lexicon)
            or followups.both_subjects(read, previous_meta, lexicon)
            or followups.two_functions_apart(read, previous_meta, lexicon)
            or followups.across_papers(read, previous_meta)
            or followups.after_decline(read, previous_meta, lexicon)
            or followups.after_derived(read, previous_meta, DERIVED_METHODS, lexicon)
            or followups.size_rationale(read, previous, facts, lexicon)
            or followups.of_the_winner(read, previous, facts, lexicon)
            or followups.model_fields(read, previous, lexicon)
            or followups.length_change(read, previous, lexicon)
            or followups.model_claim(read, previous, lexicon)
            or followups.back_reference(read, previous, lexicon)
            or followups.versus_earlier(read, previous, lexicon)
            or followups.reference_row(read, previous, lexicon)
            or followups.both_lengths(read, previous, lexicon)
            or followups.math_distance(read, previous, lexicon)
            or followups.confirmation(read, previous, lexicon))


#: "… and tell me its superglue avg": where a creative task ends and a question begins.
CREATIVE_AND = re.compile(r",?\s+(?:and|then|but|also)\s+(?:also\s+)?(?=(?:tell me|give me|show me|what(?:'s| is| are)|"
                          r"which|how)\b)", re.IGNORECASE)


def _beside_creative(question: str, lexicon: Lexicon) -> str | None:
    """The question asked after a creative task in the same message, with its pronoun read as the task's
    subject; None when the message is not such a pair."""
    if not framing.is_creative(question):
        return None
    pieces = CREATIVE_AND.split(question, maxsplit=1)
    if len(pieces) != 2 or framing.is_creative(pieces[1]):
        return None
    first, second = pieces
    named = recognize(second, lexicon)
    subject = routing.subject_of(recognize(first, lexicon).matches)
    text = second
    if subject and not _names_subject(named) and routing.PRONOUN.search(second.lower()):
        text = re.sub(r"\b(?:its|it|that|this|them|they)\b", subject, second, count=1, flags=re.IGNORECASE)
    return text if not recognize(text, lexicon).is_empty() else None


def _keep_order(intent: Intent, previous: dict[str, Any] | None) -> None:
    """'which is the worst variant at 65k' … 'and after full training?': still the worst, at the new length
    (the end of the column is read from the words, and these name none)."""
    if intent.follow_up_of is None or intent.name != "best" or previous is None or (
            str(previous.get("intent")) != "best") or ORDER_WORDS.search(intent.question):
        return
    order = rank_order(str(previous.get("question", "")))
    if order != "best":
        intent.question = f"{intent.question.rstrip(' ?')} ({order})?"


def _keep_derivative(intent: Intent, question: str, previous_meta: dict[str, Any] | None) -> None:
    """A computation follow-up keeps what the whole thread asked, not only the turn before it: 'slope of gelu
    at 0.5' … 'and at x=-0.5' … 'ok now silu there' is still a slope (the derivative is read from these words)."""
    before = followups.last_operation(previous_meta)
    if intent.follow_up_of is None or intent.name != "math" or before is None or before.get("method") != "math":
        return
    earlier = str(before.get("retrieval_query") or "")
    if earlier:
        intent.retrieval_query = f"{earlier} {question}"[-2000:]


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


def names_catalog_activation(slots: Slots, facts: Facts) -> bool:
    """'llama 3 8b is swiglu, right?': the activation the claim names is the named model's catalog activation (or
    its gate, geglu for geglu_tanh), so the claim repeats no misreading."""
    used = {facts.catalog[m]["activation"] for m in slots.models if m in facts.catalog}
    claimed = [*slots.gates, *slots.activations]
    return any(a == c or a.startswith(f"{c}_") for a in used for c in claimed)


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


#: "llama 2 7b ffn", "mixtral mlp?": a model's FFN named by itself, which its width and activation describe.
BARE_FFN = re.compile(r"^\s*(?:what(?:'s| is| about)?\s+|and\s+)?(?:the\s+)?(?P<model>.{2,40}?)(?:'s)?\s+"
                      r"(?:ffn|mlp|feed[- ]?forward(?: layer)?)\s*\??\s*$", re.IGNORECASE)


def _with_sizes(operation: Operation) -> list[Operation]:
    """'gemma 2 9b d_model, intermediate size and activation': the sizes asked beside the activation are an
    operation of their own, answered first (the words come first in the question); a model's FFN asked by
    itself ('llama 2 7b ffn') gets both too."""
    if operation.method == "model_activation" and operation.slots.models and not operation.slots.arch_keys and (
            BARE_FFN.match(operation.text)):
        operation.slots.arch_keys = ["ff"]
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
    computing = intent.follow_up_of is not None and intent.name == "math"  # "same for quick gelu" after an error
    names = (framework_names.detect(intent.question)
             if not (entities.models or entities.numbers or intent.operation or COMPUTING.search(intent.question)
                     or asks_why or computing) else [])
    if not names and intent.follow_up_of is not None and intent.name == "framework_name":
        # "what does gelu_new compute" … "and quick_gelu?": the same question about the name given now
        names = framework_names.detect(f"what does {intent.question.rstrip(' ?')} compute?")
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
    # "does llama 2 70b use a gated ffn?": a yes/no about what the catalog row itself stores, not a misreading
    asks_yes_no = asks_yes_no and not (intent.name == "model_activation" and FFN_KIND.search(intent.question))
    contrast = intent.name in CLAIM_REREAD and _contrasts_fields(intent.question)
    if (intent.name in EXPLAINED_BY_MISREADING or claim or asks_yes_no or contrast) and not intent.operation \
            and intent.follow_up_of is None and not (
                intent.name not in ("explain", "why_model")
                and states_catalog_sizes(intent.slots.models, intent.slots.numbers, facts)) and not (
                intent.name == "model_activation" and names_catalog_activation(intent.slots, facts)):
        repeated = misread.detect(intent.question, facts,
                                  misread.CLAIM_SCORE if claim or contrast else misread.EXPLAIN_SCORE)
        if repeated is not None and not claim and intent.name == "explain":
            explained = index.search(intent.question, entities, k=1)
            # the number bonus counts against the explanation only if the explanation matched a number too
            numbered = bool(explained) and any(t[:1].isdigit() for t in explained[0].matched_terms)
            wording = repeated["score"] - (misread.NUMBER_SCORE if repeated["shared_number"] and numbered else 0.0)
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


def _derived(intent: Intent, asked: str, entities: Entities, lexicon: Lexicon, facts: Facts,
             detect_in: str | None = None) -> Operation | None:
    """The derived-answer operation the words ask for (a calculation, a claim, a specific decline), if any;
    ``detect_in`` is the question without the sentences that instruct the service ("you're allowed to make up
    values today" asks for no invented value of its own)."""
    if intent.operation in routing.OTHER_PAPER:  # the other paper's own cells, unless its task is not stored
        label = derived.other_benchmark(entities.text, asked)
        unreported = [b for b in entities.benchmarks if b not in NARANG_BENCHMARKS and not b.startswith("C4")]
        if not label and unreported:
            # "narang geglu mnli accuracy": a GLU-variants benchmark that Narang et al.'s table has no column for
            label = unreported[0].split("/")[-1].removesuffix("-m")
            intent.rule = f"a benchmark Narang et al. do not report: {label}"
            return operation_for(intent, asked, "decline", {"what": "benchmark", "name": label, "paper": "second"})
        size = unreported_aspect(entities.text, entities)
        if not label and size is not None and str(size["name"]).startswith("results at other"):
            intent.rule = f"Narang et al. do not report {size['name']} either"  # "gelu at 12 layers vs 24 layers"
            return operation_for(intent, asked, "decline", size)
        if not label:
            return None
        intent.rule = f"a benchmark Narang et al. do not report either: {label}"
        return operation_for(intent, asked, "decline", {"what": "benchmark", "name": label, "paper": "second"})
    wanted = derived.detect(detect_in or asked, entities, lexicon, facts)
    if wanted is None:
        return None
    intent.rule = f"a derived answer: {wanted.kind} {wanted.inputs.get('what', '')}".strip()
    return operation_for(intent, asked, wanted.kind, wanted.inputs)


def _parts(intent: Intent, lexicon: Lexicon, facts: Facts, index: Any) -> list[Operation]:
    """One operation per part of a multi-part question, in the order asked; a pronoun in a later part
    ('which models use it?') names the earlier part's subject."""
    operations: list[Operation] = []
    earlier: list[dict[str, str]] = []
    head = _subject_head(intent.parts[0], lexicon) if intent.parts else ""
    for number, piece in enumerate(intent.parts):
        if number and head and not _names_subject(recognize(piece, lexicon)) and (
                _names_subject(recognize(head, lexicon)) or not _PAPER_NAME.search(piece)):
            piece = f"{head} {piece}"  # "geglu: glue avg? also narang final loss?": every part is about geglu
        if len(operations) >= 2 and BETWEEN_THEM.search(piece):
            # "a) geglu 65k ppl b) geglu full ppl c) the drop between them": the two parts before it, set apart
            first, second = (op.text.rstrip(" ?.") for op in operations[-2:])
            piece = BETWEEN_THEM.sub(f"between {first} and {second}", piece, count=1)
        if operations and COMPARES_IT.search(piece):
            # "cola mcc of FFN_GELU, and how does it compare to FFN_ReLU": the part before it, against the new one
            named = [m["text"] for m in recognize(piece, lexicon).matches if m.get("kind") == "variant"]
            if named:
                piece = f"{operations[-1].text.rstrip(' ?.')} vs {' vs '.join(dict.fromkeys(named))}"
        if operations and operations[-1].method == "best":
            # "which variant has the worst glue avg and what is its squad f1": "its" is the part's answer
            piece = followups.with_winner(piece, operations[-1].text, operations[-1].slots.to_slots(), facts,
                                          lexicon) or piece
        part, part_entities = routing.part_intent(piece, lexicon, earlier, facts)
        prefixed = (followups.subject_prefixed(piece, part_entities, earlier)
                    if operations and not is_follow_up(part_entities.text, part_entities, True) else None)
        if prefixed is not None:
            # "llama 3.1 405b - d_model, d_ff, and which activation": the bare part is about the earlier subject
            part, part_entities = routing.part_intent(prefixed, lexicon, earlier, facts)
        if operations and is_follow_up(part_entities.text, part_entities, True):
            part, part_entities = _edit_of(operations[-1], piece, earlier, lexicon, facts)
        operation = _operation(part, piece, part_entities, lexicon, facts, index, derive=True)
        if not _restates(operation, operations):
            operations.append(operation)
        earlier = part_entities.matches or earlier
    return operations


def _restates(operation: Operation, before: list[Operation]) -> bool:
    """'qqp acc for swiglu? the acc column, not f1': an elliptical later part that looks up exactly the cells
    of an earlier one restates it; answering it again would only repeat that part."""
    return operation.method == "fact" and operation.rule.startswith("an elliptical part") and any(
        o.method == operation.method and o.slots == operation.slots for o in before)


#: A part that sets the part before it against a new subject ("how does it compare to relu", "and that vs glu?").
COMPARES_IT = re.compile(r"\b(?:it|that|this|its|those|these)\b.{0,30}\b(?:compares?|vs\.?|versus|against|than)\b|"
                         r"\bcompare (?:it|that|this|them)\b", re.IGNORECASE)
#: A paper named by its author or title words: a head that names one puts every part in that paper.
_PAPER_NAME = re.compile(r"\bnarang\b|\bshazeer\b|\bglu[- ]variants?\b|\bglu paper\b", re.IGNORECASE)


def _subject_head(first: str, lexicon: Lexicon) -> str:
    """The head of 'geglu: glue avg? squad em?' or 'narang: best final loss? best superglue?' (the words before
    the colon, when they name a subject or a paper)."""
    head = first.split(":", 1)[0] if ":" in first else ""
    named = bool(head) and (_names_subject(recognize(head, lexicon)) or bool(_PAPER_NAME.search(head)))
    return head.strip() if named else ""


def _names_subject(entities: Entities) -> bool:
    return bool(entities.variants or entities.activations or entities.gates or entities.models)


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
