"""Exports read back from the graph: measure records and RDF."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from graph.backend import GraphBackend
from queries import cypher

MEASURE_KEYS = ["uri", "source_file", "document", "seq", "title", "category", "lead", "participants",
                "pilot_zones", "scope", "deadline", "status"]


def measure_records(store: GraphBackend) -> list[dict[str, Any]]:
    """One record per measure with exactly MEASURE_KEYS, in document order."""
    links: dict[str, dict[str, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    for row in store.run_read(cypher("export_measure_links", store.dialect)):
        links[row["uri"]][row["kind"]].append((row["rank"] or 0, row["name"]))

    def names(uri: str, *kinds: str) -> list[str]:
        out: list[str] = []
        for kind in kinds:  # each kind in rank order, kinds in the order given
            out += [name for _, name in sorted(links[uri][kind]) if name not in out]
        return out

    records = []
    for r in store.run_read(cypher("export_measure_rows", store.dialect)):
        uri = r["uri"]
        categories = names(uri, "IN_CATEGORY")
        records.append({
            "uri": uri,
            "source_file": r["source_file"],
            "document": {"doc_number": r["doc_number"], "title": r["doc_title"], "issued": _iso(r["issued"])},
            "seq": r["seq"],
            "title": r["title"],
            "category": categories[0] if categories else None,
            "lead": names(uri, "LED_BY"),
            "participants": names(uri, "PARTICIPANT", "SUPPORTED_BY"),
            "pilot_zones": names(uri, "PILOTED_IN"),
            "scope": r["scope"],
            "deadline": _iso(r["deadline"]),
            "status": r["status"],
        })
    return records


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def flat(record: dict[str, Any]) -> dict[str, Any]:
    """A CSV row: lists joined with ';', the document as its number or title."""
    out = dict(record)
    doc = record["document"]
    out["document"] = doc["doc_number"] or doc["title"]
    for k in ("lead", "participants", "pilot_zones"):
        out[k] = ";".join(record[k])
    return out


def graph_dump(store: GraphBackend) -> tuple[list[dict], list[dict]]:
    nodes = store.run_read(cypher("all_nodes", store.dialect))
    rels = store.run_read(cypher("all_relationships", store.dialect))
    return nodes, rels


def rdf_graph(store: GraphBackend):
    from graph.rdf import to_rdf

    return to_rdf(*graph_dump(store))


def rdf_text(store: GraphBackend, fmt: str) -> str:
    from graph.rdf import serialize

    return serialize(rdf_graph(store), fmt)
