"""Where a job stands in words a person reads: its measured pace and time left, its place in the queue,
and its step count (never "0 / 0 steps" before the first step is known).

The time left is measured, not guessed: the seconds per step between the job's stored ``progress``
events of its current attempt (their storage times and step counts), times the steps still to run. The
admission estimate (``app.jobs.eta``) stays the answer until two progress events a second apart exist,
so the corpus build and process start-up never count as training steps.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.clock import as_utc, utcnow

#: The shortest stretch of progress events a pace is measured over.
MIN_MEASURED_SECONDS = 1.0


@dataclass(frozen=True)
class Pace:
    seconds_per_step: float
    measured_steps: int
    seconds_left: float


def measure(
    events: Iterable[tuple[str, dict[str, Any], datetime]], total_steps: int, now: datetime | None = None
) -> Pace | None:
    """The pace of the current attempt from (type, data, stored at) events in order; None until two
    progress events at least MIN_MEASURED_SECONDS apart exist."""
    first: tuple[datetime, int] | None = None
    last: tuple[datetime, int] | None = None
    for type_, data, at in events:
        if type_ == "start":
            first = last = None
        elif type_ == "progress":
            point = (as_utc(at) or at, int(data.get("done_steps", 0)))
            first = first or point
            last = point
    if first is None or last is None:
        return None
    span = (last[0] - first[0]).total_seconds()
    steps = last[1] - first[1]
    if span < MIN_MEASURED_SECONDS or steps <= 0:
        return None
    per_step = span / steps
    since_last = max(0.0, ((now or utcnow()) - last[0]).total_seconds())
    left = max(0.0, per_step * max(0, total_steps - last[1]) - since_last)
    return Pace(per_step, steps, left)


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st …"""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def queue_words(position: int | None) -> str | None:
    """"next in the queue" for 1, else "3rd in the queue"; None when not queued."""
    if position is None:
        return None
    return "next in the queue" if position == 1 else f"{ordinal(position)} in the queue"


def planned_steps(config: dict[str, Any]) -> int:
    """The optimiser steps a quality config will run (variants × seeds × steps); 0 when unknown."""
    try:
        return len(config["variants"]) * len(config["seeds"]) * int(config["steps"])
    except (KeyError, TypeError, ValueError):
        return 0


def steps_words(done: int, total: int, status: str) -> str:
    """The step counter: "120 / 2400 steps", or what happens before the first step is known."""
    if total > 0:
        return f"{done} / {total} steps"
    if status == "queued":
        return "waiting for a worker"
    if status == "running":
        return "starting: building the corpus and the models"
    return "no steps were run"


def duration_words(seconds: float) -> str:
    """"about 40 s", "about 3 min", "about 1 h 20 min"."""
    s = max(0, round(seconds))
    if s < 90:
        return f"about {s} s"
    minutes = round(s / 60)
    if minutes < 90:
        return f"about {minutes} min"
    return f"about {minutes // 60} h {minutes % 60} min"
