"""The activation explorer in the browser: with JavaScript a changed control re-plots in place (no page
load) and the values table follows; without JavaScript the Plot button gives the same through a page load."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.conftest import Tab

pytestmark = pytest.mark.e2e

DEFAULT_TITLE = "f(x) of gelu, gelu_tanh, gelu_sigmoid, silu on [-4, 4]"


def _chart_title(tab: Tab) -> str:
    """The chart's title (the page's chart is two drawings of it, wide and for phones, with one title)."""
    return tab.page.locator("#explore-chart svg").first.get_attribute("aria-label") or ""


def _table_headers(tab: Tab) -> list[str]:
    return [h.strip() for h in tab.page.locator("main table thead th").all_inner_texts()]


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_explorer_replots_in_place_with_javascript(open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    page = tab.page
    tab.goto("/activations/explore")
    assert _chart_title(tab) == DEFAULT_TITLE
    assert _table_headers(tab) == ["x", "gelu", "gelu_tanh", "gelu_sigmoid", "silu"]
    tab.shot("default")
    # Anything kept in the window survives only if the page is not loaded again.
    page.evaluate("window.__sameDocument = true")
    loads: list[str] = []  # history.replaceState is a same-document navigation; "load" means a new page
    page.on("load", lambda loaded: loads.append(loaded.url))

    with page.expect_response(lambda r: "/api/v1/curves?" in r.url and "format=svg" in r.url) as svg_response:
        page.get_by_label("relu", exact=True).check()
    assert svg_response.value.ok
    page.wait_for_function(
        "t => { const s = document.querySelector('#explore-chart svg');"
        " return s && s.getAttribute('aria-label') === t; }",
        arg="f(x) of relu, gelu, gelu_tanh, gelu_sigmoid, silu on [-4, 4]",
    )
    assert page.evaluate("window.__sameDocument") is True
    assert loads == []
    query = _query(page.url)  # the address bar follows (history.replaceState), so a reload keeps the plot
    assert query["fn"] == ["relu", "gelu", "gelu_tanh", "gelu_sigmoid", "silu"]
    json_twin = page.locator("#json-twin").get_attribute("href") or ""
    assert _query(json_twin)["fn"] == query["fn"]
    twin = page.request.get(tab.base + json_twin).json()
    assert twin["fn"] == [s["fn"] for s in twin["series"]] == query["fn"]
    # The values table follows the plot.
    page.wait_for_function(
        "() => [...document.querySelectorAll('main table thead th')].some(th => th.textContent.trim() === 'relu')"
    )
    tab.shot("relu-added")

    page.locator("select[name=derivative]").select_option("1")
    page.wait_for_function(
        "() => (document.querySelector('#explore-chart svg')?.getAttribute('aria-label') || '').startsWith('f′(x)')"
    )
    page.wait_for_function("() => document.querySelector('main h2')?.textContent.includes('f′')")
    # relu′ is 0 left of 0 and 1 right of it (x = -3, -1, 0, 1, 3).
    relu_column = page.evaluate(
        "() => { const heads = [...document.querySelectorAll('main table thead th')].map(t => t.textContent.trim());"
        " const i = heads.indexOf('relu');"
        " return [...document.querySelectorAll('main table tbody tr')].map(tr => tr.cells[i].textContent.trim()); }"
    )
    assert relu_column[:2] == ["0", "0"] and relu_column[3:] == ["1", "1"], relu_column
    assert _query(page.url)["derivative"] == ["1"]
    tab.shot("derivative")

    # The table's x values are a control too: the new rows arrive without a page load.
    at = page.locator("input[name=at]")
    at.fill("-0.5, 2")
    at.blur()  # a text field reports its change when it loses focus
    page.wait_for_function("() => document.querySelectorAll('main table tbody tr').length === 2")
    assert page.locator("main table tbody th").all_inner_texts() == ["−0.5", "2"]
    assert _query(page.url)["at"] == ["-0.5, 2"]
    assert page.evaluate("window.__sameDocument") is True
    assert loads == []
    tab.shot("table-points")


def test_explorer_works_without_javascript(open_tab: Callable[..., Tab]) -> None:
    tab = open_tab(javascript=False)
    page = tab.page
    tab.goto("/activations/explore")
    assert _chart_title(tab) == DEFAULT_TITLE
    page.get_by_label("relu", exact=True).check()
    page.get_by_label("gelu", exact=True).uncheck()
    page.locator("select[name=derivative]").select_option("1")
    page.locator("input[name=at]").fill("-2, 0.5, 2")
    # Changing a control does nothing by itself without JavaScript ...
    assert _chart_title(tab) == DEFAULT_TITLE
    # ... the Plot button submits the form.
    with page.expect_navigation():
        page.get_by_role("button", name="Plot").click()
    query = _query(page.url)
    assert query["fn"] == ["relu", "gelu_tanh", "gelu_sigmoid", "silu"]
    assert query["derivative"] == ["1"]
    assert _chart_title(tab) == "f′(x) of relu, gelu_tanh, gelu_sigmoid, silu on [-4, 4]"
    assert page.locator("#explore-chart svg path").count() > 0
    assert _table_headers(tab) == ["x", "relu", "gelu_tanh", "gelu_sigmoid", "silu"]
    xs = page.locator("main table tbody th").all_inner_texts()
    assert xs == ["−2", "0.5", "2"]
    relu = [row.split("\t")[1].strip() for row in page.locator("main table tbody tr").all_inner_texts()]
    assert relu == ["0", "1", "1"]
    # The controls keep what was asked.
    assert page.get_by_label("relu", exact=True).is_checked()
    assert not page.get_by_label("gelu", exact=True).is_checked()
    assert page.locator("select[name=derivative]").input_value() == "1"
    tab.shot("plotted")
