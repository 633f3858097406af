"""The run page of a comparison in-process: a cancelled job's page and CSV keep the curves its events
carry, a queued job's page says its place in the queue (never "0 / 0 steps"), and the JSON curves route
answers the same numbers.

The jobs are stored as the worker stores them (``queue.submit``, then the events the job's reporter
writes: ``start``, ``progress`` with per-step points, ``run_done``) without training, so the page's
reading of a stopped job is checked exactly."""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from app.config import Settings
from app.jobs import queue
from app.orm.jobs import Job
from tests.conftest import open_client

TINY: dict[str, Any] = {
    "kind": "quality",
    "variants": ["ReLU", "GEGLU"],
    "seeds": 2,
    "d_model": 16,
    "n_layers": 1,
    "n_heads": 2,
    "seq_len": 16,
    "batch_size": 4,
    "steps": 40,
    "device": "cpu",
}
REFERENCE = {"optimal_loss": 1.1, "bigram_loss": 1.7, "unigram_loss": 2.3}


@pytest.fixture
def api(settings: Settings) -> Iterator[TestClient]:
    # The app alone runs no worker: the stored jobs stay as the test leaves them.
    with open_client(settings) as client:
        yield client


def _store(client: TestClient, config: dict[str, Any]) -> str:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as session:
        job_id = queue.submit(session, client.app.state.settings, config).job.id  # type: ignore[attr-defined]
        session.commit()
    return job_id


def _cancelled_job(client: TestClient) -> tuple[str, list[dict[str, Any]]]:
    """A job cancelled at step 15 of ReLU seed 0's second run: ReLU seed 0 finished, GEGLU seed 0 at step 15."""
    job_id = _store(client, TINY)
    points = [{"variant": "ReLU", "seed": 0, "step": s, "train_loss": 3.0 - s / 40, **({"val_loss": 2.9 - s / 40}
               if s % 20 == 0 else {})} for s in range(1, 41)]
    points += [{"variant": "GEGLU", "seed": 0, "step": s, "train_loss": 3.1 - s / 50} for s in range(1, 16)]
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as session:
        session.execute(update(Job).where(Job.id == job_id).values(status="running", done_steps=55, total_steps=160))
        queue.append_event(session, job_id, "start", {"runs": 4, "total_steps": 160, "variants": ["ReLU", "GEGLU"],
                                                       "seeds": [0, 1], "reference": REFERENCE})
        queue.append_event(session, job_id, "progress", {"done_steps": 40, "total_steps": 160, "points": points[:40]})
        queue.append_event(session, job_id, "run_done", {"variant": "ReLU", "seed": 0, "final_val_loss": 2.25,
                                                          "tokens_per_second": 12345.6})
        queue.append_event(session, job_id, "progress", {"done_steps": 55, "total_steps": 160, "points": points[40:]})
        session.execute(update(Job).where(Job.id == job_id).values(status="cancelled"))
        queue.append_event(session, job_id, "status", {"status": "cancelled"})
        session.commit()
    return job_id, points


def test_a_cancelled_jobs_page_shows_the_curves_it_reached(api: TestClient) -> None:
    job_id, _ = _cancelled_job(api)
    page = api.get(f"/comparisons/{job_id}")
    assert page.status_code == 200
    html = page.text
    assert "Stopped after 55 of 160 steps" in html and "reported before it stopped" in html
    chart = html[html.index('<figure class="chart loss-figure"'):html.index("</figure>", html.index("loss-figure"))]
    assert chart.count("<polyline") == 2, "one mean line per variant that reported a loss"
    assert "entropy (optimal) 1.100" in chart and "bigram 1.700" in chart  # the reference lines, labelled
    assert chart.count('class="grid"') >= 6  # gridlines on both axes
    assert ">step</text>" in chart
    runs = html[html.index('<table id="runs">'):]
    assert '<tr data-run="ReLU/0">' in runs and "2.2500" in runs and "12,346" in runs
    assert 'data-run="GEGLU/0"' in runs and "stopped" in runs and "not run" in runs  # GEGLU/0, then seeds 1
    assert "Verdict" not in html and 'http-equiv="refresh"' not in html  # finished: no self-refresh
    log = api.get(f"/comparisons/{job_id}", params={"split": "val", "log": "true", "seeds": "true"})
    assert "validation loss (nats/token, log scale)" in log.text and 'class="seed"' in log.text


def test_a_cancelled_jobs_curves_download_as_csv_and_json(api: TestClient) -> None:
    job_id, points = _cancelled_job(api)
    answer = api.get(f"/comparisons/{job_id}/curves.csv")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    train = [r for r in rows if r["split"] == "train"]
    assert len(train) == len(points)
    assert {(r["variant"], r["seed"]) for r in train} == {("ReLU", "0"), ("GEGLU", "0")}
    assert [float(r["loss"]) for r in train if r["variant"] == "GEGLU"] == [p["train_loss"] for p in points[40:]]
    assert [(r["step"], float(r["loss"])) for r in rows if r["split"] == "val"] == [("20", 2.4), ("40", 2.9 - 1)]
    body = api.get(f"/api/v1/comparisons/{job_id}/curves").json()
    assert body["reference"] == REFERENCE and body["source"] == "events"
    relu = next(r for r in body["runs"] if r["variant"] == "ReLU" and r["seed"] == 0)
    assert relu["final_val_loss"] == 2.25 and relu["train"]["steps"] == list(range(1, 41))
    assert [(r["variant"], r["seed"]) for r in body["runs"]] == [("ReLU", 0), ("ReLU", 1), ("GEGLU", 0), ("GEGLU", 1)]


def test_a_queued_job_says_its_place_and_no_step_count_of_zero(api: TestClient) -> None:
    first = _store(api, TINY)
    second = _store(api, {**TINY, "steps": 41})
    third = _store(api, {**TINY, "steps": 42})
    assert "next in the queue" in api.get(f"/comparisons/{first}").text
    html = api.get(f"/comparisons/{third}").text
    assert "3rd in the queue" in html and "0 / 0 steps" not in html
    assert "0 / 168 steps" in html  # 2 variants x 2 seeds x 42 steps, known before the job starts
    assert "(estimated before the first steps)" in html
    assert second != third


def test_curves_of_a_speed_comparison_are_not_found(api: TestClient) -> None:
    job_id = _store(api, {"kind": "speed", "variants": ["ReLU"], "device": "cpu", "tokens": 64, "d_model": 16})
    for path in (f"/comparisons/{job_id}/curves.csv", f"/api/v1/comparisons/{job_id}/curves"):
        answer = api.get(path)
        assert answer.status_code == 404 and "speed comparison" in answer.json()["detail"], path
    assert api.get("/comparisons/" + "0" * 32 + "/curves.csv").status_code == 404


def test_the_chart_settings_are_checked(api: TestClient) -> None:
    job_id, _ = _cancelled_job(api)
    bad = api.get(f"/comparisons/{job_id}", params={"smooth": "2"})
    assert bad.status_code == 422 and "smooth" in bad.text


def test_run_again_queues_the_same_config_with_one_field_changed(api: TestClient) -> None:
    job_id = _store(api, TINY)
    first = api.get(f"/api/v1/comparisons/{job_id}").json()["config"]
    more_steps = api.post(f"/comparisons/{job_id}/rerun", data={"steps": "80"}, follow_redirects=False)
    assert more_steps.status_code == 303, more_steps.text
    page = more_steps.headers["location"]
    assert page.startswith("/comparisons/") and page != f"/comparisons/{job_id}"
    assert f"Path={page}" in more_steps.headers["set-cookie"]  # the new job's Cancel button is this browser's
    again = api.get(f"/api/v1/comparisons/{page.rsplit('/', 1)[1]}").json()["config"]
    assert again["steps"] == 80 and {k: v for k, v in again.items() if k != "steps"} == {
        k: v for k, v in first.items() if k != "steps"}
    more_seeds = api.post(f"/comparisons/{job_id}/rerun", data={"seeds": "3"}, follow_redirects=False)
    seeds = api.get(f"/api/v1/comparisons/{more_seeds.headers['location'].rsplit('/', 1)[1]}").json()["config"]
    assert seeds["seeds"] == [0, 1, 2] and seeds["steps"] == first["steps"]


def test_a_refused_rerun_shows_the_form_filled_with_the_reason(api: TestClient) -> None:
    job_id = _store(api, TINY)
    browser = {"Accept": "text/html"}
    too_long = api.post(f"/comparisons/{job_id}/rerun", data={"steps": str(10**6)}, headers=browser)
    assert too_long.status_code == 422 and 'form-error' in too_long.text and "steps" in too_long.text
    assert 'name="d_model"' in too_long.text and 'value="16"' in too_long.text  # the job's config in the form
    nothing = api.post(f"/comparisons/{job_id}/rerun", data={}, headers=browser)
    assert nothing.status_code == 422 and "send steps or seeds" in nothing.text
    as_json = api.post(f"/comparisons/{job_id}/rerun", data={"seeds": "0"}, headers={"Accept": "application/json"})
    assert as_json.status_code == 422 and as_json.headers["content-type"].startswith("application/problem+json")


def test_a_running_jobs_time_left_is_measured_from_its_progress_events(api: TestClient) -> None:
    from datetime import timedelta

    from app.clock import utcnow
    from app.orm.jobs import JobEvent

    job_id = _store(api, TINY)
    factory = api.app.state.session_factory  # type: ignore[attr-defined]
    stored_at = time.monotonic()
    with factory() as session:
        session.execute(update(Job).where(Job.id == job_id).values(
            status="running", started_at=utcnow(), done_steps=60, total_steps=160, progress=60 / 160))
        # an earlier attempt's progress, which the current attempt's pace must not count
        queue.append_event(session, job_id, "progress", {"done_steps": 150, "total_steps": 160, "points": []})
        queue.append_event(session, job_id, "start", {"runs": 4, "total_steps": 160, "variants": ["ReLU", "GEGLU"],
                                                       "seeds": [0, 1], "reference": REFERENCE})
        for done, seconds_ago in ((10, 6.0), (60, 1.0)):
            seq = queue.append_event(session, job_id, "progress", {"done_steps": done, "total_steps": 160, "points": [
                {"variant": "ReLU", "seed": 0, "step": done, "train_loss": 2.0}]})
            session.execute(update(JobEvent).where(JobEvent.job_id == job_id, JobEvent.seq == seq)
                            .values(created_at=utcnow() - timedelta(seconds=seconds_ago)))
        session.commit()
    html = api.get(f"/comparisons/{job_id}").text
    waited = time.monotonic() - stored_at
    assert "(measured: 100 ms per step)" in html  # 5 s over 50 steps
    left = int(html.split('<span id="eta">about ')[1].split(" s left")[0])
    # 100 steps at 0.1 s, less the time since the last event (1 s before it was stored, and the test's own)
    assert round(max(0.0, 9 - waited)) <= left <= 9, (left, waited)
    assert "60 / 160 steps" in html and 'http-equiv="refresh"' in html
    # the API's eta_seconds is the same measured figure, not the elapsed time over the progress fraction
    eta = api.get(f"/api/v1/comparisons/{job_id}").json()["eta_seconds"]
    assert max(0.0, 9 - (time.monotonic() - stored_at)) - 0.1 <= eta <= 9, eta
