"""``/agencies``: the agencies, and one agency with its parent, place, measures and successions."""

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
from reformkg.model import Level

router = APIRouter(prefix="/agencies", tags=["agencies"], responses=COMMON)


class AgencyFilters(PageQuery):
    zone: str | None = Field(None, max_length=500, description="takes part in measures piloted in this zone",
                             examples=["横琴"])
    level: Level | None = Field(None, description="national, province, city or district")
    function: str | None = Field(None, max_length=100, description="its function (an agency-function id)",
                                 examples=["market-regulation"])
    text: str | None = Field(None, min_length=1, max_length=200, description="in its name or a short form",
                             examples=["市场监督管理局", "市場監督管理局"])


class AgencySummary(BaseModel):
    uri: str
    id: str | None = Field(examples=["深圳市市场监督管理局"])
    name: str = Field(examples=["深圳市市场监督管理局"])
    level: str | None = Field(None, examples=["city"])
    function: str | None = Field(None, examples=["market-regulation"])
    is_government: bool | None = None
    measures: int = Field(description="measures it takes part in, any role")


class RoleCounts(BaseModel):
    lead: int = 0
    participant: int = 0
    support: int = 0


class AgencyDetail(AgencySummary):
    aliases: list[str] = []
    parent: Ref | None = Field(None, description="its government or organ")
    children: list[Ref] = Field(description="agencies that are part of it")
    place: Ref | None = Field(None, description="its jurisdiction")
    measures_by_role: RoleCounts
    predecessors: list[Succession] = Field(description="agencies it replaced in an institutional reform")
    successors: list[Succession] = Field(description="agencies that replaced it")
    documents_issued: list[Ref]


LIST_BASE = """
MATCH (a:Agency)
WHERE ($level IS NULL OR a.level = $level) AND ($function IS NULL OR a.function = $function)
  AND ($text IS NULL OR any(t IN $text WHERE a.name CONTAINS t OR any(x IN coalesce(a.aliases, []) WHERE x CONTAINS t)))
"""
LIST_FILTERS = {
    "zone": "MATCH (a)<-[:LED_BY|PARTICIPANT|SUPPORTED_BY]-(:Measure)-[:PILOTED_IN]->(fz:PilotZone) "
            "WHERE fz.uri IN $zone",
}
LIST_COUNT = "RETURN count(a) AS total"
LIST_PAGE = """
OPTIONAL MATCH (a)<-[:LED_BY|PARTICIPANT|SUPPORTED_BY]-(m:Measure)
WITH a, count(DISTINCT m) AS measures
RETURN a.uri AS uri, a.name AS name, a.level AS level, a.function AS function,
       a.is_government AS is_government, measures
ORDER BY name, uri
SKIP $offset LIMIT $limit
"""
ROLES = """
MATCH (a:Agency {uri: $uri})<-[r:LED_BY|PARTICIPANT|SUPPORTED_BY]-(m:Measure)
RETURN type(r) AS type, count(DISTINCT m) AS n
"""
LINKS = """
MATCH (a:Agency {uri: $uri})
OPTIONAL MATCH (a)-[:SUB_ORGANIZATION_OF]->(p:Agency)
OPTIONAL MATCH (a)-[:AGENCY_JURISDICTION]->(pl:Place)
RETURN p.uri AS parent_uri, p.name AS parent_name, pl.uri AS place_uri, pl.name AS place_name
LIMIT 1
"""
CHILDREN = """
MATCH (a:Agency {uri: $uri})<-[:SUB_ORGANIZATION_OF]-(c:Agency) RETURN c.uri AS uri, c.name AS name ORDER BY name
"""
ISSUED = """
MATCH (a:Agency {uri: $uri})<-[:ISSUED_BY]-(d:PolicyDocument) RETURN d.uri AS uri, d.title AS name ORDER BY uri
"""
SUCCESSORS = """
MATCH (a:Agency {uri: $uri})-[s:SUCCEEDED_BY]->(b:Agency)
RETURN b.uri AS uri, b.name AS name, s.date AS date, s.reform AS reform ORDER BY date, name
"""
PREDECESSORS = """
MATCH (a:Agency {uri: $uri})<-[s:SUCCEEDED_BY]-(b:Agency)
RETURN b.uri AS uri, b.name AS name, s.date AS date, s.reform AS reform ORDER BY date, name
"""
ROLE_KEYS = {"LED_BY": "lead", "PARTICIPANT": "participant", "SUPPORTED_BY": "support"}


LIST = ListQuery(LIST_BASE, LIST_FILTERS, "a", LIST_COUNT, LIST_PAGE)

@router.get("", summary="List agencies", response_model=Page[AgencySummary])
def list_agencies(request: Request, store: StoreDep, iris: IrisDep,
                  q: Annotated[AgencyFilters, Query()]) -> dict[str, Any]:
    """Agencies by name with how many measures each takes part in; filtered by zone, level,
    function and text in the name or a short form."""
    params = {"zone": filters.reference(store, "zone", q.zone, "zone"),
              "level": q.level.value if q.level else None, "function": q.function,
              "text": filters.text_terms(q.text, "text"), **q.params()}
    total, rows = LIST.run(store, params)
    return page(request, [{**r, "id": iris.id_of(r["uri"])} for r in rows], total, q)


@router.get("/{id:path}", summary="One agency with its parent, place, measures and successions",
            response_model=AgencyDetail, responses=responses(404))
def get_agency(store: StoreDep, iris: IrisDep,
               id: Annotated[str, Path(description="the agency's id (its canonical name)",
                                       examples=["深圳市市场监督管理局", "广东省人民政府"])]) -> dict[str, Any]:
    """Level, function, parent organ, sub-organisations, jurisdiction, measure counts by role, the
    agencies it replaced and that replaced it (date, reform) and the documents it issued."""
    props = find_node(store, iris, "Agency", id, "agency")
    uri = {"uri": props["uri"]}
    by_role = {ROLE_KEYS[r["type"]]: r["n"] for r in store.run_read(ROLES, uri)}
    links = (store.run_read(LINKS, uri) or [{}])[0]

    def refs(query: str, *extra: str) -> list[dict[str, Any]]:
        return [{**iris.ref(r["uri"], r["name"]), **{k: r[k] for k in extra}} for r in store.run_read(query, uri)]

    measures = store.run_read(
        "MATCH (a:Agency {uri: $uri})<-[:LED_BY|PARTICIPANT|SUPPORTED_BY]-(m:Measure) RETURN count(DISTINCT m) AS n",
        uri)[0]["n"]
    return {
        **props,
        "id": iris.id_of(props["uri"]),
        "aliases": props.get("aliases") or [],
        "measures": measures,
        "measures_by_role": by_role,
        "parent": iris.ref(links.get("parent_uri"), links.get("parent_name")),
        "place": iris.ref(links.get("place_uri"), links.get("place_name")),
        "children": refs(CHILDREN),
        "predecessors": refs(PREDECESSORS, "date", "reform"),
        "successors": refs(SUCCESSORS, "date", "reform"),
        "documents_issued": refs(ISSUED),
    }
