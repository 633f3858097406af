"""Classes of follow-up that move a thread to the other stored paper, set its last two cells apart, or weigh
that gap against the noise the paper publishes.

Every case is a thread asked through the real pipeline on a seeded SQLite file, as
tests/answers/test_generalise.py does, and judged like the evaluation judges an answer. The expected numbers are
cells of tests/reference/ (Shazeer 2020 Tables 1-4, Narang et al. 2021 Table 1) or differences of two of them;
the phrasings are not those of any evaluation split, and each group names the class it stands for.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.answers import eval_runner as ev
from tests.answers.test_generalise import ask_thread

NOT_REPORTED = ["does not report", "not reported", "not in the paper", "not evaluate"]

CASES: list[tuple[str, list[str], list[dict[str, Any]]]] = [
    # after an answer from Narang et al.'s table, "the other paper" is Shazeer's: the same cell under its names
    ("back to shazeer", ["narang geglu superglue", "and what does shazeer have?"],
     [{"contains": ["75.96"]}, {"contains": ["GEGLU", "73.96"], "not_contains": ["75.96"]}]),
    ("back to shazeer", ["narang liglu early loss", "same in the glu variants paper?"],
     [{"contains": ["2.149"]}, {"contains": ["Bilinear", "1.960"]}]),
    ("back to shazeer", ["narang vanilla final loss", "what about shazeer's?"],
     [{"contains": ["1.838"]}, {"contains": ["ReLU", "1.677"]}]),
    # a ranking moved to the other paper stays a ranking (the best there, not the earlier winner's cell)
    ("back to shazeer", ["best final loss in narang", "in the other paper?"],
     [{"contains": ["SwiGLU", "1.789"]}, {"contains": ["GEGLU", "1.633"]}]),
    ("back to shazeer", ["worst superglue in narang's table", "how about the other paper"],
     [{"contains": ["ELU", "67.83"]}, {"contains": ["Swish", "72.40"]}]),
    # a column only Narang et al. have is declined by name in the other paper
    ("back to shazeer", ["narang xsum for reglu", "and in shazeer's paper?"],
     [{"contains": ["18.36"]}, {"contains": ["XSum"], "any_of": NOT_REPORTED}]),
    # "is X best there too" after a ranking: yes or no, with X's place on the same column
    ("winner claim", ["best superglue in shazeer", "is geglu best there too?"],
     [{"contains": ["74.56"]}, {"contains": ["No.", "73.96"]}]),
    ("winner claim", ["lowest 65k perplexity", "does geglu win that"],
     [{"contains": ["1.942"]}, {"contains": ["Yes.", "1.942"]}]),
    # the gap between the thread's last two cells, where one of them is the row a ranking picked
    ("gap of two cells", ["best squad em in shazeer", "and the worst?", "what's the gap between them"],
     [{"contains": ["Bilinear", "83.82"]}, {"contains": ["GLU", "82.88"]}, {"contains": ["0.94"]}]),  # 83.82-82.88
    ("gap of two cells", ["geglu full-training ppl", "and the worst at that length", "how far apart are those"],
     [{"contains": ["1.633"]}, {"contains": ["Swish", "1.683"]}, {"contains": ["0.050"]}]),  # 1.683-1.633
    ("gap of two cells", ["who tops the glue average in shazeer", "and the bottom one?", "difference?"],
     [{"contains": ["ReGLU", "84.67"]}, {"contains": ["Swish", "83.60"]}, {"contains": ["1.07"]}]),  # 84.67-83.60
    # the gap just given against the paper's noise figure: yes or no first, with the spread
    ("gap against noise", ["reglu squad f1", "and geglu?", "is the difference significant?"],
     [{"contains": ["91.18"]}, {"contains": ["91.12"]},
      {"contains": ["No:", "0.06", "0.226"], "any_of": ["within"]}]),  # 91.18-91.12; Raffel stddev 0.226
    ("gap against noise", ["relu 65k ppl", "and gelu?", "is that gap beyond the noise"],
     [{"contains": ["1.997"]}, {"contains": ["1.983"]}, {"contains": ["Yes:", "0.014", "0.005"]}]),  # 1.997-1.983
    ("gap against noise", ["best superglue in shazeer", "and the worst?", "is that gap bigger than the noise?"],
     [{"contains": ["74.56"]}, {"contains": ["72.40"]}, {"contains": ["Yes:", "2.16", "0.416"]}]),  # 74.56-72.40
    ("gap against noise", ["narang geglu early loss", "and swiglu?", "is the difference significant?"],
     [{"contains": ["2.130"]}, {"contains": ["2.127"]},
      {"contains": ["No:", "0.003", "0.006"], "any_of": ["within"]}]),  # 2.130-2.127
    # a gap bigger than one run's stddev but not than a two-run gap's spread is said to be both
    ("gap against noise", ["relu vs reglu mrpc f1", "is the gap bigger than the noise?"],
     [{"contains": ["93.08", "92.06"]}, {"contains": ["1.02", "0.729", "bigger"], "any_of": ["within noise"]}]),
    # the row just named in the other paper keeps its name there when the next follow-up changes the column
    ("column in the other paper", ["bilinear glue avg", "what's bilinear called in narang et al", "early loss there?"],
     [{"contains": ["83.79"]}, {"contains": ["LiGLU"]}, {"contains": ["LiGLU", "2.149"]}]),
    ("column in the other paper", ["relu perplexity at 65k in shazeer", "what's relu called in narang's table",
                                   "and its superglue score there"],
     [{"contains": ["1.997"]}, {"contains": ["Vanilla"]}, {"contains": ["71.66"], "not_contains": ["72.76"]}]),
]


@pytest.mark.parametrize(("label", "questions", "specs"), CASES, ids=[f"{c[0]}: {c[1][-1]}" for c in CASES])
def test_gap_and_paper_classes(asker: ev.Asker, label: str, questions: list[str],
                               specs: list[dict[str, Any]]) -> None:
    for body, spec in zip(ask_thread(asker, questions), specs, strict=True):
        assert ev.judge(body, spec) == [], (label, body)
