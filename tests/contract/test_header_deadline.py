"""A real `actlab serve` closes a connection whose request head trickles in past
ACTLAB_HTTP_HEADER_TIMEOUT_SECONDS (408, problem+json), on a new connection and between keep-alive requests, and
hundreds of such connections neither exhaust its open files nor keep a normal client from being answered."""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
HEAD_TIMEOUT = 1.0
#: The server's open-file limit: with the reserve of app/http/header_deadline.py, about 300 connections fit.
OPEN_FILES = 400
#: Generous: the deadline is a timer on the server's event loop, which a loaded test machine may run late.
MARGIN = 20.0
START_SECONDS = 120


@dataclass
class Server:
    base: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    def open_files(self) -> int:
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _limit_open_files() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (OPEN_FILES, OPEN_FILES))


@pytest.fixture(scope="module")
def server(seeded_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("head-deadline")
    shutil.copyfile(seeded_template, tmp / "actlab.db")
    port = _free_port()
    env = {
        **os.environ,
        "ACTLAB_ENVIRONMENT": "test",
        "ACTLAB_DATABASE_URL": f"sqlite:///{tmp / 'actlab.db'}",
        "ACTLAB_HOST": "127.0.0.1",
        "ACTLAB_PORT": str(port),
        "ACTLAB_HTTP_HEADER_TIMEOUT_SECONDS": str(HEAD_TIMEOUT),
        "ACTLAB_RATE_LIMIT_READS_PER_MINUTE": "1000000",
    }
    log = tmp / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "app.cli", "serve"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=_limit_open_files,
        )
    running = Server(f"http://127.0.0.1:{port}", port, proc, log)
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                with urllib.request.urlopen(f"{running.base}/readyz", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert proc.poll() is None, log.read_text()[-4000:]
            assert time.monotonic() < deadline, f"not ready in {START_SECONDS} s: {log.read_text()[-4000:]}"
            time.sleep(0.2)
        yield running
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


def _trickle_until_closed(
    sock: socket.socket, byte: bytes, started: float, normal: httpx.Client | None = None
) -> tuple[float, bytes]:
    """Send ``byte`` every 0.1 s until the server closes the connection; the seconds since ``started`` and what
    came back. Meanwhile ``normal`` asks for /healthz on a fresh connection each time, and must get 200."""
    sock.settimeout(0.1)
    received = b""
    while time.monotonic() - started < HEAD_TIMEOUT + MARGIN:
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            sock.sendall(byte)
            if normal is not None:
                assert normal.get("/healthz", headers={"connection": "close"}).status_code == 200
            continue
        except ConnectionResetError:
            break
        if not chunk:
            break
        received += chunk
    return time.monotonic() - started, received


def _assert_408(received: bytes) -> None:
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 408 "), received[:200]
    assert b"content-type: application/problem+json" in head.lower() and b"connection: close" in head.lower()
    problem = json.loads(body)
    assert problem["status"] == 408 and problem["errors"][0]["loc"] == ["header"]
    assert problem["errors"][0]["limit"] == HEAD_TIMEOUT


def test_a_trickled_head_is_closed_past_the_deadline_while_a_normal_client_is_answered(server: Server) -> None:
    started = time.monotonic()  # before the connection opens: its deadline starts then
    with socket.create_connection(("127.0.0.1", server.port)) as sock, httpx.Client(base_url=server.base) as normal:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        elapsed, received = _trickle_until_closed(sock, b"a", started, normal)
    assert HEAD_TIMEOUT <= elapsed < HEAD_TIMEOUT + MARGIN, f"still open after {elapsed:.1f} s"
    _assert_408(received)


def test_the_next_head_on_a_keep_alive_connection_has_the_same_deadline(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        first = b""
        while b'"status":"ok"' not in first:
            chunk = sock.recv(65536)
            assert chunk, first
            first += chunk
        assert first.startswith(b"HTTP/1.1 200 ")
        sock.sendall(b"G")  # a byte of the next head stops the keep-alive timer; the head deadline remains
        elapsed, received = _trickle_until_closed(sock, b"E", time.monotonic())
    assert elapsed < HEAD_TIMEOUT + MARGIN, f"still open after {elapsed:.1f} s"
    _assert_408(received)


def test_a_connection_that_sends_nothing_is_closed_without_a_response(server: Server) -> None:
    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.settimeout(HEAD_TIMEOUT + MARGIN)
        assert sock.recv(65536) == b""


def _still_open(sock: socket.socket) -> bool:
    """Whether the server has not closed ``sock`` (what it sent before closing, a 408, is read and dropped)."""
    try:
        while sock.recv(65536, socket.MSG_DONTWAIT):
            pass
    except BlockingIOError:
        return True  # nothing more to read, and no end of stream: open
    except OSError:
        return False
    return False


def test_hundreds_of_slow_heads_neither_exhaust_open_files_nor_starve_a_normal_client(server: Server) -> None:
    sockets: list[socket.socket] = []
    try:
        with httpx.Client(base_url=server.base) as normal:
            for i in range(OPEN_FILES + 100):  # more than the server's open files, let alone its cap
                sock = socket.create_connection(("127.0.0.1", server.port))
                sock.sendall(b"GET /api/v1/papers HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
                sockets.append(sock)
                if i % 50 == 0:
                    assert server.open_files() < OPEN_FILES
                    for path in ("/healthz", "/api/v1/papers"):
                        assert normal.get(path, headers={"connection": "close"}).status_code == 200
            assert server.open_files() < OPEN_FILES
            open_now = sum(_still_open(s) for s in sockets)
            assert open_now < OPEN_FILES, "the server kept more connections than its open files allow"
            for _ in range(5):
                assert normal.get("/api/v1/papers", headers={"connection": "close"}).status_code == 200
            deadline = time.monotonic() + HEAD_TIMEOUT + MARGIN
            while any(_still_open(s) for s in sockets):  # every slow head is closed by its deadline
                assert time.monotonic() < deadline, f"{sum(_still_open(s) for s in sockets)} slow heads still open"
                time.sleep(0.1)
        log = server.log.read_text()
        assert "Too many open files" not in log and "out of system resource" not in log
        assert f"open-file limit {OPEN_FILES}" in log  # serve says it lowered the connection cap to fit
    finally:
        for sock in sockets:
            sock.close()
