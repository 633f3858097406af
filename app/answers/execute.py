"""Execute a plan: each operation answered over the database and the computations, in the order asked.

Why deterministic: whoever planned (the rules or a language model), the text, every number in it and its
citations come from here — stored cells, curated passages and registered computations — so the grounding
check can re-trace them. Each operation's paragraphs and citations are recorded as a :class:`Span`, which is
what the answered-the-question check (:mod:`app.answers.answered`) holds to account.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.answers import (
    beats,
    derived,
    explain,
    framework_answer,
    functions,
    gaps,
    misread,
    models,
    porting,
    routed_answers,
    routing,
    run,
    second_paper,
    tables,
)
from app.answers.builder import Builder, compose_help, compose_out_of_scope
from app.answers.entities import Entities, recognize
from app.answers.intents import Intent
from app.answers.lexicon import Lexicon
from app.answers.plan import DERIVED_METHODS, Operation, Plan
from app.answers.retrieval import Hit
from app.config import Settings


@dataclass(frozen=True)
class Span:
    """Where one operation's answer sits in the builder: its paragraphs and the citations it added."""

    parts: tuple[int, int]
    citations: tuple[int, int]
    computations: tuple[int, int]


@dataclass
class Executed:
    hits: list[Hit]
    spans: list[Span]


def execute(plan: Plan, b: Builder, session: Session, settings: Settings, lexicon: Lexicon, index: Any) -> Executed:
    """Answer every operation of ``plan`` into ``b``; a multi-part plan gives each part its own heading, and a
    part the evidence does not cover is declined by name instead of dropped."""
    several = len({op.asked for op in plan.operations}) > 1  # parts asked in their own words get headings
    hits: list[Hit] = []
    spans: list[Span] = []
    number, heading_of = 0, None
    headings: list[int] = []
    for operation in plan.operations:
        if several and operation.asked != heading_of:  # a part's sizes and activation share its one heading
            number, heading_of = number + 1, operation.asked
            headings.append(len(b.parts))
            b.add(_heading(operation.asked, number, len(plan.operations)))
        start, cited, computed = len(b.parts), len(b.citations), len(b.computations)
        hits += _run(operation, plan.follow_up_of, b, session, settings, lexicon, index, start, computed)
        if several:
            routing.decline_part(b, start, operation.asked)
        spans.append(Span((start, len(b.parts)), (cited, len(b.citations)), (computed, len(b.computations))))
    _blank_repeated_parts(b, headings)
    if several and _both_papers_cells(plan.operations):
        b.add(routed_answers.NOT_COMPARABLE)
    return Executed(hits, spans)


#: The GLU-variants paper's table operations, whose cells a part about Narang et al.'s table may sit beside.
_FIRST_PAPER_CELLS = frozenset({"fact", "compare", "best", "ranking", "spread", "difference"})


def _both_papers_cells(operations: list[Operation]) -> bool:
    """Parts that show cells of both papers ("narang swiglu final loss? shazeer swiglu ppl at 524k?"): their
    numbers sit side by side, and the baselines differ."""
    methods = {op.method for op in operations}
    return bool(methods & set(routing.OTHER_PAPER)) and bool(methods & _FIRST_PAPER_CELLS)


def _blank_repeated_parts(b: Builder, headings: list[int]) -> None:
    """Blank the heading of a part whose every paragraph repeats an earlier one ("… gpt-3's d_ff as 65536 …
    what's gpt-3's d_ff": the second part is the first again, and the answer shows each paragraph once, so
    the heading would stand over nothing); with one part left, no heading is needed. Blanked, not removed,
    so the spans of the parts keep their places."""
    if not headings:
        return
    ends = [*headings[1:], len(b.parts)]
    shown = [h for h, end in zip(headings, ends, strict=True)
             if any(p.strip() and p not in b.parts[:h] for p in b.parts[h + 1:end])]
    for h in headings:
        if h not in shown or len(shown) == 1:
            b.parts[h] = ""


#: Ordinal words for a part heading: a heading in digits ("Part 1 of 2") would itself be a number the
#: grounding check finds in no evidence, and the line carrying it would be dropped.
ORDINALS = ("First", "Second", "Third", "Fourth", "Fifth", "Sixth")


def _heading(asked: str, number: int, total: int) -> str:
    """The part's own words as its heading; a part with digits is named by its place instead, so that the
    answer shows no number it does not also trace to the evidence."""
    if re.search(r"\d", asked):
        return f"**{ORDINALS[number - 1]} part**" if number <= len(ORDINALS) else "**Next part**"
    return f"**On “{asked}”**"


def _run(operation: Operation, follow_up_of: int | None, b: Builder, session: Session, settings: Settings,
         lexicon: Lexicon, index: Any, start: int, computed: int) -> list[Hit]:
    if operation.method == "framework_name" and operation.inputs.get("models"):
        porting.compose(b, list(operation.inputs.get("names", [])), list(operation.inputs["models"]),
                        operation.text, lexicon)
        return []
    if operation.method == "framework_name":
        framework_answer.compose(b, list(operation.inputs.get("names", [])), operation.text)
        return []
    if operation.method == "misreading":
        # the direct answer to a claim is said only where the misreading is the answer, not an addition to one
        misread.compose(b, str(operation.inputs.get("id", "")), operation.asked if start == 0 else "")
        return []
    if operation.method in DERIVED_METHODS:
        derived.compose(b, derived.Derived(operation.method, dict(operation.inputs)), lexicon, operation.asked)
        return []
    intent = operation.intent(follow_up_of)
    entities = recognize(operation.text, lexicon)
    hits = _compose(b, intent, session, settings, lexicon, index, entities)
    routing.lead(b, intent, start, computed)
    return hits


def _compose(b: Builder, intent: Intent, session: Session, settings: Settings, lexicon: Lexicon, index: Any,
             entities: Entities) -> list[Hit]:
    """Compose one intent's answer into ``b``; returns the retrieval hits it used."""
    hits: list[Hit] = []
    if routing.compose(b, intent, lexicon):
        return hits
    name = intent.name
    if name == "fact":
        tables.compose_fact(b, intent)
        gaps.length_change(b, intent)
    elif name == "compare":
        start = len(b.parts)
        tables.compose_compare(b, intent, index, entities)
        variants = tables.variant_list(intent.slots)
        beats.lead(b, start, intent.question, variants, tables.select_columns(b.facts, intent.slots)[0])
        second_paper.compose_beside(b, variants)
    elif name == "best":
        tables.compose_best(b, intent)
    elif name == "why_model":
        hits = models.compose_why_model(b, intent, lexicon, index, entities)
    elif name == "model_activation":
        models.compose_model_activation(b, intent, lexicon, index, entities)
    elif name == "models_using":
        models.compose_models_using(b, intent)
    elif name == "math":
        functions.compose_math(b, intent, settings.curve_max_abs_x)
    elif name == "run_comparison":
        run.compose_run_comparison(b, intent, session, settings)
    elif name == "explain":
        hits = explain.compose_explain(b, intent, index, entities)
    elif name == "paper_setup":
        explain.compose_paper_setup(b, intent)
    elif name == "architecture":
        models.compose_architecture(b, intent, lexicon)
    elif name == "verify":
        hits = tables.compose_verify(b, intent, index, entities)
    elif name == "help":
        compose_help(b)
    else:
        compose_out_of_scope(b)
    return hits
