"""Every loss curve of a quality comparison, from its result or, while it runs and after it stopped,
from its stored events.

A finished job's result holds each run's whole curve; a running, cancelled or failed job has only the
``progress`` events it stored (per-step losses of every variant and seed) and the ``run_done`` event of
each finished run. Both are read into one :class:`Curves`, so the run page, its chart, the CSV and the
JSON route show the same numbers, and a stopped job keeps the curves it had reached. A job handed back
to the queue trains again from step 1: each ``start`` event begins the curves afresh.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.orm.jobs import Job

SPLITS = ("train", "val")
#: Events read per query while collecting a job's curves.
EVENT_BATCH = 2000


@dataclass
class RunCurve:
    """One (variant, seed) run: its losses by step and, once it finished, its measurements."""

    variant: str
    seed: int
    train: list[tuple[int, float]] = field(default_factory=list)
    val: list[tuple[int, float]] = field(default_factory=list)
    final_val_loss: float | None = None
    tokens_per_second: float | None = None

    def points(self, split: str) -> list[tuple[int, float]]:
        return self.train if split == "train" else self.val


@dataclass
class Curves:
    """The runs of one comparison in their planned order (variants, then seeds), with the corpus's
    reference losses; ``source`` says whether they came from the result or from the events."""

    variants: list[str]
    seeds: list[int]
    reference: dict[str, float]
    source: str
    runs: dict[tuple[str, int], RunCurve] = field(default_factory=dict)

    def run(self, variant: str, seed: int) -> RunCurve:
        key = (variant, seed)
        if key not in self.runs:
            self.runs[key] = RunCurve(variant, seed)
            if variant not in self.variants:
                self.variants.append(variant)
            if seed not in self.seeds:
                self.seeds.append(seed)
        return self.runs[key]

    def ordered(self) -> list[RunCurve]:
        """Every planned run (empty ones too), variant by variant, seed by seed."""
        return [self.runs.get((v, s)) or RunCurve(v, s) for v in self.variants for s in self.seeds]

    def has_points(self) -> bool:
        return any(r.train or r.val for r in self.runs.values())

    def last_step(self) -> int:
        return max((p[-1][0] for r in self.runs.values() for p in (r.train, r.val) if p), default=0)


def planned(config: dict[str, Any], reference: dict[str, float] | None = None, source: str = "events") -> Curves:
    """No points yet: the variants and seeds the config will train."""
    seeds = config.get("seeds") or []
    return Curves(list(config.get("variants") or []), [int(s) for s in seeds], dict(reference or {}), source)


def from_events(config: dict[str, Any], events: Iterable[tuple[str, dict[str, Any]]]) -> Curves:
    """The curves so far from a job's events in order (type, data)."""
    curves = planned(config)
    for type_, data in events:
        if type_ == "start":  # a new attempt trains from step 1 again
            curves = planned(
                {"variants": data.get("variants") or curves.variants, "seeds": data.get("seeds") or curves.seeds},
                data.get("reference") or curves.reference,
            )
        elif type_ == "progress":
            for p in data.get("points", []):
                run = curves.run(str(p["variant"]), int(p["seed"]))
                step = int(p["step"])
                run.train.append((step, float(p["train_loss"])))
                if p.get("val_loss") is not None:
                    run.val.append((step, float(p["val_loss"])))
        elif type_ == "run_done":
            run = curves.run(str(data["variant"]), int(data["seed"]))
            run.final_val_loss = _number(data.get("final_val_loss"))
            run.tokens_per_second = _number(data.get("tokens_per_second"))
    return curves


def from_results(results: dict[str, Any]) -> Curves:
    """The curves of a finished quality comparison's result."""
    config = results.get("config", {})
    curves = planned(config, results.get("corpus", {}).get("reference"), source="results")
    for variant in results["variants"]:
        for r in variant.get("runs", []):
            run = curves.run(str(variant["variant"]), int(r["seed"]))
            run.train = [(i + 1, float(v)) for i, v in enumerate(r.get("train_loss", []))]
            run.val = [(int(s), float(v)) for s, v in r.get("val_loss", [])]
            run.final_val_loss = _number(r.get("final_val_loss"))
            run.tokens_per_second = _number(r.get("tokens_per_second"))
    return curves


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, (int, float)) and math.isfinite(value) else None


def stored_events(session: Session, job_id: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every event of the job in order, read in batches."""
    from app.jobs import queue

    after = 0
    while True:
        batch = queue.events_after(session, job_id, after, limit=EVENT_BATCH)
        yield from ((e.type, e.data) for e in batch)
        if len(batch) < EVENT_BATCH:
            return
        after = batch[-1].seq


def for_job(session: Session, job: Job) -> Curves:
    """A quality job's curves: from its result once it succeeded, else from its events so far."""
    if job.results and job.results.get("kind") == "quality":
        return from_results(job.results)
    return from_events(job.config, stored_events(session, job.id))


# --- summaries ----------------------------------------------------------------------------------


def ema(values: list[float], weight: float) -> list[float]:
    """Exponential moving average with the given weight on the past (0 = none), debiased at the start
    so the first points are not pulled towards zero."""
    if weight <= 0:
        return list(values)
    out, acc, norm = [], 0.0, 0.0
    for v in values:
        acc = weight * acc + (1 - weight) * v
        norm = weight * norm + (1 - weight)
        out.append(acc / norm)
    return out


def band(runs: list[RunCurve], split: str, smoothing: float = 0.0) -> list[tuple[int, float, float, int]]:
    """(step, mean, std, seeds) over the runs that reached each step; std is 0 for a single seed."""
    by_step: dict[int, list[float]] = {}
    for run in runs:
        points = run.points(split)
        for (step, _), value in zip(points, ema([v for _, v in points], smoothing), strict=True):
            by_step.setdefault(step, []).append(value)
    out = []
    for step in sorted(by_step):
        values = by_step[step]
        mean = sum(values) / len(values)
        std = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1)) if len(values) > 1 else 0.0
        out.append((step, mean, std, len(values)))
    return out


# --- exports ------------------------------------------------------------------------------------

CSV_COLUMNS = ("variant", "seed", "split", "step", "loss")


def to_csv(curves: Curves) -> str:
    """One row per reported loss: variant, seed, split (train/val), step, loss (nats/token)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for run in curves.ordered():
        for split in SPLITS:
            for step, loss in run.points(split):
                writer.writerow((run.variant, run.seed, split, step, repr(loss)))
    return buffer.getvalue()


def to_json(curves: Curves) -> dict[str, Any]:
    """The JSON form: reference losses and every run's steps and losses per split."""
    return {
        "source": curves.source,
        "variants": curves.variants,
        "seeds": curves.seeds,
        "reference": curves.reference,
        "runs": [
            {
                "variant": r.variant,
                "seed": r.seed,
                "final_val_loss": r.final_val_loss,
                "tokens_per_second": r.tokens_per_second,
                **{s: {"steps": [p[0] for p in r.points(s)], "loss": [p[1] for p in r.points(s)]} for s in SPLITS},
            }
            for r in curves.ordered()
        ],
    }
