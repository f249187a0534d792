"""``/scopes``: the replication scopes measures are promoted to, and one scope with its promotions."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from api import filters
from api.cypher import ListQuery
from api.deps import IrisDep, StoreDep
from api.iris import Iris, find_node
from api.models import Page, Ref
from api.pagination import PageQuery, page
from api.problems import COMMON, responses
from queries.resolve import normalise_value, scope_types

router = APIRouter(prefix="/scopes", tags=["scopes"], responses=COMMON)


class ScopeFilters(PageQuery):
    place: str | None = Field(None, max_length=500, description="its jurisdiction is this place (or within it)",
                              examples=["深圳市"])
    zone: str | None = Field(None, max_length=500, description="measures piloted in this zone were promoted to it",
                             examples=["前海蛇口"])
    type: str | None = Field(None, max_length=100, description="a scope type: id, label or alias",
                             examples=["citywide", "全市"])


class ScopeSummary(BaseModel):
    uri: str
    id: str | None = Field(examples=["shenzhen/citywide"])
    name: str = Field(examples=["全市(深圳市)"])
    scope_type: str | None = Field(None, examples=["citywide"])
    jurisdiction: Ref | None = None
    promoted: int = Field(description="measures promoted to it")


class ZonePromotions(Ref):
    measures: int


class TimelineEntry(BaseModel):
    date: dt.date | None = None
    batch: int | None = None
    document: Ref | None = None
    measures: int


class ScopeDetail(ScopeSummary):
    zones: list[ZonePromotions] = Field(description="pilot zones of the promoted measures, with how many")
    timeline: list[TimelineEntry] = Field(description="promotions per date, batch and document (undated last)")


LIST_BASE = """
MATCH (s:ReplicationScope)
WHERE $types IS NULL OR s.scope_type IN $types
OPTIONAL MATCH (s)-[:SCOPE_JURISDICTION]->(j:Place)
WITH s, j
"""
LIST_FILTERS = {
    "place": "MATCH (j)-[:PLACE_WITHIN*0..4]->(fp:Place) WHERE fp.uri IN $place",
    "zone": "MATCH (s)<-[:PROMOTED_TO]-(:Measure)-[:PILOTED_IN]->(fz:PilotZone) WHERE fz.uri IN $zone",
}
LIST_COUNT = "RETURN count(s) AS total"
LIST_PAGE = """
OPTIONAL MATCH (s)<-[:PROMOTED_TO]-(m:Measure)
WITH s, j, count(DISTINCT m) AS promoted
RETURN s.uri AS uri, s.name AS name, s.scope_type AS scope_type, j.uri AS place_uri, j.name AS place_name, promoted
ORDER BY uri
SKIP $offset LIMIT $limit
"""
DETAIL = """
MATCH (s:ReplicationScope {uri: $uri})
OPTIONAL MATCH (s)-[:SCOPE_JURISDICTION]->(j:Place)
OPTIONAL MATCH (s)<-[:PROMOTED_TO]-(m:Measure)
RETURN j.uri AS place_uri, j.name AS place_name, count(DISTINCT m) AS promoted
"""
ZONES = """
MATCH (s:ReplicationScope {uri: $uri})<-[:PROMOTED_TO]-(m:Measure)-[:PILOTED_IN]->(z:PilotZone)
RETURN z.uri AS uri, z.name AS name, count(DISTINCT m) AS measures ORDER BY measures DESC, uri
"""
TIMELINE = """
MATCH (s:ReplicationScope {uri: $uri})<-[p:PROMOTED_TO]-(m:Measure)-[:PART_OF]->(d:PolicyDocument)
WITH p.date AS date, p.batch AS batch, d, count(DISTINCT m) AS measures
RETURN date, batch, d.uri AS document_uri, d.title AS document_title, measures
ORDER BY date IS NULL, date, batch, document_uri
"""


def _scope_types(value: str | None) -> list[str] | None:
    """Scope type ids named by an id, label or alias (全市 -> citywide); the value itself otherwise."""
    if value is None:
        return None
    v = normalise_value(value)
    return scope_types(v) or [v]


LIST = ListQuery(LIST_BASE, LIST_FILTERS, "s, j", LIST_COUNT, LIST_PAGE)

@router.get("", summary="List replication scopes", response_model=Page[ScopeSummary])
def list_scopes(request: Request, store: StoreDep, iris: IrisDep,
                q: Annotated[ScopeFilters, Query()]) -> dict[str, Any]:
    """Scopes with their jurisdiction and how many measures were promoted to each; filtered by
    place, by the zone the promoted measures were piloted in and by scope type."""
    params = {"place": filters.reference(store, "place", q.place, "place"),
              "zone": filters.reference(store, "zone", q.zone, "zone"),
              "types": _scope_types(q.type), **q.params()}
    total, rows = LIST.run(store, params)
    return page(request, [_summary(iris, r) for r in rows], total, q)


def _summary(iris: Iris, r: dict[str, Any]) -> dict[str, Any]:
    return {**r, "id": iris.id_of(r["uri"]), "jurisdiction": iris.ref(r["place_uri"], r["place_name"])}


@router.get("/{id:path}", summary="One replication scope with its promotions", response_model=ScopeDetail,
            responses=responses(404))
def get_scope(store: StoreDep, iris: IrisDep,
              id: Annotated[str, Path(description="the scope's id (its IRI after /scope/)",
                                      examples=["shenzhen/citywide", "guangzhou/relevant-districts"])]
              ) -> dict[str, Any]:
    """Its jurisdiction, how many measures were promoted to it, from which pilot zones, and when
    (per date, batch and announcing document)."""
    props = find_node(store, iris, "ReplicationScope", id, "scope")
    uri = {"uri": props["uri"]}
    detail = store.run_read(DETAIL, uri)[0]
    return {
        **_summary(iris, {**props, **detail}),
        "zones": [{**iris.ref(r["uri"], r["name"]), "measures": r["measures"]} for r in store.run_read(ZONES, uri)],
        "timeline": [{"date": r["date"], "batch": r["batch"], "measures": r["measures"],
                      "document": iris.ref(r["document_uri"], r["document_title"])}
                     for r in store.run_read(TIMELINE, uri)],
    }
