"""Classes of multi-part questions whose parts are of different kinds, each asked in words of its own.

Every case is one question asked through the real pipeline on a seeded SQLite file, as
tests/answers/test_generalise.py does, and judged like the evaluation judges an answer: each part's value must
be there, in the order asked. Expected numbers come from tests/reference/ (gemma.md, model_catalog*.csv,
glu_variants_2020.md, narang_2021.md, activation_reference_values.csv). The phrasings are not those of any
evaluation split; each group names the class it stands for, so a failure says which kind of question regressed.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.answers import eval_runner as ev
from tests.answers.test_generalise import check_thread

CASES: list[tuple[str, list[str], list[dict[str, Any]]]] = [
    # catalog fields between semicolons: a bare field after the first is about the same model
    ("semicolon fields", ["gemma 3 27b layers; head size; query_pre_attn_scalar"],
     [{"contains": ["62", "128", "168"]}]),
    ("semicolon fields", ["gemma 2 2b num kv heads; head dim"], [{"contains": ["4", "256"]}]),
    # catalog fields, then a function called at a point: the call is a part of its own
    ("then a call", ["llama 3.1 8b intermediate_size, then silu(2)"], [{"contains": ["14336", "1.7616"]}]),
    ("then a call", ["gemma 2 9b d_model, then what is gelu_tanh(-1)"], [{"contains": ["3584", "0.15881"]}]),
    ("then a call", ["mistral 7b d_ff and hidden size, then sigmoid'(0.5)"],
     [{"contains": ["14336", "4096", "0.2350"]}]),
    # several setup asks of the GLU-variants paper: the short variability runs are their own setting
    ("paper setup", ["in the glu variants paper how many additional models per architecture were trained, how "
                     "long were those shorter runs, and what batch size"],
     [{"contains": ["65,536", "128"], "any_of": ["four", "4"], "not_contains": ["524,288"]}]),
    ("paper setup", ["for shazeer's experiments, what optimizer, and how long were the short runs"],
     [{"contains": ["Adafactor", "65,536"], "not_contains": ["524,288"]}]),
    # a paper's head, a colon, then asks of different kinds: each answered for its own words
    ("colon list", ["narang: parameter count of each model, d_ff of the gated ones, and what is reglu"],
     [{"contains": ["223", "2048", "ReLU"]}]),
    ("colon list", ["shazeer: optimizer, batch, and what is geglu"], [{"contains": ["Adafactor", "128", "GELU"]}]),
    # two values at a point, then which function is steeper (or flatter) there: both slopes, the answer named
    ("steeper", ["tanh(0.5), sigmoid(0.5), and which of them is flatter there"],
     [{"contains": ["0.46212", "0.62246", "0.23500", "0.78645", "`sigmoid` is flatter"]}]),
    ("steeper", ["gelu(2); silu(2); which of the two is steeper at that point"],
     [{"contains": ["1.9545", "1.7616", "1.0852", "1.0908", "`silu` is steeper"]}]),
    ("steeper", ["silu(2)? gelu(2)? which one's steeper at 2"],
     [{"contains": ["1.7616", "1.9545", "1.0908", "1.0852", "`silu` is steeper"]}]),
    ("steeper", ["which is steeper at x=-1, elu or selu?"],
     [{"contains": ["0.36788", "0.64677", "`selu` is steeper"]}]),
]


@pytest.mark.parametrize(("kind", "questions", "specs"), CASES,
                         ids=[f"{c[0]}: {' / '.join(c[1])[:50]}" for c in CASES])
def test_a_phrasing_of_the_class_gets_what_the_class_promises(
        asker: ev.Asker, kind: str, questions: list[str], specs: list[dict[str, Any]]) -> None:
    check_thread(asker, kind, questions, specs)
