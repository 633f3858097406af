"""The ten common misreadings are stored, cited data: every one is served with its fields under a stable
id, every number in a right reading is printed exactly as the reference prints it, cited stored rows hold
the cited values, the pages they concern link them, and the seed loads them idempotently (SQLite and
PostgreSQL alike)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.engine import Engine

from app.activations.registry import all_activations
from app.config import Settings
from app.db import create_db_engine, make_session_factory, session_scope
from app.orm import Misreading
from app.seed import DATA_DIR, SeedReport, load_reference_data
from tests.conftest import open_client, read_reference_csv, reference_file

# The ids are part of the API (pages and answers link them): changing one is a breaking change.
IDS = [
    "geglu-1942-is-not-full-training",
    "config-defaults-are-not-checkpoints",
    "gemma-hidden-act",
    "two-thirds-rounding",
    "config-activation-vs-code",
    "doubled-ffn-widths",
    "exact-vs-tanh-gelu",
    "wrong-secondary-tables",
    "mixing-papers",
    "primer-squared-relu",
]
NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?:e-?\d+)?")


def numbers(textual: str) -> list[str]:
    return NUMBER.findall(textual)


def reference_items() -> list[str]:
    """The ten numbered items of tests/reference/misreadings.md, each without its list number."""
    body = reference_file("misreadings.md").read_text(encoding="utf-8")
    parts = re.split(r"^(\d+)\. ", body, flags=re.MULTILINE)
    items = [parts[i + 1] for i in range(1, len(parts), 2)]
    assert len(items) == 10
    return items


@pytest.fixture
def any_client(each_database_client: TestClient) -> TestClient:
    return each_database_client


def all_items(client: TestClient) -> list[dict[str, Any]]:
    body = client.get("/api/v1/misreadings", params={"limit": 100}).json()
    assert body["total"] == len(body["items"])
    return list(body["items"])


def test_all_ten_are_served_with_their_fields_and_stable_ids(any_client: TestClient) -> None:
    items = all_items(any_client)
    assert [i["id"] for i in items] == IDS
    for item in items:
        for name in ("title", "wrong", "right", "where"):
            assert item[name].strip(), (item["id"], name)
        assert item["evidence"], item["id"]
        assert item["url"] == f"/api/v1/misreadings/{item['id']}"
        assert item["page_url"] == f"/misreadings/{item['id']}"
        one = any_client.get(item["url"])
        assert one.status_code == 200
        assert one.json() == item


@pytest.mark.parametrize("position", range(10))
def test_numbers_are_printed_as_the_reference_prints_them(client: TestClient, position: int) -> None:
    item = all_items(client)[position]
    reference = reference_items()[position]
    for number in numbers(item["right"]):
        assert number in numbers(reference), f"{item['id']}: {number} is not printed in misreadings.md item"
    served = " ".join([item["title"], item["wrong"], item["right"], item["where"]])
    for number in numbers(reference):
        assert number in numbers(served), f"{item['id']}: the reference's {number} is missing"
    for citation in item["evidence"]:
        if citation["kind"] == "reference_fact":
            assert citation["value_text"] in numbers(reference)


def test_cited_paper_cells_and_models_hold_the_reference_values(client: TestClient) -> None:
    rows = read_reference_csv("glu_variants_2020_table1.csv")
    table1 = {(r["variant"], r["training_steps"]): r["value"] for r in rows}
    catalog = {r["model"]: r for r in read_reference_csv("model_catalog.csv")}
    catalog |= {r["model"]: r for r in read_reference_csv("model_catalog_extended.csv")}
    fields = {"activation": "activation", "d_ff_text": "d_ff_or_intermediate_size", "d_model_text": "d_model"}
    cells = 0
    for item in all_items(client):
        for c in item["evidence"]:
            if c["kind"] == "paper_cell":
                steps = c["key"]["column"].removesuffix(" steps").replace(",", "")
                assert c["value_text"] == table1[(c["key"]["row"], steps)]
                assert c["stored"] is True and c["url"] == "/api/v1/papers/glu-variants-2020/tables/1"
                cells += 1
            elif c["kind"] == "catalog_model":
                assert c["value_text"] == catalog[c["key"]["model"]][fields[c["key"]["field"]]]
                if c["stored"]:
                    assert client.get(c["url"]).json()[c["key"]["field"]] == c["value_text"]
            elif c["kind"] == "architecture_fact":
                assert c["stored"] is True
    assert cells == 3
    gelu = next(i for i in all_items(client) if i["id"] == "exact-vs-tanh-gelu")
    assert "4.7324e-4" in [c["value_text"] for c in gelu["evidence"]]
    assert "4.7324e-4" in reference_file("misreadings.md").read_text(encoding="utf-8")


def test_what_a_misreading_concerns_names_real_models_and_activations(client: TestClient) -> None:
    """Concern links lead to pages: model names are catalog names, activation ids registry ids (the gpt-oss
    label is the one misreadings.md itself names)."""
    models = {r["model"] for r in read_reference_csv("model_catalog.csv")}
    models |= {r["model"] for r in read_reference_csv("model_catalog_extended.csv")}
    activations = {a.id for a in all_activations()} | {"clamped_swiglu_a1.702"}
    for item in all_items(client):
        assert set(item["concerns"]["models"]) <= models, item["id"]
        assert set(item["concerns"]["activations"]) <= activations, item["id"]
        assert {link["page_url"] for link in item["links"]} >= {
            f"/models/{quote(m)}" for m in item["concerns"]["models"]
        }
        assert set(item["concerns"]["papers"]) <= {"glu-variants-2020", "narang-2021"}, item["id"]
    stored = {m for m in models if client.get(f"/api/v1/models/{quote(m)}").status_code == 200}
    for item in all_items(client):
        for name in set(item["concerns"]["models"]) & stored:
            assert f'href="/misreadings/{item["id"]}"' in client.get(f"/models/{quote(name)}").text, name
        for paper in item["concerns"]["papers"]:
            page = client.get(f"/papers/{paper}")
            assert page.status_code == 404 or f'href="/misreadings/{item["id"]}"' in page.text, paper


def test_the_list_paginates_and_speaks_csv(client: TestClient) -> None:
    first = client.get("/api/v1/misreadings", params={"limit": 3}).json()
    assert [i["id"] for i in first["items"]] == IDS[:3]
    assert first["total"] == 10 and first["next"] == "/api/v1/misreadings?limit=3&offset=3"
    last = client.get("/api/v1/misreadings", params={"limit": 3, "offset": 9}).json()
    assert [i["id"] for i in last["items"]] == IDS[9:] and last["next"] is None
    csv_text = client.get("/api/v1/misreadings", params={"format": "csv"}).text
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("id,title,wrong,right,where") and len(lines) >= 11
    assert "1.942" in csv_text and "4.7324e-4" in csv_text
    assert client.get("/api/v1/misreadings", params={"limit": 100_000}).status_code == 422


def test_an_unknown_id_is_a_404_problem_naming_the_valid_ids(any_client: TestClient) -> None:
    response = any_client.get("/api/v1/misreadings/no-such-misreading")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["valid"] == IDS
    assert all(i in body["detail"] for i in IDS)
    assert any_client.get("/misreadings/no-such-misreading").status_code == 404


@pytest.mark.parametrize("model", ["Gemma 7B", "Gemma 2 9B"])
def test_a_gemma_model_page_shows_the_hidden_act_note(any_client: TestClient, model: str) -> None:
    page = any_client.get(f"/models/{quote(model)}")
    assert page.status_code == 200
    assert 'href="/misreadings/gemma-hidden-act"' in page.text
    assert "<code>hidden_act</code>" in page.text and "gelu_pytorch_tanh" in page.text


def test_the_paper_page_shows_the_1942_note(any_client: TestClient) -> None:
    page = any_client.get("/papers/glu-variants-2020")
    assert page.status_code == 200
    assert 'href="/misreadings/geglu-1942-is-not-full-training"' in page.text
    assert "1.942 is Shazeer (2020) Table 1 at 65,536 steps" in page.text


def test_pages_list_only_the_misreadings_that_concern_them(client: TestClient) -> None:
    geglu = client.get("/activations/geglu").text
    assert 'href="/misreadings/geglu-1942-is-not-full-training"' in geglu
    assert 'href="/misreadings/gemma-hidden-act"' not in geglu
    gpt2 = client.get(f"/models/{quote('GPT-2 (124M)')}").text
    assert 'href="/misreadings/exact-vs-tanh-gelu"' in gpt2 and 'href="/misreadings/gemma-hidden-act"' not in gpt2
    assert "/misreadings/" not in client.get(f"/models/{quote('OPT-125M')}").text.replace('href="/misreadings"', "")


def test_the_list_page_exists_and_is_in_the_navigation(any_client: TestClient) -> None:
    page = any_client.get("/misreadings")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for item in all_items(any_client):
        assert f'id="{item["id"]}"' in page.text
    assert '<a href="/misreadings" aria-current="page">Misreadings</a>' in page.text
    assert '<a href="/misreadings">Misreadings</a>' in any_client.get("/").text
    one = any_client.get("/misreadings/gemma-hidden-act")
    assert one.status_code == 200 and 'href="/models/Gemma%207B"' in one.text


# --- the seed -------------------------------------------------------------------------------------


def run_seed(engine: Engine, data_dir: Path = DATA_DIR) -> SeedReport:
    with session_scope(make_session_factory(engine)) as session:
        return load_reference_data(session, data_dir=data_dir)


def stored_rows(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text("SELECT * FROM misreadings ORDER BY id"))]


def edited_data(tmp_path: Path, old: str, new: str) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    path = target / "misreadings.yaml"
    source = path.read_text(encoding="utf-8")
    assert source.count(old) == 1
    path.write_text(source.replace(old, new), encoding="utf-8")
    return target


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_a_second_seed_changes_nothing(request: pytest.FixtureRequest, settings: Settings, backend: str) -> None:
    chosen = settings if backend == "sqlite" else request.getfixturevalue("pg_settings")
    engine = create_db_engine(chosen)
    try:
        before = stored_rows(engine)
        assert len(before) == 10
        report = run_seed(engine)
        assert report.counts["misreadings"] == {"inserted": 0, "updated": 0, "deleted": 0, "unchanged": 10}
        assert report.changed is False
        assert stored_rows(engine) == before
    finally:
        engine.dispose()


def test_a_citation_that_disagrees_with_the_stored_cell_stops_the_seed(settings: Settings, tmp_path: Path) -> None:
    data = edited_data(tmp_path, 'value_text: "1.633"', 'value_text: "1.634"')
    engine = create_db_engine(settings)
    try:
        before = stored_rows(engine)
        with pytest.raises(ValueError, match="geglu-1942-is-not-full-training"):
            run_seed(engine, data)
        assert stored_rows(engine) == before
    finally:
        engine.dispose()


def test_a_corrected_misreading_updates_exactly_its_row(settings: Settings, tmp_path: Path) -> None:
    data = edited_data(tmp_path, "title: Mixing papers\n", "title: Mixing two papers\n")
    engine = create_db_engine(settings)
    try:
        report = run_seed(engine, data)
        assert report.counts["misreadings"] == {"inserted": 0, "updated": 1, "deleted": 0, "unchanged": 9}
        with make_session_factory(engine)() as session:
            assert session.scalar(select(Misreading.title).where(Misreading.id == "mixing-papers")) == (
                "Mixing two papers"
            )
    finally:
        engine.dispose()


def test_titles_are_escaped(settings: Settings, tmp_path: Path) -> None:
    hostile = '<script>alert("x")</script>'
    data = edited_data(tmp_path, "title: Mixing papers\n", f"title: '{hostile}'\n")
    entries = yaml.safe_load((data / "misreadings.yaml").read_text(encoding="utf-8"))
    assert entries[8]["title"] == hostile
    engine = create_db_engine(settings)
    try:
        run_seed(engine, data)
    finally:
        engine.dispose()
    with open_client(settings) as client:
        for path in ("/misreadings", "/misreadings/mixing-papers", "/papers/glu-variants-2020"):
            page = client.get(path).text
            assert hostile not in page, path
            assert "&lt;script&gt;" in page, path
