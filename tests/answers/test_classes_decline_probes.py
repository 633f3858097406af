"""Classes of phrasing for what the store lacks next to what it holds, and for what it holds written another way.

A model of a stored family that the catalog does not hold (another size, member word, release or version) is
declined by name with the family's stored members named, never their sizes; a stored model written without
its brackets ("gpt2 124m", "phi-4 14b") is answered; a release other than the stored one ("v0.2" against
"Mistral 7B (v0.1)") is another model; a training length Narang et al. do not report is declined with the
lengths they state, not answered with the final-loss cell; Shazeer's Bilinear asked of a column only Narang
et al. report is their LiGLU row, said so; a configuration field no stored row holds (rope_theta, norm
epsilon, bias settings) is declined by name, alone or beside a stored width; a head count a catalog row's
source note states is answered from that note; a report's feed-forward dimension that only Hugging Face's
configuration gives is said to be missing before the configuration's width is shown; the tanh GELU named by
a framework's name ("gelu_new") is the implementation the paper leaves unstated. Asked through the real
pipeline on a seeded SQLite file; every expected number is printed in tests/reference.
"""

from __future__ import annotations

from typing import Any

import pytest

from app.answers import family_members
from tests.answers import eval_runner as ev
from tests.answers.test_generalise import assert_thread_gets

NOT_STORED = ["not in the catalog", "not in the stored evidence"]


def test_a_family_member_is_found_by_the_longest_stored_family() -> None:
    catalog = ["Llama 2 7B", "Llama 2 70B", "LLaMA-7B (v1)", "Llama 3 8B", "Llama 3.1 405B", "T5 v1.1-base",
               "T5 v1.1-XXL", "T5-base (v1.0)", "Phi-2"]
    assert family_members.stored_members("llama 2 13b", catalog) == ("Llama 2", ["Llama 2 7B", "Llama 2 70B"])
    assert family_members.stored_members("t5 v1.1 xl", catalog) == ("T5 v1.1", ["T5 v1.1-base", "T5 v1.1-XXL"])
    assert family_members.stored_members("llama 3 405b", catalog) == ("Llama 3", ["Llama 3.1 405B"])
    assert family_members.stored_members("phil 3", catalog) is None  # a longer word, not Phi
    assert family_members.other_release("mistral-7b-instruct-v0.2 act", "mistral-7b", "Mistral 7B (v0.1)") == (
        "mistral-7b-instruct-v0.2")
    assert family_members.other_release("llama 7b v1.0", "llama 7b", "LLaMA-7B (v1)") is None


CASES: list[tuple[list[str], list[dict[str, Any]]]] = [
    # another member of a stored family: declined by name, the stored members named, none of their widths
    (["gpt-2 xl d_ff"], [{"contains": ["GPT-2 (124M)"], "any_of": NOT_STORED, "not_contains": ["3072"]}]),
    (["what's the intermediate size of llama-2-13b-hf"],
     [{"contains": ["Llama 2 7B", "Llama 2 70B"], "any_of": NOT_STORED, "not_contains": ["11008", "28672"]}]),
    (["qwen3 14b activation fn"], [{"contains": ["Qwen3-8B", "Qwen3-32B"], "any_of": NOT_STORED,
                                    "not_contains": ["swiglu", "12288"]}]),
    (["phi-3 medium hidden_act?"], [{"contains": ["Phi-3-mini (4k)"], "any_of": NOT_STORED,
                                     "not_contains": ["8192"]}]),
    (["mixtral 8x3b experts"], [{"contains": ["Mixtral 8x3b", "Mixtral 8x7B", "Mixtral 8x22B"],
                                 "any_of": NOT_STORED, "not_contains": ["14336", "16384"]}]),
    # … another release of a stored model is another model
    (["mistral-7b-instruct-v0.2 hidden_act"], [{"contains": ["v0.2", "Mistral 7B (v0.1)"], "any_of": NOT_STORED,
                                                "not_contains": ["silu"]}]),
    (["olmo 7b v2 activation"], [{"contains": ["OLMo 7B (v1)"], "any_of": NOT_STORED}]),
    # … a hub name with a release tag before its size names the member by that size
    (["OLMo-2-0425-1B intermediate_size?"], [{"contains": ["0425-1B", "OLMo 2 7B (1124)"], "any_of": NOT_STORED,
                                              "not_contains": ["11008", "13824"]}]),
    (["allenai/OLMo-2-1124-13B intermediate_size"], [{"contains": ["13824"], "not_contains": ["11008"]}]),
    # … while the stored model written without its brackets or with its own release is answered
    (["gpt2 124m n_inner"], [{"contains": ["3072"], "not_contains": ["not in the catalog"]}]),
    (["phi-4 14b d_ff"], [{"contains": ["17920"]}]),
    (["mistral 7b v0.1 intermediate_size"], [{"contains": ["14336"]}]),
    # Narang et al.'s fine-tuning recipe asked with "lr" or "fine tune" (a space, not a hyphen): their setup line
    (["what lr did narang et al fine tune with"], [{"contains": ["0.0005"], "not_contains": ["10⁻³"]}]),
    (["fine-tuning lengths pls:\n- shazeer\n- narang superglue/xsum"],
     [{"contains": ["131,072", "262,144", "30,000"]}]),
    # a training length Narang et al. do not report: not their final or early loss
    (["narang geglu loss at 262144 steps"], [{"contains": ["262144 steps", "524,288"], "any_of": NOT_STORED,
                                              "not_contains": ["1.792"]}]),
    (["reglu superglue at 100k steps in narang"], [{"contains": ["100k steps"], "any_of": NOT_STORED,
                                                    "not_contains": ["76.17"]}]),
    (["narang swiglu final loss after 300k steps?"], [{"contains": ["300k steps"], "not_contains": ["1.789"]}]),
    (["narang geglu early loss at 65536 steps"], [{"contains": ["2.130"]}]),
    # Bilinear asked of a column only Narang et al. report: their LiGLU row, said so
    (["bilinear webquestions"], [{"contains": ["LiGLU", "Bilinear", "24.34"]}]),
    (["xsum rouge-2 for the bilinear ffn"], [{"contains": ["LiGLU", "17.97"]}]),
    # a configuration field no stored row holds, declined by name, alone or beside a stored width
    (["whats the rope theta of llama 2 7b"], [{"contains": ["RoPE"], "any_of": NOT_STORED,
                                                "not_contains": ["swiglu"]}]),
    (["rms_norm_eps qwen3-8b"], [{"contains": ["normalization epsilon"], "any_of": NOT_STORED}]),
    (["phi-2 rope theta and intermediate_size"], [{"contains": ["10240", "RoPE"], "any_of": NOT_STORED}]),
    (["mistral 7b d_model + vocab size"], [{"contains": ["4096", "vocabulary size"], "any_of": NOT_STORED}]),
    # a head count a catalog row's source note states
    (["palm 540b heads"], [{"contains": ["48"], "not_contains": ["not in the stored"]}]),
    (["how many attention heads in gpt-3 175b"], [{"contains": ["96"], "not_contains": ["left out"]}]),
    (["falcon-40b num_key_value_heads"], [{"contains": ["**8** key-value heads"]}]),
    (["phi-4 kv heads"], [{"contains": ["10"], "not_contains": ["not in the stored"]}]),
    (["llama 2 7b num_attention_heads"], [{"contains": ["attention head count"], "any_of": NOT_STORED}]),
    # the tanh GELU asked of the paper's results by a framework's name: the implementation it leaves unstated
    (["gelu_new superglue shazeer"], [{"contains": ["not stated"], "not_contains": ["74.56"]}]),
    (["gelu_pytorch_tanh ffn glue avg in the glu variants paper"], [{"contains": ["not stated"],
                                                                     "not_contains": ["84.36"]}]),
    (["gelu superglue shazeer"], [{"contains": ["72.98"]}]),
    # a report width only the configuration gives: the missing report value is said first
    (["gemma 3 27b feedforward dim in the paper"], [{"contains": ["no report feed-forward dimension", "21504"]}]),
    (["gemma 2 27b feedforward dim in the paper"], [{"contains": ["73728"],
                                                     "not_contains": ["no report feed-forward"]}]),
]


@pytest.mark.parametrize(("questions", "specs"), CASES, ids=[c[0][0][:40] for c in CASES])
def test_phrasings_of_a_class_get_what_the_class_promises(asker: ev.Asker,
                                                          questions: list[str],
                                                          specs: list[dict[str, Any]]) -> None:
    assert_thread_gets(asker, questions, specs)
