#!/usr/bin/env bash
# The main job on the embedded database: set up, load the bundled corpus (or
# the files given), print what the graph holds.  Data lives in $REFORMKG_HOME
# (default ~/.local/share/reformkg).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/reformkg load "$@"
.venv/bin/reformkg stats
