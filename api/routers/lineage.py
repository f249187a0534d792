"""Lineage views: where a measure came from and went, what a zone became, an agency's reforms.

They reuse the catalogue (``measure-lineage``, ``zone-context``,
``zone-promotion-timeline``, ``agency-measures``) with the resource's IRI as
the reference parameter, plus a few direct reads for what the catalogue
does not return.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from api.deps import IrisDep, StoreDep
from api.iris import find_node
from api.models import Ref, Succession
from api.problems import COMMON, responses
from queries import registry

router = APIRouter(tags=["lineage"], responses={**COMMON, **responses(404)})


class LineageLink(Ref):
    depth: int = Field(description="links away (1: directly)")
    document: str | None = Field(None, description="the other measure's document")
    document_date: dt.date | None = None
    method: str | None = Field(None, description="how the link was found")
    score: float | None = None
    evidence: list[str] | None = Field(None, description="the terms the two measures share")


class PromotionEvent(BaseModel):
    scope: Ref
    scope_type: str | None = None
    date: dt.date | None = None
    batch_number: int | None = None
    batch: Ref | None = None
    document: Ref | None = Field(None, description="the document announcing the promotion")
    issuer: Ref | None = None


class MeasureLineage(BaseModel):
    measure: Ref
    ancestors: list[LineageLink] = Field(description="earlier measures it derives from (DERIVED_FROM)")
    descendants: list[LineageLink] = Field(description="later measures derived from it")
    related: list[LineageLink] = Field(description="measures on the same idea, order unknown (RELATED_TO)")
    promotions: list[PromotionEvent]


class PlaceStep(BaseModel):
    uri: str | None = None
    id: str | None = None
    name: str | None = None
    level: str | None = None
    depth: int


class ZoneStep(BaseModel):
    uri: str | None = None
    id: str | None = None
    name: str | None = None
    depth: int
    date: dt.date | str | None = None


class TimelineEntry(BaseModel):
    date: dt.date | None = None
    batch: int | None = None
    scope: str | None = None
    scope_type: str | None = None
    document: Ref | None = None
    measures: int


class ZoneLineage(BaseModel):
    zone: Ref
    places: list[PlaceStep] = Field(description="the places containing it, nearest first")
    successors: list[ZoneStep] = Field(description="zones it became (ZONE_SUCCEEDED_BY)")
    predecessors: list[ZoneStep] = Field(description="zones it replaced")
    timeline: list[TimelineEntry] = Field(description="its promotions per date, batch and scope")


class AgencyMeasure(Ref):
    seq: str | None = None
    role: str | None = Field(None, description="LED_BY, PARTICIPANT or SUPPORTED_BY")
    as_agency: str | None = Field(None, description="the agency named in the measure (it or a predecessor)")
    via_predecessor: bool = False
    document: str | None = None


class AgencyLineage(BaseModel):
    agency: Ref
    predecessors: list[Succession] = Field(description="agencies it replaced, through chains of reforms")
    successors: list[Succession] = Field(description="agencies that replaced it")
    measures: list[AgencyMeasure] = Field(description="measures of it and its predecessors in the role asked")


PROMOTIONS = """
MATCH (m:Measure {uri: $uri})-[p:PROMOTED_TO]->(s:ReplicationScope)
MATCH (m)-[:PART_OF]->(d:PolicyDocument)
OPTIONAL MATCH (d)-[:ISSUED_BY]->(i:Agency)
OPTIONAL MATCH (m)-[:IN_BATCH]->(b:Batch) WHERE b.number = p.batch
RETURN s.uri AS scope_uri, s.name AS scope_name, s.scope_type AS scope_type, p.date AS date,
       p.batch AS batch_number, b.uri AS batch_uri, b.name AS batch_name, d.uri AS document_uri,
       d.title AS document_title, i.uri AS issuer_uri, i.name AS issuer_name
ORDER BY date, scope_uri
"""
AGENCY_SUCCESSORS = """
MATCH path = (a:Agency {uri: $uri})-[:SUCCEEDED_BY*1..4]->(b:Agency)
WITH b, length(path) AS depth, last(relationships(path)) AS s
RETURN b.uri AS uri, b.name AS name, depth, s.date AS date, s.reform AS reform
ORDER BY depth, uri
"""
AGENCY_PREDECESSORS = """
MATCH path = (b:Agency)-[:SUCCEEDED_BY*1..4]->(a:Agency {uri: $uri})
WITH b, length(path) AS depth, head(relationships(path)) AS s
RETURN b.uri AS uri, b.name AS name, depth, s.date AS date, s.reform AS reform
ORDER BY depth, uri
"""


def _first_per_uri(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for r in rows:
        seen.setdefault(r.get("uri") or r.get("name") or str(len(seen)), r)
    return list(seen.values())


@router.get("/measures/{id:path}/lineage", summary="Where a measure came from and where it went",
            response_model=MeasureLineage)
def measure_lineage(store: StoreDep, iris: IrisDep,
                    id: Annotated[str, Path(description="the measure's id", examples=["粤府办-2018-34/9-3"])]
                    ) -> dict[str, Any]:
    """Ancestors (DERIVED_FROM, with depth) and descendants, related measures (RELATED_TO), each with
    the link's method, score and shared terms (catalogue query `measure-lineage`), and the measure's
    promotions with date, batch, scope, announcing document and issuer."""
    props = find_node(store, iris, "Measure", id, "measure")
    groups: dict[str, list[dict[str, Any]]] = {"ancestor": [], "descendant": [], "related": []}
    for r in registry.run(store, "measure-lineage", {"measure": props["uri"]}):
        groups.setdefault(r["direction"], []).append(
            {**iris.ref(r["uri"], r["title"]), **{k: r.get(k) for k in
             ("depth", "document", "document_date", "method", "score", "evidence")}})
    promotions = [{
        "scope": iris.ref(r["scope_uri"], r["scope_name"]), "scope_type": r["scope_type"], "date": r["date"],
        "batch_number": r["batch_number"], "batch": iris.ref(r["batch_uri"], r["batch_name"]),
        "document": iris.ref(r["document_uri"], r["document_title"]),
        "issuer": iris.ref(r["issuer_uri"], r["issuer_name"]),
    } for r in store.run_read(PROMOTIONS, {"uri": props["uri"]})]
    return {"measure": iris.ref(props["uri"], props.get("title")),
            "ancestors": _first_per_uri(groups["ancestor"]), "descendants": _first_per_uri(groups["descendant"]),
            "related": _first_per_uri(groups["related"]), "promotions": promotions}


@router.get("/zones/{id:path}/lineage", summary="Where a zone lies, what it became, and its promotions",
            response_model=ZoneLineage)
def zone_lineage(store: StoreDep, iris: IrisDep,
                 id: Annotated[str, Path(description="the zone's id", examples=["nansha", "hengqin"])]
                 ) -> dict[str, Any]:
    """The zone's place chain and its successor and predecessor zones (catalogue query
    `zone-context`) and its promotion timeline (`zone-promotion-timeline`)."""
    props = find_node(store, iris, "PilotZone", id, "zone")
    context = registry.run(store, "zone-context", {"zone": props["uri"]})

    def steps(relation: str) -> list[dict[str, Any]]:
        rows = sorted((r for r in context if r["relation"] == relation), key=lambda r: (r["depth"], r["name"] or ""))
        return _first_per_uri([{**r, "id": iris.id_of(r["uri"])} for r in rows])

    timeline = [{**r, "document": iris.ref(r["document_uri"], r["document"])}
                for r in registry.run(store, "zone-promotion-timeline", {"zone": props["uri"]})]
    return {"zone": iris.ref(props["uri"], props.get("name")), "places": steps("within"),
            "successors": steps("succeeded by"), "predecessors": steps("succeeds"), "timeline": timeline}


@router.get("/agencies/{id:path}/lineage", summary="An agency's predecessors, successors and their measures",
            response_model=AgencyLineage)
def agency_lineage(store: StoreDep, iris: IrisDep,
                   id: Annotated[str, Path(description="the agency's id (its canonical name)",
                                           examples=["珠海市税务局", "深圳市市场监督管理局"])],
                   role: Annotated[Literal["lead", "participant", "support", "any"],
                                   Query(description="the role in the measures listed")] = "lead",
                   ) -> dict[str, Any]:
    """Predecessors and successors through SUCCEEDED_BY (with depth, date and reform) and the measures
    the agency and its predecessors took part in, in ``role`` (catalogue query `agency-measures`)."""
    props = find_node(store, iris, "Agency", id, "agency")
    uri = {"uri": props["uri"]}

    def chain(query: str) -> list[dict[str, Any]]:
        return [{**iris.ref(r["uri"], r["name"]), "depth": r["depth"], "date": r["date"], "reform": r["reform"]}
                for r in _first_per_uri(store.run_read(query, uri))]

    measures = [{**iris.ref(r["uri"], r["title"]), **{k: r.get(k) for k in
                 ("seq", "role", "as_agency", "via_predecessor", "document")}}
                for r in registry.run(store, "agency-measures",
                                      {"agency": props["uri"], "role": role, "predecessors": "true"})]
    return {"agency": iris.ref(props["uri"], props.get("name")), "predecessors": chain(AGENCY_PREDECESSORS),
            "successors": chain(AGENCY_SUCCESSORS), "measures": measures}
