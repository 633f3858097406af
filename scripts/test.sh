#!/usr/bin/env bash
# Set up (if needed) and run the whole suite: ruff, mypy, pytest (SQLite and the PostgreSQL at
# 127.0.0.1:5432; with CI=true an unreachable service fails the run instead of skipping).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh test
# The browser tests (tests/e2e) drive Debian's chromium through Playwright (never `playwright install`).
# CI runs as root with apt; elsewhere a failed install leaves them skipped (with CI=true they fail).
command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
  || echo "scripts/test.sh: chromium is missing and could not be installed; see tests/e2e" >&2
# The Docker tests (tests/docker) need the engine, debootstrap (a base image without a registry) and Compose.
{ command -v dockerd >/dev/null && command -v debootstrap >/dev/null && command -v docker-compose >/dev/null; } \
  || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io debootstrap docker-compose) \
  || echo "scripts/test.sh: docker.io/debootstrap/docker-compose are missing and could not be installed; see tests/docker" >&2
.venv/bin/ruff check app tests benchmarks migrations
.venv/bin/mypy app
.venv/bin/python -m pytest -q "$@"
