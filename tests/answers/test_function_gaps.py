"""Two functions set against each other at a point get their difference, computed, and checked here against
mpmath; a pair that is an approximation and its exact form keeps its own error line, and "difference between
gelu and silu" is never read as the tanh approximation's error."""

from __future__ import annotations

import mpmath
import pytest

from tests.answers import eval_runner as ev
from tests.answers.test_generalise import ask_thread


def gelu(x: mpmath.mpf) -> mpmath.mpf:
    return x * mpmath.ncdf(x)


def silu(x: mpmath.mpf) -> mpmath.mpf:
    return x / (1 + mpmath.e ** (-x))


def shown(value: mpmath.mpf, digits: int = 5) -> str:
    return mpmath.nstr(value, digits)


@pytest.mark.parametrize("questions", [
    ["difference between gelu and silu at x=2"],
    ["gelu(2) minus silu(2)"],
    ["gelu(2)", "how far from silu(2)?"],
])
def test_the_difference_of_two_functions_at_a_point_is_computed(asker: ev.Asker, questions: list[str]) -> None:
    body = ask_thread(asker, questions)[-1]
    first_line = body.splitlines()[0]
    assert ev.shows(first_line, shown(gelu(mpmath.mpf(2)) - silu(mpmath.mpf(2)))), body
    assert "gelu_tanh" not in body  # no approximation was asked about


def test_the_difference_of_two_slopes_is_computed(asker: ev.Asker) -> None:
    x = mpmath.mpf(1)
    expected = mpmath.diff(gelu, x) - mpmath.diff(silu, x)
    body = ask_thread(asker, ["gelu'(1) - silu'(1)"])[0]
    assert ev.shows(body.splitlines()[0], shown(expected)), body


def test_an_approximation_keeps_its_error_line(asker: ev.Asker) -> None:
    body = ask_thread(asker, ["how far apart are gelu and gelu_tanh at x=3"])[0]
    assert body.count("At the point asked") == 1, body
