"""A worker process's environment: the server's *effective* settings for the worker it starts, and the
niceness and thread bounds every worker sets on itself (the embedded one, ``actlab worker``, Celery's).

Why: a child process that re-reads its settings from its own environment, ``.env`` and working directory
can disagree with the server that started it — a relative SQLite URL (the default
``sqlite:///./var/actlab.db``) names another, empty file when the server was started from another
directory, and the server's ``.env`` (say, the wall-clock limit per job) would not reach it. So every
setting is passed as its ``ACTLAB_*`` variable with the value the server uses, and a relative SQLite path
is made absolute against the server's working directory.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy.engine import make_url

from app.config import Settings


def absolute_database_url(url: str, cwd: Path) -> str:
    """``url`` with a relative SQLite file resolved against ``cwd`` (other URLs unchanged)."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:" or Path(database).is_absolute():
        return url
    return parsed.set(database=str((cwd / database).resolve())).render_as_string(hide_password=False)


def _text(value: object) -> str:
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value)
    return str(value)


def settings_environment(settings: Settings, cwd: Path | None = None) -> dict[str, str]:
    """``ACTLAB_<NAME>`` for every setting that has a value, as this process has it."""
    env = {
        f"ACTLAB_{name.upper()}": _text(getattr(settings, name))
        for name in Settings.model_fields
        if getattr(settings, name) is not None
    }
    env["ACTLAB_DATABASE_URL"] = absolute_database_url(settings.database_url, cwd or Path.cwd())
    return env


def prepare_process(settings: Settings) -> None:
    """Nice this process and bound torch threads before any job imports torch's thread pools."""
    with contextlib.suppress(OSError):
        os.nice(settings.worker_nice)
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(settings.worker_speed_threads))
