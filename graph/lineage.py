"""Derive the lineage that spans documents and write it in one atomic query.

Runs after documents are loaded: it reads what it needs from the graph (every
measure's text, every agency's function and place, the zones), computes

- cross-document links between measures (graph/linking.py): DERIVED_FROM from
  the newer measure to the older, RELATED_TO when the order is unknown;
- agency successions of the institutional reforms (graph/successions.py):
  SUCCEEDED_BY, creating a successor agency no document names when needed;
- zone successions: ZONE_SUCCEEDED_BY,

and replaces all of these relationships at once (``graph.cypher.derived_write``),
so the derived part of the graph always matches the documents it came from.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date

from graph import cypher
from graph.backend import GraphBackend
from graph.build import node_iri
from graph.linking import METHOD, Link, MeasureText, find_links
from graph.payload import Node, Rel
from graph.successions import AgencyRecord, agency_successions, zone_successions
from ontology.vocab import vocabulary


@dataclass
class LineageReport:
    derived: int = 0  # DERIVED_FROM links
    related: int = 0  # RELATED_TO links
    successions: int = 0
    zone_successions: int = 0
    created_agencies: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds: read, link, successions, write

    def summary(self) -> str:
        return (f"lineage: {self.derived} derivations and {self.related} related pairs across documents "
                f"({METHOD}), {self.successions} agency successions, {self.zone_successions} zone successions")


def _as_date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def read_measures(store: GraphBackend) -> list[MeasureText]:
    rows = store.run_read(cypher.LINEAGE_MEASURES)
    return [MeasureText(r["uri"], r["document_uri"], r["title"] or "", r["body"] or "", _as_date(r["issued"]),
                        r["year"], r["terms"]) for r in rows]


def read_agencies(store: GraphBackend) -> list[AgencyRecord]:
    rows = store.run_read(cypher.LINEAGE_AGENCIES)
    return [AgencyRecord(r["uri"], r["name"], r["function"], r["level"], r["place"]) for r in rows]


def link_rels(links: list[Link]) -> list[Rel]:
    """DERIVED_FROM newer -> older; RELATED_TO smaller uri -> larger."""
    return [Rel("DERIVED_FROM" if link.directed else "RELATED_TO",
                link.newer if link.directed else link.older, link.older if link.directed else link.newer,
                {"method": link.method, "score": link.score, "evidence": list(link.evidence)})
            for link in links]


def derive(store: GraphBackend, base: str) -> tuple[list[Node], list[Rel], LineageReport]:
    """The derived nodes and relationships for the graph as it is now (reads only)."""
    report = LineageReport()
    t0 = time.perf_counter()
    measures = read_measures(store)
    t1 = time.perf_counter()
    links = find_links(measures)
    t2 = time.perf_counter()
    report.timings.update(read_s=t1 - t0, find_links_s=t2 - t1)
    rels = link_rels(links)
    report.derived = sum(link.directed for link in links)
    report.related = len(links) - report.derived

    vocab = vocabulary()
    result = agency_successions(read_agencies(store), vocab, lambda name: node_iri(base, "Agency", name))
    nodes = [Node("Agency", a.uri, {"name": a.name, "level": a.level, "function": a.function,
                                    "is_government": True}) for a in result.created]
    rels += [Rel("AGENCY_JURISDICTION", a.uri, node_iri(base, "Place", a.place)) for a in result.created if a.place]
    rels += [Rel("SUCCEEDED_BY", s.before, s.after, {"date": s.date, "reform": s.reform})
             for s in result.successions]
    report.successions = len(result.successions)
    report.created_agencies = [a.name for a in result.created]
    report.warnings = result.warnings

    zones = {r["zone_id"]: r["uri"] for r in store.run_read(cypher.LINEAGE_ZONES)}
    for before, after, when in zone_successions(zones, vocab):
        rels.append(Rel("ZONE_SUCCEEDED_BY", zones[before], zones[after], {"date": when}))
        report.zone_successions += 1
    report.timings["successions_s"] = time.perf_counter() - t2
    return nodes, _unique(rels), report


def _unique(rels: list[Rel]) -> list[Rel]:
    seen: dict[tuple[str, str, str], Rel] = {}
    for rel in rels:
        seen.setdefault((rel.type, rel.start, rel.end), rel)
    return list(seen.values())


def refresh(store: GraphBackend, base: str) -> LineageReport:
    """Recompute the derived lineage and replace it in one write."""
    nodes, rels, report = derive(store, base)
    t0 = time.perf_counter()
    query, params = cypher.derived_write(nodes, rels, store.dialect)
    store.run_write(query, params)
    report.timings["write_s"] = time.perf_counter() - t0
    return report
