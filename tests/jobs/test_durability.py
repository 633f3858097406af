"""Durability with real processes: `actlab serve` (API + embedded worker) SIGKILLed mid-traffic and
restarted, on SQLite and PostgreSQL; graceful shutdown on SIGTERM and SIGINT; the wall-clock limit per job.

With CI=true an unreachable PostgreSQL fails the PostgreSQL case (``pg_url``), it is never skipped.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text

from app.config import PROJECT_ROOT, Settings
from app.db import create_db_engine, make_session_factory
from app.jobs import local, queue, runner
from app.orm import Job, JobEvent, Post, Thread
from tests.conftest import sqlite_settings
from tests.jobs.test_comparisons import FAST_WORKER, TINY, wait_for

ACTLAB = Path(sys.executable).with_name("actlab")
#: Settings every server of these tests runs with: fast worker cadence, no rate limits in the way.
SERVER_ENV = {
    "ACTLAB_ENVIRONMENT": "test",
    "ACTLAB_LOG_LEVEL": "info",
    "ACTLAB_LOG_FORMAT": "text",
    "ACTLAB_RATE_LIMIT_WRITES_PER_MINUTE": "1000000",
    "ACTLAB_RATE_LIMIT_READS_PER_MINUTE": "1000000",
    "ACTLAB_WORKER_PROCESSES": "1",
    "ACTLAB_WORKER_POLL_SECONDS": "0.2",
    "ACTLAB_WORKER_HEARTBEAT_SECONDS": "0.3",
    "ACTLAB_WORKER_STALE_SECONDS": "3",
    "ACTLAB_JOB_EVENT_FLUSH_SECONDS": "0.2",
    "ACTLAB_JOB_CANCEL_POLL_SECONDS": "0.1",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """One `actlab serve` process, leader of its own process group (server, worker, training children)."""

    proc: subprocess.Popen[bytes]
    port: int
    log: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def worker_pid(self) -> int:
        for line in self.log_text().splitlines():
            if line.startswith("comparison worker started (pid "):
                return int(line.split("pid ", 1)[1].rstrip(")"))
        raise AssertionError(f"no worker pid in the log:\n{self.log_text()[-3000:]}")


@dataclass
class Servers:
    started: list[Server] = field(default_factory=list)

    def start(
        self, database_url: str, log: Path, port: int | None = None, cwd: Path = PROJECT_ROOT, **env: str
    ) -> Server:
        port = port or free_port()
        environment = {
            **os.environ, **SERVER_ENV, **env, "ACTLAB_DATABASE_URL": database_url, "ACTLAB_PORT": str(port),
        }
        command = [str(ACTLAB), "serve"] if ACTLAB.exists() else [sys.executable, "-m", "app.cli", "serve"]
        with log.open("ab") as out:
            proc = subprocess.Popen(
                command, cwd=cwd, env=environment, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = Server(proc, port, log)
        self.started.append(server)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise AssertionError(f"actlab serve exited with {proc.returncode}:\n{server.log_text()[-3000:]}")
            try:
                if httpx.get(f"{server.base}/readyz", timeout=2).status_code == 200:
                    return server
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"actlab serve did not become ready:\n{server.log_text()[-3000:]}")

    def kill_all(self) -> None:
        for server in self.started:
            if server.proc.poll() is None or _group_alive(server.proc.pid):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(server.proc.pid, signal.SIGKILL)
                server.proc.wait(timeout=30)


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture
def servers() -> Iterator[Servers]:
    started = Servers()
    try:
        yield started
    finally:
        started.kill_all()


class Poster(threading.Thread):
    """Writes threads and replies over HTTP in a loop and remembers every post the server acknowledged."""

    def __init__(self, base: str) -> None:
        super().__init__(daemon=True)
        self.base = base
        self.stop = threading.Event()
        self.acked: list[dict[str, Any]] = []  # {"thread_id", "post_id", "body"}
        self.refused = 0
        self.lock = threading.Lock()

    def count(self) -> int:
        with self.lock:
            return len(self.acked)

    def run(self) -> None:
        n = 0
        with httpx.Client(base_url=self.base, timeout=10) as client:
            while not self.stop.is_set():
                n += 1
                body = f"post {n} written at {time.time():.6f}"
                try:
                    last = self.acked[-1] if self.acked else None
                    if last is None or n % 5 == 0:
                        answer = client.post("/api/v1/threads", json={"title": f"durability {n}", "body": body})
                        if answer.status_code == 201:
                            doc = answer.json()
                            self._ack(doc["id"], doc["posts"][0]["id"], body)
                    else:
                        answer = client.post(
                            f"/api/v1/threads/{last['thread_id']}/posts",
                            json={"body": body, "parent_id": last["post_id"]},
                        )
                        if answer.status_code == 201:
                            self._ack(last["thread_id"], answer.json()["id"], body)
                    if answer.status_code != 201:
                        self.refused += 1
                except httpx.HTTPError:  # the server is down: try again until it is back
                    self.refused += 1
                    time.sleep(0.05)

    def _ack(self, thread_id: int, post_id: int, body: str) -> None:
        with self.lock:
            self.acked.append({"thread_id": thread_id, "post_id": post_id, "body": body})


def job_status(base: str, job_id: str) -> dict[str, Any]:
    answer = httpx.get(f"{base}/api/v1/comparisons/{job_id}", timeout=10)
    assert answer.status_code == 200, answer.text
    data: dict[str, Any] = answer.json()
    return data


def flatten(posts: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for post in posts:
        yield post
        yield from flatten(post["replies"])


def crash_and_restart(servers: Servers, database_url: str, tmp_path: Path) -> None:
    """Post in a loop and run a comparison; SIGKILL the whole server process group mid-way; restart; check
    that every acknowledged post is there and the comparison completes (or fails with a reason)."""
    log = tmp_path / "serve.log"
    first = servers.start(database_url, log)
    created = httpx.post(f"{first.base}/api/v1/comparisons", json={**TINY, "steps": 400}, timeout=10)
    assert created.status_code == 202, created.text
    job_id = created.json()["id"]
    poster = Poster(first.base)
    poster.start()
    try:
        wait_for(
            lambda: poster.count() >= 15 and job_status(first.base, job_id)["done_steps"] > 0,
            timeout=120, what="posts acknowledged and the comparison training",
        )
        assert job_status(first.base, job_id)["status"] == "running"
        os.killpg(first.proc.pid, signal.SIGKILL)  # the server, its worker and any training process
        first.proc.wait(timeout=30)
        wait_for(lambda: not _group_alive(first.proc.pid), timeout=30, what="the process group to die")
        acked_at_kill = poster.count()
        second = servers.start(database_url, log, port=first.port)
        wait_for(lambda: poster.count() >= acked_at_kill + 10, timeout=60, what="posts after the restart")
    finally:
        poster.stop.set()
        poster.join(timeout=30)
    assert poster.refused > 0, "the loop never saw the server down: the kill did not happen mid-traffic"

    final = wait_for(
        lambda: (s := job_status(second.base, job_id))["status"] in ("succeeded", "failed") and s,
        timeout=120, what="the interrupted comparison to end after the restart",
    )
    assert final["status"] == "succeeded" or final["error"], final
    assert final["status"] == "succeeded", final["error"]
    assert final["attempts"] == 2

    # Every acknowledged post is there, with its text, through the API of the restarted server.
    by_thread: dict[int, list[dict[str, Any]]] = {}
    for post in poster.acked:
        by_thread.setdefault(post["thread_id"], []).append(post)
    for thread_id, acked in by_thread.items():
        doc = httpx.get(f"{second.base}/api/v1/threads/{thread_id}", timeout=10).json()
        stored = {p["id"]: p["body"] for p in flatten(doc["posts"])}
        for post in acked:
            assert stored.get(post["post_id"]) == post["body"], (thread_id, post)
        assert doc["post_count"] == len(stored)

    # Stop it cleanly, then look at the database itself.
    second.proc.send_signal(signal.SIGTERM)
    assert second.proc.wait(timeout=60) == 0, second.log_text()[-3000:]
    settings = Settings(database_url=database_url, environment="test")
    engine = create_db_engine(settings)
    try:
        with make_session_factory(engine)() as session:
            assert session.scalar(select(func.count()).select_from(Job).where(Job.status == "running")) == 0
            statuses = [
                e.data["status"]
                for e in session.scalars(select(JobEvent).where(JobEvent.job_id == job_id).order_by(JobEvent.seq))
                if e.type == "status"
            ]
            assert statuses == ["queued", "running", "queued", "running", "succeeded"], statuses
            requeue = session.scalars(
                select(JobEvent).where(JobEvent.job_id == job_id, JobEvent.type == "status").order_by(JobEvent.seq)
            ).all()[2]
            assert "stopped" in requeue.data["reason"]  # re-queued because its worker died
            # post_count is kept in the same transaction as the posts: a kill never leaves them apart
            mismatched = session.execute(
                select(Thread.id, Thread.post_count, func.count(Post.id))
                .join(Post, Post.thread_id == Thread.id, isouter=True)
                .group_by(Thread.id, Thread.post_count)
                .having(Thread.post_count != func.count(Post.id))
            ).all()
            assert mismatched == []
    finally:
        engine.dispose()


def test_sqlite_survives_sigkill_of_server_and_worker(servers: Servers, db_path: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{db_path}"
    crash_and_restart(servers, url, tmp_path)
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


@pytest.mark.postgres
def test_postgres_survives_sigkill_of_server_and_worker(servers: Servers, pg_url: str, tmp_path: Path) -> None:
    crash_and_restart(servers, pg_url, tmp_path)  # `actlab serve` migrates and seeds the empty database


def test_sqlite_connections_use_wal_and_a_busy_timeout(db_path: Path) -> None:
    engine = create_db_engine(sqlite_settings(db_path, sqlite_busy_timeout_ms=4321))
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 4321
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        engine.dispose()


# --- graceful shutdown --------------------------------------------------------------------------------


def read_job(database_url: str, job_id: str) -> tuple[Job, list[JobEvent]]:
    engine = create_db_engine(Settings(database_url=database_url, environment="test"))
    try:
        with make_session_factory(engine)() as session:
            job = queue.get_job(session, job_id)
            return job, queue.events_after(session, job_id, 0, limit=10_000)
    finally:
        engine.dispose()


def sse_reader(base: str, job_id: str, stop: threading.Event, connected: threading.Event) -> threading.Thread:
    """A browser following the job's live events while the server shuts down; ``connected`` is set once
    the server has answered with the stream's headers."""

    def follow() -> None:
        try:
            with httpx.stream("GET", f"{base}/api/v1/comparisons/{job_id}/events", timeout=60) as response:
                connected.set()
                for _ in response.iter_lines():
                    if stop.is_set():
                        return
        except httpx.HTTPError:
            return

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    return reader


def test_sigterm_stops_the_worker_and_hands_its_job_back_at_once(
    servers: Servers, db_path: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{db_path}"
    server = servers.start(
        url, tmp_path / "serve.log", ACTLAB_WORKER_SHUTDOWN_GRACE_SECONDS="0", ACTLAB_WORKER_STALE_SECONDS="30"
    )
    created = httpx.post(f"{server.base}/api/v1/comparisons", json={**TINY, "steps": 5000}, timeout=10).json()
    job_id = created["id"]
    wait_for(lambda: job_status(server.base, job_id)["done_steps"] > 0, timeout=60, what="training to start")
    worker = server.worker_pid()
    stop_reading, reading = threading.Event(), threading.Event()
    reader = sse_reader(server.base, job_id, stop_reading, reading)
    assert reading.wait(timeout=60), "the live-progress stream did not open"

    asked = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)  # to the API process only: it must stop its worker itself
    code = server.proc.wait(timeout=60)
    took = time.monotonic() - asked
    stop_reading.set()
    reader.join(timeout=10)
    log = server.log_text()
    assert code == 0, log[-3000:]
    assert "comparison worker stopped (exit status 0)" in log, log[-3000:]
    assert "worker shutting down; handing it back to the queue" in log, log[-3000:]
    # the open live-progress stream ended by itself (not cancelled by the server with an error)
    assert "Exception in ASGI application" not in log and "timeout graceful shutdown" not in log, log[-3000:]
    assert not Path(f"/proc/{worker}").exists(), "the worker outlived the server"
    assert took < 15, f"shutdown took {took:.1f} s"

    job, events = read_job(url, job_id)
    assert job.status == "queued" and job.worker is None and job.attempts == 0
    assert job.total_steps > 0 and job.done_steps == 0
    last = events[-1]
    assert last.type == "status" and last.data["status"] == "queued"
    assert "shut down" in last.data["reason"] and "not counted" in last.data["reason"]
    # It is claimable at once — no waiting for a stale heartbeat — and this is its first attempt.
    engine = create_db_engine(Settings(database_url=url, environment="test"))
    try:
        claimed = queue.claim(make_session_factory(engine), "next-worker")
        assert claimed is not None and claimed.id == job_id and claimed.attempts == 1
    finally:
        engine.dispose()


def test_ctrl_c_finishes_a_job_that_is_nearly_done(servers: Servers, db_path: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{db_path}"
    server = servers.start(
        url, tmp_path / "serve.log", ACTLAB_WORKER_SHUTDOWN_GRACE_SECONDS="120", ACTLAB_WORKER_PROCESSES="2"
    )
    job_id = httpx.post(f"{server.base}/api/v1/comparisons", json={**TINY, "steps": 600}, timeout=10).json()["id"]
    wait_for(lambda: job_status(server.base, job_id)["done_steps"] >= 50, timeout=60, what="training to run")
    os.killpg(server.proc.pid, signal.SIGINT)  # Ctrl-C: every process of the group gets SIGINT
    server.proc.wait(timeout=150)
    log = server.log_text()
    assert "comparison worker stopped (exit status 0)" in log, log[-3000:]
    assert "worker shutting down; finishing it (about" in log, log[-3000:]
    job, events = read_job(url, job_id)
    assert job.status == "succeeded", (job.status, job.error, log[-3000:])
    assert job.attempts == 1 and job.done_steps == job.total_steps
    assert [e.data["status"] for e in events if e.type == "status"] == ["queued", "running", "succeeded"]


def catches(pid: int, signum: int) -> bool:
    """Whether the process has a handler installed for the signal (the SigCgt mask of /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (signum - 1) & 1)
    raise AssertionError(f"no SigCgt line in /proc/{pid}/status")


def wait_until_catching(proc: subprocess.Popen[bytes], signum: int, timeout: float = 120.0) -> None:
    """Wait until the worker handles the signal itself. Before that the interpreter is still starting and
    the kernel's default action applies, however long the start takes on a loaded machine."""

    def ready() -> bool:
        if proc.poll() is not None:
            raise AssertionError(f"the worker exited with {proc.returncode} before handling {signum}")
        return catches(proc.pid, signum)

    wait_for(ready, timeout=timeout, what=f"the worker to handle signal {signum}")


def test_a_worker_stopped_while_idle_exits_at_once(tmp_path: Path, db_path: Path) -> None:
    env = {**os.environ, **SERVER_ENV, "ACTLAB_DATABASE_URL": f"sqlite:///{db_path}"}
    proc = subprocess.Popen([sys.executable, "-m", "app.jobs.local"], cwd=PROJECT_ROOT, env=env)
    try:
        # The handler is installed before torch is imported: a signal during the rest of start-up counts too.
        wait_until_catching(proc, signal.SIGTERM)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


# --- wall-clock limit -----------------------------------------------------------------------------------


def test_wall_clock_limit_fails_the_job_and_frees_the_worker(db_path: Path) -> None:
    # Long enough for the short job's process to start and train on a loaded machine.
    settings = sqlite_settings(db_path, job_wall_clock_limit_seconds=15.0, **FAST_WORKER)
    engine = create_db_engine(settings)
    factory = make_session_factory(engine)
    try:
        with factory() as session:
            long_id = queue.submit(session, settings, {**TINY, "steps": 20_000}).job.id
            session.commit()
            short_id = queue.submit(session, settings, TINY).job.id
            session.commit()
        started = time.monotonic()
        local.serve_forever(settings, once=True)  # runs both, one after the other
        took = time.monotonic() - started
        with factory() as session:
            long_job, short_job = queue.get_job(session, long_id), queue.get_job(session, short_id)
            assert long_job.status == "failed" and long_job.error is not None
            assert "ACTLAB_JOB_WALL_CLOCK_LIMIT_SECONDS" in long_job.error and "15 s" in long_job.error
            assert long_job.done_steps < long_job.total_steps and long_job.results is None
            assert short_job.status == "succeeded", short_job.error
        assert took < 60
    finally:
        engine.dispose()


def test_wall_clock_limit_stops_a_job_whose_step_never_returns(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A job process that never reports (a hung kernel, a compile that does not end) is failed at its
    deadline and killed: the worker's relay checks the limit while no event arrives."""
    from app.jobs import job_process

    monkeypatch.setattr(job_process, "COMMAND", [sys.executable, "-c", "import time; time.sleep(60)"])
    settings = sqlite_settings(
        db_path, job_wall_clock_limit_seconds=0.5, worker_heartbeat_seconds=0.1, **{
            k: v for k, v in FAST_WORKER.items() if k != "worker_heartbeat_seconds"
        }
    )
    engine = create_db_engine(settings)
    factory = make_session_factory(engine)
    before = frozenset(job_processes())
    try:
        with factory() as session:
            job_id = queue.submit(session, settings, TINY).job.id
            session.commit()
        assert queue.claim(factory, "w1") is not None
        started = time.monotonic()
        assert runner.execute(factory, settings, job_id, "w1") == "failed"
        assert time.monotonic() - started < 10
        assert job_processes(before) == []  # killed, not left sleeping
        with factory() as session:
            job = queue.get_job(session, job_id)
            assert job.status == "failed" and job.results is None
            assert job.error is not None and "ACTLAB_JOB_WALL_CLOCK_LIMIT_SECONDS" in job.error
    finally:
        engine.dispose()


def job_processes(besides: frozenset[int] = frozenset()) -> list[int]:
    """Live (not zombie) child processes of this test process, other than ``besides`` (children that were
    there before the job, such as a warm training pool or a server another test of the run started)."""
    me, found = os.getpid(), []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == me and fields[0] != "Z" and int(stat.parent.name) not in besides:
            found.append(int(stat.parent.name))
    return found
