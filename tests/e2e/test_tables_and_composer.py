"""In the browser: sorting the catalog by its headers (no JavaScript needed), the "this looks like" hint
while a question is typed, the composer's question/post toggle, and the remembered display name."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from tests.e2e.conftest import Tab

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "nojs"])
def test_catalog_headers_sort_and_the_export_follows(open_tab: Callable[..., Tab], javascript: bool) -> None:
    tab = open_tab(javascript=javascript)
    page = tab.page
    tab.goto("/models?ffn_type=gated")
    with page.expect_navigation():
        page.locator("#catalog thead").get_by_role("link", name="Year").click()
    assert "sort=year" in page.url and "ffn_type=gated" in page.url
    years = [int(t) for t in page.locator("#catalog tbody tr td:nth-child(3)").all_inner_texts()]
    assert years == sorted(years) and years
    with page.expect_navigation():
        page.locator("#catalog thead").get_by_role("link", name="Year").click()
    years_down = [int(t) for t in page.locator("#catalog tbody tr td:nth-child(3)").all_inner_texts()]
    assert years_down == sorted(years, reverse=True)
    assert page.locator("#catalog th[aria-sort=descending]").count() == 1
    csv_href = page.locator("p.table-links").get_by_role("link", name="CSV").get_attribute("href")
    assert csv_href == "/api/v1/models?ffn_type=gated&sort=-year&format=csv"
    tab.shot("sorted")


def test_the_hint_appears_while_typing_a_duplicate_question(open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    page = tab.page
    tab.goto("/")
    question = page.get_by_role("textbox", name=re.compile(r"^Question"))
    question.press_sequentially("Is GEGLU better than SwiGLU?")
    hint = page.locator(".ask-box [data-similar]")
    link = hint.get_by_role("link", name=re.compile(r"^GEGLU vs SwiGLU"))
    link.wait_for()
    assert "This looks like" in hint.inner_text()
    question.fill("")
    question.press_sequentially("hello")
    link.wait_for(state="detached")
    assert hint.inner_text().strip() == ""
    tab.shot("hint")


def test_the_composer_toggle_and_the_remembered_name(open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    page = tab.page
    tab.goto("/threads")
    form = page.locator("#new-thread form")
    form.locator("input[name=title]").fill("Composer toggle in the browser")
    form.locator("textarea[name=body]").fill("First post.")
    form.locator("input[name=display_name]").fill("Toggle Tester")
    with page.expect_navigation():
        form.get_by_role("button", name="Start the thread").click()
    compose = page.locator("#compose")
    assert compose.locator("input[name=display_name]").input_value() == "Toggle Tester"
    button = compose.locator("button[type=submit]")
    assert button.inner_text() == "Post"
    compose.get_by_label(re.compile("a question for the service")).check()
    assert button.inner_text() == "Ask the service"
    compose.locator("textarea[name=body]").fill("What is GEGLU?")
    with page.expect_navigation():
        button.click()
    answer = page.locator("article.post-service").last
    assert "GEGLU" in answer.locator(".post-body").inner_text()
    # The home page is served from a cache; the script fills the remembered name into its ask box.
    tab.goto("/")
    assert page.locator(".ask-box input[name=display_name]").input_value() == "Toggle Tester"
    tab.shot("composer")
