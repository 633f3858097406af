"""The curves of a run page: read from a job's events (a requeued attempt starts afresh) or its result,
written as CSV, summarised as mean ± std over the seeds that reached a step, drawn with ticks and
gridlines; and the words of its status (queue place, steps, measured time left)."""

from __future__ import annotations

import csv
import io
import math
from datetime import UTC, datetime, timedelta
from typing import Any

from app.jobs import pace
from app.jobs.curves import band, ema, from_events, from_results, to_csv, to_json
from app.web.run_chart import ChartOptions, chart_svg, nice_ticks, thin, tick_label

CONFIG = {"variants": ["ReLU", "GEGLU"], "seeds": [0, 1], "steps": 4}
REFERENCE = {"optimal_loss": 1.0, "bigram_loss": 1.5, "unigram_loss": 2.0}


def point(variant: str, seed: int, step: int, loss: float, val: float | None = None) -> dict[str, Any]:
    p: dict[str, Any] = {"variant": variant, "seed": seed, "step": step, "train_loss": loss}
    return p | ({"val_loss": val} if val is not None else {})


def events() -> list[tuple[str, dict[str, Any]]]:
    start = ("start", {"variants": ["ReLU", "GEGLU"], "seeds": [0, 1], "total_steps": 16, "reference": REFERENCE})
    return [
        ("status", {"status": "running"}),
        start,
        ("progress", {"done_steps": 2, "total_steps": 16,
                      "points": [point("ReLU", 0, 1, 9.0), point("ReLU", 0, 2, 9.0)]}),
        start,  # handed back to the queue and trained again from step 1
        ("progress", {"done_steps": 3, "total_steps": 16, "points": [
            point("ReLU", 0, 1, 3.0), point("ReLU", 0, 2, 2.5, val=2.6), point("ReLU", 1, 1, 3.2)]}),
        ("run_done", {"variant": "ReLU", "seed": 0, "final_val_loss": 2.4, "tokens_per_second": 1000.0}),
    ]


def test_events_give_the_curves_of_the_last_attempt() -> None:
    curves = from_events(CONFIG, events())
    relu0 = curves.runs[("ReLU", 0)]
    assert relu0.train == [(1, 3.0), (2, 2.5)] and relu0.val == [(2, 2.6)]
    assert relu0.final_val_loss == 2.4 and relu0.tokens_per_second == 1000.0
    assert curves.reference == REFERENCE and curves.last_step() == 2
    assert [(r.variant, r.seed, len(r.train)) for r in curves.ordered()] == [
        ("ReLU", 0, 2), ("ReLU", 1, 1), ("GEGLU", 0, 0), ("GEGLU", 1, 0)]


def test_the_csv_has_one_row_per_loss_and_reads_back_exactly() -> None:
    text = to_csv(from_events(CONFIG, events()))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == ["variant", "seed", "split", "step", "loss"]
    assert [(r["variant"], r["seed"], r["split"], int(r["step"]), float(r["loss"])) for r in rows] == [
        ("ReLU", "0", "train", 1, 3.0), ("ReLU", "0", "train", 2, 2.5), ("ReLU", "0", "val", 2, 2.6),
        ("ReLU", "1", "train", 1, 3.2)]
    third = 1 / 3
    curves = from_events(CONFIG, [("progress", {"points": [point("GEGLU", 0, 1, third)]})])
    assert float(next(csv.DictReader(io.StringIO(to_csv(curves))))["loss"]) == third  # no rounding


def test_a_result_gives_every_runs_whole_curve() -> None:
    results = {
        "config": CONFIG,
        "corpus": {"reference": REFERENCE},
        "variants": [{"variant": v, "runs": [
            {"seed": s, "train_loss": [3.0, 2.0, 1.5, 1.2], "val_loss": [[0, 3.5], [4, 1.3]], "final_val_loss": 1.3,
             "tokens_per_second": 50.0} for s in (0, 1)]} for v in ("ReLU", "GEGLU")],
    }
    body = to_json(from_results(results))
    assert body["source"] == "results" and body["reference"] == REFERENCE
    assert body["runs"][0]["train"] == {"steps": [1, 2, 3, 4], "loss": [3.0, 2.0, 1.5, 1.2]}
    assert body["runs"][0]["val"] == {"steps": [0, 4], "loss": [3.5, 1.3]}
    assert len(body["runs"]) == 4


def test_the_band_counts_only_the_seeds_that_reached_a_step() -> None:
    curves = from_events(CONFIG, events())
    rows = band([curves.runs[("ReLU", 0)], curves.runs[("ReLU", 1)]], "train")
    assert rows[0][0] == 1 and math.isclose(rows[0][1], 3.1) and rows[0][3] == 2
    assert math.isclose(rows[0][2], math.sqrt(0.02))
    assert rows[1] == (2, 2.5, 0.0, 1)


def test_ema_is_debiased_and_off_at_zero() -> None:
    assert ema([2.0, 2.0, 2.0], 0.9) == [2.0, 2.0, 2.0]  # no pull towards zero at the start
    assert ema([1.0, 3.0], 0.0) == [1.0, 3.0]
    smooth = ema([1.0, 3.0], 0.5)
    assert smooth[0] == 1.0 and 1.0 < smooth[1] < 3.0


def test_the_chart_has_ticks_gridlines_reference_labels_and_one_line_per_variant() -> None:
    curves = from_events(CONFIG, events())
    svg = chart_svg(curves, ChartOptions())
    assert svg is not None and svg.startswith("<svg") and 'font-size="12"' in svg
    assert svg.count("<polyline") == 1  # only ReLU reported a loss
    assert svg.count('class="grid"') >= 6 and svg.count('class="reference"') == 3
    assert "entropy (optimal) 1.000" in svg and "unigram 2.000" in svg and ">step</text>" in svg
    assert chart_svg(curves, ChartOptions(split="val", seeds=True, log=True)) is not None
    assert chart_svg(from_events(CONFIG, []), ChartOptions()) is None


def test_ticks_are_round_and_labelled_to_their_spacing() -> None:
    assert nice_ticks(1.2, 3.4) == [1.5, 2.0, 2.5, 3.0]
    assert nice_ticks(0, 2000, 6) == [0, 500, 1000, 1500, 2000]
    assert nice_ticks(1.2, 3.4, enclose=True) == [1.0, 1.5, 2.0, 2.5, 3.0, 3.5]
    ticks = nice_ticks(2.31, 2.37)
    assert [tick_label(t, ticks) for t in ticks] == ["2.32", "2.34", "2.36"]
    assert tick_label(1500, [0, 500, 1000, 1500]) == "1,500"
    points = [(s, float(s)) for s in range(1, 1001)]
    thinned = thin(points, 100)
    assert len(thinned) == 100 and thinned[-1][0] == 1000 and math.isclose(thinned[0][1], 5.5)


def test_the_pace_is_measured_from_the_current_attempts_progress_events() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    stored = [
        ("progress", {"done_steps": 50}, t0),  # an earlier attempt
        ("start", {}, t0 + timedelta(seconds=5)),
        ("progress", {"done_steps": 10}, t0 + timedelta(seconds=10)),
        ("progress", {"done_steps": 110}, t0 + timedelta(seconds=12)),
    ]
    measured = pace.measure(stored, total_steps=1110, now=t0 + timedelta(seconds=13))
    assert measured is not None and math.isclose(measured.seconds_per_step, 0.02)
    assert math.isclose(measured.seconds_left, 0.02 * 1000 - 1)
    assert pace.measure(stored[:3], total_steps=1110) is None  # one event: nothing measured yet
    half_second = [stored[1], stored[2], ("progress", {"done_steps": 20}, t0 + timedelta(seconds=10.5))]
    assert pace.measure(half_second, total_steps=100) is None


def test_status_words() -> None:
    assert [pace.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st"]
    assert pace.queue_words(1) == "next in the queue" and pace.queue_words(3) == "3rd in the queue"
    assert pace.queue_words(None) is None
    assert pace.steps_words(0, 0, "queued") == "waiting for a worker"
    assert "0 / 0" not in pace.steps_words(0, 0, "running") and pace.steps_words(5, 40, "running") == "5 / 40 steps"
    assert pace.planned_steps({"variants": ["A", "B"], "seeds": [0, 1, 2], "steps": 10}) == 60
    assert [pace.duration_words(s) for s in (12.4, 200, 5400)] == ["about 12 s", "about 3 min", "about 1 h 30 min"]
