"""Smoke test of the scale benchmark: it completes at a small size and writes well-formed JSON.
Speed is judged from the benchmark's figures (bench/RESULTS.md), never here."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KEYS = {"measures", "documents", "parse_s", "link_s", "write_s", "load_s", "writes_per_s", "rss_mb",
        "link_precision", "link_recall", "api", "peers", "machine"}


def test_scale_benchmark_runs_and_writes_its_json(tmp_path: Path) -> None:
    out = tmp_path / "s.json"
    res = subprocess.run([sys.executable, str(ROOT / "bench" / "scale.py"), "--measures", "2000", "--out", str(out),
                          "--workdir", str(tmp_path / "work"), "--api-seconds", "1", "--peer-runs", "3"],
                         capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert res.returncode == 0, res.stderr[-3000:]
    r = json.loads(out.read_text(encoding="utf-8"))
    assert KEYS <= r.keys()
    assert r["measures"] == 2000 and r["documents"] == 20
    for k in ("parse_s", "link_s", "write_s", "load_s", "writes_per_s"):
        assert isinstance(r[k], (int, float)) and r[k] > 0, k
    assert set(r["rss_mb"]) == {"load", "server"} and all(v > 0 for v in r["rss_mb"].values())
    assert 0 <= r["link_precision"] <= 1 and 0 <= r["link_recall"] <= 1
    assert set(r["api"]) == {"lineage", "pilots-promoted", "search"}
    for a in r["api"].values():
        assert {"p50_ms", "p99_ms", "rps", "errors"} <= a.keys() and a["first_status"] == 200
    assert {"reformkg", "rdflib", "pyoxigraph", "networkx"} <= r["peers"].keys()
    for name in ("rdflib", "pyoxigraph", "networkx"):
        p = r["peers"][name]
        assert "error" not in p, p
        assert {"load_s", "pilots_promoted_ms", "lineage_ms", "rss_mb", "ratio"} <= p.keys()
    assert r["machine"]["cores"] >= 1 and "python" in r["machine"]["versions"]
    assert "measures" in res.stdout  # the short table
