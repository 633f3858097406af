"""One client may have at most ACTLAB_COMPARE_MAX_UNFINISHED_PER_CLIENT unfinished comparisons; more get a
429 problem naming the limit, with Retry-After. Other clients, and identical configs, are not held back."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import open_client, sqlite_settings
from tests.jobs.test_comparisons import TINY


def test_a_client_may_have_only_its_quota_of_unfinished_jobs(db_path: Path) -> None:
    settings = sqlite_settings(db_path, compare_max_unfinished_per_client=2, trust_forwarded_for=True)
    alice, bob = {"X-Forwarded-For": "203.0.113.7"}, {"X-Forwarded-For": "198.51.100.9"}
    with open_client(settings) as api:
        first = api.post("/api/v1/comparisons", json=TINY, headers=alice)
        assert first.status_code == 202
        assert api.post("/api/v1/comparisons", json={**TINY, "steps": 7}, headers=alice).status_code == 202
        refused = api.post("/api/v1/comparisons", json={**TINY, "steps": 8}, headers=alice)
        assert refused.status_code == 429
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert int(refused.headers["retry-after"]) >= 1
        body = refused.json()
        assert "ACTLAB_COMPARE_MAX_UNFINISHED_PER_CLIENT" in body["detail"]
        assert body["errors"][0]["loc"] == ["client"] and body["errors"][0]["limit"] == 2
        # the same config again is not new work; another client has its own quota
        assert api.post("/api/v1/comparisons", json=TINY, headers=alice).status_code == 202
        assert api.post("/api/v1/comparisons", json={**TINY, "steps": 8}, headers=bob).status_code == 202
        # once one of alice's jobs has finished she may queue another
        token = first.json()["cancel_token"]
        assert api.delete(f"/api/v1/comparisons/{first.json()['id']}", headers={"Authorization": f"Bearer {token}"})
        assert api.post("/api/v1/comparisons", json={**TINY, "steps": 9}, headers=alice).status_code == 202
