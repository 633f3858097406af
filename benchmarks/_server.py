"""Start one uvicorn process on a fresh, seeded SQLite file for a benchmark, and stop it afterwards."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def running_server(extra_env: dict[str, str] | None = None, serve_args: list[str] | None = None) -> Iterator[str]:
    """Yield the base URL of `actlab serve` on a temporary database; the process is killed on exit."""
    with server_process(extra_env, [sys.executable, "-m", "app.cli", "serve", *(serve_args or [])]) as (base, _):
        yield base


@contextmanager
def server_process(
    extra_env: dict[str, str] | None, cmd: list[str], ready_path: str = "/healthz", ready_seconds: float = 120.0
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Run ``cmd`` (a server reading its port and database from the environment) on a temporary SQLite file
    with the load clients' budgets lifted; yield its base URL and process once ``ready_path`` answers."""
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {
            **os.environ,
            "ACTLAB_DATABASE_URL": f"sqlite:///{tmp}/bench.db",
            "ACTLAB_LOG_LEVEL": "warning",
            "ACTLAB_PORT": str(port),
            # The load generator is one client hammering from 127.0.0.1: lift the per-client budgets.
            "ACTLAB_RATE_LIMIT_READS_PER_MINUTE": "10000000",
            "ACTLAB_RATE_LIMIT_WRITES_PER_MINUTE": "1000000",
            **(extra_env or {}),
        }
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + ready_seconds
            while True:
                try:
                    urllib.request.urlopen(f"{base}{ready_path}", timeout=1).read()
                    break
                except OSError:
                    if proc.poll() is not None:
                        raise RuntimeError(proc.stderr.read().decode() if proc.stderr else "server exited") from None
                    if time.monotonic() > deadline:
                        raise RuntimeError(f"server not ready in {ready_seconds:.0f} s") from None
                    time.sleep(0.2)
            yield base, proc
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def machine_description() -> str:
    import platform

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, {platform.system()}"
