"""The caches that live in modules rather than in an application, counted in bytes in the process's one budget.

An application creates its own caches (the response caches and the computed arrays, handed to /metrics by
``create_app``). Some caches are module globals instead, one per process however many applications it runs:
the chart SVGs of post attachments, for instance, drawn deep below any request. Such a cache is a
:class:`~app.activations.memo.SizedLRU` registered here by name (:func:`process_cache`, or :func:`memoized` to
replace ``functools.lru_cache``); every entry is measured in bytes, and once an application adopts the module
caches (:func:`adopt`, done where its budget is reported on /metrics) they count in that application's byte
budget (``ACTLAB_RESPONSE_CACHE_MAX_BYTES``) and are evicted by the same policy as the response caches: least
recently used first, within the cache that grows past the bound. Before any application adopts them (a CLI
command, a test of one module) they count in a budget of the setting's default size.

A cache that bounds itself some other way may still be counted: :func:`register` takes a ``bytes_used``
callable, and its figure goes on /metrics and into the process total (outside the budget's eviction).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Hashable
from typing import ParamSpec, TypeVar

from app import memory_release
from app.activations.memo import Budget, MemoryBudget, SizedLRU
from app.settings_http import ServiceSettings

P = ParamSpec("P")
V = TypeVar("V")

#: Where the module caches count until an application adopts them: the setting's default size.
DEFAULT_MAX_BYTES: int = int(ServiceSettings.model_fields["response_cache_max_bytes"].default)


class _Counted:
    """A registered cache that is not a :class:`SizedLRU`: its own ``bytes_used`` and ``entries`` callables."""

    def __init__(self, bytes_used: Callable[[], int], entries: Callable[[], int] | None) -> None:
        self._bytes_used = bytes_used
        self._entries = entries

    def info(self) -> dict[str, int]:
        return {"bytes": int(self._bytes_used()), "entries": int(self._entries()) if self._entries else 0}


_lock = threading.Lock()
_budgeted: dict[str, SizedLRU[Hashable, object]] = {}
_counted: dict[str, _Counted] = {}
_budget: Budget = MemoryBudget(DEFAULT_MAX_BYTES)


def process_cache(name: str, max_entries: int) -> SizedLRU[Hashable, object]:
    """The module cache ``name`` (created on first call): at most ``max_entries`` entries, its bytes in the
    process's budget. Registering a name twice returns the same cache (a module imported again)."""
    with _lock:
        cache = _budgeted.get(name)
        if cache is None:
            cache = _budgeted[name] = SizedLRU(max_entries, _budget.max_bytes, (_budget,))
        return cache


def memoized(name: str, max_entries: int) -> Callable[[Callable[P, V]], Callable[P, V]]:
    """``functools.lru_cache`` for a function whose results are large (rendered strings, arrays): the same
    memoization by arguments (hashable, as for ``lru_cache``), in the module cache ``name``; the wrapper's
    ``cache_clear()`` empties it."""
    cache = process_cache(name, max_entries)

    def decorate(fn: Callable[P, V]) -> Callable[P, V]:
        @functools.wraps(fn)
        def call(*args: P.args, **kwargs: P.kwargs) -> V:
            key = (args, tuple(sorted(kwargs.items()))) if kwargs else args
            return cache.get_or_compute(key, lambda _: fn(*args, **kwargs))  # type: ignore[return-value]

        call.cache_clear = cache.clear  # type: ignore[attr-defined]
        call.cache = cache  # type: ignore[attr-defined]
        return call

    return decorate


def register(name: str, bytes_used: Callable[[], int], entries: Callable[[], int] | None = None) -> None:
    """Count a cache that bounds itself: its ``bytes_used()`` goes on /metrics under ``name`` and into the
    process's total (a name registered again replaces the earlier callable)."""
    with _lock:
        _counted[name] = _Counted(bytes_used, entries)


def unregister(name: str) -> None:
    """Stop counting the cache ``name`` (a module cache's entries are dropped from its budget first)."""
    with _lock:
        cache = _budgeted.pop(name, None)
        _counted.pop(name, None)
    if cache is not None:
        cache.clear()


def adopt(budget: Budget) -> None:
    """Count the module caches in ``budget`` from now on (the application whose /metrics reports them); their
    entries so far are dropped, since they were counted in the previous budget."""
    global _budget
    memory_release.map_large_allocations()  # a process that serves caches: large blocks freed go straight back
    with _lock:
        _budget = budget
        for cache in _budgeted.values():
            cache.rebind(budget.max_bytes, (budget,))


def budget() -> Budget:
    """The budget the module caches count in now."""
    return _budget


def figures() -> dict[str, dict[str, int]]:
    """Bytes and entries of every registered module cache, by name; ``budgeted`` is 1 for those that count in
    the process's budget (their bytes are part of its ``used``)."""
    with _lock:
        budgeted, counted = list(_budgeted.items()), list(_counted.items())
    out = {name: {**cache.info(), "budgeted": 1} for name, cache in budgeted}
    out.update({name: {**cache.info(), "budgeted": 0} for name, cache in counted})
    return out
