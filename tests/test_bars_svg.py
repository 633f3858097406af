"""The paper pages' table charts and the catalog's chart written as SVG without matplotlib: a bar per
competing row with its value as printed, gated and dense colours, the printed spread as error bars, a wide
and a phone drawing with no text under 11 px, and the figures checked against tests/reference."""

from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.plots import bars_svg
from app.plots.bars_svg import BarPanel

NS = "{http://www.w3.org/2000/svg}"
REFERENCE = Path(__file__).parent / "reference"
HTML = {"Accept": "text/html"}


def _drawings(markup: str) -> list[ET.Element]:
    return [ET.fromstring(m) for m in re.findall(r"<svg\b.*?</svg>", markup, flags=re.S)]


def _texts(svg: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in svg.iter(f"{NS}text")]


def _font_sizes(svg: ET.Element) -> list[float]:
    root = float(svg.get("font-size", "16"))
    return [float(t.get("font-size", root)) for t in svg.iter(f"{NS}text")]


PANEL = BarPanel("65,536 steps (± run-to-run spread)", "log-perplexity (lower is better)",
                 ("FFN_ReLU", "FFN_GEGLU", "FFN_SwiGLU"), (False, True, True), (1.997, 1.942, 1.944),
                 (0.005, None, 0.01), ("1.997", "1.942", "1.944"))


def test_each_row_is_a_bar_with_its_printed_value_colour_and_spread() -> None:
    wide, narrow = _drawings(bars_svg.panels_chart((PANEL, PANEL), "Table 1"))
    assert (wide.get("class"), narrow.get("class")) == ("chart-wide", "chart-narrow")
    for svg in (wide, narrow):
        bars = list(svg.iter(f"{NS}rect"))
        assert len(bars) == 6  # three rows in each of two panels
        fills = [b.get("fill") for b in bars[:3]]
        assert fills[0] == bars_svg.DENSE and fills[1] == fills[2] == bars_svg.GATED
        texts = _texts(svg)
        assert all(texts.count(v) == 2 for v in ("1.997", "1.942", "1.944"))
        assert {"ReLU", "GEGLU", "SwiGLU"} <= set(texts)  # the FFN_ prefix is dropped, as the tables do
        assert len([p for p in svg.iter(f"{NS}path") if p.get("class") == "spread"]) == 4  # None: no bar
        # a taller bar for the larger value: the bars start at the axis and end at their value
        heights = [float(b.get("height", 0)) for b in bars[:3]]
        assert heights[0] > heights[2] > heights[1]
        assert svg.get("role") == "img" and "Table 1" in (svg.get("aria-label") or "")


def test_the_phone_drawing_stacks_the_panels_and_keeps_text_readable() -> None:
    wide, narrow = _drawings(bars_svg.panels_chart((PANEL, PANEL, PANEL), "A long title " * 6))
    assert float(narrow.get("width", 0)) == 340 and float(wide.get("width", 0)) > 340 * 2
    assert min(_font_sizes(narrow)) >= 11 and min(_font_sizes(wide)) >= 11
    panels = [g for g in narrow.iter(f"{NS}g") if g.get("class") == "panel"]
    tops = [min(float(r.get("y", 0)) for r in p.iter(f"{NS}rect")) for p in panels]
    assert tops == sorted(tops) and len(set(round(t) for t in tops)) == 3  # one above the other
    x_offsets = {round(min(float(r.get("x", 0)) for r in p.iter(f"{NS}rect"))) for p in panels}
    assert len(x_offsets) == 1


def test_the_catalog_chart_stacks_each_years_models_by_activation() -> None:
    counts = ((2023, (("gelu", 3), ("swiglu", 4))), (2024, (("swiglu", 19),)))
    wide, narrow = _drawings(bars_svg.stacked_years_chart(counts, "By year"))
    for svg in (wide, narrow):
        titles = ["".join(r.itertext()) for r in svg.iter(f"{NS}rect") if r.find(f"{NS}title") is not None]
        assert titles == ["2023: 3 × gelu", "2023: 4 × swiglu", "2024: 19 × swiglu"]
        assert {"2023", "2024", "gelu", "swiglu", "models in the catalog"} <= set(_texts(svg))
    assert min(_font_sizes(narrow)) >= 11


def test_the_paper_page_draws_every_charted_value_of_table_1_as_printed(client: TestClient,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The page's bars carry the values of tests/reference (Shazeer 2020, Table 1), without matplotlib."""
    import matplotlib.pyplot as plt

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the paper charts must not be drawn by matplotlib")

    monkeypatch.setattr(plt, "subplots", refuse)
    page = client.get("/papers/glu-variants-2020", headers=HTML)
    assert page.status_code == 200
    drawings = _drawings(page.text)
    assert drawings and len(drawings) % 2 == 0
    with open(REFERENCE / "glu_variants_2020_table1.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    first = _texts(drawings[0])
    bars = {"".join(r.itertext()) for r in drawings[0].iter(f"{NS}rect")}
    assert len(bars) == len(rows) == 16  # 8 variants at each of the two training lengths
    for row in rows:
        assert row["value"] in first
        name = row["variant"].removeprefix("FFN_")
        spread = f" ± {float(row['stddev']):g}" if row["stddev"] else ""
        assert f"{name}: {row['value']}{spread}" in bars, (name, row["value"], spread)
