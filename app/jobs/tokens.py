"""Cancel tokens: a new job's one-time token is handed to its submitter; only its SHA-256 is stored
(``cancel_token_hash``), so a database dump cannot be used to cancel other people's jobs."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.orm.jobs import Job


def new_cancel_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def owns(job: Job, token: str) -> bool:
    """Whether ``token`` is the cancel token handed out for ``job`` (constant-time comparison)."""
    if job.cancel_token_hash is None:
        return False
    return hmac.compare_digest(token_hash(token), job.cancel_token_hash)


def token_owns_any_job(session: Session, token: str) -> bool:
    """Whether ``token`` is the cancel token of some job (a valid token, possibly of another job)."""
    return session.scalar(select(Job.id).where(Job.cancel_token_hash == token_hash(token)).limit(1)) is not None
