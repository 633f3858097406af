"""Every printed cell of the reference CSVs and every catalog row, found exactly through the JSON API.

The expected values are read from tests/reference at test time; the API is queried on SQLite and on
PostgreSQL (migrated and seeded the way `actlab migrate` and `actlab seed` do it).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from tests.conftest import read_reference_csv

TABLE_FILES = [f"glu_variants_2020_table{n}.csv" for n in (1, 2, 3, 4)]
REFERENCE_ROW_ID = "Raffel_et_al_2019_reported"
REFERENCE_ROW_LABEL = "Raffel et al. 2019"


@pytest.fixture
def api(each_database_client: TestClient) -> TestClient:
    return each_database_client


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


# --- the second paper: Narang et al. 2021 ----------------------------------------------------------

NARANG_FILES = {"narang_2021_table1.csv": "two-source", "narang_2021_single_source.csv": "single-source"}
NARANG_PAPER = "narang-2021"
# The name mapping the reference states (narang_2021.md): LiGLU is Shazeer's Bilinear, GeLU is GELU.
NARANG_VARIANTS = {
    "Vanilla Transformer": "FFN_ReLU", "GeLU": "FFN_GELU", "Swish": "FFN_Swish", "GLU": "FFN_GLU",
    "GeGLU": "FFN_GEGLU", "ReGLU": "FFN_ReGLU", "SwiGLU": "FFN_SwiGLU", "LiGLU": "FFN_Bilinear",
}


def narang_rows() -> list[dict[str, str]]:
    return [{**row, "file": name} for name in NARANG_FILES for row in read_reference_csv(name)]


def printed_number(text: str) -> float | None:
    """A float only where the printed text is a plain decimal ("3.50"); "223M" or "11.1T" have none."""
    return float(text) if re.fullmatch(r"[+-]?[0-9]+(\.[0-9]+)?", text) else None


def narang_table(row: dict[str, str]) -> int:
    match = re.match(r"arXiv:2102\.11972 Table (\d+)", row["source_table"])
    assert match, row
    return int(match.group(1))


def find_narang_cell(client: TestClient, row: dict[str, str]) -> dict[str, Any]:
    params = {"paper": NARANG_PAPER, "benchmark": row["benchmark"], "metric": row["metric"], "limit": "500"}
    if row["training_steps"]:
        params["training_steps"] = row["training_steps"]
    response = client.get("/api/v1/results", params=params)
    assert response.status_code == 200, (row, response.text)
    body = response.json()
    assert body["next"] is None
    matches = [
        i for i in body["items"]
        if i["row_label"] == row["variant"] and i["benchmark"] == row["benchmark"] and i["metric"] == row["metric"]
        and i["training_steps"] == (int(row["training_steps"]) if row["training_steps"] else None)
        and i["source"]["table"] == narang_table(row)
    ]
    assert len(matches) == 1, f"{row['file']}: expected exactly one API item for {row}, got {matches}"
    return matches[0]


def test_every_narang_cell_is_served_exactly_with_its_status(api: TestClient) -> None:
    rows = narang_rows()
    assert len(rows) == 99 + 83, "the two Narang 2021 reference CSVs hold 99 and 83 printed cells"
    mismatches = []
    for row in rows:
        item = find_narang_cell(api, row)
        stddev_text = row["stddev"].strip() or None
        expected = {
            "row_label": row["variant"],
            "variant": NARANG_VARIANTS.get(row["variant"]),
            "is_reference": False,
            "value_text": row["value"],
            "value": printed_number(row["value"]),
            "stddev_text": stddev_text,
            "stddev": float(stddev_text) if stddev_text else None,
            "training_steps": int(row["training_steps"]) if row["training_steps"] else None,
            "verification": NARANG_FILES[row["file"]],
        }
        got = {key: item[key] for key in expected}
        if got != expected:
            mismatches.append((row["file"], row["variant"], row["benchmark"], row["metric"], got, expected))
        assert item["source"]["paper"] == NARANG_PAPER and item["source"]["arxiv"] == "arXiv:2102.11972"
    assert mismatches == []


def test_narang_results_hold_nothing_beyond_its_reference_cells(api: TestClient) -> None:
    expected = {
        (r["variant"], narang_table(r), r["benchmark"], r["metric"], r["training_steps"], r["value"], r["stddev"],
         NARANG_FILES[r["file"]])
        for r in narang_rows()
    }
    seen = []
    url: str | None = f"/api/v1/results?paper={NARANG_PAPER}&limit=100"
    while url is not None:
        body = api.get(url).json()
        seen += [
            (i["row_label"], i["source"]["table"], i["benchmark"], i["metric"],
             "" if i["training_steps"] is None else str(i["training_steps"]), i["value_text"], i["stddev_text"] or "",
             i["verification"])
            for i in body["items"]
        ]
        url = body["next"]
    assert len(seen) == len(set(seen)) == len(expected)
    assert set(seen) == expected


def test_every_narang_cell_is_in_its_printed_table_with_its_status(api: TestClient) -> None:
    tables = {n: api.get(f"/api/v1/papers/{NARANG_PAPER}/tables/{n}").json() for n in (1, 2)}
    for row in narang_rows():
        table = tables[narang_table(row)]
        steps = int(row["training_steps"]) if row["training_steps"] else None
        col = next(i for i, c in enumerate(table["columns"])
                   if (c["benchmark"], c["metric"], c["training_steps"]) == (row["benchmark"], row["metric"], steps))
        printed = next(r for r in table["rows"] if r["label"] == row["variant"])
        cell = printed["cells"][col]
        assert (cell["value_text"], cell["stddev_text"] or "", cell["verification"]) == (
            row["value"], row["stddev"], NARANG_FILES[row["file"]]
        ), row
        assert not (cell["best"] and cell["verification"] == "single-source"), "single-source cells are never best"


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
