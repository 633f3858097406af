"""The seed is an idempotent upsert: a rerun changes nothing, a corrected value changes exactly its row and
the revision, the API (even with a warm cache) serves the new value, and a failed load leaves the old data."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Engine, Table, inspect, select, text
from sqlalchemy.orm import Session

from app.config import Settings
from app.db import create_db_engine, make_session_factory, session_scope
from app.orm import (
    ArchitectureFact,
    Base,
    CatalogModel,
    DatasetInfo,
    Paper,
    PaperFact,
    PaperTable,
    Result,
    Variant,
)
from app.seed import DATA_DIR, SeedReport, load_reference_data
from tests.conftest import open_client, read_reference_csv, sqlite_settings

CELL_URL = "/api/v1/results?variant=FFN_GEGLU&benchmark=GLUE/CoLA&metric=MCC"
TABLE_URL = "/api/v1/papers/glu-variants-2020/tables/2"


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    eng = create_db_engine(settings)
    yield eng
    eng.dispose()


def run_seed(engine: Engine, data_dir: Path = DATA_DIR) -> SeedReport:
    with session_scope(make_session_factory(engine)) as session:
        return load_reference_data(session, data_dir=data_dir)


REFERENCE_TABLES: list[Table] = [
    Base.metadata.tables[m.__tablename__]
    for m in (Variant, Paper, PaperFact, PaperTable, Result, CatalogModel, ArchitectureFact, DatasetInfo)
]


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the schema, in primary-key order."""
    out = {}
    existing = set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name not in existing:
                continue
            pk = ", ".join(c.name for c in table.primary_key.columns)
            out[table.name] = [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table.name} ORDER BY {pk}"))]
    return out


def revision(engine: Engine) -> int:
    with Session(engine) as session:
        info = session.scalar(select(DatasetInfo).where(DatasetInfo.id == 1))
        assert info is not None
        return info.revision


def copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target


def replace_in_line(path: Path, line_start: str, old: str, new: str) -> None:
    """Change one value on the one line that starts with ``line_start``."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    hits = [i for i, line in enumerate(lines) if line.startswith(line_start)]
    assert len(hits) == 1, f"{path.name}: {len(hits)} lines start with {line_start!r}"
    assert lines[hits[0]].count(old) == 1
    lines[hits[0]] = lines[hits[0]].replace(old, new)
    path.write_text("".join(lines), encoding="utf-8")


def geglu_cola_reference() -> str:
    row = next(
        r for r in read_reference_csv("glu_variants_2020_table2.csv")
        if r["variant"] == "FFN_GEGLU" and r["benchmark"] == "GLUE/CoLA"
    )
    return row["value"]


def corrected_data(tmp_path: Path) -> tuple[Path, str, str]:
    """A copy of app/data with FFN_GEGLU's CoLA MCC changed; returns (dir, old text, new text)."""
    data = copy_data(tmp_path)
    old = geglu_cola_reference()
    assert old == "53.65"
    replace_in_line(data / "glu_variants_2020_table2.csv", "FFN_GEGLU,GLUE/CoLA,MCC,", f",{old},", ",53.66,")
    return data, old, "53.66"


@pytest.mark.parametrize("name", [*(f"glu_variants_2020_table{n}.csv" for n in (1, 2, 3, 4)), "model_catalog.csv",
                                  "model_catalog_extended.csv"])
def test_shipped_data_is_the_reference_data(name: str) -> None:
    with (DATA_DIR / name).open(newline="", encoding="utf-8") as fh:
        shipped = list(csv.DictReader(fh))
    assert shipped == read_reference_csv(name)


def test_seeding_twice_changes_nothing(engine: Engine) -> None:
    before = snapshot(engine)
    rev = revision(engine)
    report = run_seed(engine)
    assert report.changed is False
    assert report.revision == rev
    for table, counts in report.counts.items():
        assert counts["inserted"] == counts["updated"] == counts["deleted"] == 0, table
        if table in before:
            assert counts["unchanged"] == len(before[table]), table
    assert snapshot(engine) == before
    assert "no changes" in report.summary()


def test_first_seed_inserts_everything(tmp_path: Path) -> None:
    from app.cli.common import migrate

    settings = sqlite_settings(tmp_path / "new.db")
    migrate(settings)
    eng = create_db_engine(settings)
    try:
        report = run_seed(eng)
        assert report.changed is True and report.revision == 1
        results = sum(len(read_reference_csv(f"glu_variants_2020_table{n}.csv")) for n in (1, 2, 3, 4))
        results += sum(len(read_reference_csv(f"narang_2021_{part}.csv")) for part in ("table1", "single_source"))
        assert report.counts["results"]["inserted"] == results
        catalog = len(read_reference_csv("model_catalog.csv")) + len(read_reference_csv("model_catalog_extended.csv"))
        assert report.counts["catalog_models"]["inserted"] == catalog
        again = run_seed(eng)
        assert again.changed is False and again.revision == 1
    finally:
        eng.dispose()


def test_one_corrected_value_updates_exactly_one_row(engine: Engine, tmp_path: Path) -> None:
    data, old, new = corrected_data(tmp_path)
    before = snapshot(engine)
    rev = revision(engine)
    report = run_seed(engine, data)
    assert report.changed is True
    assert report.revision == rev + 1 == revision(engine)
    assert report.counts["results"]["updated"] == 1
    assert report.counts["results"]["inserted"] == report.counts["results"]["deleted"] == 0
    for table, counts in report.counts.items():
        if table != "results":
            assert counts["inserted"] == counts["updated"] == counts["deleted"] == 0, table
    after = snapshot(engine)
    for table in before:
        if table not in {"results", "dataset_info"}:
            assert after[table] == before[table], table
    changed = [(b, a) for b, a in zip(before["results"], after["results"], strict=True) if a != b]
    assert len(changed) == 1
    was, now = changed[0]
    assert old in was and new in now
    assert float(new) in now
    # the same corrected data again is a no-op
    assert run_seed(engine, data).changed is False
    assert revision(engine) == rev + 1


def test_a_removed_row_is_deleted(engine: Engine, tmp_path: Path) -> None:
    data = copy_data(tmp_path)
    path = data / "model_catalog.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    removed = [line for line in lines if line.startswith("OPT-125M,")]
    assert len(removed) == 1
    path.write_text("".join(line for line in lines if line not in removed), encoding="utf-8")
    report = run_seed(engine, data)
    assert report.counts["catalog_models"]["deleted"] == 1
    assert report.changed is True
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM catalog_models WHERE name = 'OPT-125M'")).scalar() == 0


def test_api_serves_the_new_value_with_a_warm_cache(db_path: Path, tmp_path: Path) -> None:
    settings = sqlite_settings(db_path, reference_cache_check_seconds=0)
    data, old, new = corrected_data(tmp_path)
    with open_client(settings) as client:
        first = client.get(CELL_URL)
        assert [i["value_text"] for i in first.json()["items"]] == [old]
        assert client.get(CELL_URL, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
        table_before = client.get(TABLE_URL)
        page_before = client.get("/papers/glu-variants-2020")
        assert f">{old}<" in page_before.text

        eng = create_db_engine(settings)
        try:
            run_seed(eng, data)  # another process, as `actlab seed` would be
        finally:
            eng.dispose()

        second = client.get(CELL_URL, headers={"If-None-Match": first.headers["etag"]})
        assert second.status_code == 200
        assert [i["value_text"] for i in second.json()["items"]] == [new]
        assert second.headers["etag"] != first.headers["etag"]
        table_after = client.get(TABLE_URL).json()
        geglu = next(r for r in table_after["rows"] if r["variant"] == "FFN_GEGLU")
        assert geglu["cells"][1]["value_text"] == new
        assert client.get(TABLE_URL).headers["etag"] != table_before.headers["etag"]
        page_after = client.get("/papers/glu-variants-2020")
        assert f">{new}<" in page_after.text and f">{old}<" not in page_after.text
        assert client.get("/api/v1/dataset").json()["revision"] == 2


def test_a_failed_seed_leaves_the_previous_data(engine: Engine, db_path: Path, tmp_path: Path) -> None:
    data, _, _ = corrected_data(tmp_path)  # table 2 changes (loaded before table 3) ...
    table3 = data / "glu_variants_2020_table3.csv"
    with table3.open("a", encoding="utf-8") as fh:  # ... then table 3 names a variant that does not exist
        fh.write("FFN_Mish,SuperGLUE,Score Average,524288,70.00,,arXiv:2002.05202 Table 3 (SuperGLUE dev)\n")
    before = snapshot(engine)
    rev = revision(engine)
    with pytest.raises(ValueError, match="FFN_Mish"):
        run_seed(engine, data)
    assert snapshot(engine) == before
    assert revision(engine) == rev
    with open_client(sqlite_settings(db_path)) as client:
        items = client.get(CELL_URL).json()["items"]
        assert [i["value_text"] for i in items] == [geglu_cola_reference()]


def test_dataset_endpoint_shows_version_and_revision(client: TestClient, engine: Engine, tmp_path: Path) -> None:
    manifest = yaml.safe_load((DATA_DIR / "manifest.yaml").read_text(encoding="utf-8"))
    body = client.get("/api/v1/dataset").json()
    assert body["version"] == str(manifest["version"])
    assert body["revision"] == revision(engine) == 1
    assert len(body["content_sha256"]) == 64 and int(body["content_sha256"], 16) >= 0
    assert body["loaded_at"].endswith("+00:00"), "loaded_at is an ISO time in UTC"
    data, _, _ = corrected_data(tmp_path)
    run_seed(engine, data)
    client.app.state.reference_responses.invalidate()  # type: ignore[attr-defined]
    changed = client.get("/api/v1/dataset").json()
    assert changed["revision"] == 2
    assert changed["content_sha256"] != body["content_sha256"]
    assert changed["version"] == body["version"]


def test_seed_report_covers_every_reference_table(engine: Engine) -> None:
    report = run_seed(engine)
    assert set(report.counts) >= {t.name for t in REFERENCE_TABLES} - {"dataset_info"}
    assert {t.name for t in REFERENCE_TABLES} <= set(inspect(engine).get_table_names())
