"""The one response cache of the service: serialized bodies in an LRU bounded by entries and bytes.

The reference-data responses (app/http/reference_cache.py, emptied when the dataset revision changes) and
the computed curve bodies (app/http/caching.py, which never go stale) keep the same records in it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CachedResponse:
    body: bytes
    media_type: str
    etag: str
    headers: tuple[tuple[str, str], ...] = ()


class ResponseCache:
    """LRU of serialized responses, bounded in entries and in bytes; counts its hits and misses."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._entries: OrderedDict[tuple[Any, ...], CachedResponse] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[Any, ...]) -> CachedResponse | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry

    def put(self, key: tuple[Any, ...], entry: CachedResponse) -> None:
        size = len(entry.body)
        if self.max_entries <= 0 or size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._entries[key] = entry
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= len(dropped.body)

    def info(self) -> dict[str, int]:
        with self._lock:
            return {"entries": len(self._entries), "bytes": self._bytes, "hits": self.hits, "misses": self.misses}

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0
