#!/usr/bin/env bash
# Set up (if needed) and run the whole suite: ruff, mypy, pytest (SQLite and the PostgreSQL at
# 127.0.0.1:5432; with CI=true an unreachable service fails the run instead of skipping).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
.venv/bin/ruff check app tests benchmarks migrations
.venv/bin/mypy app
.venv/bin/python -m pytest -q "$@"
