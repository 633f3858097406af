"""Hand the heap pages that evicted cache entries leave behind back to the operating system (glibc's
``malloc_trim``).

A cache bounded in bytes frees its oldest entries, but glibc keeps most freed memory in its heaps: 400 distinct
maximal curve requests left the API process 300–370 MB above its start plus its cache bytes
(benchmarks/RESULTS.md, "Cache memory after 400 maximal curve requests"), and it stayed there.
``malloc_trim(0)`` returns every free page of every arena. It walks every heap, so it runs in one background
thread, at most once per :data:`MIN_INTERVAL_SECONDS`, once :data:`TRIM_AFTER_BYTES` of entries have
been evicted since the last trim; never on the event loop or under a cache's lock.

A process that serves caches (:func:`map_large_allocations`, called when an application adopts the module
caches) also has glibc give every allocation of :data:`MMAP_THRESHOLD_BYTES` or more its own mapping, returned
to the system as soon as it is freed: the arrays and bodies of large curves then never sit in the heaps at all.
Together the two left the process 13–20 MB above its start plus its cache bytes after those 400 requests, the
trims alone 59–114 MB; the requests took 49–50 s against 44–45 s without either (a shared machine). Where the
C library has neither function (musl, macOS), both do nothing.

A process that trains wants the opposite (:func:`keep_large_allocations`, called by the training pool's
processes): each step frees and allocates the same tensors again, so they should stay in the heap. With glibc's
moving thresholds a 12-run step of the default comparison page-faulted ~6,300 times (25 MB of pages touched
anew per step); kept, a step faults only while the heap still grows to its high-water mark, a few times at the
start of training (tests/experiments/test_trainer_memory.py).
"""

from __future__ import annotations

import ctypes
import os
import threading
import time
from collections.abc import Callable

#: Evicted bytes after which a trim is worth its walk over the heaps (a maximal curve's arrays are ~14 MB).
TRIM_AFTER_BYTES = 16 * 1024 * 1024
#: Trims are at least this far apart, however fast entries are evicted.
MIN_INTERVAL_SECONDS = 1.0


#: Allocations of this size or more get a mapping of their own (glibc's M_MMAP_THRESHOLD; its default moves
#: up to 32 MiB as large blocks are freed, which is what leaves them in the heaps).
MMAP_THRESHOLD_BYTES = 1024 * 1024
_M_MMAP_THRESHOLD = -3  # from glibc's malloc.h


def _libc_function(name: str) -> Callable[..., int] | None:
    try:
        function: Callable[..., int] = getattr(ctypes.CDLL(None), name)  # the C library the process already runs
    except (OSError, AttributeError):
        return None
    return function


def _malloc_trim() -> Callable[[int], int] | None:
    return _libc_function("malloc_trim")


_mapped = False


def map_large_allocations() -> bool:
    """From now on, allocations of :data:`MMAP_THRESHOLD_BYTES` or more are mapped on their own (once per process;
    an operator's ``MALLOC_MMAP_THRESHOLD_`` stands). Whether the C library took the setting."""
    global _mapped
    if _mapped or "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return _mapped
    mallopt = _libc_function("mallopt")
    _mapped = bool(mallopt is not None and mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1)
    return _mapped


#: A training process keeps its freed blocks in the heap up to this size: glibc's largest mmap threshold
#: (``HEAP_MAX_SIZE / 2`` on 64-bit), so no tensor of a step is mapped and unmapped anew.
KEEP_MMAP_THRESHOLD_BYTES = 32 * 1024 * 1024
#: ... and does not hand the heap's top back to the system until this much of it is free.
KEEP_TRIM_THRESHOLD_BYTES = 1024 * 1024 * 1024
_M_TRIM_THRESHOLD = -1  # from glibc's malloc.h


def keep_large_allocations() -> bool:
    """The opposite of :func:`map_large_allocations`, for a process that trains: every step frees and
    allocates the same few-megabyte tensors again, and with glibc's moving thresholds some of them are
    mapped afresh or the heap's top is trimmed and touched again each step — thousands of page faults per
    step, measured in whole percent of a training step. An operator's ``MALLOC_MMAP_THRESHOLD_`` or
    ``MALLOC_TRIM_THRESHOLD_`` stands. Whether the C library took both settings."""
    if "MALLOC_MMAP_THRESHOLD_" in os.environ or "MALLOC_TRIM_THRESHOLD_" in os.environ:
        return False
    mallopt = _libc_function("mallopt")
    if mallopt is None:
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, KEEP_MMAP_THRESHOLD_BYTES) == 1
                and mallopt(_M_TRIM_THRESHOLD, KEEP_TRIM_THRESHOLD_BYTES) == 1)


class Trimmer:
    """Counts evicted bytes and, past :data:`TRIM_AFTER_BYTES`, wakes its thread to trim the heaps."""

    def __init__(self, trim: Callable[[int], int] | None) -> None:
        self._trim = trim
        self._pending = 0
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.trims = 0

    def released(self, nbytes: int) -> None:
        """``nbytes`` of cache entries were just dropped."""
        if self._trim is None or nbytes <= 0:
            return
        with self._lock:
            self._pending += nbytes
            if self._pending < TRIM_AFTER_BYTES:
                return
            self._pending = 0
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="malloc-trim", daemon=True)
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        assert self._trim is not None
        while True:
            self._wake.wait()
            self._wake.clear()
            self._trim(0)
            self.trims += 1
            time.sleep(MIN_INTERVAL_SECONDS)


_trimmer = Trimmer(_malloc_trim())


def released(nbytes: int) -> None:
    """Note that a cache dropped ``nbytes`` of entries (evicted or cleared); cheap, never blocks on a trim."""
    _trimmer.released(nbytes)


def trims() -> int:
    """How many trims this process has run (for tests and the benchmark)."""
    return _trimmer.trims
