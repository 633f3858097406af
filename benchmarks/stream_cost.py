"""What open, idle live-progress streams cost the server: CPU seconds per second of wall clock.

The app (create_app, on a freshly migrated and seeded SQLite file) is driven in-process over ASGI, the way
uvicorn speaks to it (ASGI spec 2.3), by ``--streams`` clients following one queued comparison (no worker
runs, so no event comes: what is measured is the streams' own upkeep — the shared poller, the ticks and the
disconnect watching). After every stream has its head and the poller has answered three times, the process's
CPU time is measured over ``--seconds``; then every client leaves and the time until all streams have ended
and given their slots back is printed. ``receive() calls`` counts how often the app asked the clients for a
message (2 per stream when it only waits for the client to leave).

Usage: .venv/bin/python benchmarks/stream_cost.py [--streams 500] [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.cli.common import migrate, seed
from app.config import Settings
from app.main import create_app
from benchmarks._server import machine_description

SPEED = {"kind": "speed", "tokens": 256, "d_model": 64}


class Client:
    """One stream request that stays until ``left`` is set."""

    def __init__(self, app: FastAPI, path: str) -> None:
        self.left = asyncio.Event()
        self.receives = 0
        self.status: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        scope = {
            "type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
            "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
            "root_path": "", "headers": [(b"host", b"bench")], "client": ("10.0.0.1", 1234),
            "server": ("bench", 80),
        }
        self.task = asyncio.create_task(app(scope, self.receive, self.send))

    async def receive(self) -> dict[str, Any]:
        self.receives += 1
        if self.receives == 1:
            return {"type": "http.request", "body": b"", "more_body": False}
        await self.left.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start" and not self.status.done():
            self.status.set_result(int(message["status"]))


async def measure(app: FastAPI, job_id: str, streams: int, seconds: float) -> str:
    clients = [Client(app, f"/api/v1/comparisons/{job_id}/events") for _ in range(streams)]
    statuses = {await c.status for c in clients}
    if statuses != {200}:
        raise SystemExit(f"streams answered {statuses}")
    feeds = app.state.job_feeds
    while feeds.feed(job_id) is None or feeds.feed(job_id).polls < 3:
        await asyncio.sleep(0.05)
    wall, cpu = time.monotonic(), time.process_time()
    await asyncio.sleep(seconds)
    wall, cpu = time.monotonic() - wall, time.process_time() - cpu
    left = time.monotonic()
    for c in clients:
        c.left.set()
    await asyncio.wait_for(asyncio.gather(*(c.task for c in clients)), timeout=60)
    ended = time.monotonic() - left
    return (f"{streams} streams, {wall:.2f} s: CPU {cpu:.3f} s ({100 * cpu / wall:.1f} % of one core); "
            f"receive() calls {sum(c.receives for c in clients):,}; all ended {ended:.2f} s after their "
            f"clients left, {feeds.slots.count} slots still taken")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--streams", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        overrides: dict[str, Any] = {
            "database_url": f"sqlite:///{Path(tmp) / 'bench.db'}", "environment": "test",
            "sse_max_streams_per_client": args.streams, "sse_max_streams": args.streams,
        }
        settings = Settings(**overrides)
        migrate(settings)
        seed(settings)
        app = create_app(settings)
        with TestClient(app) as client:
            job_id = client.post("/api/v1/comparisons", json=SPEED).json()["id"]
        print(f"Machine: {machine_description()}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(asyncio.run(measure(app, job_id, args.streams, args.seconds)))
        app.state.engine.dispose()


if __name__ == "__main__":
    main()
