"""Classes of phrasing for claims checked against the stored data, whatever the exact words.

Each case is a phrasing of a class the answers promise to handle: which stored paper is whose (its title,
authors, year or arXiv id attributed for checking), a width ratio said to hold for every released gated model
(checked against each gated catalog row), a model said to use a given kind of FFN (answered with its catalog
activation and widths), and the gated variants said to beat the dense ones on every metric (every column of
the GLU-variants paper's tables, sub-tasks included). Asked through the real pipeline on a seeded SQLite file;
every expected number is from tests/reference (the papers' metadata in its README, the catalogs, the table CSVs)
or arithmetic on it (see tests/answers/test_generalise.py, whose fixture and thread function this reuses).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.answers import eval_runner as ev
from tests.answers.test_generalise import assert_thread_gets

NO = ["no,", "no.", "no:", "not", "incorrect", "false", "wrong"]

CASES: list[tuple[list[str], list[dict[str, Any]]]] = [
    # a paper attributed to the other paper's authors, year or arXiv id: no, and the right attribution
    (['"Do Transformer Modifications Transfer Across Implementations and Applications?" is by Shazeer, yes?'],
     [{"contains": ["Narang", "2021", "2102.11972"], "any_of": NO}]),
    (["arxiv 2002.05202 is the narang et al paper, correct?"],
     [{"contains": ["Shazeer", "GLU Variants Improve Transformer"], "any_of": NO}]),
    (["shazeer's glu variants paper came out in 2021, right?"], [{"contains": ["2020"], "any_of": NO}]),
    (["GLU Variants Improve Transformer was written by Noam Shazeer in 2020, right?"],
     [{"contains": ["Yes", "2002.05202"], "not_contains": ["No."]}]),
    # one width ratio said to hold for all gated models: no, with the catalog's range and the models at each ratio
    (["all gated models use an intermediate_size of 8/3 times d_model, right?"],  # 1152/768, 24576/3072
     [{"contains": ["1.5", "ModernBERT-base", "Gemma 7B"], "any_of": NO}]),
    (["do all swiglu llms use 8/3 d_model for the ffn width?"],  # 27648/5120, 14336/4096
     [{"contains": ["5.4", "3.5", "Qwen2.5-32B"], "any_of": NO}]),
    (["most geglu models have d_ff = 4x d_model, yeah?"],  # 10240/4096, 6912/1152
     [{"contains": ["2.5", "T5 v1.1-XXL", "Gemma 3 1B"], "any_of": NO}]),
    (["is it standard that every released gated checkpoint has d_ff equal to 8/3 of d_model?"],  # 11008/4096
     [{"contains": ["2.688", "LLaMA-7B (v1)"], "any_of": NO}]),
    # a model said to use a kind of FFN: its catalog activation, and the FFN's widths
    (["bert-base has a geglu ffn, correct?"], [{"contains": ["gelu", "768", "3072"], "any_of": NO}]),
    (["phi-3-mini uses a geglu mlp, right?"], [{"contains": ["swiglu", "8192"], "any_of": NO}]),
    (["mistral 7b's mlp is swiglu, yes?"], [{"contains": ["Yes", "swiglu", "14336"]}]),
    (["what activation does falcon-7b use?"], [{"contains": ["gelu"], "not_contains": ["18176"]}]),
    # the gated variants said to beat the dense ones on every metric: every column, the exceptions named
    (["do the glu variants outperform the dense ffns in all columns of the tables?"],  # CB F1, FFN_GELU
     [{"contains": ["86.24", "CB"], "any_of": ["partly", "not every", "no,"]}]),
    (["is it true that gated ffns are better than ungated ones across the board?"],  # WSC, FFN_Swish
     [{"contains": ["81.73", "WSC"], "any_of": ["partly", "not every", "no,"]}]),
    (["every gated variant beats every dense one in each sub-task, true?"],  # CoLA MCC, FFN_GELU
     [{"contains": ["53.48", "CoLA"], "any_of": ["partly", "not every", "no,"]}]),
    (["every gated variant beats every dense variant on glue, true?"],  # the GLUE average only
     [{"contains": ["83.86"], "not_contains": ["CoLA"], "any_of": NO}]),
]


@pytest.mark.parametrize(("questions", "specs"), CASES, ids=[c[0][0][:40] for c in CASES])
def test_phrasings_of_a_class_get_what_the_class_promises(asker: ev.Asker,
                                                          questions: list[str],
                                                          specs: list[dict[str, Any]]) -> None:
    assert_thread_gets(asker, questions, specs)
