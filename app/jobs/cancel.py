"""Who may cancel a job: its submitter (holding the one-time cancel token) or the admin.

The refusals are plain exceptions; the HTTP layer answers 401 (no token, or one of no job) and 403
(the valid token of another job).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.jobs import queue, tokens
from app.orm.jobs import Job


class CancelTokenMissingError(Exception):
    """No token was sent."""


class CancelTokenInvalidError(Exception):
    """The token is neither the admin's nor any job's."""


class NotYourJobError(Exception):
    """The token is another job's cancel token."""


def authorize_cancel(session: Session, job: Job, token: str | None, is_admin: bool) -> None:
    """Return when the holder of ``token`` may cancel ``job`` (``is_admin``: the token is the admin's)."""
    if token is None:
        raise CancelTokenMissingError(
            "cancelling needs the job's cancel token (returned when it was submitted) or the admin token: "
            "send Authorization: Bearer <token>"
        )
    if is_admin or tokens.owns(job, token):
        return
    if tokens.token_owns_any_job(session, token):
        raise NotYourJobError(f"this token belongs to another job; it cannot cancel job {job.id}")
    raise CancelTokenInvalidError("invalid token")


def cancel_job(session: Session, job_id: str, token: str | None, is_admin: bool) -> Job:
    """Authorize and cancel, then commit (the API's DELETE and the page's Cancel button). Raises
    JobNotFoundError, the refusals above, or JobFinishedError."""
    job = queue.get_job(session, job_id)
    authorize_cancel(session, job, token, is_admin)
    job = queue.request_cancel(session, job_id)
    session.commit()
    return job
