"""An LRU of computed results bounded by entries and by the bytes of the arrays they hold.

A maximal curve (8 functions, 100,001 points, a 16-bit dtype: values, rounding errors and both grids) holds
about 14 MB of float64 arrays; a cache bounded by entries alone held 32 of them per computation, outside the
process's byte budget for cached responses, and 400 distinct maximal requests grew the process by a gigabyte.
Here every entry is measured (:func:`result_bytes`) and counted against the cache's own bound and any number of
shared :class:`Budget` objects (the process's response-cache budget satisfies the protocol). The caches kept in
modules rather than in an application are SizedLRUs too (app/cache_memory.py); what an eviction frees is handed
back to the system in the background (app/memory_release.py).
"""

from __future__ import annotations

import dataclasses
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, Protocol, TypeVar

import numpy as np

from app import memory_release

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

#: What an entry costs beyond its arrays and numbers: the dataclass records, the key, the dict slot.
ENTRY_OVERHEAD_BYTES = 1024


class Budget(Protocol):
    """Bytes that several caches share: ``used`` never exceeds ``max_bytes`` once a cache has put an entry."""

    max_bytes: int
    used: int
    lock: threading.Lock


@dataclasses.dataclass
class MemoryBudget:
    """A :class:`Budget` of its own (the share of the process budget that the computed results may hold)."""

    max_bytes: int
    used: int = 0
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)


def result_bytes(value: Any) -> int:
    """The bytes ``value`` keeps alive: every numpy array's buffer (its base's, for a view) and the small
    objects around them, walking dataclasses, tuples, lists and dicts."""
    if isinstance(value, np.ndarray):
        base = value.base if isinstance(value.base, np.ndarray) else value
        return int(base.nbytes) + 112
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sys.getsizeof(value) + sum(result_bytes(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, tuple | list):
        return sys.getsizeof(value) + sum(result_bytes(v) for v in value)
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(result_bytes(k) + result_bytes(v) for k, v in value.items())
    return sys.getsizeof(value)


class SizedLRU(Generic[K, V]):
    """``get_or_compute`` memoizes a function in an LRU bounded by ``max_entries``, ``max_bytes`` and every
    shared budget; a result larger than a bound is returned but not kept. Thread-safe (request threads share it);
    two threads missing the same key at once both compute (the response cache above single-flights renders)."""

    def __init__(self, max_entries: int, max_bytes: int, budgets: tuple[Budget, ...] = ()) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.budgets = budgets
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get_or_compute(self, key: K, compute: Callable[[K], V]) -> V:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return found[0]
            self.misses += 1
        value = compute(key)
        self.put(key, value)
        return value

    def put(self, key: K, value: V) -> None:
        size = result_bytes(value) + result_bytes(key) + ENTRY_OVERHEAD_BYTES
        if self.max_entries <= 0 or size > self.max_bytes or any(size > b.max_bytes for b in self.budgets):
            return
        evicted = 0
        with self._lock:
            for budget in self.budgets:
                budget.lock.acquire()
            try:
                old = self._entries.pop(key, None)
                if old is not None:
                    self._forget(old[1])
                self._entries[key] = (value, size)
                self._bytes += size
                for budget in self.budgets:
                    budget.used += size
                while self._entries and (
                    len(self._entries) > self.max_entries
                    or self._bytes > self.max_bytes
                    or any(b.used > b.max_bytes for b in self.budgets)
                ):
                    _, (_, dropped) = self._entries.popitem(last=False)
                    self._forget(dropped)
                    evicted += dropped
            finally:
                for budget in reversed(self.budgets):
                    budget.lock.release()
        memory_release.released(evicted)  # the freed heap pages go back to the system (in the background)

    def _forget(self, size: int) -> None:
        self._bytes -= size
        for budget in self.budgets:
            budget.used -= size

    def info(self) -> dict[str, int]:
        """Hits, misses, entries (``currsize``, as functools names it), the bound on entries and the bytes held."""
        with self._lock:
            return {
                "hits": self.hits,
                "misses": self.misses,
                "maxsize": self.max_entries,
                "currsize": len(self._entries),
                "entries": len(self._entries),
                "bytes": self._bytes,
            }

    def clear(self) -> None:
        with self._lock:
            self._drop_all()

    def rebind(self, max_bytes: int, budgets: tuple[Budget, ...]) -> None:
        """Count in ``budgets`` (and at most ``max_bytes`` of its own) from now on; the entries kept so far were
        counted in the previous budgets, so they are dropped (a module cache adopted by an application)."""
        with self._lock:
            self._drop_all()
            self.max_bytes = max_bytes
            self.budgets = budgets

    def _drop_all(self) -> None:
        for budget in self.budgets:
            with budget.lock:
                budget.used -= self._bytes
        self._entries.clear()
        memory_release.released(self._bytes)
        self._bytes = 0
