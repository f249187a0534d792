"""``/measures``: the reform measures, filtered and paged, and one measure with its relations."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from api import filters
from api.cypher import ListQuery
from api.deps import IrisDep, StoreDep
from api.iris import Iris, find_node
from api.models import Page, Ref, Target
from api.pagination import PageQuery, page
from api.problems import COMMON, responses
from graph.search_index import candidate_query
from reformkg.model import Role

router = APIRouter(prefix="/measures", tags=["measures"], responses=COMMON)

ROLE_TYPES = {Role.LEAD: "LED_BY", Role.PARTICIPANT: "PARTICIPANT", Role.SUPPORT: "SUPPORTED_BY"}
TYPE_ROLES = {v: k.value for k, v in ROLE_TYPES.items()}
MEASURE_ID = "粤府办-2018-34/9-3"


class MeasureFilters(PageQuery):
    zone: str | None = Field(None, max_length=500, description="piloted in this zone: name, alias or IRI",
                             examples=["南沙", "前海蛇口", "https://w3id.org/reformkg/id/zone/hengqin"])
    agency: str | None = Field(None, max_length=500, description="an agency takes part: name, short form or IRI",
                               examples=["深圳市市场监管局"])
    role: Role | None = Field(None, description="with agency: only this role (default: any role)")
    category: str | None = Field(None, max_length=500, description="in this category (name, unique part or IRI)",
                                 examples=["推进金融创新发展与对外开放"])
    scope: str | None = Field(None, max_length=500, description="promoted to this scope (type, name or IRI)",
                              examples=["全市", "citywide"])
    document: str | None = Field(None, max_length=500, description="of this document (文号, title or IRI)",
                                 examples=["粤府办〔2018〕34号"])
    year: int | None = Field(None, ge=1949, le=2100, description="its document's year", examples=[2018])
    text: str | None = Field(None, min_length=1, max_length=200,
                             description="in its title or body (Traditional is read as Simplified)",
                             examples=["电子营业执照", "電子營業執照"])


class MeasureSummary(BaseModel):
    uri: str
    id: str | None
    seq: str | None = Field(description="its item number as printed", examples=["九(三)"])
    title: str = Field(examples=["创新国际货物转运监管模式"])
    document: Ref
    deadline: dt.date | None = None
    status: str | None = None


class DocumentRef(Ref):
    doc_number: str | None = None
    issued: dt.date | None = None


class AgencyRole(Ref):
    rank: int | None = Field(None, description="0 for the primary agency, then in printed order")
    printed: str | None = Field(None, description="the agency as the document prints it")
    level: str | None = None


class Agencies(BaseModel):
    lead: list[AgencyRole] = []
    participant: list[AgencyRole] = []
    support: list[AgencyRole] = []


class ZoneLink(Ref):
    source: str | None = Field(None, description="document: the document is about the zone; text: the measure names it")


class Promotion(BaseModel):
    scope: Ref
    scope_type: str | None = None
    date: dt.date | None = None
    batch_number: int | None = None
    batch: Ref | None = None


class MeasureDetail(BaseModel):
    uri: str
    id: str | None
    key: str | None = None
    seq: str | None = None
    title: str
    title_orig: str | None = Field(None, description="the title exactly as printed (may be Traditional)")
    body: str | None = None
    body_orig: str | None = None
    source_file: str | None = None
    span_start: int | None = None
    span_end: int | None = None
    deadline: dt.date | None = None
    deadline_printed: str | None = None
    status: str | None = None
    working_group: str | None = None
    scope_printed: str | None = None
    document: DocumentRef | None
    category_path: list[Ref] = Field(description="its categories, the broadest first")
    agencies: Agencies
    pilot_zones: list[ZoneLink]
    promotions: list[Promotion]
    targets: list[Target]


LIST_CONDITIONS = """
WHERE ($document IS NULL OR d.uri IN $document)
  AND ($year IS NULL OR coalesce(d.year, d.issued.year, d.published.year) = $year)
  AND ($text IS NULL OR any(t IN $text WHERE m.title CONTAINS t OR m.body CONTAINS t))
"""
LIST_BASE = "MATCH (m:Measure)-[:PART_OF]->(d:PolicyDocument)" + LIST_CONDITIONS
# FalkorDB, with a text whose every term has bigrams: the candidates come from the search's bigram index
# (graph/search_index.py), a superset of the measures containing the text; the same conditions then
# keep exactly those (a scan's rows, tested).  At 100,000 measures a text filter read every measure.
LIST_BASE_INDEXED = """
CALL db.idx.fulltext.queryNodes('Measure', $grams) YIELD node AS m
MATCH (m)-[:PART_OF]->(d:PolicyDocument)""" + LIST_CONDITIONS


def list_base(dialect: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The list's base match for ``params`` and the parameters it needs (``params`` plus the bigram
    query when the index is used)."""
    if dialect == "falkordb" and (grams := candidate_query(params.get("text") or [])) is not None:
        return LIST_BASE_INDEXED, {**params, "grams": grams}
    return LIST_BASE, params


LIST_FILTERS = {
    "zone": "MATCH (m)-[:PILOTED_IN]->(fz:PilotZone) WHERE fz.uri IN $zone",
    "agency": "MATCH (m)-[fr:LED_BY|PARTICIPANT|SUPPORTED_BY]->(fa:Agency) "
              "WHERE fa.uri IN $agency AND type(fr) IN $roles",
    "category": "MATCH (m)-[:IN_CATEGORY]->(fc:Category) WHERE fc.uri IN $category",
    "scope": "MATCH (m)-[:PROMOTED_TO]->(fs:ReplicationScope) WHERE fs.uri IN $scope",
}
LIST_COUNT = "RETURN count(m) AS total"
LIST_PAGE = """
RETURN m.uri AS uri, m.seq AS seq, m.title AS title, m.deadline AS deadline, m.status AS status,
       d.uri AS document_uri, d.title AS document_title
ORDER BY document_uri, m.span_start, uri
SKIP $offset LIMIT $limit
"""

DOCUMENT = """
MATCH (m:Measure {uri: $uri})-[:PART_OF]->(d:PolicyDocument)
RETURN d.uri AS uri, d.title AS name, d.doc_number AS doc_number, d.issued AS issued
"""
CATEGORIES = """
MATCH (m:Measure {uri: $uri})-[:IN_CATEGORY]->(c:Category)
RETURN c.uri AS uri, c.name AS name, size([(c)-[:BROADER*1..4]->(b:Category) | b]) AS depth
ORDER BY depth, uri
"""
AGENCIES = """
MATCH (m:Measure {uri: $uri})-[r:LED_BY|PARTICIPANT|SUPPORTED_BY]->(a:Agency)
RETURN type(r) AS type, r.rank AS rank, r.printed AS printed, a.uri AS uri, a.name AS name, a.level AS level
ORDER BY type, rank, uri
"""
ZONES = """
MATCH (m:Measure {uri: $uri})-[r:PILOTED_IN]->(z:PilotZone)
RETURN z.uri AS uri, z.name AS name, r.source AS source
ORDER BY source, uri
"""
PROMOTIONS = """
MATCH (m:Measure {uri: $uri})-[p:PROMOTED_TO]->(s:ReplicationScope)
OPTIONAL MATCH (m)-[:IN_BATCH]->(b:Batch) WHERE b.number = p.batch
RETURN s.uri AS scope_uri, s.name AS scope_name, s.scope_type AS scope_type, p.date AS date,
       p.batch AS batch_number, b.uri AS batch_uri, b.name AS batch_name
ORDER BY date, scope_uri
"""
TARGETS = "MATCH (m:Measure {uri: $uri})-[:HAS_TARGET]->(t:Target) RETURN properties(t) AS t ORDER BY t.uri"


LIST = ListQuery(LIST_BASE, LIST_FILTERS, "m, d", LIST_COUNT, LIST_PAGE)

@router.get("", summary="List measures", response_model=Page[MeasureSummary],
            responses=responses(422))
def list_measures(request: Request, store: StoreDep, iris: IrisDep,
                  q: Annotated[MeasureFilters, Query()]) -> dict[str, Any]:
    """Measures in document order, filtered by zone, agency (and role), category, scope, document,
    year and text; every reference filter takes a canonical name, an alias or an IRI, and one that
    matches nothing is a 422 problem naming the parameter."""
    params = {
        "zone": filters.reference(store, "zone", q.zone, "zone"),
        "agency": filters.reference(store, "agency", q.agency, "agency"),
        "category": filters.reference(store, "category", q.category, "category"),
        "scope": filters.reference(store, "scope", q.scope, "scope"),
        "document": filters.reference(store, "document", q.document, "document"),
        "year": q.year,
        "text": filters.text_terms(q.text, "text"),
        "roles": [ROLE_TYPES[q.role]] if q.role else list(ROLE_TYPES.values()),
        **q.params(),
    }
    base, params = list_base(store.dialect, params)
    total, rows = replace(LIST, base=base).run(store, params)
    items = [summary(iris, r) for r in rows]
    return page(request, items, total, q)


def summary(iris: Iris, r: dict[str, Any]) -> dict[str, Any]:
    """A measure list item from a row of LIST_PAGE (or the same columns)."""
    return {"uri": r["uri"], "id": iris.id_of(r["uri"]), "seq": r["seq"], "title": r["title"],
            "document": iris.ref(r["document_uri"], r["document_title"]), "deadline": r.get("deadline"),
            "status": r.get("status")}


@router.get("/{id:path}", summary="One measure with its relations", response_model=MeasureDetail,
            responses=responses(404))
def get_measure(store: StoreDep, iris: IrisDep,
                id: Annotated[str, Path(description="the measure's id (its IRI after /measure/)",
                                        examples=[MEASURE_ID])]) -> dict[str, Any]:
    """The measure, its document, its category path (broadest first), its agencies by role in rank
    order, its pilot zones, its promotions (scope, date, batch) and its targets."""
    props = find_node(store, iris, "Measure", id, "measure")
    uri = {"uri": props["uri"]}
    agencies: dict[str, list[dict[str, Any]]] = {role.value: [] for role in Role}
    for r in store.run_read(AGENCIES, uri):
        agencies[TYPE_ROLES[r["type"]]].append({**iris.ref(r["uri"], r["name"]), "rank": r["rank"],
                                                "printed": r["printed"], "level": r["level"]})
    document = next(iter(store.run_read(DOCUMENT, uri)), None)
    return {
        **props,
        "id": iris.id_of(props["uri"]),
        "document": document and {**document, "id": iris.id_of(document["uri"])},
        "category_path": [iris.ref(r["uri"], r["name"]) for r in store.run_read(CATEGORIES, uri)],
        "agencies": agencies,
        "pilot_zones": [{**iris.ref(r["uri"], r["name"]), "source": r["source"]} for r in store.run_read(ZONES, uri)],
        "promotions": [{"scope": iris.ref(r["scope_uri"], r["scope_name"]), "scope_type": r["scope_type"],
                        "date": r["date"], "batch_number": r["batch_number"],
                        "batch": iris.ref(r["batch_uri"], r["batch_name"])} for r in store.run_read(PROMOTIONS, uri)],
        "targets": [r["t"] for r in store.run_read(TARGETS, uri)],
    }
