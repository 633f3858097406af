"""A question's plan: the typed operations that answer it, in the order asked.

Why a plan: an answer used to be one keyword intent filling one template, so a question was answered by
whichever rule fired first and nothing could say afterwards which part of the question a paragraph
answers. Now a planner (the rules in :mod:`app.answers.planner`, or optionally a language model that may
only emit this same JSON) turns the question into a :class:`Plan`; the executor answers each operation over
the database and the computations; the answered-the-question check holds every operation to an answer or a
specific decline. The plan is stored with the answer, so a follow-up edits it ("and SwiGLU?" replaces the
variant, keeps the rest) and "how this was answered" shows it.

An operation never carries a number of its own making: its slots are vocabulary ids and the numbers written
in the question, and everything the answer shows is computed or looked up when the plan is executed.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.answers.entities import Entities
from app.answers.intents import Intent, Slots

#: What kind of work an operation is (the issue-level vocabulary shown to readers and to a planner model).
OperationKind = Literal[
    "lookup", "rank", "difference", "spread", "compare", "catalog", "calculate", "compute", "explain",
    "verify", "run", "decline", "help",
]

#: The method that executes an operation, and the kind of work it is. Intent names are executed by the
#: intent composers, routed operations by app.answers.routing, derived kinds by app.answers.derived.
METHOD_KIND: dict[str, OperationKind] = {
    # looking a stored value up
    "fact": "lookup", "paper_setup": "lookup", "framework_name": "lookup", "second_paper_setup": "lookup",
    "paper_info": "lookup",
    "architecture": "catalog",
    "model_activation": "catalog",
    "models_using": "catalog", "catalog_field": "catalog", "catalog_layers": "catalog",
    "catalog_pair": "catalog",
    # orderings and spreads
    "best": "rank", "ranking": "rank", "second_paper_ranking": "rank",
    "spread": "spread", "second_paper_spread": "spread", "second_paper_cells": "lookup",
    "compare": "compare", "difference": "difference", "column_gap": "difference",
    # calculations over stored sizes and rules
    "hidden_size": "calculate", "ffn_params": "calculate", "ffn_ratio": "calculate", "sizing_rule": "calculate",
    "compare_parameters": "calculate",
    # computations on the activation functions
    "math": "compute", "derivative_bound": "compute",
    # curated explanations
    "explain": "explain", "why_model": "explain", "explain_constant": "explain", "symbol": "explain",
    "same_layer": "compute", "reference_row": "lookup",
    # claims
    "verify": "verify", "best_everywhere": "verify", "misreading": "verify", "second_paper_verify": "verify",
    "error_bound": "verify", "arith_check": "verify",
    # the rest
    "run_comparison": "run", "decline": "decline", "speed": "decline", "out_of_scope": "decline", "help": "help",
}
Method = Literal[
    "fact", "paper_setup", "second_paper_setup", "paper_info", "framework_name", "architecture",
    "model_activation", "models_using", "catalog_field", "catalog_layers", "catalog_pair", "best", "ranking",
    "second_paper_ranking", "spread",
    "second_paper_spread", "second_paper_cells", "compare", "difference", "hidden_size", "ffn_params",
    "ffn_ratio", "sizing_rule", "compare_parameters", "math", "derivative_bound", "explain", "why_model",
    "explain_constant", "symbol", "same_layer",
    "reference_row", "verify", "second_paper_verify", "best_everywhere", "misreading",
    "error_bound", "column_gap", "arith_check",
    "run_comparison", "decline", "speed", "out_of_scope", "help",
]
#: Methods answered by app.answers.derived (their inputs are typed per method there).
DERIVED_METHODS = frozenset({"hidden_size", "ffn_params", "ffn_ratio", "sizing_rule", "reference_row",
                             "derivative_bound", "best_everywhere", "decline", "error_bound", "column_gap",
                             "arith_check"})
#: Methods answered by app.answers.routing: the intent they run under, so the composers see a known intent.
ROUTED_METHODS: dict[str, str] = {
    "explain_constant": "explain", "symbol": "explain", "same_layer": "math",
    "compare_parameters": "explain", "speed": "fact", "spread": "fact",
    "ranking": "best", "second_paper_spread": "fact", "second_paper_ranking": "best", "difference": "compare",
    "second_paper_cells": "fact", "catalog_field": "model_activation", "catalog_layers": "architecture",
    "catalog_pair": "architecture",
    "second_paper_setup": "paper_setup",
    "paper_info": "paper_setup", "second_paper_verify": "verify",
}
SLOT_NAMES = ("variants", "activations", "gates", "models", "benchmarks", "metrics", "steps", "numbers",
              "setup_keys", "arch_keys", "paper")


class PlanSlots(BaseModel):
    """What an operation is about: vocabulary ids (variants, activations, models …) and the question's numbers."""

    model_config = ConfigDict(extra="forbid")

    variants: list[str] = Field(default_factory=list, max_length=12)
    activations: list[str] = Field(default_factory=list, max_length=12)
    gates: list[str] = Field(default_factory=list, max_length=12)
    models: list[str] = Field(default_factory=list, max_length=12)
    benchmarks: list[str] = Field(default_factory=list, max_length=12)
    metrics: list[str] = Field(default_factory=list, max_length=12)
    steps: list[int] = Field(default_factory=list, max_length=4)
    numbers: list[float] = Field(default_factory=list, max_length=8)
    setup_keys: list[str] = Field(default_factory=list, max_length=12)
    arch_keys: list[str] = Field(default_factory=list, max_length=12)
    paper: bool = False

    @classmethod
    def of(cls, slots: Slots) -> PlanSlots:
        """The rule planner's slots, each list cut to its bound (a pasted sum can hold more numbers than a
        language-model plan may name; the first ones are kept rather than the question failing)."""
        data = slots.to_dict()
        for name, field in cls.model_fields.items():
            longest = next((m.max_length for m in field.metadata if hasattr(m, "max_length")), None)
            if longest is not None and isinstance(data.get(name), list):
                data[name] = data[name][:longest]
        return cls.model_validate(data)

    def to_slots(self) -> Slots:
        return Slots.from_dict(self.model_dump())


class Operation(BaseModel):
    """One thing the question asks for, and how it is answered."""

    model_config = ConfigDict(extra="forbid")

    kind: OperationKind
    method: Method
    asked: str = Field(description="The words of the question this operation answers.", max_length=2000)
    read_as: str = Field("", description="The words as read, where a pronoun was resolved.", max_length=2000)
    slots: PlanSlots = Field(default_factory=PlanSlots)
    inputs: dict[str, Any] = Field(default_factory=dict, description="Typed inputs of a calculation method.")
    rule: str = Field("", description="Why the planner chose this operation.", max_length=500)
    #: For a follow-up: which slots the new question named (replaced) and which came from the previous plan.
    replaced: list[str] = Field(default_factory=list)
    inherited: list[str] = Field(default_factory=list)
    #: The retrieval query an explanation is searched with (the earlier question too, for a follow-up).
    retrieval_query: str = Field("", max_length=4000)

    def intent(self, follow_up_of: int | None) -> Intent:
        """The intent the composers of this method expect."""
        name = ROUTED_METHODS.get(self.method, self.method)
        operation = self.method if self.method in ROUTED_METHODS else ""
        return Intent(name, self.slots.to_slots(), self.rule, follow_up_of, self.text,
                      self.retrieval_query or self.text, operation)

    @property
    def text(self) -> str:
        """The words this operation is executed on (with a pronoun resolved, where one was)."""
        return self.read_as or self.asked


class Plan(BaseModel):
    """The operations answering one question, in the order asked."""

    model_config = ConfigDict(extra="forbid")

    operations: list[Operation] = Field(min_length=1, max_length=6)
    follow_up_of: int | None = Field(None, description="The earlier answer whose plan this one edits.")
    planner: Literal["rules", "language_model"] = "rules"
    note: str = Field("", description="Why the language-model plan was not used, where it was not.",
                      max_length=500)


def operation_for(intent: Intent, asked: str, method: str | None = None,
                  inputs: dict[str, Any] | None = None) -> Operation:
    """The operation an intent (and, for a derived answer, its kind and inputs) stands for; ``asked`` is
    the question's own words for it (the intent may hold them with a pronoun resolved)."""
    chosen = method or intent.operation or intent.name
    if chosen not in METHOD_KIND:
        chosen = "out_of_scope"
    read_as = intent.question if intent.question.strip() != asked.strip() else ""
    query = intent.retrieval_query if intent.retrieval_query not in (intent.question, asked) else ""
    return Operation(kind=METHOD_KIND[chosen], method=chosen, asked=asked, read_as=read_as,
                     slots=PlanSlots.of(intent.slots), inputs=dict(inputs or {}), rule=intent.rule,
                     retrieval_query=query)


def last_operation(meta: dict[str, Any] | None) -> dict[str, Any] | None:
    """The context a follow-up edits: the last operation of the previous answer's plan, as the intent rules
    read it (``intent``, ``slots``, ``question``, ``entities``); answers stored before plans keep theirs."""
    if not meta:
        return None
    plan = meta.get("plan")
    if not isinstance(plan, dict) or not plan.get("operations"):
        return meta
    answered = [op for op in plan["operations"] if isinstance(op, dict) and op.get("method") != "misreading"]
    if not answered:  # the answer was a misreading's correction: a follow-up asks about it as an explanation
        return {**meta, "intent": "explain"}
    try:
        last = Operation.model_validate(answered[-1])
    except ValueError:
        return meta
    name = ROUTED_METHODS.get(last.method, last.method)
    if last.method in DERIVED_METHODS:
        name = str(meta.get("intent") or name)
    return {**meta, "intent": name, "slots": last.slots.model_dump()}


def mark_edits(operation: Operation, previous: Slots, named: Entities) -> None:
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


def named_slots(entities: Entities) -> Slots:
    """The slots a question names itself (its entities, without any inherited context)."""
    return Slots(variants=list(entities.variants), activations=list(entities.activations), gates=list(entities.gates),
                 models=[m.name for m in entities.models], benchmarks=list(entities.benchmarks),
                 metrics=list(entities.metrics), steps=list(entities.steps), numbers=list(entities.numbers),
                 paper=entities.paper)
