"""The layout contract, in the browser: at a desktop (1280×800) and a phone (390×844) viewport every page
holds its width (no sideways scrolling of the page itself: what is wider scrolls in its own box), logs no
console error and no CSP violation, and axe-core finds no serious or critical accessibility violation.

axe-core is the vendored ``app/static/vendor/axe-core/axe.min.js``, which the server serves only in the
test environment; loading it as a same-origin script also shows that the CSP lets it run. One browser
context per viewport visits every page in turn, so the whole file stays well under two minutes.
Every page is saved as a full-page screenshot at both widths (layout-<viewport>-<page>.png) under
``$ACTLAB_ARTIFACTS/screenshots`` (default test-artifacts/screenshots/, git-ignored); the run prints the
folder, and a failing page's message names its file. The page list is checked against the README's.
"""

from __future__ import annotations

import json
import os
import re
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from app.config import Settings
from app.web.formatting import fmt
from tests.e2e.conftest import ACTION_TIMEOUT_MS, NAVIGATION_TIMEOUT_MS, SCREENSHOTS
from tests.test_page_links import readme_pages

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.e2e

VIEWPORTS = {"desktop": (1280, 800), "phone": (390, 844)}
AXE_URL = "/static/vendor/axe-core/axe.min.js"
# The README's pages, every page of the navigation, one detail page of each kind and the error page.
PAGES = [
    "/",
    "/papers/glu-variants-2020",
    "/papers/narang-2021",
    "/variants",
    "/variants/FFN_GEGLU",
    "/variants/FFN_GEGLU/vs/FFN_SwiGLU",
    "/models",
    "/models/gemma-2-9b",
    "/activations",
    "/activations/gelu",
    "/activations/gelu_tanh",
    "/activations/geglu",
    "/gelu-approximations",
    "/activations/explore",
    "/comparisons",
    "/threads",
    "/misreadings",
    "/misreadings/gemma-hidden-act",
    "/docs",
    "/compare?a=FFN_GEGLU&b=FFN_SwiGLU",
    "/compare",
    "/glossary",
    "/threads?q=gelu",
    "/models?sort=-year&ffn_type=gated",
]
NOT_FOUND_PAGE = "/activations/no-such-activation"
# A question whose answer carries a computation ("how this was answered") and a chart attachment.
QUESTION = "Where is the tanh approximation of GELU furthest from exact GELU?"
# A finished comparison in a few seconds of the embedded worker: two variants, 2 seeds, 20 steps.
TINY_COMPARISON = {
    "kind": "quality",
    "variants": ["ReLU", "GEGLU"],
    "device": "cpu",
    "d_model": 16,
    "n_layers": 1,
    "n_heads": 2,
    "seq_len": 16,
    "batch_size": 8,
    "steps": 20,
    "seeds": [0, 1],
}
COMPARISON_TIMEOUT_S = 90
# The vendored Swagger UI widget on /docs is third-party markup; the page around it is audited.
AXE_EXCLUDE = {"/docs": ["#swagger-ui"]}
# Chart text on a phone: every text of every chart shown is at least 11 CSS px (the phone rendering).
CHART_MIN_PX = 11.0
_ARTIFACTS = os.environ.get("ACTLAB_ARTIFACTS")
LAYOUT_SHOTS = Path(_ARTIFACTS) / "screenshots" if _ARTIFACTS else SCREENSHOTS
# Pages that exist once a test made them (a thread, a comparison): the README names them with a placeholder.
# "/comparisons/{id}/rerun" is where the run page's buttons post, not a page.
MADE_BY_FIXTURES = {"/threads/{id}", "/comparisons/{id}", "/comparisons/{id}/rerun"}

WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", e => window.__cspViolations.push(
  `${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`));
"""
MEASURE = """() => ({ scrollWidth: document.scrollingElement.scrollWidth, innerWidth: window.innerWidth,
  wide: [...document.querySelectorAll("body *")].filter(el => {
    if (el.getBoundingClientRect().right <= innerWidth + 1) return false;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement)
      if (["auto", "scroll", "hidden"].includes(getComputedStyle(p).overflowX)) return false;
    return true;
  }).slice(0, 5).map(el => `${el.tagName.toLowerCase()}.${el.getAttribute("class") || ""}`) })"""
AXE_RUN = """async exclude => {
  const result = await axe.run({ exclude: exclude.map(s => [s]) }, { resultTypes: ["violations"] });
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.impact}) on ${v.nodes.length} node(s), e.g. ${v.nodes[0].target.join(" ")}: ${v.help}`);
}"""
# Labels whose text starts below their checkbox or radio (a column layout) rather than beside it.
LABEL_BELOW_CONTROL = """() => [...document.querySelectorAll("label")].filter(label => {
  const box = label.querySelector("input[type=checkbox], input[type=radio]");
  if (!box) return false;
  const text = document.createRange();
  text.selectNodeContents(label);
  text.setStartAfter(box);
  const first = [...text.getClientRects()].find(r => r.width > 0);
  return first !== undefined && first.top >= box.getBoundingClientRect().bottom - 1;
}).map(label => label.textContent.trim())"""
CHART_TEXT = """() => [...document.querySelectorAll("figure svg")].filter(svg => svg.getBoundingClientRect().width > 0)
  .map(svg => {
  const box = svg.viewBox.baseVal, width = svg.getBoundingClientRect().width;
  const scale = box && box.width ? width / box.width : 1;
  const px = [...svg.querySelectorAll("text")].map(t => parseFloat(getComputedStyle(t).fontSize) * scale)
    .sort((a, b) => a - b);
  return { label: svg.getAttribute("aria-label"), width: width, min: px[0] || 0, texts: px.length };
})"""


def _post_json(url: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return dict(json.load(response))


def _get_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return dict(json.load(response))


@pytest.fixture(scope="module")
def thread_path(server: str) -> str:
    """A thread whose service answer shows a computation under "how this was answered"."""
    asked = _post_json(f"{server}/api/v1/questions", {"question": QUESTION})
    return f"/threads/{asked['thread']['id']}"


@pytest.fixture(scope="module")
def comparison_path(server: str) -> str:
    """A finished quality comparison (charts, result tables, config), queued through the JSON API."""
    job = _post_json(f"{server}/api/v1/comparisons", TINY_COMPARISON)
    deadline = time.monotonic() + COMPARISON_TIMEOUT_S
    while job["status"] not in ("succeeded", "failed", "cancelled"):
        assert time.monotonic() < deadline, f"comparison {job['id']} not finished in {COMPARISON_TIMEOUT_S} s"
        time.sleep(0.5)
        job = _get_json(f"{server}/api/v1/comparisons/{job['id']}")
    assert job["status"] == "succeeded", job.get("error")
    return f"/comparisons/{job['id']}"


@pytest.fixture(scope="module")
def cancelled_comparison_path(server: str, comparison_path: str) -> str:
    """A quality comparison cancelled mid-run: its page shows the partial curves and the runs table."""
    job = _post_json(f"{server}/api/v1/comparisons", {**TINY_COMPARISON, "steps": 5000})
    token, deadline = job["cancel_token"], time.monotonic() + COMPARISON_TIMEOUT_S
    while job["done_steps"] == 0:
        assert time.monotonic() < deadline, f"comparison {job['id']} did not start in {COMPARISON_TIMEOUT_S} s"
        time.sleep(0.2)
        job = _get_json(f"{server}/api/v1/comparisons/{job['id']}")
    request = urllib.request.Request(f"{server}/api/v1/comparisons/{job['id']}", method="DELETE",
                                     headers={"Authorization": f"Bearer {token}"})
    urllib.request.urlopen(request, timeout=30).close()
    while job["status"] != "cancelled":
        assert time.monotonic() < deadline, f"comparison {job['id']} not cancelled in {COMPARISON_TIMEOUT_S} s"
        time.sleep(0.2)
        job = _get_json(f"{server}/api/v1/comparisons/{job['id']}")
    return f"/comparisons/{job['id']}"


@pytest.fixture(params=list(VIEWPORTS), scope="module")
def viewport_page(
    request: pytest.FixtureRequest, browser: Browser, server: str
) -> Iterator[tuple[str, Page, list[str]]]:
    """One tab at one viewport for all pages of the module, with its console errors collected."""
    width, height = VIEWPORTS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height}, base_url=server)
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    context.add_init_script(WATCH_CSP)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    yield request.param, page, errors
    context.close()


def _check_page(page: Page, path: str, errors: list[str], *, status: int = 200) -> list[str]:
    """Everything wrong with one page as it is shown now (empty: it keeps the contract)."""
    errors.clear()
    response = page.goto(path)
    assert response is not None, path
    problems = [] if response.status == status else [f"HTTP {response.status}, expected {status}"]
    if path == "/docs":
        page.wait_for_selector(".opblock", timeout=20_000)
    size = page.evaluate(MEASURE)
    if size["scrollWidth"] > size["innerWidth"]:
        problems.append(f"scrolls sideways: {size['scrollWidth']} px > {size['innerWidth']} px, wide: {size['wide']}")
    page.add_script_tag(url=AXE_URL)  # same-origin script: the CSP must let it run
    problems += [f"axe: {v}" for v in page.evaluate(AXE_RUN, AXE_EXCLUDE.get(path, []))]
    problems += [f"CSP: {v}" for v in page.evaluate("window.__cspViolations")]
    # An error page's own status shows up as a failed load in the console; nothing else may.
    problems += [e for e in errors if not (status >= 400 and f"status of {status}" in e)]
    return problems


def _shot(page: Page, viewport: str, path: str) -> str:
    name = re.sub(r"[^A-Za-z0-9_.]+", "-", f"layout-{viewport}-{path}").strip("-")
    target = LAYOUT_SHOTS / f"{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(target), full_page=True)
    return str(target)


def test_the_page_list_covers_the_readme() -> None:
    """Every page the README's Pages section names is opened here; a ``{placeholder}`` page by one page of
    its kind (threads and comparisons: the ones the fixtures make)."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme.split("\n## Pages\n", 1)[1].split("\n## ", 1)[0]
    kinds = {p for p in re.findall(r"`(/[^`\s]*\{[^`\s]*)`", section) if not p.endswith(".csv")} - MADE_BY_FIXTURES
    patterns = {k: re.sub(r"\\\{[^}]+\\\}", "[^/?]+", re.escape(k)) for k in kinds}
    missing = [p for p in readme_pages() if p not in PAGES]
    missing += [k for k, pattern in sorted(patterns.items()) if not any(re.fullmatch(pattern, p) for p in PAGES)]
    assert not missing, f"README pages the layout test does not open: {missing}"


def test_every_page_holds_its_width_and_passes_axe(
    report_measurement: Callable[[str, object], None],
    viewport_page: tuple[str, Page, list[str]],
    thread_path: str,
    comparison_path: str,
    cancelled_comparison_path: str,
) -> None:
    viewport, page, errors = viewport_page
    failures: list[str] = []
    run_pages = [comparison_path, f"{comparison_path}?split=train&seeds=true&log=true", cancelled_comparison_path]
    targets = [(p, 200) for p in [*PAGES, thread_path, *run_pages]] + [(NOT_FOUND_PAGE, 404)]
    for path, status in targets:
        problems = _check_page(page, path, errors, status=status)
        shot = _shot(page, viewport, path)
        if problems:
            failures.append(f"{viewport} {path} (screenshot {shot}):\n  " + "\n  ".join(problems))
    report_measurement(f"{viewport} screenshots ({len(targets)} pages)", str(LAYOUT_SHOTS))  # in the run's summary
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("viewport_page", ["phone"], indirect=True)  # a desktop shows charts at their drawn size
def test_charts_stay_readable_on_a_phone(
    viewport_page: tuple[str, Page, list[str]], thread_path: str, comparison_path: str, cancelled_comparison_path: str
) -> None:
    """At 390 px every chart shown is its phone rendering: each of its texts is at least 11 CSS px (the text's
    font size times the drawn-to-shown scale), with no chart shrunk from its wide drawing."""
    _, page, _ = viewport_page
    small, seen = [], 0
    for path in [
        "/papers/glu-variants-2020",
        "/models",
        "/activations/geglu",
        "/activations/gelu",
        "/activations/explore",
        "/gelu-approximations",
        thread_path,
        comparison_path,
        cancelled_comparison_path,
    ]:
        page.goto(path)
        charts = page.evaluate(CHART_TEXT)
        assert charts, f"{path}: no chart shown"
        for chart in charts:
            seen += 1
            if chart["texts"] == 0 or chart["min"] < CHART_MIN_PX:
                small.append(f"{path} {chart['label']}: smallest text {chart['min']:.1f} px ({chart['texts']} texts)")
    assert seen >= 12 and not small, "\n".join(small)
    # The explorer's JavaScript re-plot ends on the page's own chart again (its phone rendering), not the
    # API's wide SVG shrunk or scrolled.
    page.goto("/activations/explore")
    page.get_by_label("relu", exact=True).check()
    page.wait_for_function(
        "t => { const s = document.querySelector('#explore-chart svg.chart-narrow');"
        " return s && s.getBoundingClientRect().width > 0 && s.getAttribute('aria-label') === t; }",
        arg="f(x) of relu, gelu, gelu_tanh, gelu_sigmoid, silu on [-4, 4]",
    )
    replotted = page.evaluate(CHART_TEXT)
    assert len(replotted) == 1 and replotted[0]["min"] >= CHART_MIN_PX, replotted


def test_form_controls_sit_beside_their_labels_and_show_focus(viewport_page: tuple[str, Page, list[str]]) -> None:
    viewport, page, _ = viewport_page
    for path in ["/comparisons", "/activations/explore"]:
        page.goto(path)
        stacked = page.evaluate(LABEL_BELOW_CONTROL)
        assert not stacked, f"{viewport} {path}: checkbox/radio above its label: {stacked}"
        page.locator("input[type=checkbox]").first.focus()
        page.keyboard.press("Tab")
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("none", ""), f"{viewport} {path}: no visible focus ring ({outline})"


@pytest.mark.parametrize("viewport_page", ["desktop"], indirect=True)  # links do not depend on the viewport
def test_pages_lead_on(
    viewport_page: tuple[str, Page, list[str]], server: str, thread_path: str, comparison_path: str
) -> None:
    """No dead ends: a model page links its activation, variant, catalog and misreadings; the tanh GELU page
    states its computed worst error and links the comparison page; a 404 page links the valid names; the
    answer's computations print at 5 significant digits; a run's verdict links the glossary's terms; /docs keeps the
    site's navigation."""
    _, page, _ = viewport_page

    def hrefs() -> list[str]:
        return list(page.eval_on_selector_all("main a[href]", "links => links.map(a => a.getAttribute('href'))"))

    page.goto("/models/gemma-2-9b")
    links = hrefs()
    for wanted in ["/activations/geglu_tanh", "/variants/FFN_GEGLU", "/models", "/misreadings"]:
        assert wanted in links, f"model page lacks {wanted}: {links}"

    report = _get_json(f"{server}/api/v1/gelu-approximations")
    worst = report["approximations"][0]
    assert worst["fn"] == "gelu_tanh"
    page.goto("/activations/gelu_tanh")
    assert fmt(worst["max_abs_error"]) in page.locator("main .approximation").inner_text()
    assert "/gelu-approximations" in hrefs()

    page.goto(NOT_FOUND_PAGE)
    assert {"/activations/relu", "/activations/gelu_tanh"} <= set(hrefs())

    page.goto(thread_path)
    page.locator("details.how-answered summary").first.click()
    computed = page.locator("details.how-answered").first.inner_text()
    assert "x = 2.6989" in computed and "2.6989414" not in computed, computed

    page.goto(comparison_path)  # the verdict's terms lead to the glossary
    verdict = page.eval_on_selector_all("#verdict a[href]", "links => links.map(a => a.getAttribute('href'))")
    assert {"/glossary#holm", "/glossary#spread", "/glossary#nats-per-token"} <= set(verdict), verdict
    assert page.locator("header.site nav a[href='/glossary']").count() == 1

    page.goto("/docs")
    assert page.locator("main > h1").inner_text() == "API documentation"
    assert page.locator("header.site nav a[href='/models']").count() == 1


def test_axe_core_is_served_only_in_the_test_environment(settings: Settings) -> None:
    """The audit script is test tooling: a development or production server answers 404 for it."""
    from fastapi.testclient import TestClient

    from app.main import create_app

    for environment, status in [("test", 200), ("development", 404)]:
        app = create_app(settings.model_copy(update={"environment": environment}))
        client = TestClient(app)  # no lifespan: static files need no database
        assert client.get(AXE_URL).status_code == status, environment
        assert client.get("/static/style.css").status_code == 200
