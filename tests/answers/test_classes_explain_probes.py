"""Classes of explanation and verification questions, each asked in several wordings through the real pipeline:
a stated width is checked against the stored value (not against a wrong value a verification note quotes), a
claim repeating a stored misreading gets its direct answer first, a formula's symbol is explained, another
paper's name of a layer is told as the same layer, two framework names are told apart, the paper's missing
explanation of why gating works is said first, and two widths set against each other get the 2/3 rule.

Expected numbers come from tests/reference (misreadings.md, gelu_math.md, glu_variants_2020.md, the catalogs).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.answers import eval_runner as ev
from tests.answers.test_generalise import ask_thread

CASES: list[tuple[str, dict[str, Any], str]] = [
    # a stated width against the catalog's value; the model card's typo quoted in a note is no stored value
    ("mistral nemo hidden dim is 14436 right?", {"contains": ["No", "14336"]}, "no"),
    ("mistral-nemo d_ff = 14,436?", {"contains": ["No", "14336"]}, "no"),
    ("is mistral nemo's ffn 14436 wide", {"contains": ["No", "14336"]}, "no"),
    # a claim repeating a stored misreading: its yes/no/partly first
    ("are phi-3 and phi-4 geglu models", {"contains": ["silu"]}, "no."),
    ("phi-4 is a geglu model, right?", {"contains": ["silu"]}, "no."),
    ("do gated models actually stick to 8/3 d_model?", {"contains": ["2.5", "5.4"]}, "no."),
    ("is it true that squared relu beats swiglu", {"contains": ["110M"]}, "no."),
    ("heard squared relu beats swiglu, true?", {"contains": ["110M"]}, "no."),
    ("qwen-14b intermediate 27392 right?", {"contains": ["13696"]}, "partly."),
    # what a symbol of a formula means
    ("what does Φ mean in gelu", {"contains": ["standard normal", "erf"]}, "**φ**"),
    ("what's Φ", {"contains": ["standard normal"]}, "**φ**"),
    ("what does sigma mean in glu", {"contains": ["logistic sigmoid"], "not_contains": ["±"]}, "**σ**"),
    ("what does sigma stand for in swish", {"contains": ["logistic sigmoid"]}, "**σ**"),
    ("whats erf in the gelu formula", {"contains": ["error function", "erf(x/√2)"]}, "**erf**"),
    ("what is β in swish", {"contains": ["β = 1", "SiLU"]}, "**β**"),
    ("what does the ⊙ mean in geglu", {"contains": ["element-wise"]}, "**⊙**"),
    ("what is the lowercase phi in gelu's derivative", {"contains": ["density"]}, "**φ**"),
    # another paper's name of the same layer
    ("what is liglu", {"contains": ["LiGLU", "Bilinear", "Narang"]}, "**liglu**"),
    ("is liglu the same as bilinear", {"contains": ["Bilinear"], "not_contains": ["1.960"]}, "yes"),
    ("liglu = bilinear?", {"contains": ["Bilinear"], "not_contains": ["1.960"]}, "yes"),
    # two framework names: what each computes; a "difference" question gets no yes/no
    ("what's the difference between gelu and gelu_new", {"contains": ["exact (erf)", "tanh form"]}, "they compute"),
    ("gelu_fast vs gelu difference?", {"contains": ["exact (erf)", "tanh"]}, "they compute"),
    ("is gelu the same as gelu_new in hf", {"contains": ["exact (erf)", "tanh form"]}, "no"),
    # why gating works: the paper offers no explanation, said first
    ("does shazeer explain why gated ffns are better", {"contains": ["divine benevolence"],
                                                         "not_contains": ["worst gated variant"]}, "no: the paper"),
    ("did shazeer say why glu layers help?", {"contains": ["divine benevolence"]}, "no: the paper"),
    ("why do glu variants work so well?", {"contains": ["divine benevolence"]}, "the paper offers no explanation"),
    ("why does gating work so well in ffns", {"contains": ["divine benevolence"]}, "the paper offers no explanation"),
    # two widths set against each other: the 2/3 rule
    ("why 2048 instead of 3072 for the glu variants", {"contains": ["4,718,592", "2/3"]}, "a gated"),
    ("how come the gated ffns got 2048 rather than 3072", {"contains": ["4,718,592"]}, "a gated"),
    # a why about a choice outside the FFN: no stored reason, said first, then the stored value, no width misreading
    ("whats the reason gemma 1 2b uses multi-query attention with 1 kv head",
     {"contains": ["multi-query"], "not_contains": ["GeGLU"]}, "the stored evidence does not say why"),
    ("whys gemma-3-1b's sliding_window 512 when the report says local layers span 1024",
     {"contains": ["512", "1024"], "not_contains": ["multiple_of"]}, "the stored evidence does not say why"),
    ("why does gemma 2 use 8 kv heads", {"contains": ["GQA"]}, "the stored evidence does not say why"),
]


@pytest.mark.parametrize(("question", "spec", "opens"), CASES, ids=[c[0][:40] for c in CASES])
def test_an_explain_or_verify_phrasing_gets_its_direct_answer_first(asker: ev.Asker,
                                                                    question: str, spec: dict[str, Any],
                                                                    opens: str) -> None:
    body = ask_thread(asker, [question])[0]
    assert ev.judge(body, spec) == [], body
    assert body.lstrip().lower().startswith(opens), body
