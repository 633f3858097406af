"""The ``actlab`` command: serve, migrate, seed (other subcommands register themselves below)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from pydantic import ValidationError
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from app.config import Settings
from app.db import DatabaseConfigError, create_db_engine, make_session_factory, session_scope


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


def cmd_migrate(args: argparse.Namespace) -> None:
    settings = load_settings()
    migrate(settings)
    print(f"database at the latest migration ({settings.database_url.split('://', 1)[0]})")


def cmd_seed(args: argparse.Namespace) -> None:
    settings = load_settings()
    migrate(settings)
    print(seed(settings))


def cmd_serve(args: argparse.Namespace) -> None:
    import uvicorn

    settings = load_settings(host=args.host, port=args.port)
    migrate(settings)
    print(seed(settings))
    for hook in SERVE_HOOKS:
        hook(settings)
    print(f"serving on http://{settings.host}:{settings.port}")
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        workers=args.workers,
        access_log=False,  # the app logs each request itself, with its request id
        timeout_graceful_shutdown=settings.http_shutdown_timeout_seconds,  # SSE streams never end by themselves
    )


# Callables run by `actlab serve` after migrations and seed, before the server starts (e.g. a worker).
SERVE_HOOKS: list[Callable[[Settings], None]] = []


def _start_comparison_worker(settings: Settings) -> None:
    from app.jobs.commands import start_embedded_worker

    start_embedded_worker(settings)


SERVE_HOOKS.append(_start_comparison_worker)  # comparisons (issue 4): one worker process beside the API


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="actlab", description="Activation Lab service and tools.")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="migrate, load the reference data if needed, and serve HTTP")
    serve.add_argument("--host", help="bind address (default from ACTLAB_HOST, 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default from ACTLAB_PORT, 8000)")
    serve.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (default 1)")
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="apply database migrations").set_defaults(func=cmd_migrate)
    sub.add_parser("seed", help="load app/data into the database (idempotent)").set_defaults(func=cmd_seed)
    # --- further subcommands ---
    from app.jobs.commands import register_commands

    register_commands(sub)  # compare, worker (issue 4)
    from app.answers.cli import register_commands as register_answer_commands

    register_answer_commands(sub)  # ask (issue 5)
    from app.backup import register_commands as register_backup_commands

    register_backup_commands(sub)  # export, import (issue 6)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except (CliError, DatabaseConfigError) as exc:
        print(f"actlab: error: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        print(f"actlab: database error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
