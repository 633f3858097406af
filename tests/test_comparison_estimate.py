"""The comparison estimate is the cost model's: ``GET /api/v1/comparisons/estimate`` answers the numbers
``app.experiments.cost.estimate`` gives for the same config, and refuses bad fields with a 422 problem."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.experiments import admission, cost
from app.experiments.config import parse_config


def _direct(raw: dict[str, Any], settings: Settings) -> cost.Estimate:
    """The cost model called directly, on the config admission would store (its device and workers)."""
    device_class = admission.resolve_device_class(str(raw.get("device", "auto")), settings)
    full = {**raw, "device": "cpu" if device_class == "cpu" else "cuda"}
    if raw["kind"] == "quality":
        full |= {"threads": settings.worker_torch_threads, "workers": settings.worker_processes}
    else:
        full["threads"] = settings.worker_speed_threads
    return cost.estimate(parse_config(full), device_class, settings)


@pytest.mark.parametrize("query, raw", [
    ("kind=quality&device=cpu", {"kind": "quality", "device": "cpu"}),
    ("kind=quality&device=cpu&steps=120&seeds=2&variants=ReLU&variants=GEGLU",
     {"kind": "quality", "device": "cpu", "steps": 120, "seeds": 2, "variants": ["ReLU", "GEGLU"]}),
    ("kind=speed&device=cpu&tokens=2048&d_model=256",
     {"kind": "speed", "device": "cpu", "tokens": 2048, "d_model": 256}),
])
def test_the_estimate_is_the_cost_models(client: TestClient, settings: Settings, query: str,
                                         raw: dict[str, Any]) -> None:
    response = client.get(f"/api/v1/comparisons/estimate?{query}")
    assert response.status_code == 200, response.text
    body = response.json()
    direct = _direct(raw, settings)
    assert body["seconds"] == pytest.approx(direct.seconds, rel=1e-12)
    assert body["training_seconds"] == pytest.approx(direct.training_seconds, rel=1e-12)
    assert body["peak_memory_bytes"] == direct.peak_memory_bytes
    assert body["flops"] == pytest.approx(direct.flops, rel=1e-12)
    assert body["device_class"] == "cpu"
    assert body["limits"]["seconds"] == settings.compare_max_expected_seconds


def test_more_steps_cost_more(client: TestClient) -> None:
    few = client.get("/api/v1/comparisons/estimate?device=cpu&steps=100").json()["seconds"]
    many = client.get("/api/v1/comparisons/estimate?device=cpu&steps=2000").json()["seconds"]
    assert many > few


def test_over_the_time_limit_is_priced_and_refused_in_plain_words(client: TestClient) -> None:
    body = client.get("/api/v1/comparisons/estimate?device=cpu&steps=20000&seeds=20").json()
    assert body["allowed"] is False and body["seconds"] > body["limits"]["seconds"]
    refusal = body["refusals"][0]
    assert refusal["limit"] == "seconds" and refusal["setting"] == "ACTLAB_COMPARE_MAX_EXPECTED_SECONDS"
    assert refusal["message"].startswith("This comparison would take about")
    assert "ACTLAB_" not in refusal["message"]


@pytest.mark.parametrize("query, field", [
    ("steps=0", "steps"),
    ("steps=999999", "steps"),
    ("variants=NoSuchFFN", "variants"),
    ("steps=abc", "steps"),
    ("kind=speed&steps=10", "steps"),
])
def test_bad_input_is_a_422_problem_naming_the_field(client: TestClient, query: str, field: str) -> None:
    response = client.get(f"/api/v1/comparisons/estimate?device=cpu&{query}")
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["loc"] == ["query", field]
