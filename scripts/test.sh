#!/usr/bin/env bash
# The project's checks, the same locally and in CI: lint, format, types, the tests, then the
# bundled conversation evals with the offline brain, gated by evals/threshold.json.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/pytest "$@"
QUITA_DATA_DIR="$(mktemp -d)" .venv/bin/quita eval run evals/suites --brain offline --gate
