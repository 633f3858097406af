"""Property-based fuzzing of the JSON API from its own OpenAPI schema (schemathesis, in process), on SQLite
and on PostgreSQL.

Every default check runs: no 5xx, every status and content type a route returns is declared, bodies
match the declared schemas, and invalid input (negative data) is rejected with a 4xx. PostgreSQL is
stricter about what it stores (NUL in text, integer widths), so the same schema runs against it too.
"""

from __future__ import annotations

import atexit
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from app.cli.common import migrate, seed
from app.config import Settings
from app.main import create_app
from tests.conftest import PG_ADMIN_URL, service_unavailable

#: Examples per operation. PostgreSQL gets fewer: each example is a round trip to a real server, and the
#: SQLite run already explores the schema; together they keep the suite within its time budget (~20 min on
#: 2 cores). The PostgreSQL run is there for what only PostgreSQL refuses.
SQLITE_EXAMPLES = 30
POSTGRES_EXAMPLES = 12
UNLIMITED = {"rate_limit_reads_per_minute": 10_000_000, "rate_limit_writes_per_minute": 1_000_000}

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
        **UNLIMITED,  # type: ignore[arg-type]
    )
    migrate(settings)
    seed(settings)
    return create_app(settings)


schema = schemathesis.openapi.from_asgi("/openapi.json", _fuzz_app())


@pytest.mark.fuzz
@schema.parametrize()
@hypothesis_settings(
    max_examples=SQLITE_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate()


def _postgres_fuzz_app() -> tuple[object | None, str | None, Exception | None]:
    """The app on a fresh, migrated and seeded PostgreSQL database, its URL, or why there is none.

    Built when the module is collected (schemathesis parametrizes from a schema it holds then); the
    ``postgres_fuzz_database`` fixture drops the database afterwards, and fails or skips the tests when
    the server was unreachable."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"actlab_fuzz_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
        settings = Settings(database_url=url, environment="test", log_level="warning", **UNLIMITED)  # type: ignore[arg-type]
        migrate(settings)
        seed(settings)
        return create_app(settings), name, None
    except Exception as exc:  # connection refused, auth, missing driver
        return None, None, exc
    finally:
        admin.dispose()


_PG_APP, _PG_NAME, _PG_ERROR = _postgres_fuzz_app()
# Without PostgreSQL the tests below still need a schema to be generated from; the fixture fails (CI) or
# skips them before any request is made.
postgres = schemathesis.openapi.from_asgi("/openapi.json", _PG_APP) if _PG_APP is not None else schema


def _drop_postgres_fuzz_database() -> None:
    """Drop the database (idempotent): after the tests, or at exit when they were collected but not run."""
    from sqlalchemy import create_engine, text

    if _PG_APP is None:
        return
    _PG_APP.state.engine.dispose()  # type: ignore[attr-defined]
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": _PG_NAME}
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{_PG_NAME}"'))
    finally:
        admin.dispose()


atexit.register(_drop_postgres_fuzz_database)


@pytest.fixture(scope="module")
def postgres_fuzz_database() -> Iterator[None]:
    if _PG_APP is None:
        service_unavailable("PostgreSQL at 127.0.0.1:5432", _PG_ERROR)
    yield
    _drop_postgres_fuzz_database()


@pytest.mark.fuzz
@pytest.mark.postgres
@postgres.parametrize()
@hypothesis_settings(
    max_examples=POSTGRES_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
)
def test_api_conforms_to_its_schema_on_postgres(case: schemathesis.Case, postgres_fuzz_database: None) -> None:
    case.call_and_validate()
