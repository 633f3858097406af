"""Latency of the curve endpoint: a 4-function, 10,001-point request as JSON and as SVG.

Starts one `actlab serve` process on a fresh SQLite file, then with one keep-alive HTTP client:
  * cold: distinct requests (each a cache miss: torch math + orjson, or + matplotlib for SVG);
  * warm: the same request repeated (served from the response cache; the X-Cache header counts hits).
Then, in this process, the costs the design rests on: the torch math for 12 functions and their two
derivatives at 10,001 points, and serializing that result with orjson (numpy), stdlib json and
FastAPI's default encoder.

Usage: .venv/bin/python benchmarks/curves.py [--repeat 200] [--cold 15]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks._server import machine_description, running_server

FUNCTIONS = ["gelu", "gelu_tanh", "gelu_sigmoid", "silu"]
TARGETS_MS = {"json": 20.0, "svg": 150.0}


def query(fmt: str, xmax: float = 8.0) -> list[tuple[str, str | int | float]]:
    params: list[tuple[str, str | int | float]] = [("fn", f) for f in FUNCTIONS]
    params += [("xmin", -8.0), ("xmax", xmax), ("points", 10_001)]
    return params + ([("format", fmt)] if fmt != "json" else [])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1e3


def measure_http(base: str, repeat: int, cold: int) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    with httpx.Client(base_url=base, timeout=60) as client:
        client.get("/api/v1/curves", params={"fn": "relu", "points": 11})  # load torch, warm the app
        for fmt in ("json", "svg"):
            cold_ms = []
            for i in range(cold):  # distinct ranges: every request is computed and rendered
                params = query(fmt, xmax=8.0 + (i + 1) * 1e-3)
                start = time.perf_counter()
                response = client.get("/api/v1/curves", params=params)
                cold_ms.append((time.perf_counter() - start) * 1e3)
                assert response.status_code == 200 and response.headers["x-cache"] == "miss", response.text[:200]
            first = client.get("/api/v1/curves", params=query(fmt))
            size = len(first.content)
            warm_ms, hits = [], 0
            for _ in range(repeat):
                start = time.perf_counter()
                response = client.get("/api/v1/curves", params=query(fmt))
                warm_ms.append((time.perf_counter() - start) * 1e3)
                hits += response.headers["x-cache"] == "hit"
            out[fmt] = {
                "bytes": size,
                "cold_p50": statistics.median(cold_ms),
                "warm_p50": statistics.median(warm_ms),
                "warm_p95": percentile(warm_ms, 0.95),
                "hits": hits,
                "repeat": repeat,
            }
    return out


def measure_in_process(repeat: int) -> dict[str, float]:
    import orjson
    from fastapi.encoders import jsonable_encoder

    from app import activations as act

    specs = [act.CurveSpec(tuple(act.SCALAR_IDS[:12]), -8.0, 8.0, 10_001, order) for order in (0, 1, 2)]
    for spec in specs:
        act.compute_curve(spec)  # warm-up
    math_ms = statistics.median(timed(lambda: [act.compute_curve(s) for s in specs]) for _ in range(repeat))
    curves = [act.compute_curve(s).to_dict() for s in specs]
    document = {"curves": curves}
    size = len(orjson.dumps(document, option=orjson.OPT_SERIALIZE_NUMPY))
    orjson_ms = statistics.median(
        timed(lambda: orjson.dumps(document, option=orjson.OPT_SERIALIZE_NUMPY)) for _ in range(repeat)
    )
    as_lists = orjson.loads(orjson.dumps(document, option=orjson.OPT_SERIALIZE_NUMPY))
    stdlib_ms = statistics.median(timed(lambda: json.dumps(as_lists)) for _ in range(5))
    fastapi_ms = statistics.median(timed(lambda: json.dumps(jsonable_encoder(as_lists))) for _ in range(3))
    return {"math": math_ms, "bytes": size, "orjson": orjson_ms, "stdlib": stdlib_ms, "fastapi": fastapi_ms}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=200, help="warm requests per format")
    parser.add_argument("--cold", type=int, default=15, help="distinct (uncached) requests per format")
    args = parser.parse_args()

    with running_server() as base:
        http = measure_http(base, args.repeat, args.cold)
    local = measure_in_process(max(5, args.repeat // 10))

    print(f"Machine: {machine_description()}; date {dt.date.today().isoformat()}; one uvicorn process, "
          f"one keep-alive client on the same machine")  # fmt: skip
    print()
    print(f"Request: `/api/v1/curves?fn={'&fn='.join(FUNCTIONS)}&xmin=-8&xmax=8&points=10001[&format=svg]`")
    print()
    print("| Format | body | cold p50 ms (cache miss) | warm p50 ms | warm p95 ms | cache hits | target (warm p50) |")
    print("|---|---:|---:|---:|---:|---:|---|")
    ok = True
    for fmt, row in http.items():
        target = TARGETS_MS[fmt]
        met = row["warm_p50"] <= target
        ok &= met and row["hits"] == row["repeat"]
        print(
            f"| {fmt.upper()} | {row['bytes'] / 1e6:.2f} MB | {row['cold_p50']:.1f} | {row['warm_p50']:.2f} | "
            f"{row['warm_p95']:.2f} | {int(row['hits'])}/{int(row['repeat'])} | ≤ {target:g} ms: "
            f"{'met' if met else 'NOT met'} |"
        )
    print()
    print("In-process costs (12 functions × f, f′, f″ at 10,001 points):")
    print()
    print("| Step | ms |")
    print("|---|---:|")
    print(f"| torch float64 math, 36 curves (autograd derivatives) | {local['math']:.1f} |")
    print(f"| orjson on the numpy result ({local['bytes'] / 1e6:.1f} MB) | {local['orjson']:.1f} |")
    print(f"| stdlib json on the same data as lists | {local['stdlib']:.1f} |")
    print(f"| FastAPI's jsonable_encoder + json | {local['fastapi']:.1f} |")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
