"""The served tables: server-side sorting (JSON, CSV and page alike), JSON · CSV links that carry the page's
filters, facet counts beside the catalog filters, and the catalog chart following the filter.

Expected orders and counts are computed here from the reference CSV files, not from the service."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from html import unescape

import pytest
from fastapi.testclient import TestClient

from tests.conftest import read_reference_csv

ROWS = read_reference_csv("model_catalog.csv") + read_reference_csv("model_catalog_extended.csv")


def hrefs(html: str, text: str) -> list[str]:
    """The targets of the links whose text is ``text``."""
    return [unescape(m) for m in re.findall(rf'<a href="([^"]+)">{re.escape(text)}</a>', html)]


def table_names(html: str) -> list[str]:
    """Model names in the order the catalog table lists them."""
    body = html.split('<table id="catalog">', 1)[1].split("</table>", 1)[0]
    return [unescape(n) for n in re.findall(r'<th scope="row"><a href="/models/[^"]+">([^<]+)</a>', body)]


def test_the_catalog_api_sorts_by_year_both_ways_with_ties_in_catalog_order(client: TestClient) -> None:
    by_year = sorted(ROWS, key=lambda r: int(r["year"]))  # stable: ties keep the catalog's order
    up = client.get("/api/v1/models", params={"sort": "year"}).json()["items"]
    assert [m["name"] for m in up] == [r["model"] for r in by_year]
    down = client.get("/api/v1/models", params={"sort": "-year"}).json()["items"]
    assert [m["year"] for m in down] == sorted((int(r["year"]) for r in ROWS), reverse=True)


def test_the_catalog_csv_is_sorted_and_filtered_like_the_json(client: TestClient) -> None:
    params = {"ffn_type": "gated", "sort": "-name"}
    csv_rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/models", params={**params, "format": "csv"}).text)))
    expected = sorted((r["model"] for r in ROWS if r["ffn_type"] == "gated"), key=str.casefold, reverse=True)
    assert [r["name"] for r in csv_rows] == expected


def test_an_unknown_sort_column_is_a_422_naming_the_field_and_the_allowed_values(client: TestClient) -> None:
    for path in ("/api/v1/models", "/api/v1/variants/FFN_GEGLU"):
        response = client.get(path, params={"sort": "-colour"})
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        body = response.json()
        assert body["errors"][0]["loc"] == ["query", "sort"]
        assert "-colour" in body["detail"]
        assert {"-year", "year"} <= set(body["valid"]) if path.endswith("models") else {"rank", "-rank"} <= set(
            body["valid"]
        )


def test_empty_widths_sort_last_in_both_directions(client: TestClient) -> None:
    for sort in ("d_ff_ratio", "-d_ff_ratio"):
        ratios = [m["d_ff_ratio"] for m in client.get("/api/v1/models", params={"sort": sort}).json()["items"]]
        known = [r for r in ratios if r is not None]
        assert ratios == known + [None] * (len(ratios) - len(known))
        assert known == sorted(known, reverse=sort.startswith("-"))


def test_the_catalog_page_sorts_without_javascript_and_links_the_sorted_export(client: TestClient) -> None:
    page = client.get("/models", params={"sort": "-year", "activation": "swiglu", "year_min": ""})
    assert page.status_code == 200
    expected = [r["model"] for r in sorted(ROWS, key=lambda r: -int(r["year"])) if r["activation"] == "swiglu"]
    assert table_names(page.text) == expected
    assert 'aria-sort="descending"' in page.text
    (json_href,) = hrefs(page.text, "JSON")
    (csv_href,) = hrefs(page.text, "CSV")
    assert json_href == "/api/v1/models?activation=swiglu&sort=-year"  # the empty year field is left out
    assert csv_href == "/api/v1/models?activation=swiglu&sort=-year&format=csv"
    exported = client.get(json_href).json()["items"]
    assert [m["name"] for m in exported] == expected
    # the Year header now sorts ascending, keeping the filter
    assert "/models?activation=swiglu&amp;sort=year" not in page.text
    assert 'href="?activation=swiglu&amp;sort=year"' in page.text


def test_an_unknown_sort_column_on_the_page_is_an_inline_message_and_the_table_in_its_own_order(
    client: TestClient,
) -> None:
    page = client.get("/models", params={"sort": "colour"})
    assert page.status_code == 422
    assert "This table cannot be sorted by “colour”" in unescape(page.text)
    assert "verified_summary" in page.text
    assert table_names(page.text) == [r["model"] for r in ROWS]


def test_facet_counts_count_each_choice_with_the_other_filters_kept(client: TestClient) -> None:
    page = client.get("/models", params={"organization": "Google"}).text
    google = [r for r in ROWS if "google" in r["organization"].lower()]  # the filter is a substring match
    for activation, count in Counter(r["activation"] for r in google).items():
        assert f'<option value="{activation}">{activation} ({count})</option>' in page
    # the organization facet ignores its own filter, and counts what picking a name lists (a substring match)
    for org in {r["organization"] for r in ROWS}:
        count = sum(org.lower() in r["organization"].lower() for r in ROWS)
        assert f">{org} ({count})</option>" in unescape(page)
        listed = client.get("/api/v1/models", params={"organization": org}).json()["total"]
        assert listed == count, org
    gated_google = sum(1 for r in google if r["ffn_type"] == "gated")
    assert f'<option value="gated">gated ({gated_google})</option>' in page


def test_the_catalog_chart_follows_the_filter(client: TestClient) -> None:
    relu = client.get("/models", params={"activation": "relu"}).text
    everything = client.get("/models").text
    chart_relu = relu.split('<figure class="chart"', 1)[1].split("</figure>", 1)[0]
    chart_all = everything.split('<figure class="chart"', 1)[1].split("</figure>", 1)[0]
    assert chart_relu != chart_all
    listed = sum(1 for r in ROWS if r["activation"] == "relu")
    assert f"The {listed} models listed below (filtered)" in chart_relu
    assert "swiglu" not in chart_relu  # no bar of another activation
    assert "swiglu" in chart_all
    nothing = client.get("/models", params={"activation": "relu", "ffn_type": "gated"})
    assert nothing.status_code == 200 and "No model matches these filters." in nothing.text


def test_the_variant_results_sort_on_the_page_and_in_the_api(client: TestClient) -> None:
    results = client.get("/api/v1/variants/FFN_GEGLU").json()["results"]
    by_rank = client.get("/api/v1/variants/FFN_GEGLU", params={"sort": "-rank"}).json()["results"]
    assert [r["rank"] for r in by_rank] == sorted((r["rank"] for r in results), reverse=True)
    page = client.get("/variants/FFN_GEGLU", params={"sort": "-rank", "d_model": "4096"})
    assert page.status_code == 200
    assert hrefs(page.text, "JSON")[0] == "/api/v1/variants/FFN_GEGLU?sort=-rank"
    assert hrefs(page.text, "CSV")[0] == "/api/v1/variants/FFN_GEGLU?sort=-rank&format=csv"
    assert 'href="?d_model=4096&amp;sort=rank#results"' in page.text  # the calculator's input is kept
    bad = client.get("/variants/FFN_GEGLU", params={"sort": "colour"})
    assert bad.status_code == 422 and "Sortable columns: table, benchmark" in bad.text


@pytest.mark.parametrize(
    ("steps", "label"), [(524_288, "524,288 steps (full pre-training)"), (65_536, "65,536 steps (short run)")]
)
def test_every_page_showing_the_paper_step_counts_names_them(client: TestClient, steps: int, label: str) -> None:
    for path in ("/", "/variants/FFN_GEGLU", "/compare?a=FFN_GEGLU&b=FFN_SwiGLU", "/variants/FFN_GEGLU/vs/FFN_SwiGLU"):
        page = client.get(path).text
        assert label in page, path
        # outside citations of the paper's own column header ("column 524,288 steps"), quoted paper facts and
        # the stored misreadings' own words (each says what the count is), never a bare count
        quoted = (r'<span class="provenance">.*?</span>|<ul class="cautions">.*?</ul>|title="[^"]*"'
                  r'|<aside class="misreadings".*?</aside>')
        shown = re.sub(quoted, "", page.replace(label, ""), flags=re.S)
        assert re.search(rf"{steps:,}", shown) is None, path
    paper = client.get("/papers/glu-variants-2020").text
    table_1 = paper.split('id="table-1"', 1)[1].split("</caption>", 1)[0]
    assert label in table_1


def test_the_home_page_leads_with_the_full_pre_training_figure(client: TestClient) -> None:
    page = client.get("/").text
    section = page.split("Lowest perplexity in the paper", 1)[1]
    items = re.findall(r"<li>(.*?)</li>", section, flags=re.S)
    assert items[0].startswith("524,288 steps (full pre-training)")
    assert items[1].startswith("65,536 steps (short run)")
