"""A submitter process for the quota race (tests/jobs/test_quota.py), in a module of its own so the processes
load only the app, not the test modules and their fixtures."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.config import Settings
from app.db import create_db_engine, make_session_factory
from app.jobs.queue import QueueFullError
from app.jobs.quota import ClientQuotaError
from app.jobs.submit import submit_and_publish


def submit_at_once(url: str, overrides: dict[str, Any], client: str, config: dict[str, Any], barrier: Any,
                   out: Any) -> None:
    """Connect, wait for the other submitters, then submit ``config`` for ``client``; put (client, outcome)."""
    from app.experiments import admission  # noqa: F401  (torch and the admission code load before the race)

    settings = Settings(database_url=url, environment="test", **overrides)
    engine = create_db_engine(settings)
    try:
        with make_session_factory(engine)() as session:
            session.execute(select(1))
            barrier.wait(timeout=120)
            try:
                submit_and_publish(session, settings, config, client)
                out.put((client, "queued"))
            except ClientQuotaError:
                out.put((client, "quota"))
            except QueueFullError:
                out.put((client, "full"))
            except Exception as exc:  # any other outcome is a failure the test names
                out.put((client, f"error: {exc!r}"))
    finally:
        engine.dispose()
