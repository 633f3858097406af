"""docker-compose.test.yml brought up for real with the image under test: the API turns healthy (the worker
waits for that), answers /readyz on the machine's PostgreSQL, and its worker runs a tiny comparison from Redis."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.engine import make_url

from app.config import PROJECT_ROOT
from tests.docker.engine import IMAGE, free_port, wait_until
from tests.docker.test_compose import _compose_cli
from tests.docker.test_image import finished, submit
from tests.jobs.test_comparisons import TINY

pytestmark = [pytest.mark.docker, pytest.mark.slow]

REDIS_DB = "14"  # the file's default; no other test uses it


@pytest.fixture
def compose_project(built_image: dict[str, Any], pg_url: str) -> Iterator[tuple[list[str], dict[str, str], int]]:
    """The CLI call prefix for a project of this test's own, its environment and the API's port; the project
    is taken down (containers and volumes) afterwards."""
    cli = _compose_cli()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ACTLAB_", "COMPOSE_"))} | {
        "ACTLAB_ADMIN_TOKEN": secrets.token_urlsafe(32),
        "ACTLAB_IMAGE": IMAGE,
        "ACTLAB_TEST_PG_DATABASE": str(make_url(pg_url).database),
        "ACTLAB_TEST_REDIS_DB": REDIS_DB,
        "ACTLAB_TEST_PORT": str(port),
    }
    text = (PROJECT_ROOT / "docker-compose.test.yml").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        path = PROJECT_ROOT / "docker-compose.test.yml"
        if cli[-1].endswith("docker-compose"):  # v1 predates the top-level `name` (see test_compose.py)
            path = Path(tmp) / path.name
            path.write_text(re.sub(r"(?m)^name: .*\n", "", text), encoding="utf-8")
        prefix = [*cli, "--project-directory", str(PROJECT_ROOT), "-f", str(path),
                  "-p", f"actlab-compose-test-{uuid.uuid4().hex[:8]}"]  # fmt: skip
        try:
            yield prefix, env, port
        finally:
            subprocess.run([*prefix, "down", "--volumes", "--timeout", "30"], env=env, capture_output=True,
                           timeout=120, check=False)  # fmt: skip


def test_test_compose_file_brings_up_api_and_worker_on_the_hosts_services(
    compose_project: tuple[list[str], dict[str, str], int],
) -> None:
    prefix, env, port = compose_project
    # `up --detach` returns once the worker started, which waits for the API's health check to pass.
    up = subprocess.run([*prefix, "up", "--detach", "--no-build"], env=env, capture_output=True, text=True,
                        timeout=420, check=False)  # fmt: skip
    logs = subprocess.run([*prefix, "logs", "--tail", "40"], env=env, capture_output=True, text=True,
                          timeout=60, check=False)  # fmt: skip
    assert up.returncode == 0, up.stdout + up.stderr + logs.stdout
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as api:
        ready = api.get("/readyz")
        assert ready.status_code == 200, ready.text
        job_id = submit(api, TINY)
        final = wait_until(finished(api, job_id), timeout=240, what="the compose worker to run the comparison")
        assert final["status"] == "succeeded", final
