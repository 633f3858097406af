"""Integrity of the v2 evaluation set (tests/answers/eval_v2) and of the runner that judges it.

These tests can fail on the set itself: too few items, duplicate ids, an unknown category, a thin test
category, an expected number that is not in tests/reference (nor a declared derivation that re-does to it),
or a judge that passes a wrong answer. They do not assert the service's pass rate: the benchmark
(benchmarks/answer_eval_v2.py) reports that, and the set is meant to fail many answers before tuning.
"""

from __future__ import annotations

import itertools
import re
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.db import create_db_engine, make_session_factory
from tests.answers import eval_runner as ev
from tests.conftest import sqlite_settings

MIN_ITEMS = 300
MIN_PER_TEST_CATEGORY = 8
#: The second tuning split: fresh outsider phrasings, most of them declines, explanations and verifications.
MIN_DEV2_ITEMS = 120
WEAK_CATEGORIES = ("decline", "explain", "verify")
#: The third tuning split: written blind, every category covered, to measure first-ask generalisation.
MIN_DEV3_ITEMS = 90
MIN_PER_DEV3_CATEGORY = 6
#: The fourth tuning split: weighted to the categories weakest on fresh wording, every category covered.
MIN_DEV4_ITEMS = 70
DEV4_WEAK_CATEGORIES = ("compute", "followup", "explain", "verify", "sizing", "multipart", "decline")
MIN_PER_DEV4_WEAK_CATEGORY = 8
MIN_PER_DEV4_CATEGORY = 2
#: Later tuning batches, each written before it was first asked, each weighted to a few categories.
LATER_DEV_SPLITS = ("dev5", "dev6", "dev7", "dev8", "dev9", "dev10", "dev11", "dev12", "dev13", "dev14",
                    "dev15", "dev16", "dev17")
MIN_LATER_DEV_ITEMS = 30


@pytest.fixture(scope="module")
def splits() -> dict[str, ev.EvalSet]:
    return {split: ev.load_set(split) for split in ev.SPLITS}


def test_the_set_is_large_and_ids_are_unique(splits: dict[str, ev.EvalSet]) -> None:
    items = [i for s in splits.values() for i in s.items]
    assert len(items) >= MIN_ITEMS
    ids = [i["id"] for i in items]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    assert duplicates == []
    assert len(splits["dev2"].items) >= MIN_DEV2_ITEMS
    tuning = {i["id"] for split in ev.TUNING_SPLITS for i in splits[split].items}
    for held in ev.HELD_OUT_SPLITS:
        assert len(splits[held].items) >= 15 * MIN_PER_TEST_CATEGORY
        assert not tuning & {i["id"] for i in splits[held].items}


def test_both_splits_declare_the_same_categories_and_use_only_those(splits: dict[str, ev.EvalSet]) -> None:
    assert splits["dev"].categories == splits["dev2"].categories == splits["dev3"].categories
    assert splits["dev"].categories == splits["dev4"].categories
    for held in ev.HELD_OUT_SPLITS:
        assert splits["dev"].categories == splits[held].categories
    assert len(set(splits["test"].categories)) == len(splits["test"].categories) >= 15
    for s in splits.values():
        unknown = [(i["id"], i.get("category")) for i in s.items if i.get("category") not in s.categories]
        assert unknown == [], s.split


def test_every_test_category_has_enough_items(splits: dict[str, ev.EvalSet]) -> None:
    for held in ev.HELD_OUT_SPLITS:
        counts = {c: 0 for c in splits[held].categories}
        for item in splits[held].items:
            counts[item["category"]] += 1
        thin = {c: n for c, n in counts.items() if n < MIN_PER_TEST_CATEGORY}
        assert thin == {}, held


def test_items_are_well_formed(splits: dict[str, ev.EvalSet]) -> None:
    problems = []
    for s in splits.values():
        for item in s.items:
            if set(item) - ev.ITEM_KEYS:
                problems.append(f"{item['id']}: unknown keys {sorted(set(item) - ev.ITEM_KEYS)}")
            if ("question" in item) == ("thread" in item):
                problems.append(f"{item['id']}: needs exactly one of question / thread")
            for step in ev.steps(item):
                if not isinstance(step.get("question"), str) or not step["question"].strip():
                    problems.append(f"{item['id']}: a turn without a question")
                if not (step.get("contains") or step.get("any_of")):
                    problems.append(f"{item['id']}: a turn that expects nothing")
                if "thread" in item and set(step) - ev.STEP_KEYS:
                    problems.append(f"{item['id']}: unknown turn keys {sorted(set(step) - ev.STEP_KEYS)}")
    assert problems == []


def test_followups_are_threads_and_declines_name_what_is_missing(splits: dict[str, ev.EvalSet]) -> None:
    for s in splits.values():
        for item in s.items:
            if item["category"] == "followup":
                assert len(item.get("thread", [])) >= 2, item["id"]
            if item["category"] == "decline":
                assert item.get("any_of") or item.get("contains"), item["id"]


def test_every_failure_class_of_the_issue_has_dev_questions(splits: dict[str, ev.EvalSet]) -> None:
    """The "Why" list names eight failure classes; the dev split tags at least one question with each."""
    classes = [i["class"] for i in splits["dev"].items if "class" in i]
    assert set(classes) == set(range(1, 9))
    for held in ev.HELD_OUT_SPLITS:
        assert not any("class" in i for i in splits[held].items), "a held-out split carries no tuning hints"


def test_the_test_split_does_not_repeat_a_tuning_question(splits: dict[str, ev.EvalSet]) -> None:
    def key(question: object) -> str:
        return " ".join(re.sub(r"[^\w.]+", " ", str(question).lower()).split())

    def questions(items: Any) -> set[str]:
        return {key(s["question"]) for i in items for s in ev.steps(i)}

    old = yaml.safe_load(Path(ev.EVAL_DIR.parent / "answer_eval.yaml").read_text(encoding="utf-8"))
    # a bare follow-up ("and swiglu?") may recur; a first question may not, up to case and punctuation
    firsts = {key(ev.steps(i)[0]["question"]) for held in ev.HELD_OUT_SPLITS for i in splits[held].items}
    tuning = set().union(*(questions(splits[split].items) for split in ev.TUNING_SPLITS))
    shared = firsts & (tuning | questions(old))
    # and no two held-out splits ask the same first question (which would count it twice)
    held_firsts = {held: {key(ev.steps(i)[0]["question"]) for i in splits[held].items} for held in ev.HELD_OUT_SPLITS}
    for a, b in itertools.combinations(ev.HELD_OUT_SPLITS, 2):
        disjoint = not held_firsts[a] & held_firsts[b]  # a plain bool: a failure cannot print held-out questions
        assert disjoint, f"the held-out splits {a} and {b} share a question"
    # name the tuning items to reword by id, never the held-out questions themselves
    repeating = sorted(str(i["id"]) for split in ev.TUNING_SPLITS for i in splits[split].items
                       if any(key(s["question"]) in shared for s in ev.steps(i)))
    fresh = len(shared) == 0  # a plain bool, so a failure's report cannot quote the held-out questions
    assert fresh, f"a held-out question is also a tuning question: reword {repeating or 'an old-set one'}"


def test_dev2_is_fresh_and_weighted_to_the_weak_categories(splits: dict[str, ev.EvalSet]) -> None:
    """dev2 repeats no question of dev or of the old set, and at least half its items are declines,
    explanations or verifications, the categories that generalised worst."""
    def key(question: object) -> str:
        return " ".join(re.sub(r"[^\w.]+", " ", str(question).lower()).split())

    old = yaml.safe_load(Path(ev.EVAL_DIR.parent / "answer_eval.yaml").read_text(encoding="utf-8"))
    earlier = {key(s["question"]) for items in (splits["dev"].items, old) for i in items for s in ev.steps(i)}
    firsts = {key(ev.steps(i)[0]["question"]) for i in splits["dev2"].items}
    assert firsts & earlier == set()
    weak = [i for i in splits["dev2"].items if i["category"] in WEAK_CATEGORIES]
    assert 2 * len(weak) >= len(splits["dev2"].items)


def test_dev3_is_fresh_and_covers_every_category(splits: dict[str, ev.EvalSet]) -> None:
    """dev3 repeats no question of dev, dev2 or the old set (a bare follow-up turn may recur), and every
    category has enough items to give a per-category first-ask rate."""
    def key(question: object) -> str:
        return " ".join(re.sub(r"[^\w.]+", " ", str(question).lower()).split())

    old = yaml.safe_load(Path(ev.EVAL_DIR.parent / "answer_eval.yaml").read_text(encoding="utf-8"))
    earlier = {key(s["question"]) for items in (splits["dev"].items, splits["dev2"].items, old)
               for i in items for s in ev.steps(i)}
    firsts = {key(ev.steps(i)[0]["question"]) for i in splits["dev3"].items}
    assert firsts & earlier == set()
    assert len(splits["dev3"].items) >= MIN_DEV3_ITEMS
    counts = {c: 0 for c in splits["dev3"].categories}
    for item in splits["dev3"].items:
        counts[item["category"]] += 1
    assert {c: n for c, n in counts.items() if n < MIN_PER_DEV3_CATEGORY} == {}


def test_dev4_is_fresh_and_weighted_to_the_weakest_categories(splits: dict[str, ev.EvalSet]) -> None:
    """dev4 repeats no question of dev, dev2, dev3 or the old set (a bare follow-up turn may recur), has at
    least eight items in each category that generalised worst and at least two in every other one."""
    def key(question: object) -> str:
        return " ".join(re.sub(r"[^\w.]+", " ", str(question).lower()).split())

    old = yaml.safe_load(Path(ev.EVAL_DIR.parent / "answer_eval.yaml").read_text(encoding="utf-8"))
    earlier = {key(s["question"]) for items in (splits["dev"].items, splits["dev2"].items, splits["dev3"].items,
                                                old)
               for i in items for s in ev.steps(i)}
    firsts = {str(i["id"]) for i in splits["dev4"].items if key(ev.steps(i)[0]["question"]) in earlier}
    assert firsts == set()
    assert len(splits["dev4"].items) >= MIN_DEV4_ITEMS
    counts = {c: 0 for c in splits["dev4"].categories}
    for item in splits["dev4"].items:
        counts[item["category"]] += 1
    floor = {c: MIN_PER_DEV4_WEAK_CATEGORY if c in DEV4_WEAK_CATEGORIES else MIN_PER_DEV4_CATEGORY for c in counts}
    assert {c: n for c, n in counts.items() if n < floor[c]} == {}


@pytest.mark.parametrize("split", LATER_DEV_SPLITS)
def test_later_tuning_batches_are_fresh(splits: dict[str, ev.EvalSet], split: str) -> None:
    """Each later batch repeats no first question of an earlier tuning split or of the old set (a bare
    follow-up turn may recur), declares the same categories and is large enough to give a first-ask rate."""
    def key(question: object) -> str:
        return " ".join(re.sub(r"[^\w.]+", " ", str(question).lower()).split())

    old = yaml.safe_load(Path(ev.EVAL_DIR.parent / "answer_eval.yaml").read_text(encoding="utf-8"))
    before = ev.TUNING_SPLITS[: ev.TUNING_SPLITS.index(split)]
    earlier = {key(s["question"]) for name in before for i in splits[name].items for s in ev.steps(i)}
    earlier |= {key(s["question"]) for i in old for s in ev.steps(i)}
    repeating = {str(i["id"]) for i in splits[split].items if key(ev.steps(i)[0]["question"]) in earlier}
    assert repeating == set()
    assert splits[split].categories == splits["dev"].categories
    assert len(splits[split].items) >= MIN_LATER_DEV_ITEMS


def test_expected_numbers_come_from_the_reference_files(splits: dict[str, ev.EvalSet]) -> None:
    """Every number an item expects (test split and dev split) is printed in tests/reference, or is declared
    under ``derived`` with arithmetic on reference numbers that re-does, in Decimal, to exactly that number."""
    problems = {f"{s.split}/{i['id']}": ev.unreferenced_numbers(i) for s in splits.values() for i in s.items}
    assert {k: v for k, v in problems.items() if v} == {}
    for held in ev.HELD_OUT_SPLITS:
        assert [i for i in splits[held].items if i.get("derived")], f"{held} exercises derived numbers"


def test_the_reference_check_rejects_a_number_that_is_not_there() -> None:
    item: dict[str, Any] = {"id": "x", "category": "lookup", "question": "q", "contains": ["1.634", "1.633"]}
    assert ev.unreferenced_numbers(item) == ["1.634"]
    wrong = {**item, "contains": ["0.88"], "derived": {"0.88": "84.67 - 83.80"}}
    assert ev.unreferenced_numbers(wrong) == ["0.88 (derived '84.67 - 83.80' = 0.87)"]
    invented_operand = {**item, "contains": ["0.5"], "derived": {"0.5": "1.1 - 0.6"}}
    assert ev.unreferenced_numbers(invented_operand) != []
    # digits inside a name are not expected values; a catalog width is found as a CSV cell
    assert ev.unreferenced_numbers({**item, "contains": ["WikiText-103", "27648"]}) == []


def test_derived_arithmetic_is_exact_and_closed() -> None:
    assert ev.derived_value("84.67 - 83.80") == Decimal("0.87")
    assert ev.derived_value("ceil(floor(2 * 4 * 5120 / 3) / 256) * 256") == Decimal(13824)
    assert ev.derived_value("round(0.0833154705877, 4)") == Decimal("0.0833")
    for bad in ("__import__('os')", "open('x')", "2 ** 10", "x + 1"):
        with pytest.raises(ValueError):
            ev.derived_value(bad)


def test_the_judge_passes_a_good_answer_and_fails_a_bad_one() -> None:
    spec = {"contains": ["1.633", "65,536"], "any_of": ["no.", "no,"], "not_contains": ["yes."]}
    good = "No. After full training (524,288 steps) GEGLU reaches **1.633**; 1.942 is the 65,536-step figure."
    assert ev.judge(good, spec) == []
    bad = "Yes. GEGLU reached 1.942 after full training."
    assert ev.judge(bad, spec) == ["missing '1.633'", "missing '65,536'", "none of ['no.', 'no,']",
                                   "must not contain 'yes.'"]
    assert ev.judge("NO. 1.633 at 65,536? no: 524,288.", spec) == []  # case-insensitive
    # numbers are matched as numbers: a finer value that rounds to the expected form counts, a longer
    # number that merely starts with the same digits does not, and commas do not matter
    assert ev.judge("Computed: silu(1) = 0.731059.", {"contains": ["0.7311"]}) == []
    assert ev.judge("Computed: silu(1) = 0.731.", {"contains": ["0.7311"]}) == ["missing '0.7311'"]
    assert ev.judge("d_model 4608, 46 layers", {"contains": ["46", "4608"]}) == []
    assert ev.judge("d_model 4608", {"contains": ["46"]}) == ["missing '46'"]
    assert ev.judge("gelu'(0) = 0.53", {"contains": ["0.5"]}) == ["missing '0.5'"]
    assert ev.judge("gelu'(0) = 0.500000", {"contains": ["0.5"]}) == []
    assert ev.judge("intermediate_size 14,336", {"contains": ["14336"], "not_contains": ["1433"]}) == []


def test_the_runner_counts_items_per_category_and_keeps_failures() -> None:
    eval_set = ev.EvalSet("unit", ("lookup", "followup"), (
        {"id": "a", "category": "lookup", "question": "geglu full?", "contains": ["1.633"]},
        {"id": "b", "category": "lookup", "question": "swiglu full?", "contains": ["1.636"]},
        {"id": "c", "category": "followup", "thread": [
            {"question": "geglu full?", "contains": ["1.633"]},
            {"question": "and swiglu?", "contains": ["1.636"]}]},
    ))
    canned = {"geglu full?": "GEGLU: 1.633.", "swiglu full?": "SwiGLU: 1.636.",
              "and swiglu?": "GEGLU: 1.633 and 9.999."}
    seen_threads: list[int | None] = []

    def asker(question: str, thread_id: int | None) -> tuple[str, list[dict[str, Any]], int]:
        seen_threads.append(thread_id)
        return canned[question], [], 7

    report = ev.run_set(eval_set, asker)
    assert report.per_category() == {"lookup": (2, 2), "followup": (0, 1)}
    assert report.failures() == [("c", "followup", "and swiglu?", ["missing '1.636'"])]
    assert seen_threads == [None, None, None, 7], "a thread's second turn is asked in the first turn's thread"
    assert report.ungrounded() == [("c", "and swiglu?", ["9.999"])]
    data = report.as_dict()
    assert data["passed"] == 2 and data["items"] == 3 and data["ungrounded_numbers"] == 1


def test_the_pipeline_asker_answers_in_process_and_keeps_the_thread(seeded_template: Path, tmp_path: Path) -> None:
    """Two dev items through the real pipeline: the asker stores answers and threads follow-ups (the answers'
    correctness is the benchmark's business, not this test's)."""
    path = tmp_path / "eval.db"
    shutil.copyfile(seeded_template, path)
    settings = sqlite_settings(path)
    engine = create_db_engine(settings)
    try:
        dev = {i["id"]: i for i in ev.load_set("dev").items}
        chosen = ev.EvalSet("dev", ("lookup", "followup"), (dev["d-lookup-reglu-full"], dev["d-follow-benchmark"]))
        report = ev.run_set(chosen, ev.pipeline_asker(make_session_factory(engine), settings))
    finally:
        engine.dispose()
    assert [len(r.turns) for r in report.results] == [1, 2]
    assert all(t.body for r in report.results for t in r.turns)
    assert sum(n for _, n in report.per_category().values()) == 2
