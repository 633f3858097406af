"""Classes of follow-up about a model's FFN sizes, each asked in words of its own.

Every case is a thread asked through the real pipeline on a seeded SQLite file, as
tests/answers/test_generalise.py does, and judged like the evaluation judges an answer. The expected numbers
are those of tests/reference/ (model_catalog.csv, gemma.md, misreadings.md) or arithmetic on them, written
beside each case. The phrasings are not those of any evaluation split; each group names the class it stands
for, so a failure says which kind of question regressed.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.answers import eval_runner as ev
from tests.answers.test_generalise import check_thread

NO = ["No", "not"]
YES = ["Yes"]

CASES: list[tuple[str, list[str], list[dict[str, Any]]]] = [
    # a pasted config's layer count, or one written out, scales the per-layer count when all layers are asked
    # (Qwen2.5-32B: 3 · 5120 · 27648 = 424,673,280 per layer, × 64 layers; LLaMA 7B's 4096/11008 × 32)
    ("over all layers", ['{"hidden_size": 5120, "intermediate_size": 27648, "hidden_act": "silu", '
                         '"num_hidden_layers": 64}\ntotal mlp weights over all layers?'],
     [{"contains": ["424,673,280", "27,179,089,920"]}]),
    ("over all layers", ["d_model 4096, d_ff 11008, swiglu, 32 layers: total ffn params"],
     [{"contains": ["135,266,304", "4,328,521,728"]}]),
    # all experts of a layer asked as "all 8 of them" (Mixtral 8x22B: 3 · 6144 · 16384 per expert)
    ("all experts", ["mixtral 8x22b expert weights in one layer, all 8 of them, and how many a token uses with top-2"],
     [{"contains": ["301,989,888", "2,415,919,104", "603,979,776"]}]),
    # the rule applied to a named model's d_model, set beside the width it actually has (Gemma 2 2B: 9216)
    ("rule vs actual", ["if gemma 2 2b (hidden 2304) followed the llama 8/3 rule with multiple_of 256, what "
                        "intermediate_size would it get, vs what it actually has"],
     [{"contains": ["6144", "9216"]}]),
    # a claim about a model's width that arithmetic arrives at: the stored width answers it, not the arithmetic
    ("width claim by arithmetic", ["is it true that gemma 3 12b's intermediate_size is 3840*8 = 30720"],
     [{"contains": ["15360"], "any_of": NO}]),
    # "the ratio of those two" after two sizes of one model: that model's d_ff / d_model, not two models'
    # Mistral 7B (v0.1): 14336 / 4096 = 3.5
    ("two sizes of one model", ["mistral 7b d_ff", "what's its d_model", "so the ratio of those two?"],
     [{"contains": ["14336"]}, {"contains": ["4096"]}, {"contains": ["3.5"]}]),
    # Gemma 2 27B is asked after Gemma 2 9B: 36864 / 4608 = 8, not 3584 / 4608
    ("two sizes of one model", ["gemma 2 9b intermediate size", "and gemma 2 27b?", "its d_model?",
                                "how many times bigger is the first than the second"],
     [{"contains": ["14336"]}, {"contains": ["36864"]}, {"contains": ["4608"]},
      {"contains": ["8"], "not_contains": ["0.7778"]}]),
    # Llama 2 70B: 28672 / 8192 = 3.5
    ("two sizes of one model", ["llama 2 70b intermediate size", "and the hidden_size?", "expansion factor then?"],
     [{"contains": ["28672"]}, {"contains": ["8192"]}, {"contains": ["3.5"]}]),
    # LLaMA's rule on a model's stored sizing fields, then with one field changed
    # Llama 3 8B: d 4096, multiplier 1.3, multiple_of 1024 -> 14336 (misreadings.md);
    # without the multiplier: ceil(floor(8 * 4096 / 3) / 1024) * 1024 = 11264;
    # multiplier 1.3 with multiple_of 4096: ceil(floor(1.3 * 10922) / 4096) * 4096 = 16384
    ("stored rule fields", ["how did meta get 14336 for llama 3 8b", "and without the multiplier?",
                            "now keep 1.3 but use multiple_of 4096"],
     [{"contains": ["14336", "1.3", "1024"]}, {"contains": ["11264"]}, {"contains": ["16384"]}]),
    # Llama 2 70B: d 8192, multiplier 1.3, multiple_of 4096 -> 28672; without it: ceil(21845 / 4096) * 4096 = 24576
    ("stored rule fields", ["how does llama 2 70b get to 28672", "drop the multiplier"],
     [{"contains": ["28672", "1.3", "4096"]}, {"contains": ["24576"]}]),
    # LLaMA-7B (v1): d 4096, multiple_of 256 -> 11008; with multiple_of 1024: ceil(10922 / 1024) * 1024 = 11264
    ("stored rule fields", ["how does llama-7b arrive at 11008", "and with multiple_of 1024?"],
     [{"contains": ["11008", "256"]}, {"contains": ["11264"]}]),
    # whether the width just given comes out of LLaMA's rule at the fields written
    # LLaMA-7B (v1) 11008 = ceil(floor(8 * 4096 / 3) / 256) * 256
    ("width from the rule", ["llama-7b intermediate size",
                             "does that come out of the llama rule with dim 4096 and multiple_of 256?"],
     [{"contains": ["11008"]}, {"contains": ["11008"], "any_of": YES}]),
    # Qwen2.5-7B 18944, but ceil(floor(8 * 3584 / 3) / 256) * 256 = 9728
    ("width from the rule", ["qwen2.5-7b d_ff", "is that what llama's formula gives at d_model 3584, multiple_of 256?"],
     [{"contains": ["18944"]}, {"contains": ["9728"], "any_of": NO}]),
    # why a report's feed-forward width is twice Hugging Face's, and the weights with one branch's width
    # Gemma 2 9B: paper 28672 = 2 x HF 14336 (gemma.md); 3 x 3584 x 14336 = 154140672 (not 3 x 3584 x 28672)
    ("doubled width", ["gemma 2 9b ff dim in the paper", "how come that's double the hugging face intermediate_size?",
                       "ffn params per layer then?"],
     [{"contains": ["28672"]}, {"contains": ["14336"], "any_of": ["both branches", "gate", "up_proj"]},
      {"contains": ["154140672"], "not_contains": ["308281344"]}]),
    # Gemma 1 2B has no catalog row, only the report's and the config's widths: 32768 = 2 x 16384 (gemma.md);
    # its weights from d_model 2048 and one branch: 3 x 2048 x 16384 = 100663296
    ("doubled width", ["gemma 2b feedforward hidden dims per the report", "why is it 2x the config value",
                       "weights in one ffn layer for it?"],
     [{"contains": ["32768"]}, {"contains": ["16384"], "any_of": ["both branches", "gate", "up_proj"]},
      {"contains": ["100663296"], "not_contains": ["201326592"]}]),
    # a ratio claimed of the width just given, checked against the model's d_ff / d_model
    # Mistral 7B (v0.1): 14336 / 4096 = 3.5, not 8/3
    ("ratio claim", ["mistral 7b d_model and d_ff", "is that the 8/3 rule?"],
     [{"contains": ["4096", "14336"]}, {"contains": ["3.5"], "any_of": NO}]),
    # LLaMA-7B (v1): 11008 / 4096 = 2.6875, 8/3 after rounding up to a multiple of 256
    ("ratio claim", ["llama-7b d_ff", "does it follow 8/3?"], [{"contains": ["11008"]}, {"any_of": YES}]),
    # BERT-base: 3072 / 768 = 4, a dense 4x layer
    ("ratio claim", ["bert-base d_ff", "is that 4x d_model?"], [{"contains": ["3072"]}, {"contains": ["4"],
                                                                                        "any_of": YES}]),
    # Phi-2: 10240 / 2560 = 4, not 8/3
    ("ratio claim", ["phi-2 d_ff", "and is it 8/3 of the hidden size, right?"],
     [{"contains": ["10240"]}, {"contains": ["4"], "any_of": NO}]),
]


@pytest.mark.parametrize(("kind", "questions", "specs"), CASES,
                         ids=[f"{c[0]}: {' / '.join(c[1])[:50]}" for c in CASES])
def test_a_sizing_follow_up_gets_what_the_class_promises(
        asker: ev.Asker, kind: str, questions: list[str], specs: list[dict[str, Any]]) -> None:
    check_thread(asker, kind, questions, specs)
