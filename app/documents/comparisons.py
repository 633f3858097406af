"""The JSON form of a comparison job: the API's body and the pages' data alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.clock import iso_utc
from app.jobs import eta
from app.orm.jobs import Job

API_BASE = "/api/v1/comparisons"
PAGE_BASE = "/comparisons"


def job_view(session: Session, job: Job, results: bool = True) -> dict[str, Any]:
    """A job with its progress, queue position and ETA, config and (with ``results``) its results."""
    base = f"{API_BASE}/{job.id}"
    out: dict[str, Any] = {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "cancel_requested": job.cancel_requested,
        "progress": round(job.progress, 4),
        "done_steps": job.done_steps,
        "total_steps": job.total_steps,
        "queue_position": eta.queue_position(session, job),
        "eta_seconds": _rounded(eta.eta_seconds(session, job)),
        "estimate": {"seconds": round(job.estimate_seconds, 1), "flops": job.estimate_flops},
        "attempts": job.attempts,
        "error": job.error,
        "device_class": job.device_class,
        "code_version": job.code_version,
        "config": job.config,
        "created_at": iso_utc(job.created_at),
        "started_at": iso_utc(job.started_at),
        "finished_at": iso_utc(job.finished_at),
        "links": {"self": base, "events": f"{base}/events", "page": f"{PAGE_BASE}/{job.id}"},
    }
    if results:
        out["results"] = job.results
    return out


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
