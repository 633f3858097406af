"""Cross-cutting protections: headers, cross-site writes, body and rate limits, admin token, observability."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import text

from app.config import Settings
from app.db import create_db_engine
from app.http.observability import RequestIdFilter
from app.main import create_app
from tests.conftest import sqlite_settings

ADMIN = "a-very-secret-admin-token"


@pytest.fixture
def admin_client(db_path: Path) -> Iterator[TestClient]:
    app = create_app(sqlite_settings(db_path, admin_token=ADMIN, reference_cache_check_seconds=0))
    with TestClient(app) as client:
        yield client
    app.state.engine.dispose()


def _problem(response_json: dict[str, object], status: int) -> None:
    assert response_json["status"] == status
    assert {"type", "title", "status", "detail"} <= set(response_json)


@pytest.mark.parametrize("path", ["/", "/papers/glu-variants-2020", "/api/v1/papers", "/api/v1/variants/nope"])
def test_security_headers_on_pages_api_and_errors(client: TestClient, path: str) -> None:
    for _ in range(2):  # the second request is served from the reference cache
        response = client.get(path)
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src", 1)[1].split(";")[0]
        assert "frame-ancestors 'none'" in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"


def test_no_inline_scripts_in_pages(client: TestClient) -> None:
    for path in ["/", "/papers/glu-variants-2020", "/variants", "/models", "/activations", "/activations/explore"]:
        html = client.get(path).text
        for chunk in html.split("<script")[1:]:
            tag, _, rest = chunk.partition(">")
            assert "src=" in tag, f"inline script on {path}"
            assert rest.startswith("</script>"), f"inline script body on {path}"
        assert " onclick=" not in html and " onload=" not in html


@pytest.mark.parametrize(
    "headers",
    [
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site"},
        {"origin": "https://evil.example"},
        {"origin": "null"},
    ],
)
def test_cross_site_writes_are_refused(admin_client: TestClient, headers: dict[str, str]) -> None:
    response = admin_client.patch("/api/v1/results/1", json={"value_text": "1.000"}, headers=headers)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    _problem(response.json(), 403)


def test_same_origin_and_bearer_writes_pass_the_origin_check(admin_client: TestClient) -> None:
    same = admin_client.patch(
        "/api/v1/results/1", json={}, headers={"sec-fetch-site": "same-origin", "origin": "http://testserver"}
    )
    assert same.status_code == 401  # past the origin check, stopped by the missing token
    bearer = admin_client.patch(
        "/api/v1/results/1",
        json={},
        headers={"sec-fetch-site": "cross-site", "authorization": f"Bearer {ADMIN}"},
    )
    assert bearer.status_code == 200


def test_body_over_the_cap_gets_413_declared_or_chunked(db_path: Path) -> None:
    app = create_app(sqlite_settings(db_path, max_body_bytes=2048))
    with TestClient(app) as client:
        declared = client.patch("/api/v1/results/1", content=b"x" * 4096, headers={"content-type": "application/json"})
        assert declared.status_code == 413
        body = declared.json()
        assert body["errors"][0]["limit"] == 2048 and body["errors"][0]["loc"] == ["body"]

        def chunks() -> Iterator[bytes]:
            for _ in range(8):
                yield b"x" * 1000

        streamed = client.patch("/api/v1/results/1", content=chunks(), headers={"content-type": "application/json"})
        assert "content-length" not in {k.lower() for k in streamed.request.headers}
        assert streamed.status_code == 413
        small = client.patch("/api/v1/results/1", json={"value_text": "1"})
        assert small.status_code == 401  # under the cap: reaches the route
    app.state.engine.dispose()


def test_rate_limits_answer_429_with_retry_after(db_path: Path) -> None:
    app = create_app(sqlite_settings(db_path, rate_limit_reads_per_minute=5, rate_limit_writes_per_minute=2))
    with TestClient(app) as client:
        statuses = [client.get("/api/v1/papers").status_code for _ in range(7)]
        assert statuses[:5] == [200] * 5 and statuses[5:] == [429, 429]
        limited = client.get("/api/v1/variants")
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        _problem(limited.json(), 429)
        assert limited.json()["errors"][0]["limit"] == 5
        assert client.get("/healthz").status_code == 200  # probes are never limited
        writes = [client.patch("/api/v1/results/1", json={}).status_code for _ in range(3)]
        assert writes == [401, 401, 429]
    app.state.engine.dispose()


def test_admin_token_missing_invalid_and_valid(admin_client: TestClient) -> None:
    missing = admin_client.patch("/api/v1/results/1", json={"value_text": "2.000"})
    assert missing.status_code == 401 and missing.headers["www-authenticate"].startswith("Bearer")
    wrong = admin_client.patch(
        "/api/v1/results/1", json={"value_text": "2.000"}, headers={"authorization": "Bearer nope"}
    )
    assert wrong.status_code == 401 and "invalid_token" in wrong.headers["www-authenticate"]

    before = admin_client.get("/api/v1/results", params={"limit": 1}).json()["items"][0]
    assert before["id"] == 1
    auth = {"authorization": f"Bearer {ADMIN}"}
    fixed = admin_client.patch("/api/v1/results/1", json={"value_text": "1.9970"}, headers=auth)
    assert fixed.status_code == 200 and fixed.json()["value_text"] == "1.9970"
    after = admin_client.get("/api/v1/results", params={"limit": 1}).json()["items"][0]
    assert after["value_text"] == "1.9970" and after["value"] == 1.997

    bad = admin_client.patch("/api/v1/results/1", json={"value_text": "1e400"}, headers=auth)
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "value_text"]
    unknown = admin_client.patch("/api/v1/results/999999", json={"value_text": "1"}, headers=auth)
    assert unknown.status_code == 404


def test_production_refuses_to_start_without_an_admin_token(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'p.db'}"
    with pytest.raises(ValidationError, match="ACTLAB_ADMIN_TOKEN"):
        Settings(environment="production", database_url=url)
    with pytest.raises(ValidationError, match="ACTLAB_ADMIN_TOKEN"):
        Settings(environment="production", database_url=url, admin_token="short")
    good = "q7Zp-3vKx_9LmR2tYw8NcB4hJd6FgS1e"
    assert Settings(environment="production", database_url=url, admin_token=good).admin_token is not None


def test_request_id_echoed_and_logged_as_json(client: TestClient) -> None:
    handler = next(h for h in logging.getLogger().handlers if any(isinstance(f, RequestIdFilter) for f in h.filters))
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        response = client.get("/api/v1/papers", headers={"x-request-id": "req-12345"})
        generated = client.get("/api/v1/papers", headers={"x-request-id": "bad id with spaces"})
    finally:
        handler.setStream(previous)
    assert response.headers["x-request-id"] == "req-12345"
    assert generated.headers["x-request-id"] != "bad id with spaces" and len(generated.headers["x-request-id"]) == 32
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    mine = [line for line in lines if line.get("request_id") == "req-12345"]
    assert mine and mine[0]["path"] == "/api/v1/papers" and mine[0]["status"] == 200


def test_metrics_count_requests(client: TestClient) -> None:
    client.get("/api/v1/papers")
    client.get("/api/v1/papers")
    client.get("/api/v1/variants/nope")
    text_body = client.get("/metrics").text
    assert 'actlab_http_requests_total{method="GET",route="/api/v1/papers",status="200"} 1.0' in text_body
    assert 'actlab_http_requests_total{method="GET",route="cached",status="200"} 1.0' in text_body
    assert 'route="/api/v1/variants/{name}",status="404"' in text_body
    assert "actlab_http_request_duration_seconds_bucket" in text_body


@pytest.mark.postgres
def test_postgres_connections_carry_a_statement_timeout(pg_url: str) -> None:
    engine = create_db_engine(Settings(database_url=pg_url, pg_statement_timeout_ms=1234))
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SHOW statement_timeout")).scalar() == "1234ms"
            with pytest.raises(Exception, match="statement timeout"):
                conn.execute(text("SELECT pg_sleep(3)"))
    finally:
        engine.dispose()
