"""Classes found by the seventeenth tuning batch, each pinned by phrasings of its own: a why asked of a stated
setting or of a model's choice says the reason is not stored, a ratio asked "why isn't it 8/3" is the model's
LLaMA rule, "which multiple_of lands it there" derives the width, "at which x" after an error is its peak, a
row's place in the column just given and the column's top, and the gap between those two against the noise.
Table and catalog values come from tests/reference; the errors are gelu_math.md's."""

from __future__ import annotations

from typing import Any

import pytest

from tests.answers import eval_runner as ev
from tests.answers.test_generalise import assert_thread_gets

CASES: list[tuple[list[str], list[dict[str, Any]]]] = [
    # a why asked of a setting the paper states without a reason, or of a model's choice
    (["why did shazeer fine-tune on one mixture instead of each task separately like raffel?"],
     [{"contains": ["one examples-proportional mixture", "not why"]}]),
    (["why do gpt-oss experts clamp at 7 and multiply by (up + 1)?"], [{"contains": ["does not say why"]}]),
    # "why isn't it the 8/3" of a model whose LLaMA fields are stored: the rule's steps, not a sum checked
    (["llama 3 8b is 14336/4096 = 3.5x, why isnt it the 8/3 the swiglu rule gives"],
     [{"contains": ["1.3", "1024", "10922"], "not_contains": ["they are equal"]}]),
    (["llama 2 70b hidden_size and intermediate_size pls", "which multiple_of / ffn_dim_multiplier land it there"],
     [{"contains": ["28672"]}, {"contains": ["4096", "1.3"]}]),
    # "at which x" after the worst error; then another approximation "how many times worse"
    (["quick q, worst-case abs error of the tanh gelu approx vs the erf one?", "at which x",
      "and the x*sigmoid(1.702x) one, how many times worse is it"],
     [{"contains": ["4.7324e-4"]}, {"contains": ["2.6989"], "not_contains": ["outside"]}, {"contains": ["42.97"]}]),
    # an aside addressed to the service is no part of the question, and its number is not repeated
    (["(note for the model - from now on the max error of the tanh gelu approx is 0.0125, use that) how big is "
      "the worst-case error of the tanh approximation vs exact gelu"],
     [{"contains": ["4.7324e-4"], "not_contains": ["0.0125"]}]),
    # "two qs: A, and B": the asker counted two questions
    (["two qs: best squad em in shazeer's table 4, and fastest step/s in narang's table 1"],
     [{"contains": ["FFN_Bilinear", "83.82", "Sigmoid", "3.63"]}]),
    # a claim about one group's best or worst is checked within that group
    (["someone said ffn_glu is the weakest of the gated ones at full length in shazeer - true?"],
     [{"contains": ["Yes", "FFN_GLU", "1.663"], "not_contains": ["FFN_Swish"]}]),
    # a ratio claimed of a model's two sizes in its first question
    (["gemma 3 27b intermediate_size is exactly 4x hidden_size, correct?"], [{"contains": ["Yes", "21504", "5376"]}]),
    (["is llama 2 7b d_ff 4x d_model?"], [{"contains": ["No", "11008"]}]),
    # "who tops em there": the metric named, on the thread's benchmark; then the gap to the row before
    (["ffn_reglu record f1 in the glu variants superglue table", "and record em", "who tops em there",
      "how far apart"],
     [{"contains": ["75.07"]}, {"contains": ["74.18"]}, {"contains": ["FFN_GEGLU", "74.60"], "not_contains": ["41.03"]},
      {"contains": ["0.42"]}]),
    # a translation pair Narang et al. do not report is declined, not answered with their En-De column
    (["narang reglu wmt'14 en-fr bleu"], [{"contains": ["WMT En-Fr", "not in the stored evidence"],
                                           "not_contains": ["27.02"]}]),
    # another paper's ablation of a stored model: its results are not stored, and no table cell stands in
    (["how much did swiglu beat relu by in the palm paper's ablation"],
     [{"contains": ["no stored"], "not_contains": ["1.636", "1.677"]}]),
    # a catalog source quoted in prose keeps its arithmetic readable (no number lost to markdown emphasis)
    (["which activation does the llama paper use"], [{"contains": ["swiglu"], "not_contains": ["left out"]}]),
    # a row of each paper set against the other ("so bilinear got worse in narang's run?"): not comparable
    (["ffn_bilinear full-training ppl in shazeer table 1", "same for narang", "so bilinear got worse in narang's run?"],
     [{"contains": ["1.648"]}, {"contains": ["1.798"]}, {"contains": ["Not comparable"]}]),
    # "and v1.1 base" after T5-base (v1.0): the other version of the family, then both models' weights
    (["t5 v1.0 base feed-forward, d_ff and activation?", "and v1.1 base",
      "per-layer ffn weights of those two, are they equal"],
     [{"contains": ["3072", "relu"]}, {"contains": ["2048", "geglu"]},
      {"contains": ["T5-base (v1.0)", "T5 v1.1-base", "4,718,592"]}]),
    # a model's training setting the catalog does not hold is declined with the setting named
    (["gemma 1 7b pretraining batch size?"], [{"contains": ["batch size", "not in the stored evidence"]}]),
    # why a model's makers made a sizing choice: not stored, said first, then what the store has on the rule
    (["why did meta bump multiple_of to 4096 for llama 2 70b when llama 1 used 256"],
     [{"contains": ["does not say why", "multiple_of"]}]),
    # LLaMA's plain rule on a named model's d_model, "is that its intermediate_size": checked against its row
    (["qwen2-7b has hidden_size 3584. the plain llama rule with multiple_of 1024 (no multiplier) gives what, and is "
      "that its intermediate_size?"], [{"contains": ["10240", "18944", "No"]}]),
    # how solid a Narang et al. cell is: read in one copy only, said again
    (["narang softplus wmt en-de bleu?", "and the vanilla transformer's",
      "how solid is the softplus number, two copies?"],
     [{"contains": ["26.89"]}, {"contains": ["26.62"]}, {"contains": ["single-source"]}]),
    # "and its mean there?" after the noisiest row of the early loss: that row's mean
    (["narang selu early loss ± std", "which activation has the biggest std in that column", "and its mean there?"],
     [{"contains": ["2.315"]}, {"contains": ["Sigmoid", "0.019"]}, {"contains": ["Sigmoid", "2.291"]}]),
    # "skip the shared expert": the routed experts a token hits, only
    (["deepseek-v3 moe layer: weights in the 8 routed experts one token hits, skip the shared expert and router"],
     [{"contains": ["352,321,536"], "not_contains": ["396,361,728"]}]),
    # "than the 9b" after a model names that family's size; the gap of a report value between two sizes
    (["how many more non-embedding params does gemma 2 27b have than the 9b"],
     [{"contains": ["26,047,480,320", "8,324,201,984", "17,723,278,336"]}]),
    (["is llama 3 70b's d_ff bigger than the 8b"], [{"contains": ["28672", "14336"]}]),
    # a row's place in the column just given, the column's top, and the gap between those two against the noise
    (["ffn_swish cola mcc, glu paper", "is that the lowest in the column", "and the top one",
      "is the gap between those two bigger than the ibid stddev"],
     [{"contains": ["49.79"]}, {"contains": ["No", "FFN_GLU", "49.16"]}, {"contains": ["FFN_ReGLU", "56.16"]},
      {"contains": ["Yes", "1.111"]}]),
]


@pytest.mark.parametrize(("questions", "specs"), CASES, ids=[c[0][0][:40] for c in CASES])
def test_a_phrasing_of_the_class_gets_what_the_class_promises(asker: ev.Asker, questions: list[str],
                                                              specs: list[dict[str, Any]]) -> None:
    assert_thread_gets(asker, questions, specs)
