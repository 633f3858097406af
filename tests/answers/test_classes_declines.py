"""Classes of phrasing for what the store does not hold, and for the report facts it holds beyond the tables.

Each case is a phrasing of a class the answers promise to handle, whatever the exact words: an activation the
service neither stores nor computes (ReLU6, leaky ReLU, hard swish …) declined by name in whichever store it was
asked of; a training length neither table reports, quoted back; a family member the catalog does not hold
written with a letter ("gemma 3n"); a model field the catalog lacks, named in the asker's words; Gemma 3's
configuration facts and Gemma 2's soft-caps and query scaling; ``intermediate_size`` read as Hugging Face's
one-branch width; a group of variants named by negation ("non-gated"); the catalog asked by use ("anything
using squared relu", "who else uses swiglu besides llama"); ReCoRD written in lower case next to its metric; one
approximation's error set against the previous one ("ratio?"); a configuration class's defaults for a size of its
family ("right for the 8b"). Asked through the real pipeline on a seeded SQLite file; every expected number is
printed in tests/reference (see tests/answers/test_generalise.py, whose fixture and thread function this reuses).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from app.answers import unknown_functions
from tests.answers import eval_runner as ev
from tests.answers.test_generalise import ask_thread, asker  # noqa: F401  (the module's pipeline fixture)
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
    # a training length no table reports, quoted back as asked
    (["geglu held-out ppl at 300k steps"], [{"contains": ["300k steps", "65,536", "524,288"]}]),
    (["what was reglu's loss at 32768 steps"], [{"contains": ["32768 steps"], "any_of": NOT_STORED}]),
    # a family member written with a letter after its version
    (["gemma 3n d_model"], [{"contains": ["Gemma 3n", "not in the catalog"], "not_contains": ["1152", "5376"]}]),
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
def test_phrasings_of_a_class_get_what_the_class_promises(asker: ev.Asker,  # noqa: F811
                                                          questions: list[str],
                                                          specs: list[dict[str, Any]]) -> None:
    bodies = ask_thread(asker, questions)
    for body, spec in zip(bodies, specs, strict=True):
        assert ev.judge(body, spec) == [], body
