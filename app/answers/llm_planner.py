"""Optional planning of a question by a language model behind an OpenAI-compatible endpoint (off by default).

Why it is guarded: the rule planner is always there and always right about what it can read; a model may
read a question the rules miss, but it must not bring facts of its own. So the model may only *choose*
operations: it answers with a :class:`~app.answers.plan.Plan` as JSON, constrained by the plan's JSON schema
(``response_format``), and the plan is accepted only if

1. it validates against :class:`Plan` (known kinds and methods, no extra fields, each method of its kind),
2. every slot holds ids of the vocabulary the caller passes in (``allowed``), and
3. every number it carries (``slots.numbers``, ``slots.steps``, each number in ``inputs``, and each number in
   its texts) is written in the question (or in the previous plan, for a follow-up); a step count may also
   be a stored training length (``allowed["steps"]``).

Anything else, a timeout or an endpoint error included, gives ``plan=None`` with the reason in plain words,
and the caller plans with the rules. Nothing here raises.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.error import HTTPError, URLError

from pydantic import ValidationError

from app.answers import grounding
from app.answers.plan import METHOD_KIND, SLOT_NAMES, Operation, Plan, PlanSlots
from app.answers.rephrase import Transport, http_post_json
from app.config import Settings

log = logging.getLogger("actlab.answers")

#: Slots that hold vocabulary ids (the rest hold numbers or a flag), read from the model so they cannot drift.
ID_SLOTS = tuple(name for name, field in PlanSlots.model_fields.items() if field.annotation == list[str])
NUMBER_SLOTS = ("numbers", "steps")


@dataclass(frozen=True)
class LanguagePlan:
    """What the planner endpoint gave: a validated plan, or ``None`` (plan with the rules) and why."""

    plan: Plan | None
    reason: str
    elapsed_ms: float

    def to_meta(self) -> dict[str, Any]:
        """For "how this was answered": whether the model's plan was used, why (not), and how long it took."""
        return {"used": self.plan is not None, "reason": self.reason, "elapsed_ms": round(self.elapsed_ms, 1)}


def _by_size(number: str) -> tuple[int, str]:
    return len(number), number


def system_prompt(allowed: Mapping[str, frozenset[str]]) -> str:
    """The instructions: the operation kinds and their methods (from :data:`METHOD_KIND`) and the ids each
    slot may hold. The schema itself goes in ``response_format``; this says what the fields mean."""
    by_kind: dict[str, list[str]] = {}
    for method, kind in METHOD_KIND.items():
        by_kind.setdefault(kind, []).append(method)
    stored_steps = ", ".join(sorted(allowed.get("steps", frozenset()), key=_by_size)) or "none"
    lines = [
        "You plan how a question about transformer feed-forward (FFN) activations is answered. You do not "
        "answer it. Reply with one JSON object matching the given schema (a plan) and nothing else.",
        "A plan lists the operations the question asks for, in the order asked (at most 6). Each operation "
        "has a kind and a method; the method must be one listed under its kind:",
        *(f"- {kind}: {', '.join(methods)}" for kind, methods in by_kind.items()),
        "Use out_of_scope when the question asks for something none of these methods answers.",
        "Slots name what an operation is about. Each slot may hold only these ids (leave it empty when the "
        "question names none):",
        *(f"- {slot}: {', '.join(sorted(allowed.get(slot, frozenset()))) or '(none; leave empty)'}"
          for slot in ID_SLOTS),
        "steps and numbers may hold only numbers written in the question (steps may also hold the stored "
        f"training lengths: {stored_steps}). Never compute, round, convert or add a number, in a slot, in "
        "inputs or in any text. paper is true when the question asks about the paper's own setup.",
        "asked: the words of the question this operation answers, copied. read_as: the same words with a "
        "pronoun resolved, or empty. rule: a few words on why this method fits.",
        "For a follow-up the previous plan is given: keep its slots that the new question does not replace, "
        "and list slot names in replaced (named anew) and inherited (kept).",
    ]
    return "\n".join(lines)


def user_message(question: str, previous: Plan | None) -> str:
    """The question, and for a follow-up the plan it follows (one message: some chat templates refuse two
    user turns in a row)."""
    if previous is None:
        return f"Question: {question}"
    return (f"Plan of the previous question (this one follows up on it):\n{previous.model_dump_json()}\n\n"
            f"Question: {question}")


def request_payload(question: str, previous: Plan | None, allowed: Mapping[str, frozenset[str]],
                    settings: Settings) -> dict[str, Any]:
    """The chat-completion request: deterministic, schema-constrained."""
    return {
        "model": settings.planner_model,
        "temperature": 0,
        "messages": [{"role": "system", "content": system_prompt(allowed)},
                     {"role": "user", "content": user_message(question, previous)}],
        "response_format": {"type": "json_schema",
                            "json_schema": {"name": "plan", "strict": True, "schema": Plan.model_json_schema()}},
    }


# --- the checks --------------------------------------------------------------------------------------------


def _value(number: Any) -> Decimal | None:
    """A number as an exact, sign-free value (the question's digits carry no sign: "-3" reads as 3)."""
    if isinstance(number, bool):
        return None
    if isinstance(number, float) and not math.isfinite(number):
        return Decimal("NaN")
    if isinstance(number, int | float):
        return abs(Decimal(repr(number)))
    if isinstance(number, str):
        try:
            value = Decimal(number.strip().replace(",", "").replace("_", ""))
        except InvalidOperation:
            return None
        return abs(value) if value.is_finite() else Decimal("NaN")
    return None


def _written(texts: Iterable[str]) -> set[Decimal]:
    """The numbers written in ``texts``, as values ("65,536" is 65536, "1e-3" is 0.001)."""
    return grounding.decimals_of(texts)


def _shown(value: Decimal) -> str:
    return "NaN" if not value.is_finite() else format(value.normalize(), "f")


def _numbers_of_inputs(inputs: Any, where: str) -> Iterator[tuple[str, Decimal]]:
    """Every number in a calculation's inputs, with where it sits (``inputs.d_model``); a string counts
    when it is a number in full ("1.3")."""
    if isinstance(inputs, Mapping):
        for key, item in inputs.items():
            yield from _numbers_of_inputs(item, f"{where}.{key}")
    elif isinstance(inputs, list | tuple):
        for index, item in enumerate(inputs):
            yield from _numbers_of_inputs(item, f"{where}.{index}")
    else:
        value = _value(inputs)
        if value is not None:
            yield where, value


def _plan_texts(plan: Plan) -> list[str]:
    return [text for op in plan.operations for text in (op.asked, op.read_as, op.rule, op.retrieval_query)]


def _plan_numbers(plan: Plan) -> set[Decimal]:
    """The numbers a previous plan already carries (validated when it was made), for a follow-up to keep."""
    out = _written(_plan_texts(plan))
    for op in plan.operations:
        out |= {v for v in map(_value, [*op.slots.numbers, *op.slots.steps]) if v is not None}
        out |= {value for _, value in _numbers_of_inputs(op.inputs, "inputs")}
    return out


def _check_operation(op: Operation, allowed: Mapping[str, frozenset[str]], known: set[Decimal],
                     source: str) -> str | None:
    """Why ``op`` may not be executed, or None."""
    if not op.asked.strip():
        return "an operation names none of the question's words (asked is empty)"
    if METHOD_KIND[op.method] != op.kind:
        return f"method {op.method} is a {METHOD_KIND[op.method]} operation, not {op.kind}"
    for name in (*op.replaced, *op.inherited):
        if name not in SLOT_NAMES:
            return f"{name[:40]!r} in replaced/inherited is not a slot"
    for slot in ID_SLOTS:
        ids = allowed.get(slot, frozenset())
        for item in getattr(op.slots, slot):
            if item not in ids:
                return f"slot {slot} holds {item[:40]!r}, not a known id"
    stored_steps = {v for v in map(_value, allowed.get("steps", frozenset())) if v is not None}
    for slot in NUMBER_SLOTS:
        for number in getattr(op.slots, slot):
            value = _value(number)
            if value is None or value in known or (slot == "steps" and value in stored_steps):
                continue
            return f"number {_shown(value)} in slot {slot} is not written in {source}"
    for where, value in _numbers_of_inputs(op.inputs, "inputs"):
        if value not in known:
            return f"number {_shown(value)} in {where} is not written in {source}"
    for field in ("asked", "read_as", "rule", "retrieval_query"):
        for value in _written([getattr(op, field)]) - known:
            return f"number {_shown(value)} in {field} is not written in {source}"
    return None


def check_plan(plan: Plan, question: str, previous: Plan | None, allowed: Mapping[str, frozenset[str]]) -> str | None:
    """Why a schema-valid plan may not be used (an unknown id, a number the question does not write), or None."""
    known = _written([question]) | (_plan_numbers(previous) if previous is not None else set())
    source = "the question" if previous is None else "the question or the previous plan"
    for index, op in enumerate(plan.operations):
        problem = _check_operation(op, allowed, known, source)
        if problem is not None:
            return problem if len(plan.operations) == 1 else f"operation {index}: {problem}"
    return None


def _validation_reason(error: ValidationError) -> str:
    """A validation error in a line: the JSON itself, or the first fields that are wrong (never their values)."""
    problems = error.errors(include_url=False, include_input=False)
    if problems and problems[0]["type"] == "json_invalid":
        return f"reply is not JSON: {problems[0]['msg']}"
    parts = [f"{'.'.join(str(p) for p in e['loc']) or 'plan'}: {e['msg']}" for e in problems[:3]]
    more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
    return "invalid plan: " + "; ".join(parts) + more


def _content(data: Any) -> str:
    """The message content of a chat completion, without a Markdown code fence some servers keep."""
    text = str(data["choices"][0]["message"]["content"]).strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return text


def _error_reason(exc: Exception, timeout: float) -> str:
    """An endpoint failure in plain words (timeouts first: urllib wraps them in URLError while connecting)."""
    if isinstance(exc, TimeoutError) or (isinstance(exc, URLError) and isinstance(exc.reason, TimeoutError)):
        return f"timed out after {timeout} s"
    if isinstance(exc, HTTPError):
        return f"endpoint answered HTTP {exc.code}"
    if isinstance(exc, URLError):
        return f"endpoint unreachable: {exc.reason}"
    if isinstance(exc, json.JSONDecodeError):
        return "endpoint reply is not JSON"
    if isinstance(exc, KeyError | IndexError | TypeError):
        return "endpoint reply holds no message content"
    return f"endpoint error: {type(exc).__name__}"


def _ask(question: str, previous: Plan | None, allowed: Mapping[str, frozenset[str]], settings: Settings,
         transport: Transport, follow_up_of: int | None) -> tuple[Plan | None, str]:
    url = str(settings.planner_endpoint_url).rstrip("/") + "/chat/completions"
    headers = {"Content-Type": "application/json"}
    if settings.planner_api_key:
        headers["Authorization"] = f"Bearer {settings.planner_api_key.get_secret_value()}"
    timeout = settings.planner_timeout_seconds
    try:
        data = transport(url, request_payload(question, previous, allowed, settings), headers, timeout)
        content = _content(data)
    except Exception as exc:  # the endpoint is optional: any failure leaves the question to the rules
        return None, _error_reason(exc, timeout)
    try:
        plan = Plan.model_validate_json(content)
    except ValidationError as exc:
        return None, _validation_reason(exc)
    problem = check_plan(plan, question, previous, allowed)
    if problem is not None:
        return None, problem
    # The model chooses operations only: who planned, which answer this follows and the note are ours.
    ours = {"planner": "language_model", "follow_up_of": follow_up_of, "note": ""}
    return plan.model_copy(update=ours), "plan validated"


def plan_with_language_model(question: str, previous: Plan | None, allowed: Mapping[str, frozenset[str]],
                             settings: Settings, transport: Transport | None = None, *,
                             follow_up_of: int | None = None) -> LanguagePlan:
    """Ask the configured endpoint to plan ``question``; ``plan is None`` means "plan it with the rules".

    ``allowed`` maps a slot name to the ids it may hold (the vocabulary); ``previous`` is the plan a
    follow-up edits, and ``follow_up_of`` the answer it belongs to (set on the plan here, never by the
    model). Never raises: every failure is a reason, logged as a warning."""
    if not settings.planner_endpoint_url:
        return LanguagePlan(None, "planner is off", 0.0)
    started = time.perf_counter()
    try:
        plan, reason = _ask(question, previous, allowed, settings, transport or http_post_json, follow_up_of)
    except Exception as exc:  # a bug in the checks must not fail the question either
        plan, reason = None, f"planner error: {type(exc).__name__}"
    elapsed_ms = (time.perf_counter() - started) * 1000
    if plan is None:
        log.warning("language-model plan not used: %s", reason)
    return LanguagePlan(plan, reason, elapsed_ms)
