"""The computed curves, errors and surfaces (the arrays behind the cached bodies) count their bytes: together at
most a quarter of ACTLAB_RESPONSE_CACHE_MAX_BYTES, inside that one budget with the response caches, and on
/metrics as ``actlab_response_cache_bytes{cache="computed"}``."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.activations.curves import CurveSpec, compute_curve
from app.activations.memo import MemoryBudget, SizedLRU, result_bytes
from app.http.caching import COMPUTED_SHARE
from tests.conftest import open_client, sqlite_settings

#: Eight distinct functions (aliases of one function would be computed once).
EIGHT = ["relu", "gelu", "gelu_tanh", "gelu_sigmoid", "silu", "sigmoid", "tanh", "softplus"]
BUDGET = 120_000_000


def _cache_bytes(metrics: str) -> dict[str, float]:
    prefix = 'actlab_response_cache_bytes{cache="'
    return {
        line[len(prefix):].split('"', 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith(prefix)
    }


def test_a_curve_is_counted_by_the_arrays_it_holds() -> None:
    curve = compute_curve(CurveSpec(tuple(EIGHT), -4.0, 4.0, 10_001, 0, "float16"))
    arrays = [curve.x, curve.x_rounded, *(s.y for s in curve.series), *(s.rounding_error for s in curve.series)]
    held = sum(a.nbytes for a in arrays if isinstance(a, np.ndarray))
    assert held == 18 * 10_001 * 8
    assert held < result_bytes(curve) < held + 20_000


def test_many_distinct_maximal_curves_stay_within_the_share_and_the_budget(db_path: Path) -> None:
    settings = sqlite_settings(db_path, response_cache_max_bytes=BUDGET)
    share = BUDGET // COMPUTED_SHARE
    with open_client(settings) as client:
        lab = client.app.state.activations.lab  # type: ignore[attr-defined]
        budget = client.app.state.activations.responses.budget  # type: ignore[attr-defined]
        for i in range(8):  # each holds ~14 MB of arrays: about two fit in the share
            params = {"fn": EIGHT, "points": settings.curve_max_points, "xmin": -10 - i, "xmax": 10, "dtype": "float16"}
            response = client.get("/api/v1/curves", params=params)
            assert response.status_code == 200 and len(response.json()["series"]) == 8
            computed = lab.info()
            assert 0 < computed["bytes"] <= share, computed
            assert budget.used <= BUDGET
            by_cache = _cache_bytes(client.get("/metrics").text)
            assert by_cache["computed"] == computed["bytes"]
            assert sum(by_cache.values()) == budget.used <= BUDGET
        assert 1 <= lab.info()["entries"] < 8  # the older curves were evicted, the latest is kept
        again = client.get("/api/v1/curves", params=params | {"format": "csv"})  # another body, same arrays
        assert again.status_code == 200 and lab.cache_info()["curve"]["hits"] >= 1


def test_errors_and_surfaces_share_the_same_bound(db_path: Path) -> None:
    settings = sqlite_settings(db_path, response_cache_max_bytes=8_000_000)
    with open_client(settings) as client:
        lab = client.app.state.activations.lab  # type: ignore[attr-defined]
        for i in range(6):
            error = client.get("/api/v1/activations/gelu_tanh/error", params={"xmin": -5 - i, "xmax": 5})
            assert error.status_code == 200, error.text
            surface = client.get("/api/v1/gates/swiglu/surface", params={"amin": -3 - i, "points": 401})
            assert surface.status_code == 200, surface.text
            assert 0 < lab.info()["bytes"] <= 8_000_000 // COMPUTED_SHARE


def test_shared_budgets_bound_every_cache_and_give_bytes_back_on_clear() -> None:
    share, process = MemoryBudget(10_000), MemoryBudget(15_000)
    first: SizedLRU[int, np.ndarray] = SizedLRU(100, 10**9, (share, process))
    second: SizedLRU[int, np.ndarray] = SizedLRU(100, 10**9, (share, process))
    for i in range(50):
        first.put(i, np.zeros(200))
        second.put(i, np.zeros(300))
        assert share.used <= share.max_bytes and process.used <= process.max_bytes
        assert share.used == first.info()["bytes"] + second.info()["bytes"]
    assert first.get_or_compute(49, lambda _: np.ones(1))[0] == 0.0  # a hit: the stored value
    first.put(-1, np.zeros(100_000))  # larger than either budget: returned by the caller, never kept
    assert first.info()["entries"] > 0 and share.used <= share.max_bytes
    first.clear()
    second.clear()
    assert share.used == 0 and process.used == 0
