"""Classes of phrasing for follow-ups that lean on the answer just given, and for questions of several parts.

Follow-ups: why a gated variant beat the baseline (the paper gives no reason) and the same row in Narang et
al.'s table after it; a correction of the model's size; the width a model's report prints after its config
width; the function's value where its slope was just computed; the approximation's error at the point just
computed and which side it lies on; LLaMA's rule again with other rounding fields, and the catalog's models of
the width it gives; one expert's weights and a whole layer's; a function's Hugging Face name. Parts: a list
written with dashes, "and then", ", also", "two things.", a comma before another question, a subject with a
dash before several fields, and a function's value or a variant's cell after a part about something else.
Asked through the real pipeline on a seeded SQLite file; every number shown must trace to tests/reference or
to a computation re-run from reference values (see tests/answers/test_generalise.py, whose fixture and thread
function this reuses).
"""

from __future__ import annotations

from typing import Any

import pytest

from app.answers.part_splitting import is_listed, split_parts
from tests.answers import eval_runner as ev
from tests.answers.test_generalise import assert_thread_gets


def test_parts_are_split_at_the_words_that_begin_another_question() -> None:
    assert split_parts("- mistral 7b d_ff\n- silu'(1)\n- narang swiglu xsum") == [
        "mistral 7b d_ff?", "silu'(1)?", "narang swiglu xsum?"]
    assert split_parts("a few questions:\n- gemma 7b d_model\n- tanh(1)") == ["gemma 7b d_model?", "tanh(1)?"]
    assert split_parts("narang reglu xsum, and then silu(2)") == ["narang reglu xsum?", "silu(2)?"]
    assert split_parts("sigmoid'(0), also narang's step/s for geglu") == ["sigmoid'(0)?", "narang's step/s for geglu?"]
    assert split_parts("which activation does mistral 7b use, what's its d_model") == [
        "which activation does mistral 7b use?", "what's its d_model?"]
    # one computation asked in two clauses stays one part
    assert len(split_parts("max error of the tanh approx of gelu, where does it happen")) == 1
    assert is_listed("phi-3-mini - d_model, which activation, and how many ffn weights per layer")
    assert is_listed("geglu glue avg, and then the llama formula for dim=4096")


#: (questions of one thread, expectation per turn)
CASES: list[tuple[list[str], list[dict[str, Any]]]] = [
    # why a gated variant won: the paper offers no explanation; then the same row in Narang et al.'s table
    (["swiglu's full-length perplexity in the glu paper", "how come it's better than relu?", "and in narang?"],
     [{"contains": ["1.636"]},
      {"any_of": ["no explanation", "no theory", "divine benevolence"]},
      {"contains": ["1.789"], "not_contains": ["1.838"]}]),
    (["reglu after 524288 steps in shazeer's table", "why does it beat the relu one"],
     [{"contains": ["1.645"]}, {"any_of": ["no explanation", "no theory", "divine benevolence"]}]),
    # a correction of the model's size, then the width its report prints
    (["gemma 2 9b intermediate_size", "oops, meant the 27b", "and what does the report say for it"],
     [{"contains": ["14336"]}, {"contains": ["36864"], "not_contains": ["14336"]}, {"contains": ["73728"]}]),
    (["gemma 7b's intermediate size?", "what's the number the paper prints"],
     [{"contains": ["24576"]}, {"contains": ["49152"]}]),
    # the function's own value where its slope was just computed
    (["slope of silu at x=2", "ok and the function itself there?"],
     [{"contains": ["1.0908"]}, {"contains": ["1.7616"]}]),
    (["gelu derivative at 0.5", "at -0.5?", "what's the value at that point"],
     [{"contains": ["0.8675"]}, {"contains": ["0.1325"]}, {"contains": ["0.1543"]}]),
    # the approximation's error at the point just computed, and its side
    (["gelu(-1)", "and the tanh approximation?", "how big is the error there, which one is higher"],
     [{"contains": ["0.1587"]}, {"contains": ["0.1588"]},
      {"contains": ["0.0001528"], "any_of": ["below", "lower"]}]),
    (["gelu_tanh(2)", "so the gap at that point is what, and is it above or below"],
     [{"contains": ["1.9546"]}, {"contains": ["0.00009796"], "any_of": ["above", "higher"]}]),
    # LLaMA's rule with other rounding fields, then the catalog's models of that width
    (["llama hidden dim for dim 8192", "now multiple_of 4096 and ffn_dim_multiplier 1.3",
      "any models in the catalog with that width?"],
     [{"contains": ["22016"]}, {"contains": ["28672"]}, {"contains": ["Llama 2 70B"]}]),
    (["llama 2 70b d_model", "what would the rule give with multiple_of 256 and ffn_dim_multiplier 1.3"],
     [{"contains": ["8192"]}, {"contains": ["28416"]}]),
    (["how does llama 13b get to 13824 from dim 5120?"], [{"contains": ["13824"], "any_of": ["256", "multiple_of"]}]),
    # one expert's weights, then all of a layer's
    (["mixtral 8x22b per-expert d_ff", "how many params in a single one of those experts",
      "and all of them in one layer"],
     [{"contains": ["16384"]}, {"contains": ["301989888"]}, {"contains": ["2415919104"]}]),
    # a function's name in Hugging Face's configs
    (["max error of quick gelu", "what's it called in hugging face?"],
     [{"contains": ["0.02033"]}, {"contains": ["quick_gelu"]}]),
    (["largest error of the tanh approximation of gelu, and what's that one called in hf"],
     [{"contains": ["gelu_new", "4.7324e-4"]}]),
    # parts lost or merged when split
    (["which activation does gemma 2 9b use, whats its intermediate_size, and also what's gelu(1)"],
     [{"contains": ["14336", "0.8413"], "any_of": ["geglu", "gelu"]}]),
    (["a few questions:\n- mistral 7b d_ff\n- silu'(1)\n- shazeer swiglu superglue avg"],
     [{"contains": ["14336", "0.9277", "74.56"]}]),
    (["narang reglu xsum, and then the llama hidden dim formula for dim=4096 multiple_of=256"],
     [{"contains": ["18.36", "11008"]}]),
    (["phi-3-mini - d_model, which activation, and how many ffn weights per layer"],
     [{"contains": ["3072", "75,497,472"], "any_of": ["swiglu", "silu"]}]),
    (["two things. slope of tanh at 0, also narang's step/s for geglu"],
     [{"contains": ["1.0000", "3.55"]}]),
    (["two questions. sigmoid'(2), also narang's step/s of the vanilla transformer"],
     [{"contains": ["0.1050", "3.50"], "not_contains": ["3.63"]}]),
    (["is gpt-2's gelu the tanh one? and gelu_tanh(0.5) = ?"],
     [{"contains": ["tanh", "0.3457"]}]),
]


@pytest.mark.parametrize(("questions", "specs"), CASES, ids=[c[0][0][:40] for c in CASES])
def test_phrasings_of_a_class_get_what_the_class_promises(asker: ev.Asker,
                                                          questions: list[str],
                                                          specs: list[dict[str, Any]]) -> None:
    assert_thread_gets(asker, questions, specs)
