"""Render the reference pages and their charts once at start, before the first visitors ask for them.

A cold process used to meet its first burst of visitors with nothing cached: every page and chart was
drawn on demand, under matplotlib's global lock. ``create_app``'s lifespan starts :func:`prerender` as a
background task (readiness does not wait for it): it requests each reference page through the application
itself, so the pages land in the same caches, by the same code, as a visitor's request would put them.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Message

from app import papers

FIXED_PAGES = ("/", "/variants", "/models", "/activations", "/gelu-approximations", "/misreadings")
log = logging.getLogger("actlab.prerender")


def reference_pages(factory: sessionmaker[Session]) -> list[str]:
    """The fixed pages, then one page per paper and per variant (the pages with the charts)."""
    with factory() as session:
        paper_ids = [p["id"] for p in papers.list_papers(session)]
        variants = [v["name"] for v in papers.list_variants(session)]
    return [*FIXED_PAGES, *(f"/papers/{p}" for p in paper_ids), *(f"/variants/{v}" for v in variants)]


async def get(app: ASGIApp, path: str) -> int:
    """GET ``path`` from the application in this process; the status it answered."""
    status = 0
    scope: dict[str, Any] = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"localhost"), (b"accept", b"text/html")],
        "client": ("127.0.0.1", 0), "server": ("localhost", 80),
    }

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])

    await app(scope, receive, send)
    return status


async def prerender(app: ASGIApp, pages: list[str]) -> int:
    """Request each page in turn (one at a time: visitors come first); how many answered 200."""
    rendered = 0
    for path in pages:
        try:
            rendered += await get(app, path) == 200
        except Exception:  # a page that fails here fails for its visitor too, and is logged there as well
            log.exception("pre-rendering %s failed", path)
    log.info("pre-rendered %d of %d reference pages", rendered, len(pages))
    return rendered
