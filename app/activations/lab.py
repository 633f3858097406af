"""The per-application cache of computed curves, errors and surfaces."""

from __future__ import annotations

import functools

from app.activations.approximation import ApproximationError, ErrorSpec, compute_error
from app.activations.curves import Curve, CurveSpec, compute_curve
from app.activations.surfaces import Surface, SurfaceSpec, compute_surface


class ActivationLab:
    """The computations behind LRU caches keyed by the (hashable, canonical) specs.

    One instance per application, its size from Settings. Cached results hold read-only arrays, so a
    caller cannot change what the next caller gets.
    """

    def __init__(self, cache_size: int = 64) -> None:
        self.cache_size = cache_size
        self._curve = functools.lru_cache(maxsize=cache_size)(compute_curve)
        self._error = functools.lru_cache(maxsize=cache_size)(compute_error)
        self._surface = functools.lru_cache(maxsize=cache_size)(compute_surface)

    def curve(self, spec: CurveSpec) -> Curve:
        return self._curve(spec)

    def error(self, spec: ErrorSpec) -> ApproximationError:
        return self._error(spec)

    def surface(self, spec: SurfaceSpec) -> Surface:
        return self._surface(spec)

    def cache_info(self) -> dict[str, dict[str, int | None]]:
        """Hits, misses and sizes per computation (for /health-style reporting and the benchmark)."""
        return {
            name: info._asdict()
            for name, info in (
                ("curve", self._curve.cache_info()),
                ("error", self._error.cache_info()),
                ("surface", self._surface.cache_info()),
            )
        }

    def clear(self) -> None:
        self._curve.cache_clear()
        self._error.cache_clear()
        self._surface.cache_clear()
