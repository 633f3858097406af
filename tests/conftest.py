"""Shared fixtures: the real app built by create_app on a temporary SQLite file, and PostgreSQL.

The reference data is migrated and seeded once per test session into a template file; each test
gets its own copy, so tests cannot see each other's writes.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.cli.common import migrate, seed
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


#: Measurements a test reports without asserting them (a property of this machine, not of the service).
MEASUREMENTS = pytest.StashKey[list[str]]()


@pytest.fixture
def report_measurement(
    request: pytest.FixtureRequest, record_property: Callable[[str, object], None]
) -> Callable[[str, object], None]:
    """Record a measured value in the JUnit report and in the run's summary, where CI logs show it."""

    def report(name: str, value: object) -> None:
        record_property(name, value)
        request.config.stash.setdefault(MEASUREMENTS, []).append(f"{request.node.nodeid}: {name} = {value}")

    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    lines = config.stash.get(MEASUREMENTS, [])
    if lines:
        terminalreporter.section("measured on this machine (reported, not asserted)")
        for line in lines:
            terminalreporter.write_line(line)


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


# The ground truth the tests compare against: verified facts versioned with the tests, independent of
# app/data (see tests/reference/README.md for where each file's values come from).
REFERENCE_DIR = Path(__file__).resolve().parent / "reference"


def reference_file(name: str) -> Path:
    """A file of tests/reference; a missing file fails the test (it is the ground truth)."""
    path = REFERENCE_DIR / name
    if not path.is_file():
        pytest.fail(f"reference file {path} is missing from tests/reference")
    return path


def read_reference_csv(name: str) -> list[dict[str, str]]:
    import csv

    with reference_file(name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def markdown_tables(text: str) -> list[tuple[str, list[list[str]]]]:
    """Every pipe table of a markdown text as (nearest heading above it, rows of cells incl. the header)."""
    tables: list[tuple[str, list[list[str]]]] = []
    heading = ""
    current: list[list[str]] | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            heading = stripped.lstrip("#").strip()
        if stripped.startswith("|") and stripped.endswith("|"):
            cells = [c.strip() for c in stripped[1:-1].split("|")]
            if all(set(c) <= set("-: ") and c for c in cells):
                continue  # the |---|---| separator
            if current is None:
                current = []
                tables.append((heading, current))
            current.append(cells)
        else:
            current = None
    return tables


@dataclass(frozen=True)
class PrintedTable:
    """A paper table as the reference markdown prints it: column headings and rows of cell texts."""

    number: int
    columns: list[str]
    rows: list[tuple[str, list[str]]]


def glu_printed_tables() -> dict[int, PrintedTable]:
    """Tables 1–4 of glu_variants_2020.md, keyed by table number."""
    out: dict[int, PrintedTable] = {}
    for heading, rows in markdown_tables(reference_file("glu_variants_2020.md").read_text(encoding="utf-8")):
        if heading.startswith("Table ") and "—" in heading:
            number = int(heading.split()[1])
            out[number] = PrintedTable(number, rows[0][1:], [(r[0], r[1:]) for r in rows[1:]])
    assert sorted(out) == [1, 2, 3, 4], f"expected Tables 1-4 in glu_variants_2020.md, found {sorted(out)}"
    return out


@pytest.fixture(scope="session")
def glu_tables() -> dict[int, PrintedTable]:
    return glu_printed_tables()


@contextmanager
def open_client(settings: Settings) -> Iterator[TestClient]:
    """A TestClient on create_app(settings); the engine is disposed afterwards."""
    application = create_app(settings)
    try:
        with TestClient(application) as test_client:
            yield test_client
    finally:
        application.state.engine.dispose()


@pytest.fixture
def pg_settings(pg_url: str) -> Settings:
    """Settings for a fresh PostgreSQL database, migrated and seeded the way `actlab seed` does it."""
    settings = Settings(database_url=pg_url, environment="test")
    migrate(settings)
    seed(settings)
    return settings


@pytest.fixture(params=["sqlite", "postgresql"])
def each_database_client(request: pytest.FixtureRequest) -> Iterator[TestClient]:
    """The app on the seeded SQLite copy, and on a freshly migrated and seeded PostgreSQL database: a test
    that takes it states a promise of both databases."""
    fixture = "settings" if request.param == "sqlite" else "pg_settings"
    with open_client(request.getfixturevalue(fixture)) as client:
        yield client
