"""Two questions sent in one message get both answers: a message is read part by part where a semicolon, a
question mark with more after it, "and also" or ", also" ends one question, so no rule that reads the whole
message (a decline of a benchmark the other paper lacks, a claim) answers for both, a later part that asks on
its own ("also, rank the variants …") is not read as an edit of the one before, and a later part stays in the
paper the message named. Expected numbers are the reference tables' (tests/reference)."""

from __future__ import annotations

from typing import Any

import pytest

from app.answers import part_splitting
from tests.answers import eval_runner as ev
from tests.answers.test_generalise import assert_thread_gets


def test_strong_breaks_are_not_read_inside_pasted_code() -> None:
    assert part_splitting.STRONG_BREAK.split("a; b? c and also d, also e") == ["a", "b", "c", "d", "e"]
    assert part_splitting.ALSO.sub("", "also, rank the variants") == "rank the variants"
    assert part_splitting.ALSO.sub("", "and also which models") == "which models"


CASES: list[tuple[str, dict[str, Any]]] = [
    # the second part names Narang's paper, which has no GLUE column: the first is still the GLU paper's
    ("ReLU vs GELU on GLUE; narang reglu vs geglu superglue", {"contains": ["83.80", "83.86", "76.17", "75.96"]}),
    ("Raffel et al. GLUE average as reprinted in the GLU paper and also narang geglu webquestions accuracy",
     {"contains": ["83.28", "24.87"]}),
    ("vanilla transformer WMT en-de BLEU in narang; STS-B pearson for geglu", {"contains": ["26.62", "90.26"]}),
    # a later part with its own ask after "also" is a question of its own
    ("RELU PERPLEXITY AFTER 524288 STEPS? also, rank the variants by superglue avg",
     {"contains": ["1.677", "74.56", "73.96"]}),
    # a later part in the paper the message named; the FFN the part before was about
    ("narang vanilla params and ops? then step/s for swiglu", {"contains": ["223M", "3.53"]}),
    ("falcon-7b's ffn is dense gelu right? weights per layer then?", {"contains": ["165,183,488"]}),
    # a bare later subject is the part before about it: the same column, not the subject's every cell
    ("narang geglu final loss and also swiglu's?", {"contains": ["1.792", "1.789"], "not_contains": ["76.00"]}),
    # a later part that edits a calculation's sizes and kind is the calculation redone (3·d·d_ff, then 2·d·d_ff)
    ("how many params in a swiglu ffn with d_model 4096 and d_ff 11008? and a dense one with d_ff 16384?",
     {"contains": ["135,266,304", "134,217,728"]}),
    # a later part asking the rank is answered by the part before, which ranks its cell
    ("reglu glue avg; its rank?", {"contains": ["84.67", "the highest of the eight"], "not_contains": ["73.66"]}),
    # a later part that is a function at a point, or two variants on a column, asks on its own
    ("mlp weights per layer, qwen3-8b? also, slope of silu at 2", {"contains": ["150,994,944", "1.0908"]}),
    ("second best record em among shazeer's variants; squad f1 geglu minus relu", {"contains": ["0.25"]}),
    # a semicolon before a pasted setting is the code's, a semicolon between two sizings a break
    ("hidden dim for dim=3072 multiple_of=256 using llama's rounding? also, dim 1024, multiple_of 256 -> "
     "ffn hidden dim", {"contains": ["8192", "2816"]}),
    # ", then" before another's possessive begins another question; "its activation" is the model's named before
    ("hi, shazeer's pretraining batch size, then narang's batch in tokens", {"contains": ["128", "65,536"]}),
    ("gpt-oss-120b num_hidden_layers and experts per token? also is its activation really silu",
     {"contains": ["36", "1.702"], "any_of": ["No.", "clamped"]}),
    # "its worst error" in a later part is the error of the function the part before named
    ("where does x*sigmoid(1.702x) miss exact gelu the most? also how many times worse than the tanh form is its "
     "worst error", {"contains": ["2.2704", "42.97"]}),
    # one part per paper: both cells, and why they are not set against each other
    ("narang swiglu final loss? shazeer swiglu ppl at 524k?", {"contains": ["1.789", "1.636", "not comparable"]}),
    # … but a subject with a field of its own is a question of its own
    ("1) narang vanilla final loss\n2) gelu'(0)\n3) llama 3 8b intermediate_size\n",
     {"contains": ["1.838", "0.5", "14336"]}),
]


@pytest.mark.parametrize(("message", "spec"), CASES, ids=[c[0][:40] for c in CASES])
def test_each_question_of_a_message_gets_its_answer(asker: ev.Asker, message: str, spec: dict[str, Any]) -> None:
    assert_thread_gets(asker, [message], [spec])
