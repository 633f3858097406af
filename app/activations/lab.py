"""The per-application cache of computed curves, errors and surfaces."""

from __future__ import annotations

import sys

from app.activations.approximation import ApproximationError, ErrorSpec, compute_error
from app.activations.curves import Curve, CurveSpec, compute_curve
from app.activations.memo import Budget, MemoryBudget, SizedLRU
from app.activations.surfaces import Surface, SurfaceSpec, compute_surface


class ActivationLab:
    """The computations behind LRU caches keyed by the (hashable, canonical) specs.

    One instance per application, its size from Settings. Each computation keeps at most ``cache_size``
    results, and the three together at most ``max_bytes`` of arrays, counted in ``budget`` too (the process's
    budget shared with the response caches) when one is given. Cached results hold read-only arrays, so a
    caller cannot change what the next caller gets.
    """

    def __init__(self, cache_size: int = 64, max_bytes: int = sys.maxsize, budget: Budget | None = None) -> None:
        self.cache_size = cache_size
        self.budget = MemoryBudget(max_bytes)
        budgets: tuple[Budget, ...] = (self.budget,) if budget is None else (self.budget, budget)
        self._curve: SizedLRU[CurveSpec, Curve] = SizedLRU(cache_size, max_bytes, budgets)
        self._error: SizedLRU[ErrorSpec, ApproximationError] = SizedLRU(cache_size, max_bytes, budgets)
        self._surface: SizedLRU[SurfaceSpec, Surface] = SizedLRU(cache_size, max_bytes, budgets)

    def curve(self, spec: CurveSpec) -> Curve:
        return self._curve.get_or_compute(spec, compute_curve)

    def error(self, spec: ErrorSpec) -> ApproximationError:
        return self._error.get_or_compute(spec, compute_error)

    def surface(self, spec: SurfaceSpec) -> Surface:
        return self._surface.get_or_compute(spec, compute_surface)

    def cache_info(self) -> dict[str, dict[str, int]]:
        """Hits, misses, entries and bytes per computation (for /metrics and the benchmark)."""
        return {"curve": self._curve.info(), "error": self._error.info(), "surface": self._surface.info()}

    def info(self) -> dict[str, int]:
        """Entries and bytes of the three together (the shape /metrics reports for every cache)."""
        parts = self.cache_info().values()
        return {
            "entries": sum(p["entries"] for p in parts),
            "bytes": sum(p["bytes"] for p in parts),
            "hits": sum(p["hits"] for p in parts),
            "misses": sum(p["misses"] for p in parts),
        }

    def clear(self) -> None:
        self._curve.clear()
        self._error.clear()
        self._surface.clear()
