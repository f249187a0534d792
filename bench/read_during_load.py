"""Latency of the lineage endpoint while ``reformkg load`` runs, against idle.

    python bench/read_during_load.py [--runs 3] [--requests 200]

A fresh data directory gets the 15-document corpus of the crash harness (version A); then, per
run, the API (TestClient over a FalkorBackend on the same server) asks
``/measures/{id}/lineage`` ``--requests`` times idle, and as many times while a ``reformkg load``
subprocess replaces all 15 documents (A by B, B by A: 15 document writes and a lineage refresh).
Prints p50 / p99 / max per run and the median over runs, plus the count of non-200 answers.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient  # noqa: E402

from api.app import create_app  # noqa: E402
from tests.reliability import harness  # noqa: E402
from tests.reliability.corpus import make_corpus  # noqa: E402

MEASURE = "粤府办-2018-34/9-3"


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def sample(client: TestClient, n: int | None, until=None) -> tuple[list[float], int]:
    times, bad = [], 0
    url = f"/measures/{quote(MEASURE, safe='')}/lineage"
    i = 0
    while (n is not None and i < n) or (until is not None and until()):
        t0 = time.perf_counter()
        r = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        bad += r.status_code != 200
        i += 1
    return times, bad


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--requests", type=int, default=200)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="rkg-bench-"))
    corpus = {v: work / v for v in "AB"}
    for v, d in corpus.items():
        make_corpus(d, copies=2, version=v)
    home = work / "home"
    rc, secs, out = harness.run_load(home, corpus["A"])
    assert rc == 0, out
    store = harness.open_store(home)
    results = []
    try:
        with TestClient(create_app(store=store)) as client:
            sample(client, 20)  # warm up
            version = "B"
            for run in range(args.runs):
                idle, idle_bad = sample(client, args.requests)
                proc = subprocess.Popen([harness.REFORMKG, "load", str(corpus[version])], env=harness.env_for(home),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                t0 = time.perf_counter()
                busy, busy_bad = sample(client, None, until=lambda: proc.poll() is None)
                load_s = time.perf_counter() - t0
                assert proc.wait() == 0
                version = "A" if version == "B" else "B"
                row = {"run": run + 1, "load_s": round(load_s, 2),
                       "idle": {"n": len(idle), "p50_ms": round(pct(idle, 50), 2), "p99_ms": round(pct(idle, 99), 2),
                                "max_ms": round(max(idle), 2), "non_200": idle_bad},
                       "during_load": {"n": len(busy), "p50_ms": round(pct(busy, 50), 2),
                                       "p99_ms": round(pct(busy, 99), 2), "max_ms": round(max(busy), 2),
                                       "non_200": busy_bad}}
                results.append(row)
                print(json.dumps(row))
    finally:
        store.close()
        harness.stop_server(home)
    summary = {k: {m: statistics.median(r[k][m] for r in results) for m in ("p50_ms", "p99_ms", "max_ms")}
               for k in ("idle", "during_load")}
    summary["non_200"] = sum(r["idle"]["non_200"] + r["during_load"]["non_200"] for r in results)
    print("median over runs:", json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
