"""What the load benchmarks share: `actlab serve` on a fresh SQLite file or a fresh PostgreSQL database, a small
asyncio HTTP/1.1 client (keep-alive, Content-Length and chunked bodies; no per-request threads, so thousands of
connections fit in one process) and the figures printed with each run."""

from __future__ import annotations

import asyncio
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks._server import free_port, machine_description

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("ACTLAB_TEST_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def raise_open_files() -> int:
    """Raise this process's soft open-file limit to its hard limit (thousands of client sockets); the new limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


@contextmanager
def fresh_database(kind: str, tmp: Path) -> Iterator[str]:
    """The SQLAlchemy URL of an empty database: a SQLite file under ``tmp``, or a new PostgreSQL database on the
    machine's server (dropped afterwards)."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp / 'bench.db'}"
        return
    import psycopg

    name = f"actlab_bench_{uuid.uuid4().hex[:12]}"
    admin = PG_ADMIN_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Server:
    base: str
    port: int
    proc: subprocess.Popen[bytes]
    log: Path

    def open_files(self) -> int:
        return len(os.listdir(f"/proc/{self.proc.pid}/fd"))

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")


@contextmanager
def serve(database: str, extra_env: dict[str, str] | None = None) -> Iterator[Server]:
    """`actlab serve` on a fresh database of ``database`` (sqlite or postgres); see :func:`serve_url`."""
    with (
        tempfile.TemporaryDirectory(prefix="actlab-bench-") as tmp,
        fresh_database(database, Path(tmp)) as url,
        serve_url(url, extra_env) as server,
    ):
        yield server


@contextmanager
def serve_url(url: str, extra_env: dict[str, str] | None = None, log_to: Path | None = None) -> Iterator[Server]:
    """`actlab serve` on the database at ``url``, ready (/readyz) when yielded; its log is kept in a file (a pipe
    nobody reads would stall it), copied to ``log_to`` when given; the server and its worker stop on exit."""
    with tempfile.TemporaryDirectory(prefix="actlab-serve-") as tmp:
        port = free_port()
        env = {
            **os.environ,
            "ACTLAB_DATABASE_URL": url,
            "ACTLAB_LOG_LEVEL": "warning",
            "ACTLAB_PORT": str(port),
            **(extra_env or {}),
        }
        log = Path(tmp) / "serve.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "app.cli", "serve"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = Server(f"http://127.0.0.1:{port}", port, proc, log)
        try:
            deadline = time.monotonic() + 180
            while True:
                try:
                    with urllib.request.urlopen(f"{server.base}/readyz", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"actlab serve did not become ready:\n{log.read_text()[-3000:]}")
                time.sleep(0.2)
            yield server
        finally:
            with_problems = [line for line in log.read_text(errors="replace").splitlines()
                             if "Traceback" in line or "ERROR" in line or "Too many open files" in line]
            if with_problems:
                print(f"server log: {len(with_problems)} error lines, first: {with_problems[0][:300]}", file=sys.stderr)
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
            except ProcessLookupError:
                pass
            if log_to is not None:
                shutil.copyfile(log, log_to)


class HttpError(Exception):
    """The connection failed or the response could not be read."""


class Connection:
    """One keep-alive HTTP/1.1 connection (reopened after a ``Connection: close`` or an error).

    Like a browser or urllib3, it does not send a request on a connection that the server has closed (its FIN
    has arrived) or may be closing: one idle for ``max_idle`` seconds or more, set below the server's keep-alive
    timeout (ACTLAB_HTTP_KEEP_ALIVE_TIMEOUT_SECONDS, 5 s by default), is closed and a new one opened. Otherwise
    the server's timer and the request cross on the wire and the request meets a reset: a race of the client's
    making, not a request the server dropped. Every failure still counts, and says how the connection had been
    used (the request's number on it, how long it had been idle, whether the server had closed it already)."""

    def __init__(self, port: int, source: str | None = None, timeout: float = 30.0, max_idle: float = 4.0) -> None:
        self.port, self.source, self.timeout, self.max_idle = port, source, timeout, max_idle
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.served = 0  # responses read on the current socket
        self.idle_since = time.monotonic()

    async def _open(self) -> None:
        local = (self.source, 0) if self.source else None
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port, local_addr=local)
        self.served = 0

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(
        self, method: str, target: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        """Status and body; an :class:`HttpError` on a failed connection or a response past ``timeout``."""
        idle = time.monotonic() - self.idle_since
        if self.reader is not None and (self.reader.at_eof() or idle >= self.max_idle):
            self.close()  # closed by the server, or idle long enough that its keep-alive timer may fire now
        reused = self.writer is not None
        closed_before = self.reader is not None and self.reader.at_eof()
        served = self.served
        try:
            return await asyncio.wait_for(self._request(method, target, body, headers or {}), self.timeout)
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as exc:
            self.close()
            how = (f"request {served + 1} on a kept-alive connection idle {idle:.2f} s, closed by the server before "
                   f"it was written: {closed_before}" if reused else "request 1 on a new connection")
            raise HttpError(f"{method} {target}: {exc!r} ({how})") from exc
        finally:
            self.idle_since = time.monotonic()

    async def _request(self, method: str, target: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        if self.writer is None:
            await self._open()
        assert self.reader is not None and self.writer is not None
        head = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
        head += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        status, fields = await self.read_head()
        if fields.get("transfer-encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                data += (await self.reader.readexactly(size + 2))[:-2]  # each chunk ends with CRLF
                if size == 0:
                    break
        elif method == "HEAD" or status in (204, 304):
            data = b""
        else:
            data = await self.reader.readexactly(int(fields.get("content-length", "0")))
        self.served += 1
        if fields.get("connection", "").lower() == "close":
            self.close()
        return status, data

    async def read_head(self) -> tuple[int, dict[str, str]]:
        assert self.reader is not None
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        fields = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                fields[name.strip().lower()] = value.strip()
        return status, fields


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def run_header(command: str) -> str:
    """Machine, date, command and load average, printed with every result."""
    load = os.getloadavg()
    return (
        f"Machine: {machine_description()}; date {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
        f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (before the run)\nCommand: {command}"
    )
