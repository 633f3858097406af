"""The second paper, Narang et al. 2021, served as data: its own page, tables, badges, results, compare and
best, each scoped to it, single-source cells flagged and kept out of rankings, and the cross-paper view.

Expected values come from tests/reference/narang_2021.md and its two CSVs.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import read_reference_csv

PAPER = "narang-2021"
FINAL_LOSS = "log-perplexity (final loss)"
EARLY_LOSS = "log-perplexity (early loss; mean and std over 5 runs)"
WMT = "WMT'14 En-De (dev; supervised, no pre-training)"


def best_items(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/api/v1/best", params=params)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_papers_lists_both_with_the_second_papers_tables(client: TestClient) -> None:
    items = client.get("/api/v1/papers").json()["items"]
    narang = next(p for p in items if p["id"] == PAPER)
    assert narang["arxiv_id"] == "2102.11972"
    assert narang["title"] == "Do Transformer Modifications Transfer Across Implementations and Applications?"
    assert [t["number"] for t in narang["tables"]] == [1, 2]
    assert narang["verification_counts"] == {"single-source": 83, "two-source": 99}
    assert items[0]["verification_counts"] == {"two-source": 259}


def test_setup_facts_carry_the_not_comparable_note(client: TestClient) -> None:
    facts = {f["key"]: f for f in client.get(f"/api/v1/papers/{PAPER}").json()["facts"]}
    assert "LayerNorm" in facts["normalization_biases"]["value"]
    assert "not comparable" in facts["not_comparable"]["label"].lower()
    assert facts["gates"]["value"].endswith("LiGLU = linear·linear (Shazeer's Bilinear)")
    assert all(f["location"] for f in facts.values())


def test_printed_magnitudes_keep_their_text_and_get_no_float(client: TestClient) -> None:
    items = client.get("/api/v1/results", params={"paper": PAPER, "metric": "Params", "limit": 50}).json()["items"]
    assert items and all(i["value_text"] == "223M" and i["value"] is None for i in items)
    assert all(i["training_steps"] is None for i in items)
    speed = client.get("/api/v1/results", params={"paper": PAPER, "metric": "Step/s", "variant": "FFN_ReLU"}).json()
    assert [(i["value_text"], i["value"], i["source"]["table"]) for i in speed["items"]] == [
        ("3.50", 3.5, 1), ("3.90", 3.9, 2)
    ]


def test_liglu_is_bilinear_and_unmapped_rows_keep_their_label(client: TestClient) -> None:
    liglu = client.get("/api/v1/results", params={"paper": PAPER, "variant": "Bilinear", "metric": FINAL_LOSS}).json()
    assert {(i["row_label"], i["value_text"]) for i in liglu["items"]} == {("LiGLU", "1.798"), ("LiGLU", "1.816")}
    elu = [i for i in client.get("/api/v1/results", params={"paper": PAPER, "limit": 500}).json()["items"]
           if i["row_label"] == "ELU"]
    assert elu and all(i["variant"] is None and i["is_reference"] is False for i in elu)


def test_best_is_per_paper_and_matches_the_readings(client: TestClient) -> None:
    items = {(i["benchmark"], i["metric"], i["source"]["table"]): i for i in best_items(client, paper=PAPER)}
    final = items[("C4 held-out (span-corruption pre-training objective)", FINAL_LOSS, 1)]
    assert (final["best"], final["best_rows"], final["value_text"]) == (["FFN_SwiGLU"], ["SwiGLU"], "1.789")
    superglue = items[("SuperGLUE (dev)", "Average score", 1)]
    assert (superglue["best_rows"], superglue["value_text"]) == (["ReGLU"], "76.17")
    assert all(i["paper"] == PAPER and i["verification"] != "single-source" for i in items.values())
    # The first paper's answers are untouched by the second paper's cells.
    default = best_items(client)
    assert {i["paper"] for i in default} == {"glu-variants-2020"}


def test_single_source_cells_only_compete_when_asked_and_then_say_so(client: TestClient) -> None:
    default = [i for i in best_items(client, paper=PAPER) if i["benchmark"] == WMT]
    assert default == [], "one two-source WMT cell is no ranking; the single-source ones stay out"
    included = [i for i in best_items(client, paper=PAPER, include_single_source="true") if i["benchmark"] == WMT]
    assert [(i["best_rows"], i["value_text"], i["single_source"], i["verification"]) for i in included] == [
        (["GLU"], "27.12", True, "single-source")
    ]
    table2 = [i for i in best_items(client, paper=PAPER) if i["source"]["table"] == 2]
    assert all(i["single_source_left_out"] > 0 for i in table2) or table2 == []


def test_compare_is_scoped_to_one_paper(client: TestClient) -> None:
    body = client.get("/api/v1/compare", params={"a": "GEGLU", "b": "SwiGLU", "paper": PAPER}).json()
    assert body["paper"] == PAPER
    final = next(i for i in body["items"] if i["metric"] == FINAL_LOSS and i["table"] == 1)
    assert (final["a"]["value_text"], final["b"]["value_text"], final["better"]) == ("1.792", "1.789", "FFN_SwiGLU")
    assert all(i["a"]["source"]["paper"] == i["b"]["source"]["paper"] == PAPER for i in body["items"])
    assert not any(i["benchmark"] == WMT for i in body["items"]), "single-source cells are left out by default"
    early = next(i for i in body["items"] if i["metric"] == EARLY_LOSS and i["table"] == 1)
    assert early["spread_source"].startswith("the paper's run-to-run spread")
    wide = client.get("/api/v1/compare", params={"a": "GEGLU", "b": "SwiGLU", "paper": PAPER,
                                                 "include_single_source": "true"}).json()
    wmt = [i for i in wide["items"] if i["benchmark"] == WMT]
    assert wmt and all(i["single_source"] and "single-source" in i["verdict"] for i in wmt)
    default = client.get("/api/v1/compare", params={"a": "GEGLU", "b": "SwiGLU"}).json()
    assert default["paper"] == "glu-variants-2020"
    assert all(i["a"]["source"]["paper"] == "glu-variants-2020" for i in default["items"])


def test_table_cells_carry_their_status_and_single_source_is_never_best(client: TestClient) -> None:
    table = client.get(f"/api/v1/papers/{PAPER}/tables/1").json()
    wmt = next(i for i, c in enumerate(table["columns"]) if c["benchmark"] == WMT)
    statuses = {r["label"]: r["cells"][wmt]["verification"] for r in table["rows"]}
    assert statuses["Vanilla Transformer"] == "two-source" and statuses["GLU"] == "single-source"
    assert not any(r["cells"][wmt]["best"] for r in table["rows"])
    ranked = {c["label"]: c["ranked"] for c in table["columns"]}
    assert ranked["Params"] is ranked["Ops"] is ranked["WMT EnDe"] is False and ranked["Final loss"] is True
    final = next(i for i, c in enumerate(table["columns"]) if c["metric"] == FINAL_LOSS)
    assert [r["label"] for r in table["rows"] if r["cells"][final]["best"]] == ["SwiGLU"]


def test_table_csv_names_each_non_two_source_column(client: TestClient) -> None:
    text = client.get(f"/api/v1/papers/{PAPER}/tables/1", params={"format": "csv"}).text
    rows = list(csv.DictReader(io.StringIO(text)))
    wmt_label = next(c["label"] for c in client.get(f"/api/v1/papers/{PAPER}/tables/1").json()["columns"]
                     if c["benchmark"] == WMT)
    by_row = {r["row"]: r for r in rows}
    assert by_row["GLU"][wmt_label] == "27.12" and by_row["GLU"][f"{wmt_label} (verification)"] == "single-source"
    assert by_row["Vanilla Transformer"][f"{wmt_label} (verification)"] == "two-source"
    assert wmt_label == "WMT EnDe"
    assert by_row["Vanilla Transformer"]["Early loss (stddev)"] == "0.005"


def test_paper_page_shows_badges_legend_and_chart(client: TestClient) -> None:
    response = client.get(f"/papers/{PAPER}")
    assert response.status_code == 200
    html = response.text
    assert 'id="verification-legend"' in html
    assert "badge-single-source" in html
    assert '<figure class="chart"' in html and "<svg" in html
    single = len(read_reference_csv("narang_2021_single_source.csv"))
    assert html.count('class="badge badge-single-source"') == single + 1, "one per single-source cell, one legend"
    first = client.get("/papers/glu-variants-2020").text
    assert first.count('class="badge badge-single-source"') == 1, "the first paper's cells are all two-source"


def test_across_papers_keeps_each_paper_apart(client: TestClient) -> None:
    response = client.get("/api/v1/variants/GEGLU/vs/SwiGLU")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["comparable"] is False and "not comparable" in body["statement"]
    assert [p["paper"] for p in body["papers"]] == ["glu-variants-2020", PAPER]
    narang = body["papers"][1]
    assert narang["row_labels"] == {"a": "GeGLU", "b": "SwiGLU"}
    assert sum(narang["wins"].values()) == len(narang["items"]) == sum(narang["noise"].values())
    assert any(c["paper"] == PAPER for c in body["cautions"])
    page = client.get("/variants/GEGLU/vs/SwiGLU")
    assert page.status_code == 200 and "Not comparable across papers" in page.text
    assert client.get("/api/v1/variants/GEGLU/vs/Mish").status_code == 404
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/variants/GEGLU/vs/SwiGLU?format=csv").text)))
    assert {r["paper"] for r in rows} == {"glu-variants-2020", PAPER}


def test_the_first_papers_reference_spread_is_described_as_before(client: TestClient) -> None:
    body = client.get("/api/v1/compare", params={"a": "GLU", "b": "Bilinear", "benchmark": "GLUE"}).json()
    glue = next(i for i in body["items"] if i["benchmark"] == "GLUE/CoLA")
    assert glue["spread_source"] == "the inter-run stddev of Raffel et al. (2019) for this metric"
