"""Medians of several ``bench/scale.py`` runs, as the Markdown rows of bench/RESULTS.md.

    python bench/summarise.py /tmp/rkgbench/s1k-*.json /tmp/rkgbench/s10k-*.json /tmp/rkgbench/s100k-*.json

Runs are grouped by their ``measures``; every figure is the median over the group's runs (the
machine is shared and noisy: one run is not a figure), with the number of runs in the header.
Growth factors are the ratio of the medians from one size to the next (10x the measures).
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections.abc import Callable
from pathlib import Path
from typing import Any

Getter = Callable[[dict], Any]

ROWS: list[tuple[str, Getter, str]] = [
    ("`reformkg load` whole process (s)", lambda r: r["load_s"], ".1f"),
    ("parse, summed over the worker processes (s)", lambda r: r.get("parse_s"), ".1f"),
    ("build, summed over the worker processes (s)", lambda r: r.get("build_s"), ".1f"),
    ("write, time in write calls (s)", lambda r: r.get("write_s"), ".2f"),
    ("parse + build + write, wall (s)", lambda r: r.get("documents_s"), ".1f"),
    ("writes (measures/s)", lambda r: r.get("writes_per_s"), ",.0f"),
    ("lineage refresh (s)", lambda r: r.get("link_s"), ".1f"),
    ("  read the measures (s)", lambda r: r["stages"].get("lineage_read_s"), ".2f"),
    ("  find_links (s)", lambda r: r["stages"].get("lineage_find_links_s"), ".1f"),
    ("  write the derived relationships (s)", lambda r: r["stages"].get("lineage_write_s"), ".2f"),
    ("peak RSS, load process (MB)", lambda r: r["rss_mb"]["load"], ",.0f"),
    ("peak RSS, server (MB)", lambda r: r["rss_mb"]["server"], ",.0f"),
    ("link precision (generator truth)", lambda r: r.get("link_precision"), ".3f"),
    ("link recall (generator truth)", lambda r: r.get("link_recall"), ".3f"),
]
API = ("lineage", "pilots-promoted", "search")


def median(runs: list[dict], get: Getter) -> float | None:
    values = []
    for r in runs:
        try:
            v = get(r)
        except (KeyError, TypeError):
            v = None
        if isinstance(v, (int, float)):
            values.append(float(v))
    return statistics.median(values) if values else None


def api_rows() -> list[tuple[str, Getter, str]]:
    """Per endpoint: served as configured (read cache on) and uncached, on varied URLs (the
    figure that is not one cached answer) and on one URL."""
    rows: list[tuple[str, Getter, str]] = []
    for key, what in (("api", "cached"), ("api_uncached", "uncached")):
        for name in API:
            for how, pick in (("varied", lambda a: a["varied"]), ("one URL", lambda a: a),
                              ("one URL at a fixed 1,000/s (hey)", lambda a: a["fixed_rate"]),
                              ("varied, paced at ~1,000/s (wrk, 16 connections, 12 ms pauses)",
                               lambda a: a["varied_paced"])):
                def get(r: dict, k=key, n=name, p=pick) -> Any:
                    return p(r[k][n])
                rows += [
                    (f"API {name}, {what}, {how}: p50 / p99 (ms)",
                     lambda r, g=get: (g(r)["p50_ms"], g(r)["p99_ms"]), "pair"),
                    (f"API {name}, {what}, {how}: requests/s (errors)",
                     lambda r, g=get: (g(r)["rps"], g(r)["errors"]), "rps"),
                ]
    return rows


def table(groups: dict[int, list[dict]]) -> str:
    sizes = sorted(groups)
    head = "| | " + " | ".join(f"{s:,} ({len(groups[s])} runs)" for s in sizes) + " | " + " | ".join(
        f"growth {a // 1000}k→{b // 1000}k" for a, b in zip(sizes, sizes[1:])) + " |"
    lines = [head, "|" + "---|" * (1 + len(sizes) + max(0, len(sizes) - 1))]
    for label, get, spec in ROWS + api_rows():
        if spec in ("pair", "rps"):  # two medians in one cell, no growth factor
            firsts = [median(groups[s], lambda r, g=get: g(r)[0]) for s in sizes]
            seconds = [median(groups[s], lambda r, g=get: g(r)[1]) for s in sizes]
            fmt = (".1f", ".1f") if spec == "pair" else (",.0f", ".0f")
            cells = ["-" if a is None else (f"{a:{fmt[0]}} / {b:{fmt[1]}}" if spec == "pair" else
                                            f"{a:{fmt[0]}} ({b:{fmt[1]}})") for a, b in zip(firsts, seconds)]
            lines.append(f"| {label} | " + " | ".join(cells) + " |" + " |" * max(0, len(sizes) - 1))
            continue
        meds = [median(groups[s], get) for s in sizes]
        cells = ["-" if m is None else format(m, spec) for m in meds]
        growth = ["-" if not (a and b) else f"{b / a:.1f}x" for a, b in zip(meds, meds[1:])]
        lines.append(f"| {label} | " + " | ".join(cells) + " | " + " | ".join(growth) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="+", type=Path)
    args = ap.parse_args()
    groups: dict[int, list[dict]] = {}
    for path in args.files:
        run = json.loads(path.read_text("utf-8"))
        groups.setdefault(run["measures"], []).append(run)
    print(table(groups))


if __name__ == "__main__":
    main()
