"""The "run again" buttons of a finished quality comparison: the same config with more steps or more
seeds, one click (a form POST to ``/comparisons/{id}/rerun`` carrying the one changed field).

The seeds suggested are the result's ``rerun`` preset (the fewest seeds that settle the undecided pairs
at 80% power) when it has one, else twice the seeds; the steps are doubled. Either is kept within this
server's limits by pricing it with the estimate a submission is judged by (steps are shortened until it
is accepted, as the form's "longer" preset is); a rerun no shortening makes acceptable is not offered.
The new config is built from the stored one (user text included), so the rerun differs in that one field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.config import Settings
from app.domain import InvalidInputError
from app.experiments import request as comparison_request
from app.http.estimates import Priced, price
from app.orm.jobs import Job

STEP_FACTOR = 2
SEED_FACTOR = 2
WHAT = ("steps", "seeds")


@dataclass(frozen=True)
class Rerun:
    what: str  # "steps" or "seeds"
    value: int
    label: str
    why: str
    seconds: float


def base_request(job: Job) -> dict[str, Any]:
    """The request that reproduces the job, with the user's corpus text put back."""
    raw = comparison_request.reproduce_request(job.config)
    if job.corpus_text is not None and isinstance(raw.get("corpus"), dict):
        raw["corpus"] = {**raw["corpus"], "text": job.corpus_text}
    return raw


def more_seeds(seeds: list[int], count: int) -> list[int]:
    """The job's seeds and new ones after them, ``count`` in all (the runs already made stay comparable)."""
    out = list(seeds)
    candidate = max(out, default=-1) + 1
    while len(out) < count:
        out.append(candidate)
        candidate += 1
    return out


def rerun_request(job: Job, what: str, value: int) -> dict[str, Any]:
    """The validated request fields of the job run again with ``value`` steps or seeds (a count)."""
    if what not in WHAT:
        raise InvalidInputError("what", "must be 'steps' or 'seeds'")
    raw = base_request(job)
    if what == "steps":
        raw["steps"] = value
    else:
        if value < 1:
            raise InvalidInputError("seeds", "must be at least 1", limit=1)
        raw["seeds"] = more_seeds([int(s) for s in job.config.get("seeds", [])], value)
    return comparison_request.ComparisonIn.model_validate(raw).to_raw()


def _priced(job: Job, what: str, value: int, settings: Settings) -> Priced | None:
    try:
        return price(rerun_request(job, what, value), settings)
    except (InvalidInputError, ValueError):
        return None


def choices(job: Job, results: dict[str, Any], settings: Settings) -> list[Rerun]:
    """The reruns this server would accept: more steps, more seeds (either may be missing)."""
    out: list[Rerun] = []
    steps = int(job.config.get("steps", 0))
    wanted = min(steps * STEP_FACTOR, settings.compare_max_steps)
    priced = _priced(job, "steps", wanted, settings) if wanted > steps else None
    while priced is not None and not priced.allowed and wanted > steps + 1:
        wanted = max(steps + 1, wanted * 3 // 4)
        priced = _priced(job, "steps", wanted, settings)
    if priced is not None and priced.allowed:
        out.append(Rerun("steps", wanted, f"Run again with more steps ({wanted:,})",
                         f"{wanted / steps:.1f}× the steps: the models get closer to what they can learn",
                         priced.estimate.seconds))
    seeds = len(job.config.get("seeds", []))
    suggested = (results.get("rerun") or {}).get("seeds")
    count = min(int(suggested) if suggested else seeds * SEED_FACTOR, settings.compare_max_seeds)
    why = ("the seeds that settle the undecided pairs at 80% power" if suggested
           else f"{SEED_FACTOR}× the seeds: a smaller difference becomes decidable")
    priced = _priced(job, "seeds", count, settings) if count > seeds else None
    if priced is not None and priced.allowed:
        out.append(Rerun("seeds", count, f"Run again with more seeds ({count})", why, priced.estimate.seconds))
    return out


def form_values(raw: dict[str, Any]) -> dict[str, Any]:
    """What the comparison form shows for a request (a refused rerun is shown in the form)."""
    from app.web.comparison_form import default_values

    values = default_values()
    for name in comparison_request.FORM_NUMBERS["quality"]:
        if name in raw:
            values[name] = str(len(raw[name]) if name == "seeds" and isinstance(raw[name], list) else raw[name])
    corpus = raw.get("corpus") or {}
    if corpus.get("kind") == "text":
        values["corpus_text"] = str(corpus.get("text", ""))
    elif "seed" in corpus:
        values[comparison_request.CORPUS_SEED_INPUT] = str(corpus["seed"])
    values |= {"kind": "quality", "variants": list(raw.get("variants", values["variants"])),
               "device": str(raw.get("device", "auto")), "matched": bool(raw.get("matched", True))}
    return values
