"""p50 latency of GET /api/v1/results while idle vs. while a CPU comparison trains (target: <= 2x).

Starts `actlab serve` (API + its embedded comparison worker) on a fresh SQLite file, measures sequential
requests idle, queues the default quality comparison on the CPU, waits until it trains, measures again,
then cancels it. Usage: .venv/bin/python benchmarks/latency_during_job.py [--seconds 15]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks._server import machine_description, running_server

PATH = "/api/v1/results?variant=FFN_GEGLU"


def get_json(url: str, method: str = "GET", body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def latencies(url: str, seconds: float) -> list[float]:
    """Sequential requests for ``seconds``: long enough to span many training steps and progress writes."""
    out = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t0 = time.perf_counter()
        with urllib.request.urlopen(url, timeout=30) as response:
            response.read()
        out.append((time.perf_counter() - t0) * 1e3)
    return out


def summary(values: list[float]) -> str:
    q = statistics.quantiles(values, n=100)
    return f"p50 {statistics.median(values):.2f} ms, p90 {q[89]:.2f} ms, p99 {q[98]:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each measured phase")
    args = parser.parse_args()
    env = {"ACTLAB_RATE_LIMIT_READS_PER_MINUTE": "1000000", "ACTLAB_COMPARE_AUTO_DEVICE": "cpu"}
    with running_server(extra_env=env) as base:
        latencies(base + PATH, 1.0)  # warm the cache and the connection path
        idle = latencies(base + PATH, args.seconds)
        job = get_json(f"{base}/api/v1/comparisons", "POST", {"kind": "quality", "device": "cpu"})
        deadline = time.monotonic() + 120
        while (state := get_json(f"{base}/api/v1/comparisons/{job['id']}"))["done_steps"] < 50:
            if time.monotonic() > deadline or state["status"] in ("failed", "cancelled"):
                raise SystemExit(f"the comparison did not start training: {state['status']} {state['error']}")
            time.sleep(0.5)
        busy = latencies(base + PATH, args.seconds)
        after = get_json(f"{base}/api/v1/comparisons/{job['id']}")
        get_json(f"{base}/api/v1/comparisons/{job['id']}", "DELETE")
    ratio = statistics.median(busy) / statistics.median(idle)
    print(f"Machine: {machine_description()}; date {dt.date.today().isoformat()}")
    print(f"Command: .venv/bin/python benchmarks/latency_during_job.py {' '.join(sys.argv[1:])}".rstrip())
    print(
        f"Sequential GET {PATH} for {args.seconds:.0f} s per phase ({len(idle)} idle, {len(busy)} busy requests), "
        "one uvicorn process + the embedded worker "
        f"(2 single-thread training processes, nice 10)\n"
    )
    print("| Phase | latency |")
    print("|---|---|")
    print(f"| idle | {summary(idle)} |")
    print(
        f"| default quality comparison training (steps {state['done_steps']}→{after['done_steps']} of "
        f"{after['total_steps']}) | {summary(busy)} |"
    )
    print(f"\np50 busy / idle = {ratio:.2f} (target <= 2.00)")


if __name__ == "__main__":
    main()
