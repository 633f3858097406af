"""Cache memory is counted per process and bounded by one setting in bytes, ACTLAB_RESPONSE_CACHE_MAX_BYTES:
/metrics reports every cache's bytes (``actlab_response_cache_bytes{cache}``), the process's total
(``actlab_response_cache_total_bytes``, their sum, never over the bound) and the bound itself; the chart SVGs
attached to posts are among the caches counted."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from app import cache_memory, memory_release
from app.activations.memo import MemoryBudget, SizedLRU
from app.config import Settings
from app.plots.attachments import curve_svg
from app.threads import NewPost, add_post, create_thread
from tests.conftest import open_client, sqlite_settings

HTML = {"Accept": "text/html"}
LIMIT = 3_000_000
FUNCTIONS = ["gelu", "silu", "tanh", "softplus"]


def scrape(client: TestClient) -> tuple[dict[str, float], float, float]:
    """(bytes per cache, the process total, the bound) as /metrics exposes them."""
    per_cache: dict[str, float] = {}
    total = limit = float("nan")
    for line in client.get("/metrics").text.splitlines():
        if line.startswith('actlab_response_cache_bytes{cache="'):
            per_cache[line.split('"', 2)[1]] = float(line.rsplit(" ", 1)[1])
        elif line.startswith("actlab_response_cache_total_bytes "):
            total = float(line.rsplit(" ", 1)[1])
        elif line.startswith("actlab_response_cache_budget_bytes "):
            limit = float(line.rsplit(" ", 1)[1])
    return per_cache, total, limit


def threads_with_charts(app: FastAPI, settings: Settings, threads: int, charts: int) -> list[int]:
    """Threads whose service posts each carry a distinct curve chart (as answers attach them)."""
    ids = []
    with app.state.session_factory() as session:
        for t in range(threads):
            thread, _ = create_thread(session, settings, f"Charts {t}", NewPost(body=f"Thread {t} of charts."))
            for c in range(charts):
                chart = {"kind": "curve", "functions": ["gelu", "silu"], "xmin": -4.0 - t - c / 10, "xmax": 4.0}
                add_post(session, settings, thread.id, NewPost(body=f"Chart {c}.", author_kind="service",
                                                               attachments=(chart,)))
            ids.append(thread.id)
        session.commit()
    return ids


def test_every_cache_filled_past_the_bound_keeps_the_process_total_under_it(db_path: Path) -> None:
    # The curve bodies may take at most half the bound (as the defaults do: 256 MiB of 512 MiB), so that what
    # the other caches keep is not squeezed out by the first cache to fill the budget.
    settings = sqlite_settings(db_path, response_cache_max_bytes=LIMIT, curve_cache_max_bytes=LIMIT // 2)
    with open_client(settings) as client:
        thread_ids = threads_with_charts(client.app, settings, threads=3, charts=8)  # type: ignore[arg-type]
        seen: set[str] = set()
        for round_ in range(3):
            for path in ("/api/v1/papers", "/api/v1/models", "/variants", "/activations", "/api/v1/activations"):
                assert client.get(path, params={"round": round_}).status_code == 200
            for tid in thread_ids:
                assert client.get(f"/threads/{tid}", headers=HTML, params={"round": round_}).status_code == 200
            for i in range(12):  # ~250 kB of arrays and ~0.5 MB of JSON each: the bound is passed every round
                params = {"fn": FUNCTIONS, "points": 4001, "xmin": -6 - round_ - i / 100, "dtype": "bfloat16"}
                assert client.get("/api/v1/curves", params=params).status_code == 200
            per_cache, total, limit = scrape(client)
            assert limit == LIMIT
            assert total == sum(per_cache.values()) <= LIMIT, per_cache
            assert per_cache["computed"] <= LIMIT // 4
            seen |= {name for name, size in per_cache.items() if size > 0}
        assert {"reference", "curves", "computed", "attachments", "threads"} <= seen, seen
        assert "other" not in seen, "every byte in the budget is named on /metrics"
        assert client.app.state.activations.responses.info()["bytes"] <= LIMIT // 2  # type: ignore[attr-defined]


def test_the_attachment_charts_are_counted_in_bytes_in_the_budget(db_path: Path) -> None:
    settings = sqlite_settings(db_path, response_cache_max_bytes=20_000_000)
    with open_client(settings) as client:
        budget = client.app.state.activations.responses.budget  # type: ignore[attr-defined]
        (tid,) = threads_with_charts(client.app, settings, threads=1, charts=5)  # type: ignore[arg-type]
        page = client.get(f"/threads/{tid}", headers=HTML)
        assert page.status_code == 200 and page.text.count("<svg") >= 5
        charts = [curve_svg(("gelu", "silu"), -4.0 - c / 10, 4.0, None) for c in range(5)]  # hits: the kept SVGs
        held = sum(sys.getsizeof(svg) for svg in charts)
        per_cache, total, _ = scrape(client)
        assert held < per_cache["attachments"] < held + 5 * 2_000  # each SVG's bytes, its key and a small overhead
        assert budget.used >= per_cache["attachments"] and total == sum(per_cache.values())
        assert curve_svg.cache.info()["entries"] == 5  # type: ignore[attr-defined]


def test_the_attachment_charts_are_evicted_to_fit_the_budget(db_path: Path) -> None:
    settings = sqlite_settings(db_path, response_cache_max_bytes=400_000)  # room for a handful of charts
    with open_client(settings) as client:
        (tid,) = threads_with_charts(client.app, settings, threads=1, charts=20)  # type: ignore[arg-type]
        assert client.get(f"/threads/{tid}", headers=HTML).status_code == 200
        per_cache, total, limit = scrape(client)
        kept = curve_svg.cache.info()  # type: ignore[attr-defined]
        assert 0 < kept["entries"] < 20 and 0 < per_cache["attachments"] == kept["bytes"]
        assert total == sum(per_cache.values()) <= limit == 400_000


def test_a_module_cache_counts_in_the_budget_that_adopts_it_and_starts_empty_there() -> None:
    cache = cache_memory.process_cache("test-arrays", 100)
    first, second = MemoryBudget(50_000), MemoryBudget(30_000)
    try:
        cache_memory.adopt(first)
        for i in range(40):
            cache.put(i, np.zeros(500))  # 4 kB each: the budget keeps the latest few
            assert first.used == cache.info()["bytes"] <= 50_000
        assert 0 < cache.info()["entries"] < 40
        cache_memory.adopt(second)  # another application's budget: the entries counted in the first one go
        assert first.used == 0 and cache.info()["entries"] == 0
        cache.put("x", np.zeros(10))
        assert second.used == cache.info()["bytes"] > 80
        cache_memory.register("test-counted", lambda: 1234, lambda: 2)
        figures = cache_memory.figures()
        assert figures["test-counted"] == {"bytes": 1234, "entries": 2, "budgeted": 0}
        assert figures["test-arrays"]["budgeted"] == 1
    finally:
        cache_memory.unregister("test-arrays")
        cache_memory.unregister("test-counted")
    assert second.used == 0 and "test-arrays" not in cache_memory.figures()


def test_evicted_entries_give_their_heap_pages_back_to_the_system() -> None:
    """glibc keeps freed memory in its heaps; past a few megabytes of evicted entries the caches trim them."""
    budget = MemoryBudget(memory_release.TRIM_AFTER_BYTES)
    cache: SizedLRU[int, np.ndarray] = SizedLRU(1_000, 10**12, (budget,))
    before = memory_release.trims()
    for i in range(24):  # 2 MB each: 48 MB put, three times the budget, so most are evicted
        cache.put(i, np.ones(250_000))
    assert budget.used <= budget.max_bytes
    deadline = time.monotonic() + 60
    while memory_release.trims() == before:  # the trim runs in its own thread
        assert time.monotonic() < deadline, "no trim after the evictions"
        time.sleep(0.05)


def test_the_cache_figures_are_prometheus_gauges(db_path: Path) -> None:
    with open_client(sqlite_settings(db_path, response_cache_max_bytes=5_000_000)) as client:
        assert client.get("/api/v1/curves", params={"fn": FUNCTIONS, "points": 1001}).status_code == 200
        families = {f.name: f for f in text_string_to_metric_families(client.get("/metrics").text)}
    per_cache, total, budget = (families[name] for name in (
        "actlab_response_cache_bytes", "actlab_response_cache_total_bytes", "actlab_response_cache_budget_bytes"))
    assert {per_cache.type, total.type, budget.type} == {"gauge"}
    by_label = {s.labels["cache"]: s.value for s in per_cache.samples}
    assert {"reference", "curves", "computed", "attachments"} <= set(by_label) and by_label["curves"] > 0
    assert total.samples[0].value == sum(by_label.values()) <= budget.samples[0].value == 5_000_000


def test_a_process_serving_caches_maps_its_large_allocations_on_their_own(db_path: Path) -> None:
    """Blocks of a megabyte or more (curve arrays, bodies) go back to the system when freed, not into the heaps."""
    with open_client(sqlite_settings(db_path)):
        assert memory_release.map_large_allocations()
