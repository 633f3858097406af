"""The ``actlab`` command: serve, migrate and seed here; each other command group registers its subcommands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from sqlalchemy.exc import SQLAlchemyError

from app.cli import answers as answer_commands
from app.cli import backup as backup_commands
from app.cli import jobs as job_commands
from app.cli.common import CliError, load_settings, migrate, seed
from app.config import Settings
from app.db import DatabaseConfigError


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

    from app.http.header_deadline import ConnectionLimits, HeadDeadlineProtocol, fit_open_files

    settings = load_settings(host=args.host, port=args.port)
    # The connection cap must fit in the open-file limit (raised here; the workers inherit it).
    connections, open_files = fit_open_files(settings.http_max_connections)
    if connections < settings.http_max_connections:
        print(f"open-file limit {open_files}: at most {connections} connections (ACTLAB_HTTP_MAX_CONNECTIONS "
              f"{settings.http_max_connections})", file=sys.stderr)
    HeadDeadlineProtocol.configure(ConnectionLimits(settings.http_header_timeout_seconds, connections))
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
        # Exposed without a proxy: h11 bounds what it buffers of a request head (httptools does not), so an
        # oversized head is refused by the parser; app/http/front_limits.py answers 431/414 below that bound.
        # The protocol adds the head deadline and the connection cap (uvicorn's limit_concurrency would answer
        # 503 to every request once the cap is full of idle sockets instead of closing the idlest).
        http=HeadDeadlineProtocol,
        h11_max_incomplete_event_size=settings.http_max_header_bytes + settings.http_max_url_bytes + 1024,
        timeout_keep_alive=settings.http_keep_alive_timeout_seconds,
        backlog=min(connections, 4096),  # a burst of connects waits in the kernel rather than being refused
    )


# Callables run by `actlab serve` after migrations and seed, before the server starts (e.g. a worker).
SERVE_HOOKS: list[Callable[[Settings], None]] = []


SERVE_HOOKS.append(job_commands.start_embedded_worker)  # one comparison job worker process beside the API


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
    job_commands.register_commands(sub)  # compare, worker
    answer_commands.register_commands(sub)  # ask
    backup_commands.register_commands(sub)  # export, import
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
