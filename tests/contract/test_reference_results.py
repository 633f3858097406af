"""Every printed cell of the reference CSVs and every catalog row, found exactly through the JSON API.

The expected values are read from tests/reference at test time; the API is queried on SQLite and on
PostgreSQL (migrated and seeded the way `actlab migrate` and `actlab seed` do it).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from tests.conftest import open_client, read_reference_csv

TABLE_FILES = [f"glu_variants_2020_table{n}.csv" for n in (1, 2, 3, 4)]
REFERENCE_ROW_ID = "Raffel_et_al_2019_reported"
REFERENCE_ROW_LABEL = "Raffel et al. 2019"


@pytest.fixture(params=["sqlite", "postgresql"])
def api(request: pytest.FixtureRequest) -> Iterator[TestClient]:
    """The app on the seeded SQLite copy, and on a freshly migrated and seeded PostgreSQL database."""
    if request.param == "sqlite":
        settings: Settings = request.getfixturevalue("settings")
    else:
        settings = request.getfixturevalue("pg_settings")
    with open_client(settings) as client:
        yield client


def reference_rows() -> list[dict[str, str]]:
    rows = []
    for name in TABLE_FILES:
        for row in read_reference_csv(name):
            rows.append({**row, "file": name})
    return rows


def find_cell(client: TestClient, row: dict[str, str]) -> dict[str, Any]:
    """The one API item for a CSV row, looked up with the API's own filters."""
    is_reference = row["variant"] == REFERENCE_ROW_ID
    params = {
        "benchmark": row["benchmark"],
        "metric": row["metric"],
        "training_steps": row["training_steps"],
        "limit": "500",
    }
    if not is_reference:
        params["variant"] = row["variant"]
    response = client.get("/api/v1/results", params=params)
    assert response.status_code == 200, (row, response.text)
    body = response.json()
    assert body["next"] is None, "one page should hold every match for a single cell"
    matches = [
        item
        for item in body["items"]
        if item["benchmark"] == row["benchmark"]
        and item["metric"] == row["metric"]
        and item["training_steps"] == int(row["training_steps"])
        and (
            (item["is_reference"] and item["row_label"] == REFERENCE_ROW_LABEL and item["variant"] is None)
            if is_reference
            else (item["variant"] == row["variant"] and not item["is_reference"])
        )
    ]
    assert len(matches) == 1, f"{row['file']}: expected exactly one API item for {row}, got {matches}"
    return matches[0]


def test_every_reference_cell_is_served_exactly(api: TestClient) -> None:
    rows = reference_rows()
    assert len(rows) == 259, "the four reference CSVs hold 259 printed cells"
    mismatches = []
    for row in rows:
        item = find_cell(api, row)
        stddev_text = row["stddev"].strip() or None
        expected = {
            "value_text": row["value"],
            "value": float(row["value"]),
            "stddev_text": stddev_text,
            "stddev": float(stddev_text) if stddev_text else None,
            "is_reference": row["variant"] == REFERENCE_ROW_ID,
            "variant": None if row["variant"] == REFERENCE_ROW_ID else row["variant"],
        }
        got = {key: item[key] for key in expected}
        if got != expected:
            mismatches.append((row["file"], row["variant"], row["benchmark"], row["metric"], got, expected))
        table_number = int(row["file"].removesuffix(".csv")[-1])
        assert item["source"]["table"] == table_number, item["source"]
        assert item["source"]["arxiv"].startswith("arXiv:2002.05202"), item["source"]
    assert mismatches == []


def test_the_results_list_holds_nothing_beyond_the_reference_cells(api: TestClient) -> None:
    expected = {
        (r["variant"] if r["variant"] != REFERENCE_ROW_ID else None, r["benchmark"], r["metric"],
         int(r["training_steps"]), r["value"])
        for r in reference_rows()
    }
    seen = []
    url: str | None = "/api/v1/results?limit=100"
    while url is not None:
        body = api.get(url).json()
        seen += [
            (i["variant"], i["benchmark"], i["metric"], i["training_steps"], i["value_text"]) for i in body["items"]
        ]
        url = body["next"]
    assert len(seen) == len(set(seen)) == len(expected)
    assert set(seen) == expected


CATALOG_FIELDS = {
    "name": "model",
    "organization": "organization",
    "ffn_type": "ffn_type",
    "activation": "activation",
    "d_model_text": "d_model",
    "d_ff_text": "d_ff_or_intermediate_size",
    "source": "source",
    "verified": "verified",
}


def expected_model(row: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {api_key: row[csv_key] for api_key, csv_key in CATALOG_FIELDS.items()}
    out["year"] = int(row["year"])
    out["d_model"] = int(row["d_model"]) if row["d_model"].isdigit() else None
    out["d_ff"] = int(row["d_ff_or_intermediate_size"]) if row["d_ff_or_intermediate_size"].isdigit() else None
    return out


def test_model_catalog_matches_the_reference_csv(api: TestClient) -> None:
    rows = read_reference_csv("model_catalog.csv") + read_reference_csv("model_catalog_extended.csv")
    assert len(rows) == 58
    body = api.get("/api/v1/models").json()
    assert body["total"] == len(rows)
    assert [m["name"] for m in body["items"]] == [r["model"] for r in rows], "catalog order is the CSV's"
    for row, item in zip(rows, body["items"], strict=True):
        expected = expected_model(row)
        assert {k: item[k] for k in expected} == expected


def test_every_catalog_model_resolves_by_name(api: TestClient) -> None:
    for row in read_reference_csv("model_catalog.csv") + read_reference_csv("model_catalog_extended.csv"):
        response = api.get(f"/api/v1/models/{quote(row['model'], safe='')}")
        assert response.status_code == 200, (row["model"], response.text)
        item = response.json()
        expected = expected_model(row)
        assert {k: item[k] for k in expected} == expected
        assert isinstance(item["architecture_facts"], list)
