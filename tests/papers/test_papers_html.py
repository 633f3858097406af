"""The HTML pages, parsed with the standard library: the paper's tables as printed, best cells, reference
rows apart, the inline chart, filters, and a link from every page to its JSON twin."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from fastapi.testclient import TestClient

from tests.conftest import PrintedTable, markdown_tables, read_reference_csv, reference_file

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
PAPER_ID = "glu-variants-2020"


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    def find_all(self, tag: str, cls: str | None = None) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if child.tag == tag and (cls is None or cls in child.classes):
                    found.append(child)
                found += child.find_all(tag, cls)
        return found

    def find(self, tag: str, cls: str | None = None) -> Node:
        found = self.find_all(tag, cls)
        assert found, f"no <{tag}{' class=' + cls if cls else ''}> in <{self.tag}>"
        return found[0]

    def direct(self, tag: str) -> list[Node]:
        return [c for c in self.children if isinstance(c, Node) and c.tag == tag]


class TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if self.stack[-1].tag != tag:
            self.problems.append(f"</{tag}> closes <{self.stack[-1].tag}>")
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = TreeBuilder()
    builder.feed(html)
    builder.close()
    assert builder.problems == [], builder.problems[:5]
    assert [n.tag for n in builder.stack] == ["#document"], "unclosed elements"
    return builder.root


def get_page(client: TestClient, url: str) -> Node:
    response = client.get(url)
    assert response.status_code == 200, (url, response.text[:300])
    assert response.headers["content-type"].startswith("text/html")
    return parse(response.text)


def links(node: Node) -> list[str]:
    return [a.attrs["href"] for a in node.find_all("a") if "href" in a.attrs]


def twin_link(page: Node) -> str:
    """The footer's JSON twin link."""
    footer = page.find("footer")
    hrefs = [h for h in links(footer) if h.startswith("/api/v1/")]
    assert len(hrefs) == 1, f"expected one JSON twin link in the footer, got {hrefs}"
    return hrefs[0]


def printed_label(markdown_label: str) -> str:
    label = re.sub(r"\s*\([^)]*\)$", "", markdown_label).strip()
    return re.sub(r"\bAvg\b", "Average", label)


def split_printed(cell: str) -> tuple[str, str | None]:
    match = re.fullmatch(r"(\S+)\s+\((\S+)\)", cell)
    return (match.group(1), match.group(2)) if match else (cell, None)


def catalog() -> list[dict[str, str]]:
    return read_reference_csv("model_catalog.csv") + read_reference_csv("model_catalog_extended.csv")


# --- home -----------------------------------------------------------------------------------------


def test_home(client: TestClient) -> None:
    page = get_page(client, "/")
    assert page.find("h1").text()
    hrefs = links(page)
    for target in (f"/papers/{PAPER_ID}", "/variants", "/models"):
        assert target in hrefs
    assert twin_link(page) == "/api/v1/papers"
    text = page.find("main").text()
    assert "1.942" in text and "1.633" in text and "FFN_GEGLU" in text


# --- the paper ------------------------------------------------------------------------------------


def test_paper_page_tables_as_printed(client: TestClient, glu_tables: dict[int, PrintedTable]) -> None:
    page = get_page(client, f"/papers/{PAPER_ID}")
    figures = page.find_all("figure", "paper-table")
    assert [f.attrs.get("id") for f in figures] == ["table-1", "table-2", "table-3", "table-4"]
    for number, figure in enumerate(figures, start=1):
        printed = glu_tables[number]
        table = figure.find("table")
        caption = table.direct("caption")
        assert len(caption) == 1 and caption[0].text().startswith(f"Table {number}:")
        assert f"/api/v1/papers/{PAPER_ID}/tables/{number}" in links(caption[0])

        heads = [th.text().rstrip("↑↓").strip() for th in table.find("thead").find_all("th")]
        assert heads[1:] == [printed_label(c) for c in printed.columns]

        bodies = table.direct("tbody")
        variant_body = [b for b in bodies if "reference" not in b.classes]
        reference_body = [b for b in bodies if "reference" in b.classes]
        assert len(variant_body) == 1
        printed_variants = [(printed_label(label), cells) for label, cells in printed.rows if label.startswith("FFN_")]
        printed_refs = [(label, cells) for label, cells in printed.rows if not label.startswith("FFN_")]
        rows = variant_body[0].find_all("tr")
        assert [r.find("th").text() for r in rows] == [label for label, _ in printed_variants]
        assert not any("Raffel" in r.text() or "ibid" in r.text() for r in rows)

        best_by_column: list[set[str]] = [set() for _ in printed.columns]
        for row, (label, cells) in zip(rows, printed_variants, strict=True):
            tds = row.find_all("td")
            for i, (td, printed_cell) in enumerate(zip(tds, cells, strict=True)):
                value, spread = split_printed(printed_cell)
                shown = td.text().replace("(best)", "").split()
                assert shown[0] == value, (number, label, td.text())
                if spread is not None:
                    assert td.find("span", "spread").text() == f"({spread})"
                if "best" in td.classes:
                    assert td.find("strong").text() == value
                    best_by_column[i].add(label)
        for i, winners in enumerate(best_by_column):
            values = {label: Decimal(split_printed(cells[i])[0]) for label, cells in printed_variants}
            top = min(values.values()) if number == 1 else max(values.values())
            assert winners == {label for label, v in values.items() if v == top}, (number, heads[i + 1])

        if printed_refs:
            assert len(reference_body) == 1
            ref_rows = reference_body[0].find_all("tr")
            assert len(ref_rows) == len(printed_refs)
            for row, (label, cells) in zip(ref_rows, printed_refs, strict=True):
                assert row.find("th").text().split()[0] == label.split()[0]
                assert [td.text() for td in row.find_all("td")] == cells
                assert not any("best" in td.classes for td in row.find_all("td"))
        else:
            assert reference_body == []


def test_paper_page_marks_the_fact_sheet_winners(client: TestClient) -> None:
    page = get_page(client, f"/papers/{PAPER_ID}")

    def best(number: int, column: str) -> set[tuple[str, str]]:
        table = page.find_all("figure", "paper-table")[number - 1].find("table")
        heads = [th.text().rstrip("↑↓").strip() for th in table.find("thead").find_all("th")]
        i = heads.index(column) - 1
        body = next(b for b in table.direct("tbody") if "reference" not in b.classes)
        return {
            (row.find("th").text(), row.find_all("td")[i].find("strong").text())
            for row in body.find_all("tr")
            if "best" in row.find_all("td")[i].classes
        }

    assert best(1, "65,536 steps") == {("FFN_GEGLU", "1.942")}
    assert best(2, "Score Average") == {("FFN_ReGLU", "84.67")}
    assert best(2, "MRPC F1") == {("FFN_ReLU", "93.08")}
    assert best(2, "STSB SCC") == {("FFN_GEGLU", "90.13"), ("FFN_SwiGLU", "90.13")}
    assert best(3, "Score Average") == {("FFN_SwiGLU", "74.56")}
    assert best(4, "EM") == {("FFN_Bilinear", "83.82")}


def test_paper_page_has_an_inline_svg_chart_and_its_json_twin(client: TestClient) -> None:
    page = get_page(client, f"/papers/{PAPER_ID}")
    chart = page.find("figure", "chart")
    svg = chart.find("svg")
    assert svg.attrs.get("role") == "img" and svg.attrs.get("aria-label")
    assert svg.find_all("path") or svg.find_all("rect")
    assert not chart.find_all("img"), "the chart is inline SVG, not an image link"
    twin = twin_link(page)
    assert twin == f"/api/v1/papers/{PAPER_ID}"
    assert client.get(twin).json()["id"] == PAPER_ID


def test_paper_page_by_arxiv_id(client: TestClient) -> None:
    page = get_page(client, "/papers/2002.05202")
    assert len(page.find_all("figure", "paper-table")) == 4


# --- variants -------------------------------------------------------------------------------------


def fact_sheet_variants() -> list[str]:
    section = reference_file("glu_variants_2020.md").read_text(encoding="utf-8").split("## 2.", 1)[1]
    return re.findall(r"^- (FFN_\w+)\(x\)", section.split("## 3.", 1)[0], flags=re.M)


def test_variants_page(client: TestClient) -> None:
    page = get_page(client, "/variants")
    rows = page.find("tbody").find_all("tr")
    names = [r.find("th").text() for r in rows]
    assert names == fact_sheet_variants()
    for row, name in zip(rows, names, strict=True):
        assert f"/variants/{name}" in links(row)
        cells = [td.text() for td in row.find_all("td")]
        assert cells[-1] == ("2048" if cells[-2] == "yes" else "3072")
    assert twin_link(page) == "/api/v1/variants"


#: How a variant page prints the paper's two training lengths: the count with the name of the run.
STEP_CELLS = {524_288: "524,288 steps (full pre-training)", 65_536: "65,536 steps (short run)"}


def test_variant_page_geglu(client: TestClient) -> None:
    page = get_page(client, "/variants/FFN_GEGLU")
    assert page.find("h1").text() == "FFN_GEGLU"
    assert twin_link(page) == "/api/v1/variants/FFN_GEGLU"

    # rank-1 rows: the columns where GEGLU has the best printed value among the eight variants
    values: dict[tuple[str, str, str], dict[str, Decimal]] = {}
    for n in (1, 2, 3, 4):
        for r in read_reference_csv(f"glu_variants_2020_table{n}.csv"):
            if r["variant"].startswith("FFN_"):
                values.setdefault((r["benchmark"], r["metric"], r["training_steps"]), {})[r["variant"]] = Decimal(
                    r["value"]
                )
    expected_firsts = set()
    for (bench, metric, steps), by_variant in values.items():
        pick = min if metric == "log-perplexity" else max
        if by_variant["FFN_GEGLU"] == pick(by_variant.values()):
            expected_firsts.add((bench, metric, STEP_CELLS[int(steps)]))
    rows = page.find("tbody").find_all("tr")
    assert len(rows) == 29
    firsts = set()
    for row in rows:
        cells = [td.text() for td in row.find_all("td")]
        if cells[5] == "1 of 8":
            firsts.add((cells[0], cells[1].rstrip("↑↓").strip(), cells[2]))
            assert row.find("td", "best").find("strong")
    assert firsts == expected_firsts
    assert ("SuperGLUE/MultiRC", "F1", "524,288 steps (full pre-training)") in firsts

    models = [a.text() for a in page.find("main").find_all("a") if a.attrs["href"].startswith("/models/")]
    # GeGLU in any implementation (exact or tanh GELU), oldest first
    assert models == [
        r["model"] for r in sorted(catalog(), key=lambda r: int(r["year"]))
        if r["activation"] == "geglu" or r["activation"].startswith("geglu_")
    ]
    assert "Gemma 2 9B" in models and "ModernBERT-base" in models


def test_variant_page_any_case(client: TestClient) -> None:
    assert get_page(client, "/variants/swiglu").find("h1").text() == "FFN_SwiGLU"


# --- models ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "keep"),
    [
        ({}, lambda r: True),
        ({"activation": "swiglu"}, lambda r: r["activation"] == "swiglu"),
        ({"ffn_type": "dense", "year_max": "2020"}, lambda r: r["ffn_type"] == "dense" and int(r["year"]) <= 2020),
        ({"organization": "Google DeepMind"}, lambda r: "google deepmind" in r["organization"].lower()),
    ],
)
def test_models_page_with_filters(client: TestClient, params: dict[str, str], keep: Any) -> None:
    query = urlencode(params)
    page = get_page(client, f"/models?{query}" if query else "/models")
    expected = [r["model"] for r in catalog() if keep(r)]
    rows = page.find("main").find("table").find("tbody").find_all("tr")
    assert [r.find("th").text() for r in rows] == expected
    assert page.find("figure", "chart").find("svg")
    twin = twin_link(page)
    assert twin.startswith("/api/v1/models")
    assert [m["name"] for m in client.get(twin).json()["items"]] == expected
    if params.get("activation"):
        select = next(s for s in page.find_all("select") if s.attrs.get("name") == "activation")
        chosen = [o.attrs.get("value", o.text()) for o in select.find_all("option") if "selected" in o.attrs]
        assert chosen == [params["activation"]]


def form_fields(form: Node) -> dict[str, str]:
    """What a browser submits for a GET form left as it is: every named field, empty when unset."""
    fields: dict[str, str] = {}
    for element in form.find_all("input"):
        if "name" in element.attrs:
            fields[element.attrs["name"]] = element.attrs.get("value", "")
    for select in form.find_all("select"):
        options = select.find_all("option")
        chosen = [o for o in options if "selected" in o.attrs] or options[:1]
        fields[select.attrs["name"]] = chosen[0].attrs.get("value", chosen[0].text()) if chosen else ""
    return fields


def test_models_filter_form_works_without_javascript(client: TestClient) -> None:
    """Choose one filter in the form and submit it as a browser does (the other fields go along empty)."""
    page = get_page(client, "/models")
    form = page.find("form")
    assert form.attrs.get("method", "get").lower() == "get"
    fields = form_fields(form)
    assert {"activation", "organization", "ffn_type", "year_min", "year_max"} <= set(fields)
    fields["activation"] = "swiglu"
    response = client.get(f"{form.attrs['action']}?{urlencode(fields)}")
    assert response.status_code == 200, response.text[:300]
    rows = parse(response.text).find("main").find("table").find("tbody").find_all("tr")
    assert [r.find("th").text() for r in rows] == [r["model"] for r in catalog() if r["activation"] == "swiglu"]


def test_every_model_link_resolves(client: TestClient) -> None:
    page = get_page(client, "/models")
    hrefs = [h for h in links(page.find("main")) if h.startswith("/models/")]
    assert len(hrefs) == len(catalog())
    for href in hrefs:
        assert client.get(href).status_code == 200, href


def test_model_page_gemma_2_9b(client: TestClient) -> None:
    page = get_page(client, f"/models/{quote('Gemma 2 9B')}")
    assert page.find("h1").text() == "Gemma 2 9B"
    facts = dict(zip([dt.text() for dt in page.find_all("dt")], [dd.text() for dd in page.find_all("dd")], strict=True))
    gemma2 = next(rows for heading, rows in markdown_tables(reference_file("gemma.md").read_text(encoding="utf-8"))
                  if heading.startswith("3. Gemma 2"))
    col = gemma2[0].index("9B")
    printed = {row[0]: row[col] for row in gemma2[1:]}
    assert facts["d_model"] == printed["d_model"] == "3584"
    assert facts["d_ff / intermediate_size"] == "14336"
    arch = {row.find("th").text(): row.find("td").text() for row in page.find("main").find("tbody").find_all("tr")}
    assert arch["d_model"] == printed["d_model"]
    assert arch["Feedforward dim (paper)"] == printed["Feedforward dim (paper)"] == "28672"
    assert arch["HF intermediate_size"] == "14336"
    assert arch["Non-linearity"] == printed["Non-linearity"] == "GeGLU"
    twin = twin_link(page)
    assert client.get(twin).json()["name"] == "Gemma 2 9B"


# --- twins and unknown names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "twin"),
    [
        ("/", "/api/v1/papers"),
        (f"/papers/{PAPER_ID}", f"/api/v1/papers/{PAPER_ID}"),
        ("/variants", "/api/v1/variants"),
        ("/variants/FFN_GEGLU", "/api/v1/variants/FFN_GEGLU"),
        ("/models", "/api/v1/models"),
        ("/models?activation=geglu_tanh", "/api/v1/models?activation=geglu_tanh"),
        ("/models/Gemma 2 9B", "/api/v1/models/Gemma%202%209B"),
    ],
)
def test_every_page_links_its_json_twin(client: TestClient, url: str, twin: str) -> None:
    page = get_page(client, url)
    assert twin_link(page) == twin
    response = client.get(twin)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize("url", ["/papers/attention-2017", "/variants/FFN_Mish", "/models/gemma-9", "/models/x/y"])
def test_unknown_names_give_404(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    browser = client.get(url, headers={"Accept": "text/html,application/xhtml+xml"})
    assert browser.status_code == 404
    assert browser.headers["content-type"].startswith("text/html")
    assert "404" in parse(browser.text).find("h1").text()


def test_pages_are_cached_with_etags(client: TestClient) -> None:
    first = client.get(f"/papers/{PAPER_ID}")
    again = client.get(f"/papers/{PAPER_ID}", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
