"""Answers v2 evaluation: pass rates of both splits of tests/answers/eval_v2, per category, and ungrounded numbers.

Every item is asked in process through ``app.answers.pipeline.ask`` on a fresh, migrated and seeded SQLite
file (follow-ups in one thread) and judged by tests/answers/eval_runner.py, the same code the integrity tests
use. An item passes when all its turns contain every ``contains`` fact, one ``any_of`` wording and no
``not_contains`` text. "Ungrounded" counts numbers shown in answers that the independent tracer
(tests/reference_numbers.py) cannot find in tests/reference or re-compute.

The test split is held out: only its counts are printed; its failing questions are never listed (``--failures``
lists the dev split's), so tuning on this output cannot tune on the test split.

Usage: .venv/bin/python benchmarks/answer_eval_v2.py [--json] [--failures]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks._server import machine_description  # noqa: E402
from tests.answers import eval_runner as ev  # noqa: E402

ANSWERS_LOGGER = "actlab.answers"


def evaluate() -> tuple[dict[str, ev.Report], float]:
    """Both splits against one seeded database; returns the reports and the seconds the asking took."""
    with tempfile.TemporaryDirectory() as tmp, ev.seeded_database(Path(tmp)) as (settings, factory):
        asker = ev.pipeline_asker(factory, settings)
        started = time.perf_counter()
        reports = {"dev": ev.run_set(ev.load_set("dev"), asker)}
        with quiet(ANSWERS_LOGGER):  # its warnings quote the question: keep the test split's out of the log
            reports["test"] = ev.run_set(ev.load_set("test"), asker)
        return reports, time.perf_counter() - started


@contextmanager
def quiet(name: str) -> Iterator[None]:
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def held_out(data: dict[str, Any]) -> dict[str, Any]:
    """The test split's report without its questions."""
    return {k: v for k, v in data.items() if k not in ("failures", "ungrounded")}


def percent(passed: int, items: int) -> str:
    return f"{passed}/{items} ({passed / items:.0%})" if items else "0/0"


def print_tables(reports: dict[str, ev.Report], seconds: float, show_failures: bool) -> None:
    turns = sum(len(r.turns) for rep in reports.values() for r in rep.results)
    print(f"Machine: {machine_description()}; date {dt.date.today().isoformat()}")
    print("Command: .venv/bin/python benchmarks/answer_eval_v2.py")
    print(f"{turns} questions asked in {seconds:.1f} s\n")
    print("| Split | items | passed | ungrounded numbers |")
    print("|---|---:|---:|---:|")
    for split, rep in reports.items():
        ungrounded = sum(len(n) for _, _, n in rep.ungrounded())
        print(f"| {split} | {len(rep.results)} | {percent(rep.passed, len(rep.results))} | {ungrounded} |")
    print("\n| Category | dev passed | test passed |")
    print("|---|---:|---:|")
    dev, test = reports["dev"].per_category(), reports["test"].per_category()
    for category in reports["test"].categories:
        print(f"| {category} | {percent(*dev.get(category, (0, 0)))} | {percent(*test.get(category, (0, 0)))} |")
    if show_failures:
        print("\nDev failures:")
        for item_id, category, question, reasons in reports["dev"].failures():
            print(f"- {item_id} [{category}] {question!r}: {'; '.join(reasons)}")
        for item_id, question, numbers in reports["dev"].ungrounded():
            print(f"- {item_id} {question!r}: ungrounded {numbers}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--failures", action="store_true", help="list the dev split's failing questions")
    args = parser.parse_args()
    reports, seconds = evaluate()
    if args.json:
        data = {split: rep.as_dict() for split, rep in reports.items()}
        data["test"] = held_out(data["test"])
        if not args.failures:
            data["dev"] = held_out(data["dev"])
        data["meta"] = {"machine": machine_description(), "date": dt.date.today().isoformat(), "seconds": seconds}
        print(json.dumps(data, indent=2))
    else:
        print_tables(reports, seconds, args.failures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
