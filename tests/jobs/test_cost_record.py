"""A finished job records its admitted estimate next to what it measured, and /metrics shows both."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from app.config import Settings
from app.jobs import local
from tests.jobs.test_comparisons import TINY, api, job_settings, read_events_plain, status_of

__all__ = ["api", "job_settings"]  # fixtures


def test_estimated_and_measured_seconds_in_the_result_and_on_metrics(api: TestClient, job_settings: Settings) -> None:
    created = api.post("/api/v1/comparisons", json=TINY).json()
    queued = read_events_plain(job_settings, created["id"])[0]["data"]
    assert queued["status"] == "queued" and queued["estimate"]["seconds"] > 0  # kept from admission
    assert queued["estimate"]["peak_memory_bytes"] > 0
    local.serve_forever(job_settings, once=True)
    job = status_of(api, created["id"])
    assert job["status"] == "succeeded", job["error"]
    record = job["results"]["cost"]
    assert record["estimated_seconds"] == queued["estimate"]["seconds"]
    assert record["measured_seconds"] > 0 and record["measured_peak_rss_bytes"] > 100 * 2**20
    assert record["measured_over_estimated"] == record["measured_seconds"] / record["estimated_seconds"]
    assert set(record["estimate"]) >= {"training_seconds", "evaluation_seconds", "corpus_seconds", "memory"}
    metrics = api.get("/metrics").text
    estimated = re.search(r'^actlab_job_estimated_seconds_total\{kind="quality"\} (\S+)$', metrics, re.M)
    measured = re.search(r'^actlab_job_last_measured_seconds\{kind="quality"\} (\S+)$', metrics, re.M)
    assert estimated and float(estimated.group(1)) == record["estimated_seconds"]
    assert measured and float(measured.group(1)) > 0
