"""The plan of typed operations: what each answer stores, how a follow-up edits it, and the answered check.

Expected values come from tests/reference (read cell by cell), never from the service's own output.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.answers import answered
from app.answers.builder import CAPABILITIES, Builder
from app.answers.execute import Span
from app.answers.facts import Facts
from app.answers.plan import METHOD_KIND, Operation, Plan, PlanSlots
from tests.conftest import read_reference_csv

FULL = "524288"


def table1_value(variant: str, steps: str) -> str:
    rows = read_reference_csv("glu_variants_2020_table1.csv")
    return next(r["value"] for r in rows if r["variant"] == variant and r["training_steps"] == steps)


def ask(client: TestClient, question: str, thread_id: int | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"question": question}
    if thread_id is not None:
        payload["thread_id"] = thread_id
    response = client.post("/api/v1/questions", json=payload)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def plan_of(data: dict[str, Any]) -> Plan:
    return Plan.model_validate(data["post"]["answer_meta"]["plan"])


def test_an_answer_stores_its_typed_plan_and_passes_the_check(client: TestClient) -> None:
    data = ask(client, "What is SwiGLU's perplexity after full training?")
    plan = plan_of(data)
    assert [(op.kind, op.method) for op in plan.operations] == [("lookup", "fact")]
    assert plan.operations[0].slots.variants == ["FFN_SwiGLU"] and plan.planner == "rules"
    check = data["post"]["answer_meta"]["answered"]
    assert check["ok"] and check["operations"][0]["status"] == "answered"
    assert table1_value("FFN_SwiGLU", FULL) in data["post"]["body"]


def test_a_multi_part_question_is_one_operation_per_part_answered_in_order(client: TestClient) -> None:
    data = ask(client, "What is GEGLU's perplexity after full training, and which models use it?")
    plan = plan_of(data)
    assert len(plan.operations) == 2
    first, second = plan.operations
    assert first.kind == "lookup" and "perplexity" in first.asked
    assert second.kind == "catalog" and "models" in second.asked
    assert second.read_as, "the pronoun of the second part is resolved to the first part's subject"
    body = data["post"]["body"]
    value = table1_value("FFN_GEGLU", FULL)
    assert body.index(value) < body.index(second.asked.rstrip("?"))
    statuses = [r["status"] for r in data["post"]["answer_meta"]["answered"]["operations"]]
    assert statuses == ["answered", "answered"]


def test_a_follow_up_edits_the_previous_plan(client: TestClient) -> None:
    first = ask(client, "What is GEGLU's perplexity after full training?")
    follow = ask(client, "and SwiGLU?", first["thread"]["id"])
    plan = plan_of(follow)
    assert plan.follow_up_of == first["post"]["id"]
    op = plan.operations[0]
    assert op.slots.variants == ["FFN_SwiGLU"] and "variants" in op.replaced
    assert "steps" in op.inherited, "the training length of the earlier plan is kept"
    body = follow["post"]["body"]
    assert table1_value("FFN_SwiGLU", FULL) in body
    assert body != first["post"]["body"]


def test_the_page_shows_the_plan_and_the_check_and_collapses_the_sources(client: TestClient) -> None:
    data = ask(client, "Why does Gemma 2 use GeGLU?")
    page = client.get(f"/threads/{data['thread']['id']}").text
    post = page[page.index(f'id="post-{data["post"]["id"]}"'):]
    assert "<dt>Plan</dt>" in post and "Answered-the-question check" in post and "planned by the rule planner" in post
    assert '<details class="sources">' in post and "Sources (" in post
    if 'class="quote-embed"' in post:
        assert post.index('class="post-body"') < post.index('class="quote-embed"'), "the answer comes first"


# --- the check itself, on hand-built spans --------------------------------------------------------------


def operation(kind: str, method: str, **slots: Any) -> Operation:
    return Operation(kind=kind, method=method, asked="q?", slots=PlanSlots(**slots))  # type: ignore[arg-type]


def empty_facts() -> Facts:
    return Facts(revision=0, cells=[], papers={}, paper_facts={}, tables={}, arch={}, catalog={}, variants={},
                 explanations={})


def built(parts: list[str], citations: list[dict[str, Any]]) -> tuple[Builder, Span]:
    b = Builder(empty_facts())
    b.parts.extend(parts)
    b.citations.extend(citations)
    return b, Span((0, len(parts)), (0, len(citations)), (0, 0))


def test_the_check_flags_an_answer_about_another_variant() -> None:
    b, span = built(["FFN_ReLU scores 1.677."], [{"kind": "result", "row": "FFN_RELU"}])
    result = answered.check(Plan(operations=[operation("lookup", "fact", variants=["FFN_GEGLU"])]), b, [span])
    assert not result["ok"] and "FFN_GEGLU" in result["operations"][0]["problems"][0]


def test_the_check_flags_a_missing_part_and_a_generic_decline() -> None:
    plan = Plan(operations=[operation("lookup", "fact"), operation("compare", "compare")])
    b = Builder(empty_facts())
    b.parts.append("That is outside. " + CAPABILITIES)
    spans = [Span((0, 1), (0, 0), (0, 0)), Span((1, 1), (0, 0), (0, 0))]
    result = answered.check(plan, b, spans)
    assert [r["status"] for r in result["operations"]] == ["declined", "missing"]
    assert all(r["problems"] for r in result["operations"]) and not result["ok"]


def test_a_specific_decline_passes_the_check() -> None:
    b, span = built(["The paper reports C4 only; WikiText-103 is not in the stored evidence."], [])
    result = answered.check(Plan(operations=[operation("decline", "decline")]), b, [span])
    assert result["ok"] and result["operations"][0]["status"] == "declined"


def test_plans_are_closed_typed_models() -> None:
    assert set(METHOD_KIND.values()) <= set(Operation.model_fields["kind"].annotation.__args__)  # type: ignore[union-attr]
    with pytest.raises(ValidationError):
        Operation.model_validate({"kind": "lookup", "method": "invent_a_number", "asked": "q"})
    with pytest.raises(ValidationError):
        Plan.model_validate({"operations": []})
    with pytest.raises(ValidationError):
        PlanSlots.model_validate({"variants": ["FFN_GEGLU"], "value": 1.5})


def test_every_method_has_a_kind_and_every_kind_is_typed() -> None:
    methods = set(Operation.model_fields["method"].annotation.__args__)  # type: ignore[union-attr]
    assert methods == set(METHOD_KIND)
