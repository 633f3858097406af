"""What each paraphrase-robustness component is worth: the dev split's pass count with one switched off.

Only the dev split is asked (the test split stays held out). Each row switches one component off for the
whole run by replacing it with a pass-through, on a fresh seeded SQLite file, and counts items passed:

- typo correction of names (``entities.correct_typos``),
- rewrites of elliptical names and instruction sentences (``paraphrase.rewrite``),
- the stored misreadings as an answer source (``misread.detect``),
- framework and config activation names (``framework_names.detect``),
- later parts and follow-ups read as edits of the operation before (``planner._edit_of`` off: parts planned alone).

Usage: .venv/bin/python benchmarks/answer_ablation.py
"""

from __future__ import annotations

import logging
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks._server import machine_description  # noqa: E402
from tests.answers import eval_runner as ev  # noqa: E402


@contextmanager
def replaced(module: Any, name: str, stand_in: Callable[..., Any]) -> Iterator[None]:
    original = getattr(module, name)
    setattr(module, name, stand_in)
    try:
        yield
    finally:
        setattr(module, name, original)


def dev_passed() -> tuple[int, int]:
    with tempfile.TemporaryDirectory() as tmp, ev.seeded_database(Path(tmp)) as (settings, factory):
        report = ev.run_set(ev.load_set("dev"), ev.pipeline_asker(factory, settings))
    return report.passed, len(report.results)


def main() -> int:
    from app.answers import entities, framework_names, misread, paraphrase, planner

    logging.disable(logging.CRITICAL)
    switches: list[tuple[str, Any, str, Callable[..., Any]]] = [
        ("typo correction", entities, "correct_typos", lambda question, lexicon: (question.lower(), [])),
        ("paraphrase rewrites", paraphrase, "rewrite", lambda text, lexicon: text),
        ("misreadings as a source", misread, "detect", lambda *args, **kwargs: None),
        ("framework names", framework_names, "detect", lambda text: []),
        ("parts edit the part before", planner, "is_follow_up", lambda *args: False),
    ]
    print(f"Machine: {machine_description()}")
    print("Command: .venv/bin/python benchmarks/answer_ablation.py\n")
    print("| Switched off | dev passed | change |")
    print("|---|---:|---:|")
    full, total = dev_passed()
    print(f"| nothing (all on) | {full}/{total} | — |")
    for label, module, name, stand_in in switches:
        with replaced(module, name, stand_in):
            passed, _ = dev_passed()
        print(f"| {label} | {passed}/{total} | {passed - full:+d} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
