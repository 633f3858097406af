"""Property-based fuzzing of the JSON API from its own OpenAPI schema (schemathesis, in process).

Every default check runs: no 5xx, every status and content type a route returns is declared, bodies
match the declared schemas, and invalid input (negative data) is rejected with a 4xx.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from app.cli.common import migrate, seed
from app.config import Settings
from app.main import create_app

_DB_DIR = Path(__file__).resolve().parents[2] / "var" / "fuzz"


def _fuzz_app() -> object:
    _DB_DIR.mkdir(parents=True, exist_ok=True)
    path = _DB_DIR / "fuzz.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    settings = Settings(
        database_url=f"sqlite:///{path}",
        environment="test",
        log_level="warning",
        rate_limit_reads_per_minute=10_000_000,
        rate_limit_writes_per_minute=1_000_000,
    )
    migrate(settings)
    seed(settings)
    return create_app(settings)


schema = schemathesis.openapi.from_asgi("/openapi.json", _fuzz_app())


@pytest.mark.fuzz
@schema.parametrize()
@hypothesis_settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate()
