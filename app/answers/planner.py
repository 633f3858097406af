"""The rule planner: a question (and the thread's previous plan) -> a :class:`~app.answers.plan.Plan`.

Why rules first: they are deterministic, fast (well under a millisecond per question) and every choice
has a readable reason, which "how this was answered" shows. The steps are the ones the answers have always
taken — entities, intent, the shape reroutes of :mod:`app.answers.routing`, the derived kinds of
:mod:`app.answers.derived` — but their outcome is now a list of typed operations, one per part asked,
instead of a single template choice. A follow-up edits the previous plan: the slots the new question names
replace the previous ones, the rest are inherited, and both lists are recorded on the operation.
The steps around this one have modules of their own: :mod:`app.answers.followup_rewrites` (follow-ups read
as a whole question), :mod:`app.answers.followup_keeps`, :mod:`app.answers.scope_words`,
:mod:`app.answers.misreading_checks` and :mod:`app.answers.part_edits` (a part read against the one before).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from app.answers import (
    confirmations,
    derived,
    followups,
    framework_names,
    framing,
    misread,
    origins,
    paper_claims,
    paraphrase,
    part_splitting,
    pasted_sizes,
    porting,
    routing,
    size_claims,
    sizes_beside,
    unknown_functions,
)
from app.answers.approximation_errors import SIDE_ASKED
from app.answers.creative_parts import CREATIVE_AND, beside_creative
from app.answers.entities import Entities, recognize
from app.answers.facts import Facts
from app.answers.followup_keeps import _keep_derivative, _keep_fields, _keep_operation, _keep_order, _keep_ratio_pair
from app.answers.followup_rewrites import _moved_paper, _reasked_with, _written_out
from app.answers.followup_rewrites import asks_sources as asks_sources
from app.answers.intents import (
    SAME_AS,
    WHY,
    Intent,
    Slots,
    classify,
    is_follow_up,
)
from app.answers.lexicon import Lexicon
from app.answers.misreading_checks import EXPLAINED_BY_MISREADING, _contrasts_fields, _misreading_after, off_subject
from app.answers.misreading_checks import names_catalog_activation as names_catalog_activation
from app.answers.misreading_checks import states_catalog_sizes as states_catalog_sizes
from app.answers.other_paper_steps import detect as unreported_aspect
from app.answers.part_edits import (
    _PAPER_NAME,
    APART_THEM,
    COMPARES_IT,
    _edit_of,
    _names_subject,
    _restates,
    _subject_head,
    stands_alone,
    which_of_computed,
)
from app.answers.part_edits import BETWEEN_THEM as BETWEEN_THEM
from app.answers.plan import (
    DERIVED_METHODS,
    Operation,
    Plan,
    last_operation,
    mark_edits,
    operation_for,
)
from app.answers.retrieval import MIN_SCORE
from app.answers.scope_words import PERSONAL, SETUP_CONTEXT, STRONG_CONTEXT, _off_topic
from app.answers.slot_vocabulary import vocabulary as vocabulary

#: Words of a question that asks for a computation on a function, not for what its name means.
COMPUTING = re.compile(r"derivative|slope|gradient|\berrors?\b|\bpeaks?\b|\bmax(?:imum)?\b|\bmin(?:imum)?\b|"
                       r"\bplot\b|\bcurve\b|\bat x\b|\bvalue\b|\bhow many times\b|\bby what factor\b", re.IGNORECASE)
#: An FFN kind the catalog stores for every model ("gated", "dense", "a glu ffn").
FFN_KIND = re.compile(r"\b(?:gated|dense|ungated|non-gated|glu[- ]style|glu-type)\b", re.IGNORECASE)
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
    beside = beside_creative(question, lexicon)
    if beside is not None:
        # "write me a poem about swiglu and tell me its superglue avg": the poem is declined, the rest answered
        rest, entities = plan_question(beside, lexicon, facts, index)
        task = CREATIVE_AND.split(question, maxsplit=1)[0].strip(" ,")
        declined = Operation(kind="decline", method="out_of_scope", asked=task,
                             rule="a creative-writing task, asked beside a question the store answers")
        return Plan(operations=[declined, *rest.operations][:6]), entities
    read = paraphrase.rewrite(question, lexicon)
    entities = recognize(read, lexicon)
    unknown = unknown_functions.in_followup(read.lower(), str(previous.get("intent"))) if previous else None
    if unknown is not None:  # "and relu6?": a function nothing stores, not the thread's subject again
        declined = Operation(kind="decline", method="decline", asked=question, inputs=unknown,
                             rule=f"a follow-up naming {unknown['name']}, which no store holds")
        return Plan(operations=[declined], follow_up_of=previous_post_id), entities
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
    moved = _moved_paper(read, previous, previous_meta) if previous is not None else None
    if moved is not None:
        # "who tops the superglue average?" … "how about in narang?": the same question, about the other paper
        read = moved
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
    _keep_ratio_pair(intent, previous)
    _keep_fields(intent, previous_meta)
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
    listed = intent.operation == "multi_part" and (routing.is_listed(question)
                                                   or part_splitting.asks_separately(question, lexicon))
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
        mark_edits(operation, Slots.from_dict(previous.get("slots")), recognize(operation.text, lexicon))
    operations = sizes_beside.with_sizes(operation)
    if intent.follow_up_of is None:
        operations += _misreading_after(operations[-1], facts)
    return Plan(operations=operations, follow_up_of=intent.follow_up_of), entities


#: The benchmarks of the GLU-variants lexicon that Narang et al.'s Table 1 also has a column for (the SuperGLUE
#: average, and C4 pre-training loss; its XSum, WebQ and WMT columns are matched by that paper's own words).
NARANG_BENCHMARKS = frozenset({"SuperGLUE"})


def _operation(intent: Intent, asked: str, entities: Entities, lexicon: Lexicon, facts: Facts, index: Any,
               derive: bool) -> Operation:
    """One operation: a framework name's meaning or a derived kind where the question asks for one, else the
    (rerouted) intent's own."""
    if origins.asks_origin(intent.question, intent.slots) and origins.functions_named(intent.slots) and not (
            entities.models):
        intent.name, intent.operation = "explain", ""
        intent.rule = "asks where a function comes from: the paper the registry names as its source"
        return operation_for(intent, asked)
    asks_why = intent.name in ("explain", "why_model") and WHY.search(intent.question)
    computing = intent.follow_up_of is not None and intent.name == "math"  # "same for quick gelu" after an error
    plain = not (entities.numbers or intent.operation or COMPUTING.search(intent.question) or asks_why or computing
                 or intent.name == "models_using")
    names = framework_names.detect(intent.question) if plain else []
    if entities.models and framework_names.REFERENCE_CODE not in names:
        names = []  # "the original tf bert code" names BERT, but asks what its reference code computes
    if not names and intent.follow_up_of is not None and intent.name == "framework_name":
        # "what does gelu_new compute" … "and quick_gelu?": the same question about the name given now
        names = framework_names.detect(f"what does {intent.question.rstrip(' ?')} compute?")
    if names:
        intent.rule = "asks what a framework's or config's activation name computes"
        return operation_for(intent, asked, "framework_name", {"names": names})
    ported = porting.detect(intent.question, entities) if intent.follow_up_of is None else []
    if ported:
        intent.rule = "asks whether a framework's activation call computes what a catalog model uses"
        return operation_for(intent, asked, "framework_name",
                             {"names": ported, "models": [m.name for m in entities.models]})
    wanted = _derived(intent, asked, entities, lexicon, facts) if derive else None
    if wanted is not None:
        return wanted
    # a claim comparing two table rows is the table's to check, not a misreading's
    rereadable = intent.name in CLAIM_REREAD and len(entities.variant_like()) < 2
    claim = rereadable and framing.is_claim(intent.question)
    asks_yes_no = rereadable and bool(framing.YES_NO_START.search(intent.question))
    # "does llama 2 70b use a gated ffn?": a yes/no about what the catalog row itself stores, not a misreading
    # … nor "does mistral 7b use the same activation as llama 2 7b?": two catalog rows set side by side
    asks_yes_no = asks_yes_no and not (intent.name == "model_activation" and (
        FFN_KIND.search(intent.question) or (len(intent.slots.models) >= 2 and SAME_AS.search(intent.question))))
    # … nor "is the tanh gelu above or below the exact one at x=1?": the side at a point, computed
    asks_yes_no = asks_yes_no and not (intent.name == "math" and intent.slots.numbers and SIDE_ASKED.search(
        intent.question))
    contrast = intent.name in CLAIM_REREAD and _contrasts_fields(intent.question)
    if (intent.name in EXPLAINED_BY_MISREADING or claim or asks_yes_no or contrast) and not intent.operation \
            and intent.follow_up_of is None and not (
                intent.name not in ("explain", "why_model")
                and states_catalog_sizes(intent.slots.models, intent.slots.numbers, facts)) and not (
                intent.name == "model_activation" and names_catalog_activation(intent.slots, facts)):
        repeated = misread.detect(intent.question, facts,
                                  misread.CLAIM_SCORE if claim or contrast else misread.EXPLAIN_SCORE)
        # a why about a model ("why is llama's ffn 2/3 of 4d") weighs the explanation too, unless the misreading
        # prints a number of the question (its own correction then answers)
        if repeated is not None and not claim and (intent.name == "explain" or (
                intent.name == "why_model" and not repeated["shared_number"])):
            explained = index.search(intent.question, entities, k=1)
            # the number bonus counts against the explanation only if the explanation matched a number too
            written = misread.written_numbers(intent.question)  # not the digits of a name such as "qwen-14b"
            numbered = bool(explained) and any(t[:1].isdigit() and Decimal(t).normalize() in written
                                               for t in explained[0].matched_terms)
            wording = repeated["score"] - (misread.NUMBER_SCORE if repeated["shared_number"] and numbered else 0.0)
            repeated = None if explained and explained[0].score > wording else repeated
        if repeated is not None and not off_subject(repeated["id"], intent.question, intent.slots, facts):
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
    attributed = paper_claims.detect(entities.text, facts)  # "the GLU-variants paper is narang et al 2021?"
    if attributed is not None:  # decided by the papers' metadata, whichever paper's cells the words point at
        intent.rule = "a claim about which stored paper is whose (title, authors, year, arXiv id)"
        return operation_for(intent, asked, "best_everywhere", attributed)
    given = pasted_sizes.detect(entities.text)
    if given is not None and given.get("equal_width") is not None:  # "narang's ffn is 768 -> 3072 …": a sizing
        intent.rule = "the other kind's width at equal weights, from the widths written out"
        return operation_for(intent, asked, "ffn_params", {"models": [], "given": given})
    if intent.operation in routing.OTHER_PAPER:  # the other paper's own cells, unless its task is not stored
        # "narang final loss for leaky relu": no row (not ReLU's); "narang's gated ones are smaller?": its Params
        sized_claim = unknown_functions.detect(entities.text) or size_claims.detect(entities.text)
        if sized_claim is not None:
            intent.rule = f"Narang et al.'s table does not answer it as asked: {sized_claim['what']}"
            return operation_for(intent, asked, "decline", sized_claim)
        label = derived.other_benchmark(entities.text, asked)
        unreported = [b for b in entities.benchmarks if b not in NARANG_BENCHMARKS and not b.startswith("C4")]
        if not label and unreported:
            # "narang geglu mnli accuracy": a GLU-variants benchmark that Narang et al.'s table has no column for
            label = unreported[0].split("/")[-1].removesuffix("-m")
            intent.rule = f"a benchmark Narang et al. do not report: {label}"
            return operation_for(intent, asked, "decline", {"what": "benchmark", "name": label, "paper": "second"})
        size = unreported_aspect(entities.text, entities, facts)
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
        if operations and APART_THEM.match(piece):  # the two parts before, or the two functions of the one before
            pair = [op.text.rstrip(" ?.") for op in operations[-2:]] if len(operations) >= 2 else []
            piece = (f"difference between {pair[0]} and {pair[1]}?" if pair
                     else f"difference between {operations[-1].text.rstrip(' ?.')}?")
        elif len(operations) >= 2 and BETWEEN_THEM.search(piece):
            # "a) geglu 65k ppl b) geglu full ppl c) the drop between them": the two parts before it, set apart
            first, second = (op.text.rstrip(" ?.") for op in operations[-2:])
            piece = BETWEEN_THEM.sub(f"between {first} and {second}", piece, count=1)
        piece = which_of_computed(piece, operations) or piece
        if operations and confirmations.RANK_ONLY.match(piece):
            piece = operations[-1].text  # "reglu glue avg; its rank?": the part before, whose answer ranks it
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
        hf_names = followups.hf_names_of(part_entities.text, part_entities) if operations else None
        if hf_names is not None:  # "… and what's that one called in hf": the names of the function before
            piece = hf_names
            part, part_entities = routing.part_intent(piece, lexicon, earlier, facts)
        alone = bool(operations) and stands_alone(piece, part_entities, operations[-1])
        prefixed = (followups.subject_prefixed(piece, part_entities, earlier)
                    if operations and not alone and (not is_follow_up(part_entities.text, part_entities, True)
                                       or followups.WHICH_FORM.search(piece)) else None)
        if prefixed is not None:
            # "llama 3.1 405b - d_model, d_ff, and which activation": the bare part is about the earlier subject
            part, part_entities = routing.part_intent(prefixed, lexicon, earlier, facts)
        elliptical = bool(operations) and not alone and is_follow_up(part_entities.text, part_entities, True)
        recomputed = followups.after_derived(
            piece, {"plan": {"operations": [operations[-1].model_dump(mode="json")]}}, DERIVED_METHODS, lexicon,
        ) if elliptical and operations[-1].kind == "calculate" else None  # a sum read from the words, redone
        if recomputed is not None:  # "… d_model 4096 and d_ff 11008? and a dense one with d_ff 16384?"
            piece = recomputed
            part, part_entities = routing.part_intent(piece, lexicon, earlier, facts)
        elif elliptical and not (prefixed is not None and followups.WHICH_FORM.search(piece)):
            part, part_entities = _edit_of(operations[-1], piece, earlier, lexicon, facts)
            if part.name == "out_of_scope" and prefixed is not None and (part.slots.arch_keys or part.slots.setup_keys):
                # "gemma 2 27b num heads; head size": a bare field that names no subject, read as an edit of the
                # part before with the earlier subject written in front
                part, part_entities = _edit_of(operations[-1], prefixed, earlier, lexicon, facts)
        operation = _operation(part, piece, part_entities, lexicon, facts, index, derive=True)
        if operation.kind == "decline" and _NARANG.search(" ".join(intent.parts[:number])) and not (
                _NARANG.search(piece)):
            # "narang vanilla params and ops? then step/s for swiglu": declined as the GLU-variants paper's, the
            # part is asked of the paper the message named, when that paper's table has it
            moved = f"{piece.rstrip(' ?')} in narang's table?"
            moved_part, moved_entities = routing.part_intent(moved, lexicon, earlier, facts)
            retried = _operation(moved_part, moved, moved_entities, lexicon, facts, index, derive=True)
            if retried.kind != "decline":
                operation, part_entities = retried, moved_entities
        for asked_op in sizes_beside.with_sizes(operation):  # "falcon-7b activation and d_ff, …": the part's sizes too
            if not _restates(asked_op, operations):
                operations.append(asked_op)
        earlier = part_entities.matches or earlier
    return operations


_NARANG = re.compile(r"\bnarang", re.IGNORECASE)
