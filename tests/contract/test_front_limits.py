"""Limits in front of the routes for a server exposed directly: oversized or too many headers (431), an
overlong request target (414), too many requests at once (503 with Retry-After), and no redirect that
carries the Host header a client sent."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.http.front_limits import FrontLimitsMiddleware
from tests.conftest import open_client, sqlite_settings
from tests.jobs.test_durability import Servers


@pytest.fixture
def limited(db_path: Path) -> Iterator[TestClient]:
    with open_client(sqlite_settings(db_path, http_max_headers=20, http_max_header_bytes=4096)) as client:
        yield client


def test_too_many_or_too_large_headers_are_431(limited: TestClient) -> None:
    many = limited.get("/api/v1/papers", headers={f"x-h{i}": "1" for i in range(30)})
    assert many.status_code == 431 and many.headers["content-type"] == "application/problem+json"
    large = limited.get("/api/v1/papers", headers={"x-big": "a" * 5000})
    assert large.status_code == 431
    assert limited.get("/api/v1/papers", headers={"x-ok": "a" * 100}).status_code == 200


def test_an_overlong_request_target_is_414(client: TestClient) -> None:
    response = client.get("/api/v1/papers", params={"q": "a" * 17_000})
    assert response.status_code == 414 and response.json()["status"] == 414


def test_a_redirect_never_carries_the_host_the_client_sent(client: TestClient) -> None:
    response = client.get("/api/v1/papers/", headers={"host": "evil.example"}, follow_redirects=False)
    assert response.status_code in (307, 308)
    assert "evil.example" not in response.headers["location"]
    assert response.headers["location"].startswith("/api/v1/papers")


def test_requests_past_the_concurrency_limit_get_503_with_retry_after(db_path: Path) -> None:
    release = asyncio.Event()

    async def slow(scope: Any, receive: Any, send: Any) -> None:
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    limits = FrontLimitsMiddleware(slow, sqlite_settings(db_path, http_max_concurrent_requests=2))

    async def request(path: str = "/x") -> int:
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        scope = {"type": "http", "method": "GET", "path": path, "raw_path": path.encode(), "query_string": b"",
                 "headers": [(b"host", b"testserver")]}
        await limits(scope, receive, send)
        start = sent[0]
        if start["status"] == 503:
            assert dict(start["headers"])[b"retry-after"] == b"1"
        return int(start["status"])

    async def scenario() -> list[int]:
        first = [asyncio.create_task(request()) for _ in range(2)]
        await asyncio.sleep(0.05)
        refused = await request()
        stream = asyncio.create_task(request("/api/v1/comparisons/abc/events"))  # streams have their own caps
        await asyncio.sleep(0.05)
        release.set()
        return [refused, *(await asyncio.gather(*first, stream))]

    assert asyncio.run(scenario()) == [503, 200, 200, 200]


def test_a_32_mb_header_is_refused_by_actlab_serve(db_path: Path, tmp_path: Path) -> None:
    servers = Servers()
    try:
        server = servers.start(f"sqlite:///{db_path}", tmp_path / "serve.log", ACTLAB_EMBEDDED_WORKER="false")
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
            sock.sendall(b"GET /api/v1/papers HTTP/1.1\r\nHost: x\r\nX-Big: ")
            answer = b""
            try:
                for _ in range(32 * 1024):  # 32 MB in 1 KiB writes; the server stops reading long before
                    sock.sendall(b"a" * 1024)
                sock.sendall(b"\r\n\r\n")
                answer = sock.recv(65536)
            except (ConnectionResetError, BrokenPipeError):
                answer = b""  # refused by the parser: the connection is closed
        assert answer == b"" or answer.split(b" ", 2)[1] in (b"400", b"431"), answer[:200]
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:  # still serving
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            assert sock.recv(65536).startswith(b"HTTP/1.1 200")
    finally:
        servers.kill_all()
