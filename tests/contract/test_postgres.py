"""PostgreSQL (the scaled-out shape): migrations from empty, no drift between models and migrations (on
SQLite too), an idempotent seed, and byte-identical API answers on both databases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import Engine, inspect, text

from app.cli.common import migrate, seed
from app.config import Settings
from app.db import create_db_engine, make_session_factory, session_scope
from app.migrate import current_revisions, head_revisions
from app.orm import Base
from app.search_schema import search_object
from app.seed import load_reference_data
from tests.conftest import open_client, sqlite_settings

pytestmark = pytest.mark.postgres

REFERENCE_TABLES = [
    "variants", "papers", "paper_facts", "paper_tables", "results", "catalog_models", "architecture_facts",
    "dataset_info",
]


def drift(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        opts = {"compare_type": True, "include_object": lambda obj, name, type_, *_: not search_object(name, type_)}
        context = MigrationContext.configure(conn, opts=opts)
        return list(compare_metadata(context, Base.metadata))


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    with engine.connect() as conn:
        for name in REFERENCE_TABLES:
            table = Base.metadata.tables[name]
            pk = ", ".join(c.name for c in table.primary_key.columns)
            out[name] = [tuple(r) for r in conn.execute(text(f"SELECT * FROM {name} ORDER BY {pk}"))]
    return out


def test_migrations_from_empty_to_head(pg_url: str) -> None:
    settings = Settings(database_url=pg_url, environment="test")
    engine = create_db_engine(settings)
    try:
        assert inspect(engine).get_table_names() == []
        assert current_revisions(engine) == set()
        migrate(settings)
        assert current_revisions(engine) == head_revisions(settings)
        tables = set(inspect(engine).get_table_names())
        assert {"alembic_version", *REFERENCE_TABLES} <= tables
        assert set(Base.metadata.tables) <= tables, "every model table is created by the migrations"
        migrate(settings)  # a second run is a no-op
        assert current_revisions(engine) == head_revisions(settings)
    finally:
        engine.dispose()


def test_no_drift_between_models_and_migrations_on_postgres(pg_url: str) -> None:
    settings = Settings(database_url=pg_url, environment="test")
    migrate(settings)
    engine = create_db_engine(settings)
    try:
        assert drift(engine) == []
    finally:
        engine.dispose()


def test_no_drift_between_models_and_migrations_on_sqlite(tmp_path: Path) -> None:
    settings = sqlite_settings(tmp_path / "drift.db")
    migrate(settings)
    engine = create_db_engine(settings)
    try:
        assert drift(engine) == []
    finally:
        engine.dispose()


def test_drift_check_notices_a_missing_table(tmp_path: Path) -> None:
    """The comparison above can fail: drop a table and it reports it."""
    settings = sqlite_settings(tmp_path / "dropped.db")
    migrate(settings)
    engine = create_db_engine(settings)
    try:
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE architecture_facts"))
        assert any(d[0] == "add_table" and d[1].name == "architecture_facts" for d in drift(engine))
    finally:
        engine.dispose()


def test_seed_is_idempotent_on_postgres(pg_settings: Settings) -> None:
    engine = create_db_engine(pg_settings)
    try:
        before = snapshot(engine)
        assert len(before["results"]) == 259 + 99 + 83, "Shazeer 2020's 259 cells and Narang 2021's 99 + 83"
        with session_scope(make_session_factory(engine)) as session:
            report = load_reference_data(session)
        assert report.changed is False
        assert report.revision == 1
        assert all(c["inserted"] == c["updated"] == c["deleted"] == 0 for c in report.counts.values())
        assert snapshot(engine) == before
        assert "no changes" in seed(pg_settings)
    finally:
        engine.dispose()


def test_readyz_on_postgres(pg_settings: Settings) -> None:
    with open_client(pg_settings) as client:
        assert client.get("/readyz").status_code == 200


SAME_ANSWERS = [
    "/api/v1/papers",
    "/api/v1/papers/2002.05202",
    "/api/v1/papers/glu-variants-2020/tables/1",
    "/api/v1/papers/glu-variants-2020/tables/3?format=csv",
    "/api/v1/results?limit=500",
    "/api/v1/results?benchmark=GLUE/CoLA&sort=-value",
    "/api/v1/results?variant=geglu&sort=variant&limit=7&offset=7",
    "/api/v1/results?metric=f1&include_reference=false&format=csv",
    "/api/v1/compare?a=FFN_GEGLU&b=FFN_SwiGLU",
    "/api/v1/compare?a=relu&b=geglu&format=csv",
    "/api/v1/best",
    "/api/v1/best?benchmark=STSB&metric=scc",
    "/api/v1/variants",
    "/api/v1/variants/swiglu",
    "/api/v1/models?organization=google&year_min=2020",
    "/api/v1/models?organization=_",
    "/api/v1/models/gemma-2-9b",
    "/api/v1/architectures/Gemma 2",
    "/api/v1/results?variant=FFN_Mish",
    "/api/v1/results?limit=501",
    "/papers/glu-variants-2020",
    "/models?ffn_type=gated",
]


def test_sqlite_and_postgres_give_identical_answers(client: TestClient, pg_settings: Settings) -> None:
    with open_client(pg_settings) as pg:
        different = []
        for url in SAME_ANSWERS:
            a, b = client.get(url), pg.get(url)
            if (a.status_code, a.headers["content-type"], a.content) != (
                b.status_code, b.headers["content-type"], b.content
            ):
                different.append(url)
        assert different == []
        lite, post = client.get("/api/v1/dataset").json(), pg.get("/api/v1/dataset").json()
        assert lite.keys() == post.keys()
        assert {k: v for k, v in lite.items() if k != "loaded_at"} == {
            k: v for k, v in post.items() if k != "loaded_at"
        }
        assert lite["loaded_at"][-6:] == post["loaded_at"][-6:] == "+00:00"
