"""When jobs should run and end: queue position, ETA, and the Retry-After of a full queue (reads only)."""

from __future__ import annotations

import math

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.clock import as_utc, utcnow
from app.config import Settings
from app.jobs import pace as pace_lib
from app.orm.jobs import FINISHED_STATUSES, Job, JobEvent


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


def measured_pace(session: Session, job: Job) -> pace_lib.Pace | None:
    """The running attempt's measured step pace (:func:`app.jobs.pace.measure`) from its first and last
    ``progress`` events after its latest ``start``: two indexed rows, so every poll can afford it."""
    if job.status != "running":
        return None
    mine = JobEvent.job_id == job.id
    start = session.scalar(select(func.max(JobEvent.seq)).where(mine, JobEvent.type == "start")) or 0
    progress = select(JobEvent).where(mine, JobEvent.type == "progress", JobEvent.seq > start)
    first = session.scalars(progress.order_by(JobEvent.seq).limit(1)).first()
    last = session.scalars(progress.order_by(JobEvent.seq.desc()).limit(1)).first()
    events = [(e.type, e.data, e.created_at) for e in (first, last) if e is not None]
    return pace_lib.measure(events, job.total_steps)


def eta_seconds(session: Session, job: Job) -> float | None:
    """Seconds until the job should finish: once running, from its measured step pace (the page's "time
    left" is the same figure), until that exists from its progress fraction or estimate; queued, its
    estimate plus the remaining time of everything ahead of it."""
    if job.status in FINISHED_STATUSES:
        return None
    t = utcnow()
    if job.status == "running":
        measured = measured_pace(session, job)
        if measured is not None:
            return measured.seconds_left
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
