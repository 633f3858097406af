"""Comparison jobs as rows in the database: submit, claim, heartbeat, progress, cancel, finish, requeue.

The database is the queue, whichever worker runs the job (the embedded worker polls it, Celery
workers are told job ids through the broker): every state change is one conditional UPDATE whose row
count says whether it happened, so two workers can never both own a job, on SQLite or PostgreSQL.

States: ``queued -> running -> succeeded | failed | cancelled``; ``queued -> cancelled``; a running
job whose worker stopped heartbeating goes back to ``queued`` (or to ``failed`` with the reason once
it has used ``job_max_attempts`` attempts). Nothing stays ``running`` without a live worker for longer
than ``worker_stale_seconds``. A worker that is shut down hands its job back at once (``release``: queued
again, the attempt not counted), and a job past ``job_wall_clock_limit_seconds`` fails with that reason.

This module is the only writer of job state: every transition above is a function here (the routers,
the workers and the question answerer call them). The one exception is ``app.backup``, which restores
whole rows into an empty database.

Ownership: a new job gets a one-time cancel token, returned to the submitter once; only its SHA-256 is
stored (``cancel_token_hash``), so a database dump cannot be used to cancel other people's jobs.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.clock import as_utc, utcnow
from app.config import Settings
from app.jobs import quota
from app.jobs.eta import retry_after
from app.jobs.tokens import new_cancel_token, token_hash
from app.orm.jobs import FINISHED_STATUSES, Job, JobEvent


class QueueFullError(Exception):
    """The queue holds ``compare_queue_max`` unfinished jobs; retry after ``retry_after`` seconds."""

    def __init__(self, limit: int, retry_after: int) -> None:
        super().__init__(f"the comparison queue is full ({limit} unfinished jobs, ACTLAB_COMPARE_QUEUE_MAX)")
        self.limit = limit
        self.retry_after = retry_after


class JobNotFoundError(LookupError):
    def __init__(self, job_id: str) -> None:
        super().__init__(f"no comparison job '{job_id}'")
        self.job_id = job_id


class JobFinishedError(Exception):
    """A cancel was asked for a job that has already finished."""


# --- stored configs -------------------------------------------------------------------------------


def runnable_config(job: Job) -> dict[str, Any]:
    """The config the worker runs: the stored one with the user's text put back."""
    config = dict(job.config)
    if job.corpus_text is not None:
        corpus = {k: v for k, v in config["corpus"].items() if k != "sha256"}
        config["corpus"] = {**corpus, "text": job.corpus_text}
    return config


# --- submit -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    job: Job
    #: True when an identical finished config answered at once.
    cached: bool
    #: True when an identical config was already queued or running (that job is returned).
    existing: bool
    #: The one-time cancel token of a new job (None when an existing job answered: it is not yours).
    cancel_token: str | None = None


def submit(session: Session, settings: Settings, raw: dict[str, Any], client: str | None = None) -> Submission:
    """Store a new queued job for ``raw``, or answer with the identical one already stored.

    Order of checks: validation and limits (422, :mod:`app.experiments.admission`), the cache (a
    succeeded identical job is returned at once, as is a queued or running one), then the quota of
    ``client`` (its unfinished jobs, :mod:`app.jobs.quota`; None: not counted) and queue capacity (429).
    From the cache check on, the transaction holds the submission lock, so concurrent submitters, in this
    process or another, cannot both take the last free slot; the caller's commit releases it.
    """
    from app.experiments.admission import may_answer, prepare  # torch loads on first use, after worker set-up

    prepared = prepare(raw, settings)
    quota.serialise_submissions(session)
    same = [
        job
        for job in session.scalars(
            select(Job)
            .where(Job.config_hash == prepared.config_hash, Job.status.in_(("succeeded", "queued", "running")))
            .order_by(Job.created_at.desc())
        ).all()
        if job.status != "succeeded" or may_answer(prepared, job.results)  # measured elsewhere: run it here
    ]
    for status in ("succeeded", "running", "queued"):
        for job in same:
            if job.status == status:
                return Submission(job, cached=status == "succeeded", existing=status != "succeeded")
    if client is not None and quota.unfinished_count(session, client) >= settings.compare_max_unfinished_per_client:
        raise quota.ClientQuotaError(settings.compare_max_unfinished_per_client, retry_after(session, settings))
    unfinished = session.scalar(select(func.count()).select_from(Job).where(Job.status.in_(("queued", "running"))))
    if (unfinished or 0) >= settings.compare_queue_max:
        raise QueueFullError(settings.compare_queue_max, retry_after(session, settings))
    token = new_cancel_token()
    job = Job(
        id=uuid.uuid4().hex,
        kind=prepared.kind,
        config=prepared.config,
        corpus_text=prepared.corpus_text,
        config_hash=prepared.config_hash,
        code_version=prepared.code_version,
        device_class=prepared.device_class,
        status="queued",
        cancel_requested=False,
        progress=0.0,
        done_steps=0,
        total_steps=0,
        estimate_seconds=prepared.estimate_seconds,
        estimate_flops=prepared.estimate_flops,
        attempts=0,
        cancel_token_hash=token_hash(token),
        created_at=utcnow(),
    )
    session.add(job)
    session.flush()
    if client is not None:
        quota.record_submitter(session, job.id, client)
    # The admission estimate, by phase and with peak memory, is kept with the job (its first event).
    append_event(session, job.id, "status", {"status": "queued", "estimate": prepared.estimate.to_dict()})
    return Submission(job, cached=False, existing=False, cancel_token=token)


# --- events ---------------------------------------------------------------------------------------


def append_event(session: Session, job_id: str, type_: str, data: dict[str, Any]) -> int:
    """Append to the job's event log with the next ``seq`` (retried if a concurrent writer took it)."""
    for _ in range(10):
        seq = (session.scalar(select(func.max(JobEvent.seq)).where(JobEvent.job_id == job_id)) or 0) + 1
        try:
            with session.begin_nested():
                session.add(JobEvent(job_id=job_id, seq=seq, type=type_, data=data, created_at=utcnow()))
            return seq
        except IntegrityError:
            continue
    raise RuntimeError(f"could not append an event to job {job_id}")


def events_after(session: Session, job_id: str, after_seq: int, limit: int = 500) -> list[JobEvent]:
    return list(
        session.scalars(
            select(JobEvent)
            .where(JobEvent.job_id == job_id, JobEvent.seq > after_seq)
            .order_by(JobEvent.seq)
            .limit(limit)
        )
    )


# --- reading --------------------------------------------------------------------------------------


def get_job(session: Session, job_id: str) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise JobNotFoundError(job_id)
    return job


def list_jobs(session: Session, limit: int, offset: int) -> tuple[list[Job], int]:
    total = session.scalar(select(func.count()).select_from(Job)) or 0
    jobs = session.scalars(select(Job).order_by(Job.created_at.desc(), Job.id).limit(limit).offset(offset)).all()
    return list(jobs), total


# --- worker side: claim, heartbeat, progress, finish, requeue ----------------------------------


def claim(session_factory: sessionmaker[Session], worker_id: str, job_id: str | None = None) -> Job | None:
    """Atomically take the oldest queued job (or ``job_id``) for ``worker_id``; None if there is none.

    PostgreSQL: ``SELECT … FOR UPDATE SKIP LOCKED`` picks a row no other worker is looking at. Both
    databases: the UPDATE is conditional on ``status = 'queued'`` and its row count is checked, so a
    job is claimed by exactly one worker even when two race for it.
    """
    with session_factory() as session:
        for _ in range(5):
            query = select(Job.id).where(Job.status == "queued")
            query = query.where(Job.id == job_id) if job_id else query.order_by(Job.created_at, Job.id).limit(1)
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            candidate = session.scalar(query)
            if candidate is None:
                session.rollback()
                return None
            t = utcnow()
            result = session.execute(
                update(Job)
                .where(Job.id == candidate, Job.status == "queued")
                .values(status="running", worker=worker_id, attempts=Job.attempts + 1, started_at=t, heartbeat_at=t)
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                append_event(session, candidate, "status", {"status": "running", "worker": worker_id})
                session.commit()
                return session.get(Job, candidate)
            session.rollback()
            if job_id:
                return None
    return None


def heartbeat(session_factory: sessionmaker[Session], job_id: str, worker_id: str) -> bool:
    """Refresh the heartbeat; False when the job is no longer this worker's (requeued or finished)."""
    with session_factory() as session:
        result = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.worker == worker_id, Job.status == "running")
            .values(heartbeat_at=utcnow())
        )
        session.commit()
        return bool(result.rowcount)  # type: ignore[attr-defined]


def record_progress(
    session_factory: sessionmaker[Session],
    job_id: str,
    worker_id: str,
    done: int,
    total: int,
    events: list[tuple[str, dict[str, Any]]],
) -> bool:
    """Store progress and append events; returns whether cancellation was requested (or the job was
    taken from this worker)."""
    with session_factory() as session:
        result = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.worker == worker_id, Job.status == "running")
            .values(done_steps=done, total_steps=total, progress=done / total if total else 0.0, heartbeat_at=utcnow())
        )
        owned = bool(result.rowcount)  # type: ignore[attr-defined]
        if owned:
            for type_, data in events:
                append_event(session, job_id, type_, data)
        session.commit()
        return not owned or cancel_requested(session, job_id)


def cancel_requested(session: Session, job_id: str) -> bool:
    return bool(session.scalar(select(Job.cancel_requested).where(Job.id == job_id)))


def finish(
    session_factory: sessionmaker[Session],
    job_id: str,
    worker_id: str,
    status: str,
    results: dict[str, Any] | None = None,
    error: str | None = None,
) -> bool:
    """Move a running job of this worker to a final status; False if it is no longer this worker's."""
    assert status in FINISHED_STATUSES
    with session_factory() as session:
        values: dict[str, Any] = {"status": status, "finished_at": utcnow(), "error": error, "results": results}
        if status == "succeeded":
            values["progress"] = 1.0
        result = session.execute(
            update(Job).where(Job.id == job_id, Job.worker == worker_id, Job.status == "running").values(**values)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            session.rollback()
            return False
        append_event(session, job_id, "status", {"status": status, **({"error": error} if error else {})})
        session.commit()
        return True


def release(session_factory: sessionmaker[Session], job_id: str, worker_id: str, reason: str) -> str | None:
    """A worker that is shutting down hands its running job back: queued again at once, its attempt not
    counted (it did not crash), or cancelled if a cancel was asked meanwhile. Returns the new status, or
    None when the job is no longer this worker's."""
    with session_factory() as session:
        flagged = cancel_requested(session, job_id)
        values: dict[str, Any] = (
            {"status": "cancelled", "finished_at": utcnow()}
            if flagged
            else {
                "status": "queued",
                "worker": None,
                "progress": 0.0,
                "done_steps": 0,
                "heartbeat_at": None,
                "attempts": Job.attempts - 1,  # claim counted it; a clean hand-back is no attempt
            }
        )
        result = session.execute(
            update(Job).where(Job.id == job_id, Job.worker == worker_id, Job.status == "running").values(**values)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            session.rollback()
            return None
        status = str(values["status"])
        append_event(session, job_id, "status", {"status": status, "reason": reason})
        session.commit()
        return status


def request_cancel(session: Session, job_id: str) -> Job:
    """Cancel a queued job at once; flag a running one (its worker stops at the next step it reports).
    Raises JobFinishedError for a finished job."""
    job = get_job(session, job_id)
    if job.status == "queued":
        result = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "queued")
            .values(status="cancelled", cancel_requested=True, finished_at=utcnow())
        )
        if result.rowcount:  # type: ignore[attr-defined]
            append_event(session, job_id, "status", {"status": "cancelled"})
            session.flush()
            session.refresh(job)
            return job
        session.refresh(job)  # claimed meanwhile: cancel it as a running job
    if job.status == "running":
        session.execute(update(Job).where(Job.id == job_id).values(cancel_requested=True))
        session.flush()
        session.refresh(job)
        return job
    raise JobFinishedError(f"job {job_id} has already {job.status}")


def requeue_stale(
    session_factory: sessionmaker[Session], settings: Settings, dead_worker: str | None = None, why: str = ""
) -> list[str]:
    """Running jobs whose heartbeat is older than ``worker_stale_seconds`` lost their worker: queue them
    again, or fail them with the reason after ``job_max_attempts`` attempts (a cancelled one is marked
    cancelled). With ``dead_worker`` (a worker id prefix) the jobs of that worker, known dead, are
    handled so at once, whatever their heartbeat, ``why`` giving the reason. The attempt counts either
    way. Returns the ids put back in the queue."""
    cutoff = utcnow() - timedelta(seconds=settings.worker_stale_seconds)
    requeued = []
    with session_factory() as session:
        lost = Job.worker.startswith(dead_worker, autoescape=True) if dead_worker else Job.heartbeat_at < cutoff
        stale = session.scalars(select(Job).where(Job.status == "running", lost)).all()
        for job in stale:
            last = as_utc(job.heartbeat_at)
            reason = why or (
                f"worker {job.worker} stopped (last heartbeat {last:%Y-%m-%d %H:%M:%S} UTC)" if last else "worker lost"
            )
            if job.cancel_requested:
                values: dict[str, Any] = {"status": "cancelled", "finished_at": utcnow()}
            elif job.attempts >= settings.job_max_attempts:
                values = {
                    "status": "failed",
                    "finished_at": utcnow(),
                    "error": f"gave up after {job.attempts} attempts (ACTLAB_JOB_MAX_ATTEMPTS): {reason}",
                }
            else:
                values = {"status": "queued", "worker": None, "progress": 0.0, "done_steps": 0}
            result = session.execute(
                update(Job)
                .where(Job.id == job.id, Job.status == "running", Job.worker == job.worker, lost)
                .values(**values),
                execution_options={"synchronize_session": False},  # compared in SQL; SQLite returns naive times
            )
            if result.rowcount:  # type: ignore[attr-defined]
                append_event(
                    session,
                    job.id,
                    "status",
                    {
                        "status": values["status"],
                        "reason": reason,
                        **({"error": values["error"]} if "error" in values else {}),
                    },
                )
                if values["status"] == "queued":
                    requeued.append(job.id)
        session.commit()
    return requeued


def queued_ids(session_factory: sessionmaker[Session]) -> list[str]:
    with session_factory() as session:
        return list(session.scalars(select(Job.id).where(Job.status == "queued").order_by(Job.created_at)))
