#!/usr/bin/env bash
# Set up and run the whole test suite (the tests start their own embedded
# database in temporary directories).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/setup-browser.sh   # Debian chromium + a CJK font for tests/test_web_e2e.py
.venv/bin/python -m pytest "$@"
