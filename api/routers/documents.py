"""``/documents``: the policy documents, and one document with its zones, batches and targets."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from api import filters
from api.cypher import ListQuery
from api.deps import IrisDep, StoreDep
from api.iris import find_node
from api.models import Page, Ref, Target
from api.pagination import PageQuery, page
from api.problems import COMMON, responses
from reformkg.model import Genre

router = APIRouter(prefix="/documents", tags=["documents"], responses=COMMON)


class DocumentFilters(PageQuery):
    zone: str | None = Field(None, max_length=500, description="with measures piloted in this zone",
                             examples=["前海蛇口"])
    issuer: str | None = Field(None, max_length=500, description="issued by this agency", examples=["广东省人民政府"])
    genre: Genre | None = Field(None, description="the kind of document")
    year: int | None = Field(None, ge=1949, le=2100, examples=[2018])
    text: str | None = Field(None, min_length=1, max_length=200, description="in its title or number",
                             examples=["自由贸易试验区"])


class DocumentSummary(BaseModel):
    uri: str
    id: str | None
    title: str = Field(examples=["广东省人民政府办公厅关于印发深化中国(广东)自由贸易试验区制度创新实施意见的通知"])
    doc_number: str | None = Field(None, examples=["粤府办〔2018〕34号"])
    genre: str | None = Field(None, examples=["opinions"])
    issued: dt.date | None = None
    published: dt.date | None = None
    year: int | None = None
    measures: int = Field(description="how many measures it holds")


class ZoneCount(Ref):
    measures: int = Field(description="its measures piloted in the zone")
    about: bool = Field(description="the document is about this zone (its replication or task table)")


class BatchRef(Ref):
    number: int | None = None
    zone: Ref | None = None


class DocumentDetail(DocumentSummary):
    title_orig: str | None = None
    doc_number_orig: str | None = None
    script: str | None = Field(None, description="hans or hant: the script it is printed in")
    source_file: str | None = None
    source_sha256: str | None = None
    encoding: str | None = None
    issuer: Ref | None = None
    jurisdiction: Ref | None = None
    zones: list[ZoneCount]
    batches: list[BatchRef]
    targets: list[Target]


LIST_BASE = """
MATCH (d:PolicyDocument)
WHERE ($genre IS NULL OR d.genre = $genre)
  AND ($year IS NULL OR coalesce(d.year, d.issued.year, d.published.year) = $year)
  AND ($text IS NULL OR any(t IN $text WHERE d.title CONTAINS t OR coalesce(d.doc_number, '') CONTAINS t))
"""
LIST_FILTERS = {
    "zone": "MATCH (d)<-[:PART_OF]-(:Measure)-[:PILOTED_IN]->(fz:PilotZone) WHERE fz.uri IN $zone",
    "issuer": "MATCH (d)-[:ISSUED_BY]->(fi:Agency) WHERE fi.uri IN $issuer",
}
LIST_COUNT = "RETURN count(d) AS total"
LIST_PAGE = """
OPTIONAL MATCH (d)<-[:PART_OF]-(m:Measure)
WITH d, count(m) AS measures
RETURN d.uri AS uri, d.title AS title, d.doc_number AS doc_number, d.genre AS genre, d.issued AS issued,
       d.published AS published, coalesce(d.year, d.issued.year, d.published.year) AS year, measures
ORDER BY year IS NULL, year, title, uri
SKIP $offset LIMIT $limit
"""
MEASURE_COUNT = "MATCH (d:PolicyDocument {uri: $uri})<-[:PART_OF]-(m:Measure) RETURN count(m) AS n"
LINKS = """
MATCH (d:PolicyDocument {uri: $uri})
OPTIONAL MATCH (d)-[:ISSUED_BY]->(i:Agency)
OPTIONAL MATCH (d)-[:DOCUMENT_JURISDICTION]->(p:Place)
RETURN i.uri AS issuer_uri, i.name AS issuer_name, p.uri AS place_uri, p.name AS place_name
LIMIT 1
"""
ZONES = """
MATCH (d:PolicyDocument {uri: $uri})<-[:PART_OF]-(m:Measure)-[:PILOTED_IN]->(z:PilotZone)
RETURN z.uri AS uri, z.name AS name, count(DISTINCT m) AS measures
ORDER BY measures DESC, uri
"""
ABOUT = "MATCH (d:PolicyDocument {uri: $uri})-[:ABOUT_ZONE]->(z:PilotZone) RETURN z.uri AS uri, z.name AS name"
BATCHES = """
MATCH (d:PolicyDocument {uri: $uri})-[:ANNOUNCES]->(b:Batch)
OPTIONAL MATCH (b)-[:BATCH_OF]->(z:PilotZone)
RETURN b.uri AS uri, b.name AS name, b.number AS number, z.uri AS zone_uri, z.name AS zone_name
ORDER BY number, uri
"""
TARGETS = "MATCH (d:PolicyDocument {uri: $uri})-[:DOCUMENT_TARGET]->(t:Target) RETURN properties(t) AS t ORDER BY t.uri"


LIST = ListQuery(LIST_BASE, LIST_FILTERS, "d", LIST_COUNT, LIST_PAGE)

@router.get("", summary="List documents", response_model=Page[DocumentSummary])
def list_documents(request: Request, store: StoreDep, iris: IrisDep,
                   q: Annotated[DocumentFilters, Query()]) -> dict[str, Any]:
    """Documents by year, with how many measures each holds; filtered by zone (its measures are
    piloted there), issuer, genre, year and text in the title or number."""
    params = {
        "zone": filters.reference(store, "zone", q.zone, "zone"),
        "issuer": filters.reference(store, "agency", q.issuer, "issuer"),
        "genre": q.genre.value if q.genre else None,
        "year": q.year,
        "text": filters.text_terms(q.text, "text"),
        **q.params(),
    }
    total, rows = LIST.run(store, params)
    return page(request, [{**r, "id": iris.id_of(r["uri"])} for r in rows], total, q)


@router.get("/{id:path}", summary="One document with its zones, batches and targets",
            response_model=DocumentDetail, responses=responses(404))
def get_document(store: StoreDep, iris: IrisDep,
                 id: Annotated[str, Path(description="the document's id (its IRI after /document/)",
                                         examples=["粤府办-2018-34", "穗府函-2018-161"])]) -> dict[str, Any]:
    """Metadata, issuer, jurisdiction, measure count, the zones its measures are piloted in (and
    whether the document is about the zone), the batches it announces and its targets."""
    props = find_node(store, iris, "PolicyDocument", id, "document")
    uri = {"uri": props["uri"]}
    links = (store.run_read(LINKS, uri) or [{}])[0]
    about = {r["uri"]: r["name"] for r in store.run_read(ABOUT, uri)}
    zones = [{**iris.ref(r["uri"], r["name"]), "measures": r["measures"], "about": r["uri"] in about}
             for r in store.run_read(ZONES, uri)]
    zones += [{**iris.ref(u, n), "measures": 0, "about": True} for u, n in about.items()
              if u not in {z["uri"] for z in zones}]
    year = props.get("year") or next((d.year for d in (props.get("issued"), props.get("published"))
                                      if isinstance(d, dt.date)), None)
    return {
        **props,
        "id": iris.id_of(props["uri"]),
        "year": year,
        "measures": store.run_read(MEASURE_COUNT, uri)[0]["n"],
        "issuer": iris.ref(links.get("issuer_uri"), links.get("issuer_name")),
        "jurisdiction": iris.ref(links.get("place_uri"), links.get("place_name")),
        "zones": zones,
        "batches": [{**iris.ref(r["uri"], r["name"]), "number": r["number"],
                     "zone": iris.ref(r["zone_uri"], r["zone_name"])} for r in store.run_read(BATCHES, uri)],
        "targets": [r["t"] for r in store.run_read(TARGETS, uri)],
    }
