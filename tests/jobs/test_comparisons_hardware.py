"""A stored comparison answers from the cache only on the hardware class it was measured on: float32
rounding differs between CPU models, and the ReLU-family runs amplify it into other losses and verdicts."""

from __future__ import annotations

import pytest
import torch
from fastapi.testclient import TestClient

from app.config import Settings
from app.experiments import admission
from app.experiments import device as device_lib
from app.jobs import local
from tests.jobs.test_comparisons import TINY, api, job_settings, status_of

__all__ = ["api", "job_settings"]  # fixtures


def _set_recorded_hardware(settings: Settings, job_id: str, hardware: str | None) -> None:
    """Rewrite where a stored result says it was measured (as a row from another machine would read)."""
    from app.db import create_db_engine, make_session_factory, session_scope
    from app.orm.jobs import Job

    engine = create_db_engine(settings)
    try:
        with session_scope(make_session_factory(engine)) as session:
            job = session.get(Job, job_id)
            assert job is not None and job.results is not None
            environment = dict(job.results["environment"])
            if hardware is None:
                environment.pop("hardware_class")
            else:
                environment["hardware_class"] = hardware
            job.results = {**job.results, "environment": environment}
    finally:
        engine.dispose()


def test_a_result_measured_on_another_cpu_model_is_not_served(api: TestClient, job_settings: Settings) -> None:
    first = api.post("/api/v1/comparisons", json=TINY).json()
    local.serve_forever(job_settings, once=True)
    done = status_of(api, first["id"])
    assert done["status"] == "succeeded", done["error"]
    here = done["results"]["environment"]["hardware_class"]
    assert here == device_lib.hardware_class("cpu") and here.startswith("cpu:")

    again = api.post("/api/v1/comparisons", json=TINY)
    assert again.status_code == 200 and again.json()["cached"] is True  # same hardware: served

    _set_recorded_hardware(job_settings, first["id"], "cpu:Some Other CPU (AVX512)")
    elsewhere = api.post("/api/v1/comparisons", json=TINY)
    assert elsewhere.status_code == 202 and elsewhere.json()["cached"] is False
    assert elsewhere.json()["id"] != first["id"]


def test_a_stored_result_without_a_hardware_class_is_not_served(api: TestClient, job_settings: Settings) -> None:
    first = api.post("/api/v1/comparisons", json=TINY).json()
    local.serve_forever(job_settings, once=True)
    _set_recorded_hardware(job_settings, first["id"], None)  # a row stored before results recorded it
    again = api.post("/api/v1/comparisons", json=TINY)
    assert again.status_code == 202 and again.json()["id"] != first["id"]


def test_the_cache_key_names_the_cpu_model_and_torch(job_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    here = admission.prepare(dict(TINY), job_settings)
    assert here.hardware_class == device_lib.hardware_class("cpu") and here.device_class == "cpu"
    monkeypatch.setattr(device_lib, "cpu_model", lambda: "Another CPU model")
    other_cpu = admission.prepare(dict(TINY), job_settings)
    assert other_cpu.hardware_class.startswith("cpu:Another CPU model (")
    assert other_cpu.config_hash != here.config_hash and other_cpu.device_class == "cpu"  # priced alike
    monkeypatch.undo()
    monkeypatch.setattr(torch, "__version__", "0.0.0-other")
    assert admission.prepare(dict(TINY), job_settings).config_hash != here.config_hash


def test_a_bare_cuda_request_takes_a_result_from_any_gpu_but_never_a_cpu_one() -> None:
    assert device_lib.same_hardware("cuda:NVIDIA H100 80GB HBM3", "cuda")
    assert not device_lib.same_hardware("cpu:AMD EPYC (AVX2)", "cuda")
    assert not device_lib.same_hardware("cuda:NVIDIA A100", "cuda:NVIDIA H100 80GB HBM3")
    assert not device_lib.same_hardware(None, "cpu:AMD EPYC (AVX2)")
