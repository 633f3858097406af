"""When jobs should run and end: queue position, ETA, and the Retry-After of a full queue (reads only)."""

from __future__ import annotations

import math

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.clock import as_utc, utcnow
from app.config import Settings
from app.orm.jobs import FINISHED_STATUSES, Job


def retry_after(session: Session, settings: Settings) -> int:
    """Seconds until a queue slot is likely free: the soonest expected end among running jobs (their
    estimate minus elapsed time), else the shortest queued estimate; at least 1."""
    running = session.scalars(select(Job).where(Job.status == "running")).all()
    if running:
        t = utcnow()
        left = [max(1.0, j.estimate_seconds - (t - (as_utc(j.started_at) or t)).total_seconds()) for j in running]
        return max(1, math.ceil(min(left)))
    queued = session.scalars(select(Job.estimate_seconds).where(Job.status == "queued")).all()
    return max(1, math.ceil(min(queued))) if queued else 1


def queue_position(session: Session, job: Job) -> int | None:
    """1 = next to be claimed; None once the job is no longer queued."""
    if job.status != "queued":
        return None
    ahead = session.scalar(
        select(func.count()).select_from(Job).where(Job.status == "queued", Job.created_at < job.created_at)
    )
    return int(ahead or 0) + 1


def eta_seconds(session: Session, job: Job) -> float | None:
    """Seconds until the job should finish: from its own pace once running, else its estimate plus the
    remaining time of everything ahead of it."""
    if job.status in FINISHED_STATUSES:
        return None
    t = utcnow()
    if job.status == "running":
        elapsed = (t - (as_utc(job.started_at) or t)).total_seconds()
        if job.progress > 0.02:
            return max(0.0, elapsed / job.progress - elapsed)
        return max(0.0, job.estimate_seconds - elapsed)
    ahead = session.scalars(
        select(Job).where(Job.status.in_(("queued", "running")), Job.created_at < job.created_at)
    ).all()
    waiting = sum(eta_seconds(session, j) or 0.0 for j in ahead if j.status == "running")
    waiting += sum(j.estimate_seconds for j in ahead if j.status == "queued")
    return waiting + job.estimate_seconds
