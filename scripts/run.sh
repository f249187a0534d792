#!/usr/bin/env bash
# The main job on the embedded database: set up, load the bundled corpus (or
# the files given), print what the graph holds, then serve the graph API on
# http://127.0.0.1:8000/ (REFORMKG_HOST / REFORMKG_PORT to change; Ctrl-C stops).
# Data lives in $REFORMKG_HOME (default ~/.local/share/reformkg).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/reformkg load "$@"
.venv/bin/reformkg stats
exec .venv/bin/reformkg serve --host "${REFORMKG_HOST:-127.0.0.1}" --port "${REFORMKG_PORT:-8000}"
