"""What the pages show, read through the JSON API's own query code.

Measure lists (search, a document's items, a category's, a zone's pilots) are
the API's ``/measures`` query (``api.routers.measures.LIST_BASE`` and
``LIST_FILTERS`` composed by ``api.cypher.compose``) with a richer tail; facet
counts are the same composition with a counting tail, so they count exactly
the current result set.  Details and lineage call the API's route functions
(``get_measure``, ``measure_lineage``, ``zone_lineage``, ...) directly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from api import filters
from api.cypher import compose
from api.iris import Iris
from api.problems import ProblemException
from api.routers import measures as measures_api
from graph.backend import GraphBackend
from ontology.schema import NODE_LABELS

# The search page's order: title matches first, then document order.
IN_TITLE = "$text IS NOT NULL AND any(t IN $text WHERE m.title CONTAINS t)"
# One page of it, chosen before the page's rows are filled in by ROWS_TAIL (which then costs a page,
# not the whole result: at 100,000 measures the unfiltered list took 15 s, one page well under 1 s).
PAGE_FIRST = f"""
WITH m, d, {IN_TITLE} AS in_title
ORDER BY in_title DESC, d.uri, m.span_start, m.uri
SKIP $offset LIMIT $limit
"""
ROWS_TAIL = """
OPTIONAL MATCH (m)-[l:LED_BY]->(a:Agency)
WITH m, d, collect(DISTINCT {rank: l.rank, name: a.name, uri: a.uri}) AS leads
OPTIONAL MATCH (m)-[:IN_CATEGORY]->(c:Category)
WITH m, d, leads, collect(DISTINCT {name: c.name, uri: c.uri}) AS cats
OPTIONAL MATCH (m)-[pz:PILOTED_IN]->(z:PilotZone)
WITH m, d, leads, cats, collect(DISTINCT {name: z.name, uri: z.uri, source: pz.source}) AS zones
OPTIONAL MATCH (m)-[p:PROMOTED_TO]->(s:ReplicationScope)
WITH m, d, leads, cats, zones,
     collect(DISTINCT {name: s.name, uri: s.uri, type: s.scope_type, date: p.date, batch: p.batch}) AS scopes
RETURN m.uri AS uri, m.seq AS seq, m.title AS title, m.body AS body, m.deadline AS deadline,
       m.status AS status, m.span_start AS span_start, d.uri AS document_uri, d.title AS document_title,
       d.doc_number AS doc_number, coalesce(d.year, d.issued.year, d.published.year) AS year,
       leads, cats, zones, scopes, """ + IN_TITLE + """ AS in_title
ORDER BY in_title DESC, document_uri, m.span_start, uri
"""

# facet -> (URL parameter, title, counting tail over the current result set)
FACETS: dict[str, tuple[str, str]] = {
    "zone": ("试点片区", "MATCH (m)-[:PILOTED_IN]->(x:PilotZone) "
                     "RETURN x.uri AS value, x.name AS name, count(DISTINCT m) AS n ORDER BY n DESC, name"),
    "category": ("类别", "MATCH (m)-[:IN_CATEGORY]->(x:Category) "
                       "RETURN x.uri AS value, x.name AS name, count(DISTINCT m) AS n ORDER BY n DESC, name"),
    "agency": ("牵头单位", "MATCH (m)-[:LED_BY]->(x:Agency) "
                       "RETURN x.uri AS value, x.name AS name, count(DISTINCT m) AS n ORDER BY n DESC, name"),
    "scope": ("推广范围", "MATCH (m)-[:PROMOTED_TO]->(x:ReplicationScope) "
                      "RETURN x.uri AS value, x.name AS name, count(DISTINCT m) AS n ORDER BY n DESC, name"),
    "document": ("文件", "RETURN d.uri AS value, coalesce(d.doc_number, d.title) AS name, d.title AS title, "
                       "count(DISTINCT m) AS n ORDER BY n DESC, name"),
    "year": ("年份", "WITH m, coalesce(d.year, d.issued.year, d.published.year) AS y WHERE y IS NOT NULL "
                   "RETURN y AS value, toString(y) AS name, count(DISTINCT m) AS n ORDER BY value DESC"),
}
LABELS = {"zone": "PilotZone", "category": "Category", "agency": "Agency", "scope": "ReplicationScope",
          "document": "PolicyDocument"}
NAMES = "MATCH (n) WHERE n.uri IN $uris RETURN n.uri AS uri, coalesce(n.name, n.doc_number, n.title) AS name"


@dataclass
class Selection:
    """The search page's query and filters as given in the URL, resolved."""

    q: str | None = None
    given: dict[str, str] = field(default_factory=dict)  # URL parameter -> value as given
    uris: dict[str, list[str]] = field(default_factory=dict)  # reference filter -> IRIs
    names: dict[str, str] = field(default_factory=dict)  # URL parameter -> display name
    year: int | None = None
    terms: list[str] | None = None
    errors: list[str] = field(default_factory=list)

    def params(self) -> dict[str, Any]:
        return {
            "zone": self.uris.get("zone"), "agency": self.uris.get("agency"),
            "category": self.uris.get("category"), "scope": self.uris.get("scope"),
            "document": self.uris.get("document"), "year": self.year, "text": self.terms,
            "roles": ["LED_BY"],  # the agency facet is the lead agency
        }


def resolve_ref(store: GraphBackend, iris: Iris, kind: str, value: str) -> list[str]:
    """An id as the pages use it (the IRI's local part), else a name, alias or IRI (``api.filters``);
    a value naming nothing raises the API's 422 problem."""
    label = LABELS[kind]
    uris = iris.candidates(label, value)
    if uris:
        found = store.run_read(f"MATCH (n:{label}) WHERE n.uri IN $uris RETURN n.uri AS uri", {"uris": uris})
        if found:
            return [r["uri"] for r in found]
    return filters.reference(store, kind, value, kind) or []


def selection(store: GraphBackend, iris: Iris, query: dict[str, str]) -> Selection:
    sel = Selection()
    q = (query.get("q") or "").strip()
    if q:
        sel.q = q[:200]
        try:
            sel.terms = filters.text_terms(sel.q, "q")
        except ProblemException:
            sel.terms = None
    for kind in LABELS:
        value = (query.get(kind) or "").strip()
        if not value:
            continue
        try:
            sel.uris[kind] = resolve_ref(store, iris, kind, value)
            sel.given[kind] = value
        except ProblemException:
            sel.errors.append(f"未找到{FACETS[kind][0]}“{value}”，已忽略该条件。")
    year = (query.get("year") or "").strip()
    if year:
        if year.isdigit() and 1949 <= int(year) <= 2100:
            sel.year, sel.given["year"], sel.names["year"] = int(year), year, f"{year}年"
        else:
            sel.errors.append(f"年份“{year}”无效，已忽略该条件。")
    uris = [u for v in sel.uris.values() for u in v]
    if uris:
        named = {r["uri"]: r["name"] for r in store.run_read(NAMES, {"uris": uris})}
        for kind, found in sel.uris.items():
            sel.names[kind] = "、".join(named.get(u) or u for u in found)
    return sel


def _full(params: dict[str, Any]) -> dict[str, Any]:
    return {"zone": None, "agency": None, "category": None, "scope": None, "document": None, "year": None,
            "text": None, "roles": ["LED_BY", "PARTICIPANT", "SUPPORTED_BY"], **params}


def _read(store: GraphBackend, params: dict[str, Any], tail: str) -> list[dict[str, Any]]:
    """The API's measure list query for ``params`` (its base for the backend), ending with ``tail``."""
    base, full = measures_api.list_base(store.dialect, params)
    return store.run_read(compose(base, measures_api.LIST_FILTERS, full, "m, d", tail), full)


def measure_rows(store: GraphBackend, iris: Iris, params: dict[str, Any]) -> list[dict[str, Any]]:
    """The measures the API's list query selects with ``params``, with what the lists show."""
    return [_row(iris, r) for r in _read(store, _full(params), ROWS_TAIL)]


def measure_count(store: GraphBackend, params: dict[str, Any]) -> int:
    """How many measures :func:`measure_rows` gives for ``params``, without reading them."""
    return _read(store, _full(params), "RETURN count(*) AS n")[0]["n"]


def measure_page(store: GraphBackend, iris: Iris, params: dict[str, Any], offset: int, limit: int
                 ) -> list[dict[str, Any]]:
    """``measure_rows(...)[offset:offset + limit]``, read as one page."""
    return [_row(iris, r) for r in _read(store, {**_full(params), "offset": offset, "limit": limit},
                                         PAGE_FIRST + ROWS_TAIL)]


def _row(iris: Iris, r: dict[str, Any]) -> dict[str, Any]:
    def refs(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**i, "id": iris.id_of(i["uri"])} for i in items if i.get("uri")]

    leads = sorted(refs(r["leads"]), key=lambda a: (a.get("rank") is None, a.get("rank") or 0, a["name"]))
    scopes = sorted(refs(r["scopes"]), key=lambda s: (s.get("date") is None, s.get("date") or dt.date.min, s["name"]))
    return {**r, "id": iris.id_of(r["uri"]), "document_id": iris.id_of(r["document_uri"]), "leads": leads,
            "cats": refs(r["cats"]), "zones": refs(r["zones"]), "scopes": scopes}


def facets(store: GraphBackend, iris: Iris, params: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Per facet, its values over the current result set with how many measures each has."""
    full = {"roles": ["LED_BY"], **params}
    out: dict[str, list[dict[str, Any]]] = {}
    for name, (_title, tail) in FACETS.items():
        rows = _read(store, full, tail)
        out[name] = [{**r, "id": str(r["value"]) if name == "year" else iris.id_of(r["value"])} for r in rows]
    return out


# ---------------------------------------------------------------- dates


def doc_when(issued: Any, published: Any, year: Any) -> tuple[dt.date | None, str]:
    """A document's place in time and how to print it: issued, else published, else its year."""
    for d in (issued, published):
        if isinstance(d, dt.date):
            return d, d.isoformat()
    if isinstance(year, int):
        return dt.date(year, 1, 1), f"{year}年"
    return None, "日期不详"


def label_path(label: str) -> str:
    return NODE_LABELS[label].path
