"""``/categories``: the headings measures are filed under, and one with its broader, narrower and measures."""

from __future__ import annotations

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
from api.routers.measures import MeasureSummary, summary

router = APIRouter(prefix="/categories", tags=["categories"], responses=COMMON)


class CategoryFilters(PageQuery):
    document: str | None = Field(None, max_length=500, description="used by this document (文号, title or IRI)",
                                 examples=["粤府函〔2024〕9号"])
    zone: str | None = Field(None, max_length=500, description="has measures piloted in this zone",
                             examples=["南沙"])
    top: bool | None = Field(None, description="true: only top headings; false: only sub-headings")
    text: str | None = Field(None, min_length=1, max_length=200, description="in its name", examples=["金融"])


class CategorySummary(BaseModel):
    uri: str
    id: str | None = Field(examples=["推进金融创新发展与对外开放"])
    name: str = Field(examples=["推进金融创新发展与对外开放"])
    broader: Ref | None = None
    measures: int = Field(description="measures filed under it")


class CategoryDetail(CategorySummary):
    narrower: list[CategorySummary]
    measure_list: list[MeasureSummary] = Field(description="its measures, in document order")


LIST_BASE = """
MATCH (c:Category)
WHERE $text IS NULL OR any(t IN $text WHERE c.name CONTAINS t)
OPTIONAL MATCH (c)-[:BROADER]->(b:Category)
WITH c, b
WHERE $top IS NULL OR ($top AND b IS NULL) OR (NOT $top AND b IS NOT NULL)
"""
LIST_FILTERS = {
    "document": "MATCH (c)<-[:IN_CATEGORY]-(:Measure)-[:PART_OF]->(fd:PolicyDocument) WHERE fd.uri IN $document",
    "zone": "MATCH (c)<-[:IN_CATEGORY]-(:Measure)-[:PILOTED_IN]->(fz:PilotZone) WHERE fz.uri IN $zone",
}
LIST_COUNT = "RETURN count(c) AS total"
COUNTED = """
OPTIONAL MATCH (c)<-[:IN_CATEGORY]-(m:Measure)
WITH c, b, count(DISTINCT m) AS measures
RETURN c.uri AS uri, c.name AS name, b.uri AS broader_uri, b.name AS broader_name, measures
"""
LIST_PAGE = COUNTED + "ORDER BY broader_uri IS NOT NULL, name, uri SKIP $offset LIMIT $limit"
NARROWER = """
MATCH (c:Category)-[:BROADER]->(b:Category {uri: $uri})
""" + COUNTED + "ORDER BY name, uri"
SELF = """
MATCH (c:Category {uri: $uri})
OPTIONAL MATCH (c)-[:BROADER]->(b:Category)
""" + COUNTED
MEASURES = """
MATCH (c:Category {uri: $uri})<-[:IN_CATEGORY]-(m:Measure)-[:PART_OF]->(d:PolicyDocument)
RETURN m.uri AS uri, m.seq AS seq, m.title AS title, m.deadline AS deadline, m.status AS status,
       d.uri AS document_uri, d.title AS document_title
ORDER BY document_uri, m.span_start, uri
"""


def _summary(iris: Iris, r: dict[str, Any]) -> dict[str, Any]:
    return {"uri": r["uri"], "id": iris.id_of(r["uri"]), "name": r["name"], "measures": r["measures"],
            "broader": iris.ref(r["broader_uri"], r["broader_name"])}


LIST = ListQuery(LIST_BASE, LIST_FILTERS, "c, b", LIST_COUNT, LIST_PAGE)

@router.get("", summary="List categories", response_model=Page[CategorySummary])
def list_categories(request: Request, store: StoreDep, iris: IrisDep,
                    q: Annotated[CategoryFilters, Query()]) -> dict[str, Any]:
    """Headings (top headings first) with their broader heading and how many measures each holds;
    filtered by document, zone, level (top) and text in the name."""
    params = {"document": filters.reference(store, "document", q.document, "document"),
              "zone": filters.reference(store, "zone", q.zone, "zone"),
              "top": q.top, "text": filters.text_terms(q.text, "text"), **q.params()}
    total, rows = LIST.run(store, params)
    return page(request, [_summary(iris, r) for r in rows], total, q)


@router.get("/{id:path}", summary="One category with its broader and narrower headings and measures",
            response_model=CategoryDetail, responses=responses(404))
def get_category(store: StoreDep, iris: IrisDep,
                 id: Annotated[str, Path(description="the category's id (its name, as in its IRI)",
                                         examples=["推进金融创新发展与对外开放"])]) -> dict[str, Any]:
    """The heading, its broader heading, its narrower headings (with counts) and its measures."""
    props = find_node(store, iris, "Category", id, "category")
    uri = {"uri": props["uri"]}
    return {
        **_summary(iris, store.run_read(SELF, uri)[0]),
        "narrower": [_summary(iris, r) for r in store.run_read(NARROWER, uri)],
        "measure_list": [summary(iris, r) for r in store.run_read(MEASURES, uri)],
    }
