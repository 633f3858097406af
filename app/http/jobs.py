"""Comparison jobs over HTTP: the statuses their domain refusals answer with, for the API and the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request

from app.config import Settings
from app.domain import InvalidInputError
from app.http.event_feeds import READ_LIMIT, Event
from app.http.limits import client_key
from app.http.problems import FieldError, ProblemError
from app.jobs import cancel, queue
from app.jobs.quota import ClientQuotaError
from app.jobs.submit import submit_and_publish
from app.orm.jobs import Job

CHALLENGE = 'Bearer realm="actlab"'


def submit(session: Session, settings: Settings, raw: dict[str, Any], client: str | None = None) -> queue.Submission:
    """Submit; a full queue or a client at its quota is 429 with Retry-After, a bad field is named where it
    was sent (the body)."""
    try:
        return submit_and_publish(session, settings, raw, client)
    except queue.QueueFullError as exc:
        raise ProblemError(429, str(exc), headers={"Retry-After": str(exc.retry_after)}) from exc
    except ClientQuotaError as exc:
        raise ProblemError(
            429,
            str(exc),
            headers={"Retry-After": str(exc.retry_after)},
            errors=[FieldError(loc=["client"], msg="unfinished comparisons", type="quota", limit=exc.limit)],
        ) from exc
    except InvalidInputError as exc:
        raise InvalidInputError(f"body.{exc.field}", exc.message, exc.limit, exc.status) from exc


def client_of(request: Request, settings: Settings) -> str:
    """The client a submission counts against: the rate limiter's key."""
    return client_key(request.scope, settings.trust_forwarded_for)


def event_reader(factory: sessionmaker[Session]) -> Callable[[str, int], tuple[list[Event], str]]:
    """What a job's live-progress feed reads per poll: its events after a number, and its status (404 if gone)."""

    def read(job_id: str, after: int) -> tuple[list[Event], str]:
        with factory() as session:
            job = job_or_404(session, job_id)
            events = [(e.seq, e.type, e.data) for e in queue.events_after(session, job_id, after, limit=READ_LIMIT)]
            return events, job.status

    return read


def job_or_404(session: Session, job_id: str) -> Job:
    try:
        return queue.get_job(session, job_id)
    except queue.JobNotFoundError as exc:
        raise ProblemError(404, str(exc)) from exc


def cancel_job(session: Session, job_id: str, token: str | None, is_admin: bool) -> Job:
    """Cancel for the holder of ``token``: 404, 401 (with WWW-Authenticate), 403 or 409 when refused."""
    try:
        return cancel.cancel_job(session, job_id, token, is_admin)
    except queue.JobNotFoundError as exc:
        raise ProblemError(404, str(exc)) from exc
    except cancel.CancelTokenMissingError as exc:
        raise ProblemError(401, str(exc), headers={"WWW-Authenticate": CHALLENGE}) from exc
    except cancel.CancelTokenInvalidError as exc:
        raise ProblemError(
            401, str(exc), headers={"WWW-Authenticate": f'{CHALLENGE}, error="invalid_token"'}
        ) from exc
    except cancel.NotYourJobError as exc:
        raise ProblemError(403, str(exc)) from exc
    except queue.JobFinishedError as exc:
        raise ProblemError(409, str(exc)) from exc
