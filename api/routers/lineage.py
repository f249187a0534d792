"""Lineage views: where a measure came from and went, what a zone became, an agency's reforms.

They reuse the catalogue (``measure-lineage``, ``zone-context``,
``zone-promotion-timeline``, ``agency-measures``) with the resource's IRI as
the reference parameter, plus a few direct reads for what the catalogue
does not return.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field

from api.deps import IrisDep, StoreDep
from api.fast import json_response
from api.iris import Iris, find_node
from api.jsonable import to_json
from api.models import Ref, Succession
from api.problems import COMMON, not_found, responses
from graph.backend import GraphBackend
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


# The measure (the first of its candidate IRIs that exists), its lineage (the links of the catalogue
# query `measure-lineage`: tests/test_api.py checks that they agree) and its promotions: one round trip.
_LINK = ("{uri: o.uri, title: o.title, depth: depth, document: d.title, document_date: coalesce(d.issued, "
         "d.published), method: link.method, score: link.score, evidence: link.evidence}")
MEASURE_LINEAGE = f"""
MATCH (m:Measure) WHERE m.uri IN $uris
WITH m LIMIT 1
CALL {{
  WITH m
  OPTIONAL MATCH path = (m)-[:DERIVED_FROM*1..6]->(o:Measure)-[:PART_OF]->(d:PolicyDocument)
  WITH o, d, length(path) - 1 AS depth, relationships(path)[-2] AS link
  RETURN collect(CASE WHEN o IS NULL THEN null ELSE {_LINK} END) AS ancestors
}}
CALL {{
  WITH m
  OPTIONAL MATCH path = (d:PolicyDocument)<-[:PART_OF]-(o:Measure)-[:DERIVED_FROM*1..6]->(m)
  WITH o, d, length(path) - 1 AS depth, relationships(path)[1] AS link
  RETURN collect(CASE WHEN o IS NULL THEN null ELSE {_LINK} END) AS descendants
}}
CALL {{
  WITH m
  OPTIONAL MATCH (m)-[link:RELATED_TO]-(o:Measure)-[:PART_OF]->(d:PolicyDocument)
  WITH o, d, 1 AS depth, link
  RETURN collect(CASE WHEN o IS NULL THEN null ELSE {_LINK} END) AS related
}}
CALL {{
  WITH m
  MATCH (m)-[:PART_OF]->(d:PolicyDocument)
  OPTIONAL MATCH (m)-[p:PROMOTED_TO]->(s:ReplicationScope)
  OPTIONAL MATCH (d)-[:ISSUED_BY]->(i:Agency)
  OPTIONAL MATCH (m)-[:IN_BATCH]->(b:Batch) WHERE b.number = p.batch
  WITH d, p, s, i, b ORDER BY p.date, s.uri
  RETURN collect(CASE WHEN s IS NULL THEN null ELSE {{scope_uri: s.uri, scope_name: s.name,
         scope_type: s.scope_type, date: p.date, batch_number: p.batch, batch_uri: b.uri, batch_name: b.name,
         document_uri: d.uri, document_title: d.title, issuer_uri: i.uri, issuer_name: i.name}} END) AS promotions
}}
RETURN m.uri AS uri, m.title AS title, ancestors, descendants, related, promotions
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
                    ) -> Response:
    """Ancestors (DERIVED_FROM, with depth) and descendants, related measures (RELATED_TO), each with
    the link's method, score and shared terms (catalogue query `measure-lineage`), and the measure's
    promotions with date, batch, scope, announcing document and issuer."""
    return json_response(lineage_of_measure(store, iris, id))


def lineage_of_measure(store: GraphBackend, iris: Iris, id: str) -> dict[str, Any]:
    """The body of ``/measures/{id}/lineage`` (JSON values), from one query."""
    uris = iris.candidates("Measure", id)
    found = store.run_read(MEASURE_LINEAGE, {"uris": uris}) if uris else []
    if not found:
        raise not_found("measure", id)
    m = found[0]

    def links(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Each linked measure once, at its nearest depth; nearest first (then in the graph's order)."""
        return _first_per_uri([{**iris.ref(r["uri"], r["title"]), **{k: to_json(r[k]) for k in (
            "depth", "document", "document_date", "method", "score", "evidence")}}
            for r in sorted(rows, key=lambda r: r["depth"])])

    promotions = [{
        "scope": iris.ref(r["scope_uri"], r["scope_name"]), "scope_type": r["scope_type"], "date": to_json(r["date"]),
        "batch_number": r["batch_number"], "batch": iris.ref(r["batch_uri"], r["batch_name"]),
        "document": iris.ref(r["document_uri"], r["document_title"]),
        "issuer": iris.ref(r["issuer_uri"], r["issuer_name"]),
    } for r in m["promotions"]]
    return {"measure": iris.ref(m["uri"], m["title"]), "ancestors": links(m["ancestors"]),
            "descendants": links(m["descendants"]), "related": links(m["related"]), "promotions": promotions}


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
