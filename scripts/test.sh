#!/usr/bin/env bash
# Set up and run the whole test suite (the tests start their own embedded
# database in temporary directories).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/setup-system.sh    # Debian chromium + a CJK font (browser tests), docker-compose (compose check)
bash scripts/setup-lint.sh      # Neo4j's Cypher linter from npm (tests/test_cypher_lint.py)
.venv/bin/python -m pytest "$@"
