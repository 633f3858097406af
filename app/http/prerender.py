"""Render the reference pages and their charts once at start, before the first visitors ask for them.

A cold process used to meet its first burst of visitors with nothing cached: every page and chart was
drawn on demand, under matplotlib's global lock. ``create_app``'s lifespan starts :func:`prerender` as a
background task (readiness does not wait for it): it requests each reference page through the application
itself, so the pages land in the same caches, by the same code, as a visitor's request would put them.

Visitors come first. A page a visitor asks for before the prerender reaches it is rendered at once for that
visitor (and everyone asking meanwhile: one render per page), so the prerender takes the pages in the order
visitors ask for them (:class:`Demand`, counted by the reference cache's middleware while the prerender
runs): the next page is the one asked for most so far, which is usually the render already in flight, so
the prerender waits on it instead of drawing a page nobody asked for beside it; pages nobody asked for come
last, in their listed order. Its own requests are not counted.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Message, Scope

from app import papers

FIXED_PAGES = ("/", "/variants", "/models", "/activations", "/gelu-approximations", "/misreadings")
#: The ASGI scope key that marks the prerender's own requests (visitors cannot set scope keys).
PRERENDER_SCOPE_KEY = "actlab.prerender"
log = logging.getLogger("actlab.prerender")


class Demand:
    """How often visitors asked for each page of a watched set (the reference pages while they are being
    pre-rendered); nothing is counted outside that set or once watching stops."""

    def __init__(self) -> None:
        self._asked: dict[str, int] = {}
        self._lock = threading.Lock()

    def watch(self, paths: Iterable[str]) -> None:
        with self._lock:
            self._asked = dict.fromkeys(paths, 0)

    def stop(self) -> None:
        with self._lock:
            self._asked = {}

    def count(self, scope: Scope) -> None:
        """Count a visitor's GET of a watched page (called before the cache is consulted)."""
        if not self._asked or scope.get(PRERENDER_SCOPE_KEY):
            return
        path = scope["path"]
        with self._lock:
            if path in self._asked:
                self._asked[path] += 1

    def asked(self, path: str) -> int:
        with self._lock:
            return self._asked.get(path, 0)

    def most_asked(self, pending: list[str]) -> str:
        """The pending page asked for most; among equals, the first listed."""
        with self._lock:
            return max(pending, key=lambda p: (self._asked.get(p, 0), -pending.index(p)))


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
        "client": ("127.0.0.1", 0), "server": ("localhost", 80), PRERENDER_SCOPE_KEY: True,
    }

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])

    await app(scope, receive, send)
    return status


def demand_of(app: ASGIApp) -> Demand:
    """The visitors' demand the application's reference cache counts (a fresh, empty one without it)."""
    references = getattr(getattr(app, "state", None), "reference_responses", None)
    demand = getattr(references, "demand", None)
    return demand if isinstance(demand, Demand) else Demand()


async def prerender(app: ASGIApp, pages: list[str], demand: Demand | None = None) -> int:
    """Request each page in turn, the most asked for first (one at a time: visitors come first); how many
    answered 200."""
    demand = demand if demand is not None else demand_of(app)
    pending = list(pages)
    demand.watch(pending)
    rendered = 0
    try:
        while pending:
            path = demand.most_asked(pending)
            pending.remove(path)
            try:
                rendered += await get(app, path) == 200
            except Exception:  # a page that fails here fails for its visitor too, and is logged there as well
                log.exception("pre-rendering %s failed", path)
    finally:
        demand.stop()
    log.info("pre-rendered %d of %d reference pages", rendered, len(pages))
    return rendered
