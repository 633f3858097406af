"""Helpers every command group shares: the user-facing error, settings from the environment, migrate, seed."""

from __future__ import annotations

from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from app.config import Settings
from app.db import create_db_engine, make_session_factory, session_scope


class CliError(RuntimeError):
    """A failure the user can fix; printed without a traceback."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(f"ACTLAB_{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in exc.errors())
        raise CliError(f"invalid configuration: {problems}") from exc


def migrate(settings: Settings) -> None:
    from app.migrate import upgrade

    engine = create_db_engine(settings)  # validates the URL and the path before Alembic runs
    try:
        with engine.connect():
            pass
    except OperationalError as exc:
        raise CliError(f"cannot connect to the database: {exc.orig}") from exc
    finally:
        engine.dispose()
    upgrade(settings)


def seed(settings: Settings) -> str:
    from app.seed import load_reference_data

    engine = create_db_engine(settings)
    try:
        with session_scope(make_session_factory(engine)) as session:
            report = load_reference_data(session)
    finally:
        engine.dispose()
    return report.summary()
