"""Classes of sizing, explanation, catalog, spread and several-part questions, each asked in words of its own.

Every case is a thread (or one question) asked through the real pipeline on a seeded SQLite file, as
tests/answers/test_generalise.py does, and judged like the evaluation judges an answer. Expected numbers come
from tests/reference/ (model_catalog.csv, narang_2021_table1.csv, misreadings.md) or arithmetic on them.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.answers import eval_runner as ev
from tests.answers.test_generalise import check_thread

CASES: list[tuple[str, list[str], list[dict[str, Any]]]] = [
    # LLaMA's width rule with d_model written as a bare "hidden N": ceil(floor(8 * d / 3) / k) * k
    ("llama rule at hidden", ["llama formula at hidden 4096 with multiple_of 256 -> intermediate size?"],
     [{"contains": ["11008"]}]),
    ("llama rule at hidden", ["apply llama's rule to hidden 1024, multiple_of 128: what d_ff"],
     [{"contains": ["2816"]}]),
    ("llama rule at hidden", ["d_ff for hidden=5120 under the llama formula, multiple_of 256"],
     [{"contains": ["13824"]}]),
    # one FFN's weights from a pair of widths written without labels (2 * 512 * 2048 for the dense base)
    ("weights of a width pair", ["param count of one ffn in the vaswani transformer base (512/2048), biases excluded"],
     [{"contains": ["2,097,152"], "not_contains": ["not in the catalog"]}]),
    ("weights of a width pair", ["how many weights does a 768 x 3072 mlp have"],
     [{"contains": ["4,718,592", "7,077,888"]}]),
    ("weights of a width pair", ["param count of a 1024/4096 mlp without biases"],
     [{"contains": ["8,388,608", "12,582,912"]}]),
    # why the gated hidden size is two-thirds of 4d: three matrices at the dense FFN's parameter count
    ("two-thirds rule", ["why do gated ffns use two-thirds of 4d as their hidden size"],
     [{"any_of": ["three weight matrices", "equal"], "not_contains": ["not in the catalog"]}]),
    ("two-thirds rule", ["how come llama's mlp is 8/3 d_model instead of 4x"],
     [{"any_of": ["three weight matrices", "equal"]}]),
    # a doubled width named by a model that is not in the catalog: the fused two-branch reading
    ("doubled width", ["why does qwen-14b v1 give 27392 for its ffn width"], [{"contains": ["13696"]}]),
    # a model's activation and its "sizes" together
    ("activation and sizes", ["falcon-7b hidden_act and sizes"],
     [{"contains": ["4544", "18176"], "any_of": ["gelu", "GELU"]}]),
    ("activation and sizes", ["phi-2 activation + sizes"], [{"contains": ["2560", "10240"]}]),
    # a Narang row's early loss with its run-to-run spread, the runs named
    ("row value and spread", ["narang geglu early loss and the std across its 5 runs"],
     [{"contains": ["2.130", "0.006"]}]),
    ("row value and spread", ["narang selu 65k loss with its spread over the runs"],
     [{"contains": ["2.315", "0.004"]}]),
    # two parts, each a model's activation and width; the second names only the model
    ("activation and width, two models", ["mistral 7b hidden_act and intermediate_size; also falcon-7b"],
     [{"contains": ["14336", "18176"], "any_of": ["gelu", "GELU"]}]),
    ("activation and width, two models", ["phi-2 activation and d_ff, and what about gpt-neox-20b"],
     [{"contains": ["10240", "24576"]}]),
]


@pytest.mark.parametrize(("kind", "questions", "specs"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_a_phrasing_of_the_class_gets_what_the_class_promises(
        asker: ev.Asker, kind: str, questions: list[str], specs: list[dict[str, Any]]) -> None:
    check_thread(asker, kind, questions, specs)
