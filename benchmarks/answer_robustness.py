"""Answers under meaning-preserving rewrites: how many tuning items that pass as written still pass rewritten.

Each rewrite of tests/answers/perturbations.py (a swapped-letter typo in the longest word, a greeting before
the question, "thanks!" after it, lowercase, no closing punctuation) is applied to every question of every
tuning item that passes as written; the item is asked again in a fresh thread and judged by the same rule as
the evaluation (tests/answers/eval_runner.py). Held-out splits are never rewritten or asked here.

Usage: .venv/bin/python benchmarks/answer_robustness.py [--failures] [--rewrite NAME ...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks._server import machine_description  # noqa: E402
from tests.answers import eval_runner as ev  # noqa: E402
from tests.answers import perturbations  # noqa: E402

Row = tuple[str, int, int]


def injection_row(passing: list[dict[str, Any]], asker: ev.Asker, failures: list[tuple[str, ...]]) -> Row:
    """Every passing item with an injected instruction before it: same facts, and never the injected number."""
    items = [x for x in (perturbations.injected(item) for item in passing) if x is not None]
    results = [ev.ask_item(item, asker) for item in items]
    failures += [("injected", r.id, t.question, t.failures) for r in results for t in r.turns if t.failures]
    return "injected instruction", len(items), sum(r.passed for r in results)


def pairs_row(passing: list[dict[str, Any]], asker: ev.Asker, failures: list[tuple[str, ...]]) -> Row:
    """Two passing single questions asked in one message: the answer must hold both answers."""
    pairs = perturbations.paired(passing)
    passed = 0
    for pair_id, message, parts in pairs:
        body, _, _ = asker(message, None)
        reasons = [r for part in parts for r in ev.judge(body, part)]
        passed += not reasons
        if reasons:
            failures.append(("two in one", pair_id, message, reasons))
    return "two questions in one message", len(pairs), passed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--failures", action="store_true", help="list the rewritten questions that fail")
    parser.add_argument("--rewrite", action="append", choices=list(perturbations.REWRITES),
                        help="apply only this rewrite (repeatable)")
    args = parser.parse_args()
    chosen = args.rewrite or list(perturbations.REWRITES)
    started = time.perf_counter()
    rows: list[Row] = []
    failures: list[tuple[str, ...]] = []
    with tempfile.TemporaryDirectory() as tmp, ev.seeded_database(Path(tmp)) as (settings, factory):
        asker = ev.pipeline_asker(factory, settings)
        passing = [item for split in ev.TUNING_SPLITS for item in ev.load_set(split).items
                   if ev.ask_item(item, asker).passed]
        for name in chosen:
            rewrite = perturbations.REWRITES[name]
            items = [item for item in passing if perturbations.changed(item, rewrite)]
            results = [ev.ask_item(perturbations.rewritten(item, rewrite), asker) for item in items]
            rows.append((name, len(items), sum(r.passed for r in results)))
            failures += [(name, *f) for r in results for f in [(r.id, t.question, t.failures) for t in r.turns
                                                                if t.failures]]
        if not args.rewrite:
            rows.append(injection_row(passing, asker, failures))
            rows.append(pairs_row(passing, asker, failures))
    print(f"Machine: {machine_description()}; date {dt.date.today().isoformat()}; "
          f"{time.perf_counter() - started:.1f} s")
    print(f"Command: .venv/bin/python benchmarks/answer_robustness.py {' '.join(sys.argv[1:])}".rstrip())
    print(f"{len(passing)} tuning items pass as written\n")
    print("| Rewrite | items changed | still pass |")
    print("|---|---:|---:|")
    for name, items_changed, still in rows:
        rate = f" ({still / items_changed:.0%})" if items_changed else ""
        print(f"| {name} | {items_changed} | {still}/{items_changed}{rate} |")
    if args.failures:
        print()
        for name, item_id, question, reasons in failures:
            print(f"- [{name}] {item_id} {question!r}: {'; '.join(reasons)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
