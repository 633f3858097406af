"""Live-progress streams cannot starve the service: one database poll per followed job and interval
whatever the number of streams, no request thread held by an open stream, caps per client and per
server (429 with Retry-After), and an idle stream ends by itself."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio.to_thread
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.http.event_feeds import Event, JobFeeds
from app.main import create_app
from tests.conftest import sqlite_settings

SPEED = {"kind": "speed", "tokens": 256, "d_model": 64}  # stays queued: no worker runs in these tests


class FakeJob:
    """A job whose events appear as the test appends them, counting the reads of the feed."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.status = "running"
        self.reads = 0
        self.lock = threading.Lock()

    def add(self, n: int) -> None:
        with self.lock:
            base = len(self.events)
            self.events += [(base + i + 1, "progress", {"step": base + i + 1}) for i in range(n)]

    def read(self, job_id: str, after: int) -> tuple[list[Event], str]:
        with self.lock:
            self.reads += 1
            return [e for e in self.events if e[0] > after][:500], self.status


def feeds_for(job: FakeJob, **overrides: Any) -> JobFeeds:
    options: dict[str, Any] = {
        "poll_seconds": 0.02, "idle_timeout_seconds": 60.0, "max_per_client": 10_000, "max_streams": 10_000,
    }
    return JobFeeds(job.read, **(options | overrides))


async def collect(feeds: JobFeeds, start: int = 0) -> list[int]:
    seen: list[int] = []
    async for batch in feeds.subscribe("job", start, ("succeeded",)):
        seen += [seq for seq, _, _ in batch]
    return seen


def test_many_streams_of_one_job_share_one_poll_per_interval() -> None:
    job = FakeJob()
    feeds = feeds_for(job)

    async def scenario() -> list[list[int]]:
        streams = [asyncio.create_task(collect(feeds)) for _ in range(300)]
        for _ in range(5):
            job.add(7)
            await asyncio.sleep(0.03)
        job.status = "succeeded"
        return await asyncio.gather(*streams)

    received = asyncio.run(scenario())
    feeds.close()
    assert all(seqs == list(range(1, 36)) for seqs in received)  # every stream got every event, in order
    # One read per poll of the one feed, not one per stream: 300 streams polling would be >= 300 reads.
    assert job.reads < 60, job.reads


def test_a_stream_resuming_from_further_back_than_the_feed_remembers_gets_everything() -> None:
    job = FakeJob()
    job.add(20)
    feeds = feeds_for(job, remember=3)

    async def scenario() -> tuple[list[int], list[int]]:
        first = asyncio.create_task(collect(feeds, start=15))
        await asyncio.sleep(0.1)  # the feed now remembers only the newest events
        late = asyncio.create_task(collect(feeds, start=2))
        await asyncio.sleep(0.1)
        job.add(2)
        await asyncio.sleep(0.1)
        job.status = "succeeded"
        return await first, await late

    first, late = asyncio.run(scenario())
    feeds.close()
    assert first == list(range(16, 23)) and late == list(range(3, 23))


def test_an_idle_stream_ends() -> None:
    job = FakeJob()
    feeds = feeds_for(job, idle_timeout_seconds=0.2)
    assert asyncio.run(asyncio.wait_for(collect(feeds), timeout=30)) == []
    feeds.close()


@pytest.fixture
def capped_app(db_path: Path) -> Iterator[tuple[FastAPI, str]]:
    app = create_app(sqlite_settings(db_path, sse_max_streams_per_client=2, sse_max_streams=3))
    with TestClient(app) as client:
        created = client.post("/api/v1/comparisons", json=SPEED)
        assert created.status_code in (200, 202), created.text
    yield app, created.json()["id"]
    app.state.engine.dispose()


class Stream:
    """One GET on the ASGI app from ``client``, kept open until ``close``."""

    def __init__(self, app: FastAPI, path: str, client: str) -> None:
        self.gone = asyncio.Event()
        self.start: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self.body = b""
        self.received = 0
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
            "headers": [(b"host", b"testserver")], "client": (client, 1234), "server": ("testserver", 80),
        }
        self.task = asyncio.create_task(app(scope, self.receive, self.send))

    async def receive(self) -> dict[str, Any]:
        self.received += 1
        if self.received == 1:
            return {"type": "http.request", "body": b"", "more_body": False}
        await self.gone.wait()
        return {"type": "http.disconnect"}

    async def send(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start" and not self.start.done():
            self.start.set_result(message)
        self.body += message.get("body", b"")

    async def status(self) -> int:
        return int((await asyncio.wait_for(asyncio.shield(self.start), timeout=30))["status"])

    async def close(self) -> None:
        self.gone.set()
        await asyncio.wait_for(self.task, timeout=30)


def test_streams_are_capped_per_client_and_per_server_and_hold_no_request_thread(
    capped_app: tuple[FastAPI, str],
) -> None:
    app, job_id = capped_app
    path = f"/api/v1/comparisons/{job_id}/events"

    async def scenario() -> None:
        a1, a2 = Stream(app, path, "10.0.0.1"), Stream(app, path, "10.0.0.1")
        assert [await a1.status(), await a2.status()] == [200, 200]
        a3 = Stream(app, path, "10.0.0.1")
        assert await a3.status() == 429  # this client's cap
        await a3.task
        headers = dict((await a3.start)["headers"])
        assert headers[b"retry-after"] == b"5" and headers[b"content-type"] == b"application/problem+json"
        b1 = Stream(app, path, "10.0.0.2")
        assert await b1.status() == 200
        c1 = Stream(app, path, "10.0.0.3")
        assert await c1.status() == 429  # the server's cap
        await c1.task

        # Three open streams, and not one thread of the request pool is taken by them.
        while app.state.job_feeds.feed(job_id) is None or app.state.job_feeds.feed(job_id).polls < 2:
            await asyncio.sleep(0.02)
        assert anyio.to_thread.current_default_thread_limiter().borrowed_tokens == 0
        threads = Stream(app, "/api/v1/threads", "10.0.0.4")
        assert await threads.status() == 200
        await threads.task

        await a1.close()  # a closed stream gives its slot back
        a4 = Stream(app, path, "10.0.0.1")
        assert await a4.status() == 200
        for stream in (a2, b1, a4):
            await stream.close()
        assert b"event: status" in a2.body and b"retry: 2000" in a2.body
        assert app.state.job_feeds.slots.count == 0

    asyncio.run(scenario())


def test_the_stream_of_a_job_with_no_news_ends_after_the_idle_timeout(db_path: Path) -> None:
    app = create_app(sqlite_settings(db_path, sse_idle_timeout_seconds=0.3))
    with TestClient(app) as client:
        job_id = client.post("/api/v1/comparisons", json=SPEED).json()["id"]
        response = client.get(f"/api/v1/comparisons/{job_id}/events")  # returns only once the stream ended
        assert response.status_code == 200
        assert "event: status" in response.text and '"status":"queued"' in response.text
    app.state.engine.dispose()
