"""Classes of phrasing for what the store does not hold, and for the report facts it holds beyond the tables.

Each case is a phrasing of a class the answers promise to handle, whatever the exact words: an activation the
service neither stores nor computes (ReLU6, leaky ReLU, hard swish …) declined by name in whichever store it was
asked of; a training length neither table reports, quoted back; a family member the catalog does not hold
written with a letter ("gemma 3n"); a model field the catalog lacks, named in the asker's words; Gemma 3's
configuration facts and Gemma 2's soft-caps and query scaling; ``intermediate_size`` read as Hugging Face's
one-branch width; a group of variants named by negation ("non-gated"); the catalog asked by use ("anything
using squared relu", "who else uses swiglu besides llama"); ReCoRD written in lower case next to its metric; one
approximation's error set against the previous one ("ratio?"); a configuration class's defaults for a size of its
family ("right for the 8b"); follow-ups naming such an activation; two models' activations asked to be the same;
two models ordered by release year; the side of the exact GELU an approximation is on at a point; values quoted
for the wrong training length; a derivative's value claimed; short forms of the paper's setup; a point release
or a version written apart from its family ("llama 3.3", "qwen 2.5 32b"). Asked through the real pipeline on
a seeded SQLite file; every expected number is printed in tests/reference (see
tests/answers/test_generalise.py, whose fixture and thread function this reuses).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from app.answers import unknown_functions
from tests.answers import eval_runner as ev
from tests.answers.test_generalise import assert_thread_gets
from tests.conftest import reference_file

ROOT = Path(__file__).resolve().parents[2]
NOT_STORED = ["not in the stored", "not among", "no model in the catalog", "not in the catalog", "not reported"]


def test_a_function_is_named_only_as_a_whole_word() -> None:
    assert unknown_functions.detect("is relu-6 any good")["name"] == "ReLU6"  # type: ignore[index]
    assert unknown_functions.detect("leaky_relu(2)")["asks"] == "compute"  # type: ignore[index]
    assert unknown_functions.detect("which llms use hardswish")["asks"] == "catalog"  # type: ignore[index]
    assert unknown_functions.detect("relu vs gelu") is None
    assert unknown_functions.detect("prelude to the geglu paper") is None
    assert unknown_functions.detect("the celular automaton") is None


def test_every_report_fact_the_store_serves_is_printed_in_the_reference() -> None:
    """The report-table and configuration facts (Gemma 1, 2 and 3) are the reference's, value for value."""
    reference = reference_file("gemma.md").read_text(encoding="utf-8")
    with (ROOT / "app" / "data" / "architecture_facts.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["value_text"] not in ("yes", "no")]
    missing = [r for r in rows
               if r["value_text"] not in reference and r["value_text"].replace(",", "") not in reference]
    assert missing == []
    assert {r["family"] for r in rows} == {"Gemma 1", "Gemma 2", "Gemma 3"}


CASES: list[tuple[list[str], list[dict[str, Any]]]] = [
    # an activation nothing stores, declined by name for the store it was asked of
    (["was relu6 one of the activations narang et al compared?"],
     [{"contains": ["ReLU6", "neither paper tested it"], "not_contains": ["1.814"]}]),
    (["leaky relu log-perplexity in the glu variants paper"],
     [{"contains": ["Leaky ReLU"], "any_of": NOT_STORED, "not_contains": ["1.677", "1.997"]}]),
    (["hard_swish(1.5)?"], [{"contains": ["hard swish", "not among the functions this service computes"]}]),
    (["derivative of celu at x = 1"], [{"contains": ["CELU", "not among the functions"]}]),
    (["which models in the catalog use prelu"], [{"contains": ["No model in the catalog uses PReLU", "swiglu"]}]),
    (["is there any model using mish in its ffn?"], [{"contains": ["Mish"], "any_of": ["No model", "no model"]}]),
    # … and as a follow-up, for the store the thread was asking of, not the thread's subject again
    (["narang reglu xsum", "what about relu6?"], [{"contains": ["ReGLU"]}, {"contains": ["ReLU6"],
                                                                             "not_contains": ["ReGLU's"]}]),
    (["tanh(0.5)", "and hardtanh?"],
     [{"contains": ["0.46212"]}, {"contains": ["hardtanh", "not among the functions"]}]),
    # two models' activations asked to be the same, answered yes or no first
    (["is llama 3 8b's ffn activation the same as mistral 7b's?"], [{"contains": ["Yes", "swiglu"]}]),
    (["do gpt-2 and t5-base use the same activation"], [{"contains": ["No", "gelu_tanh", "relu"]}]),
    (["phi-2 activation?", "same as gpt-j?"], [{"contains": ["gelu_tanh"]}, {"contains": ["Yes", "gelu_tanh"]}]),
    # the side of the exact value an approximation is on at a point, in words
    (["at x=2 does the tanh gelu sit above or below the erf one"],
     [{"contains": ["gelu_tanh is", "above gelu at x = 2"]}]),
    # x·σ(1.702) = 0.84579 against Φ(1) = 0.84134: the sigmoid form is above there
    (["is quick_gelu under exact gelu at x = 1?"], [{"contains": ["gelu_sigmoid is", "above gelu at x = 1"]}]),
    # values quoted for the wrong training length: each named with its own length, then the length asked
    (["someone said reglu hit 1.645 at 65k steps"], [{"contains": ["No", "524,288", "1.953"]}]),
    (["heard that bilinear got 1.648 and glu 1.663 after 65536 steps, true?"],
     [{"contains": ["No", "524,288", "1.960", "1.982"]}]),
    # a value of a function's derivative at a point claimed, computed and compared
    (["sigmoid'(0) = 0.25, correct?"], [{"contains": ["Yes", "0.250000"]}]),
    (["gelu'(0) is 1?"], [{"contains": ["No", "0.500000"]}]),
    # a model's setup that nothing stores, declined as not in the stored evidence
    (["what optimizer was mistral 7b trained with"], [{"contains": ["not in the stored evidence"]}]),
    # the paper's setup asked in short forms
    (["seq len + batch in the glu variants paper?"], [{"contains": ["512", "114", "128"]}]),
    # catalog lists: a kind named by negation in parentheses, an organization's "models", "entries"
    (["narrowest ffn among non-gated models in the catalog"], [{"contains": ["dense FFN"],
                                                                "not_contains": ["gated FFN"]}]),
    (["google models with d_ff above 10000"], [{"contains": ["T5 v1.1-XXL"], "not_contains": ["T5-base"]}]),
    (["which catalog entries use relu2"], [{"contains": ["Primer", "Nemotron"]}]),
    # a point release or a version written apart from its family
    (["llama 3.4 8b intermediate_size"], [{"contains": ["Llama 3.4"], "any_of": ["not in the catalog"]}]),
    (["qwen 2.5 32b ffn width"], [{"contains": ["27648"]}]),
    # the width asked of an MoE model's experts is one expert's, not a leading dense layer's
    (["deepseek-v3 routed experts?", "how wide is each one"], [{"contains": ["256"]},
                                                             {"contains": ["2048"], "not_contains": ["18432"]}]),
    # a gated layer set against the dense 4 × d_model one at the same d_model
    (["mistral 7b ffn weights per layer, more or fewer than a dense 4x mlp?"],
     [{"contains": ["176,160,768", "134,217,728"]}]),
    # widths written as an arrow, and the other kind's width at equal weights
    (["our ffn goes 1024 -> 4096; what gated d_ff keeps the same params"], [{"contains": ["2730.67", "2731"]}]),
    # LLaMA's width rule with a claimed result, said right or wrong first
    (["dim 4096, multiple_of 256 gives 11008, correct?"], [{"contains": ["Yes", "11008"]}]),
    (["is it true that d_model 5120 with multiple_of 256 gives 14336"], [{"contains": ["No", "13824"]}]),
    # two models ordered by release year, a tie said as such
    (["which is newer, gpt-3 175b or opt-125m"], [{"contains": ["Oldest first", "GPT-3 175B (2020)", "2022"]}]),
    (["which came out first, mistral 7b or llama 2 7b?"], [{"contains": ["Both came out in 2023"]}]),
    (["which models use squared relu", "and prelu?"], [{"contains": ["Primer"]},
                                                       {"contains": ["No model in the catalog uses PReLU"]}]),
    # a training length no table reports, quoted back as asked
    (["geglu held-out ppl at 300k steps"], [{"contains": ["300k steps", "65,536", "524,288"]}]),
    (["what was reglu's loss at 32768 steps"], [{"contains": ["32768 steps"], "any_of": NOT_STORED}]),
    # a family member written with a letter after its version
    (["gemma 3n d_model"], [{"contains": ["Gemma 3n", "not in the catalog"], "not_contains": ["1152", "5376"]}]),
    # a size the family's stored members do not have, written as a word (T5 v1.1: base and XXL only)
    (["t5 v1.1 xl feed_forward_proj"], [{"any_of": ["not in the catalog"], "not_contains": ["2048", "10240"]}]),
    (["what's the mlp_dim of t5-v1.1-xl"], [{"any_of": ["not in the catalog"], "not_contains": ["2048", "10240"]}]),
    (["t5 v1.1 xxl d_ff"], [{"contains": ["10240"]}]),
    (["ffn activation of qwen 2.5o?"], [{"any_of": ["not in the catalog"]}]),
    # a field the catalog lacks, named in the asker's words
    (["how many layers does mistral 7b have"], [{"contains": ["number of layers"], "any_of": NOT_STORED}]),
    (["training tokens for olmo 2 7b?"], [{"contains": ["training tokens"], "any_of": NOT_STORED}]),
    # Gemma 3's configuration facts
    (["gemma 3 4b head_dim and num_kv_heads"], [{"contains": ["256", "4"]}]),
    (["how deep is gemma 3 27b (num_hidden_layers)?"], [{"contains": ["62"]}]),
    (["gemma-3-1b vocab_size"], [{"contains": ["262144"], "not_contains": ["256128"]}]),
    (["gemma 3 12b embedding params"], [{"contains": ["1,012M"], "not_contains": ["10,759M"]}]),
    (["what's gemma 3's hidden_activation in hf"], [{"contains": ["gelu_pytorch_tanh"]}]),
    # Gemma 2's soft-caps and query scaling
    (["gemma 2 9b final logit soft-capping value"], [{"contains": ["30.0"], "not_contains": ["50.0"]}]),
    (["gemma 2 attn logit softcap"], [{"contains": ["50.0"], "not_contains": ["30.0"]}]),
    (["query_pre_attn_scalar for gemma 2 2b"], [{"contains": ["256"], "not_contains": ["144"]}]),
    # intermediate_size is the per-branch width; the report's doubled width only when it is asked for too
    (["gemma 1 7b intermediate_size?"], [{"contains": ["24576"], "not_contains": ["49152"]}]),
    (["gemma 2 2b intermediate_size vs the report's feedforward dim"], [{"contains": ["9216", "18432"]}]),
    # one group of variants, named by negation
    (["rank the non-gated variants by superglue average"],
     [{"contains": ["dense (ungated)", "72.98"], "not_contains": ["FFN_SwiGLU", "FFN_GEGLU"]}]),
    (["among the not gated ffns which had the best early perplexity"], [{"contains": ["FFN_"],
                                                                        "not_contains": ["FFN_GEGLU"]}]),
    # the catalog asked by use, in words without "which models"
    (["anything in the catalog running geglu with exact gelu?"], [{"contains": ["ModernBERT"]}]),
    (["what models use squared relu"], [{"contains": ["Primer", "Nemotron"]}]),
    (["who else uses swiglu besides llama"], [{"contains": ["PaLM", "Mistral"], "not_contains": ["LLaMA-7B"]}]),
    # a SuperGLUE task written as a plain word next to its metric
    (["reglu record em?"], [{"contains": ["74.18"]}]),
    (["superglue record for ffn_bilinear"], [{"contains": ["ReCoRD"]}]),
    # one approximation's largest error set against the one before it in the thread
    (["max error of gelu_new vs exact gelu", "and quick gelu?", "ratio?"],
     [{"contains": ["4.7324e-4"]}, {"contains": ["0.020335"]}, {"contains": ["42.97"]}]),
    # a configuration class's defaults asked for a size of its family written without the family
    (["is Qwen3Config() with its defaults the 8b?"], [{"contains": ["No", "22016", "12288"]}]),
]


@pytest.mark.parametrize(("questions", "specs"), CASES, ids=[c[0][0][:40] for c in CASES])
def test_phrasings_of_a_class_get_what_the_class_promises(asker: ev.Asker,
                                                          questions: list[str],
                                                          specs: list[dict[str, Any]]) -> None:
    assert_thread_gets(asker, questions, specs)
