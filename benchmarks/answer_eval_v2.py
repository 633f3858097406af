"""Answers v2 evaluation: pass rates of the splits of tests/answers/eval_v2, per category, and ungrounded numbers.

Every item is asked in process through ``app.answers.pipeline.ask`` on a fresh, migrated and seeded SQLite
file (follow-ups in one thread) and judged by tests/answers/eval_runner.py, the same code the integrity tests
use. An item passes when all its turns contain every ``contains`` fact, one ``any_of`` wording and no
``not_contains`` text. "Ungrounded" counts numbers shown in answers that the independent tracer
(tests/reference_numbers.py) cannot find in tests/reference or re-compute.

Splits: ``dev``, ``dev2``, ``dev3`` and ``dev4`` are tuning splits (dev2: fresh outsider phrasings, weighted to
declines, explanations and verifications; dev3: every category, written blind to measure first-ask rates; dev4:
the same, weighted to the categories weakest on fresh wording; dev5 to dev15: fresh batches, each written
before it was first asked); ``test`` to ``test4`` are held out: only their counts are printed;
their failing questions are never listed (``--failures`` lists the tuning splits'), so tuning on this output
cannot tune on the test split.
``--tuning`` asks the tuning splits only, so tuning runs do not touch the test split at all; ``--split NAME``
asks only the splits named.

Usage: .venv/bin/python benchmarks/answer_eval_v2.py [--json] [--failures] [--tuning] [--split NAME ...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
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


#: Seconds each question took in process (ask, compose, check and store, commit), in the order asked.
LATENCIES: list[float] = []


def timed(asker: ev.Asker) -> ev.Asker:
    def ask(question: str, thread_id: int | None) -> tuple[str, list[dict[str, Any]], int]:
        started = time.perf_counter()
        try:
            return asker(question, thread_id)
        finally:
            LATENCIES.append(time.perf_counter() - started)

    return ask


def latency_line() -> str:
    ordered = sorted(LATENCIES)
    if not ordered:
        return ""
    p50, p90 = ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(len(ordered) * 0.9))]
    return f"Latency in process per question (ask + store + commit): p50 {p50 * 1000:.1f} ms, p90 {p90 * 1000:.1f} ms"


def evaluate(splits: tuple[str, ...] = ev.SPLITS) -> tuple[dict[str, ev.Report], float]:
    """The chosen splits against one seeded database; returns the reports and the seconds the asking took."""
    with tempfile.TemporaryDirectory() as tmp, ev.seeded_database(Path(tmp)) as (settings, factory):
        asker = timed(ev.pipeline_asker(factory, settings))
        started = time.perf_counter()
        reports = {}
        for split in splits:
            if split in ev.TUNING_SPLITS:
                reports[split] = ev.run_set(ev.load_set(split), asker)
                continue
            with quiet(ANSWERS_LOGGER):  # its warnings quote the question: keep the test split's out of the log
                reports[split] = ev.run_set(ev.load_set(split), asker)
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
    print(f"Command: .venv/bin/python benchmarks/answer_eval_v2.py {' '.join(sys.argv[1:])}".rstrip())
    print(f"{turns} questions asked in {seconds:.1f} s; {latency_line()}; load average "
          f"{' '.join(f'{v:.2f}' for v in os.getloadavg())}\n")
    print("| Split | items | passed | ungrounded numbers |")
    print("|---|---:|---:|---:|")
    for split, rep in reports.items():
        ungrounded = sum(len(n) for _, _, n in rep.ungrounded())
        print(f"| {split} | {len(rep.results)} | {percent(rep.passed, len(rep.results))} | {ungrounded} |")
    print("\n| Category | " + " | ".join(f"{split} passed" for split in reports) + " |")
    print("|---|" + "---:|" * len(reports))
    counts = {split: rep.per_category() for split, rep in reports.items()}
    for category in next(iter(reports.values())).categories:
        cells = " | ".join(percent(*c.get(category, (0, 0))) for c in counts.values())
        print(f"| {category} | {cells} |")
    if show_failures:
        for split in (s for s in reports if s in ev.TUNING_SPLITS):
            print(f"\n{split} failures:")
            for item_id, category, question, reasons in reports[split].failures():
                print(f"- {item_id} [{category}] {question!r}: {'; '.join(reasons)}")
            for item_id, question, numbers in reports[split].ungrounded():
                print(f"- {item_id} {question!r}: ungrounded {numbers}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    parser.add_argument("--failures", action="store_true", help="list the tuning splits' failing questions")
    parser.add_argument("--tuning", action="store_true",
                        help="ask the tuning splits only (" + ", ".join(ev.TUNING_SPLITS) + ")")
    parser.add_argument("--split", action="append", choices=ev.SPLITS,
                        help="ask only this split (repeatable); a held-out split still prints counts only")
    args = parser.parse_args()
    chosen = tuple(args.split) if args.split else ev.TUNING_SPLITS if args.tuning else ev.SPLITS
    reports, seconds = evaluate(chosen)
    if args.json:
        data: dict[str, Any] = {split: rep.as_dict() for split, rep in reports.items()}
        for split in data:
            if split not in ev.TUNING_SPLITS or not args.failures:
                data[split] = held_out(data[split])
        data["meta"] = {"machine": machine_description(), "date": dt.date.today().isoformat(), "seconds": seconds,
                        "latency": latency_line(), "load_average": list(os.getloadavg())}
        print(json.dumps(data, indent=2))
    else:
        print_tables(reports, seconds, args.failures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
