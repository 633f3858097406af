"""The optional language-model planner against a real HTTP server on 127.0.0.1: the request it sends (an
OpenAI-compatible chat completion constrained by the plan's JSON schema) and every way a reply is refused
(not JSON, not a plan, an unknown id, a number the question does not write, too late, an HTTP error), each
one a fallback to the rule planner with its reason, never an exception."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from app.answers.llm_planner import LanguagePlan, plan_with_language_model
from app.answers.plan import METHOD_KIND, Plan
from app.config import Settings
from tests.conftest import sqlite_settings

ALLOWED: dict[str, frozenset[str]] = {
    "variants": frozenset({"FFN_GEGLU", "FFN_SwiGLU", "FFN_ReLU"}),
    "models": frozenset({"gemma-2-9b"}),
    "steps": frozenset({"65536", "524288"}),
}


@dataclass
class Stub:
    """The endpoint: what it was sent, and what it answers next."""

    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    body: bytes = b"{}"
    hold: bool = False  # wait for `release` before answering (a late endpoint)
    release: threading.Event = field(default_factory=threading.Event)

    def answer(self, content: str) -> None:
        """Answer the next request with a chat completion whose message content is ``content``."""
        self.body = json.dumps({
            "id": "chatcmpl-1", "object": "chat.completion", "model": "stub",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}],
        }).encode()

    def answer_plan(self, plan: dict[str, Any]) -> None:
        self.answer(json.dumps(plan))


@pytest.fixture
def stub() -> Iterator[Stub]:
    """A ThreadingHTTPServer on a free port; it is ready once bound, so no waiting is needed."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    state = Stub(url=f"http://127.0.0.1:{server.server_address[1]}/v1")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            state.requests.append({"path": self.path, "headers": dict(self.headers.items()),
                                   "body": json.loads(self.rfile.read(length))})
            if state.hold:
                state.release.wait(timeout=30)
            try:
                self.send_response(state.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(state.body)))
                self.end_headers()
                self.wfile.write(state.body)
            except OSError:  # the client gave up (the timeout test)
                pass

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the tests read what was sent from ``state.requests``."""

    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def settings_for(tmp_path: Path, stub: Stub, **overrides: object) -> Settings:
    return sqlite_settings(tmp_path / "unused.db", planner_endpoint_url=stub.url, planner_model="qwen2.5:7b-instruct",
                           **overrides)


def operation(method: str = "fact", asked: str = "GEGLU after 65,536 steps?", **fields: Any) -> dict[str, Any]:
    return {"kind": METHOD_KIND[method], "method": method, "asked": asked, **fields}


def ask(tmp_path: Path, stub: Stub, question: str, previous: Plan | None = None, **overrides: object) -> LanguagePlan:
    return plan_with_language_model(question, previous, ALLOWED, settings_for(tmp_path, stub, **overrides))


def test_off_by_default_sends_nothing(tmp_path: Path, stub: Stub) -> None:
    result = plan_with_language_model("Is GEGLU better than SwiGLU?", None, ALLOWED,
                                      sqlite_settings(tmp_path / "unused.db"))
    assert result == LanguagePlan(None, "planner is off", 0.0)
    assert stub.requests == []


def test_a_valid_plan_is_used_and_the_request_is_schema_constrained(tmp_path: Path, stub: Stub) -> None:
    question = "GEGLU vs SwiGLU after 65,536 steps, and the learning rate 1e-3?"
    stub.answer_plan({"operations": [operation("compare", question, slots={
        "variants": ["FFN_GEGLU", "FFN_SwiGLU"], "steps": [65536], "numbers": [0.001]})],
        "planner": "rules", "note": "ignored", "follow_up_of": 99})
    result = ask(tmp_path, stub, question)

    assert result.plan is not None, result.reason
    assert result.reason == "plan validated" and result.elapsed_ms > 0
    assert result.plan.planner == "language_model"
    assert result.plan.follow_up_of is None and result.plan.note == ""  # never the model's to set
    assert result.plan.operations[0].slots.variants == ["FFN_GEGLU", "FFN_SwiGLU"]
    [sent] = stub.requests
    assert sent["path"] == "/v1/chat/completions"
    body = sent["body"]
    assert body["model"] == "qwen2.5:7b-instruct" and body["temperature"] == 0
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["name"] == "plan"
    assert body["response_format"]["json_schema"]["strict"] is True
    assert body["response_format"]["json_schema"]["schema"] == Plan.model_json_schema()
    system, user = body["messages"]
    assert system["role"] == "system" and user["role"] == "user" and question in user["content"]
    assert all(method in system["content"] for method in METHOD_KIND)
    assert all(ident in system["content"] for ids in ALLOWED.values() for ident in ids)
    assert "Authorization" not in sent["headers"]


def test_a_follow_up_sends_the_previous_plan_and_the_key(tmp_path: Path, stub: Stub) -> None:
    previous = Plan.model_validate({"operations": [operation(
        "hidden_size", "LLaMA hidden size for d_model 4096 and multiple_of 256?",
        inputs={"d_model": 4096, "multiple_of": 256, "multiple_of_given": True})]})
    # "and 8192?" keeps multiple_of 256 from the previous plan: a number already validated, not a new one.
    stub.answer_plan({"operations": [operation(
        "hidden_size", "and 8192?", inputs={"d_model": 8192, "multiple_of": 256, "multiple_of_given": True})]})
    result = plan_with_language_model("and 8192?", previous, ALLOWED,
                                      settings_for(tmp_path, stub, planner_api_key="sk-test"), follow_up_of=7)

    assert result.plan is not None, result.reason
    assert result.plan.follow_up_of == 7
    sent = stub.requests[-1]
    assert sent["headers"]["Authorization"] == "Bearer sk-test"
    assert previous.model_dump_json() in sent["body"]["messages"][-1]["content"]


def test_a_stored_training_length_may_stand_for_words(tmp_path: Path, stub: Stub) -> None:
    stub.answer_plan({"operations": [operation("best", "best after full training?",
                                               slots={"steps": [524288]})]})
    assert ask(tmp_path, stub, "best after full training?").plan is not None


@pytest.mark.parametrize(("content", "reason"), [
    ('{"operations": [', "reply is not JSON"),
    ("Sure! Here is the plan.", "reply is not JSON"),
    (json.dumps({"operations": [{**operation(), "method": "guess"}]}), "invalid plan: operations.0.method"),
    (json.dumps({"operations": []}), "invalid plan: operations"),
    (json.dumps({"operations": [operation(extra=1)]}), "invalid plan: operations.0.extra"),
    (json.dumps({"operations": [{**operation("fact"), "kind": "rank"}]}),
     "method fact is a lookup operation, not rank"),
    (json.dumps({"operations": [operation(asked=" ")]}), "an operation names none of the question's words"),
    (json.dumps({"operations": [operation(replaced=["colour"])]}), "'colour' in replaced/inherited is not a slot"),
])
def test_a_reply_that_is_no_plan_falls_back(tmp_path: Path, stub: Stub, content: str, reason: str,
                                            caplog: pytest.LogCaptureFixture) -> None:
    stub.answer(content)
    with caplog.at_level(logging.WARNING, logger="actlab.answers"):
        result = ask(tmp_path, stub, "GEGLU after 65,536 steps?")
    assert result.plan is None and result.reason.startswith(reason), result.reason
    assert any(result.reason in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(("slots", "reason"), [
    ({"variants": ["FFN_FOO"]}, "slot variants holds 'FFN_FOO', not a known id"),
    ({"gates": ["sigmoid"]}, "slot gates holds 'sigmoid', not a known id"),  # no ids allowed at all
    ({"models": ["gemma-2-27b"]}, "slot models holds 'gemma-2-27b', not a known id"),
])
def test_an_unknown_slot_id_falls_back(tmp_path: Path, stub: Stub, slots: dict[str, Any], reason: str) -> None:
    stub.answer_plan({"operations": [operation(slots=slots)]})
    result = ask(tmp_path, stub, "GEGLU after 65,536 steps?")
    assert (result.plan, result.reason) == (None, reason)


@pytest.mark.parametrize(("fields", "reason"), [
    ({"slots": {"numbers": [3.5]}}, "number 3.5 in slot numbers is not written in the question"),
    ({"slots": {"steps": [65000]}}, "number 65000 in slot steps is not written in the question"),
    ({"inputs": {"d_model": 4096}}, "number 4096 in inputs.d_model is not written in the question"),
    ({"inputs": {"ffn_dim_multiplier": "1.3"}},
     "number 1.3 in inputs.ffn_dim_multiplier is not written in the question"),
    ({"inputs": {"points": [0.5, 2]}}, "number 2 in inputs.points.1 is not written in the question"),
    ({"read_as": "GEGLU after 65,536 steps, 1.633 loss?"}, "number 1.633 in read_as is not written in the question"),
])
def test_a_number_the_question_does_not_write_falls_back(tmp_path: Path, stub: Stub, fields: dict[str, Any],
                                                         reason: str) -> None:
    stub.answer_plan({"operations": [operation(**fields)]})
    result = ask(tmp_path, stub, "GEGLU after 65,536 steps at 0.5?")
    assert (result.plan, result.reason) == (None, reason)


def test_numbers_compare_as_values(tmp_path: Path, stub: Stub) -> None:
    stub.answer_plan({"operations": [operation(slots={"numbers": [65536.0, 0.001, 2.50]},
                                               inputs={"d_model": "65536", "x": -2.5})]})
    result = ask(tmp_path, stub, "f'(x) at 65,536, 1e-3 and -2.5?")
    assert result.plan is not None, result.reason


def test_the_operation_is_named_in_a_multi_part_plan(tmp_path: Path, stub: Stub) -> None:
    stub.answer_plan({"operations": [operation(), operation(slots={"variants": ["FFN_X"]})]})
    result = ask(tmp_path, stub, "GEGLU after 65,536 steps?")
    assert result.reason == "operation 1: slot variants holds 'FFN_X', not a known id"


def test_a_late_endpoint_times_out(tmp_path: Path, stub: Stub) -> None:
    stub.hold = True
    stub.answer_plan({"operations": [operation()]})
    result = ask(tmp_path, stub, "GEGLU after 65,536 steps?", planner_timeout_seconds=0.2)
    assert (result.plan, result.reason) == (None, "timed out after 0.2 s")
    assert 150 <= result.elapsed_ms < 5000
    assert len(stub.requests) == 1


@pytest.mark.parametrize(("status", "body", "reason"), [
    (500, b'{"error": "boom"}', "endpoint answered HTTP 500"),
    (200, b"<html>not json</html>", "endpoint reply is not JSON"),
    (200, b'{"choices": []}', "endpoint reply holds no message content"),
])
def test_an_endpoint_error_falls_back(tmp_path: Path, stub: Stub, status: int, body: bytes, reason: str) -> None:
    stub.status, stub.body = status, body
    result = ask(tmp_path, stub, "GEGLU after 65,536 steps?")
    assert (result.plan, result.reason) == (None, reason)


def test_an_unreachable_endpoint_falls_back(tmp_path: Path) -> None:
    with ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler) as server:
        port = server.server_address[1]  # bound, then closed: nothing listens there
    settings = sqlite_settings(tmp_path / "unused.db", planner_endpoint_url=f"http://127.0.0.1:{port}/v1")
    result = plan_with_language_model("GEGLU?", None, ALLOWED, settings)
    assert result.plan is None and result.reason.startswith("endpoint unreachable"), result.reason
