"""Classes of phrasing for computations, FFN sizing and the model catalog, whatever the exact words.

Each case is a phrasing of a class the answers promise to handle (a framework call or pasted code evaluated,
a function written as its formula or a point as a word, a derivative written d f/dx, a value asked with its
slope, whether a function or its slope goes negative, sizes given as short field names or as a width alone,
totals over experts and layers, sizing follow-ups, a catalog field named as its config key or a Hub id, a list
of catalog models filtered by who released them, their FFN kind, a width or a superlative, a doubled width, a
family size the catalog does not hold; an error below float64's resolution, a slope set against the exact one's,
LLaMA's rule on another model's d_model, one expert's weights, a conversion at equal weights, two widths said to
be the same, a swap bound, a side an approximation is said to stay on, Narang et al.'s sizes, configuration
defaults, a doubled width in a weight count), asked through the
real pipeline on a seeded SQLite file; every number shown must trace to tests/reference or to a computation
re-run from reference values (see tests/answers/test_generalise.py, whose fixture and thread function this reuses).
"""

from __future__ import annotations

from typing import Any

import pytest

from app.answers.entities import spelled_numbers
from app.answers.framework_names import as_called, as_expression
from app.answers.functions import derivative_order
from tests.answers import eval_runner as ev
from tests.answers.test_generalise import ask_thread


def test_a_framework_call_on_a_number_is_read_as_the_function_it_computes() -> None:
    assert as_called("jax.nn.gelu(1.0)") == "gelu_tanh(1.0)"
    assert as_called("jax.nn.gelu(1.0, approximate=False)") == "gelu(1.0, approximate=False)"
    assert as_called("F.gelu(torch.tensor(-0.5))") == "gelu(torch.tensor(-0.5))"
    assert as_called("is jax.nn.gelu exact?") == "is jax.nn.gelu exact?"  # a name asked about, not called


def test_pasted_code_is_read_as_the_call_it_evaluates() -> None:
    assert as_expression("import torch; x = torch.tensor(-1.0); print(torch.tanh(x))") == "torch.tanh(-1.0)"
    sizing = "dim = 2560\nhidden_dim = int(2 * (4 * dim) / 3)"
    assert as_expression(sizing) == sizing  # a width used in arithmetic is left to the sizing rules


def test_points_written_as_words_and_derivatives_written_as_fractions() -> None:
    assert spelled_numbers("selu at minus one") == "selu at -1"
    assert spelled_numbers("gelu at negative 0.5") == "gelu at -0.5"
    assert spelled_numbers("one layer of it") == "one layer of it"
    assert derivative_order("d sigmoid / dx at 0") == 1
    assert derivative_order("dσ/dx at 2") == 1
    assert derivative_order("sigmoid at 2") == 0


CASES: list[tuple[list[str], list[dict[str, Any]]]] = [
    # a framework's code name called on a number computes what that framework computes
    (["jax.nn.gelu(2.0)?"], [{"contains": ["1.9546"]}]),
    (["what does jax.nn.gelu(x=-1.0) return"], [{"contains": ["0.15881"]}]),
    (["flax.linen.gelu(0.5)"], [{"contains": ["0.34571"]}]),
    (["jax.nn.gelu(1.0, approximate=False)"], [{"contains": ["0.8413"]}]),
    # pasted code: imports, prompts, print(…) and a variable set before the call
    (["import torch; torch.nn.functional.silu(torch.tensor(0.5))"], [{"contains": ["0.3112"],
                                                                      "not_contains": ["does not cover"]}]),
    (["x = torch.tensor(-1.0); print(torch.tanh(x))"], [{"contains": ["0.7616"], "not_contains": ["does not cover"]}]),
    ([">>> import jax\n>>> jax.nn.gelu(3.0)"], [{"contains": ["2.9964"]}]),
    # a function written as its formula
    (["x*Φ(x) at x = -1"], [{"contains": ["0.1587"]}]),
    (["log(1+exp(x)) at 1"], [{"contains": ["1.3133"]}]),
    (["x·phi(x) evaluated at 3"], [{"contains": ["2.996"]}]),
    (["max(0,x)^2 at 0.5"], [{"contains": ["0.2500"]}]),
    # a point written as a word
    (["tanh at minus two"], [{"contains": ["0.9640"]}]),
    (["elu at negative 0.5"], [{"contains": ["0.3935"]}]),
    (["gelu slope at minus one"], [{"contains": ["0.08332"]}]),
    (["gelu prime of 2"], [{"contains": ["1.0852"]}]),
    # a derivative written as d f / dx
    (["d tanh / dx at 0.5"], [{"contains": ["0.7864"]}]),
    (["d gelu(x)/dx at 1"], [{"contains": ["1.0833"]}]),
    (["d softplus/dx at x=0"], [{"contains": ["0.5000"]}]),
    # σ written as the sigmoid, and a letter defined as a function then called
    (["σ(-1)?"], [{"contains": ["0.2689"]}]),
    (["dσ/dx at x=0"], [{"contains": ["0.2500"]}]),
    (["f(x)=x*sigmoid(1.702x), f(1)=?"], [{"contains": ["0.8458"]}]),
    (["let g(x) = log(1+exp(x)); g(-1)"], [{"contains": ["0.3133"]}]),
    # an interval asked with a maximum: the largest error on it, not the values at its ends
    (["quick gelu max abs error on [-5, 5]"], [{"contains": ["0.020335", "2.2704"], "not_contains": ["0.0010056"]}]),
    (["max error of the tanh approximation for x from -3 to 3"], [{"contains": ["4.7324e-4"]}]),
    # a value claimed for a function at a point is checked against the computed one
    (["is gelu(1) = 0.84?"], [{"contains": ["Yes", "0.8413"]}]),
    (["gelu at 1 is 0.8413, right?"], [{"contains": ["Yes", "0.8413"], "not_contains": ["table values"]}]),
    (["tanh(1) ≈ 0.77?"], [{"contains": ["No.", "0.7616"]}]),
    # a one-sided derivative at a kink is said to be one
    (["selu slope at 0"], [{"contains": ["1.7581", "1.0507"], "any_of": ["not differentiable"]}]),
    # a value asked together with its slope
    (["softplus at 2, and what's its gradient"], [{"contains": ["2.1269", "0.8808"]}]),
    (["mish value + derivative at 1"], [{"contains": ["0.8651", "1.0490"]}]),
    (["selu at 2 plus the slope"], [{"contains": ["2.1014", "1.0507"]}]),
    # functions called at a point and set against each other are computed, not looked up in a table
    (["tanh(1) vs sigmoid(1)?"], [{"contains": ["0.7616", "0.7311"]}]),
    (["is elu(-1) bigger than selu(-1)"], [{"contains": ["0.6321", "1.1113"]}]),
    (["gelu(2) or silu(2), which is larger"], [{"contains": ["1.9545", "1.7616"]}]),
    # a bare "hidden" beside a named d_model is the FFN width; a multiplier and a multiple_of written in words
    (["params of a swiglu ffn with d_model 2048 and hidden 8192"], [{"contains": ["50,331,648"]}]),
    (["llama hidden dim for dim 4096, multiplier 1.3, multiple of 1024"], [{"contains": ["14336"]}]),
    # an approximation's error at a point, asked with an error word
    (["how wrong is quick_gelu at x=-1"], [{"contains": ["0.0044510"]}]),
    (["how far off is gelu_tanh at x = 2"], [{"contains": ["9.7958e-5"]}]),
    # whether a function or its slope is ever negative: yes or no first
    (["is the derivative of gelu ever negative"], [{"contains": ["Yes", "-0.12890"]}]),
    (["does silu dip below zero?"], [{"contains": ["Yes", "-0.27846"]}]),
    (["can relu output negative values"], [{"contains": ["No"]}]),
    (["is the slope of softplus ever negative"], [{"contains": ["No"]}]),
    # a constant of the function written beside the point is not a point
    (["swish at x=2 with beta 1"], [{"contains": ["1.7616"], "not_contains": ["0.7311"]}]),
    (["elu(-2)? alpha=1"], [{"contains": ["0.8647"], "not_contains": ["does not cover"]}]),
    # LLaMA's rule named by its fraction, the rounding in words
    (["what intermediate size does the 8/3 rule give for d_model 2048 rounded to 256"], [{"contains": ["5632"]}]),
    (["how much bigger is the ffn than d_model in gemma 2 27b"], [{"contains": ["8"]}]),
    (["mixtral 8x22b active ffn params per token, one layer"], [{"contains": ["603,979,776"]}]),
    (["whats 2/3 of 4*4096 rounded up to 256"], [{"contains": ["11008"]}]),
    (["8/3 * 5120 rounded to a multiple of 256?"], [{"contains": ["13824"]}]),
    # the other kind's width at equal weights, from the width alone
    (["equal-param swiglu width for a 4096-wide dense ffn"], [{"contains": ["2730.67"]}]),
    (["param-matched dense d_ff for a gated ffn with d_ff 2048"], [{"contains": ["3072"]}]),
    # the value asked leads; an approximation's error follows it
    (["gelu_tanh(2)"], [{"contains": ["1.9546"]}]),
    (["sigmoid approx of gelu: slope at 1?"], [{"contains": ["1.0678"]}]),
    # a size of a family the catalog does not hold is declined, not answered with a neighbour
    (["FFN param count for bert-large"], [{"any_of": ["not in the catalog"], "not_contains": ["4,718,592"]}]),
    (["gemma 2 13b mlp weights"], [{"any_of": ["not in the catalog"]}]),
    # FFN sizes given as short field names
    (["d=4096 ff=11008 gated, weights?"], [{"contains": ["135,266,304"]}]),
    (["hidden 2048, intermediate 8192, swiglu: param count per layer"], [{"contains": ["50,331,648"]}]),
    (["dense mlp with h=1024 and ffn=4096 — how many params"], [{"contains": ["8,388,608"]}]),
    # the FFN kind read off a pasted config: GPT-2's fields are dense, T5X's (gelu, linear) and --swiglu gated
    (['{"n_embd": 768, "n_inner": 3072, "activation_function": "gelu_new"} mlp params?'],
     [{"contains": ["4,718,592"], "not_contains": ["7,077,888"]}]),
    (['emb_dim = 4096, mlp_dim = 10240, mlp_activations = ("gelu", "linear") -> weights per mlp'],
     [{"contains": ["125,829,120"], "not_contains": ["83,886,080"]}]),
    (["--hidden-size 4096 --ffn-hidden-size 14336 --swiglu: params per mlp"], [{"contains": ["176,160,768"]}]),
    # the surplus of a gated FFN at the same width
    (["how many more params does a gated ffn have than a dense one at d_model 512, d_ff 2048"],
     [{"contains": ["1,048,576"]}]),
    (["overhead in weights of swiglu over relu at d_model=1024 d_ff=4096"], [{"contains": ["4,194,304"]}]),
    # the gated width that matches a dense FFN written as a multiple of d_model
    (["d_model 768, what geglu d_ff matches the params of a 4x dense mlp"], [{"contains": ["2048"]}]),
    (["for dim=1024 i want a swiglu with the same param count as a 4x d_model dense ffn"],
     [{"contains": ["2730.67"]}]),
    # the ratio of widths, however it is written
    (["ffn/d_model for llama 3 8b"], [{"contains": ["3.5"]}]),
    (["ff/d of qwen2-7b"], [{"contains": ["5.286"]}]),
    (["d_ff over d_model, phi-3 mini"], [{"contains": ["2.667"]}]),
    # per-layer counts scaled to all experts or all layers
    (["mixtral 8x22b mlp params per layer across all 8 experts"], [{"contains": ["2,415,919,104"]}]),
    (["gemma 2 27b ffn weights over all layers"], [{"contains": ["23,441,965,056"]}]),
    (["gemma 2 2b total ffn params, whole model"], [{"contains": ["1,656,225,792"]}]),
    (["per-layer param count of the llama 2 7b mlp"], [{"contains": ["135,266,304"]}]),
    # a sizing follow-up that adds a scale or names the other FFN kind recomputes the same sizes
    (["llama 3 8b ffn params per layer", "and over all 32 layers?"],
     [{"contains": ["176,160,768"]}, {"contains": ["5,637,144,576"]}]),
    (["d=4096 ff=11008 gated weights", "and if dense?"], [{"contains": ["135,266,304"]}, {"contains": ["90,177,536"]}]),
    (["mixtral 8x7b ffn weights per layer", "active per token?"],
     [{"contains": ["176,160,768"]}, {"contains": ["352,321,536"]}]),
    # a catalog field named by its config key, or misspelt
    (["opt-125m ffn_dim?"], [{"contains": ["3072"]}]),
    (["gpt-j n_inner"], [{"contains": ["16384"]}]),
    (["falcon-7b ffn_hidden_size"], [{"contains": ["18176"]}]),
    (["llama 3 8b mlp widht"], [{"contains": ["14336"]}]),
    # a Hugging Face Hub id names the model after the slash, not the owner's family
    (["hidden_size of meta-llama/Meta-Llama-3-8B"], [{"contains": ["4096"], "not_contains": ["11008"]}]),
    (["mistralai/Mixtral-8x22B-v0.1 intermediate_size"], [{"contains": ["16384"]}]),
    (["google/t5-v1_1-xxl d_ff"], [{"contains": ["10240"], "not_contains": ["3072"]}]),
    (["t5 v1.0 base vs v1.1 base mlp"], [{"contains": ["3072", "2048", "geglu"]}]),
    # a yes/no about a model's FFN kind, and which of two models is wider
    (["is bert gated?"], [{"contains": ["No.", "dense"]}]),
    (["does qwen3-8b use a gated mlp"], [{"contains": ["Yes.", "swiglu"]}]),
    (["which is wider, llama 3 70b or qwen2.5-32b ffn"], [{"contains": ["Widest FFN: **Llama 3 70B**", "27648"]}]),
    # who released a model
    (["who put out phi-2?"], [{"contains": ["Microsoft"]}]),
    (["who's behind falcon-40b"], [{"contains": ["TII"]}]),
    (["which lab published olmo 2 13b"], [{"contains": ["Allen Institute for AI"]}]),
    # catalog lists filtered by organization, year or FFN kind
    (["list the catalog models from microsoft"], [{"contains": ["Phi-2", "Phi-3-mini", "Phi-4"]}]),
    (["what models in the catalog are from 2017"], [{"contains": ["Transformer (base)"]}]),
    (["any dense relu models by meta"], [{"contains": ["OPT-125M"], "not_contains": ["Llama 2 7B"]}]),
    (["which gated models did google release"], [{"contains": ["PaLM 540B", "mT5-small"],
                                                  "not_contains": ["BERT-base"]}]),
    # one end of a catalog column, a width the rows must have, and a count
    (["what is the widest ffn in the catalog"], [{"contains": ["PaLM 540B", "73728"]}]),
    (["oldest model in the catalog"], [{"contains": ["Transformer (base)", "2017"]}]),
    (["which models in the catalog have d_ff 14336"], [{"contains": ["Mistral 7B", "Gemma 2 9B", "Llama 3 8B"],
                                                         "not_contains": ["Llama 2 7B"]}]),
    (["how many models in the catalog use squared relu"], [{"contains": ["**2**", "Primer", "Nemotron-4 15B"]}]),
    (["gate_proj shape for llama 3 8b"], [{"contains": ["4096", "14336"]}]),
    (["alibaba models + their widths"], [{"contains": ["Qwen2-7B", "18944"], "not_contains": ["Llama"]}]),
    (["which qwen models are moe"], [{"contains": ["Qwen3-30B-A3B", "Qwen3-235B-A22B"], "not_contains": ["Mixtral"]}]),
    (["models released in 2023 with swiglu"], [{"contains": ["Mistral 7B", "Llama 2 7B"], "not_contains": ["PaLM"]}]),
    # mixture-of-experts layouts
    (["how many experts in qwen3-235b-a22b"], [{"contains": ["128"]}]),
    (["mixtral 8x22b expert count and top-k"], [{"contains": ["top-2"]}]),
    # a stated width that is twice the catalog's per-branch width
    (["llama 3 8b mlp is 28672 wide right?"], [{"contains": ["14336"], "any_of": ["No", "2 ×"]}]),
    (["qwen2.5-7b intermediate 37888?"], [{"contains": ["18944"]}]),
    (["gemma 2 9b d_ff 28672?"], [{"contains": ["14336", "as the report prints it"], "not_contains": ["No:"]}]),
    # a size stated for checking that the catalog does not hold is answered no, with the stored one
    (["is mistral 7b d_ff 11008?"], [{"contains": ["No", "14336"]}]),
    (["qwen3-8b ffn = 22016?"], [{"contains": ["No", "12288"]}]),
    (["is llama 3 8b intermediate 14336?"], [{"contains": ["Yes.", "14336"]}]),
    # a hedged catalog row says so
    (["gpt-3 hidden_act?"], [{"contains": ["tanh"], "any_of": ["inferred", "UNVERIFIED"]}]),
    (["mistral nemo intermediate_size"], [{"contains": ["14336", "single-source"]}]),
    # an approximation's error at a far point, below float64's resolution of the values (gelu_math.md §2)
    (["gelu_tanh minus gelu at 10"], [{"contains": ["7.62e-23"], "not_contains": ["= **0**"]}]),
    (["error of gelu_pytorch_tanh at x = 10"], [{"contains": ["7.62e-23"]}]),
    (["at 10, what's the gap between the tanh approximation and exact gelu"], [{"contains": ["7.62e-23"]}]),
    (["gelu_tanh vs gelu at x = -10"], [{"contains": ["7.62e-23"]}]),
    (["quick gelu error at x=10"], [{"contains": ["4.06e-7"]}]),
    # "grad" and "deriv" ask for the derivative
    (["what's the grad of tanh at 0.5"], [{"contains": ["0.7864"], "not_contains": ["0.4621"]}]),
    (["grad of F.silu at x=1"], [{"contains": ["0.9277"]}]),
    (["sigmoid deriv at -1"], [{"contains": ["0.1966"], "not_contains": ["0.2689"]}]),
    # a framework's code name with its derivative asked at a point: the function that framework computes
    (["jax.nn.gelu gradient at 2"], [{"contains": ["gelu_tanh′(2)", "1.0861"]}]),
    (["nn.GELU(approximate='tanh') slope at 0.5"], [{"contains": ["gelu_tanh′(0.5)", "0.86737"]}]),
    (["jax.nn.gelu's derivative at 1"], [{"contains": ["gelu_tanh′(1)", "1.0830"]}]),
    # a slope asked with how much it differs from the exact function's at the same point: one difference
    (["gelu_tanh slope at 1, and how far is it from the exact gelu's slope"], [{"contains": ["1.0830", "0.0003514"]}]),
    (["gelu_new slope at -1, and how much does it differ from gelu's"], [{"contains": ["0.0003514"]}]),
    (["derivative of quick gelu at 0.5 and its difference from the erf gelu's"], [{"contains": ["0.01173"]}]),
    # LLaMA's width rule applied to another catalog model's d_model, as a hypothetical
    (["if gpt-j-6b used a llama-style mlp (multiple_of 256, no multiplier), how wide would the ffn be"],
     [{"contains": ["11008", "4096"], "not_contains": ["16384"]}]),
    (["phi-2 with llama's rounding and multiple_of 128 - intermediate size?"],
     [{"contains": ["6912"], "not_contains": ["10240"]}]),
    (["bert-base under a llama style swiglu, multiple_of 256: hidden dim"],
     [{"contains": ["2048", "768"], "not_contains": ["3072"]}]),
    # one expert's weights from widths written beside a named MoE model, with its gated kind
    (["deepseek-v2 per expert params with moe_intermediate_size 1536 and hidden 5120"],
     [{"contains": ["23,592,960", "per expert"], "not_contains": ["15,728,640"]}]),
    (["deepseek-v3 shared expert params, hidden 7168 and moe_intermediate_size 2048"],
     [{"contains": ["44,040,192"], "not_contains": ["396,361,728"]}]),
    (["mixtral 8x22b, a single expert with d_model 6144 and ffn 16384 - params?"], [{"contains": ["301,989,888"]}]),
    # a named model's FFN converted to the other kind at the same weight count
    (["gpt-j-6b dense ffn converted to swiglu with the same param count: what d_ff"], [{"contains": ["10923"]}]),
    (["opt-125m to geglu keeping the weights equal - d_ff?"], [{"contains": ["2048", "4,718,592"]}]),
    (["llama 3 8b converted to a dense relu ffn at the same param count, d_ff?"], [{"contains": ["21504"]}]),
    (["gpt-2 to a gated mlp with matched params: d_ff?"], [{"contains": ["2048"], "not_contains": ["7,077,888"]}]),
    (["what geglu d_ff matches bloom-176b's ffn param count"], [{"contains": ["38229"]}]),
    (["mixtral 8x7b: weights in a single expert's ffn?"], [{"contains": ["176,160,768", "per expert"]}]),
    # whether two models' FFN widths are the same: yes or no first
    (["do llama 2 70b and llama 3 70b share the same d_ff"],
     [{"contains": ["Yes", "28672"], "not_contains": ["common misreading"]}]),
    (["qwen2-7b and qwen2.5-7b: identical intermediate_size?"], [{"contains": ["Yes", "18944"]}]),
    (["do gemma 2 9b and qwen2-7b have the same d_ff"], [{"contains": ["No", "14336", "18944"]}]),
    # a bound claimed for swapping one GELU form for another, decided by the computed largest error
    (["replacing gpt-2's gelu_new with torch's exact gelu shifts outputs by at most 1e-3, right?"],
     [{"contains": ["Yes", "4.7324e-4"]}]),
    (["swapping quick_gelu for nn.GELU() changes activations by less than 0.01 everywhere, correct?"],
     [{"contains": ["No", "0.020335"]}]),
    (["if I replace F.gelu with gelu_pytorch_tanh, outputs move by under 1e-4, true?"],
     [{"contains": ["No", "4.7324e-4"]}]),
    # a claim that an approximation always lies on one side of exact GELU
    (["is quick gelu always below exact gelu?"], [{"contains": ["No", "above", "even function"]}]),
    (["the tanh gelu never goes under the erf one, right?"], [{"contains": ["No", "below", "4.7324e-4"]}]),
    (["gelu_sigmoid is below erf gelu for every x, correct?"], [{"contains": ["No", "0.020335"]}]),
    (["does the tanh approx ever dip under the exact gelu?"], [{"contains": ["Yes", "below", "4.7324e-4"]}]),
    (["is gelu_new an overestimate of gelu everywhere?"], [{"contains": ["No, not always", "below"]}]),
    (["does gelu_tanh ever go below zero?"], [{"contains": ["Yes", "dips below zero"], "not_contains": ["part of"]}]),
    # Narang et al.'s gated variants said to be smaller or larger: the Params column (narang_2021.md)
    (["narang et al's glu variants have fewer parameters than the vanilla transformer because d_ff is 2048, right?"],
     [{"contains": ["No", "223M", "2048"]}]),
    (["in narang's table, are the gated ffns smaller than the relu baseline?"], [{"contains": ["No", "223M"]}]),
    (["in narang et al, geglu is a bigger model than relu, right?"], [{"contains": ["No", "223M", "3072"]}]),
    # a configuration class's defaults said to be a model's sizes, read off the catalog's sources
    (["are Gemma2Config() defaults the gemma 2 9b sizes?"], [{"contains": ["No", "Gemma 2 2B", "14336"]}]),
    (["can I use LlamaConfig() defaults for llama 3 8b?"], [{"contains": ["No", "11008", "14336"]}]),
    (["MistralConfig() defaults match mistral 7b, right?"], [{"contains": ["Yes", "14336"]}]),
    (["Qwen3Config() defaults are qwen3-8b's sizes, right?"], [{"contains": ["No", "12288", "22016"]}]),
    (["GPTNeoXConfig defaults = gpt-neox-20b?"], [{"contains": ["Yes", "24576"]}]),
    # a weight count worked out from a doubled (both-branch) width is corrected with the per-branch width
    (["gemma 2 9b has 28672 in the paper so its mlp weights are 3*3584*28672?"],
     [{"contains": ["No", "14336", "154,140,672"]}]),
    (["gemma 2 27b: 3 × 4608 × 73728 params per ffn layer, right?"], [{"contains": ["36864", "509,607,936"]}]),
    (["phi-3 mini's gate_up_proj is 16384 wide so the mlp has 3*3072*16384 weights?"],
     [{"contains": ["8192", "75,497,472"]}]),
    (["gemma 2 9b with d_ff 28672: mlp params per layer?"],
     [{"contains": ["14336", "154,140,672"], "not_contains": ["**308,281,344**"]}]),
    (["gemma 2b ffn weights per layer using the paper's 32768"], [{"contains": ["16384", "100,663,296"]}]),
]


@pytest.mark.parametrize(("questions", "specs"), CASES, ids=[c[0][0][:40] for c in CASES])
def test_phrasings_of_a_class_get_what_the_class_promises(asker: ev.Asker,
                                                          questions: list[str],
                                                          specs: list[dict[str, Any]]) -> None:
    bodies = ask_thread(asker, questions)
    for body, spec in zip(bodies, specs, strict=True):
        assert ev.judge(body, spec) == [], body
