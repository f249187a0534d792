"""``/zones``: the pilot zones, and one zone with its place chain and counts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from api import filters
from api.cypher import ListQuery
from api.deps import IrisDep, StoreDep
from api.iris import find_node
from api.models import Page, Ref, Succession
from api.pagination import PageQuery, page
from api.problems import COMMON, responses

router = APIRouter(prefix="/zones", tags=["zones"], responses=COMMON)


class ZoneFilters(PageQuery):
    place: str | None = Field(None, max_length=500, description="within this place (name, id or IRI)",
                              examples=["深圳市", "guangzhou"])
    text: str | None = Field(None, min_length=1, max_length=200, description="in its name or an alias",
                             examples=["横琴"])


class ZoneSummary(BaseModel):
    uri: str
    id: str | None = Field(examples=["qianhai-shekou"])
    zone_id: str | None = None
    name: str = Field(examples=["深圳前海蛇口片区"])
    aliases: list[str] = Field([], examples=[["前海", "前海蛇口", "蛇口"]])
    measures: int = Field(description="measures piloted in the zone")


class PlaceRef(Ref):
    level: str | None = Field(None, examples=["city"])
    depth: int = Field(description="1: the place the zone lies in directly, then outwards")


class ZoneCounts(BaseModel):
    measures: int = Field(description="measures piloted in the zone")
    piloted_by_document: int = Field(description="... because their document is about the zone")
    piloted_by_text: int = Field(description="... because their text names the zone")
    promoted: int = Field(description="of those, measures promoted to a replication scope")
    documents: int = Field(description="documents with measures piloted in the zone")
    batches: int = Field(description="batches of the zone's experience")


class ZoneDetail(ZoneSummary):
    places: list[PlaceRef] = Field(description="the places containing it, nearest first")
    counts: ZoneCounts
    batches: list[Ref]
    predecessors: list[Succession]
    successors: list[Succession]


LIST_BASE = """
MATCH (z:PilotZone)
WHERE $text IS NULL OR any(t IN $text WHERE z.name CONTAINS t OR z.zone_id CONTAINS t
                           OR any(a IN coalesce(z.aliases, []) WHERE a CONTAINS t))
"""
LIST_FILTERS = {"place": "MATCH (z)-[:ZONE_WITHIN]->(:Place)-[:PLACE_WITHIN*0..4]->(fp:Place) WHERE fp.uri IN $place"}
LIST_COUNT = "RETURN count(z) AS total"
LIST_PAGE = """
OPTIONAL MATCH (m:Measure)-[:PILOTED_IN]->(z)
WITH z, count(DISTINCT m) AS measures
RETURN z.uri AS uri, z.zone_id AS zone_id, z.name AS name, coalesce(z.aliases, []) AS aliases, measures
ORDER BY uri
SKIP $offset LIMIT $limit
"""
PLACES = """
MATCH path = (z:PilotZone {uri: $uri})-[:ZONE_WITHIN]->(:Place)-[:PLACE_WITHIN*0..4]->(p:Place)
RETURN p.uri AS uri, p.name AS name, p.level AS level, length(path) AS depth
ORDER BY depth
"""
PILOTED = """
MATCH (z:PilotZone {uri: $uri})<-[r:PILOTED_IN]-(m:Measure)
RETURN r.source AS source, count(DISTINCT m) AS n
"""
COUNTS = """
MATCH (z:PilotZone {uri: $uri})
OPTIONAL MATCH (z)<-[:PILOTED_IN]-(m:Measure)
OPTIONAL MATCH (m)-[:PART_OF]->(d:PolicyDocument)
OPTIONAL MATCH (m)-[:PROMOTED_TO]->(s:ReplicationScope)
RETURN count(DISTINCT m) AS measures, count(DISTINCT d) AS documents,
       count(DISTINCT CASE WHEN s IS NULL THEN NULL ELSE m END) AS promoted
"""
BATCHES = """
MATCH (z:PilotZone {uri: $uri})<-[:BATCH_OF]-(b:Batch)
RETURN b.uri AS uri, b.name AS name ORDER BY b.number, uri
"""
SUCCESSORS = """
MATCH (z:PilotZone {uri: $uri})-[s:ZONE_SUCCEEDED_BY]->(n:PilotZone)
RETURN n.uri AS uri, n.name AS name, s.date AS date, s.reform AS reform ORDER BY date, uri
"""
PREDECESSORS = """
MATCH (z:PilotZone {uri: $uri})<-[s:ZONE_SUCCEEDED_BY]-(n:PilotZone)
RETURN n.uri AS uri, n.name AS name, s.date AS date, s.reform AS reform ORDER BY date, uri
"""


LIST = ListQuery(LIST_BASE, LIST_FILTERS, "z", LIST_COUNT, LIST_PAGE)

@router.get("", summary="List pilot zones", response_model=Page[ZoneSummary])
def list_zones(request: Request, store: StoreDep, iris: IrisDep,
               q: Annotated[ZoneFilters, Query()]) -> dict[str, Any]:
    """The pilot zones with how many measures each piloted; filtered by a place they lie in or by
    text in a name or alias."""
    params = {"place": filters.reference(store, "place", q.place, "place"),
              "text": filters.text_terms(q.text, "text"), **q.params()}
    total, rows = LIST.run(store, params)
    return page(request, [{**r, "id": iris.id_of(r["uri"])} for r in rows], total, q)


@router.get("/{id:path}", summary="One pilot zone with its place chain and counts",
            response_model=ZoneDetail, responses=responses(404))
def get_zone(store: StoreDep, iris: IrisDep,
             id: Annotated[str, Path(description="the zone's id (its IRI after /zone/)",
                                     examples=["qianhai-shekou", "nansha", "hengqin"])]) -> dict[str, Any]:
    """The zone, the places containing it (district, city, province, nation), how many measures it
    piloted (from its own documents, named in others' text), promoted, in how many documents and
    batches, and the zones it succeeded or was succeeded by."""
    props = find_node(store, iris, "PilotZone", id, "zone")
    uri = {"uri": props["uri"]}
    counts = store.run_read(COUNTS, uri)[0]
    piloted = {r["source"]: r["n"] for r in store.run_read(PILOTED, uri)}
    batches = [iris.ref(r["uri"], r["name"]) for r in store.run_read(BATCHES, uri)]

    def successions(query: str) -> list[dict[str, Any]]:
        return [{**iris.ref(r["uri"], r["name"]), "date": r["date"], "reform": r["reform"]}
                for r in store.run_read(query, uri)]

    return {
        **props,
        "id": iris.id_of(props["uri"]),
        "aliases": props.get("aliases") or [],
        "measures": counts["measures"],
        "places": [{**iris.ref(r["uri"], r["name"]), "level": r["level"], "depth": r["depth"]}
                   for r in store.run_read(PLACES, uri)],
        "counts": {**counts, "piloted_by_document": piloted.get("document", 0),
                   "piloted_by_text": piloted.get("text", 0), "batches": len(batches)},
        "batches": batches,
        "predecessors": successions(PREDECESSORS),
        "successors": successions(SUCCESSORS),
    }
