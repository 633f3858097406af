"""docker-compose.yml and docker-compose.test.yml as Compose itself reads them (`config`: schema, merge keys,
interpolation), and the test file kept in step with the product one. Needs Compose, not a running engine.

Compose v2 (`docker compose`) where installed, else Debian's docker-compose v1, whose schema predates the
top-level ``name`` (the project name): for v1 that one key is checked here and left out of what it reads."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.config import PROJECT_ROOT
from tests.conftest import service_unavailable

pytestmark = [pytest.mark.docker]

TOKEN = "compose-config-check-0123456789-abcdefghij"


def _compose_cli() -> list[str]:
    docker = shutil.which("docker")
    if docker and subprocess.run([docker, "compose", "version"], capture_output=True, check=False).returncode == 0:
        return [docker, "compose"]
    legacy = shutil.which("docker-compose")
    if legacy is None:
        service_unavailable("Docker Compose", "neither `docker compose` nor docker-compose is installed")
    return [str(legacy)]


def compose_config(name: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``config`` of one compose file, in an environment holding only ``env`` of the ACTLAB_* variables."""
    cli = _compose_cli()
    text = (PROJECT_ROOT / name).read_text(encoding="utf-8")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ACTLAB_", "COMPOSE_"))} | env
    with tempfile.TemporaryDirectory() as tmp:
        path = PROJECT_ROOT / name
        if cli[-1].endswith("docker-compose"):
            project = yaml.safe_load(text)["name"]
            assert re.fullmatch(r"[a-z0-9][a-z0-9_-]*", project), project  # Compose's rule for a project name
            path = Path(tmp) / name
            path.write_text(re.sub(r"(?m)^name: .*\n", "", text), encoding="utf-8")
        return subprocess.run(
            [*cli, "--project-directory", str(PROJECT_ROOT), "-f", str(path), "config"],
            capture_output=True, text=True, env=clean, timeout=60, check=False,
        )  # fmt: skip


def resolved(name: str) -> dict[str, Any]:
    result = compose_config(name, ACTLAB_ADMIN_TOKEN=TOKEN)
    assert result.returncode == 0, result.stdout + result.stderr
    config: dict[str, Any] = yaml.safe_load(result.stdout)
    return config


def test_compose_file_is_valid_and_wires_api_worker_postgres_redis() -> None:
    services = resolved("docker-compose.yml")["services"]
    assert set(services) == {"api", "worker", "postgres", "redis"}
    api, worker = services["api"], services["worker"]
    assert api["environment"]["ACTLAB_ADMIN_TOKEN"] == TOKEN
    assert api["environment"]["ACTLAB_DATABASE_URL"].endswith("@postgres:5432/actlab")
    assert worker["command"] == ["actlab", "worker", "--backend", "celery"]
    assert worker["image"] == api["image"]
    # The image's HEALTHCHECK asks the API's /healthz; a worker serves none, so it must not inherit it.
    assert worker["healthcheck"] in ({"disable": True}, {"test": ["NONE"]})


@pytest.mark.parametrize("name", ["docker-compose.yml", "docker-compose.test.yml"])
def test_compose_refuses_to_start_without_an_admin_token(name: str) -> None:
    result = compose_config(name)
    assert result.returncode != 0
    assert "set ACTLAB_ADMIN_TOKEN to a long random secret" in result.stdout + result.stderr


def test_test_compose_runs_the_same_api_and_worker_on_the_hosts_services() -> None:
    product = resolved("docker-compose.yml")["services"]
    test = resolved("docker-compose.test.yml")["services"]
    assert set(test) == {"api", "worker"}
    for role in ("api", "worker"):
        ours, theirs = test[role], product[role]
        assert ours["network_mode"] == "host" and "ports" not in ours
        assert set(theirs["environment"]) <= set(ours["environment"]), role
        env = ours["environment"]
        assert env["ACTLAB_DATABASE_URL"].startswith("postgresql+psycopg://postgres@127.0.0.1:5432/")
        assert env["ACTLAB_BROKER_URL"].startswith("redis://127.0.0.1:6379/")
        assert env["ACTLAB_JOB_BACKEND"] == "celery" and env["ACTLAB_ENVIRONMENT"] == "production"
        for key in ("command", "stop_grace_period"):
            assert ours.get(key) == theirs.get(key), (role, key)
    assert test["api"]["environment"]["ACTLAB_HOST"] == "127.0.0.1"  # not every interface of the host
    assert test["api"]["environment"]["ACTLAB_EMBEDDED_WORKER"] == "false"
    assert test["worker"]["healthcheck"] == product["worker"]["healthcheck"]
    assert test["worker"]["depends_on"]["api"]["condition"] == "service_healthy"
