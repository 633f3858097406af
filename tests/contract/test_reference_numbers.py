"""The test suite's own number check (tests/reference_numbers.py) catches what it must catch: a number that
is in no reference file and that no listed computation gives."""

from __future__ import annotations

from typing import Any

import pytest

from tests import reference_numbers as rn

TANH_ERROR = {"name": "approx_error", "params": {"fn": "gelu_tanh", "reference": "gelu", "xmin": -10.0,
                                                 "xmax": 10.0, "points": 200001}}
GEGLU = {"kind": "result", "table": 1, "row": "FFN_GEGLU", "column": "65,536 steps", "value_text": "1.942",
         "stddev_text": "0.004", "label": "Table 1, FFN_GEGLU, 65,536 steps"}
SWIGLU = {**GEGLU, "row": "FFN_SwiGLU", "value_text": "1.944", "stddev_text": "0.010"}


def arith(op: str, *operands: dict[str, Any]) -> dict[str, Any]:
    return {"name": "arith", "params": {"op": op, "operands": list(operands)}}


@pytest.mark.parametrize(
    ("text", "computations"),
    [
        ("FFN_GEGLU reaches 1.942 after 65,536 steps and 1.633 after 524,288 (Table 1).", []),
        ("Gemma 2 9B: d_model 3584, feed-forward dim 28672 (arXiv:2408.00118v3).", []),
        ("Computed: gelu(1) = 0.841345.", []),  # activation_reference_values.csv: 0.841344746069
        ("The largest gap is 4.7324e-4 at |x| ≈ 2.6989, on 200,001 points of [−10, 10].", [TANH_ERROR]),
        ("ahead by 0.002", [arith("absdiff", {"citation": GEGLU}, {"citation": SWIGLU})]),
        ("spread 0.0108", [arith("sqrt_sum_squares", {"citation": GEGLU, "what": "stddev"},
                                 {"citation": SWIGLU, "what": "stddev"})]),
        ("The minimum of gelu is −0.16997 at x ≈ −0.75179.", [{"name": "extremum",
                                                               "params": {"fn": "gelu", "which": "minimum"}}]),
    ],
)
def test_grounded_numbers_pass(text: str, computations: list[dict[str, Any]]) -> None:
    report = rn.check(text, computations)
    assert report.ok, (report.ungrounded, report.problems)
    assert report.checked >= 1


@pytest.mark.parametrize(
    ("text", "computations", "ungrounded"),
    [
        ("FFN_GEGLU reaches 1.634 after full training.", [], "1.634"),  # a near miss
        ("FFN_GEGLU reaches 1.63 after full training.", [], "1.63"),  # a printed value may not be rounded
        ("Gemma 2 has 3.7 billion reasons.", [], "3.7"),
        ("max error 4.7325e-4", [TANH_ERROR], "4.7325e-4"),
        ("Computed: gelu(1) = 0.841346.", [], "0.841346"),
        ("ahead by 0.0021", [arith("absdiff", {"citation": GEGLU}, {"citation": SWIGLU})], "0.0021"),
        ("about 10⁻⁹ of the time", [], "1e-9"),
    ],
)
def test_invented_numbers_are_caught(text: str, computations: list[dict[str, Any]], ungrounded: str) -> None:
    assert rn.check(text, computations).ungrounded == [ungrounded]


def test_a_forged_operand_is_not_a_reference_value() -> None:
    forged = {**GEGLU, "value_text": "1.9421"}
    report = rn.check("ahead by 0.0021", [arith("absdiff", {"citation": forged}, {"citation": SWIGLU})])
    assert not report.ok and report.problems


def test_link_targets_are_not_numbers() -> None:
    assert rn.numbers_in("[the thread](/threads/31#post-977) and 524,288 steps") == ["524,288"]
