"""Classes of phrasing for mixture-of-experts sizing, per-layer counts and a pasted sizing function.

Each case is a phrasing of a class the answers promise to handle: the weights of one expert, of all the
experts of a layer and of the experts one token goes through (shared plus top-k routed), from a catalog
row's MoE note or from sizes the question writes out (each label bound to its own number); "one layer",
"per layer" and "with N experts" read as words, not as a layer count asked or a width; a doubled width
not printed as a product nobody asked for; LLaMA's sizing function pasted and called with positional or
keyword arguments. Asked through the real pipeline on a seeded SQLite file; every expected number is
arithmetic on tests/reference/model_catalog*.csv values (see tests/answers/test_generalise.py, whose fixture
and thread function this reuses).
"""

from __future__ import annotations

from typing import Any

import pytest

from app.answers import moe_sizes, pasted_code
from tests.answers import eval_runner as ev
from tests.answers.test_generalise import assert_thread_gets

LLAMA_RULE = ("def {name}({params}):\n    h = int(2 * (4 * {dim}) / 3)\n"
              "    if ffn_dim_multiplier is not None:\n        h = int(ffn_dim_multiplier * h)\n"
              "    return multiple_of * ((h + multiple_of - 1) // multiple_of)\n")


def test_expert_sizes_are_bound_to_their_own_labels() -> None:
    found = moe_sizes.detect("moe layer params: expert width 1536, hidden 5120, top-6", None)
    assert found is not None
    assert (found["shape"]["d_model"], found["shape"]["width"], found["shape"]["active"]) == (5120, 1536, 6)
    found = moe_sizes.detect("hidden_size 2048 and moe_intermediate_size 768, 128 experts: weights per expert", None)
    assert found is not None and (found["shape"]["d_model"], found["shape"]["width"]) == (2048, 768)
    assert found["shape"]["routed"] == 128


def test_a_pasted_call_is_bound_as_python_binds_it() -> None:
    code = LLAMA_RULE.format(name="ffn", params="dim, multiple_of, ffn_dim_multiplier", dim="dim")
    bound = pasted_code.bound_call(code + "ffn(8192, 4096, 1.3)")
    assert bound is not None and (bound["d_model"], bound["multiple_of"], bound["ffn_dim_multiplier"]) == (
        8192, 4096, "1.3")
    bound = pasted_code.bound_call(code + "ffn(4096, ffn_dim_multiplier=1.3, multiple_of=1024)")
    assert bound is not None and (bound["d_model"], bound["multiple_of"], bound["ffn_dim_multiplier"]) == (
        4096, 1024, "1.3")
    assert pasted_code.bound_call("def f(x):\n    return x * 2\nf(3)") is None  # not the sizing rule


CASES: list[tuple[list[str], list[dict[str, Any]]]] = [
    # one expert, all the experts of a layer, the experts one token goes through (catalog MoE notes)
    (["how many params in a single gpt-oss-120b expert, and across all 128 experts in one layer"],
     [{"contains": ["24883200", "3185049600"], "not_contains": ["no number of layers"]}]),
    (["qwen3-235b-a22b: weights of one expert, and of the experts each token is routed to"],
     [{"contains": ["18874368", "150994944"]}]),
    (["mixtral 8x22b, how many weights do all 8 experts of one layer hold, and how many does one token go through"],
     [{"contains": ["301989888", "2415919104", "603979776"], "not_contains": ["no number of layers"]}]),
    (["deepseek-v3 weights per expert"], [{"contains": ["44040192", "2048"]}]),
    # over all layers: the layer count the row's note states, or the one written
    (["mixtral 8x22b: all experts of a layer and the active ones, weights over the whole model"],
     [{"contains": ["2415919104", "135291469824", "33822867456"]}]),
    (["mixtral 8x7b weights of one expert, over all 32 layers"], [{"contains": ["176160768", "5637144576"]}]),
    # sizes written out, each label with its own number, whatever their order
    (["deepseek-v2: one expert's params with hidden 5120 and expert width 1536, then all 160 routed experts "
      "of a layer"], [{"contains": ["23592960", "3774873600"]}]),
    (["an moe layer with 64 experts, top-6, d_model 2048 and expert width 768: weights per expert and per token?"],
     [{"contains": ["4718592", "28311552"]}]),
    # "one layer", "per layer" are not a layer count asked
    (["llama 2 7b mlp params for one layer"], [{"contains": ["135266304"], "not_contains": ["no number of layers"]}]),
    (["weights of a single layer's ffn in mistral 7b"],
     [{"contains": ["176160768"], "not_contains": ["no number of layers"]}]),
    # a weight count asked in a later part, of the model of the part before it
    (["llama 3 8b gate_up_proj is Linear(4096, 28672), so intermediate_size is 28672? and what's the mlp param "
      "count per layer"], [{"contains": ["14336", "176160768"], "not_contains": ["352321536", "no number of layers"]}]),
    # a doubled width stated beside the per-layer count asked: the doubled product is not printed
    (["gemma 2 9b ffn weights per layer, the report says feedforward dim 28672 at d_model 3584"],
     [{"contains": ["14336", "154140672"], "not_contains": ["308281344", "308,281,344"]}]),
    # LLaMA's sizing function pasted and called, compared with the named model's catalog width
    ([LLAMA_RULE.format(name="size", params="d_model, multiple_of=256, ffn_dim_multiplier=None", dim="d_model")
      + "\nprint(size(8192, multiple_of=4096, ffn_dim_multiplier=1.3))  # same as llama 2 70b?"],
     [{"contains": ["28672", "Llama 2 70B"]}]),
    (["def hid(dim, multiple_of):\n  h = int(2 * (4 * dim) / 3)\n  return multiple_of * ((h + multiple_of - 1) // "
      "multiple_of)\nwhat does hid(4096, 256) give, is it llama 7b's width"], [{"contains": ["11008"]}]),
]


@pytest.mark.parametrize(("questions", "specs"), CASES, ids=[c[0][0][:40] for c in CASES])
def test_phrasings_of_a_class_get_what_the_class_promises(asker: ev.Asker,
                                                          questions: list[str],
                                                          specs: list[dict[str, Any]]) -> None:
    assert_thread_gets(asker, questions, specs)
