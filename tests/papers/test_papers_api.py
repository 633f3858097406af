"""The paper API against the reference fact sheets: tables as printed, comparisons, winners, lists.

Expected values come from tests/reference (glu_variants_2020.md, the table CSVs, model_catalog.csv and
gemma.md), parsed at test time; nothing here is derived from the service's own answers.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import PrintedTable, markdown_tables, read_reference_csv, reference_file

PAPER_ID = "glu-variants-2020"
REFERENCE_ROW_ID = "Raffel_et_al_2019_reported"
REFERENCE_ROW_LABEL = "Raffel et al. 2019"
Cell = tuple[str, str, int]  # benchmark, metric, training_steps


# --- expectations built from the reference files ------------------------------------------------


def printed_label(markdown_label: str) -> str:
    """A heading of the fact sheet as the paper prints it: the sheet adds notes in parentheses and
    abbreviates "Score Average" to "Score Avg"."""
    label = re.sub(r"\s*\([^)]*\)$", "", markdown_label).strip()
    return re.sub(r"\bAvg\b", "Average", label)


def split_printed(cell: str) -> tuple[str, str | None]:
    """'1.997 (0.005)' -> ('1.997', '0.005'); '83.80' -> ('83.80', None)."""
    match = re.fullmatch(r"(\S+)\s+\((\S+)\)", cell)
    return (match.group(1), match.group(2)) if match else (cell, None)


def variant_rows(table: PrintedTable) -> list[tuple[str, list[str]]]:
    return [(printed_label(label), cells) for label, cells in table.rows if label.startswith("FFN_")]


def expected_best(table: PrintedTable) -> list[set[str]]:
    """Per column, the variants with the best printed value (lowest for Table 1's perplexity)."""
    rows = variant_rows(table)
    out = []
    for i in range(len(table.columns)):
        values = {name: Decimal(split_printed(cells[i])[0]) for name, cells in rows}
        top = min(values.values()) if table.number == 1 else max(values.values())
        out.append({name for name, v in values.items() if v == top})
    return out


def reference_cells() -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for n in (1, 2, 3, 4):
        rows += [{**r, "table": str(n)} for r in read_reference_csv(f"glu_variants_2020_table{n}.csv")]
    return rows


def cell_key(row: dict[str, str]) -> Cell:
    return (row["benchmark"], row["metric"], int(row["training_steps"]))


def values_by_cell() -> dict[Cell, dict[str, dict[str, str]]]:
    """(benchmark, metric, steps) -> row id -> CSV row, in the tables' order."""
    out: dict[Cell, dict[str, dict[str, str]]] = defaultdict(dict)
    for row in reference_cells():
        out[cell_key(row)][row["variant"]] = row
    return out


def higher_is_better(metric: str) -> bool:
    return metric != "log-perplexity"


def expected_comparison(a: str, b: str) -> list[dict[str, Any]]:
    """What the paper's numbers say about a vs b in every column both appear in."""
    out = []
    for cell, rows in values_by_cell().items():
        if a not in rows or b not in rows:
            continue
        va, vb = Decimal(rows[a]["value"]), Decimal(rows[b]["value"])
        diff = va - vb
        better = "tie" if diff == 0 else (a if (diff > 0) == higher_is_better(cell[1]) else b)
        sa, sb = rows[a]["stddev"].strip(), rows[b]["stddev"].strip()
        ref = rows.get(REFERENCE_ROW_ID, {}).get("stddev", "").strip()
        if sa and sb:
            spread: Decimal | None = (Decimal(sa) ** 2 + Decimal(sb) ** 2).sqrt()
        elif ref:
            spread = (2 * Decimal(ref) ** 2).sqrt()
        else:
            spread = None
        noise = "no spread reported"
        if spread is not None:
            noise = "exceeds spread" if abs(diff) > spread else "within noise"
        out.append({"cell": cell, "a": rows[a]["value"], "b": rows[b]["value"], "difference": diff,
                    "better": better, "spread": spread, "noise": noise})
    return out


def parse_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def catalog() -> list[dict[str, str]]:
    return read_reference_csv("model_catalog.csv") + read_reference_csv("model_catalog_extended.csv")


def variant_names_from_fact_sheet() -> list[tuple[str, bool]]:
    """The eight variants of §2 of the fact sheet, in its order, with whether they are gated."""
    text = reference_file("glu_variants_2020.md").read_text(encoding="utf-8")
    section = text.split("## 2.", 1)[1].split("## 3.", 1)[0]
    dense_part, gated_part = section.split("Three-matrix", 1)
    names = [(m, False) for m in re.findall(r"^- (FFN_\w+)\(x\)", dense_part, flags=re.M)]
    names += [(m, True) for m in re.findall(r"^- (FFN_\w+)\(x\)", gated_part, flags=re.M)]
    return names


def gemma_table(section_prefix: str) -> list[list[str]]:
    for heading, rows in markdown_tables(reference_file("gemma.md").read_text(encoding="utf-8")):
        if heading.startswith(section_prefix):
            return rows
    raise AssertionError(f"gemma.md has no table under a heading starting {section_prefix!r}")


# --- papers ---------------------------------------------------------------------------------------


def test_papers_list(client: TestClient) -> None:
    body = client.get("/api/v1/papers").json()
    assert [p["id"] for p in body["items"]] == [PAPER_ID, "narang-2021"], "the first paper first, then Narang 2021"
    paper = body["items"][0]
    assert paper["arxiv_id"] == "2002.05202"
    assert paper["arxiv_version"] == "v1"
    assert paper["title"] == "GLU Variants Improve Transformer"
    assert paper["authors"] == "Noam Shazeer"
    assert paper["organization"] == "Google"
    assert paper["year"] == 2020
    assert paper["submitted"] == "2020-02-12"
    assert [t["number"] for t in paper["tables"]] == [1, 2, 3, 4]


@pytest.mark.parametrize("ident", [PAPER_ID, "2002.05202", "2002.05202v1", "arXiv:2002.05202", "GLU-Variants-2020"])
def test_paper_by_id_and_arxiv_id(client: TestClient, ident: str) -> None:
    response = client.get(f"/api/v1/papers/{ident}")
    assert response.status_code == 200
    assert response.json()["id"] == PAPER_ID
    assert response.content == client.get(f"/api/v1/papers/{PAPER_ID}").content


def test_paper_facts_match_the_fact_sheet(client: TestClient) -> None:
    text = reference_file("glu_variants_2020.md").read_text(encoding="utf-8")
    sheet = next(rows for heading, rows in markdown_tables(text) if heading.startswith("1."))
    stated = {row[0]: (row[1], row[2]) for row in sheet[1:]}
    facts = {f["label"]: f for f in client.get(f"/api/v1/papers/{PAPER_ID}").json()["facts"]}
    for label in ["d_model", "Layers", "Attention heads h", "d_k = d_v", "d_ff, two-matrix FFNs (ReLU, GELU, Swish)",
                  "d_ff, three-matrix GLU-family FFNs", "Batch", "Sequence lengths", "Pre-training length",
                  "Optimizer", "Fine-tuning length / LR", "Step time"]:
        assert facts[label]["value"] == stated[label][0], label
    shared = set(facts) & set(stated)
    assert len(shared) >= 15
    for label in shared:
        places = set(facts[label]["location"].split(", "))
        assert places <= set(stated[label][1].split(", ")), (label, facts[label]["location"], stated[label][1])


def test_unknown_paper_is_404_with_valid_ids(client: TestClient) -> None:
    response = client.get("/api/v1/papers/attention-2017")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["valid"] == [PAPER_ID, "narang-2021"]
    assert body["errors"][0]["loc"][-1] == "paper_id"


# --- tables as printed ----------------------------------------------------------------------------


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_table_as_printed(client: TestClient, glu_tables: dict[int, PrintedTable], number: int) -> None:
    printed = glu_tables[number]
    table = client.get(f"/api/v1/papers/{PAPER_ID}/tables/{number}").json()
    assert table["number"] == number
    assert table["source"] == f"arXiv:2002.05202v1 Table {number}"
    assert [c["label"] for c in table["columns"]] == [printed_label(c) for c in printed.columns]
    assert all(c["higher_is_better"] is (number != 1) for c in table["columns"])

    expected_rows = variant_rows(printed)
    assert [r["label"] for r in table["rows"]] == [label for label, _ in expected_rows]
    assert [r["variant"] for r in table["rows"]] == [label for label, _ in expected_rows]
    for row, (label, cells) in zip(table["rows"], expected_rows, strict=True):
        assert row["is_reference"] is False
        for cell, text in zip(row["cells"], cells, strict=True):
            value, spread = split_printed(text)
            assert (cell["value_text"], cell["stddev_text"]) == (value, spread), (label, text)
            assert cell["value"] == float(value)
            assert cell["stddev"] == (float(spread) if spread else None)

    best = expected_best(printed)
    for i, winners in enumerate(best):
        marked = {r["label"] for r in table["rows"] if r["cells"][i]["best"]}
        assert marked == winners, (table["columns"][i]["label"], marked, winners)

    printed_refs = [(label, cells) for label, cells in printed.rows if not label.startswith("FFN_")]
    assert len(table["reference_rows"]) == len(printed_refs)
    for row, (label, cells) in zip(table["reference_rows"], printed_refs, strict=True):
        assert row["is_reference"] is True
        assert row["variant"] is None
        if label.startswith("ibid."):
            # The stddev row: the fact sheet writes "ibid. stddev." (Tables 2, 3) and
            # "ibid. Standard Deviation" (Table 4); the API labels all of them "ibid. ...".
            assert row["label"].startswith("ibid."), row["label"]
            assert row.get("is_stddev") is True
        else:
            assert row["label"] == label == REFERENCE_ROW_LABEL
        assert [c["value_text"] for c in row["cells"]] == cells
        assert all(c["best"] is False for c in row["cells"])


def test_best_cells_named_in_the_fact_sheet(client: TestClient) -> None:
    def winners(number: int, column: str) -> tuple[set[str], set[str]]:
        table = client.get(f"/api/v1/papers/{PAPER_ID}/tables/{number}").json()
        i = [c["label"] for c in table["columns"]].index(column)
        marked = [r for r in table["rows"] if r["cells"][i]["best"]]
        return {r["variant"] for r in marked}, {r["cells"][i]["value_text"] for r in marked}

    assert winners(1, "65,536 steps") == ({"FFN_GEGLU"}, {"1.942"})
    assert winners(1, "524,288 steps") == ({"FFN_GEGLU"}, {"1.633"})
    assert winners(2, "Score Average") == ({"FFN_ReGLU"}, {"84.67"})
    assert winners(2, "MRPC F1") == ({"FFN_ReLU"}, {"93.08"})
    assert winners(2, "MRPC Acc") == ({"FFN_ReLU", "FFN_GELU"}, {"90.20"})
    assert winners(2, "STSB SCC") == ({"FFN_GEGLU", "FFN_SwiGLU"}, {"90.13"})
    assert winners(3, "Score Average") == ({"FFN_SwiGLU"}, {"74.56"})
    assert winners(3, "MultiRC F1") == ({"FFN_GEGLU"}, {"77.43"})
    assert winners(3, "ReCoRD EM") == ({"FFN_GEGLU"}, {"74.60"})
    # Raffel et al.'s CB F1 (91.22) is higher than every variant's, but a reference row never wins.
    assert winners(3, "CB F1") == ({"FFN_ReGLU"}, {"86.37"})
    assert winners(4, "EM") == ({"FFN_Bilinear"}, {"83.82"})
    assert winners(4, "F1") == ({"FFN_ReGLU"}, {"91.18"})


def test_table_2_prints_geglu_before_bilinear(client: TestClient) -> None:
    labels = [r["label"] for r in client.get(f"/api/v1/papers/{PAPER_ID}/tables/2").json()["rows"]]
    assert labels.index("FFN_GEGLU") < labels.index("FFN_Bilinear")
    labels1 = [r["label"] for r in client.get(f"/api/v1/papers/{PAPER_ID}/tables/1").json()["rows"]]
    assert labels1.index("FFN_Bilinear") < labels1.index("FFN_GEGLU")


def test_tables_reachable_by_arxiv_id(client: TestClient) -> None:
    a = client.get(f"/api/v1/papers/{PAPER_ID}/tables/3")
    b = client.get("/api/v1/papers/2002.05202/tables/3")
    assert a.status_code == b.status_code == 200
    assert a.content == b.content


def test_unknown_table_number(client: TestClient) -> None:
    response = client.get(f"/api/v1/papers/{PAPER_ID}/tables/5")
    assert response.status_code == 404
    assert response.json()["valid"] == ["1", "2", "3", "4"]
    assert response.json()["errors"][0]["loc"][-1] == "number"
    assert client.get(f"/api/v1/papers/{PAPER_ID}/tables/0").status_code == 422
    assert client.get(f"/api/v1/papers/{PAPER_ID}/tables/one").status_code == 422


# --- compare --------------------------------------------------------------------------------------


def check_comparison(body: dict[str, Any], a: str, b: str) -> None:
    expected = expected_comparison(a, b)
    assert (body["a"], body["b"]) == (a, b)
    got = [(i["benchmark"], i["metric"], i["training_steps"]) for i in body["items"]]
    assert got == [e["cell"] for e in expected]
    for item, exp in zip(body["items"], expected, strict=True):
        assert item["a"]["value_text"] == exp["a"] and item["b"]["value_text"] == exp["b"]
        assert Decimal(item["difference_text"]) == exp["difference"], item
        assert item["difference"] == float(exp["difference"])
        assert item["better"] == exp["better"]
        assert item["noise"] == exp["noise"], (item["benchmark"], item["metric"], item["training_steps"])
        if exp["spread"] is None:
            assert item["spread"] is None
        else:
            assert abs(Decimal(str(item["spread"])) - exp["spread"]) < Decimal("0.0006"), item
    wins = {a: 0, b: 0, "tie": 0}
    for exp in expected:
        wins[exp["better"]] += 1
    assert body["wins"] == wins


def test_compare_geglu_swiglu(client: TestClient) -> None:
    body = client.get("/api/v1/compare", params={"a": "FFN_GEGLU", "b": "FFN_SwiGLU"}).json()
    check_comparison(body, "FFN_GEGLU", "FFN_SwiGLU")
    c4 = {i["training_steps"]: i for i in body["items"] if i["benchmark"].startswith("C4")}
    short, full = c4[65536], c4[524288]
    assert short["difference_text"] == "-0.002" and short["difference"] == -0.002
    assert short["better"] == "FFN_GEGLU" and short["noise"] == "within noise"
    assert short["spread"] == pytest.approx(float((Decimal("0.004") ** 2 + Decimal("0.010") ** 2).sqrt()), abs=1e-4)
    assert full["difference_text"] == "-0.003" and full["difference"] == -0.003
    assert full["better"] == "FFN_GEGLU" and full["noise"] == "no spread reported" and full["spread"] is None


@pytest.mark.parametrize(("a", "b"), [("ffn_geglu", "ffn_swiglu"), ("geglu", "SwiGLU"), ("GEGLU", "ffn-swiglu")])
def test_compare_accepts_names_in_any_case(client: TestClient, a: str, b: str) -> None:
    canonical = client.get("/api/v1/compare", params={"a": "FFN_GEGLU", "b": "FFN_SwiGLU"}).json()
    body = client.get("/api/v1/compare", params={"a": a, "b": b}).json()
    assert body == canonical


def test_compare_relu_geglu_exceeds_spread(client: TestClient) -> None:
    body = client.get("/api/v1/compare", params={"a": "relu", "b": "geglu"}).json()
    check_comparison(body, "FFN_ReLU", "FFN_GEGLU")
    short = next(i for i in body["items"] if i["benchmark"].startswith("C4") and i["training_steps"] == 65536)
    assert short["difference_text"] == "+0.055"
    assert short["better"] == "FFN_GEGLU"
    assert short["noise"] == "exceeds spread"


def test_compare_uses_the_reference_stddev_for_fine_tuning_tables(client: TestClient) -> None:
    body = client.get("/api/v1/compare", params={"a": "GLU", "b": "Bilinear"}).json()
    check_comparison(body, "FFN_GLU", "FFN_Bilinear")
    glue = next(i for i in body["items"] if i["benchmark"] == "GLUE")
    assert glue["spread"] == pytest.approx(float((2 * Decimal("0.235") ** 2).sqrt()), abs=1e-3)


def test_compare_unknown_variant(client: TestClient) -> None:
    response = client.get("/api/v1/compare", params={"a": "GEGLU", "b": "FFN_Mish"})
    assert response.status_code == 404
    body = response.json()
    assert body["errors"][0]["loc"][-1] == "b"
    assert set(body["valid"]) == {name for name, _ in variant_names_from_fact_sheet()}


# --- best -----------------------------------------------------------------------------------------


def expected_winners() -> dict[Cell, set[str]]:
    out = {}
    for cell, rows in values_by_cell().items():
        values = {v: Decimal(r["value"]) for v, r in rows.items() if v != REFERENCE_ROW_ID}
        top = max(values.values()) if higher_is_better(cell[1]) else min(values.values())
        out[cell] = {v for v, x in values.items() if x == top}
    return out


def test_best_for_every_column(client: TestClient) -> None:
    items = client.get("/api/v1/best").json()["items"]
    got = {(i["benchmark"], i["metric"], i["training_steps"]): set(i["best"]) for i in items}
    assert got == expected_winners()
    for item in items:
        assert REFERENCE_ROW_LABEL not in item["best"] and None not in item["best"]
        assert item["tie"] is (len(item["best"]) > 1)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"benchmark": "C4"}, {65536: (["FFN_GEGLU"], "1.942"), 524288: (["FFN_GEGLU"], "1.633")}),
        ({"benchmark": "SuperGLUE"}, {524288: (["FFN_SwiGLU"], "74.56")}),
        ({"benchmark": "GLUE"}, {524288: (["FFN_ReGLU"], "84.67")}),
        ({"benchmark": "SQuAD", "metric": "EM"}, {524288: (["FFN_Bilinear"], "83.82")}),
        ({"benchmark": "squad", "metric": "f1"}, {524288: (["FFN_ReGLU"], "91.18")}),
        ({"benchmark": "GLUE/STSB", "metric": "SCC"}, {524288: (["FFN_GEGLU", "FFN_SwiGLU"], "90.13")}),
        ({"benchmark": "MRPC", "metric": "Acc"}, {524288: (["FFN_ReLU", "FFN_GELU"], "90.20")}),
        ({"benchmark": "CB", "metric": "F1"}, {524288: (["FFN_ReGLU"], "86.37")}),
    ],
)
def test_best_per_benchmark(client: TestClient, params: dict[str, str], expected: dict[int, Any]) -> None:
    items = client.get("/api/v1/best", params=params).json()["items"]
    got = {i["training_steps"]: (sorted(i["best"]), i["value_text"]) for i in items}
    assert got == {steps: (sorted(names), text) for steps, (names, text) in expected.items()}
    for item in items:
        assert item["tie"] is (len(item["best"]) > 1)


def test_best_with_steps_filter(client: TestClient) -> None:
    items = client.get("/api/v1/best", params={"training_steps": 65536}).json()["items"]
    assert [(i["best"], i["value_text"]) for i in items] == [(["FFN_GEGLU"], "1.942")]


@pytest.mark.parametrize(("param", "value"), [("benchmark", "ImageNet"), ("metric", "BLEU")])
def test_best_unknown_names_are_404(client: TestClient, param: str, value: str) -> None:
    response = client.get("/api/v1/best", params={param: value})
    assert response.status_code == 404
    assert response.json()["errors"][0]["loc"][-1] == param
    assert value not in response.json()["valid"]


# --- results: filters, sorting, pagination ----------------------------------------------------------


def all_results(client: TestClient, **params: Any) -> list[dict[str, Any]]:
    body = client.get("/api/v1/results", params={**params, "limit": 500}).json()
    assert body["next"] is None
    return list(body["items"])


def test_results_filters(client: TestClient) -> None:
    rows = reference_cells()
    geglu = all_results(client, variant="geglu")
    assert len(geglu) == sum(r["variant"] == "FFN_GEGLU" for r in rows) == 29
    assert {i["variant"] for i in geglu} == {"FFN_GEGLU"}

    c4 = all_results(client, benchmark="C4")
    assert len(c4) == sum(r["table"] == "1" for r in rows)

    short = all_results(client, training_steps=65536)
    assert sorted(i["value_text"] for i in short) == sorted(r["value"] for r in rows if r["training_steps"] == "65536")

    f1 = all_results(client, metric="f1")
    assert len(f1) == sum(r["metric"] == "F1" for r in rows)

    no_ref = all_results(client, include_reference="false")
    assert len(no_ref) == sum(r["variant"] != REFERENCE_ROW_ID for r in rows)
    assert not any(i["is_reference"] for i in no_ref)

    by_paper = client.get("/api/v1/results", params={"paper": "2002.05202", "limit": 1}).json()
    assert by_paper["total"] == len(rows)

    cola = all_results(client, variant="FFN_ReGLU", benchmark="CoLA", metric="MCC")
    assert [(i["value_text"], i["benchmark"]) for i in cola] == [("56.16", "GLUE/CoLA")]


def test_results_sorting(client: TestClient) -> None:
    cola = [r for r in reference_cells() if r["benchmark"] == "GLUE/CoLA"]
    ascending = all_results(client, benchmark="GLUE/CoLA", sort="value")
    assert [i["value_text"] for i in ascending] == sorted((r["value"] for r in cola), key=Decimal)
    top5 = client.get("/api/v1/results", params={"benchmark": "GLUE/CoLA", "sort": "-value", "limit": 5}).json()
    assert [i["value_text"] for i in top5["items"]] == ["56.16", "53.84", "53.65", "53.48", "51.59"]
    assert top5["items"][1]["row_label"] == REFERENCE_ROW_LABEL and top5["items"][1]["is_reference"]

    c4 = all_results(client, benchmark="C4", sort="training_steps")
    assert [i["training_steps"] for i in c4] == [65536] * 8 + [524288] * 8
    c4_desc = all_results(client, benchmark="C4", sort="-training_steps")
    assert [i["training_steps"] for i in c4_desc] == [524288] * 8 + [65536] * 8

    by_variant = all_results(client, benchmark="SQuAD", sort="variant")
    labels = [i["row_label"].lower() for i in by_variant]
    assert labels == sorted(labels)
    assert labels[0] == "ffn_bilinear"

    assert client.get("/api/v1/results", params={"sort": "colour"}).status_code == 422


def test_results_pagination_walks_every_item_once(client: TestClient) -> None:
    everything = all_results(client)
    assert len(everything) == len(reference_cells())
    walked: list[dict[str, Any]] = []
    url: str | None = "/api/v1/results?limit=37"
    pages = 0
    while url is not None:
        body = client.get(url).json()
        assert body["limit"] == 37
        assert body["offset"] == len(walked)
        assert body["total"] == len(everything)
        walked += body["items"]
        url = body["next"]
        pages += 1
    assert pages == -(-len(everything) // 37)
    assert walked == everything
    beyond = client.get("/api/v1/results", params={"offset": 10_000}).json()
    assert beyond["items"] == [] and beyond["next"] is None


def test_results_pagination_keeps_filters_in_next(client: TestClient) -> None:
    body = client.get("/api/v1/results", params={"variant": "GEGLU", "limit": 10}).json()
    walked = list(body["items"])
    while body["next"]:
        body = client.get(body["next"]).json()
        walked += body["items"]
    assert len(walked) == 29 and {i["variant"] for i in walked} == {"FFN_GEGLU"}


def test_results_default_page_size(client: TestClient) -> None:
    body = client.get("/api/v1/results").json()
    assert body["limit"] == 50 and len(body["items"]) == 50 and body["next"].endswith("offset=50")


@pytest.mark.parametrize("params", [{"limit": 501}, {"limit": 0}, {"offset": -1}, {"training_steps": "many"}])
def test_results_limits_are_422(client: TestClient, params: dict[str, Any]) -> None:
    response = client.get("/api/v1/results", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["loc"][-1] == next(iter(params))


def test_limit_over_the_max_names_the_limit(client: TestClient) -> None:
    body = client.get("/api/v1/results", params={"limit": 501}).json()
    assert body["errors"][0]["limit"] == 500
    assert "500" in body["detail"]


@pytest.mark.parametrize(
    ("param", "value", "valid"),
    [
        ("variant", "FFN_Mish", lambda: sorted({r["variant"] for r in reference_cells()} - {REFERENCE_ROW_ID})),
        ("paper", "attention-2017", lambda: [PAPER_ID, "narang-2021"]),
        ("benchmark", "ImageNet", lambda: sorted({r["benchmark"] for r in reference_cells()})),
        ("metric", "BLEU", lambda: sorted({r["metric"] for r in reference_cells()})),
    ],
)
def test_results_unknown_names_are_404_with_valid_names(
    client: TestClient, param: str, value: str, valid: Any
) -> None:
    response = client.get("/api/v1/results", params={param: value})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert sorted(body["valid"]) == valid()
    assert body["errors"][0]["loc"][-1] == param
    assert value in body["detail"]


# --- CSV ------------------------------------------------------------------------------------------

TABULAR = [
    "/api/v1/papers",
    f"/api/v1/papers/{PAPER_ID}/tables/1",
    f"/api/v1/papers/{PAPER_ID}/tables/2",
    f"/api/v1/papers/{PAPER_ID}/tables/3",
    f"/api/v1/papers/{PAPER_ID}/tables/4",
    "/api/v1/results?limit=500",
    "/api/v1/results?variant=GEGLU&benchmark=C4",
    "/api/v1/compare?a=FFN_GEGLU&b=FFN_SwiGLU",
    "/api/v1/best",
    "/api/v1/variants",
    "/api/v1/variants/FFN_GEGLU",
    "/api/v1/models",
    "/api/v1/models?ffn_type=gated&organization=Google",
]


def json_rows(client: TestClient, url: str) -> int:
    body = client.get(url).json()
    if "/tables/" in url:
        return len(body["rows"]) + len(body["reference_rows"])
    if "/variants/" in url:
        return len(body["results"])
    return len(body["items"])


@pytest.mark.parametrize("url", TABULAR)
def test_csv_twins(client: TestClient, url: str) -> None:
    joiner = "&" if "?" in url else "?"
    by_param = client.get(f"{url}{joiner}format=csv")
    by_accept = client.get(url, headers={"Accept": "text/csv"})
    for response in (by_param, by_accept):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
    assert by_param.text == by_accept.text
    rows = parse_csv(by_param.text)
    assert len(rows) == json_rows(client, url)
    assert rows and all(None not in row for row in rows), "every row has exactly the header's fields"
    assert client.get(url, headers={"Accept": "application/json"}).headers["content-type"].startswith(
        "application/json"
    )


def test_results_csv_carries_the_printed_text(client: TestClient) -> None:
    rows = parse_csv(client.get("/api/v1/results", params={"limit": 500, "format": "csv"}).text)
    got = sorted((r["row_label"], r["benchmark"], r["metric"], r["training_steps"], r["value_text"], r["stddev_text"])
                 for r in rows)
    expected = sorted(
        (REFERENCE_ROW_LABEL if r["variant"] == REFERENCE_ROW_ID else r["variant"], r["benchmark"], r["metric"],
         r["training_steps"], r["value"], r["stddev"])
        for r in reference_cells()
    )
    assert got == expected


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_table_csv_as_printed(client: TestClient, glu_tables: dict[int, PrintedTable], number: int) -> None:
    printed = glu_tables[number]
    rows = parse_csv(client.get(f"/api/v1/papers/{PAPER_ID}/tables/{number}", params={"format": "csv"}).text)
    assert [r["row"].split(" ", 1)[0] for r in rows] == [label.split(" ", 1)[0] for label, _ in printed.rows]
    for row, (_, cells) in zip(rows, printed.rows, strict=True):
        for column, text in zip(printed.columns, cells, strict=True):
            value, spread = split_printed(text)
            label = printed_label(column)
            assert row[label] == value
            if spread is not None:
                assert row[f"{label} (stddev)"] == spread


def test_models_csv_matches_the_catalog(client: TestClient) -> None:
    rows = parse_csv(client.get("/api/v1/models", headers={"Accept": "text/csv"}).text)
    assert [(r["name"], r["organization"], r["year"], r["activation"], r["d_model_text"], r["d_ff_text"])
            for r in rows] == [
        (r["model"], r["organization"], r["year"], r["activation"], r["d_model"], r["d_ff_or_intermediate_size"])
        for r in catalog()
    ]


def test_compare_csv(client: TestClient) -> None:
    rows = parse_csv(client.get("/api/v1/compare?a=GEGLU&b=SwiGLU&format=csv").text)
    expected = expected_comparison("FFN_GEGLU", "FFN_SwiGLU")
    assert [(r["a_value"], r["b_value"], r["noise"]) for r in rows] == [(e["a"], e["b"], e["noise"]) for e in expected]
    assert rows[0]["difference"] == "-0.002"


# --- ETag -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/api/v1/papers", f"/api/v1/papers/{PAPER_ID}/tables/2", "/api/v1/models/gemma-2-9b", "/api/v1/best"]
)
def test_etag_and_if_none_match(client: TestClient, url: str) -> None:
    first = client.get(url)
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    stale = client.get(url, headers={"If-None-Match": '"r0-0000000000000000"'})
    assert stale.status_code == 200 and stale.content == first.content


def test_csv_and_json_have_different_etags(client: TestClient) -> None:
    url = f"/api/v1/papers/{PAPER_ID}/tables/1"
    json_tag = client.get(url).headers["etag"]
    csv_tag = client.get(url, headers={"Accept": "text/csv"}).headers["etag"]
    assert json_tag != csv_tag
    assert client.get(url, headers={"Accept": "text/csv", "If-None-Match": json_tag}).status_code == 200
    assert client.get(url, headers={"Accept": "text/csv", "If-None-Match": csv_tag}).status_code == 304


# --- variants -------------------------------------------------------------------------------------


def test_variants_list_matches_the_fact_sheet(client: TestClient) -> None:
    items = client.get("/api/v1/variants").json()["items"]
    assert [(v["name"], v["gated"]) for v in items] == variant_names_from_fact_sheet()
    for v in items:
        assert v["d_ff_paper"] == (2048 if v["gated"] else 3072)


@pytest.mark.parametrize("name", [n for n, _ in variant_names_from_fact_sheet()])
def test_variant_ranks(client: TestClient, name: str) -> None:
    body = client.get(f"/api/v1/variants/{name.lower().removeprefix('ffn_')}").json()
    assert body["name"] == name
    expected = {}
    for cell, rows in values_by_cell().items():
        values = {v: Decimal(r["value"]) for v, r in rows.items() if v != REFERENCE_ROW_ID}
        mine = values[name]
        better = sum(1 for x in values.values() if (x > mine if higher_is_better(cell[1]) else x < mine))
        expected[cell] = (rows[name]["value"], better + 1, len(values))
    got = {(r["benchmark"], r["metric"], r["training_steps"]): (r["value_text"], r["rank"], r["of"])
           for r in body["results"]}
    assert got == expected


def test_unknown_variant_is_404(client: TestClient) -> None:
    response = client.get("/api/v1/variants/FFN_Mish")
    assert response.status_code == 404
    assert set(response.json()["valid"]) == {n for n, _ in variant_names_from_fact_sheet()}
    assert response.json()["errors"][0]["loc"][-1] == "name"


# --- model catalog --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "keep"),
    [
        ({"activation": "swiglu"}, lambda r: r["activation"] == "swiglu"),
        ({"activation": "GELU_TANH"}, lambda r: r["activation"] == "gelu_tanh"),
        ({"activation": "geglu"}, lambda r: r["activation"] == "geglu"),
        ({"organization": "google"}, lambda r: "google" in r["organization"].lower()),
        ({"organization": "Meta"}, lambda r: "meta" in r["organization"].lower()),
        ({"organization": "_"}, lambda r: "_" in r["organization"]),
        ({"organization": "%"}, lambda r: "%" in r["organization"]),
        ({"year_min": 2023}, lambda r: int(r["year"]) >= 2023),
        ({"year_max": 2020}, lambda r: int(r["year"]) <= 2020),
        ({"year_min": 2021, "year_max": 2022}, lambda r: 2021 <= int(r["year"]) <= 2022),
        ({"ffn_type": "dense"}, lambda r: r["ffn_type"] == "dense"),
        ({"ffn_type": "gated"}, lambda r: r["ffn_type"] == "gated"),
        (
            {"activation": "swiglu", "year_min": 2024, "organization": "meta"},
            lambda r: r["activation"] == "swiglu" and int(r["year"]) >= 2024 and "meta" in r["organization"].lower(),
        ),
    ],
)
def test_model_filters(client: TestClient, params: dict[str, Any], keep: Any) -> None:
    body = client.get("/api/v1/models", params=params).json()
    expected = [r["model"] for r in catalog() if keep(r)]
    assert [m["name"] for m in body["items"]] == expected
    assert body["total"] == len(expected)


def test_model_filter_validation(client: TestClient) -> None:
    assert client.get("/api/v1/models", params={"ffn_type": "sparse"}).status_code == 422
    assert client.get("/api/v1/models", params={"year_min": 1066}).status_code == 422


def test_gemma_2_9b(client: TestClient) -> None:
    response = client.get("/api/v1/models/gemma-2-9b")
    assert response.status_code == 200
    model = response.json()
    assert model["name"] == "Gemma 2 9B"
    table1 = {row[0]: row[1:] for row in gemma_table("3. Gemma 2")}
    sizes = gemma_table("3. Gemma 2")[0][1:]
    col = sizes.index("9B")
    per_size = {row[0]: row for row in gemma_table("5. Per-size")}["Gemma 2 9B"]
    assert per_size[1:4] == ["3584", "28672", "14336"]
    assert model["d_model"] == int(table1["d_model"][col]) == int(per_size[1]) == 3584
    assert model["d_ff"] == int(per_size[3]) == 14336
    facts = {f["parameter"]: f["value_text"] for f in model["architecture_facts"]}
    assert facts["d_model"] == table1["d_model"][col]
    assert facts["Feedforward dim (paper)"] == table1["Feedforward dim (paper)"][col] == "28672"
    assert facts["HF intermediate_size"] == per_size[3]
    assert int(facts["Feedforward dim (paper)"]) == 2 * int(facts["HF intermediate_size"])
    assert facts["Non-linearity"] == "GeGLU"
    assert {f["size"] for f in model["architecture_facts"]} == {"9B"}


@pytest.mark.parametrize("name", ["Gemma 2 9B", "gemma-2-9b", "GEMMA2 9b", "gemma_2_9B"])
def test_model_names_ignore_case_and_punctuation(client: TestClient, name: str) -> None:
    assert client.get(f"/api/v1/models/{name}").json()["name"] == "Gemma 2 9B"


def test_unknown_model_is_404(client: TestClient) -> None:
    response = client.get("/api/v1/models/gemma-5")
    assert response.status_code == 404
    assert response.json()["valid"] == [r["model"] for r in catalog()]
    assert response.json()["errors"][0]["loc"][-1] == "name"


def test_gemma_2_architecture_table(client: TestClient) -> None:
    response = client.get("/api/v1/architectures/Gemma 2")
    assert response.status_code == 200
    body = response.json()
    printed = gemma_table("3. Gemma 2")
    sizes = printed[0][1:]
    assert body["family"] == "Gemma 2" and body["sizes"] == sizes
    rows = {r["parameter"]: r["values"] for r in body["rows"]}
    matched = 0
    for parameter, *values in printed[1:]:
        if parameter in rows:
            assert [rows[parameter][s] for s in sizes] == values, parameter
            matched += 1
        elif " / " in parameter:  # "Pre-norm / Post-norm" | "yes / yes": stored as two parameters
            for i, part in enumerate(parameter.split(" / ")):
                assert [rows[part][s] for s in sizes] == [v.split(" / ")[i] for v in values], part
            matched += 1
        else:  # "Embedding parameters (Table 2)": the sheet notes the source table in parentheses
            bare = re.sub(r"\s*\([^)]*\)$", "", parameter)
            assert [rows[bare][s] for s in sizes] == values, parameter
            matched += 1
    assert matched == len(printed) - 1


def test_unknown_architecture_family(client: TestClient) -> None:
    response = client.get("/api/v1/architectures/Gemma 9")
    assert response.status_code == 404
    assert {"Gemma 1", "Gemma 2"} <= set(response.json()["valid"])
    assert response.json()["errors"][0]["loc"][-1] == "family"
