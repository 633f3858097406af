"""The Docker engine and the image under test: start ``dockerd`` when it is installed but not up, build the
registry-free base (scripts/docker_base.sh) and the image with torch from the local CPU wheel.

Every container runs on the host network and talks only to 127.0.0.1 (the machine's PostgreSQL and Redis, and
the port the API is given), so no test traffic crosses a bridge."""

from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import httpx

from app.config import PROJECT_ROOT
from tests.conftest import service_unavailable

T = TypeVar("T")

IMAGE = os.environ.get("ACTLAB_TEST_IMAGE", "actlab:test")
BASE_IMAGE = os.environ.get("ACTLAB_BASE_IMAGE", "actlab-base:bookworm")
#: The CPU torch wheel the image installs instead of the index (users get the same CPU build).
WHEEL_GLOB = os.environ.get("ACTLAB_TEST_TORCH_WHEEL", "/opt/wheels/torch-2.13.0+cpu-cp311-*.whl")


def docker(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the docker CLI; a failure carries its output, so the test report shows what the engine said."""
    result = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result


def wait_until(probe: Callable[[], T | None], *, timeout: float, what: str, every: float = 0.5) -> T:
    """Poll ``probe`` until it returns something truthy; the deadline is generous, the poll is cheap."""
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            value = probe()
        except (httpx.HTTPError, OSError) as exc:  # not listening yet, or restarting
            last = exc
        else:
            if value:
                return value
            last = value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what} (last: {last!r})")


def _engine_up() -> bool:
    return shutil.which("docker") is not None and docker("info", timeout=30, check=False).returncode == 0


@contextmanager
def running_engine(log_dir: Path) -> Iterator[None]:
    """The engine, started here (and stopped afterwards) when ``dockerd`` is installed but not running."""
    if _engine_up():
        yield
        return
    if shutil.which("docker") is None or shutil.which("dockerd") is None:
        service_unavailable("the Docker engine", "docker/dockerd are not installed (apt-get install docker.io)")
    log = (log_dir / "dockerd.log").open("wb")
    daemon = subprocess.Popen(["dockerd"], stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while not _engine_up():
            if daemon.poll() is not None or time.monotonic() > deadline:
                tail = (log_dir / "dockerd.log").read_text(errors="replace")[-2000:]
                service_unavailable("the Docker engine", f"dockerd did not come up:\n{tail}")
            time.sleep(0.5)
        yield
    finally:
        if daemon.poll() is None:
            daemon.terminate()
            try:
                daemon.wait(timeout=60)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait(timeout=30)
        log.close()


def build_image() -> dict[str, Any]:
    """Build the base (cached) and the image (layer cache: only what changed is rebuilt). Returns the
    image's ``docker image inspect`` record, plus the seconds each build took under ``_seconds``."""
    wheels = sorted(glob.glob(WHEEL_GLOB))
    if not wheels:
        service_unavailable("the CPU torch wheel", f"nothing matches {WHEEL_GLOB} (set ACTLAB_TEST_TORCH_WHEEL)")
    wheel = Path(wheels[-1])
    started = time.monotonic()
    base = subprocess.run(
        [str(PROJECT_ROOT / "scripts" / "docker_base.sh")], capture_output=True, text=True, timeout=900, check=False
    )
    assert base.returncode == 0, base.stdout[-3000:] + base.stderr[-3000:]
    base_seconds = round(time.monotonic() - started, 1)
    target = PROJECT_ROOT / "wheels" / wheel.name
    placed = not target.exists()
    if placed:
        try:
            os.link(wheel, target)
        except OSError:  # another filesystem
            shutil.copyfile(wheel, target)
    started = time.monotonic()
    try:
        docker(
            "build", "--network", "host",
            "--build-arg", f"PYTHON_IMAGE={BASE_IMAGE}",
            "--build-arg", f"TORCH_WHEEL=wheels/{wheel.name}",
            "-t", IMAGE, str(PROJECT_ROOT),
            timeout=1500,
        )  # fmt: skip
    finally:
        if placed:
            target.unlink(missing_ok=True)
    record: dict[str, Any] = json.loads(docker("image", "inspect", IMAGE).stdout)[0]
    record["_seconds"] = {"base": base_seconds, "image": round(time.monotonic() - started, 1)}
    return record


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Containers:
    """Containers started by one test, each named uniquely and removed (with its volumes) afterwards."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def run(self, role: str, env: dict[str, str], *args: str, command: tuple[str, ...] = ()) -> str:
        name = f"actlab-test-{role}-{uuid.uuid4().hex[:8]}"
        flags = [f"--env={key}={value}" for key, value in env.items()]
        self.names.append(name)
        docker("run", "--detach", "--name", name, "--network", "host", *flags, *args, IMAGE, *command)
        return name

    def state(self, name: str) -> dict[str, Any]:
        state: dict[str, Any] = json.loads(docker("inspect", "--format", "{{json .State}}", name).stdout)
        return state

    def logs(self, name: str) -> str:
        result = docker("logs", "--tail", "60", name, check=False)
        return result.stdout + result.stderr

    def remove_all(self) -> None:
        for name in self.names:
            docker("rm", "--force", "--volumes", name, check=False, timeout=60)
