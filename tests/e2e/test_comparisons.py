"""A comparison from the form to the verdict in the browser: a tiny quality comparison is queued through
/comparisons, its page follows the job live over Server-Sent Events (progress bar, step count and loss
curves change in place), and once the job finished the page shows the result with the verdict table."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import Tab

pytestmark = pytest.mark.e2e

# Two variants of a 1-layer, d_model 16 model: the embedded worker trains the four runs (2 seeds each)
# in a few seconds, long enough for several progress events at ACTLAB_JOB_EVENT_FLUSH_SECONDS=0.1.
FORM = {
    "d_model": "16",
    "n_layers": "1",
    "n_heads": "2",
    "seq_len": "16",
    "batch_size": "8",
    "steps": "600",
    "seeds": "2",
}
VARIANTS = ["ReLU", "GEGLU"]
JOB_TIMEOUT_MS = 60_000

# Runs in every document of the tab: reports the live view's state to the test at each DOM change
# (the step counter's text changes with every progress event, so no event goes unseen).
RECORDER = """
(() => {
  const documentId = Math.random().toString(36).slice(2);
  document.addEventListener("DOMContentLoaded", () => {
    if (!document.getElementById("status") || !window.e2eRecord) return;
    const report = () => {
      const progress = document.getElementById("progress");
      const steps = document.getElementById("steps");
      const live = document.getElementById("live");
      window.e2eRecord({
        document: documentId,
        progress: progress ? progress.value : null,
        steps: steps ? steps.textContent : null,
        status: (document.getElementById("status-text") || {}).textContent || null,
        lines: live ? live.querySelectorAll("svg polyline").length : 0,
        queued: document.getElementById("status").textContent.includes("in the queue"),
      });
    };
    new MutationObserver(report).observe(document.body, { subtree: true, childList: true, characterData: true });
    report();
  });
})();
"""


def test_tiny_comparison_runs_live_to_its_verdict(open_tab: Callable[..., Tab]) -> None:
    tab = open_tab()
    page = tab.page
    samples: list[dict[str, Any]] = []

    def record(sample: dict[str, Any]) -> None:
        samples.append(sample)

    page.expose_function("e2eRecord", record)
    page.add_init_script(RECORDER)
    streams: list[str] = []
    page.on("request", lambda r: streams.append(r.url) if r.resource_type == "eventsource" else None)

    tab.goto("/comparisons")
    form = page.locator("form[action='/comparisons']")
    assert form.get_by_label("Quality (loss after training)").is_checked()
    for box in form.locator("input[name=variants]").all():
        box.set_checked(box.get_attribute("value") in VARIANTS)
    for name, value in FORM.items():
        form.locator(f"input[name={name}]").fill(value)
    form.locator("select[name=device]").select_option("cpu")
    tab.shot("form")
    with page.expect_navigation():
        form.get_by_role("button", name="Queue comparison").click()
    match = re.fullmatch(r"/comparisons/([0-9a-f-]+)", tab.path())
    assert match, tab.path()
    job_id = match.group(1)
    assert page.locator("#progress").count() == 1, "the live view is missing"
    # The first curve needs the job's process to start (torch import): wait as long as for the job itself.
    page.wait_for_function("() => document.querySelector('#live svg polyline') || document.querySelector('h3')",
                           timeout=JOB_TIMEOUT_MS)
    tab.shot("live")

    # The page follows the job over SSE and reloads itself into the result once the job finished.
    page.locator("h3", has_text="Pairwise verdicts").wait_for(timeout=JOB_TIMEOUT_MS)
    assert any(f"/api/v1/comparisons/{job_id}/events" in url for url in streams), streams
    for _ in range(50):  # the result page's own report may still be on its way to the test
        if any(s["progress"] is None for s in samples):
            break
        page.wait_for_timeout(100)
    documents = list(dict.fromkeys(s["document"] for s in samples))
    assert len(documents) == 2, f"expected the live page, then the result page; got {len(documents)} pages"

    live = [s for s in samples if s["document"] == documents[0]]
    in_between = [s for s in live if s["progress"] is not None and 0 < s["progress"] < 1]
    assert in_between, f"no progress seen between start and end: {live}"
    assert [s["progress"] for s in live] == sorted(s["progress"] for s in live), "progress went backwards"
    for s in in_between:
        counted = re.fullmatch(r"(\d+) / (\d+) steps", s["steps"])
        assert counted, s
        done, total = int(counted.group(1)), int(counted.group(2))
        assert 0 < done < total == len(VARIANTS) * int(FORM["steps"]) * int(FORM["seeds"]), s
    assert max(s["lines"] for s in live) == len(VARIANTS), "the loss curves were not drawn live"
    assert any(s["status"] == "running" for s in live)
    assert not any(s["queued"] for s in in_between), "a running job is still shown with its queue position"

    # The result: one row per variant, the verdict of the pair, the charts; no live view any more.
    assert page.locator("#status-text").inner_text() == "succeeded"
    assert page.locator("#progress").count() == 0
    result = page.locator("section", has=page.locator("h2", has_text="Result"))
    rows = result.locator("table").first.locator("tbody tr")
    assert [rows.nth(i).locator("th").inner_text() for i in range(rows.count())] == VARIANTS
    for i in range(rows.count()):
        loss = rows.nth(i).locator("td").nth(4).inner_text()
        assert re.fullmatch(r"\d+\.\d{4} ± \d+\.\d{4}", loss), loss
    verdicts = result.locator("table").nth(1).locator("tbody tr")
    assert verdicts.count() == 1
    pair, verdict, difference, p_value = verdicts.first.locator("td").all_inner_texts()
    assert pair == "ReLU vs GEGLU"
    assert verdict and "not tested" not in verdict, verdict
    assert re.fullmatch(r"[+-]\d+\.\d{4}", difference), difference
    assert re.fullmatch(r"[\d.e-]+", p_value), p_value
    assert result.locator("figure.chart svg:visible").count() == 2  # the bars' phone drawing hidden here
    tab.shot("result")

    job = page.request.get(f"{tab.base}/api/v1/comparisons/{job_id}").json()
    assert job["status"] == "succeeded"
    assert [v["variant"] for v in job["results"]["variants"]] == VARIANTS
    assert job["results"]["pairs"][0]["verdict"] == verdict
