"""A cache miss renders once: concurrent misses for one key share one render (and its error), a client
that leaves cancels nobody else's wait, and a started process has its reference pages drawn already."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.http.lru import CachedResponse, RenderPool, ResponseCache
from app.main import create_app
from tests.conftest import sqlite_settings


class Renderer:
    """A slow render that counts its calls (each call runs in a render thread)."""

    def __init__(self, fail: bool = False) -> None:
        self.calls = 0
        self.fail = fail
        self.lock = threading.Lock()

    def __call__(self) -> CachedResponse:
        with self.lock:
            self.calls += 1
        time.sleep(0.1)
        if self.fail:
            raise ValueError("render failed")
        return CachedResponse(b"<svg/>", "image/svg+xml", '"e"')


def test_concurrent_misses_for_one_key_call_the_renderer_once() -> None:
    cache, pool, render = ResponseCache(100, 10_000), RenderPool(2), Renderer()

    async def scenario() -> list[tuple[CachedResponse, bool]]:
        return await asyncio.gather(*(cache.get_or_render(("chart",), render, pool) for _ in range(30)))

    answers = asyncio.run(scenario())
    assert render.calls == 1
    assert {entry for entry, _ in answers} == {answers[0][0]} and not any(hit for _, hit in answers)
    assert asyncio.run(cache.get_or_render(("chart",), render, pool))[1] is True and render.calls == 1
    pool.close()


def test_a_failed_render_reaches_every_waiter_and_is_not_cached() -> None:
    cache, pool, render = ResponseCache(100, 10_000), RenderPool(2), Renderer(fail=True)

    async def scenario() -> list[object]:
        return await asyncio.gather(
            *(cache.get_or_render(("chart",), render, pool) for _ in range(10)), return_exceptions=True
        )

    assert all(isinstance(a, ValueError) for a in asyncio.run(scenario())) and render.calls == 1
    with pytest.raises(ValueError):
        asyncio.run(cache.get_or_render(("chart",), render, pool))
    assert render.calls == 2 and cache.info()["entries"] == 0
    pool.close()


def test_a_cancelled_request_does_not_cancel_the_others_waiting_for_the_render() -> None:
    cache, pool, render = ResponseCache(100, 10_000), RenderPool(1), Renderer()

    async def scenario() -> tuple[CachedResponse, bool]:
        first = asyncio.create_task(cache.get_or_render(("chart",), render, pool))
        await asyncio.sleep(0.02)
        second = asyncio.create_task(cache.get_or_render(("chart",), render, pool))
        await asyncio.sleep(0.02)
        first.cancel()
        return await second

    entry, _ = asyncio.run(scenario())
    assert entry.body == b"<svg/>" and render.calls == 1 and cache.info()["entries"] == 1
    pool.close()


def test_the_reference_pages_are_drawn_at_start_in_the_background(db_path: Path) -> None:
    app = create_app(sqlite_settings(db_path, prerender_at_start=True))
    with TestClient(app) as client:
        assert client.get("/readyz").status_code == 200  # readiness does not wait for the pre-rendering
        client.portal.call(asyncio.wait_for, app.state.prerendering, 120)
        cache = app.state.reference_responses
        entries, renders = cache._entries.info()["entries"], cache._entries.renders
        assert entries >= 6
        for path in ("/", "/variants", "/models", "/papers/glu-variants-2020"):
            assert client.get(path).status_code == 200
        assert cache._entries.renders == renders  # every one was already drawn
    app.state.engine.dispose()
