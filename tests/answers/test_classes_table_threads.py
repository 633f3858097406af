"""Threads over one column of a results table: the two ends of a ranking, their gap, the ranked row against a
named row, and whether that gap is more than the published noise.

Each case is a thread asked through the real pipeline on a seeded SQLite file (as
tests/answers/test_generalise.py does) and judged like the evaluation judges an answer. Expected numbers are
cells of tests/reference/ (glu_variants_2020_table2.csv, glu_variants_2020_table3.csv,
narang_2021_table1.csv) or differences of two of them; the phrasings are not those of any evaluation split.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.answers import eval_runner as ev
from tests.answers.test_generalise import check_thread

YES = ["yes", "bigger", "larger", "exceeds", "more than"]

CASES: list[tuple[str, list[str], list[dict[str, Any]]]] = [
    # Narang et al.'s ranking, then its other end in words of size or place, then the gap between the two
    ("narang ends", ["narang webq, which activation scores highest", "and the bottom one?", "what's the difference"],
     [{"contains": ["GeLU", "25.13"]}, {"contains": ["SeLU", "22.75"]},
      {"contains": ["2.38"]}]),  # 25.13 - 22.75
    ("narang ends", ["in narang's table 1, which activation has the largest superglue", "and the smallest?",
                     "how far apart are they"],
     [{"contains": ["ReGLU", "76.17"]}, {"contains": ["ELU", "67.83"]}, {"contains": ["8.34"]}]),  # 76.17 - 67.83
    # the row a ranking put first, set against a named row or the baseline, then against the noise
    ("ranked vs named", ["who tops squad f1 among the ffn variants", "by how much does it lead the baseline",
                         "is that beyond the noise"],
     [{"contains": ["ReGLU", "91.18"]}, {"contains": ["90.87", "0.31"]},  # 91.18 - 90.87
      {"contains": ["0.226"], "any_of": ["within noise", "not significant"]}]),
    ("ranked vs named", ["highest mnli-m acc in shazeer's table", "how far is it above relu", "significant?"],
     [{"contains": ["Bilinear", "86.90"]}, {"contains": ["85.83", "1.07"]},  # 86.90 - 85.83
      {"contains": ["0.291"], "any_of": YES}]),
    ("ranked vs named", ["top qqp f1 in the glu paper", "what's the margin over gelu"],
     [{"contains": ["SwiGLU", "89.14"]}, {"contains": ["88.63", "0.51"]}]),  # 89.14 - 88.63
    ("ranked vs named", ["narang xsum best activation", "how much does it lead vanilla by"],
     [{"contains": ["ReGLU", "18.36"]}, {"contains": ["17.78", "0.58"]}]),  # 18.36 - 17.78
    # the top and the bottom of one column, then whether their gap is more than the noise (a tie at the top too)
    ("ends vs noise", ["who leads boolq in the glu paper", "and who's last?", "is the gap bigger than the noise"],
     [{"contains": ["Bilinear", "81.53"]}, {"contains": ["ReLU", "80.15"]},
      {"contains": ["1.38", "0.365"], "any_of": YES}]),  # 81.53 - 80.15
    ("ends vs noise", ["best mrpc accuracy among the ffn variants", "and the worst one",
                       "is that difference outside the noise"],
     [{"contains": ["90.20"]}, {"contains": ["SwiGLU", "88.97"]},
      {"contains": ["1.23", "1.019"]}]),  # 90.20 - 88.97
    # Narang et al. print no spread for their downstream columns: the gap there has nothing to be set against
    ("narang single runs", ["narang superglue best activation", "by how much does it beat vanilla?",
                            "is that bigger than the noise"],
     [{"contains": ["ReGLU", "76.17"]}, {"contains": ["71.66", "4.51"]},  # 76.17 - 71.66
      {"any_of": ["cannot say", "single run"], "not_contains": ["Yes:", "No:"]}]),
]


@pytest.mark.parametrize(("kind", "questions", "specs"), CASES,
                         ids=[f"{c[0]}: {' / '.join(c[1])[:50]}" for c in CASES])
def test_a_table_thread_gets_what_the_class_promises(
        asker: ev.Asker, kind: str, questions: list[str], specs: list[dict[str, Any]]) -> None:
    check_thread(asker, kind, questions, specs)
