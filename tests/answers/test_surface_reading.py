"""The question is read past its surface: greetings and thanks around it, and slips in the words the rules
read ("derivatvie", "narnag", "praams"), while jargon no dictionary holds ("logit", "regex", "vocab") and
config fields stay exactly as typed.

Unit tests pin the two readers; the pipeline tests ask on a seeded SQLite file and expect what the plain
question gets (expected numbers from tests/reference, every shown number traced there).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.answers import courtesy, spelling
from app.answers.lexicon import Lexicon, get_lexicon
from app.db import create_db_engine, make_session_factory
from tests.answers import eval_runner as ev
from tests.answers.test_generalise import assert_thread_gets
from tests.conftest import sqlite_settings


@pytest.mark.parametrize(("typed", "read"), [
    ("hi, quick question: did swiglu get 74.56 on superglue", "did swiglu get 74.56 on superglue"),
    ("Hey there! quick q - gelu(1)?", "gelu(1)?"),
    ("q: what is gelu(1)", "what is gelu(1)"),
    ("sorry if this is a dumb question, but is gelu monotonic? thx in advance", "is gelu monotonic?"),
    ("how far apart thanks!", "how far apart"),
    ("source? thanks a lot :)", "source?"),
    ("what is gelu(1)? many thanks", "what is gelu(1)?"),
    ("out of how many thanks!", "out of how many"),  # "many" is the question's, not the thanks'
    ("question about gelu", "question about gelu"),  # "question" without a stop is part of the question
    ("hi", "hi"), ("thanks!", "thanks!"),  # nothing else: the help answer reads it whole
    ("so did swiglu get 74.56", "did swiglu get 74.56"), ("ok, gelu(1)?", "gelu(1)?"), ("so?", "so?"),
    ("kk and the 9b?", "and the 9b?"), ("true pls?", "true?"), ("why please", "why"),
    ("can you tell me top 3 by squad f1", "top 3 by squad f1"),
    ("could you please tell me if gelu is monotonic?", "is it true that gelu is monotonic?"),
    ("do you know whether swiglu or geglu is better", "whether swiglu or geglu is better"),  # a choice, kept
    ("can you tell me about gelu", "can you tell me about gelu"),  # "about" asks for an explanation: kept
    ("hi so can you tell me what gelu(1) is thanks", "what gelu(1) is"),
])
def test_greetings_and_thanks_are_read_past(typed: str, read: str) -> None:
    assert courtesy.without_courtesy(typed) == read


@pytest.fixture(scope="module")
def lexicon(seeded_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lexicon]:
    path = tmp_path_factory.mktemp("surface") / "surface.db"
    shutil.copyfile(seeded_template, path)
    engine = create_db_engine(sqlite_settings(path))
    try:
        with make_session_factory(engine)() as session:
            yield get_lexicon(session)
    finally:
        engine.dispose()


@pytest.mark.parametrize(("typed", "read"), [
    ("whats the derivatvie of silu at 0", "whats the derivative of silu at 0"),
    ("Narnag geglu final loss", "Narang geglu final loss"),  # the case typed is kept
    ("how many praams per layer", "how many params per layer"),
    ("sqared relu at 3", "squared relu at 3"),  # a dropped letter beats a far-key substitution ("shared")
    ("mistrall 7b activation", "mistral 7b activation"),  # a doubled letter is a slip
    ("which is bgiger", "which is bigger"),
    ("hellawsag accuracy for swiglu", "hellaswag accuracy for swiglu"),  # an unreported benchmark, still named
])
def test_slips_in_the_words_the_rules_read_are_corrected(lexicon: Lexicon, typed: str, read: str) -> None:
    text, corrections = spelling.corrected(typed, lexicon)
    assert text == read
    assert len(corrections) == 1


@pytest.mark.parametrize("typed", [
    "the final logit softcap", "write me a regex", "gemma 2 vocab size", "the Raffel et al row",
    "the original hendrycks gelu paper", "my postgres container", "someone on reddit said",
    "intermediate_sze in config.json", "gelu_pytorhc_tanh", "llama-3.1-8b-instrcut", "is it closed form",
    "paras of one ffn",  # an English word: never rewritten, even where "params" was meant
    "sigmoid deriv at -1", "approx error",  # the start of a known word: an abbreviation
    "so thats just silu",  # a contraction without its apostrophe is not "that"
    # names as their makers write them, and names one new letter away from a known one
    "what does SeGLU compute", "is seglu in the paper", "LaMDA activation", "bloomz d_ff", "DeepSpeed moe",
    "deepspeed moe", "ConvNeXt blocks",
])
def test_jargon_english_and_config_fields_stay_as_typed(lexicon: Lexicon, typed: str) -> None:
    assert spelling.corrected(typed, lexicon) == (typed, [])


def test_the_rule_words_come_from_the_rules_patterns() -> None:
    words = spelling.rule_words()
    assert {"flatter", "called", "released", "disagree"} <= words
    assert all(len(w) >= 5 and w.isalpha() and w.islower() for w in words)


CASES: list[tuple[list[str], list[dict[str, Any]]]] = [
    (["hi, quick question: did swiglu get 74.56 on superglue"], [{"contains": ["yes", "74.56"]}]),
    (["hey! is it true that GLU beat ReLU, GELU and Swish after full training? thanks"],
     [{"contains": ["yes.", "1.663", "1.677"]}]),
    (["whats the derivatvie of silu at 0"], [{"contains": ["0.5"]}]),
    (["narnag geglu final loss"], [{"contains": ["1.792"]}]),
    (["narang webq acc for geglu thanks", "and the vanilla one", "how far apart thanks!"],
     [{"contains": ["24.87"]}, {"contains": ["23.02"]}, {"contains": ["1.85"]}]),
    (["hi! mamba's activation function?"], [{"any_of": ["not in the catalog", "not in the stored evidence"]}]),
    (["can you tell me top 3 glue avg in the glu variants paper"], [{"contains": ["84.67", "84.36", "84.20"]}]),
    (["so did plain swish outscore gelu on superglue?"], [{"any_of": ["No.", "No,"]}]),
    # a confirmation still reads as one once its "so" is gone
    (["swiglu params vs relu params in shazeer's setup", "so they're equal?"],
     [{"contains": ["4,718,592"]}, {"any_of": ["same", "equal"]}]),
    # a second sentence that asks on its own is not a follow-up of the first answer's operation
    (["swish in the glu variants paper, which beta", "thats just silu. whats silu(2)"],
     [{"any_of": ["β = 1"]}, {"contains": ["1.7616"]}]),
]


@pytest.mark.parametrize(("questions", "specs"), CASES, ids=[c[0][0][:40] for c in CASES])
def test_a_question_read_past_its_surface_gets_the_plain_questions_answer(
        asker: ev.Asker, questions: list[str], specs: list[dict[str, Any]]) -> None:
    assert_thread_gets(asker, questions, specs)
