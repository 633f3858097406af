"""A normal client's latency while anonymous clients hold 1,000 live-progress streams and 3,000 slow request heads.

Starts `actlab serve` on a fresh database (SQLite, or with ``--database postgres`` a new database on the machine's
PostgreSQL; no embedded worker, so the comparison the streams follow stays queued and its streams stay open),
then measures sequential GETs of representative pages and JSON (a new connection each, as a first visit) for
``--seconds`` idle, and again while another process holds:

- ``--sse`` streams of that comparison's events, from 127.0.1.x source addresses (loopback accepts any 127/8
  address), 4 per address so that the per-client cap (ACTLAB_SSE_MAX_STREAMS_PER_CLIENT, 8) is not what stops
  them;
- ``--slow`` connections sending a request head one byte every ``--trickle`` seconds, from 127.0.10.x-127.0.21.x;
  each one the server closes at its head deadline (ACTLAB_HTTP_HEADER_TIMEOUT_SECONDS) is opened again at once.

Prints p50/p99 idle and loaded, the ratio p50(loaded)/p50(idle) (target <= 2) and the errors (target 0): the
normal client's non-2xx answers and failures, streams refused or ended early, slow connections that failed to
connect. The benchmark raises its own open-file limit to the hard limit; `actlab serve` raises its own to fit
ACTLAB_HTTP_MAX_CONNECTIONS. The read rate limit is lifted (the normal client is one address asking hundreds of
times a second), and the pages are rendered by a warm-up pass rather than by the start-up prerender, so that the
idle phase is idle.

Usage: .venv/bin/python benchmarks/hostile.py [--database sqlite|postgres] [--seconds 20] [--sse 1000] [--slow 3000]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from multiprocessing.connection import Connection as Pipe
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks._load_tools import Connection, percentile, raise_open_files, run_header, serve

PATHS = [
    "/",
    "/papers/glu-variants-2020",
    "/api/v1/results?variant=FFN_GEGLU",
    "/api/v1/papers/glu-variants-2020/tables/1",
    "/api/v1/curves?fn=gelu&fn=gelu_tanh&points=401",
    "/api/v1/threads",
]
STREAMS_PER_ADDRESS = 4


def normal_client(port: int, seconds: float) -> tuple[list[float], list[str]]:
    """Sequential GETs over ``PATHS`` for ``seconds``, each on a new connection: latencies (ms) and errors."""
    latencies: list[float] = []
    errors: list[str] = []
    end = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < end:
        path = PATHS[i % len(PATHS)]
        i += 1
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            response.read()
            if not 200 <= response.status < 400:
                errors.append(f"{path}: {response.status}")
        except OSError as exc:
            errors.append(f"{path}: {exc!r}")
        finally:
            conn.close()
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies, errors


# --- the hostile clients (their own process, so that they do not share the normal client's interpreter) ------


class Hostile:
    def __init__(self, port: int, job_id: str, trickle: float) -> None:
        self.port, self.job_id, self.trickle = port, job_id, trickle
        self.stats: dict[str, Any] = {
            "streams_open": 0, "streams_refused": {}, "streams_ended": 0, "stream_failures": 0,
            "slow_open": 0, "slow_connects": 0, "slow_closed_by_server": 0, "slow_408": 0, "slow_failures": 0,
        }
        self.stopping = False

    async def stream(self, source: str) -> None:
        conn = Connection(self.port, source, timeout=60)
        try:
            conn.reader, conn.writer = await asyncio.open_connection("127.0.0.1", self.port, local_addr=(source, 0))
            conn.writer.write(f"GET /api/v1/comparisons/{self.job_id}/events HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            status, _ = await asyncio.wait_for(conn.read_head(), 60)
        except (OSError, TimeoutError, asyncio.IncompleteReadError):
            self.stats["stream_failures"] += 1
            conn.close()
            return
        if status != 200:
            refused = self.stats["streams_refused"]
            refused[status] = refused.get(status, 0) + 1
            conn.close()
            return
        self.stats["streams_open"] += 1
        try:
            while await conn.reader.read(65536):  # keep-alive comments every 15 s
                pass
            if not self.stopping:
                self.stats["streams_ended"] += 1
        except OSError:
            if not self.stopping:
                self.stats["streams_ended"] += 1
        finally:
            self.stats["streams_open"] -= 1
            conn.close()

    async def slow_head(self, source: str) -> None:
        while not self.stopping:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", self.port, local_addr=(source, 0))
            except OSError:
                self.stats["slow_failures"] += 1
                await asyncio.sleep(0.5)
                continue
            self.stats["slow_connects"] += 1
            self.stats["slow_open"] += 1
            received = b""
            try:
                writer.write(b"GET /api/v1/papers HTTP/1.1\r\nHost: x\r\nX-Slow: ")
                while not self.stopping:
                    try:
                        chunk = await asyncio.wait_for(reader.read(4096), self.trickle)
                    except TimeoutError:
                        writer.write(b"a")
                        continue
                    if not chunk:
                        self.stats["slow_closed_by_server"] += 1
                        self.stats["slow_408"] += received.startswith(b"HTTP/1.1 408")
                        break
                    received += chunk
            except OSError:
                self.stats["slow_closed_by_server"] += 1
            finally:
                self.stats["slow_open"] -= 1
                writer.close()

    async def run(self, sse: int, slow: int, pipe: Pipe) -> None:
        tasks = []
        for i in range(sse):
            n = i // STREAMS_PER_ADDRESS
            tasks.append(asyncio.create_task(self.stream(f"127.0.{1 + n // 250}.{1 + n % 250}")))
            if i % 50 == 49:
                await asyncio.sleep(0.05)  # open in bursts of 50, as clients arriving
        for i in range(slow):
            tasks.append(asyncio.create_task(self.slow_head(f"127.0.{10 + i // 250}.{1 + i % 250}")))
            if i % 100 == 99:
                await asyncio.sleep(0.05)
        deadline = time.monotonic() + 120
        while (self.stats["streams_open"] + sum(self.stats["streams_refused"].values()) + self.stats["stream_failures"]
               < sse or self.stats["slow_connects"] < slow) and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        pipe.send(("ready", dict(self.stats)))
        while not pipe.poll():
            await asyncio.sleep(0.2)
        pipe.send(("final", dict(self.stats)))  # before closing: what was held until now
        self.stopping = True
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def hostile_process(port: int, job_id: str, sse: int, slow: int, trickle: float, pipe: Pipe) -> None:
    raise_open_files()
    asyncio.run(Hostile(port, job_id, trickle).run(sse, slow, pipe))


# --- the run -------------------------------------------------------------------------------------------------


def post_json(port: int, path: str, body: dict[str, Any]) -> dict[str, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("POST", path, json.dumps(body), {"Content-Type": "application/json"})
    response = conn.getresponse()
    data = json.loads(response.read())
    assert response.status in (200, 201, 202), (response.status, data)
    return dict(data)


def profile(pid: int, seconds: float, out: str) -> subprocess.Popen[bytes]:
    """py-spy (PY_SPY, else on PATH) recording ``pid`` for ``seconds``, in py-spy's raw (collapsed stack) format."""
    binary = os.environ.get("PY_SPY") or shutil.which("py-spy") or "py-spy"
    return subprocess.Popen([binary, "record", "-p", str(pid), "-d", str(int(seconds)), "-f", "raw", "-o", out,
                             "--nonblocking"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def summary(latencies: list[float]) -> str:
    return f"{len(latencies):,} | {percentile(latencies, 0.5):.1f} | {percentile(latencies, 0.99):.1f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each measured phase")
    parser.add_argument("--sse", type=int, default=1000, help="live-progress streams held")
    parser.add_argument("--slow", type=int, default=3000, help="slow-header connections held")
    parser.add_argument("--trickle", type=float, default=2.0, help="seconds between a slow head's bytes")
    parser.add_argument("--profile", metavar="FILE", help="py-spy the server through the loaded phase (raw format)")
    args = parser.parse_args()
    limit = raise_open_files()
    print(run_header(f".venv/bin/python benchmarks/hostile.py {' '.join(sys.argv[1:])}".rstrip()))
    env = {
        "ACTLAB_EMBEDDED_WORKER": "false",  # the followed comparison stays queued, its streams open
        "ACTLAB_PRERENDER_AT_START": "false",  # the warm-up below renders what is measured, and then it is quiet
        "ACTLAB_RATE_LIMIT_READS_PER_MINUTE": "10000000",
    }
    with serve(args.database, env) as server:
        job = post_json(server.port, "/api/v1/comparisons", {"kind": "quality", "device": "cpu"})
        normal_client(server.port, 2.0)  # every path answered (and cached) once before the clock starts
        idle, idle_errors = normal_client(server.port, args.seconds)
        ours, theirs = multiprocessing.Pipe()
        attacker = multiprocessing.Process(
            target=hostile_process, args=(server.port, job["id"], args.sse, args.slow, args.trickle, theirs)
        )
        attacker.start()
        if not ours.poll(180):
            raise SystemExit("the hostile clients did not open their connections in 180 s")
        _, ready = ours.recv()
        accepting = time.monotonic()  # connected is not yet accepted: wait until the server holds (nearly) all
        while server.open_files() < 0.95 * (args.sse + args.slow) and time.monotonic() - accepting < 120:
            time.sleep(0.2)
        accepted_in = time.monotonic() - accepting
        held_at_start = server.open_files()
        profiler = profile(server.proc.pid, args.seconds, args.profile) if args.profile else None
        loaded, loaded_errors = normal_client(server.port, args.seconds)
        if profiler is not None:
            profiler.wait(timeout=60)
        held_at_end, rss = server.open_files(), server.rss_mb()
        ours.send("stop")
        _, final = ours.recv()
        attacker.join(timeout=60)
    ratio = percentile(loaded, 0.5) / percentile(idle, 0.5)
    stream_errors = sum(final["streams_refused"].values()) + final["stream_failures"] + final["streams_ended"]
    errors = len(idle_errors) + len(loaded_errors) + stream_errors + final["slow_failures"]
    print(f"Database: {args.database}; one `actlab serve` process (no embedded worker); client open-file limit "
          f"{limit}. Normal client: sequential GETs over {len(PATHS)} pages and JSON endpoints, a new connection "
          f"each, {args.seconds:.0f} s per phase.\n")
    print("| Phase | requests | p50 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|")
    print(f"| idle | {summary(idle)} | {len(idle_errors)} |")
    print(f"| {final['streams_open']:,} SSE streams + {final['slow_open']:,} slow heads held | {summary(loaded)} | "
          f"{len(loaded_errors)} |")
    print(f"\np50 ratio loaded/idle: {ratio:.2f} (target <= 2)")
    print(f"Streams: {ready['streams_open']} open when the loaded phase began, {final['streams_open']} at its end; "
          f"refused {final['streams_refused'] or 0}, failed {final['stream_failures']}, ended early "
          f"{final['streams_ended']}.")
    print(f"Slow heads: {final['slow_connects']:,} connections opened ({args.slow:,} held at a time, a byte every "
          f"{args.trickle:g} s), {final['slow_closed_by_server']:,} closed by the server at the head deadline "
          f"({final['slow_408']:,} with a 408), {final['slow_failures']} failed to connect.")
    print(f"Server: {held_at_start:,} open files when the loaded phase began ({accepted_in:.1f} s after the hostile "
          f"clients had connected), {held_at_end:,} at its end; RSS {rss:.0f} MB.")
    if idle_errors or loaded_errors:
        print("First errors:", (idle_errors + loaded_errors)[:3])
    ok = errors == 0 and ratio <= 2
    print(f"errors: {errors}; {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
