"""JSON and CSV bodies that miss the cache are built in threads of their own: with every render thread busy
drawing charts, an uncached result page or curve still answers, and the charts still finish afterwards."""

from __future__ import annotations

import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import httpx

from app.http.lru import CachedResponse, RenderPool
from tests.conftest import open_client, sqlite_settings

UNCACHED_DATA = [
    "/api/v1/results?variant=FFN_GEGLU&limit=7&offset=3",
    "/api/v1/results?variant=FFN_GEGLU&limit=9&format=csv",
    "/api/v1/curves?fn=gelu&fn=silu&points=123",
    "/api/v1/curves?fn=gelu&points=321&format=csv",
]


def test_uncached_json_and_csv_answer_while_every_render_thread_draws(db_path: Path) -> None:
    with open_client(sqlite_settings(db_path, render_threads=2)) as client:
        pool: RenderPool = client.app.state.render_pool  # type: ignore[attr-defined]
        release = threading.Event()
        started = threading.Semaphore(0)

        def busy_chart() -> CachedResponse:
            started.release()
            release.wait(60)
            return CachedResponse(b"<svg/>", "image/svg+xml", '"x"')

        assert client.portal is not None
        charts: list[Future[Any]] = [client.portal.start_task_soon(pool.run, busy_chart) for _ in range(2)]
        asking: threading.Thread | None = None
        try:
            for _ in charts:
                assert started.acquire(timeout=30), "the render threads did not start"
            answers: dict[str, httpx.Response] = {}

            def ask() -> None:
                for path in UNCACHED_DATA:
                    answers[path] = client.get(path)

            asking = threading.Thread(target=ask)
            asking.start()
            asking.join(timeout=60)
            assert not asking.is_alive(), f"answered only {sorted(answers)} while the render threads were busy"
            assert {path: r.status_code for path, r in answers.items()} == dict.fromkeys(UNCACHED_DATA, 200)
            assert all(not c.done() for c in charts)  # the charts were still drawing all along
        finally:
            release.set()
            if asking is not None:
                asking.join(timeout=60)  # before the client closes
        assert [c.result(timeout=30).body for c in charts] == [b"<svg/>", b"<svg/>"]
        chart = client.get("/api/v1/curves?fn=gelu&points=123&format=svg")  # a real chart, in the render pool
        assert chart.status_code == 200 and chart.content.lstrip().startswith((b"<?xml", b"<svg"))
