"""A live-progress stream notices that its client left without asking at every tick: one waiting
``receive()`` per stream, whatever ASGI version the server speaks, and the slot is free once it left."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.main import create_app
from tests.conftest import sqlite_settings

SPEED = {"kind": "speed", "tokens": 256, "d_model": 64}  # stays queued: no worker runs in these tests


@pytest.fixture
def followed(db_path: Path) -> Iterator[tuple[FastAPI, str]]:
    app = create_app(sqlite_settings(db_path, sse_poll_seconds=0.02, sse_max_streams_per_client=1))
    with TestClient(app) as client:
        created = client.post("/api/v1/comparisons", json=SPEED)
        assert created.status_code in (200, 202), created.text
    yield app, created.json()["id"]
    app.state.engine.dispose()


class Client:
    """One stream request on the ASGI app, speaking ``spec_version``; it leaves when told to."""

    def __init__(self, app: FastAPI, path: str, spec_version: str) -> None:
        self.left = asyncio.Event()
        self.status: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self.receives = 0
        self.body = b""
        scope = {
            "type": "http", "asgi": {"version": "3.0", "spec_version": spec_version}, "http_version": "1.1",
            "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"",
            "root_path": "", "headers": [(b"host", b"testserver")], "client": ("10.0.0.9", 1234),
            "server": ("testserver", 80),
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
        self.body += message.get("body", b"")


@pytest.mark.parametrize("spec_version", ["2.3", "2.4"])
def test_a_client_that_leaves_frees_its_slot_and_is_not_polled(
    followed: tuple[FastAPI, str], spec_version: str
) -> None:
    app, job_id = followed
    path = f"/api/v1/comparisons/{job_id}/events"
    feeds = app.state.job_feeds

    async def scenario() -> None:
        first = Client(app, path, spec_version)
        assert await asyncio.wait_for(first.status, timeout=30) == 200
        while feeds.feed(job_id) is None or feeds.feed(job_id).polls < 20:  # the stream woke 20 times
            await asyncio.sleep(0.02)
        # The request body, then one receive() waiting for the client to leave: none asked per wake-up.
        assert first.receives == 2
        assert b"event: status" in first.body

        refused = Client(app, path, spec_version)  # this client's one slot is taken
        assert await asyncio.wait_for(refused.status, timeout=30) == 429
        await asyncio.wait_for(refused.task, timeout=30)

        first.left.set()
        await asyncio.wait_for(first.task, timeout=30)  # the stream ended because its client left
        assert feeds.slots.count == 0
        again = Client(app, path, spec_version)
        assert await asyncio.wait_for(again.status, timeout=30) == 200
        again.left.set()
        await asyncio.wait_for(again.task, timeout=30)
        assert feeds.slots.count == 0

    asyncio.run(scenario())
