"""The pages as a web: every page the README lists is reachable by following links from ``/``, related pages
link each other (model ↔ activation ↔ variant ↔ paper rows ↔ threads ↔ misreadings), no page shows raw
LaTeX (formulas are MathML), and the home page's example questions are a form that asks them.

One crawl of the seeded app (module-scoped) serves every test here; it follows the links of each page's
HTML, leaving out the API, static files, sorted and filtered copies of a page and the composer's variants.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient

from app.web.examples import EXAMPLE_QUESTIONS
from tests.conftest import open_client, sqlite_settings

ROOT = Path(__file__).resolve().parents[1]
# What raw LaTeX looks like in a page's text: a command (\frac, \mathrm, ...) or a $...$ span.
LATEX = re.compile(r"\\[A-Za-z]{2,}|\$[^$\s][^$]*\$")
SKIPPED_PREFIXES = ("/api/", "/static/", "/openapi", "/docs/")
SKIPPED_QUERIES = ("sort=", "quote=", "reply_to=", "preset=", "fn=", "activation=", "organization=", "year_")


class _Page(HTMLParser):
    """The links and the visible text of a page (scripts, styles, MathML and SVG left out of the text)."""

    HIDDEN = frozenset({"script", "style", "math", "svg"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.main_links: list[str] = []
        self.text: list[str] = []
        self._hidden = 0
        self._in_main = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1
        if tag == "main":
            self._in_main += 1
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)
            if self._in_main:
                self.main_links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN:
            self._hidden -= 1
        if tag == "main":
            self._in_main -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.text.append(data)


@dataclass
class Site:
    texts: dict[str, str] = field(default_factory=dict)
    links: dict[str, set[str]] = field(default_factory=dict)  # page -> pages its <main> links (no fragment)

    def linked_from(self, page: str) -> set[str]:
        return self.links[_canonical(page)]


def _canonical(url: str) -> str:
    """One spelling per page: path unquoted then quoted the same way, query kept, fragment dropped."""
    parts = urlsplit(url)
    path = quote(unquote(parts.path), safe="/")
    return path + (f"?{parts.query}" if parts.query else "")


def _followed(url: str) -> bool:
    parts = urlsplit(url)
    if parts.scheme not in ("", "http") or (parts.netloc not in ("", "testserver")):
        return False
    if parts.path.startswith(SKIPPED_PREFIXES) or parts.path.endswith(".csv"):
        return False
    return not any(q in parts.query for q in SKIPPED_QUERIES)


def crawl(client: TestClient) -> Site:
    site, todo = Site(), ["/"]
    while todo:
        page = todo.pop()
        if page in site.texts:
            continue
        response = client.get(page, headers={"Accept": "text/html"})
        assert response.status_code == 200, f"{page}: HTTP {response.status_code}"
        parsed = _Page()
        parsed.feed(response.text)
        site.texts[page] = " ".join("".join(parsed.text).split())
        site.links[page] = {_canonical(urljoin(f"http://testserver{page}", h)) for h in parsed.main_links
                            if not h.startswith("#")}
        for href in parsed.links:
            absolute = urljoin(f"http://testserver{page}", href)
            if _followed(absolute):
                target = _canonical(absolute)
                if target not in site.texts:
                    todo.append(target)
    return site


@pytest.fixture(scope="module")
def site(seeded_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    path = tmp_path_factory.mktemp("crawl") / "actlab.db"
    shutil.copyfile(seeded_template, path)
    with open_client(sqlite_settings(path)) as client:
        yield crawl(client)


def readme_pages() -> list[str]:
    """The page addresses the README's Pages section names (those without a ``{placeholder}``)."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Pages\n", 1)[1].split("\n## ", 1)[0]
    found = re.findall(r"`(/[^`\s{}]*)`", section)
    return sorted({_canonical(p.split("#", 1)[0]) for p in found if not p.startswith(SKIPPED_PREFIXES)})


def test_every_page_the_readme_lists_is_reachable_from_home(site: Site) -> None:
    listed = readme_pages()
    assert {"/", "/variants", "/models", "/activations", "/threads", "/misreadings", "/glossary"} <= set(listed)
    missing = [p for p in listed if p not in site.texts]
    assert not missing, f"README pages no link from / leads to: {missing}"


def test_no_page_shows_raw_latex(site: Site) -> None:
    shown = {page: m.group(0) for page, text in site.texts.items() if (m := LATEX.search(text))}
    assert not shown, f"raw LaTeX on {len(shown)} page(s): {dict(list(shown.items())[:5])}"
    assert len(site.texts) > 60  # the crawl did reach the detail pages


def test_related_pages_link_each_other(site: Site) -> None:
    model = site.linked_from("/models/Gemma 2 9B")
    assert {"/activations/geglu_tanh", "/variants/FFN_GEGLU", "/misreadings"} <= model, model
    variant = site.linked_from("/variants/FFN_GEGLU")
    paper_rows = {f"/papers/glu-variants-2020#table-{n}" for n in (1, 2, 3, 4)}
    assert {_canonical(p) for p in paper_rows} <= variant  # fragments dropped: the paper page
    assert "/activations/gelu" in variant and "/models/Gemma%202%209B" in variant, variant
    assert "/misreadings/geglu-1942-is-not-full-training" in variant, variant
    assert "/threads?q=GEGLU" in variant
    threads = {p for p in variant if re.fullmatch(r"/threads/\d+", p)}
    assert threads and all("/variants/FFN_GEGLU" in site.linked_from(t) for t in threads), threads
    activation = site.linked_from("/activations/geglu")
    assert {"/variants/FFN_GEGLU", "/models/Gemma%202%209B", "/misreadings/geglu-1942-is-not-full-training",
            "/threads?q=geglu"} <= activation, activation
    misreading = site.linked_from("/misreadings/geglu-1942-is-not-full-training")
    assert {"/activations/geglu", "/papers/glu-variants-2020"} <= misreading, misreading
    paper = site.linked_from("/papers/glu-variants-2020")
    assert {f"/variants/{v}" for v in ("FFN_GEGLU", "FFN_SwiGLU", "FFN_ReLU")} <= paper, paper


def test_the_glossary_is_in_the_main_navigation(client: TestClient) -> None:
    page = client.get("/variants").text
    nav = page.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    assert '<a href="/glossary">Glossary</a>' in nav


def test_the_home_pages_example_questions_ask_without_javascript(client: TestClient) -> None:
    """Each chip is a submit button of a plain form posting to /ask: the question is asked and answered."""
    home = client.get("/").text
    form = home.split('<form method="post" action="/ask" class="chips">', 1)[1].split("</form>", 1)[0]
    buttons = re.findall(r'<button type="submit" name="question" value="([^"]+)"', form)
    assert [b.replace("&#39;", "'") for b in buttons] == list(EXAMPLE_QUESTIONS)
    for question in EXAMPLE_QUESTIONS:
        asked = client.post("/ask", data={"question": question}, follow_redirects=False)
        assert asked.status_code == 303, (question, asked.text[:300])
        thread = client.get(asked.headers["location"])
        assert thread.status_code == 200 and question.replace("'", "&#39;") in thread.text


def test_an_answer_quoting_a_stored_formula_shows_it_as_mathml(client: TestClient) -> None:
    """The answer about a gate quotes its FFN variant's LaTeX in a code span; the thread page typesets it."""
    asked = client.post("/ask", data={"question": "What is GEGLU?"}, follow_redirects=False)
    assert asked.status_code == 303
    page = client.get(asked.headers["location"]).text
    parsed = _Page()
    parsed.feed(page)
    text = " ".join("".join(parsed.text).split())
    assert "As a feed-forward layer (FFN_GEGLU):" in text
    assert not LATEX.search(text), LATEX.search(text)
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML"' in page


def test_a_latex_code_span_becomes_sanitized_mathml_and_other_code_stays_code() -> None:
    from app.markup import render_markdown

    html = render_markdown(r"`hidden_act=\"gelu\"` and `\frac{<img src=x onerror=alert(1)>}{2}` and `\notacommand`")
    assert '<code>hidden_act=\\"gelu\\"</code>' in html and r"<code>\notacommand</code>" in html
    assert "<mfrac>" in html and "<img" not in html and "onerror" not in html.replace("&lt;", "")
