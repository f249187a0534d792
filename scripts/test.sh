#!/usr/bin/env bash
# Set up and run the whole test suite (the tests start their own embedded
# database in temporary directories).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m pytest "$@"
