"""Answer latency: how long a question takes to be answered and stored, for questions that start no job.

Two measurements over the evaluation set (tests/answers/answer_eval.yaml, "run a comparison" questions left out;
follow-ups asked in their thread, as a person would):

* in process: ``answers.ask()`` + commit on a fresh, migrated and seeded SQLite file — the composition
  (entities, intent, facts, retrieval, computations, the grounding check) and the two inserts;
* over HTTP: ``POST /api/v1/questions`` against one ``actlab serve`` process (keep-alive client on the
  same machine), so routing, validation, the thread document and JSON encoding are included.

The first pass is reported separately (it builds the per-revision lexicon, facts and BM25 index and runs
the first computations); the figures that count are the warm passes after it.

Usage: .venv/bin/python benchmarks/answers.py [--passes 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks._server import machine_description, running_server  # noqa: E402

#: p50 targets, planner included: in process and over HTTP.
TARGET_PROCESS_P50_MS = 20.0
TARGET_HTTP_P50_MS = 30.0


def conversations() -> list[list[str]]:
    """The evaluation set as lists of questions asked in one thread, without job-starting ones."""
    items = yaml.safe_load((ROOT / "tests" / "answers" / "answer_eval.yaml").read_text(encoding="utf-8"))
    out = []
    for item in items:
        steps = item.get("thread") or [item]
        if any(s.get("intent") == "run_comparison" for s in steps):
            continue
        out.append([s["question"] for s in steps])
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict[str, float]:
    return {"n": len(values), "p50": statistics.median(values), "p90": percentile(values, 0.9),
            "p99": percentile(values, 0.99), "max": max(values), "mean": statistics.fmean(values)}


def in_process(passes: int) -> tuple[list[float], list[float]]:
    from app.answers import pipeline as answers
    from app.cli.common import migrate, seed
    from app.config import Settings
    from app.db import create_db_engine, make_session_factory

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(database_url=f"sqlite:///{tmp}/bench.db", environment="test",  # type: ignore[call-arg]
                            log_level="warning")
        migrate(settings)
        seed(settings)
        engine = create_db_engine(settings)
        factory = make_session_factory(engine)
        first: list[float] = []
        warm: list[float] = []
        for n in range(passes + 1):
            for questions in conversations():
                thread_id = None
                for question in questions:
                    start = time.perf_counter()
                    with factory() as session:
                        asked = answers.ask(session, settings, question, thread_id=thread_id)
                        session.commit()
                    (first if n == 0 else warm).append((time.perf_counter() - start) * 1e3)
                    thread_id = asked.thread_id
        engine.dispose()
    return first, warm


def over_http(passes: int) -> tuple[list[float], list[float]]:
    first: list[float] = []
    warm: list[float] = []
    with running_server() as base, httpx.Client(base_url=base, timeout=60) as client:
        for n in range(passes + 1):
            for questions in conversations():
                thread_id = None
                for question in questions:
                    body: dict[str, Any] = {"question": question}
                    if thread_id is not None:
                        body["thread_id"] = thread_id
                    start = time.perf_counter()
                    response = client.post("/api/v1/questions", json=body)
                    (first if n == 0 else warm).append((time.perf_counter() - start) * 1e3)
                    response.raise_for_status()
                    thread_id = response.json()["thread"]["id"]
    return first, warm


def row(label: str, values: list[float]) -> str:
    s = summary(values)
    return (f"| {label} | {s['n']:.0f} | {s['p50']:.1f} | {s['p90']:.1f} | {s['p99']:.1f} | {s['max']:.1f} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--passes", type=int, default=3, help="warm passes over the set (default 3)")
    args = parser.parse_args()
    questions = sum(len(c) for c in conversations())
    first_proc, warm_proc = in_process(args.passes)
    first_http, warm_http = over_http(args.passes)
    print(f"Machine: {machine_description()}; date {dt.date.today().isoformat()}")
    print(f"Command: .venv/bin/python benchmarks/answers.py --passes {args.passes}")
    print(f"{questions} questions (evaluation set without job-starting ones), {args.passes} warm passes\n")
    print("| Measurement | answers | p50 ms | p90 ms | p99 ms | max ms |")
    print("|---|---:|---:|---:|---:|---:|")
    print(row("in process, warm (`answers.ask` + commit)", warm_proc))
    print(row("in process, first pass (per-revision caches built)", first_proc))
    print(row("HTTP `POST /api/v1/questions`, warm", warm_http))
    print(row("HTTP `POST /api/v1/questions`, first pass", first_http))
    ok = True
    for label, values, target in (("in-process", warm_proc, TARGET_PROCESS_P50_MS),
                                  ("HTTP", warm_http, TARGET_HTTP_P50_MS)):
        p50 = statistics.median(values)
        ok = ok and p50 <= target
        print(f"\n{label} p50 {p50:.1f} ms {'meets' if p50 <= target else 'MISSES'} the target of ≤ {target:.0f} ms.")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
