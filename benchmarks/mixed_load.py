"""64 connections for 60 s over a mix of everything the service does, from a cold start, on SQLite and PostgreSQL.

For each database: a fresh database is prepared by a first `actlab serve` (a 300-post thread, a thread for the
writes, a queued comparison for the live-progress streams), which is then stopped; a second one is started on
it and the clock starts at its /readyz, with its caches empty and its start-up prerender still running. Two
client processes (32 connections each, every connection from its own 127.0.3.x address) then pick requests by
weight:

reference pages and JSON (cached after their first render), uncached JSON (distinct query strings: result
pages, curves), uncached explorer pages (a new chart each), the 300-post thread (page and JSON), live-progress
streams (the latency is to the response head; each is held 2 s), posts (JSON), questions, form posts (HTML
form, 303) and /metrics.

An error is any answer that is not 2xx/3xx, other than a 429 (counted apart: a cap doing its job), and any
failed or timed-out request (30 s). Target: 0 errors, p99 <= 2 s. A connection that has been idle for 4 s (while
its client held a stream) is reopened before its next request rather than raced against the server's 5 s
keep-alive timeout (benchmarks/_load_tools.py); each failure says how its connection had been used. Besides
the table per kind, the run prints the slowest paths of the first 10 s and of the rest, and with --log-dir keeps
each server's log (its stderr). The embedded worker is off (the streams'
comparison stays queued; benchmarks/latency_during_job.py measures a training worker beside the API) and the
rate limits are lifted to let 64 connections from 64 addresses run flat out.

Usage: .venv/bin/python benchmarks/mixed_load.py [--database sqlite postgres] [--seconds 60] [--connections 64]
       [--profile PREFIX] [--log-dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from multiprocessing.connection import Connection as Pipe
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks._load_tools import (
    Connection,
    HttpError,
    fresh_database,
    percentile,
    raise_open_files,
    run_header,
    serve_url,
)

CACHED = ["/", "/papers/glu-variants-2020", "/variants/FFN_GEGLU", "/models", "/api/v1/results?variant=FFN_GEGLU",
          "/api/v1/compare?a=FFN_GEGLU&b=FFN_SwiGLU", "/api/v1/papers/glu-variants-2020/tables/1", "/threads"]
QUESTIONS = ["Why does Gemma 2 use GeGLU?", "Is GEGLU better than SwiGLU?", "What is the 2/3 hidden size rule?",
             "Which activation does Llama 3 use?", "How big is the error of the tanh approximation of GELU?"]
#: Request kinds and their weights (of 100).
#: A distinct chart costs ~110 ms of matplotlib under its one lock (about 9 per second per process), so the
#: uncached explorer page (a new chart each) is its own kind, at 1 in 100.
WEIGHTS = {"cached": 40, "uncached": 14, "chart": 1, "thread300": 10, "stream": 3, "post": 10, "question": 4,
           "form": 10, "metrics": 8}
FORM_HEADERS = {"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"}
JSON_HEADERS = {"Content-Type": "application/json"}
STREAM_HOLD_SECONDS = 2.0
PROCESSES = 2

Result = tuple[str, float, int, float, str, str]  # kind, start (s since the clock), status (0: failed), ms, error, path


class Worker:
    """One connection, sending one request after another for the run."""

    def __init__(self, port: int, source: str, ids: dict[str, str], started: float, seed: int) -> None:
        self.conn = Connection(port, source, timeout=30)
        self.port, self.source, self.ids, self.started = port, source, ids, started
        self.rng = random.Random(seed)
        self.results: list[Result] = []
        self.n = 0

    def target(self, kind: str) -> tuple[str, str, bytes, dict[str, str]]:
        rng, thread, writes = self.rng, self.ids["thread300"], self.ids["writes"]
        self.n += 1
        tag = f"{self.source}-{self.n}"
        if kind == "cached":
            return "GET", rng.choice(CACHED), b"", {}
        if kind == "uncached":
            if rng.randrange(2):
                query = urlencode({"variant": "FFN_GEGLU", "limit": rng.randint(1, 500), "offset": rng.randint(0, 400)})
                return "GET", f"/api/v1/results?{query}", b"", {}
            query = urlencode([("fn", "gelu"), ("fn", "silu"), ("points", rng.randint(100, 5000)),
                               ("xmin", -rng.randint(1, 50))])
            return "GET", f"/api/v1/curves?{query}", b"", {}
        if kind == "chart":
            return "GET", f"/activations/explore?fn=gelu_tanh&points={rng.randint(100, 3000)}", b"", {}
        if kind == "thread300":
            return "GET", rng.choice([f"/threads/{thread}", f"/api/v1/threads/{thread}"]), b"", {}
        if kind == "post":
            body = json.dumps({"body": f"A post under load ({tag}).", "display_name": "load"}).encode()
            return "POST", f"/api/v1/threads/{writes}/posts", body, JSON_HEADERS
        if kind == "question":
            body = json.dumps({"question": f"{rng.choice(QUESTIONS)} ({tag})", "display_name": "load"}).encode()
            return "POST", "/api/v1/questions", body, JSON_HEADERS
        if kind == "form":
            body = urlencode({"body": f"A form post under load ({tag}).", "display_name": "load"}).encode()
            return "POST", f"/threads/{writes}/posts", body, FORM_HEADERS
        return "GET", "/metrics", b"", {}

    async def stream(self) -> tuple[int, float, str]:
        """Open the comparison's stream on a connection of its own, hold it, close it: the status, when its
        response head came, and the error."""
        conn = Connection(self.port, self.source, timeout=30)
        try:
            conn.reader, conn.writer = await asyncio.open_connection(
                "127.0.0.1", self.port, local_addr=(self.source, 0))
            conn.writer.write(f"GET /api/v1/comparisons/{self.ids['job']}/events HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            status, _ = await asyncio.wait_for(conn.read_head(), 30)
            head_at = time.perf_counter()
            if status == 200:
                with contextlib.suppress(TimeoutError):
                    while await asyncio.wait_for(conn.reader.read(65536), STREAM_HOLD_SECONDS):
                        pass
            error = "" if status in (200, 429) else f"stream: {status}"
            return status, head_at, error
        except (OSError, TimeoutError, asyncio.IncompleteReadError) as exc:
            return 0, time.perf_counter(), f"stream: {exc!r}"
        finally:
            conn.close()

    async def run(self, until: float) -> None:
        kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
        while time.perf_counter() < until:
            kind = self.rng.choices(kinds, weights)[0]
            t0 = time.perf_counter()
            if kind == "stream":
                status, head_at, error = await self.stream()
                self.results.append((kind, t0 - self.started, status, (head_at - t0) * 1000, error, "/…/events"))
                continue
            method, target, body, headers = self.target(kind)
            try:
                status, data = await self.conn.request(method, target, body, headers)
                error = "" if 200 <= status < 400 or status == 429 else f"{method} {target}: {status} {data[:120]!r}"
            except HttpError as exc:
                status, error = 0, str(exc)
            path = target.split("?", 1)[0]
            self.results.append((kind, t0 - self.started, status, (time.perf_counter() - t0) * 1000, error, path))
        self.conn.close()


def client_process(port: int, ids: dict[str, str], first: int, count: int, seconds: float, start_at: float,
                   pipe: Pipe) -> None:
    async def main() -> list[Result]:
        started = time.perf_counter() + max(0.0, start_at - time.time())
        await asyncio.sleep(max(0.0, start_at - time.time()))
        workers = [Worker(port, f"127.0.3.{first + k + 1}", ids, started, first + k) for k in range(count)]
        await asyncio.gather(*(w.run(started + seconds) for w in workers))
        return [r for w in workers for r in w.results]

    pipe.send(asyncio.run(main()))


# --- preparing the database ----------------------------------------------------------------------------------


def call(port: int, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.request(method, path, json.dumps(body) if body is not None else None, JSON_HEADERS)
    response = conn.getresponse()
    data = response.read()
    assert 200 <= response.status < 300, (method, path, response.status, data[:300])
    return dict(json.loads(data))


def prepare(url: str, env: dict[str, str]) -> dict[str, str]:
    """The 300-post thread, the thread the writes go to and a queued comparison, made by a first server."""
    with serve_url(url, env) as server:
        port = server.port
        thread = call(port, "POST", "/api/v1/threads", {"title": "A long thread", "body": "Post 1 of 300."})
        for i in range(2, 301):
            call(port, "POST", f"/api/v1/threads/{thread['id']}/posts", {"body": f"Post {i} of 300, with *Markdown*."})
        writes = call(port, "POST", "/api/v1/threads", {"title": "Posts under load", "body": "The first post."})
        job = call(port, "POST", "/api/v1/comparisons", {"kind": "quality", "device": "cpu"})
    return {"thread300": str(thread["id"]), "writes": str(writes["id"]), "job": str(job["id"])}


# --- the run ---------------------------------------------------------------------------------------------------


def row(label: str, results: list[Result]) -> str:
    ms = [r[3] for r in results]
    errors = sum(1 for r in results if r[4])
    limited = sum(1 for r in results if r[2] == 429)
    return (f"| {label} | {len(results):,} | {percentile(ms, 0.5):.1f} | {percentile(ms, 0.99):.1f} | "
            f"{max(ms, default=float('nan')):.1f} | {errors} | {limited} |")


def tails(title: str, results: list[Result], top: int = 8) -> list[str]:
    """The paths with the slowest p99 among ``results`` (a kind's tail names what is slow in it)."""
    by_path: dict[tuple[str, str], list[float]] = {}
    for r in results:
        by_path.setdefault((r[0], r[5]), []).append(r[3])
    ranked = sorted(by_path.items(), key=lambda item: percentile(item[1], 0.99), reverse=True)[:top]
    lines = [f"\n{title}\n", "| kind | path | count | p50 ms | p99 ms | max ms |", "|---|---|---:|---:|---:|---:|"]
    lines += [f"| {kind} | `{path}` | {len(ms)} | {percentile(ms, 0.5):.1f} | {percentile(ms, 0.99):.1f} | "
              f"{max(ms):.1f} |" for (kind, path), ms in ranked]
    return lines


def profile(pid: int, seconds: float, out: str) -> subprocess.Popen[bytes]:
    """py-spy (PY_SPY, else on PATH) recording ``pid`` for ``seconds``, in py-spy's raw (collapsed stack) format."""
    binary = os.environ.get("PY_SPY") or shutil.which("py-spy") or "py-spy"
    return subprocess.Popen([binary, "record", "-p", str(pid), "-d", str(int(seconds)), "-f", "raw", "-o", out,
                             "--nonblocking", "--threads"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run_database(
    database: str, seconds: float, connections: int, profile_to: str | None = None, log_to: Path | None = None
) -> tuple[bool, list[str]]:
    env = {
        "ACTLAB_EMBEDDED_WORKER": "false",
        "ACTLAB_RATE_LIMIT_READS_PER_MINUTE": "10000000",
        "ACTLAB_RATE_LIMIT_WRITES_PER_MINUTE": "1000000",
    }
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="actlab-mixed-") as tmp, fresh_database(database, Path(tmp)) as url:
        ids = prepare(url, env)
        with serve_url(url, env, log_to) as server:  # cold: just started, caches empty, prerender running
            profiler = profile(server.proc.pid, seconds, profile_to) if profile_to else None
            per_process = connections // PROCESSES
            start_at = time.time() + 0.5
            pipes, procs = [], []
            for p in range(PROCESSES):
                ours, theirs = multiprocessing.Pipe(duplex=False)
                count = per_process if p < PROCESSES - 1 else connections - per_process * (PROCESSES - 1)
                proc = multiprocessing.Process(
                    target=client_process, args=(server.port, ids, p * per_process, count, seconds, start_at, theirs)
                )
                proc.start()
                pipes.append(ours)
                procs.append(proc)
            results: list[Result] = [r for pipe in pipes for r in pipe.recv()]
            for proc in procs:
                proc.join(timeout=60)
            rss = server.rss_mb()
            if profiler is not None:
                profiler.wait(timeout=60)
    ms = [r[3] for r in results]
    errors = [r[4] for r in results if r[4]]
    lines.append(f"\n**{database}**: {len(results):,} requests in {seconds:.0f} s ({len(results) / seconds:,.0f}/s); "
                 f"server RSS at the end {rss:.0f} MB\n")
    lines.append("| Requests | count | p50 ms | p99 ms | max ms | errors | 429 |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|")
    lines.append(row("all", results))
    lines.append(row("first 10 s (cold)", [r for r in results if r[1] < 10]))
    for kind in WEIGHTS:
        lines.append(row(kind, [r for r in results if r[0] == kind]))
    lines += tails("Slowest paths in the first 10 s (cold):", [r for r in results if r[1] < 10])
    lines += tails("Slowest paths after the first 10 s:", [r for r in results if r[1] >= 10])
    if errors:
        lines.append(f"\nErrors by kind: {dict(Counter(r[0] for r in results if r[4]))}; each, with when it started:")
        lines += [f"- {r[1]:.1f} s: {r[4]}" for r in results if r[4]][:20]
    ok = not errors and percentile(ms, 0.99) <= 2000
    return ok, lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", nargs="+", choices=["sqlite", "postgres"], default=["sqlite", "postgres"])
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--profile", metavar="PREFIX", help="py-spy the server (PREFIX-<database>.raw)")
    parser.add_argument("--log-dir", type=Path, help="keep each server's log (its stderr) as DIR/<database>.log")
    args = parser.parse_args()
    raise_open_files()
    print(run_header(f".venv/bin/python benchmarks/mixed_load.py {' '.join(sys.argv[1:])}".rstrip()))
    print(f"{args.connections} connections ({PROCESSES} client processes), {args.seconds:.0f} s per database, "
          f"weights {WEIGHTS}")
    everything_ok = True
    for database in args.database:
        profile_to = f"{args.profile}-{database}.raw" if args.profile else None
        log_to = args.log_dir / f"{database}.log" if args.log_dir else None
        if log_to is not None:
            log_to.parent.mkdir(parents=True, exist_ok=True)
        ok, lines = run_database(database, args.seconds, args.connections, profile_to, log_to)
        print("\n".join(lines))
        print(f"{database}: {'PASS' if ok else 'FAIL'} (target: 0 errors, p99 <= 2000 ms)")
        everything_ok &= ok
    return 0 if everything_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
