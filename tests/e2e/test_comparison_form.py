"""The comparison form prices itself: its estimate follows the fields as they change (from
GET /api/v1/comparisons/estimate), and a preset fills the form, estimate included."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from tests.e2e.conftest import Tab

pytestmark = pytest.mark.e2e


def _seconds(tab: Tab) -> int:
    text = tab.page.locator("#estimate-text").inner_text()
    match = re.search(r"about (\d+) s", text)
    assert match, text
    return int(match.group(1))


def test_the_estimate_follows_the_steps_and_a_preset_fills_the_form(open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    page = tab.page
    tab.goto("/comparisons")
    form = page.locator("#comparison-form")
    form.locator("select[name=device]").select_option("cpu")
    page.wait_for_timeout(50)
    before = _seconds(tab)
    steps = form.locator("input[name=steps]")
    paper_steps = int(steps.input_value())
    with page.expect_response(lambda r: "/api/v1/comparisons/estimate" in r.url and "steps=3000" in r.url):
        steps.fill("3000")
    page.wait_for_function(f"() => !/about {before} s/.test(document.getElementById('estimate-text').textContent)")
    assert _seconds(tab) > before
    tab.shot("estimate")

    with page.expect_navigation():
        page.get_by_role("link", name="Quick look").click()
    assert tab.path().startswith("/comparisons?preset=quick")
    quick_steps = int(form.locator("input[name=steps]").input_value())
    assert 0 < quick_steps < paper_steps
    assert _seconds(tab) > 0
    tab.shot("quick-look")
