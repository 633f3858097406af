"""``actlab export FILE`` and ``actlab import FILE``: user data to and from versioned JSON lines."""

from __future__ import annotations

from typing import Any

from app.backup import BackupError, export_data, import_data
from app.cli.common import CliError, load_settings, migrate


def register_commands(sub: Any) -> None:
    """Add ``export`` and ``import`` to the ``actlab`` parser."""
    export = sub.add_parser("export", help="write threads, posts and jobs to a file (JSON lines; .gz compresses)")
    export.add_argument("file", help="where to write (- = standard output)")
    export.set_defaults(func=cmd_export)
    restore = sub.add_parser("import", help="restore an export into a new database (all or nothing)")
    restore.add_argument("file", help="an `actlab export` file (- = standard input)")
    restore.set_defaults(func=cmd_import)


def cmd_export(args: Any) -> None:
    try:
        counts = export_data(load_settings(), args.file)
    except (BackupError, OSError) as exc:
        raise CliError(str(exc)) from exc
    if args.file != "-":
        print(f"exported {', '.join(f'{n} {t}' for t, n in counts.items())} to {args.file}")


def cmd_import(args: Any) -> None:
    settings = load_settings()
    migrate(settings)
    try:
        report = import_data(settings, args.file)
    except BackupError as exc:
        raise CliError(f"import refused: {exc}") from exc
    print(report.summary())
    print("run `actlab seed` (or start `actlab serve`) to load the reference data")
