#!/usr/bin/env bash
# Install Neo4j's Cypher linter for tests/test_cypher_lint.py (npm ci into tests/cypher_lint),
# when node_modules is missing or package-lock.json changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/../tests/cypher_lint"
if ! command -v npm >/dev/null 2>&1; then
    echo "setup-lint: npm not found; install node (>= 18) to run the Cypher lint test" >&2
    exit 1
fi
stamp=node_modules/.package-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules/@neo4j-cypher/language-support ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" > "$stamp"
fi
