"""Classes of decline where the subject is stored and the particular ask is not, each in words of its own.

Four classes: a fine-tuning score (GLUE, SuperGLUE, SQuAD) asked at the 65,536-step length, which the
GLU-variants paper reports only after full training, declined by the benchmark's name and without the
fully trained score in its place; an activation Narang et al.'s table has no row for, asked of that table and
named, not answered with the ReLU row inside its name; an activation the service does not compute, named as
the question wrote it; and a model field no stored table holds (RoPE base, norm epsilon), named without the
catalog's widths printed as though they answered it. Asked through the real pipeline on a seeded SQLite file
(tests/answers/test_generalise.py's fixture); every expected number is read from tests/reference.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.answers import eval_runner as ev
from tests.answers.test_generalise import ask_thread
from tests.conftest import read_reference_csv

NOT_HELD = ["not in the stored evidence", "not reported", "no stored", "not stored", "not among", "not one of",
            "did not evaluate", "only"]


def _cell(table: str, variant: str, benchmark: str, metric: str, steps: str) -> str:
    """A value of the GLU-variants paper's reference tables, as printed."""
    rows = read_reference_csv(f"glu_variants_2020_{table}.csv")
    return next(r["value"] for r in rows if (r["variant"], r["benchmark"], r["metric"], r["training_steps"]) == (
        variant, benchmark, metric, steps))


def _early(variant: str) -> str:
    return _cell("table1", variant, "C4 held-out shard (span-filling pre-training objective)", "log-perplexity",
                 "65536")


def _narang(row: str, benchmark: str) -> str:
    """A value of Narang et al.'s Table 1, as printed."""
    return next(r["value"] for r in read_reference_csv("narang_2021_table1.csv")
                if (r["variant"], r["benchmark"]) == (row, benchmark))


def _width(model: str) -> str:
    """A catalog row's FFN width, as the catalog prints it."""
    return next(r["d_ff_or_intermediate_size"] for r in read_reference_csv("model_catalog.csv") if r["model"] == model)


FULL = "524288"


def _cases() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        # a fine-tuning benchmark at the short training length: declined by name, the full-training score withheld
        ("benchmark at 65k", "what glue score did reglu have at the 65k step mark?",
         {"contains": ["GLUE", "65,536"], "any_of": NOT_HELD,
          "not_contains": [_cell("table2", "FFN_ReGLU", "GLUE", "Score Average", FULL)]}),
        ("benchmark at 65k", "swiglu superglue avg after only 65536 steps of pretraining",
         {"contains": ["SuperGLUE", _early("FFN_SwiGLU")], "any_of": NOT_HELD,
          "not_contains": [_cell("table3", "FFN_SwiGLU", "SuperGLUE", "Score Average", FULL)]}),
        ("benchmark at 65k", "shazeer paper: squad f1 for bilinear at 65,536 steps",
         {"contains": ["SQuAD"], "any_of": NOT_HELD,
          "not_contains": [_cell("table4", "FFN_Bilinear", "SQuAD v1.1 (dev)", "F1", FULL)]}),
        ("benchmark at 65k", "geglu cola mcc at the early checkpoint (65k)",
         {"contains": ["CoLA"], "any_of": NOT_HELD,
          "not_contains": [_cell("table2", "FFN_GEGLU", "GLUE/CoLA", "MCC", FULL)]}),
        # an activation Narang et al. did not test, asked of their table: named, no other row's number
        ("not a narang row", "in narang et al's table what superglue did leaky relu get",
         {"contains": ["leaky"], "any_of": NOT_HELD,
          "not_contains": [_narang("Vanilla Transformer", "SuperGLUE (dev)")]}),
        ("not a narang row", "narang 2021: relu6 early loss?", {"contains": ["ReLU6"], "any_of": NOT_HELD}),
        ("not a narang row", "xsum rouge for hard-swish per narang", {"contains": ["hard-swish"], "any_of": NOT_HELD}),
        # an activation not computed here: named as the question wrote it
        ("named as written", "plot hardsigmoid from -3 to 3", {"contains": ["hardsigmoid"], "any_of": NOT_HELD}),
        ("named as written", "derivative of lrelu at x = -1", {"contains": ["lrelu"], "any_of": NOT_HELD}),
        ("named as written", "which models in the catalog use h-swish?", {"contains": ["h-swish"],
                                                                         "any_of": NOT_HELD}),
        # a model field no stored table holds: named, and no catalog width in its place
        ("field not stored", "what rope base does llama 3 8b use",
         {"contains": ["rope_theta"], "any_of": NOT_HELD, "not_contains": [_width("Llama 3 8B")]}),
        ("field not stored", "mistral 7b rms_norm_eps?",
         {"contains": ["epsilon"], "any_of": NOT_HELD, "not_contains": [_width("Mistral 7B (v0.1)")]}),
        ("field not stored", "olmo 7b rope_scaling setting",
         {"contains": ["rope_theta"], "any_of": NOT_HELD, "not_contains": [_width("OLMo 7B (v1)")]}),
    ]


CASES = _cases()


@pytest.mark.parametrize(("kind", "question", "spec"), CASES, ids=[f"{c[0]}: {c[1][:50]}" for c in CASES])
def test_a_phrasing_of_the_class_is_declined_by_name(
        asker: ev.Asker, kind: str, question: str, spec: dict[str, Any]) -> None:
    (body,) = ask_thread(asker, [question])
    assert ev.judge(body, spec) == [], (kind, question, body)
