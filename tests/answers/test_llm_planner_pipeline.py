"""The language-model planner inside the answer pipeline: a valid plan is executed like a rule plan (every
number still looked up or computed), an unusable one falls back to the rules, and the answer says which."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from app.answers import pipeline
from app.config import Settings
from app.db import create_db_engine, make_session_factory
from tests.answers.test_llm_planner import Stub, operation, stub  # noqa: F401  (the stub server fixture)
from tests.conftest import read_reference_csv

QUESTION = "What does the GLU paper report for ReGLU after full training?"


def reglu_full() -> str:
    rows = read_reference_csv("glu_variants_2020_table1.csv")
    return next(r["value"] for r in rows if r["variant"] == "FFN_ReGLU" and r["training_steps"] == "524288")


@pytest.fixture
def session_with_planner(settings: Settings, stub: Stub) -> Iterator[tuple[Session, Settings]]:  # noqa: F811
    planned = settings.model_copy(update={"planner_endpoint_url": stub.url, "planner_model": "stub",
                                          "planner_timeout_seconds": 2.0})
    engine = create_db_engine(planned)
    with make_session_factory(engine)() as session:
        yield session, planned
    engine.dispose()


def test_a_language_model_plan_is_executed_over_the_stored_data(
    session_with_planner: tuple[Session, Settings], stub: Stub,  # noqa: F811
) -> None:
    session, settings = session_with_planner
    stub.answer_plan({"operations": [operation("fact", QUESTION, slots={"variants": ["FFN_ReGLU"],
                                                                          "steps": [524288]})]})
    answer = pipeline.compose_answer(session, settings, QUESTION)
    assert answer.meta["plan"]["planner"] == "language_model"
    assert answer.meta["planner"]["used"] is True
    assert reglu_full() in answer.body and answer.meta["grounding"]["ok"]
    assert answer.meta["answered"]["ok"]


def test_an_unusable_plan_falls_back_to_the_rules_and_says_why(
    session_with_planner: tuple[Session, Settings], stub: Stub,  # noqa: F811
) -> None:
    session, settings = session_with_planner
    stub.answer_plan({"operations": [operation("fact", QUESTION, slots={"variants": ["FFN_ReGLU"],
                                                                          "numbers": [1.2]})]})
    answer = pipeline.compose_answer(session, settings, QUESTION)
    assert answer.meta["plan"]["planner"] == "rules"
    assert "not used" in answer.meta["plan"]["note"] and "1.2" in answer.meta["plan"]["note"]
    assert reglu_full() in answer.body
