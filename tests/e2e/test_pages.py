"""Reading pages in the browser: every page of the main navigation loads without a console error, CSP
violation or failed request, and the paper page shows its four tables with the best cells marked."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import Tab

pytestmark = pytest.mark.e2e

# Every page the navigation reaches, plus one detail page of each kind (h1 text expected on it).
PAGES = [
    ("/", "Why do transformers use GeGLU, SwiGLU or ReLU?"),
    ("/papers/glu-variants-2020", "GLU Variants Improve Transformer"),
    ("/papers/narang-2021", "Do Transformer Modifications Transfer"),
    ("/variants/FFN_GEGLU/vs/FFN_SwiGLU", "what each paper says"),
    ("/variants", "FFN variants"),
    ("/variants/FFN_GEGLU", "GEGLU"),
    ("/models", "Models"),
    ("/models/gemma-2-9b", "Gemma 2 9B"),
    ("/activations", "Activation"),
    ("/activations/gelu", "GELU"),
    ("/activations/geglu", "GEGLU"),
    ("/gelu-approximations", "GELU"),
    ("/activations/explore", "Activation explorer"),
    ("/comparisons", "FFN comparisons"),
    ("/threads", "Threads"),
    ("/misreadings", "Common misreadings"),
    ("/misreadings/gemma-hidden-act", "Gemma"),
]


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_every_page_loads_cleanly(open_tab: Callable[..., Tab], javascript: bool) -> None:
    tab = open_tab(javascript=javascript)
    for path, heading in PAGES:
        tab.goto(path)
        h1 = tab.page.locator("main h1").first.inner_text()
        assert heading.lower() in h1.lower(), f"{path}: h1 is {h1!r}"
        # Stylesheets applied (a CSP or path mistake would leave the page unstyled).
        font = tab.page.evaluate("getComputedStyle(document.body).fontFamily")
        assert "system-ui" in font, f"{path}: style.css not applied ({font})"
        tab.shot(path.strip("/").replace("/", "_") or "home")


READ_TABLES = """
() => [...document.querySelectorAll("figure.paper-table")].map(fig => ({
  id: fig.id,
  caption: fig.querySelector("caption strong").textContent,
  columns: [...fig.querySelectorAll("thead th[scope=col]")].slice(1).map(th => ({
    label: th.childNodes[0].textContent.trim(),
    higher: th.querySelector(".dir").getAttribute("title") === "higher is better",
  })),
  rows: [...fig.querySelector("tbody:not(.reference)").rows].map(tr => ({
    label: tr.cells[0].textContent.trim(),
    cells: [...tr.cells].slice(1).map(td => ({
      text: td.textContent,
      best: td.classList.contains("best"),
      strong: td.querySelector("strong") !== null,
      weight: parseInt(getComputedStyle(td.querySelector("strong") || td).fontWeight, 10),
      background: getComputedStyle(td).backgroundColor,
    })),
  })),
  referenceBest: fig.querySelectorAll("tbody.reference td.best").length,
}))
"""


def _value(text: str) -> float | None:
    match = re.match(r"\s*(-?[\d.]+)", text)
    return float(match.group(1)) if match else None


def test_paper_tables_render_with_the_best_cells_marked(open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    tab.goto("/papers/glu-variants-2020")
    tables: list[dict[str, Any]] = tab.page.evaluate(READ_TABLES)
    assert [t["id"] for t in tables] == ["table-1", "table-2", "table-3", "table-4"]
    for table in tables:
        assert len(table["rows"]) == 8, table["caption"]
        assert table["referenceBest"] == 0, f"{table['caption']}: a reference row is marked best"
        unmarked_background = {c["background"] for r in table["rows"] for c in r["cells"] if not c["best"]}
        for i, column in enumerate(table["columns"]):
            cells = [(row["label"], row["cells"][i]) for row in table["rows"]]
            values = [_value(c["text"]) for _, c in cells]
            present = [v for v in values if v is not None]
            assert present, f"{table['caption']} / {column['label']}: no values"
            best_value = max(present) if column["higher"] else min(present)
            expected = {label for (label, _), v in zip(cells, values, strict=True) if v == best_value}
            marked = {label for label, c in cells if c["best"]}
            assert marked == expected, f"{table['caption']} / {column['label']}: marked {marked}, best {expected}"
            for label, cell in cells:
                if cell["best"]:
                    assert cell["strong"] and cell["weight"] >= 600, f"{label}: best cell not bold"
                    assert cell["background"] not in unmarked_background, f"{label}: best cell not highlighted"
    table1 = tables[0]
    geglu = next(r for r in table1["rows"] if r["label"] == "FFN_GEGLU")
    assert [_value(c["text"]) for c in geglu["cells"]] == [1.942, 1.633]
    assert all(c["best"] for c in geglu["cells"])
    # The Table 1 chart above the tables is the server's SVG, shown inline (its phone drawing hidden here).
    assert tab.page.locator("figure.chart svg:visible").count() == 1
    assert tab.page.locator("figure.chart svg.chart-narrow").count() == 1
    tab.shot("paper")


def test_api_documentation_renders_offline(open_tab: Callable[..., Tab]) -> None:
    """/docs runs the vendored Swagger UI under the same CSP as every page (no CDN, no inline script)."""
    tab = open_tab()
    tab.goto("/docs")
    tab.page.wait_for_selector(".opblock", timeout=20_000)
    paths = tab.page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/results" in p for p in paths) and any("/api/v1/curves" in p for p in paths)
    tab.shot("docs")
