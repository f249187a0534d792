#!/usr/bin/env bash
# Whole-process time of `reformkg load` of the bundled corpus into a new, empty graph, RUNS times
# (default 5; the embedded server is started by a first, uncounted load and then reused): each
# run's wall and CPU seconds and peak memory (GNU time), then the median wall time.  With --cold,
# every run gets a new data directory, so the load also starts the embedded server (stopped after).
#   bash bench/load_bundled.sh [--cold] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
cold=0
if [ "${1:-}" = "--cold" ]; then cold=1; shift; fi
runs="${1:-5}"
export REFORMKG_HOME="${REFORMKG_HOME:-/tmp/reformkg-bench}"
stop_server() {
  .venv/bin/python -c "import os; from pathlib import Path; from graph.server import EmbeddedFalkor; EmbeddedFalkor(Path(os.environ['REFORMKG_HOME']) / 'falkordb').stop()"
}
drop() {
  REFORMKG_GRAPH_NAME="$1" .venv/bin/python -c "from reformkg.settings import open_graph; open_graph().delete_graph()"
}
warm="bench_warm_$$"
REFORMKG_GRAPH_NAME="$warm" .venv/bin/reformkg load >/dev/null
drop "$warm"
walls=()
base_home="$REFORMKG_HOME"
for i in $(seq "$runs"); do
  graph="bench_$$_$i"
  if [ "$cold" = 1 ]; then
    export REFORMKG_HOME="$base_home/cold-$$-$i"
  fi
  out=$(REFORMKG_GRAPH_NAME="$graph" /usr/bin/time -f "%e %U %S %M" .venv/bin/reformkg load 2>&1 >/dev/null | tail -1)
  read -r wall user sys peak <<<"$out"
  echo "run $i: ${wall} s wall, $(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}') s CPU, $((peak / 1024)) MiB peak"
  walls+=("$wall")
  if [ "$cold" = 1 ]; then
    stop_server
    rm -rf "$REFORMKG_HOME"
  else
    drop "$graph"
  fi
done
printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {m = (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2; printf "median wall %.2f s over %d runs\n", m, NR}'
