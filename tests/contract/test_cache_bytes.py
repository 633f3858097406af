"""The response caches hold at most ACTLAB_RESPONSE_CACHE_MAX_BYTES together, counting each entry's
body, headers, key and overhead, and report their size on /metrics."""

from __future__ import annotations

from pathlib import Path

from app.http.lru import ByteBudget, CachedResponse, ResponseCache, entry_size
from tests.conftest import open_client, sqlite_settings


def body(n: int) -> CachedResponse:
    return CachedResponse(b"x" * n, "application/json", '"etag"', (("vary", "Accept"),))


def test_filling_past_the_bound_evicts_and_the_total_stays_under_it() -> None:
    budget = ByteBudget(100_000)
    reference, curves = ResponseCache(10_000, 10**12, budget), ResponseCache(10_000, 60_000, budget)
    for i in range(200):
        reference.put(("ref", i), body(900))
        curves.put(("curve", i), body(2_000))
        assert budget.used <= budget.max_bytes and curves.info()["bytes"] <= 60_000
        assert budget.used == reference.info()["bytes"] + curves.info()["bytes"]
    assert reference.get(("ref", 0)) is None and reference.get(("ref", 199)) is not None  # LRU evicted first
    assert curves.get(("curve", 199)) is not None
    assert budget.used > 0.8 * budget.max_bytes  # the bound is used, not left empty


def test_entry_sizes_count_more_than_the_body() -> None:
    entry = body(10)
    assert entry_size(("k",), entry) > len(entry.body) + 500
    budget = ByteBudget(2_000)
    cache = ResponseCache(1_000, 10**12, budget)
    for i in range(100):
        cache.put((i,), entry)  # ten-byte bodies, yet only a few fit
    assert cache.info()["entries"] < 5 and budget.used <= 2_000


def test_an_entry_larger_than_the_budget_is_not_kept_and_clear_gives_bytes_back() -> None:
    budget = ByteBudget(5_000)
    cache = ResponseCache(100, 10**12, budget)
    cache.put(("big",), body(10_000))
    assert cache.get(("big",)) is None and budget.used == 0
    cache.put(("small",), body(100))
    cache.clear()
    assert budget.used == 0


def test_cache_bytes_are_on_metrics(db_path: Path) -> None:
    with open_client(sqlite_settings(db_path, response_cache_max_bytes=1_000_000)) as client:
        assert client.get("/api/v1/papers").status_code == 200
        text = client.get("/metrics").text
        assert 'actlab_response_cache_bytes{cache="reference"}' in text
        assert "actlab_response_cache_budget_bytes 1e+06" in text
        reference = next(line for line in text.splitlines() if line.startswith('actlab_response_cache_bytes{cache="r'))
        assert 0 < float(reference.rsplit(" ", 1)[1]) <= 1_000_000
