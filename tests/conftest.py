"""Shared fixtures: the real app built by create_app on a temporary SQLite file, and PostgreSQL.

The reference data is migrated and seeded once per test session into a template file; each test
gets its own copy, so tests cannot see each other's writes.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.cli import migrate, seed
from app.config import Settings
from app.main import create_app

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_ADMIN_URL = os.environ.get("ACTLAB_TEST_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def service_unavailable(what: str, why: object) -> None:
    """In CI a missing service is a failure, never a skip; locally it is a skip with the reason."""
    message = f"{what} is unreachable: {why}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def sqlite_settings(path: Path, **overrides: object) -> Settings:
    return Settings(database_url=f"sqlite:///{path}", environment="test", **overrides)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    settings = sqlite_settings(path)
    migrate(settings)
    seed(settings)
    return path


@pytest.fixture
def db_path(seeded_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "actlab.db"
    shutil.copyfile(seeded_template, path)
    return path


@pytest.fixture
def settings(db_path: Path) -> Settings:
    return sqlite_settings(db_path)


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"actlab_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # connection refused, auth, missing driver
        admin.dispose()
        service_unavailable("PostgreSQL at 127.0.0.1:5432", exc)
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()
