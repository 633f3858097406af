"""Classes of explanation, verification and decline questions, each asked in several wordings through the real
pipeline: a claim about a model's activation gets its yes or no, an aside after a claim stays part of it, an
expert layout is never dropped from a width, the table's reference rows and the FFN notation are explained,
a doubled or derived width is accounted for, a config value is told apart from the report's, a pasted
arithmetic check is computed, and what the store does not hold is declined by name.

Every number an answer shows must trace to tests/reference or to a computation (``ask_thread`` checks it).
"""

from __future__ import annotations

from typing import Any

import pytest

from app.answers import framing
from tests.answers import eval_runner as ev
from tests.answers.test_generalise import ask_thread

DECLINED = ["not in the stored evidence", "not reported", "does not report", "no stored"]


def test_asides_and_tags_are_read_as_the_claims_framing() -> None:
    assert framing.is_aside("thats gotta be a typo")
    assert framing.is_aside("sanity check pls")
    assert framing.is_aside("doesn't look right to me")
    assert framing.is_aside("which one is it")
    assert not framing.is_aside("what about swiglu")
    assert framing.is_claim("gemma 2 vocab is 256128 in config.json too?")
    assert framing.is_claim("t5 v1.1 still uses relu like the original right")
    assert framing.is_claim("my colleague insists phi-2 is gated")


CASES: list[tuple[list[str], list[dict[str, Any]]]] = [
    # a claim about a model's activation: yes or no first, then what the catalog says it computes
    (["mistral 7b runs a geglu ffn, yeah?"], [{"contains": ["no.", "swiglu"]}]),
    (["phi-2 is a swiglu model right"], [{"contains": ["no.", "gelu_tanh"]}]),
    (["someone said opt-125m uses gelu"], [{"contains": ["no.", "relu"]}]),
    (["is gpt-j-6b using the exact erf gelu?"], [{"contains": ["no.", "gelu_tanh"]}]),
    (["llama 3 8b is swiglu, right?"], [{"contains": ["yes.", "swiglu"]}]),
    (["falcon-40b -> gelu_new?"], [{"contains": ["no.", "exact GELU"]}]),
    # an aside after the claim ("sanity check", "typo?") is its tag, not a part to decline
    (["swiglu beat relu after full training? sanity check"], [{"contains": ["yes.", "1.636", "1.677"],
                                                               "not_contains": ["does not cover this part"]}]),
    (["reglu glue avg 84.67? double check pls"], [{"contains": ["84.67"],
                                                   "not_contains": ["does not cover this part"]}]),
    (["gemma 2 27b intermediate_size 36864? pretty sure thats a typo"],
     [{"contains": ["36864"], "not_contains": ["does not cover this part"]}]),
    # a mixture-of-experts width comes with its expert layout
    (["deepseek-v2 ffn width"], [{"contains": ["12288", "1536", "dense"]}]),
    (["qwen3-235b-a22b intermediate size 1536? seems tiny"], [{"contains": ["1536", "per expert"]}]),
    (["mixtral 8x22b ffn hidden size"], [{"contains": ["16384", "per expert"]}]),
    (["gpt-oss-20b d_ff"], [{"contains": ["2880", "per expert"]}]),
    (["deepseek v3 intermediate_size 18432 for all layers?"], [{"contains": ["no", "2048", "dense layers"]}]),
    # the reference rows of Tables 2-4
    (["what's the deal with the raffel et al 2019 row in table 3"], [{"contains": ["dropout", "Raffel"]}]),
    (["why does the raffel et al row score lower than ffn_relu on squad"], [{"contains": ["dropout"]}]),
    (["what is ibid. stddev. in the superglue table"], [{"any_of": ["standard deviation", "inter-run"]}]),
    # the FFN notation and its biases
    (["which matrix is up_proj in the glu paper's formula"], [{"contains": ["up_proj", "V"]}]),
    (["in the glu paper's formulas what is W2"], [{"contains": ["down_proj", "output projection"]}]),
    (["why no biases in shazeer's ffn equations"], [{"contains": ["T5"], "any_of": ["no biases", "None"]}]),
    # a width printed doubled, or derived by a rounding rule
    (["why is olmo 7b's mlp_hidden_size twice its intermediate size"], [{"contains": ["11008", "2 ×"]}]),
    (["modernbert: 2304 glu expansion vs 1152 intermediate_size, which is it"], [{"contains": ["1152", "2 ×"]}]),
    (["how does llama-7b end up at 11008"], [{"contains": ["11008", "multiple_of"]}]),
    (["show me the math for llama 3 8b's 14336"], [{"contains": ["14336", "1.3", "1024"]}]),
    # a config value is told apart from the report's
    (["gemma 2 2b vocab_size in the hf config is 256128?"], [{"contains": ["no", "256000", "256128"]}]),
    (["gemma 2 9b intermediate_size is 28672 in the config?"], [{"contains": ["no", "14336"]}]),
    # a framework name's claimed form, and which approximation is closer
    (["gelu_new is the erf one, right?"], [{"contains": ["no", "tanh"]}]),
    (["quick_gelu is closer to exact gelu than gelu_fast, true?"],
     [{"contains": ["no.", "4.7324e-4"], "any_of": ["0.020335", "2.0335e-2"]}]),
    (["gelu_new is less accurate than quick_gelu, correct?"], [{"contains": ["no.", "4.7324e-4"]}]),
    # pasted arithmetic is computed, both sides
    (["is 3 × 4096 × 14336 = 176,160,768?"], [{"contains": ["yes", "176,160,768"]}]),
    (["2*768*3072 == 4718592 right?"], [{"contains": ["yes", "4,718,592"]}]),
    (["does 4096*8/3 equal 11008?"], [{"contains": ["no", "10922.7"]}]),
    # hearsay in other words, and a table value stated for checking, get their yes or no
    (["read in a forum that reglu tops the glue average, ok?"], [{"contains": ["yes.", "84.67"]}]),
    (["saw a post saying geglu has the best squad em"], [{"contains": ["no.", "83.82"]}]),
    (["geglu squad em was 83.55?"], [{"contains": ["yes.", "83.55"]}]),
    (["bilinear full ppl 1.663?"], [{"contains": ["no.", "1.648"]}]),
    (["narang reglu superglue avg 76.00?"], [{"contains": ["no.", "76.17"]}]),
    (["mistral 7b uses 14336, confirm"], [{"contains": ["yes", "14336"]}]),
    (["correct me if im wrong but geglu has the best superglue average"], [{"contains": ["no.", "74.56"]}]),
    (["no way bilinear beats relu on squad em"], [{"contains": ["yes.", "83.82", "83.18"]}]),
    # a question about a function's name or a one-word "eli5" is answered by what it computes
    (["eli5 reglu"], [{"contains": ["⊙"], "any_of": ["ReLU", "max(0"]}]),
    (["why is glu called a gated linear unit"], [{"any_of": ["σ", "sigmoid"]}]),
    (["what does the 'Ge' in geglu stand for"], [{"contains": ["GELU"]}]),
    # a why-question about a setting of the recipe is answered by the paper's own statement
    (["why do the downstream tables use the best checkpoint"], [{"contains": ["development sets"]}]),
    (["why no pre-training dropout in shazeer's setup"], [{"contains": ["none"]}]),
    # a setting of a paper's recipe, asked about one variant or in the other paper
    (["what optimizer did they train geglu with"], [{"contains": ["Adafactor"]}]),
    (["swiglu dropout"], [{"contains": ["none"]}]),
    (["what hardware did the glu paper train on"], [{"contains": ["TPUv2"]}]),
    (["did narang fine-tune webquestions for 30,000 steps?"], [{"contains": ["yes", "30,000"]}]),
    (["how many runs behind narang's early loss numbers"], [{"contains": ["5 runs"]}]),
    (["narang's text says the vanilla superglue is something else than the table?"],
     [{"contains": ["70.97", "71.66"]}]),
    # what Table 1's columns are
    (["what is the difference between table 1's two columns"], [{"contains": ["524,288", "four extra"]}]),
    (["what are the brackets in the 65,536 column of table 1"], [{"any_of": ["spread", "variability"]}]),
    # a bare "why?" after a variant's result: the paper offers no explanation
    (["is swiglu better than relu on glue?", "why tho"], [{"contains": ["84.36"]}, {"contains": ["no explanation"]}]),
    (["reglu full-length ppl", "but why?"], [{"contains": ["1.645"]}, {"contains": ["no explanation"]}]),
    (["which variant has the best superglue average", "how come?"],
     [{"contains": ["74.56"]}, {"contains": ["no explanation"]}]),
    # declined by name: results at another depth or with experts
    (["does geglu help deeper models in narang"], [{"any_of": DECLINED}]),
    (["shazeer's swiglu with 8 experts, any results?"], [{"any_of": DECLINED}]),
    # declined by name: a whole model's size, a model's own results or ablation, an unstored metric or value
    (["how big is gpt-j-6b in total params"], [{"any_of": DECLINED}]),
    (["parameter count of falcon-7b"], [{"any_of": DECLINED}]),
    (["nemotron-4 15b squared relu perplexity?"], [{"any_of": DECLINED}]),
    (["did llama compare swiglu against geglu?"], [{"any_of": [*DECLINED, "no ablation", "no statement"]}]),
    (["geglu xsum rouge-1 in narang"], [{"any_of": DECLINED}]),
    (["gemma 2 9b training dropout"], [{"any_of": [*DECLINED, "not report"]}]),
    (["what did reglu get on the mmlu-pro benchmark"], [{"any_of": DECLINED}]),
    (["total training flops of ffn_geglu"], [{"any_of": DECLINED}]),
    (["which gelu did shazeer's experiments actually use"], [{"any_of": [*DECLINED, "does not say"]}]),
    # a report table's fields asked by their config names, and one of its two parameter counts alone
    (["gemma 2 9b num_key_value_heads?"], [{"contains": ["8", "Num KV heads"]}]),
    (["head_dim of gemma 2 2b"], [{"contains": ["256", "Head size"]}]),
    (["n_kv_heads for gemma 7b"], [{"contains": ["16", "Num KV heads"]}]),
    (["gemma 2 27b non-embedding parameters"], [{"contains": ["26,047,480,320"], "not_contains": ["1,180,237,824"]}]),
    (["embedding param count for gemma 2b (v1)"], [{"contains": ["524,550,144"], "not_contains": ["1,981,884,416"]}]),
    (["gemma 2 9b num_attention_heads"], [{"contains": ["16", "Num heads"]}]),
    (["sliding_window of gemma 2 27b"], [{"contains": ["4096"]}]),
    # a field the store holds for no size of the model is declined by its name
    (["llama 3 8b num_key_value_heads"], [{"contains": ["key-value head count", "Llama 3 8B"], "any_of": DECLINED}]),
    (["qwen3-8b head_dim?"], [{"contains": ["head size"], "any_of": DECLINED}]),
    (["gemma 3 27b head_dim?"], [{"contains": ["128"], "not_contains": ["256"]}]),  # its config's, stored
    (["non-embedding params of mistral 7b"], [{"contains": ["parameter count"], "any_of": DECLINED}]),
    # a whole model's parameters: the report's two counts, added
    (["total parameter count of gemma 2 9b"], [{"contains": ["917,962,752", "8,324,201,984", "9,242,164,736"]}]),
    (["how many params does gemma 2 2b have in total"], [{"contains": ["2,614,636,800"]}]),
    (["gemma 2 27b: params altogether?"], [{"contains": ["27,227,718,144"]}]),
    # an activation Narang et al. did not test is declined by name, not answered with a neighbouring row
    (["how did mish do on superglue per narang et al"], [{"contains": ["Mish"], "any_of": [*DECLINED, "not among"],
                                          "not_contains": ["71.66", "75.79"]}]),
    (["narang's relu squared xsum"], [{"contains": ["squared"], "any_of": [*DECLINED, "not among"],
                                      "not_contains": ["17.78"]}]),
    (["what did narang et al get for quick gelu early loss"], [{"any_of": [*DECLINED, "not among"],
                                                               "not_contains": ["2.179", "2.182"]}]),
    # quick GELU is no FFN variant of the GLU-variants paper: FFN_GELU's numbers are not its numbers
    (["quick_gelu glue avg in the glu variants paper"], [{"any_of": [*DECLINED, "not tested"],
                                                          "not_contains": ["83.86"]}]),
    (["x*sigmoid(1.702x) ffn superglue score (shazeer)"], [{"any_of": [*DECLINED, "not tested"],
                                                            "not_contains": ["72.98"]}]),
    (["an ffn using quick gelu, how did it do on squad"], [{"any_of": [*DECLINED, "not tested"],
                                                            "not_contains": ["83.09", "90.79"]}]),
    # a variant with the bias terms turned on was not trained: the bias-free numbers are not its numbers
    (["swiglu with biases enabled, what glue average"], [{"contains": ["bias"], "any_of": [*DECLINED, "not tested"],
                                                          "not_contains": ["84.36"]}]),
    (["geglu ffn plus bias terms, perplexity after full training?"],
     [{"contains": ["bias"], "any_of": [*DECLINED, "not tested"], "not_contains": ["1.633"]}]),
    (["reglu with b and c added, superglue?"], [{"contains": ["bias"], "any_of": [*DECLINED, "not tested"],
                                                "not_contains": ["73.66"]}]),
    # which GELU Narang et al. ran: the tanh form, by inference from the code, not a statement of the paper
    (["did narang use exact gelu or the tanh one"], [{"contains": ["tanh"], "any_of": ["inference", "not stated"]}]),
    (["narang's gelu: erf or approximate?"], [{"contains": ["tanh"], "any_of": ["inference", "not stated"]}]),
    (["in narang et al was gelu computed with erf"], [{"contains": ["tanh"], "any_of": ["inference", "not stated"]}]),
    # porting a model: whether the framework call's default computes the model's function
    (["porting gemma 2 to flax: jax.nn.gelu default ok?"],
     [{"contains": ["yes", "tanh", "approximate=True", "4.7324e-4"]}]),
    (["converting bert-base to jax, is jax.nn.gelu right by default?"], [{"contains": ["no:", "approximate=False"]}]),
    (["reimplementing gpt-j-6b in pytorch, does nn.GELU() match its activation?"],
     [{"contains": ["no:", "gelu_tanh", "exact (erf)"]}]),
    (["gpt-j-6b in pytorch: which gelu call do i need"], [{"contains": ["use `F.gelu(x, approximate='tanh')`"]}]),
    (["for a flax port of gemma-7b which gelu setting do i need"], [{"contains": ["default", "tanh"]}]),
    # where a function comes from: the registry's source, and for a GLU-family gate the sigmoid GLU
    (["who came up with geglu"], [{"contains": ["Shazeer", "Dauphin", "sigmoid"], "not_contains": ["83.55"]}]),
    (["which paper introduced the gated linear unit"], [{"contains": ["Dauphin", "σ"], "not_contains": ["1.982"]}]),
    (["where does reglu come from"], [{"contains": ["Shazeer", "Dauphin"]}]),
    (["who proposed gelu"], [{"contains": ["Hendrycks"]}]),
    (["swiglu was proposed by dauphin, right?"], [{"contains": ["partly", "Shazeer"]}]),
    (["gelu is from the ramachandran paper?"], [{"contains": ["no.", "Hendrycks"]}]),
    (["swiglu perplexity in shazeer's paper"], [{"contains": ["1.636"], "not_contains": ["Dauphin"]}]),
    # what the GLU-variants paper concludes, including that it explains nothing
    (["what's the bottom line of shazeer's paper"], [{"contains": ["no explanation", "1.633"]}]),
    (["tldr of what the glu variants paper concludes"], [{"contains": ["no explanation", "divine benevolence"]}]),
    (["did the glu paper say why gating helps, or anything about its cost?"],
     [{"contains": ["no explanation", "compute"]}]),
]


@pytest.mark.parametrize(("questions", "specs"), CASES, ids=[c[0][0][:40] for c in CASES])
def test_phrasings_of_an_explain_verify_or_decline_class(asker: ev.Asker, questions: list[str],
                                                          specs: list[dict[str, Any]]) -> None:
    bodies = ask_thread(asker, questions)
    for body, spec in zip(bodies, specs, strict=True):
        assert ev.judge(body, spec) == [], body
