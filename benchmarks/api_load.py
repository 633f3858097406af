"""Throughput and latency of the reference API and the paper page against one uvicorn process.

Runs `wrk` (32 connections, 2 threads) against each endpoint in turn and prints a Markdown table.
Usage: .venv/bin/python benchmarks/api_load.py [--seconds 10] [--connections 32]
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks._server import machine_description, running_server

ENDPOINTS = [
    ("trivial JSON (`/healthz`)", "/healthz"),
    ("paper table (`/api/v1/papers/glu-variants-2020/tables/1`)", "/api/v1/papers/glu-variants-2020/tables/1"),
    ("results (`/api/v1/results?variant=FFN_GEGLU`)", "/api/v1/results?variant=FFN_GEGLU"),
    ("paper page (`/papers/glu-variants-2020`)", "/papers/glu-variants-2020"),
]

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text.strip())
    if not match:
        raise ValueError(f"unparsed latency {text!r}")
    return float(match.group(1)) * UNITS[match.group(2)]


def run_wrk(url: str, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        check=True, capture_output=True, text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {
        "rps": rps,
        "p50": p50,
        "p99": p99,
        "non2xx": float(errors.group(1)) if errors else 0.0,
        "socket_errors": 1.0 if socket_errors else 0.0,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        print("wrk is required (apt-get install wrk)", file=sys.stderr)
        return 2
    rows = []
    cold_ms: dict[str, float] = {}
    with running_server() as base:
        for _, path in ENDPOINTS:  # the first request builds the cached response; time it too
            started = time.perf_counter()
            urllib.request.urlopen(base + path, timeout=30).read()
            cold_ms[path] = (time.perf_counter() - started) * 1000
        for label, path in ENDPOINTS:
            rows.append((label, run_wrk(base + path, args.seconds, args.connections)))
    trivial = rows[0][1]["rps"]
    print(f"Machine: {machine_description()}; date {dt.date.today()}; one uvicorn process, SQLite;")
    print(f"wrk -t2 -c{args.connections} -d{args.seconds}s (client on the same machine)\n")
    print("| Endpoint | requests/s | p50 ms | p99 ms | vs trivial | non-2xx | first (uncached) request ms |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for (label, r), (_, path) in zip(rows, ENDPOINTS, strict=True):
        print(
            f"| {label} | {r['rps']:,.0f} | {r['p50']:.2f} | {r['p99']:.2f} | {r['rps'] / trivial:.2f} |"
            f" {r['non2xx']:.0f} | {cold_ms[path]:.1f} |"
        )
    table_ratio = rows[1][1]["rps"] / trivial
    print(f"\nJSON table endpoint / trivial endpoint throughput: {table_ratio:.2f} (target ≥ 0.50)")
    return 0 if table_ratio >= 0.5 and all(r["non2xx"] == 0 for _, r in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
