"""Classes found by the fifteenth tuning batch, each pinned by phrasings of its own: a parenthesised aside
with a number is no list marker, "X, then its slope there" asks both, a row's variation "across runs" is its
spread (not the paper's setup), and a GLUE task the paper leaves out is declined by name, not answered with
the GLUE average. Computed values are checked against mpmath, table values against tests/reference."""

from __future__ import annotations

from typing import Any

import mpmath
import pytest

from tests.answers import eval_runner as ev
from tests.answers.test_generalise import assert_thread_gets


def mish(x: mpmath.mpf) -> mpmath.mpf:
    return x * mpmath.tanh(mpmath.log(1 + mpmath.e ** x))


def shown(value: mpmath.mpf) -> str:
    return mpmath.nstr(value, 5)


CASES: list[tuple[list[str], list[dict[str, Any]]]] = [
    (["slope of elu (alpha 1) at x = -2"], [{"contains": [shown(mpmath.e ** -2)]}]),
    (["derivative of selu (lambda 1.0507) at x=1?"], [{"contains": ["1.0507"]}]),
    (["whats mish(2), then its slope there"],
     [{"contains": [shown(mish(mpmath.mpf(2))), shown(mpmath.diff(mish, mpmath.mpf(2)))]}]),
    (["how much did narang's sigmoid early loss vary across runs"], [{"contains": ["2.291", "0.019"]}]),
    (["swiglu wnli acc in shazeer's glue table"], [{"contains": ["WNLI"], "not_contains": ["84.36"]}]),
    # "how far apart are they" after two computed values, or two table cells: their difference
    (["silu'(-1) and sigmoid'(-1)? how far apart are they"],
     [{"contains": [shown(mpmath.diff(lambda x: x / (1 + mpmath.e ** -x), -1)
                          - mpmath.diff(lambda x: 1 / (1 + mpmath.e ** -x), -1))]}]),
    (["geglu glue avg; swiglu glue avg; how far apart are they"], [{"contains": ["84.12", "84.36", "0.24"]}]),
    # an MoE row: d_model beside the experts' width when both are asked; a config's unused dense width, named;
    # "does any layer use that" asks the answer just given again; "'s sizes" after a layer count asks the sizes
    (["mixtral 8x22b hidden_size and per-expert intermediate_size", "how many layers?", "and the 8x7b's sizes"],
     [{"contains": ["6144", "16384"]}, {"contains": ["56"]}, {"contains": ["4096", "14336"]}]),
    (["qwen3-30b-a3b intermediate_size?", "does any layer actually use that"],
     [{"contains": ["6144", "768"]}, {"contains": ["768"], "any_of": ["no layer uses", "every layer sparse"]}]),
    # "on that one" points back at the thread's column, however long the question
    (["shazeer glue rte acc for ffn_glu", "and on superglue rte", "which variant is best on that one"],
     [{}, {}, {"contains": ["SwiGLU", "85.20"]}]),
    # a correction to "both of them" keeps the slopes the thread asked for
    (["exact gelu derivitive at x=-1", "and the tanh approx there", "correction, i meant both of them at x=+1"],
     [{}, {}, {"contains": [shown(mpmath.diff(lambda x: x * mpmath.ncdf(x), 1))]}]),
    # why a table prints a spread for one column only: the paper does not say, and the spreads it prints
    (["why does narang only give a std for the early loss and not for the final loss"],
     [{"contains": ["do not say why", "2.182", "0.005"]}]),
    # why an approximation's worst error sits at both +x and -x: its error is even, computed
    (["why does the tanh gelu approx hit its worst error at both +2.699 and -2.699"],
     [{"contains": ["even", "4.7324e-4"], "not_contains": ["Because that is its definition"]}]),
    # why the gated FFNs are narrower: the width rule, whichever dense functions the question names beside them
    (["how come the gated ffns in 2002.05202 are narrower (d_ff 2048) than the relu/gelu/swish ones at 3072"],
     [{"any_of": ["three weight matrices", "2/3", "same number of param"]}]),
    # a vowel for a vowel in a long word is a misspelling of it
    (["exact gelu derivitive at x=-1"], [{"contains": [shown(mpmath.diff(lambda x: x * mpmath.ncdf(x), -1))]}]),
]


@pytest.mark.parametrize(("questions", "specs"), CASES, ids=[c[0][0][:40] for c in CASES])
def test_a_phrasing_of_the_class_gets_what_the_class_promises(asker: ev.Asker, questions: list[str],
                                                              specs: list[dict[str, Any]]) -> None:
    assert_thread_gets(asker, questions, specs)
