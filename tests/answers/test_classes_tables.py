"""Classes of phrasing for the result tables (look-ups, rankings, differences, spreads, comparisons), whatever
the exact words.

Each case is a phrasing of a class the answers promise to handle — a column's noise asked in everyday words,
two pasted cells checked against the noise, the noisiest row of Narang et al.'s table, its columns named by
a length or an unusual word, a column named only to be excluded, a table named by its number, Narang et al.'s
appendix table and model-size columns, a difference between two columns of one row or between two rows'
speeds, the gap to the reprinted Raffel et al. row, best minus worst of a column, a relative difference in per
cent, a column or row only Narang et al. report asked without naming the paper — asked through the real
pipeline on a seeded SQLite file; every number shown must trace to tests/reference or to a computation re-run
from reference values (see tests/answers/test_generalise.py, whose fixture and helper this reuses).
"""

from __future__ import annotations

from typing import Any

import pytest

from app.answers import second_paper
from app.answers.ranking import RANGE_WORDS, RELATIVE_WORDS, SPREAD_WORDS
from tests.answers import eval_runner as ev
from tests.answers.test_generalise import ask_thread


def test_everyday_words_for_run_to_run_noise_ask_for_a_spread() -> None:
    for text in ("how much does cb accuracy bounce around between runs", "noise on sts-b pearson?",
                 "is that outside the noise", "does that 0.01 mean anything", "error margin on squad em",
                 "how much do the scores wobble from run to run"):
        assert SPREAD_WORDS.search(text), text
    assert not SPREAD_WORDS.search("which variant is best on cola")


def test_best_minus_worst_and_per_cent_are_their_own_differences() -> None:
    assert RANGE_WORDS.search("gap between the best and worst ffn on squad f1")
    assert RANGE_WORDS.search("best minus worst on the superglue average")
    assert not RANGE_WORDS.search("best and worst variant on squad em")  # two answers, not one gap
    assert RELATIVE_WORDS.search("relative improvement of geglu over relu, in %")
    assert not RELATIVE_WORDS.search("narang's relative attention baseline")


def test_narang_columns_follow_the_words_and_the_length() -> None:
    assert second_paper.names_paper("liglu wmt bleu")  # only that paper has the column
    assert second_paper.names_paper("elu's superglue score")  # only that paper has the row
    assert not second_paper.names_paper("elu's superglue score in shazeer's paper")
    assert second_paper.tables_asked("narang appendix table, swiglu final loss") == [2]
    assert second_paper.tables_asked("narang geglu final loss, appendix vs main table") == [2, 1]
    assert second_paper.wants_ranking("narang: lowest early loss")
    assert not second_paper.wants_ranking("narang: how much slower is swiglu than the baseline")


CASES: list[tuple[list[str], list[dict[str, Any]]]] = [
    # a column's noise in everyday words: the spread the paper prints (Raffel et al.'s for downstream columns)
    (["how much do boolq scores wobble from run to run"], [{"contains": ["0.365"]}]),
    (["noise on the wic column?"], [{"contains": ["0.850"]}]),
    (["does copa fluctuate a lot between seeds"], [{"contains": ["2.741"]}]),
    (["error margin on squad em"], [{"contains": ["0.343"]}]),
    (["how reliable is the record f1 column, i.e. what's the run to run std"], [{"contains": ["0.370"]}]),
    # two pasted cells of a named column: checked against the noise, not read as a claimed value
    (["reglu 56.16 vs glu 49.16 on cola - real difference or noise?"],
     [{"contains": ["1.111"], "any_of": ["larger than the noise", "more than"]}]),
    (["bilinear 1.648 vs reglu 1.645 fully trained, meaningful?"],
     [{"contains": ["1.648", "1.645"], "any_of": ["no spread", "not publish", "does not separate"]}]),
    (["swiglu 74.56 against geglu 73.96 on superglue: outside the noise?"], [{"contains": ["0.416"]}]),
    # the noisiest or steadiest row of Narang et al.'s early loss
    (["in narang et al which activation's early loss is most variable"], [{"contains": ["Sigmoid", "0.019"]}]),
    (["narang: smallest std on the early loss"], [{"contains": ["0.003", "SwiGLU"]}]),
    (["biggest error bars in narang's table 1?"], [{"contains": ["Sigmoid", "0.019"]}]),
    # superlatives other than best/worst, and "last", rank a column
    (["narang et al: largest xsum score"], [{"contains": ["ReGLU", "18.36"]}]),
    (["minimum final loss in narang's table"], [{"contains": ["SwiGLU", "1.789"]}]),
    (["which activation had the lowest 65k loss, narang et al"], [{"contains": ["SwiGLU", "2.127"],
                                                                   "not_contains": ["1.789"]}]),
    (["who's last on superglue boolq"], [{"contains": ["ReLU", "80.15"]}]),
    # a bare "loss" beside the 65k length is Narang et al.'s early loss
    (["narang sigmoid loss after 65k steps"], [{"contains": ["2.291"], "not_contains": ["1.867"]}]),
    (["geglu's 65,536-step loss in narang"], [{"contains": ["2.130"], "not_contains": ["1.792"]}]),
    (["narang elu perplexity at 65k"], [{"contains": ["2.270"], "not_contains": ["1.932"]}]),
    # a column named only to be excluded
    (["squad em for reglu, not f1"], [{"contains": ["83.53"], "not_contains": ["91.18"]}]),
    (["mrpc f1 rather than accuracy, for glu"], [{"contains": ["92.39"], "not_contains": ["89.46"]}]),
    (["cb accuracy of swiglu (not the f1)"], [{"contains": ["89.29"], "not_contains": ["82.39"]}]),
    (["multirc exact match for bilinear, not f1"], [{"contains": ["40.92"], "not_contains": ["76.04"]}]),
    # a suite named beside one of its tasks picks that suite's task
    (["geglu rte (superglue)"], [{"contains": ["83.39"], "not_contains": ["79.42"]}]),
    (["wsc in superglue for glu"], [{"contains": ["87.50"], "not_contains": ["73.95"]}]),
    # a table of the GLU-variants paper named by its number
    (["table 4 row for geglu"], [{"contains": ["83.55", "91.12"]}]),
    (["what does table 3 say for reglu"], [{"contains": ["73.66"]}]),
    (["table 1, bilinear"], [{"contains": ["1.960", "1.648"]}]),
    (["tab. 2 glu"], [{"contains": ["84.20"]}]),
    # Narang et al.'s appendix table (learned positional embeddings), flagged single-source
    (["narang appendix: geglu superglue with learned positional embeddings"],
     [{"contains": ["72.36", "single-source"]}]),
    (["in narang's table 2, what's the vanilla final loss"], [{"contains": ["1.865"]}]),
    (["reglu webq, narang learned position embeddings table"], [{"contains": ["21.96"]}]),
    (["narang geglu final loss, appendix vs main table"], [{"contains": ["1.807", "1.792", "0.015"]}]),
    # Narang et al.'s model-size columns, the same for every row
    (["narang et al parameter count of the models"], [{"contains": ["223"]}]),
    (["how many flops per sequence in narang's table"], [{"contains": ["11.1"]}]),
    (["narang: params of swiglu vs vanilla"], [{"contains": ["223"]}]),
    # two columns of one Narang row, and the difference in the order asked
    (["narang reglu: final loss minus early loss"], [{"contains": ["0.342"]}]),
    (["how much does swiglu's loss drop from early to final in narang"], [{"contains": ["0.338"]}]),
    (["narang softplus gap between early and final loss"], [{"contains": ["0.357"]}]),
    # two Narang rows' speeds set against each other: their cells and difference, not a ranking
    (["in narang is swish faster than gelu?"], [{"contains": ["3.62", "3.58", "0.04"]}]),
    (["narang: sigmoid vs softplus step/s"], [{"contains": ["3.63", "3.47", "0.16"]}]),
    (["how much faster is the vanilla transformer than swiglu in narang"], [{"contains": ["3.50", "3.53"]}]),
    (["steps/sec for reglu in narang"], [{"contains": ["3.57"]}]),
    # the reprinted Raffel et al. (T5) row, and a variant's gap to it
    (["how far above the t5 paper's squad f1 is reglu"], [{"contains": ["91.18", "88.81", "2.37"]}]),
    (["raffel et al boolq vs swiglu, difference?"], [{"contains": ["81.19", "76.62", "4.57"]}]),
    (["the original t5's cola number as table 2 prints it"], [{"contains": ["53.84"]}]),
    # best minus worst of a column (of one group where named)
    (["how far apart are the best and worst variants on cola"], [{"contains": ["56.16", "49.16", "7.00"]}]),
    (["best minus worst on the superglue average"], [{"contains": ["2.16"]}]),
    (["range of 65k perplexities"], [{"contains": ["1.942", "1.997", "0.055"]}]),
    (["spread between top and bottom ffn on wsc"], [{"contains": ["87.50", "75.96", "11.54"]}]),
    (["range of glue averages among the gated variants"], [{"contains": ["84.67", "83.79", "0.88"]}]),
    # a difference relative to the second variant's cell, in per cent
    (["by what percent does swiglu beat relu on glue avg"], [{"contains": ["0.67"]}]),
    (["relative gap between geglu and swiglu at full length"], [{"contains": ["0.18"]}]),
    (["how much lower is reglu's full ppl than relu's, in percent"], [{"contains": ["1.91"]}]),
    (["how many percent better is swiglu than relu on superglue"], [{"contains": ["2.47"]}]),
    # one place of a column's order ("third best"), and one group of Narang et al.'s rows
    (["third best glue avg"], [{"contains": ["third", "FFN_GLU", "84.20"]}]),
    (["2nd worst on cola"], [{"contains": ["FFN_Swish", "49.79"]}]),
    (["narang: which gated activation has the worst final loss"], [{"contains": ["GLU", "1.814"],
                                                                     "not_contains": ["1.948"]}]),
    (["slowest of the gated variants in narang, by step/s"], [{"contains": ["SwiGLU", "3.53"],
                                                                "not_contains": ["3.47"]}]),
    # a column read in one copy only is still ranked, flagged
    (["best activation in narang et al by wmt bleu"], [{"contains": ["GLU", "27.12", "single-source"]}]),
    # a yes/no question about the noise of a stated gap between two named variants
    (["is 0.31 on glue between reglu and swiglu within noise?"], [{"contains": ["0.235", "84.67", "84.36"]}]),
    (["is the 0.13 squad em gap between geglu and swiglu real?"], [{"contains": ["0.343"]}]),
    # several tasks of a suite, one metric: the metric narrows only the tasks that report it
    (["reglu: cola, sst-2, mrpc f1?"], [{"contains": ["56.16", "94.38", "92.06"]}]),
    (["qqp f1 and cola for geglu"], [{"contains": ["89.11", "53.65"]}]),
    # every task of a suite, where the question asks for the whole row
    (["full glue row for ffn_geglu"], [{"contains": ["53.65", "93.92", "79.42"]}]),
    (["best on every glue task?"], [{"contains": ["56.16", "93.08"]}]),
    (["swiglu's superglue scores, per task"], [{"contains": ["81.19", "85.20", "86.54"]}]),
    (["what are swiglu's superglue numbers? all tasks"], [{"contains": ["81.19", "85.20", "86.54"]}]),
    (["swiglu vs reglu, all superglue tasks"], [{"contains": ["81.19", "80.89", "86.54", "79.81", "seven"]}]),
    # the variants (or Narang et al.'s rows) that beat one named row
    (["which variants beat relu on glue avg"], [{"contains": ["Five", "84.67", "83.86"]}]),
    (["how many ffns outperform gelu on superglue"], [{"contains": ["Five", "74.56", "73.66"]}]),
    (["which narang activations beat the vanilla baseline on superglue"],
     [{"contains": ["nine", "76.17", "72.45"], "not_contains": ["67.83"]}]),
    (["does anything beat reglu on squad f1?"], [{"contains": ["none", "91.18"]}]),
    # two pasted cells and a question for their difference
    (["geglu: 1.942 (65k) vs 1.633 (full) - how much did it drop?"], [{"contains": ["0.309"]}]),
    (["swiglu 84.36 vs reglu 84.67 on glue, gap?"], [{"contains": ["0.31"]}]),
    (["the difference between the GLUE averages of the best and worst variant"], [{"contains": ["1.07"]}]),
    # Narang et al.'s rows by the names people use (its ReLU baseline, SiLU for Swish)
    (["what did relu get on superglue in narang"], [{"contains": ["71.66"], "not_contains": ["72.76"]}]),
    (["narang silu final loss"], [{"contains": ["1.847"]}]),
    # top-N written as top-3, top3, a podium or runner-up; a whole column listed for every row
    (["top-3 on superglue"], [{"contains": ["74.56", "73.96", "73.95"]}]),
    (["top3 squad em"], [{"contains": ["83.82", "83.55", "83.53"]}]),
    (["podium for glue avg"], [{"contains": ["84.67", "84.36", "84.20"]}]),
    (["superglue winner and runner-up"], [{"contains": ["74.56", "73.96"]}]),
    (["give me rte for all 8 variants (glue)"], [{"contains": ["80.14", "84.12", "79.42"]}]),
    (["list webq for all narang activations"], [{"contains": ["25.13", "22.75"]}]),
    # the place of one named row in Narang et al.'s column
    (["where does reglu rank in narang on final loss"], [{"contains": ["1.803", "fourth"]}]),
    # noise words for Narang et al.'s single-run columns, and a confidence interval
    (["is swiglu's 1.789 vs geglu's 1.792 in narang significant?"],
     [{"contains": ["1.789", "1.792", "single runs"]}]),
    (["confidence interval on the superglue average?"], [{"contains": ["0.416"]}]),
    # a later part that sets the part before it against a new variant
    (["what was the cola mcc of FFN_GELU, and how does it compare to FFN_ReLU"], [{"contains": ["53.48", "51.32"]}]),
    # spread words that are not typos of another word, and their abbreviations
    (["how much variance is there in the squad numbers"], [{"contains": ["0.343", "0.226"]}]),
    (["stdev glue avg"], [{"contains": ["0.235"]}]),
    (["sd of the copa column"], [{"contains": ["2.741"]}]),
    # the appendix table set against the main one by a change word, and a row of each paper side by side
    (["narang: how much does the appendix table change vanilla's superglue"],
     [{"contains": ["71.66", "69.72", "1.94"]}]),
    (["narang liglu vs shazeer bilinear final loss"], [{"contains": ["1.798", "1.648"]}]),
    # a stated gap between two variants, checked on the columns where it is that gap
    (["reglu leads geglu by 0.06 on squad f1, real?"], [{"contains": ["0.226"], "any_of": ["within noise"]}]),
    (["swiglu is 0.6 ahead of geglu, is that noise?"], [{"contains": ["74.56", "73.96", "0.416"]}]),
    (["geglu beats swiglu by 0.003 - just noise?"], [{"contains": ["1.633", "1.636", "0.004", "0.010"]}]),
    # the noisiest (or steadiest) task of a suite, by Raffel et al.'s inter-run stddev
    (["which superglue task is the noisiest"], [{"contains": ["CB", "3.237"]}]),
    (["which glue task has the largest stddev"], [{"contains": ["RTE", "1.393"]}]),
    (["least noisy superglue task"], [{"contains": ["BoolQ", "0.365"]}]),
    # a follow-up that only adds a reading of the same cells: in per cent, the appendix table, the other end
    (["swiglu minus relu on superglue", "in percent?"], [{"contains": ["1.80"]}, {"contains": ["2.47"]}]),
    (["geglu vs relu full-length ppl", "as a percentage?"], [{"contains": ["0.044"]}, {"contains": ["2.62"]}]),
    (["narang geglu superglue", "and in the appendix table?"], [{"contains": ["75.96"]}, {"contains": ["72.36"]}]),
    (["top 3 superglue", "now bottom 3"], [{"contains": ["74.56"]}, {"contains": ["72.40", "72.76", "72.98"]}]),
    (["best 2 on cola", "and worst 2?"], [{"contains": ["56.16", "53.65"]}, {"contains": ["49.16", "49.79"]}]),
    # how far one variant is behind the best of a column
    (["glue avg: how far is bilinear from the top"], [{"contains": ["84.67", "83.79", "0.88"]}]),
    (["how far behind the best is swish on superglue"], [{"contains": ["74.56", "72.40", "2.16"]}]),
    (["narang: how far is elu behind the best final loss"], [{"contains": ["1.932", "1.789", "0.143"]}]),
    # one variant's cells in both papers, with why their absolute numbers are not comparable
    (["how much lower is shazeer's geglu full ppl than narang's geglu final loss"],
     [{"contains": ["1.633", "1.792", "not comparable"]}]),
    # both ends of a column in one question
    (["cola: top & bottom"], [{"contains": ["56.16", "49.16"]}]),
    (["biggest and smallest mrpc f1"], [{"contains": ["93.08", "92.06"]}]),
    (["top 3 and bottom 3 on glue"], [{"contains": ["84.67", "84.36", "84.20", "83.60", "83.79", "83.80"]}]),
    # how a spread was measured (how many runs), in either paper
    (["how many runs is the 65k spread based on?"], [{"contains": ["four", "0.010"]}]),
    (["narang early loss std: over how many runs?"], [{"contains": ["5 runs"]}]),
    (["narang table 2 early loss std for swiglu"], [{"contains": ["0.006", "single-source"]}]),
    # a list of every row of one group asked as a comparison
    (["compare every gated activation in narang on final loss"],
     [{"contains": ["1.789", "1.792", "1.798", "1.803", "1.814"], "not_contains": ["1.948"]}]),
    # a yes/no question after the paper's name ("narang: is …") gets its verdict, places counted from the best
    (["narang: is softplus really the slowest?"], [{"contains": ["Yes.", "3.47", "twelfth"]}]),
    # the row whose two cells differ the most (or least): over training length, early to final loss
    (["which variant improves the most from 65k to full training"], [{"contains": ["FFN_ReLU", "0.320"]}]),
    (["which ffn gains the least from longer training"], [{"contains": ["FFN_GELU", "0.304"]}]),
    (["narang: which activation drops the most from early to final loss"], [{"contains": ["Sigmoid", "0.424"]}]),
    (["narang reglu superglue, appendix minus main"], [{"contains": ["70.63", "76.17", "5.54"]}]),
    # a ranking of Narang et al.'s appendix table, flagged single-source
    (["in narang's table 2 which activation has the best final loss"],
     [{"contains": ["SwiGLU", "1.806", "single-source"], "not_contains": ["1.789"]}]),
    (["noise floor of superglue"], [{"contains": ["0.416"]}]),
    # the gated group set against the dense group (or one dense variant) on a column
    (["do all the gated variants beat all the ungated ones after full training?"],
     [{"contains": ["Yes.", "1.663", "1.677"]}]),
    (["is every gated variant better than relu on superglue?"], [{"contains": ["Yes.", "73.66", "72.76"]}]),
    (["gated vs dense on mrpc f1: do the gated ones win?"], [{"contains": ["No.", "92.06", "93.08"]}]),
    (["best dense vs worst gated at 524k"], [{"contains": ["1.677", "1.663"]}]),
    (["my prof says gated variants always win. on mrpc f1 too?"], [{"contains": ["No.", "93.08"]}]),
    # two downstream columns of one variant and their difference; a task named by half its name
    (["cb f1 minus cb acc for reglu"], [{"contains": ["86.37", "91.07", "4.70"]}]),
    (["mnli matched vs mismatched for swiglu"], [{"contains": ["86.45", "86.47"]}]),
    (["glue avg spread across the 8 variants"], [{"contains": ["84.67", "83.60", "1.07"]}]),
    # the variants within run-to-run noise of a column's best
    (["how many variants are within noise of the best on glue avg"], [{"contains": ["84.67", "84.36", "0.332"]}]),
    (["which variants are statistically tied with the best at 65k"], [{"contains": ["1.942", "1.944"],
                                                                     "not_contains": ["1.953"]}]),
    # a yes/no question about a stddev Narang et al. print
    (["is swiglu's early loss std 0.003 in narang?"], [{"contains": ["Yes.", "0.003"]}]),
    (["narang: is geglu's early-loss std 0.004?"], [{"contains": ["No.", "0.006"]}]),
    # a column or row only Narang et al. report, asked without naming the paper
    (["liglu wmt bleu"], [{"contains": ["26.53", "single-source"]}]),
    (["elu's superglue score"], [{"contains": ["67.83"]}]),
    (["xsum rouge-2 for geglu"], [{"contains": ["18.27"]}]),
    (["webquestions accuracy of softplus"], [{"contains": ["24.34"]}]),
]


@pytest.mark.parametrize(("questions", "specs"), CASES, ids=[c[0][0][:40] for c in CASES])
def test_table_phrasings_of_a_class_get_what_the_class_promises(asker: ev.Asker,
                                                                questions: list[str],
                                                                specs: list[dict[str, Any]]) -> None:
    bodies = ask_thread(asker, questions)
    for body, spec in zip(bodies, specs, strict=True):
        assert ev.judge(body, spec) == [], body
