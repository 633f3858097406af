"""Classes of why-questions whose answer is a reason, whatever the exact words: why a gated FFN's hidden size is
two-thirds of 4·d_model (three matrices instead of two at equal parameters, not a sizing of d_model 2), why
√(2/π) sits inside the tanh of the approximate GELU (its value and where it comes from), why two FFN widths of
one model differ by exactly a factor of two (both gated branches counted together, for any model), why
configuration-class defaults are not a checkpoint's sizes, and why the first Gemma configs said
hidden_act "gelu" (a legacy field). Asked through the real pipeline on a seeded SQLite file; every number shown
must trace to tests/reference, to the question or to a computation (see tests/answers/test_generalise.py, whose
fixture and thread function this reuses).
"""

from __future__ import annotations

from typing import Any

import pytest

from app.answers.derived import D_MODEL
from app.answers.routed_answers import SQRT_2_OVER_PI, formula_constants
from app.answers.width_premise import _widths
from tests.answers import eval_runner as ev
from tests.answers.test_generalise import assert_thread_gets


def test_a_fraction_after_a_width_word_is_not_a_d_model() -> None:
    assert D_MODEL.search("why is the ffn hidden dim 2/3 of 4d") is None
    assert D_MODEL.search("hidden dim 4d and not 4 x d") is None
    found = D_MODEL.search("hidden dim 4096, multiple_of 256")
    assert found is not None and found.group(1).rstrip(",") == "4096"


def test_the_tanh_scale_is_recognised_by_symbol_words_or_value() -> None:
    for text in ("why sqrt(2/pi) in gelu", "the √(2/π) factor", "root 2 over pi", "the 0.7978845608 factor",
                 "what is 0.79788 in gelu_new"):
        assert formula_constants(text, []) == [SQRT_2_OVER_PI], text
    assert formula_constants("where does 0.044715 come from", [0.044715]) == [0.044715]
    assert formula_constants("what is sqrt(2)", []) == []
    assert formula_constants("what is gelu_tanh(0.7979)", [0.7979]) == []


def test_labelled_sizes_are_not_ffn_widths() -> None:
    assert _widths("intermediate_size 28672 with d_model 8192 and multiple_of 4096") == [28672]
    assert _widths("lists 27392 for the ffn but 13696 wide") == [27392, 13696]


CASES: list[tuple[list[str], list[dict[str, Any]]]] = [
    # why two-thirds of 4·d_model: three matrices instead of two at equal parameters, not a sizing of d_model 2
    (["why do swiglu models shrink the hidden dim to two-thirds of 4d rather than keeping 4d?"],
     [{"contains": ["param", "three"], "not_contains": ["for d_model 2"]}]),
    (["what's the reason llama's mlp hidden dim is 2/3 of 4d wide and not 4d"],
     [{"contains": ["param"], "any_of": ["three", "gate_proj"], "not_contains": ["for d_model 2"]}]),
    (["why 8/3 of d_model for a gated ffn and not 4 times d_model like the original transformer?"],
     [{"contains": ["param", "three"]}]),
    (["hidden dim 4096, multiple_of 256, llama ffn size?"], [{"contains": ["11008"]}]),
    # √(2/π) in the tanh GELU: its value, the formula, where it comes from
    (["where does the √(2/π) in gelu_tanh come from?"], [{"contains": ["0.7979", "tanh", "Hendrycks"]}]),
    (["what's the 0.7978845608 factor in gelu_fast"], [{"contains": ["0.7979", "tanh"]}]),
    (["why root 2 over pi in the tanh gelu formula"], [{"contains": ["0.7979", "tanh"]}]),
    (["where does the 0.044715 in gelu come from"], [{"contains": ["0.044715", "cubic"]}]),
    # two widths, one twice the other: both gated branches counted together, the per-branch width named
    (["phi-3-mini gate_up_proj is 16384 wide but intermediate_size is 8192, why?"],
     [{"contains": ["8192", "2 ×"], "any_of": ["fused", "both branches"]}]),
    (["gemma 2 27b paper ffn 73728 vs hf intermediate 36864, why?"],
     [{"contains": ["36864", "2 ×"]}]),
    (["how come gemma 7b's paper has 49152 but the hf config 24576?"], [{"contains": ["24576", "2 ×"]}]),
    (["some model card says ffn width 22528 but the config says 11264, why do they differ"],
     [{"contains": ["11264", "2 ×", "both branches"]}]),
    # configuration-class defaults in general: they differ from the docstring's checkpoint, read config.json
    (["can I just read the model sizes off the LlamaConfig defaults?"],
     [{"contains": ["no:", "config.json"], "any_of": ["differ", "similar"]}]),
    (["are hugging face config class defaults the real checkpoint sizes?"],
     [{"contains": ["no:", "config.json", "differ"]}]),
    (["why shouldn't I use the default values in configuration_qwen2.py for qwen2-7b's dims?"],
     [{"contains": ["config.json", "3584", "18944"]}]),
    # Gemma's legacy hidden_act "gelu"
    (["what's the deal with hidden_activation vs hidden_act in gemma configs"],
     [{"contains": ["legacy", "gelu_pytorch_tanh"]}]),
    (["why does an old gemma config.json list hidden_act gelu?"],
     [{"contains": ["hidden_activation"], "any_of": ["legacy", "ignored"]}]),
    (["why is gemma's gelu the approximated one, and why did early gemma configs list gelu as hidden_act?"],
     [{"contains": ["approximat", "tanh", "legacy"]}]),
]


@pytest.mark.parametrize(("questions", "specs"), CASES, ids=[c[0][0][:40] for c in CASES])
def test_phrasings_of_a_reason_class(asker: ev.Asker, questions: list[str],
                                     specs: list[dict[str, Any]]) -> None:
    assert_thread_gets(asker, questions, specs)
