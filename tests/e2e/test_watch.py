"""The guard every browser test relies on: what ``watch`` collects on a page of ours when something goes
wrong there — a CSP violation (an inline script and an inline event handler), a 404 and an uncaught error."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.e2e.conftest import watch

if TYPE_CHECKING:  # playwright may be missing: the tests are then skipped, not broken
    from playwright.sync_api import Browser

pytestmark = pytest.mark.e2e

BREAK_THE_PAGE = """
() => {
  const script = document.createElement("script");
  script.textContent = "window.inlineRan = true;";
  document.body.appendChild(script);
  const image = '<img src="/static/no-such-image.png" onerror="window.handlerRan = true">';
  document.body.insertAdjacentHTML("beforeend", image);
  setTimeout(() => { throw new Error("deliberate failure"); }, 0);
}
"""


def test_watch_reports_csp_violations_404s_and_page_errors(browser: Browser, server: str) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        problems: list[str] = []
        watch(page, problems)
        page.goto(server + "/")
        page.wait_for_load_state("networkidle")
        assert problems == [], problems  # the page itself is clean
        page.evaluate(BREAK_THE_PAGE)
        page.wait_for_function("() => document.querySelector('img[src$=\"no-such-image.png\"]').complete")
        page.wait_for_timeout(200)
        # The Content-Security-Policy blocked both inline scripts.
        assert page.evaluate("window.inlineRan === undefined && window.handlerRan === undefined")
    finally:
        context.close()
    text = "\n".join(problems)
    assert "Executing inline script violates" in text, text
    assert "Executing inline event handler violates" in text, text
    assert f"HTTP 404 for GET {server}/static/no-such-image.png" in text, text
    assert "console error" in text and "404" in text, text
    assert "uncaught error" in text and "deliberate failure" in text, text
