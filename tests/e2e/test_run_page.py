"""The run page of a comparison in the browser: a tiny quality comparison submitted from the form runs
live (chart with ticks and gridlines, runs table filling in), ends with its verdict in words, and its
"run again with more steps" button lands on a new run page with twice the steps; a cancelled comparison
keeps the curves it reached, with and without JavaScript, and downloads them as CSV. Both pages hold
their width on a phone."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import Tab

pytestmark = pytest.mark.e2e

# The tiny configs of test_comparisons.py: two variants of a 1-layer, d_model 16 model.
FORM = {"d_model": "16", "n_layers": "1", "n_heads": "2", "seq_len": "16", "batch_size": "8", "steps": "300",
        "seeds": "2"}
VARIANTS = ["ReLU", "GEGLU"]
JOB_TIMEOUT_MS = 90_000
PHONE = {"width": 390, "height": 844}
# Reports the runs table's states of every document of the tab at each change, so the test sees the live
# page fill a row in from a `run_done` event before the page reloads into the result.
RUN_STATES = """
(() => {
  const documentId = Math.random().toString(36).slice(2);
  document.addEventListener("DOMContentLoaded", () => {
    const table = document.getElementById("runs");
    if (!table || !window.e2eRunStates) return;
    const report = () => window.e2eRunStates({ document: documentId, live: !!document.getElementById("progress"),
      states: [...table.querySelectorAll(".state")].map(cell => cell.textContent) });
    new MutationObserver(report).observe(table, { subtree: true, childList: true, characterData: true });
    report();
  });
})();
"""


def submit(tab: Tab, **fields: str) -> str:
    """Fill and send the comparison form; returns the new job's id (the page it lands on)."""
    tab.goto("/comparisons")
    form = tab.page.locator("form[action='/comparisons']")
    for box in form.locator("input[name=variants]").all():
        box.set_checked(box.get_attribute("value") in VARIANTS)
    for name, value in {**FORM, **fields}.items():
        form.locator(f"input[name={name}]").fill(value)
    form.locator("select[name=device]").select_option("cpu")
    with tab.page.expect_navigation():
        form.get_by_role("button", name="Queue comparison").click()
    match = re.fullmatch(r"/comparisons/([0-9a-f]+)", tab.path())
    assert match, tab.path()
    return match.group(1)


def holds_width(tab: Tab) -> None:
    size = tab.page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert size[0] <= size[1], f"{tab.path()} scrolls sideways on a phone: {size}"


def test_from_the_form_to_the_verdict_and_run_again(open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    page = tab.page
    samples: list[dict[str, Any]] = []
    page.expose_function("e2eRunStates", lambda sample: samples.append(sample))
    page.add_init_script(RUN_STATES)
    job_id = submit(tab)
    assert "0 / 0 steps" not in page.locator("#status").inner_text()
    page.locator("#live svg polyline").first.wait_for(timeout=JOB_TIMEOUT_MS)
    tab.shot("live")
    rows = page.locator("#runs tbody tr")
    assert rows.count() == len(VARIANTS) * int(FORM["seeds"])

    # The page reloads into the result once the job finished: the verdict in words on top.
    page.locator("#verdict-words").wait_for(timeout=JOB_TIMEOUT_MS)
    words = page.locator("#verdict-words").inner_text()
    assert re.search(r"cannot be told apart with 2 seeds at this size|is worse than (ReLU|GEGLU)", words), words
    assert "corpus's entropy" in words, words
    live = [s for s in samples if s["live"]]
    assert live and "done" not in live[0]["states"], f"the live page was rendered after a run finished: {live[:1]}"
    assert any("done" in s["states"] for s in live if s["document"] == live[0]["document"]), (
        f"the live runs table was not filled in from run_done events: {live}")
    for i in range(rows.count()):
        assert re.fullmatch(r"\d+\.\d{4}", rows.nth(i).locator(".loss").inner_text())
        assert re.fullmatch(r"[\d,]+", rows.nth(i).locator(".tps").inner_text())
        assert rows.nth(i).locator(".state").inner_text() == "done"

    # The chart (redrawn in the browser from the JSON curves): axes, gridlines, reference lines, hover.
    chart = page.locator("#live svg.loss-chart")
    page.wait_for_function("() => !document.querySelector('#live svg.loss-chart').hasAttribute('xmlns')")
    assert chart.locator("polyline").count() == len(VARIANTS)
    assert chart.locator("line.grid").count() >= 6 and chart.locator("line.reference").count() >= 1
    assert "entropy (optimal)" in chart.text_content() and "step" in chart.text_content()
    chart.scroll_into_view_if_needed()  # the mouse only reaches what is in the viewport
    box = chart.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] / 2)
    tip = page.locator(".chart-tip")
    assert re.match(r"step \d+", tip.inner_text()) and all(v in tip.inner_text() for v in VARIANTS)
    controls = page.locator("#chart-controls")
    controls.get_by_label("each seed").check()
    assert chart.locator("path.seed").count() == len(VARIANTS) * int(FORM["seeds"])
    controls.get_by_label("log scale").check()
    assert "(log)" in chart.text_content()
    controls.locator("select[name=split]").select_option("train")
    assert "training loss" in chart.text_content()
    assert "log=true" in page.url and "seeds=true" in page.url  # a reload keeps the settings
    tab.shot("result")

    # One click: the same config with more steps, on a new run page.
    button = page.get_by_role("button", name=re.compile(r"Run again with more steps"))
    with page.expect_navigation():
        button.click()
    match = re.fullmatch(r"/comparisons/([0-9a-f]+)", tab.path())
    assert match and match.group(1) != job_id, tab.path()
    again = page.request.get(f"{tab.base}/api/v1/comparisons/{match.group(1)}").json()
    first = page.request.get(f"{tab.base}/api/v1/comparisons/{job_id}").json()
    assert again["config"]["steps"] == 2 * int(FORM["steps"])
    assert {k: v for k, v in again["config"].items() if k != "steps"} == {
        k: v for k, v in first["config"].items() if k != "steps"}
    assert page.locator("#status-text").inner_text() in ("queued", "running", "succeeded")
    if page.get_by_role("button", name="Cancel").count():  # leave the worker to the next test
        with page.expect_navigation():
            page.get_by_role("button", name="Cancel").click()

    phone = open_tab()
    phone.page.set_viewport_size(PHONE)
    phone.goto(f"/comparisons/{job_id}")
    phone.page.locator("#live svg.loss-chart:not([xmlns])").wait_for()
    holds_width(phone)
    font = phone.page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('#live svg text')).fontSize)")
    assert font >= 11, font


def test_a_cancelled_comparison_keeps_its_curves(open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    page = tab.page
    job_id = submit(tab, steps="5000")
    page.locator("#live svg polyline").first.wait_for(timeout=JOB_TIMEOUT_MS)
    page.wait_for_function("() => /left/.test((document.querySelector('#eta') || {}).textContent || '')",
                           timeout=JOB_TIMEOUT_MS)
    assert re.fullmatch(r"\d+ / \d+ steps", page.locator("#steps").inner_text())
    with page.expect_navigation():
        page.get_by_role("button", name="Cancel").click()
    page.locator("#status-text", has_text="cancelled").wait_for(timeout=JOB_TIMEOUT_MS)
    assert "reported before it stopped" in page.locator("#stopped").inner_text()
    page.locator("#live svg.loss-chart:not([xmlns]) polyline").first.wait_for()
    assert page.locator("#live svg.loss-chart polyline").count() >= 1
    assert page.locator("#runs .state", has_text="stopped").count() >= 1
    tab.shot("cancelled")

    answer = page.request.get(f"{tab.base}/comparisons/{job_id}/curves.csv")
    assert answer.ok and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text())))
    assert rows and {r["variant"] for r in rows} <= set(VARIANTS) and {r["split"] for r in rows} >= {"train"}

    plain = open_tab(javascript=False)
    plain.page.set_viewport_size(PHONE)
    plain.goto(f"/comparisons/{job_id}")
    assert plain.page.locator("#live svg polyline").count() >= 1
    assert plain.page.locator("#live svg line.grid").count() >= 6
    holds_width(plain)
    plain.goto(f"/comparisons/{job_id}?split=train&seeds=true&log=true")
    assert plain.page.locator("#live svg path.seed").count() >= 1
