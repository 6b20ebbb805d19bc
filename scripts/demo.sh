#!/usr/bin/env bash
# Install what is needed, seed the demo ISP into the embedded database and serve it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/quita demo "$@"
