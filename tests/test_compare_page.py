"""``/compare?a=…&b=…``: the variant-vs-variant verdict of every stored paper as a page, and ``/glossary``.

The verdict's counts are recomputed here from the JSON of ``/api/v1/compare`` (one paper at a time)."""

from __future__ import annotations

import re
from html import unescape

from fastapi.testclient import TestClient

from app.web.glossary import ANCHORS


def test_the_home_page_links_the_comparison_page_not_raw_json(client: TestClient) -> None:
    home = client.get("/").text
    assert 'href="/compare?a=FFN_GEGLU&amp;b=FFN_SwiGLU">GEGLU vs SwiGLU</a>' in home
    assert "/api/v1/compare?a=FFN_GEGLU" not in home


def test_the_page_shows_each_papers_verdict_counting_only_differences_beyond_the_spread(client: TestClient) -> None:
    page = client.get("/compare", params={"a": "geglu", "b": "FFN_SwiGLU"})
    assert page.status_code == 200
    text = unescape(page.text)
    papers = client.get("/api/v1/papers").json()["items"]
    shown = 0
    for paper in papers:
        params = {"a": "FFN_GEGLU", "b": "FFN_SwiGLU", "paper": paper["id"]}
        result = client.get("/api/v1/compare", params=params).json()
        if not result["items"]:
            assert f'id="paper-{paper["id"]}"' not in text
            continue
        shown += 1
        section = text.split(f'id="paper-{paper["id"]}"', 1)[1].split("</section>", 1)[0]
        beyond = [i for i in result["items"] if i["noise"] == "exceeds spread" and i["better"] != "tie"]
        within = sum(1 for i in result["items"] if i["noise"] == "within noise" and i["better"] != "tie")
        assert f"{within} within noise" in section
        if not beyond:
            assert f"no difference beyond the run-to-run spread in any of {len(result['items'])}" in section
        else:
            winners = {i["better"] for i in beyond}
            assert any(f"{w} better beyond the spread" in section or "mixed:" in section for w in winners)
        assert section.count("<tr") == len(result["items"]) + 1  # the header row and one per compared cell
        assert f"/api/v1/compare?a=FFN_GEGLU&b=FFN_SwiGLU&paper={paper['id']}" in section
    assert shown >= 2, "both stored papers compare GEGLU with SwiGLU"


def test_a_bad_name_is_a_422_page_listing_the_valid_names_as_links(client: TestClient) -> None:
    page = client.get("/compare", params={"a": "FFN_GEGLU", "b": "FFN_NOPE"})
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    names = [v["name"] for v in client.get("/api/v1/variants").json()["items"]]
    links = re.findall(r'<a href="(/compare\?a=[^"]+)">([^<]+)</a>', page.text)
    assert [name for _, name in links] == names
    assert all(unescape(href) == f"/compare?a=FFN_GEGLU&b={name}" for href, name in links)
    assert "FFN_NOPE" in page.text


def test_without_both_names_the_page_is_a_form(client: TestClient) -> None:
    page = client.get("/compare", params={"a": "FFN_GEGLU"})
    assert page.status_code == 200
    assert '<form method="get" action="/compare"' in page.text
    assert '<select name="b">' in page.text
    long = client.get("/compare", params={"a": "x" * 65, "b": "FFN_SwiGLU"})
    assert long.status_code == 422


def test_the_glossary_defines_every_anchor_the_pages_link_to(client: TestClient) -> None:
    glossary = client.get("/glossary")
    assert glossary.status_code == 200
    defined = set(re.findall(r'id="([^"]+)"', glossary.text))
    assert set(ANCHORS) <= defined
    pages = ("/", "/models", "/variants", "/variants/FFN_GEGLU", "/papers/glu-variants-2020",
             "/compare?a=FFN_GEGLU&b=FFN_SwiGLU", "/variants/FFN_GEGLU/vs/FFN_SwiGLU")
    for path in pages:
        linked = set(re.findall(r'href="/glossary#([^"]+)"', client.get(path).text))
        assert linked, path
        assert linked <= defined, path
