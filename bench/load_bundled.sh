#!/usr/bin/env bash
# Whole-process time of `reformkg load` of the bundled corpus into a new, empty
# graph (the embedded server is reused across runs).  Use with farm-bench:
#   farm-bench -n 5 -- bash bench/load_bundled.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export REFORMKG_HOME="${REFORMKG_HOME:-/tmp/reformkg-bench}"
export REFORMKG_GRAPH_NAME="bench_$$_$RANDOM"
.venv/bin/reformkg load >/dev/null
.venv/bin/python - <<PY
from reformkg.settings import open_graph
open_graph().delete_graph()
PY
