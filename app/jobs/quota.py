"""How many unfinished comparisons one client may have (``compare_max_unfinished_per_client``), and the lock
that makes this and the queue's capacity hold when many submit at once.

Why: the queue limit alone let one anonymous client fill every slot in under a second, so nobody else
could queue anything. The client is the rate limiter's key (its address, see ``app.http.limits.client_key``);
each new job records a pseudonym of it in ``job_submitters``, and the client's jobs still queued or running
are counted there. It is in the database, not in a process's memory, so the quota holds across API
processes, server restarts and the pages and the API alike. An identical config answered by an existing job
is not new work and is never refused.

Counting and inserting must not interleave between two submitters, or both see a free slot: every
submission first takes one database-wide submission lock, held until its transaction ends
(:func:`serialise_submissions`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from app.orm.jobs import Job, JobSubmitter

#: The key of the PostgreSQL advisory lock that serialises submissions (any constant; this one spells "actlab").
SUBMISSION_LOCK_KEY = 0x61_63_74_6C_61_62


class ClientQuotaError(Exception):
    """The client has ``limit`` unfinished jobs; retry after ``retry_after`` seconds."""

    def __init__(self, limit: int, retry_after: int) -> None:
        super().__init__(
            f"you have {limit} unfinished comparisons, the most one client may have "
            "(ACTLAB_COMPARE_MAX_UNFINISHED_PER_CLIENT); wait for one to finish or cancel one"
        )
        self.limit = limit
        self.retry_after = retry_after


def serialise_submissions(session: Session) -> None:
    """Make this transaction the only one submitting until it commits or rolls back.

    PostgreSQL: a transaction-scoped advisory lock (nothing to clean up when a process dies). SQLite: a
    write that changes nothing takes the database's write lock at once (the process's writers queue for it
    first, app/sqlite_writes.py; other processes wait in the busy timeout), so the counts read after it are
    the latest and stay so until commit.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SUBMISSION_LOCK_KEY})
    else:
        session.execute(text("UPDATE job_submitters SET client_hash = client_hash WHERE 0 = 1"))


def client_hash(client: str) -> str:
    """The pseudonym stored for a client: equal keys give equal hashes; the address itself is not kept."""
    return hashlib.sha256(b"actlab-client\0" + client.encode("utf-8", "surrogatepass")).hexdigest()


def unfinished_count(session: Session, client: str) -> int:
    """How many of the client's jobs are still queued or running."""
    query = (
        select(func.count())
        .select_from(JobSubmitter)
        .join(Job, Job.id == JobSubmitter.job_id)
        .where(JobSubmitter.client_hash == client_hash(client), Job.status.in_(("queued", "running")))
    )
    return session.scalar(query) or 0


def record_submitter(session: Session, job_id: str, client: str) -> None:
    session.add(JobSubmitter(job_id=job_id, client_hash=client_hash(client)))


_SUBMITTING_CLIENT: ContextVar[str | None] = ContextVar("actlab_submitting_client", default=None)


@contextmanager
def submitting_as(client: str | None) -> Iterator[None]:
    """While an answer is composed, the client whose question may start a comparison.

    The question pipeline runs many kinds of operation and only "run a comparison" submits a job; the client
    is set around the whole composition here rather than passed through every operation's signature.
    """
    token = _SUBMITTING_CLIENT.set(client)
    try:
        yield
    finally:
        _SUBMITTING_CLIENT.reset(token)


def submitting_client() -> str | None:
    """The client set by :func:`submitting_as` (None outside one: a job then counts against nobody)."""
    return _SUBMITTING_CLIENT.get()
