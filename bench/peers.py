"""What a user would pick instead of ReformKG, on ReformKG's own export: one peer per process
(so its peak memory is its own), printing one JSON object.

    python bench/peers.py rdflib     --ttl G.ttl --zone IRI --scope IRI --measure IRI [--runs 50]
    python bench/peers.py pyoxigraph --ttl G.ttl ...
    python bench/peers.py networkx   --nt G.nt ...

Queries: "pilots of zone Z promoted to scope S" (measures with rkg:pilotedIn Z and
rkg:promotedTo S) and "a measure's ancestors and descendants" (rkg:derivedFrom+ both ways);
SPARQL for rdflib and pyoxigraph, graph traversals for networkx.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import statistics
import time

RKG = "https://w3id.org/reformkg/ontology#"
Q_PILOTS = f"""SELECT ?m WHERE {{ ?m <{RKG}pilotedIn> <%(zone)s> ; <{RKG}promotedTo> <%(scope)s> }}"""
Q_LINEAGE = f"""SELECT ?x ?dir WHERE {{
  {{ <%(measure)s> <{RKG}derivedFrom>+ ?x . BIND("ancestor" AS ?dir) }}
  UNION {{ ?x <{RKG}derivedFrom>+ <%(measure)s> . BIND("descendant" AS ?dir) }} }}"""


def _timed(fn, runs: int) -> tuple[float, int]:
    times, n = [], 0
    for _ in range(runs):
        t = time.perf_counter()
        n = fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times), n


def _sparql(query, args) -> dict:
    """The two questions through a store's SPARQL ``query`` function: latency and row counts."""
    p = {"zone": args.zone, "scope": args.scope, "measure": args.measure}
    q1, n1 = _timed(lambda: len(list(query(Q_PILOTS % p))), args.runs)
    q2, n2 = _timed(lambda: len(list(query(Q_LINEAGE % p))), args.runs)
    return {"pilots_promoted_ms": q1, "pilots_rows": n1, "lineage_ms": q2, "lineage_rows": n2}


def run_rdflib(args) -> dict:
    import rdflib

    t = time.perf_counter()
    g = rdflib.Graph()
    g.parse(args.ttl, format="turtle")
    load = time.perf_counter() - t
    return {"peer": "rdflib", "version": rdflib.__version__, "triples": len(g), "load_s": load,
            **_sparql(g.query, args)}


def run_pyoxigraph(args) -> dict:
    import pyoxigraph as ox

    t = time.perf_counter()
    store = ox.Store()
    store.bulk_load(path=args.ttl, format=ox.RdfFormat.TURTLE)
    load = time.perf_counter() - t
    return {"peer": "pyoxigraph", "version": ox.__version__, "triples": len(store), "load_s": load,
            **_sparql(store.query, args)}


_NT = re.compile(r'^<([^>]*)> <([^>]*)> (<[^>]*>|_:\S+|".*) \.$')


def run_networkx(args) -> dict:
    import networkx as nx

    t = time.perf_counter()
    g = nx.MultiDiGraph()
    piloted, promoted, derived = RKG + "pilotedIn", RKG + "promotedTo", RKG + "derivedFrom"
    with open(args.nt, encoding="utf-8") as fh:
        for line in fh:
            m = _NT.match(line.rstrip("\n"))
            if m and m.group(3).startswith("<"):  # the resource graph: literals stay out
                g.add_edge(m.group(1), m.group(3)[1:-1], key=m.group(2))
    load = time.perf_counter() - t
    derived_view = nx.subgraph_view(g, filter_edge=lambda a, b, k: k == derived)

    def pilots() -> int:
        zone_in = {a for a, _, k in g.in_edges(args.zone, keys=True) if k == piloted}
        return sum(1 for a, _, k in g.in_edges(args.scope, keys=True) if k == promoted and a in zone_in)

    def lineage() -> int:
        return len(nx.descendants(derived_view, args.measure)) + len(nx.ancestors(derived_view, args.measure))

    q1, n1 = _timed(pilots, args.runs)
    q2, n2 = _timed(lineage, args.runs)
    return {"peer": "networkx", "version": nx.__version__, "edges": g.number_of_edges(), "load_s": load,
            "pilots_promoted_ms": q1, "pilots_rows": n1, "lineage_ms": q2, "lineage_rows": n2}


def _peak_mb() -> float:
    """This process's peak RSS (VmHWM starts afresh at exec, unlike ru_maxrss, which a child
    inherits from the parent it was forked from)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("peer", choices=("rdflib", "pyoxigraph", "networkx"))
    ap.add_argument("--ttl")
    ap.add_argument("--nt")
    ap.add_argument("--zone", required=True)
    ap.add_argument("--scope", required=True)
    ap.add_argument("--measure", required=True)
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args()
    out = {"rdflib": run_rdflib, "pyoxigraph": run_pyoxigraph, "networkx": run_networkx}[args.peer](args)
    out["rss_mb"] = _peak_mb()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
