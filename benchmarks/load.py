"""Mixed load against the embedded default (`actlab serve`: SQLite + one local worker).

Reads: `wrk` with 64 connections rotating over pages and JSON endpoints for 60 s. Writes, at the same
time: questions posted by two client threads (each question stores the person's post and the
service's answer). Afterwards the database is read directly: the number of stored question posts
must equal the number of questions the server acknowledged. Prints a Markdown summary.

Usage: .venv/bin/python benchmarks/load.py [--seconds 60] [--connections 64] [--writers 2]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks._server import machine_description, running_server

READ_PATHS = [
    "/",
    "/papers/glu-variants-2020",
    "/variants/FFN_GEGLU",
    "/models",
    "/activations/gelu_tanh",
    "/threads",
    "/api/v1/papers/glu-variants-2020/tables/1",
    "/api/v1/results?variant=FFN_GEGLU",
    "/api/v1/compare?a=FFN_GEGLU&b=FFN_SwiGLU",
    "/api/v1/models?activation=swiglu",
    "/api/v1/curves?fn=gelu&fn=gelu_tanh&points=401",
    "/api/v1/threads",
]
QUESTIONS = [
    "Why does Gemma 2 use GeGLU?",
    "Is GEGLU better than SwiGLU?",
    "What is the 2/3 hidden size rule?",
    "Which activation does Llama 3 use?",
    "How big is the error of the tanh approximation of GELU?",
]
MARKER = "load-run"


def wrk_script(paths: list[str]) -> str:
    quoted = ", ".join(json.dumps(p) for p in paths)
    return f"""
local paths = {{{quoted}}}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i % #paths) + 1])
end
"""


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip())
    assert match, text
    return float(match.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[match.group(2)]


class Writers:
    """Client threads posting questions; records what the server acknowledged (2xx) and latencies."""

    def __init__(self, base: str, count: int, stop: threading.Event) -> None:
        self.base, self.stop = base, stop
        self.acknowledged = 0
        self.errors: list[str] = []
        self.latencies: list[float] = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.run, args=(k,), daemon=True) for k in range(count)]

    def run(self, k: int) -> None:
        n = 0
        while not self.stop.is_set():
            question = f"{QUESTIONS[n % len(QUESTIONS)]} ({MARKER} {k}-{n})"
            body = json.dumps({"question": question, "display_name": "load"}).encode()
            request = urllib.request.Request(
                f"{self.base}/api/v1/questions", data=body, headers={"content-type": "application/json"}
            )
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    response.read()
                    ok = 200 <= response.status < 300
            except urllib.error.HTTPError as exc:
                ok = False
                with self.lock:
                    self.errors.append(f"{exc.code}: {exc.read()[:200]!r}")
            except OSError as exc:
                ok = False
                with self.lock:
                    self.errors.append(repr(exc))
            with self.lock:
                self.latencies.append((time.perf_counter() - started) * 1000)
                if ok:
                    self.acknowledged += 1
            n += 1


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--writers", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is required (apt-get install wrk)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "load.db"
        script = Path(tmp) / "paths.lua"
        script.write_text(wrk_script(READ_PATHS))
        with running_server({"ACTLAB_DATABASE_URL": f"sqlite:///{db}"}) as base:
            for path in READ_PATHS:  # every read answers 200 before the clock starts
                urllib.request.urlopen(base + path, timeout=60).read()
            stop = threading.Event()
            writers = Writers(base, args.writers, stop)
            for t in writers.threads:
                t.start()
            out = subprocess.run(
                ["wrk", "-t2", f"-c{args.connections}", f"-d{args.seconds}s", "--latency", "--timeout", "10s",
                 "-s", str(script), base],
                check=True, capture_output=True, text=True,
            ).stdout
            stop.set()
            for t in writers.threads:
                t.join(timeout=60)
        with sqlite3.connect(db) as conn:
            stored = conn.execute(
                "SELECT count(*) FROM posts WHERE author_kind = 'person' AND body LIKE ?", (f"%({MARKER} %",)
            ).fetchone()[0]
            integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    requests = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    read_errors = int(non2xx.group(1)) if non2xx else 0
    print(f"Machine: {machine_description()}; date {time.strftime('%Y-%m-%d')}; `actlab serve` (SQLite + worker)")
    print(f"Reads: wrk -t2 -c{args.connections} -d{args.seconds}s over {len(READ_PATHS)} pages and JSON endpoints;")
    print(f"writes: {args.writers} client threads posting questions at the same time.\n")
    print("| Load | requests | requests/s | p50 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    print(f"| reads | {requests:,} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {read_errors}"
          f"{' + socket: ' + socket_errors.group(1) if socket_errors else ''} |")
    w = writers.latencies
    print(f"| questions | {len(w):,} | {len(w) / args.seconds:,.1f} | {percentile(w, 0.5):.1f} | "
          f"{percentile(w, 0.99):.1f} | {len(writers.errors)} |")
    print(f"\nQuestions acknowledged: {writers.acknowledged}; question posts stored: {stored}; "
          f"integrity_check: {integrity}")
    if writers.errors:
        print("First write errors:", writers.errors[:3])
    ok = read_errors == 0 and not socket_errors and not writers.errors and stored == writers.acknowledged
    ok = ok and integrity == "ok"
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
