"""Submitting a comparison: store it (or find the identical one), commit, and with the Celery backend
tell a worker. The API's POST and the comparison form both come here; the job row is written by
:func:`app.jobs.queue.submit`."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.config import Settings
from app.jobs import queue


def submit_and_publish(
    session: Session, settings: Settings, raw: dict[str, Any], client: str | None = None
) -> queue.Submission:
    """Raises what :func:`app.jobs.queue.submit` raises (InvalidInputError, QueueFullError, ClientQuotaError),
    before any commit. ``client`` (the rate limiter's key) is held to ``compare_max_unfinished_per_client``.
    A refusal rolls back at once, so the submission lock (app.jobs.quota) is not held while it is answered."""
    try:
        submission = queue.submit(session, settings, raw, client)
    except BaseException:
        session.rollback()
        raise
    session.commit()
    if not (submission.cached or submission.existing):
        announce(settings, submission.job.id)
    return submission


def announce(settings: Settings, job_id: str) -> None:
    """After the commit, tell a Celery worker about a queued job; the embedded worker polls and needs no word."""
    if settings.job_backend == "celery":
        from app.jobs.celery_app import publish  # imports Celery, which only that backend needs

        publish(settings, job_id)
