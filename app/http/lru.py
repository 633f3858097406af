"""The one response cache of the service: serialized bodies in an LRU bounded by entries and bytes.

The reference-data responses (app/http/reference_cache.py, emptied when the dataset revision changes) and
the computed curve bodies (app/http/caching.py, which never go stale) keep the same records in it.

A miss renders once however many requests miss the same key at the same moment (single flight): the
first starts the render in the :class:`RenderPool`, the others await that render and share its result.
Thirty cold requests for one chart used to draw it thirty times, one after the other, under matplotlib's
global lock.

/metrics reads every cache of the process here (:func:`cache_metrics`): the application's, by the names
``create_app`` gives them, and the caches kept in modules (app/cache_memory.py), with the process's total and
the one bound they share.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from prometheus_client.core import GaugeMetricFamily, Metric

from app import cache_memory, memory_release


@dataclass(frozen=True)
class CachedResponse:
    body: bytes
    media_type: str
    etag: str
    headers: tuple[tuple[str, str], ...] = ()


#: What one cached entry costs beyond its strings: the record, the tuple key, the dict slot (measured
#: with sys.getsizeof on CPython 3.11: about 400 bytes for a typical key and record).
ENTRY_OVERHEAD_BYTES = 512


def entry_size(key: tuple[Any, ...], entry: CachedResponse) -> int:
    """The bytes an entry holds: body, ETag, media type, headers and key, plus the fixed overhead."""
    headers = sum(len(name) + len(value) for name, value in entry.headers)
    return len(entry.body) + len(entry.etag) + len(entry.media_type) + headers + len(repr(key)) + ENTRY_OVERHEAD_BYTES


class ByteBudget:
    """One bound, in bytes, on every response cache of a process together (ACTLAB_RESPONSE_CACHE_MAX_BYTES)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.used = 0
        self.lock = threading.Lock()


class ResponseCache:
    """LRU of serialized responses, bounded in entries and in bytes (its own bound, and the process's
    :class:`ByteBudget` shared with the other caches); counts its hits and misses."""

    def __init__(self, max_entries: int, max_bytes: int, budget: ByteBudget | None = None) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.budget = budget or ByteBudget(max_bytes)
        self._entries: OrderedDict[tuple[Any, ...], tuple[CachedResponse, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self._inflight: dict[tuple[Any, ...], asyncio.Future[CachedResponse]] = {}
        self.renders = 0  # renders started by get_or_render (misses that did not find one in flight)

    def get(self, key: tuple[Any, ...]) -> CachedResponse | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found[0]

    def put(self, key: tuple[Any, ...], entry: CachedResponse) -> None:
        """Keep ``entry``, evicting the least recently used entries of this cache while this cache or the
        process's budget is over its bound; an entry that cannot fit is not kept."""
        size = entry_size(key, entry)
        if self.max_entries <= 0 or size > self.max_bytes or size > self.budget.max_bytes:
            return
        evicted = 0
        with self._lock, self.budget.lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._forget(old[1])
            self._entries[key] = (entry, size)
            self._bytes += size
            self.budget.used += size
            while self._entries and (
                len(self._entries) > self.max_entries
                or self._bytes > self.max_bytes
                or self.budget.used > self.budget.max_bytes
            ):
                _, (_, dropped) = self._entries.popitem(last=False)
                self._forget(dropped)
                evicted += dropped
        memory_release.released(evicted)  # the freed heap pages go back to the system (in the background)

    def _forget(self, size: int) -> None:
        self._bytes -= size
        self.budget.used -= size

    async def get_or_render(
        self, key: tuple[Any, ...], render: Callable[[], CachedResponse], pool: RenderPool
    ) -> tuple[CachedResponse, bool]:
        """The entry for ``key`` and whether it was a hit; on a miss ``render`` runs once in ``pool`` for every
        request that misses ``key`` meanwhile. A cancelled request (a client gone) cancels nobody else's wait."""
        entry = self.get(key)
        if entry is not None:
            return entry, True
        pending = self._inflight.get(key)
        if pending is None or pending.get_loop() is not asyncio.get_running_loop():
            self.renders += 1
            pending = asyncio.ensure_future(pool.run(render))
            self._inflight[key] = pending
            pending.add_done_callback(lambda done: self._settle(key, done))
        return await asyncio.shield(pending), False

    def _settle(self, key: tuple[Any, ...], done: asyncio.Future[CachedResponse]) -> None:
        if self._inflight.get(key) is done:
            del self._inflight[key]
        if not done.cancelled() and done.exception() is None:  # an error reaches every waiter, uncached
            self.put(key, done.result())

    def info(self) -> dict[str, int]:
        with self._lock:
            return {"entries": len(self._entries), "bytes": self._bytes, "hits": self.hits, "misses": self.misses}

    def clear(self) -> None:
        with self._lock, self.budget.lock:
            self._entries.clear()
            self.budget.used -= self._bytes
            dropped, self._bytes = self._bytes, 0
        memory_release.released(dropped)


class RenderPool:
    """The few threads that render pages and charts, so a burst of misses queues here instead of taking
    every request thread (charts serialize on matplotlib's lock anyway)."""

    def __init__(self, threads: int) -> None:
        self._threads = threads
        self._executor: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()

    async def run(self, render: Callable[[], CachedResponse]) -> CachedResponse:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=self._threads, thread_name_prefix="render")
            executor = self._executor
        return await asyncio.get_running_loop().run_in_executor(executor, render)

    def close(self) -> None:
        """Stop the threads (at shutdown); a later render starts new ones."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=False, cancel_futures=True)


class SizedCache(Protocol):
    """What /metrics reads of a cache: a :class:`ResponseCache`, or the computed arrays (app/activations/lab.py)."""

    def info(self) -> dict[str, int]: ...


#: The label of the bytes counted in the budget by caches that no name on /metrics covers.
UNNAMED_CACHE = "other"


def cache_figures(caches: dict[str, SizedCache], budget: ByteBudget) -> dict[str, dict[str, int]]:
    """Bytes and entries of every cache of the process, by name: those the application names in ``caches``
    (all counted in ``budget``), the module caches (app/cache_memory.py) and, under ``other``, what else
    counts in ``budget``; their bytes together are the process's cache total."""
    named = {name: cache.info() for name, cache in caches.items()}
    modules = cache_memory.figures()
    with budget.lock:
        used = budget.used
    attributed = sum(f["bytes"] for f in named.values()) + sum(f["bytes"] for f in modules.values() if f["budgeted"])
    out = named | modules
    if used > attributed:
        out[UNNAMED_CACHE] = {"bytes": used - attributed, "entries": 0}
    return out


def cache_metrics(caches: dict[str, SizedCache], budget: ByteBudget) -> Callable[[], Iterable[Metric]]:
    """The scrape-time callback for the caches' sizes (``Metrics.add_collector``).

    The module caches count in ``budget`` from here on (:func:`app.cache_memory.adopt`): the application whose
    /metrics reports them is the one whose budget bounds them."""
    cache_memory.adopt(budget)

    def collect() -> Iterable[Metric]:
        figures = cache_figures(caches, budget)
        size = GaugeMetricFamily("actlab_response_cache_bytes", "Bytes held by a cache of this process", labels=[
            "cache"])
        entries = GaugeMetricFamily("actlab_response_cache_entries", "Entries of a cache of this process", labels=[
            "cache"])
        for name, info in figures.items():
            size.add_metric([name], float(info["bytes"]))
            entries.add_metric([name], float(info["entries"]))
        yield size
        yield entries
        yield GaugeMetricFamily(
            "actlab_response_cache_total_bytes",
            "Bytes held by all caches of this process together (the sum over actlab_response_cache_bytes)",
            value=float(sum(info["bytes"] for info in figures.values())),
        )
        yield GaugeMetricFamily(
            "actlab_response_cache_budget_bytes",
            "Bytes all caches of this process may hold together (ACTLAB_RESPONSE_CACHE_MAX_BYTES)",
            value=float(budget.max_bytes),
        )

    return collect
