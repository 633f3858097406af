"""The deployment contract: the README's two commands, CI, the Dockerfile and docker-compose agree."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def _read(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def _code_blocks(markdown: str) -> list[str]:
    return re.findall(r"```(?:sh|bash)\n(.*?)```", markdown, flags=re.S)


def _pip_installs(text: str) -> list[str]:
    """The sequence of things `pip install` is asked for, normalised (flags and quoting dropped)."""
    installs = []
    for line in text.replace("\\\n", " ").splitlines():
        if "pip install" not in line or line.lstrip().startswith("#"):
            continue
        args = line.split("pip install", 1)[1].split()
        targets = [a.strip("\"'") for a in args if not a.startswith("-") and "://" not in a and "$" not in a]
        targets = [re.sub(r"\[.*\]$", "", t) for t in targets]
        installs.extend(t for t in targets if t)
    return installs


def test_readme_has_the_two_commands_and_ci_calls_the_test_one() -> None:
    blocks = [b.strip() for b in _code_blocks(_read("README.md"))]
    assert "./scripts/serve.sh" in blocks
    assert "./scripts/test.sh" in blocks
    ci = _read(".ci/run")
    assert re.search(r"^\s*(bash )?(\./)?scripts/test\.sh\b", ci, flags=re.M), ci


def test_test_script_runs_ruff_mypy_and_pytest() -> None:
    script = _read("scripts/test.sh")
    for tool in ("ruff check", "mypy app", "pytest"):
        assert tool in script


def test_setup_and_dockerfile_install_the_same_way() -> None:
    setup = _pip_installs(_read("scripts/setup.sh"))
    docker = _pip_installs(_read("Dockerfile"))
    assert setup[0] == "torch==2.13.0", setup
    assert docker[0] == "torch==2.13.0", docker
    assert setup[1:] == [".", "."] or set(setup[1:]) == {"."}, setup
    assert docker[1:] == ["."], docker
    assert "-e" in _read("Dockerfile").split("torch==2.13.0", 1)[1]


def test_serve_script_serves_with_sqlite_defaults() -> None:
    script = _read("scripts/serve.sh")
    assert "scripts/setup.sh" in script and "actlab serve" in script
    from app.config import Settings

    assert Settings.model_fields["database_url"].default.startswith("sqlite:///")
    assert Settings.model_fields["port"].default == 8000


def test_dockerfile_shape() -> None:
    text = _read("Dockerfile")
    assert len(re.findall(r"^FROM ", text, flags=re.M)) >= 2, "multi-stage build"
    user = re.findall(r"^USER (\S+)", text, flags=re.M)
    assert user and user[-1] not in {"root", "0", "0:0"}
    assert re.search(r"^HEALTHCHECK .*", text, flags=re.M) and "/healthz" in text
    assert re.search(r"^ARG TORCH_INDEX_URL=.*whl/cpu", text, flags=re.M), "CPU torch by default"
    assert 'CMD ["actlab", "serve"]' in text


def test_hadolint_passes() -> None:
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    result = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerignore_keeps_local_state_out() -> None:
    ignored = {line.strip() for line in _read(".dockerignore").splitlines()}
    assert {".venv", "var", ".git"} <= ignored


def test_compose_wires_postgres() -> None:
    compose = yaml.safe_load(_read("docker-compose.yml"))
    services = compose["services"]
    assert {"api", "postgres"} <= set(services)
    api_env = services["api"]["environment"]
    assert api_env["ACTLAB_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "@postgres:5432/" in api_env["ACTLAB_DATABASE_URL"]
    assert services["api"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "healthcheck" in services["postgres"]
    volume = services["postgres"]["volumes"][0].split(":", 1)[0]
    assert volume in compose["volumes"]
