"""HEAD answers every GET route with GET's status and headers and no body, cached or not, streaming or not."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

#: Headers that differ between any two requests.
VOLATILE = {"date", "x-request-id", "set-cookie", "x-cache"}
#: Responses that change with every request (the metrics count the request before): their length too.
LIVE = {"/metrics"}


def _headers(response: Any) -> dict[str, str]:
    volatile = VOLATILE | ({"content-length"} if response.request.url.path in LIVE else set())
    return {k: v for k, v in response.headers.items() if k not in volatile}


def _get_paths_without_params(client: TestClient) -> list[str]:
    paths = client.get("/openapi.json").json()["paths"]
    return sorted(p for p, item in paths.items() if "get" in item and "{" not in p)


def _same_as_get(client: TestClient, url: str) -> None:
    client.get(url)  # warm whatever caches the route has, so GET and HEAD meet the same state
    got = client.get(url)
    head = client.head(url)
    assert head.status_code == got.status_code, (url, head.status_code, got.status_code)
    assert head.content == b"", url
    assert _headers(head) == _headers(got), url


def test_head_on_every_get_route_without_parameters(client: TestClient) -> None:
    paths = _get_paths_without_params(client)
    assert len(paths) > 20 and "/api/v1/papers" in paths and "/" in paths
    for path in paths:
        _same_as_get(client, path)


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/papers/glu-variants-2020",
        "/api/v1/variants/swiglu",
        "/api/v1/variants/FFN_Mish",  # 404 problem
        "/api/v1/threads/1",
        "/threads/1",
        "/api/v1/threads/999999",  # 404
        "/api/v1/curves?fn=gelu&xmin=-2&xmax=2&points=11",
        "/api/v1/curves?fn=gelu&points=1",  # 422
        "/papers/glu-variants-2020",
        "/static/threads.js",
    ],
)
def test_head_on_routes_with_parameters(client: TestClient, url: str) -> None:
    _same_as_get(client, url)


def test_head_first_then_get_and_a_wrong_method(client: TestClient) -> None:
    """HEAD before any GET (nothing cached) is not a 405, and 405 answers list HEAD with GET."""
    head = client.head("/api/v1/activations")
    assert head.status_code == 200 and head.content == b"" and int(head.headers["content-length"]) > 0
    assert int(head.headers["content-length"]) == len(client.get("/api/v1/activations").content)
    wrong = client.post("/api/v1/papers", json={})
    assert wrong.status_code == 405 and wrong.headers["allow"] == "GET, HEAD"


def test_head_on_a_live_event_stream_answers_the_headers_and_ends(client: TestClient) -> None:
    created = client.post("/api/v1/comparisons", json={"kind": "speed", "tokens": 256, "d_model": 64})
    assert created.status_code in (200, 202), created.text
    job = created.json()["id"]  # queued (no worker runs in the tests): its stream would never end by itself
    head = client.head(f"/api/v1/comparisons/{job}/events")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"].startswith("text/event-stream")
    assert head.headers["cache-control"] == "no-cache"
    assert client.head("/api/v1/comparisons/0123456789abcdef0123456789abcdef/events").status_code == 404


def test_head_is_counted_under_its_route(client: TestClient) -> None:
    client.head("/api/v1/threads")
    metrics = client.get("/metrics").text
    assert 'actlab_http_requests_total{method="HEAD",route="/api/v1/threads",status="200"} 1.0' in metrics
