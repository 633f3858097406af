"""The start-up prerender serves visitors first: requests that arrive while it runs are answered (each page
rendered once, whoever asked first), and it takes the pages in the order visitors ask for them, so it waits on
the render a visitor started rather than drawing a page nobody asked for beside it."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from app.http.prerender import PRERENDER_SCOPE_KEY, Demand, prerender, reference_pages
from app.main import create_app
from tests.conftest import sqlite_settings


def test_the_next_page_is_the_one_visitors_asked_for_most(db_path: Path) -> None:
    app = create_app(sqlite_settings(db_path, prerender_at_start=False))
    with TestClient(app) as client:
        pages = reference_pages(app.state.session_factory)
        last = pages[-1]
        order: list[str] = []

        async def recording(scope: Scope, receive: Receive, send: Send) -> None:
            if scope.get(PRERENDER_SCOPE_KEY):
                order.append(scope["path"])
                if len(order) == 1:  # while the first page renders, visitors ask for the last one, twice
                    for _ in range(2):
                        await app(_visitor(last), receive, _discard)
            await app(scope, receive, send)

        assert client.portal is not None
        rendered = client.portal.call(prerender, recording, pages, app.state.reference_responses.demand)
        assert rendered == len(pages)
        assert order[0] == pages[0] and order[1] == last, order
        assert sorted(order) == sorted(pages)  # every page once
        assert client.get(last).status_code == 200
    app.state.engine.dispose()


def test_requests_during_the_start_up_prerender_are_answered_and_each_page_renders_once(db_path: Path) -> None:
    app = create_app(sqlite_settings(db_path, prerender_at_start=True))
    with TestClient(app) as client:
        pages = reference_pages(app.state.session_factory)
        statuses: dict[str, int] = {}

        def ask(path: str) -> None:
            statuses[path] = client.get(path).status_code

        visitors = [threading.Thread(target=ask, args=(path,)) for path in reversed(pages)]
        for visitor in visitors:
            visitor.start()
        for visitor in visitors:
            visitor.join(timeout=120)
        assert statuses == dict.fromkeys(pages, 200)
        assert client.portal is not None
        client.portal.call(asyncio.wait_for, app.state.prerendering, 120)
        cache = app.state.reference_responses.responses
        assert cache.renders == len(pages)  # visitor or prerender, whoever came first; never both
        assert not app.state.reference_responses.demand.asked("/")  # nothing is counted once it is done
    app.state.engine.dispose()


def test_demand_counts_visitors_of_watched_pages_only() -> None:
    demand = Demand()
    demand.count(_visitor("/models"))  # not watching yet
    demand.watch(["/", "/models", "/variants"])
    for path in ("/models", "/models", "/variants", "/threads"):
        demand.count(_visitor(path))
    demand.count({**_visitor("/variants"), PRERENDER_SCOPE_KEY: True})  # the prerender's own request
    assert [demand.asked(p) for p in ("/", "/models", "/variants", "/threads")] == [0, 2, 1, 0]
    assert demand.most_asked(["/", "/variants", "/models"]) == "/models"
    assert demand.most_asked(["/", "/variants"]) == "/variants"
    assert demand.most_asked(["/variants", "/"]) == "/variants"
    demand.stop()
    demand.count(_visitor("/"))
    assert demand.most_asked(["/variants", "/"]) == "/variants"  # nobody counted: the listed order


def _visitor(path: str) -> dict[str, Any]:
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"localhost"), (b"accept", b"text/html")],
        "client": ("127.0.0.9", 0), "server": ("localhost", 80),
    }


async def _discard(message: Any) -> None:
    return None
