"""Honest probes: /readyz fails when the database cannot write (a read-only SQLite file, a read-only
PostgreSQL), and /metrics is computed off the event loop, reused for a few seconds and, in production,
only for the admin token unless made public."""

from __future__ import annotations

import os
import secrets
import stat
import threading
from collections.abc import Iterable
from pathlib import Path

from fastapi.testclient import TestClient
from prometheus_client.core import GaugeMetricFamily, Metric
from sqlalchemy import create_engine, make_url, text

from app.config import Settings
from app.http.probes import CachedCollector
from tests.conftest import open_client, sqlite_settings


def test_readyz_fails_while_the_sqlite_file_is_read_only(db_path: Path) -> None:
    with open_client(sqlite_settings(db_path)) as client:
        assert client.get("/readyz").status_code == 200
        mode = os.stat(db_path).st_mode
        os.chmod(db_path, 0o444)
        try:
            refused = client.get("/readyz")
            assert refused.status_code == 503, refused.text
            assert refused.headers["content-type"] == "application/problem+json"
            assert "read-only" in refused.json()["detail"]
        finally:
            os.chmod(db_path, stat.S_IMODE(mode))
        assert client.get("/readyz").status_code == 200


def test_readyz_fails_when_postgresql_only_reads(pg_settings: Settings) -> None:
    name = make_url(pg_settings.database_url).database
    with open_client(pg_settings) as client:
        assert client.get("/readyz").status_code == 200
    admin = create_engine(pg_settings.database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    admin.dispose()
    with open_client(pg_settings) as client:  # new connections start read-only
        refused = client.get("/readyz")
        assert refused.status_code == 503, refused.text
        assert "refuses writes" in refused.json()["detail"] and "read-only" in refused.json()["detail"]


def test_metrics_are_admin_only_in_production_unless_made_public(db_path: Path) -> None:
    token = secrets.token_urlsafe(32)
    production = {"environment": "production", "admin_token": token}
    with open_client(Settings(database_url=f"sqlite:///{db_path}", **production)) as client:  # type: ignore[arg-type]
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"authorization": "Bearer wrong"}).status_code == 401
        scraped = client.get("/metrics", headers={"authorization": f"Bearer {token}"})
        assert scraped.status_code == 200 and "actlab_jobs" in scraped.text
    public = Settings(database_url=f"sqlite:///{db_path}", metrics_public=True, **production)  # type: ignore[arg-type]
    with open_client(public) as client:
        assert client.get("/metrics").status_code == 200


def test_metrics_are_collected_off_the_event_loop_and_reused(db_path: Path) -> None:
    with open_client(sqlite_settings(db_path, metrics_cache_seconds=60)) as client:
        seen: list[int] = []

        def probe() -> Iterable[Metric]:
            seen.append(threading.get_ident())
            yield GaugeMetricFamily("actlab_test_probe", "a probe", value=1.0)

        cached = CachedCollector(probe, 60)
        client.app.state.metrics.add_collector(cached)  # type: ignore[attr-defined]
        loop_thread = client.portal.call(threading.get_ident)  # type: ignore[union-attr]
        for _ in range(3):
            assert "actlab_test_probe 1.0" in client.get("/metrics").text
        assert cached.refreshes == 1 and len(seen) == 1 and seen[0] != loop_thread
        callbacks = client.app.state.metrics._callbacks  # type: ignore[attr-defined]
        service = next(c for c in callbacks if isinstance(c, CachedCollector))
        assert service.refreshes == 1  # the service's own aggregate queries ran once for three scrapes


def test_readyz_passes_on_a_writable_database(client: TestClient) -> None:
    assert client.get("/readyz").json()["status"] == "ready"
