"""Stored XSS: script tags, event handlers, javascript: links and raw HTML in bodies, titles and names
render inert on every page that shows them (thread list, thread, quote embeds, home, 422 re-renders) and in
the JSON ``body_html``.

A page is inert when, parsed as HTML, it has no script element other than the project's own
``/static/*.js``, no ``on*`` attribute, no URL with a javascript:/vbscript:/data: scheme, and no
iframe/object/embed/form element that the project did not write.
"""

from __future__ import annotations

from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.markup import render_markdown
from tests.conftest import open_client, sqlite_settings

PAYLOADS = [
    "<script>alert('xss-1')</script>",
    "<img src=x onerror=alert('xss-2')>",
    "[click me](javascript:alert('xss-3'))",
    "[click me](JaVaScRiPt:alert('xss-4'))",
    "[click me](  javascript:alert('xss-5'))",
    "![pic](javascript:alert('xss-6'))",
    '<a href="javascript:alert(\'xss-7\')">link</a>',
    "<svg onload=alert('xss-8')></svg>",
    '"><script>alert(\'xss-9\')</script>',
    "<iframe src='https://evil.example/'></iframe>",
    "<div onclick=\"alert('xss-10')\">raw html</div>",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgneHNzLTExJyk8L3NjcmlwdD4=)",
    "<style>body{display:none}</style>",
    "<object data='javascript:alert(12)'></object>",
    "<form action='https://evil.example'><input name=x></form>",
    "`<script>alert('in code')</script>`",
    "[x](vbscript:msgbox(13))",
    "<a href='#' onmouseover='alert(14)'>hover</a>",
    "&lt;script&gt;alert('xss-15')&lt;/script&gt;",
]
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "background", "poster"}


class Inspector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.forms: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): (value or "") for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=...>")
            if name in URL_ATTRIBUTES and value.strip().lower().replace("\t", "").startswith(BAD_SCHEMES):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "script" and not values.get("src", "").startswith("/static/"):
            self.problems.append("inline or foreign <script>")
        if tag in {"iframe", "object", "embed", "frame", "base", "meta"} and tag != "meta":
            self.problems.append(f"<{tag}>")
        if tag == "meta" and "http-equiv" in values:
            self.problems.append("<meta http-equiv>")
        if tag == "form":
            self.forms.append(values.get("action", ""))
        if tag == "style":
            self.problems.append("<style> element")


def assert_inert(html: str) -> None:
    inspector = Inspector()
    inspector.feed(html)
    assert inspector.problems == [], inspector.problems
    for action in inspector.forms:
        assert action.startswith("/"), f"a form posting off-site: {action!r}"


def test_renderer_neutralizes_every_payload() -> None:
    for payload in PAYLOADS:
        assert_inert(render_markdown(payload))
    assert render_markdown("<b>bold?</b>") == "<p>&lt;b&gt;bold?&lt;/b&gt;</p>\n"
    html = render_markdown("[ok](https://example.org) and [rel](/threads/1)")
    assert 'href="https://example.org"' in html and 'href="/threads/1"' in html
    assert 'rel="nofollow noopener noreferrer"' in html


@pytest.fixture
def client(db_path: Path) -> Iterator[TestClient]:
    """The app with a write rate limit high enough for the many posts these tests make."""
    with open_client(sqlite_settings(db_path, rate_limit_writes_per_minute=10_000)) as test_client:
        yield test_client


@pytest.fixture
def poisoned(client: TestClient) -> dict[str, Any]:
    """Threads and posts whose every text field carries a payload, via the API, the forms and questions."""
    ids: dict[str, Any] = {"threads": []}
    for i, payload in enumerate(PAYLOADS):
        response = client.post("/api/v1/threads", json={"title": payload[:200], "body": payload,
                                                        "display_name": payload[:60]})
        assert response.status_code == 201, response.text
        thread = response.json()
        ids["threads"].append(thread["id"])
        first = thread["posts"][0]["id"]
        reply = client.post(f"/api/v1/threads/{thread['id']}/posts",
                            json={"body": f"reply {i}: {payload}", "parent_id": first, "quote_ids": [first],
                                  "display_name": payload[:60]})
        assert reply.status_code == 201, reply.text
        ids.setdefault("posts", []).append(first)
    form = client.post("/threads", data={"title": PAYLOADS[0], "body": PAYLOADS[1], "display_name": PAYLOADS[7][:60]},
                       follow_redirects=False)
    assert form.status_code == 303
    ids["threads"].append(int(form.headers["location"].rsplit("/", 1)[1]))
    asked = client.post("/api/v1/questions", json={"question": PAYLOADS[0] + " why does gemma use geglu?",
                                                   "display_name": PAYLOADS[1][:60]})
    assert asked.status_code == 201
    ids["threads"].append(asked.json()["thread"]["id"])
    # a clean thread that quotes every poisoned post (the embeds render other people's text)
    clean = client.post("/api/v1/threads", json={"title": "quotes", "body": "quoting"}).json()
    client.post(f"/api/v1/threads/{clean['id']}/posts", json={"body": "see these", "quote_ids": ids["posts"][:10]})
    ids["threads"].append(clean["id"])
    return ids


def test_every_page_is_inert(client: TestClient, poisoned: dict[str, Any]) -> None:
    pages = ["/", "/threads", "/threads?limit=5&offset=5", *(f"/threads/{t}" for t in poisoned["threads"])]
    pages += [f"/threads/{poisoned['threads'][0]}?reply_to={poisoned['posts'][0]}",
              f"/threads/{poisoned['threads'][0]}?quote={poisoned['posts'][1]}"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.text)
    page = client.get(f"/threads/{poisoned['threads'][0]}").text
    assert "&lt;script&gt;alert(&#39;xss-1&#39;)&lt;/script&gt;" in page, "the payload is shown as text"


def test_json_body_html_is_inert(client: TestClient, poisoned: dict[str, Any]) -> None:
    for thread_id in poisoned["threads"]:
        doc = client.get(f"/api/v1/threads/{thread_id}").json()
        stack = list(doc["posts"])
        while stack:
            post = stack.pop()
            assert_inert(post["body_html"])
            stack.extend(post["replies"])


def test_rejected_input_is_re_rendered_inert(client: TestClient, poisoned: dict[str, Any]) -> None:
    thread_id = poisoned["threads"][0]
    too_long = PAYLOADS[0] + "x" * 20_000
    response = client.post(f"/threads/{thread_id}/posts", data={"body": too_long, "display_name": PAYLOADS[1][:60]})
    assert response.status_code == 422
    assert "body.body" in response.text
    assert_inert(response.text)
    response = client.post("/threads", data={"title": PAYLOADS[8] * 30, "body": PAYLOADS[0]})
    assert response.status_code == 422
    assert_inert(response.text)
    response = client.post(f"/threads/{thread_id}/ask", data={"question": PAYLOADS[0] * 40})
    assert response.status_code == 422
    assert_inert(response.text)
