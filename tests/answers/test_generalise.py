"""Classes of phrasing the answers promise to handle, whatever the exact words: checked claims, error bounds,
elliptical follow-ups that keep the previous operation, numbered parts and value-and-derivative asks.

The unit tests pin the rules themselves; the pipeline tests ask real questions (threads for follow-ups) on a
seeded SQLite file and check what the asker is promised: a yes or no first where a claim is repeated, the
previous operation kept by a follow-up that names only a new column, a length or the other paper, and every
number shown traced to tests/reference or to a computation re-run from reference values.
"""

from __future__ import annotations

from typing import Any

import pytest

from app.answers import error_bound, framing, routing
from app.answers.entities import Entities
from tests import reference_numbers
from tests.answers import eval_runner as ev


def test_a_beat_claim_needs_a_check_framing_and_a_beat_or_trail_word() -> None:
    assert framing.is_beat_claim("is it true that GLU beat Swish after full training?")
    assert framing.is_beat_claim("does swish do worse on glue than relu?")
    assert framing.is_beat_claim("my colleague says bilinear outperforms reglu on squad. right?")
    assert not framing.is_beat_claim("glu vs swish after full training")  # a comparison, not a claim
    assert not framing.is_beat_claim("is glu's perplexity 1.663?")  # a claimed value, not a ranking


def test_an_error_bound_claim_is_read_with_its_direction_and_the_askers_number() -> None:
    within = Entities(text="the quick gelu is never more than 5e-2 off the exact one, correct?",
                      activations=["gelu_sigmoid", "gelu"], numbers=[0.05])
    assert error_bound.detect(within.text, within) == {
        "fn": "gelu_sigmoid", "reference": "gelu", "bound": 0.05, "within": True, "written": "5e-2"}
    exceeds = Entities(text="does the tanh gelu error exceed 0.01 anywhere?", activations=["gelu_tanh"],
                       numbers=[0.01])
    found = error_bound.detect(exceeds.text, exceeds)
    assert found is not None and found["within"] is False
    plain = Entities(text="max error of the tanh gelu", activations=["gelu_tanh"])
    assert error_bound.detect(plain.text, plain) is None  # no bound claimed: the error is computed as asked


def test_numbered_parts_are_split_without_their_markers() -> None:
    assert routing.split_parts("1) best glue variant 2) its spread") == ["best glue variant?", "its spread?"]
    assert routing.split_parts("gelu(1)") == ["gelu(1)"]


def ask_thread(asker: ev.Asker, questions: list[str]) -> list[str]:
    """Ask the questions in one thread; every number shown must trace to the reference files."""
    thread_id: int | None = None
    bodies = []
    for question in questions:
        body, specs, thread_id = asker(question, thread_id)
        report = reference_numbers.check(body, specs, question)
        ungrounded = [n for n in report.ungrounded if reference_numbers.normalized(n) not in ev.csv_cells()]
        assert ungrounded == [], (question, ungrounded, body)
        bodies.append(body)
    return bodies


def check_thread(asker: ev.Asker, kind: str, questions: list[str], specs: list[dict[str, Any]]) -> None:
    """Ask a thread (see :func:`ask_thread`) and judge each turn that has expectations against them."""
    bodies = ask_thread(asker, questions)
    for question, body, spec in zip(questions, bodies, specs, strict=True):
        if spec:
            assert ev.judge(body, spec) == [], (kind, question, body)


def assert_thread_gets(asker: ev.Asker, questions: list[str], specs: list[dict[str, Any]]) -> None:
    """Ask a thread and judge each answer against its turn's expectations (the body of every class test)."""
    for body, spec in zip(ask_thread(asker, questions), specs, strict=True):
        assert ev.judge(body, spec) == [], body


CASES: list[tuple[list[str], list[dict[str, Any]]]] = [
    # a claim that one variant beats others is answered yes, no or partly, with the cells
    (["is it true that GLU beat ReLU, GELU and Swish after full training?"],
     [{"contains": ["yes.", "1.663", "1.677"]}]),
    (["my colleague says Swish outperforms ReLU on the GLUE average, right?"],
     [{"contains": ["no.", "83.60", "83.80"]}]),
    # a claimed error bound is decided by the computed maximum error
    (["quick gelu stays within 1e-2 of exact gelu, true?"], [{"contains": ["no.", "0.020335"]}]),
    # follow-ups keep the previous operation and replace only what they name
    (["how noisy is the superglue average", "and boolq?"], [{"contains": ["0.416"]}, {"contains": ["0.365"]}]),
    (["bilinear ppl at 65k", "std?"], [{"contains": ["1.960"]}, {"contains": ["0.005"]}]),
    (["gelu_sigmoid(2)", "and the exact one?"], [{"contains": ["1.9357"]}, {"contains": ["1.9545"]}]),
    (["which variant has the lowest perplexity after full training", "what about in narang?"],
     [{"contains": ["1.633"]}, {"contains": ["SwiGLU", "1.789"]}]),
    # parts: a numbered list, and a value asked with its derivative
    (["1) worst squad f1 variant 2) its noise"], [{"contains": ["90.69", "0.226"]}]),
    (["tanh(1) and its slope"], [{"contains": ["0.7616", "0.4200"]}]),
    # a change with training length of one variant is computed from its two cells
    (["how much does reglu improve from 65k to full training"], [{"contains": ["0.308"]}]),
]


@pytest.mark.parametrize(("questions", "specs"), CASES, ids=[c[0][0][:40] for c in CASES])
def test_phrasings_of_a_class_get_what_the_class_promises(asker: ev.Asker, questions: list[str],
                                                          specs: list[dict[str, Any]]) -> None:
    bodies = ask_thread(asker, questions)
    for body, spec in zip(bodies, specs, strict=True):
        assert ev.judge(body, spec) == [], body
