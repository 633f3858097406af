"""How many unfinished comparisons one client may have (``compare_max_unfinished_per_client``).

Why: the queue limit alone let one anonymous client fill every slot in under a second, so nobody else
could queue anything. The count is kept per API process, beside the rate limiter's buckets and keyed the
same way (the client's address, see ``app.http.limits.client_key``): the job ids each client queued, of
which those still queued or running count. Submissions of one client are serialised so that parallel
requests cannot all pass the check. An identical config answered by an existing job is not new work and
is never refused.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.orm.jobs import Job


class ClientQuotaError(Exception):
    """The client has ``limit`` unfinished jobs; retry after ``retry_after`` seconds."""

    def __init__(self, limit: int, retry_after: int) -> None:
        super().__init__(
            f"you have {limit} unfinished comparisons, the most one client may have "
            "(ACTLAB_COMPARE_MAX_UNFINISHED_PER_CLIENT); wait for one to finish or cancel one"
        )
        self.limit = limit
        self.retry_after = retry_after


class ClientJobs:
    """The job ids each client queued (bounded: a flood of distinct clients clears the table)."""

    def __init__(self, max_clients: int = 100_000) -> None:
        self._jobs: dict[str, list[str]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self.max_clients = max_clients

    @contextmanager
    def submitting(self, client: str) -> Iterator[None]:
        """Hold the client's lock while its submission is checked and stored."""
        with self._guard:
            if len(self._locks) > self.max_clients:
                self._locks.clear()
                self._jobs.clear()
            lock = self._locks.setdefault(client, threading.Lock())
        with lock:
            yield

    def unfinished(self, session: Session, client: str) -> list[str]:
        """The client's jobs still queued or running (and forget the others)."""
        known = self._jobs.get(client, [])
        if not known:
            return []
        alive = set(session.scalars(select(Job.id).where(Job.id.in_(known), Job.status.in_(("queued", "running")))))
        self._jobs[client] = [job_id for job_id in known if job_id in alive]
        return self._jobs[client]

    def add(self, client: str, job_id: str) -> None:
        self._jobs.setdefault(client, []).append(job_id)
