"""Classes of follow-up about a model, each asked in words of its own: another size of the model after several
of its fields were asked, the error of the approximation its activation uses, the whole expert count after
the active one, a claim about its activation after a calculation on its sizes, and why its configuration's
width differs from the one its report prints.

Every case is a thread asked through the real pipeline on a seeded SQLite file, as
tests/answers/test_generalise.py does, and judged like the evaluation judges an answer. Expected numbers
come from tests/reference/ (model_catalog*.csv, gemma.md, gelu_math.md).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.answers import eval_runner as ev
from tests.answers.test_generalise import check_thread

#: gelu_math.md: the tanh form's largest absolute error against exact GELU, 4.73235520687e-4.
TANH_MAX_ERROR = ["4.7324e-4", "0.0004732", "4.732"]
WIDTH_REASON = ["twice", "both input branches", "gate_proj", "up_proj", "2 ×"]

CASES: list[tuple[str, list[str], list[dict[str, Any]]]] = [
    # another size of the model, after two of its fields were asked: both fields of that size
    ("fields kept", ["gemma 3 27b intermediate_size", "hidden size too", "and the 1b?"],
     [{"contains": ["21504"]}, {"contains": ["5376"]}, {"contains": ["6912", "1152"]}]),
    ("fields kept", ["d_model of gemma 2 9b?", "and its intermediate size", "what about the 27b"],
     [{"contains": ["3584"]}, {"contains": ["14336"]}, {"contains": ["4608", "36864"]}]),
    # a bare size the family has only in a point release: that release's row, not the previous model again
    ("point release", ["what's llama 3 70b's intermediate_size", "and 405b"],
     [{"contains": ["28672"]}, {"contains": ["Llama 3.1 405B", "53248"], "not_contains": ["28672"]}]),
    ("point release", ["llama 3 8b d_ff?", "and the 1b"],
     [{"contains": ["14336"]}, {"contains": ["Llama 3.2 1B", "8192"]}]),
    # the largest error of the approximation a model's activation uses, against the exact function
    ("approximation gap", ["which activation does gpt-2 use", "how far off is it from exact gelu?"],
     [{"contains": ["gelu_tanh"]}, {"any_of": TANH_MAX_ERROR}]),
    ("approximation gap", ["gemma 3 4b activation?", "and how big is its approximation error vs the erf form"],
     [{}, {"any_of": TANH_MAX_ERROR}]),
    ("approximation gap", ["bloom activation", "worst-case error against exact?"],
     [{"contains": ["gelu_tanh"]}, {"any_of": TANH_MAX_ERROR}]),
    # the whole expert count after the count active per token
    ("total experts", ["deepseek v3 active experts per token", "out of how many in total?"],
     [{"contains": ["8"]}, {"contains": ["256"]}]),
    ("total experts", ["qwen3-30b-a3b activation", "how many are active per token",
                       "and how many are there altogether"],
     [{}, {"contains": ["8"]}, {"contains": ["128"]}]),
    # a claim about the activation of the model a calculation was just about
    ("claim after sizing", ["llama 3 8b hidden_size and intermediate_size", "ratio?",
                            "a blog table lists it under geglu, right?"],
     [{"contains": ["4096", "14336"]}, {"contains": ["3.5"]}, {"contains": ["No"], "any_of": ["swiglu", "SwiGLU"]}]),
    ("claim after sizing", ["mistral 7b d_model and d_ff", "d_ff over d_model?", "heard it uses gelu, true?"],
     [{}, {"contains": ["3.5"]}, {"contains": ["No"], "any_of": ["swiglu", "SwiGLU"]}]),
    # why the configuration's width is half the one the report prints, with the model's own numbers
    ("config width reason", ["gemma 2 9b feedforward dim in the paper",
                             "so why is intermediate_size only 14336 in the config?"],
     [{"contains": ["28672"]}, {"contains": ["14336", "28672"], "any_of": WIDTH_REASON}]),
    ("config width reason", ["gemma 1 7b paper ffn hidden dim", "why does hugging face list 24576 then"],
     [{"contains": ["49152"]}, {"contains": ["24576", "49152"], "any_of": WIDTH_REASON}]),
]


@pytest.mark.parametrize(("kind", "questions", "specs"), CASES,
                         ids=[f"{c[0]}: {' / '.join(c[1])[:50]}" for c in CASES])
def test_a_phrasing_of_the_class_gets_what_the_class_promises(
        asker: ev.Asker, kind: str, questions: list[str], specs: list[dict[str, Any]]) -> None:
    check_thread(asker, kind, questions, specs)
