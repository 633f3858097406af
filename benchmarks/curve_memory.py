"""Resident memory of the API process before, after and 30 s after 400 distinct maximal curve requests.

Starts `actlab serve` (one process, its own fresh SQLite file, the embedded worker and the start-up prerender
off so that only the curves move the figures) and records, from /proc/<pid>/status (VmRSS) and /metrics (the
process's cache bytes and its limit):
  * before: after start, one small curve request (torch loaded, the app warm);
  * after: once the 400 requests have been answered;
  * idle: 30 s later, with no request meanwhile.
Each request is maximal: `curve_max_functions` distinct functions (every scalar function appears, in rotating
sets of 8), `curve_max_points` points on the widest range (±`curve_max_abs_x`), a 16-bit dtype (the arrays of the
rounded inputs and rounding errors too) and one of the three derivatives, as JSON; no two requests alike.
The bodies are read and dropped (counted, never parsed).

`--env NAME=VALUE` runs the server with extra environment variables (e.g. MALLOC_ARENA_MAX=2). `--trim-every S`
starts the server through a wrapper that calls glibc's ``malloc_trim(0)`` every S seconds, to measure what
returning freed heap pages does without changing the service.

(`CURVE_MEMORY_IDLE_SECONDS` shortens the idle wait, for a quick check of the script.)

Usage: flock /tmp/bench.lock .venv/bin/python benchmarks/curve_memory.py [--requests 400] [--env K=V ...]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from app.activations.registry import SCALAR_IDS
from app.config import Settings
from benchmarks._server import machine_description, server_process

IDLE_SECONDS = float(os.environ.get("CURVE_MEMORY_IDLE_SECONDS", "30"))
DTYPES = ("float16", "bfloat16")
TRIM_WRAPPER = """
import ctypes, sys, threading, time
libc = ctypes.CDLL("libc.so.6")
def trim():
    while True:
        time.sleep({every})
        libc.malloc_trim(0)
threading.Thread(target=trim, daemon=True).start()
from app.cli.main import main
sys.argv = ["actlab", "serve"]
raise SystemExit(main())
"""


Params = dict[str, str | int | float | list[str]]


@dataclass
class Snapshot:
    """One reading: resident memory, the cache bytes and bound /metrics reports, and the load average."""

    when: str
    rss: int
    cache: float
    limit: float
    per_cache: dict[str, float]
    load: list[str]


def maximal_requests(count: int, settings: Settings) -> Iterator[Params]:
    """``count`` distinct maximal curve requests; the 8-function sets rotate so that every function appears."""
    width = settings.curve_max_functions
    sets = list(itertools.combinations(SCALAR_IDS, min(width, len(SCALAR_IDS))))
    # spread the sets over the combinations rather than taking the first ones (which all start with relu)
    step = max(1, len(sets) // max(1, count // (len(DTYPES) * 3)))
    variants = itertools.product(sets[::step] + sets, range(3), DTYPES)
    seen: set[tuple[tuple[str, ...], int, str]] = set()
    for functions, derivative, dtype in variants:
        key = (functions, derivative, dtype)
        if key in seen:
            continue
        seen.add(key)
        yield {
            "fn": list(functions),
            "xmin": -settings.curve_max_abs_x,
            "xmax": settings.curve_max_abs_x,
            "points": settings.curve_max_points,
            "derivative": derivative,
            "dtype": dtype,
        }
        if len(seen) >= count:
            return


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def cache_figures(client: httpx.Client) -> tuple[float, float, dict[str, float]]:
    """(total cache bytes, the limit, bytes per cache) from /metrics; the total is the per-cache sum where the
    server does not report one."""
    total: float | None = None
    limit, per_cache = float("nan"), {}
    for line in client.get("/metrics").text.splitlines():
        if line.startswith('actlab_response_cache_bytes{cache="'):
            per_cache[line.split('"', 2)[1]] = float(line.rsplit(" ", 1)[1])
        elif line.startswith("actlab_response_cache_total_bytes "):
            total = float(line.rsplit(" ", 1)[1])
        elif line.startswith("actlab_response_cache_budget_bytes "):
            limit = float(line.rsplit(" ", 1)[1])
    return (sum(per_cache.values()) if total is None else total), limit, per_cache


@contextmanager
def server(extra_env: dict[str, str], trim_every: float | None) -> Iterator[tuple[str, int]]:
    """`actlab serve` on a fresh SQLite file: its base URL and the pid of its (only) API process."""
    env = {"ACTLAB_EMBEDDED_WORKER": "false", "ACTLAB_PRERENDER_AT_START": "false", **extra_env}
    if trim_every is None:
        cmd = [sys.executable, "-m", "app.cli", "serve"]
    else:
        cmd = [sys.executable, "-c", TRIM_WRAPPER.format(every=trim_every)]
    with server_process(env, cmd, ready_path="/readyz", ready_seconds=180) as (base, proc):
        yield base, proc.pid


def snapshot(label: str, client: httpx.Client, pid: int) -> Snapshot:
    total, limit, per_cache = cache_figures(client)
    return Snapshot(label, rss_bytes(pid), total, limit, per_cache, Path("/proc/loadavg").read_text().split()[:3])


def run(requests: int, extra_env: dict[str, str], trim_every: float | None) -> tuple[list[Snapshot], dict[str, float]]:
    settings = Settings(_env_file=None)
    stats: dict[str, float] = {"bytes": 0, "seconds": 0.0, "errors": 0}
    with server(extra_env, trim_every) as (base, pid), httpx.Client(base_url=base, timeout=300) as client:
        assert client.get("/api/v1/curves", params={"fn": "relu", "points": 11}).status_code == 200
        rows = [snapshot("before", client, pid)]
        start = time.perf_counter()
        for params in maximal_requests(requests, settings):
            with client.stream("GET", "/api/v1/curves", params=params) as response:
                stats["bytes"] += sum(len(chunk) for chunk in response.iter_raw())
                if response.status_code != 200:
                    stats["errors"] += 1
        stats["seconds"] = time.perf_counter() - start
        rows.append(snapshot(f"after {requests} requests", client, pid))
        time.sleep(IDLE_SECONDS)  # the idle figure is the point: what the process keeps with nothing to do
        rows.append(snapshot(f"{IDLE_SECONDS:.0f} s later", client, pid))
    return rows, stats


def mb(value: float) -> str:
    return f"{value / 1e6:,.0f}"


def table(rows: list[Snapshot]) -> str:
    lines = ["| when | RSS (MB) | cache bytes on /metrics (MB) | limit (MB) | per cache (MB) | load average |",
             "|---|---:|---:|---:|---|---|"]
    for row in rows:
        per = ", ".join(f"{k} {mb(v)}" for k, v in sorted(row.per_cache.items()) if v)
        lines.append(f"| {row.when} | {mb(row.rss)} | {mb(row.cache)} | {mb(row.limit)} "
                     f"| {per or '—'} | {' '.join(row.load)} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--env", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--trim-every", type=float, default=None, metavar="SECONDS")
    args = parser.parse_args()
    extra_env = dict(item.split("=", 1) for item in args.env)
    rows, stats = run(args.requests, extra_env, args.trim_every)
    variant = ", ".join([*args.env, *([f"malloc_trim(0) every {args.trim_every:g} s"] if args.trim_every else [])])
    print(f"### {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {machine_description()}")
    print(f"variant: {variant or 'defaults'}; {args.requests} requests in {stats['seconds']:.0f} s, "
          f"{stats['bytes'] / 1e9:.1f} GB of bodies, {stats['errors']} errors")
    print()
    print(table(rows))


if __name__ == "__main__":
    main()
