"""What a comparison's run page shows beyond the job itself: where it stands in words (queue place,
steps, measured time left), its loss chart and the runs table from its curves, and for a finished
quality comparison the verdict in words and the "run again" buttons.

The page and its JavaScript read the same curves (``app.jobs.curves``): a running job's from its
events, a finished one's from its result, and a cancelled or failed one's from the events it stored
before it stopped, so its page keeps the curves it had reached.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.config import Settings
from app.jobs import curves as curves_lib
from app.jobs import eta
from app.jobs import pace as pace_lib
from app.orm.jobs import FINISHED_STATUSES, Job
from app.web import rerun_forms, run_chart, run_words


@dataclass(frozen=True)
class RunRow:
    variant: str
    seed: int
    state: str  # "done", "training", "waiting" or "not run"
    last_step: int
    final_val_loss: float | None
    tokens_per_second: float | None


def runs_table(curves: curves_lib.Curves, finished: bool) -> list[RunRow]:
    """Every planned run with its final loss and throughput once it is done."""
    rows = []
    for run in curves.ordered():
        last = max((p[-1][0] for p in (run.train, run.val) if p), default=0)
        if run.final_val_loss is not None:
            state = "done"
        elif last:
            state = "stopped" if finished else "training"
        else:
            state = "not run" if finished else "waiting"
        rows.append(RunRow(run.variant, run.seed, state, last, run.final_val_loss, run.tokens_per_second))
    return rows


def status_words(session: Session, job: Job, view: dict[str, Any]) -> dict[str, Any]:
    """Queue place, step counter and time left in words; the time left measured from the job's pace
    once two progress events a second apart exist, else the admission estimate ("estimated")."""
    total = job.total_steps or (pace_lib.planned_steps(job.config) if job.kind == "quality" else 0)
    out: dict[str, Any] = {
        "queue": pace_lib.queue_words(view["queue_position"]),
        "steps": pace_lib.steps_words(job.done_steps, total, job.status),
        "eta": None,
        "eta_kind": None,
        "seconds_per_step": None,
    }
    if job.status in FINISHED_STATUSES:
        return out
    measured = eta.measured_pace(session, job)
    if measured is not None:
        out |= {"eta": pace_lib.duration_words(measured.seconds_left) + " left", "eta_kind": "measured",
                "seconds_per_step": measured.seconds_per_step}
    elif view["eta_seconds"] is not None:
        out |= {"eta": pace_lib.duration_words(view["eta_seconds"]) + " left", "eta_kind": "estimated"}
    return out


def chart_options(job: Job, split: str | None, smooth: float, seeds: bool, log: bool) -> run_chart.ChartOptions:
    """The chart's settings from the page's query; validation loss first once a job succeeded."""
    chosen = split or ("val" if job.status == "succeeded" else "train")
    nearest = min(run_chart.SMOOTHING, key=lambda s: abs(s - smooth))
    return run_chart.ChartOptions(split=chosen, smoothing=nearest, seeds=seeds, log=log)


def quality_context(
    session: Session, job: Job, settings: Settings, options: run_chart.ChartOptions
) -> dict[str, Any]:
    """The chart, legend, runs table, verdict words and reruns of a quality job's page."""
    curves = curves_lib.for_job(session, job)
    finished = job.status in FINISHED_STATUSES
    results = job.results if job.status == "succeeded" and job.results else None
    return {
        "chart": run_chart.chart_svg(curves, options),
        "chart_options": options,
        "smoothing_choices": run_chart.SMOOTHING,
        "legend": run_chart.legend(curves),
        "has_points": curves.has_points(),
        "last_step": curves.last_step(),
        "runs": runs_table(curves, finished),
        "verdict": run_words.verdict_sentences(results) if results else [],
        "reruns": rerun_forms.choices(job, results, settings) if results else [],
    }
