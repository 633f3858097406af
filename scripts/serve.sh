#!/usr/bin/env bash
# Set up (if needed) and serve on http://127.0.0.1:8000 with SQLite under ./var/ — no other server needed.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec .venv/bin/actlab serve "$@"
