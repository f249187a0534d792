"""A measure's lineage as the nodes and edges ``lineage_svg`` draws.

The measures are the measure itself and those the catalogue query
``measure-lineage`` returns (through the API's ``measure_lineage``): ancestors
and descendants (DERIVED_FROM, several links away) and related measures
(RELATED_TO).  For all of them the graph adds the links among them, the zones
that piloted them (PILOTED_IN from their own document) and the scopes they were
promoted to (PROMOTED_TO, with date and batch), so a pilot reads
zone -> measure -> city scope -> provincial measure -> ...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from api.web.data import doc_when
from api.web.lineage_svg import Edge, Node
from graph.backend import GraphBackend

NODES = """
MATCH (m:Measure)-[:PART_OF]->(d:PolicyDocument) WHERE m.uri IN $uris
RETURN m.uri AS uri, m.title AS title, m.seq AS seq, d.uri AS document_uri, d.title AS document_title,
       d.doc_number AS doc_number, d.issued AS issued, d.published AS published, d.year AS year
"""
LINKS = """
MATCH (a:Measure)-[r:DERIVED_FROM|RELATED_TO]->(b:Measure) WHERE a.uri IN $uris AND b.uri IN $uris
RETURN a.uri AS source, type(r) AS type, b.uri AS target, r.score AS score
ORDER BY source, target
"""
PROMOTED = """
MATCH (m:Measure)-[p:PROMOTED_TO]->(s:ReplicationScope) WHERE m.uri IN $uris
RETURN m.uri AS uri, s.uri AS scope_uri, s.name AS scope_name, p.date AS date, p.batch AS batch
ORDER BY uri, scope_uri
"""
PILOTED = """
MATCH (m:Measure)-[r:PILOTED_IN]->(z:PilotZone) WHERE m.uri IN $uris AND r.source = 'document'
RETURN m.uri AS uri, z.uri AS zone_uri, z.name AS zone_name
ORDER BY uri, zone_uri
"""


def short_document(r: dict[str, Any]) -> str:
    return r.get("doc_number") or (r.get("document_title") or "")[:16]


def promotion_label(date: Any, batch: Any) -> str:
    parts = [date.isoformat() if hasattr(date, "isoformat") else "日期不详"]
    if batch is not None:
        parts.append(f"第{batch}批")
    return " · ".join(parts)


def build(store: GraphBackend, focal_uri: str, lineage: dict[str, Any],
          href: Callable[[str, str | None], str], id_of: Callable[[str], str | None]) -> tuple[list[Node], list[Edge]]:
    """Nodes and edges of the measure's lineage graph; ``href(kind, id)`` makes page links."""
    uris = list(dict.fromkeys([focal_uri] + [x["uri"] for k in ("ancestors", "descendants", "related")
                                             for x in lineage.get(k, [])]))
    params = {"uris": uris}
    nodes: dict[str, Node] = {}
    when_of: dict[str, Any] = {}
    for r in store.run_read(NODES, params):
        when, label = doc_when(r["issued"], r["published"], r["year"])
        when_of[r["uri"]] = (when, label)
        doc = short_document(r)
        focal = r["uri"] == focal_uri
        tip = f"{r['title']}（{r['document_title']}，{label}）" + ("（本措施）" if focal else "")
        nodes[r["uri"]] = Node(key=r["uri"], kind="measure", label=r["title"], when=when, when_label=label,
                               href=href("measure", id_of(r["uri"])), subtitle=f"{doc} · {r['seq']}",
                               tooltip=tip, focal=focal)
    edges: list[Edge] = []
    for r in store.run_read(LINKS, params):
        if r["type"] == "DERIVED_FROM":  # source is the newer measure: draw older -> newer
            edges.append(Edge("derived", r["target"], r["source"], ""))
        else:
            edges.append(Edge("related", r["source"], r["target"], ""))
    for r in store.run_read(PILOTED, params):
        when, label = when_of.get(r["uri"], (None, "日期不详"))
        key = f"zone|{r['zone_uri']}|{when}"
        nodes.setdefault(key, Node(key=key, kind="zone", label=r["zone_name"], when=when, when_label=label,
                                   href=href("zone", id_of(r["zone_uri"])),
                                   tooltip=f"试点片区：{r['zone_name']}"))
        edges.append(Edge("piloted", key, r["uri"], "试点"))
    for r in store.run_read(PROMOTED, params):
        m_when, m_label = when_of.get(r["uri"], (None, "日期不详"))
        when, label = (r["date"], r["date"].isoformat()) if r["date"] else (m_when, m_label)
        key = f"scope|{r['scope_uri']}|{when}|{r['batch']}"
        text = promotion_label(r["date"], r["batch"])
        nodes.setdefault(key, Node(key=key, kind="scope", label=r["scope_name"], when=when, when_label=label,
                                   href=href("search-scope", id_of(r["scope_uri"])), subtitle=f"推广：{text}",
                                   tooltip=f"复制推广至{r['scope_name']}（{text}）"))
        edges.append(Edge("promoted", r["uri"], key, ""))
    return list(nodes.values()), edges
