"""``GET /id/{path}``: every node IRI ``{base_iri}{path}`` dereferenced, by content negotiation.

``Accept`` (or ``?format=``) picks the representation: ``application/json``
(default: the node's labels and properties and its relationships in and out,
each with the other end's uri, label and name), ``text/turtle``,
``application/ld+json`` or ``application/n-triples`` (the node, its edges and
the type and name of each neighbour, through ``graph.rdf``).  Anything else is
a 406 problem.  Responses vary on ``Accept``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Path, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, JsonValue

from api.deps import IrisDep, StoreDep
from api.jsonable import to_json
from api.problems import ProblemException, not_found, responses
from graph.backend import GraphBackend
from graph.payload import data_props
from graph.rdf import serialize, to_rdf
from ontology.schema import EDGE_PROPS, NODE_LABELS, PROPS, REL_TYPES

router = APIRouter(tags=["linked data"])

# media type -> graph.rdf format ("json": our JSON), in order of preference
MEDIA = {"application/json": "json", "application/ld+json": "json-ld", "text/turtle": "turtle",
         "application/n-triples": "nt"}
FORMATS = {"json": "application/json", "jsonld": "application/ld+json", "turtle": "text/turtle",
           "nt": "application/n-triples"}
CONTENT_TYPES = {"json": "application/json", "json-ld": "application/ld+json",
                 "turtle": "text/turtle; charset=utf-8", "nt": "application/n-triples; charset=utf-8"}
VARY = {"Vary": "Accept"}


class Edge(BaseModel):
    type: str = Field(examples=["PILOTED_IN"])
    uri: str | None = Field(description="the other end's IRI")
    id: str | None = None
    label: str | None = Field(None, description="the other end's label", examples=["PilotZone"])
    name: str | None = Field(None, description="the other end's name or title")
    properties: dict[str, JsonValue] = Field(description="the relationship's properties")


class LinkedNode(BaseModel):
    uri: str = Field(examples=["https://w3id.org/reformkg/id/zone/qianhai-shekou"])
    id: str | None
    labels: list[str] = Field(examples=[["PilotZone"]])
    properties: dict[str, JsonValue]
    outgoing: list[Edge]
    incoming: list[Edge]


def negotiate(accept: str | None, offered: list[str]) -> str | None:
    """The offered media type the ``Accept`` header prefers (None: none acceptable)."""
    ranges = []
    for part in (accept or "").split(","):
        media, *params = [x.strip() for x in part.split(";")]
        if "/" not in media:
            continue
        q = 1.0
        for p in params:
            key, _, value = p.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((*media.lower().split("/", 1), q))
    if not ranges:
        return offered[0]
    best, best_q = None, 0.0
    for media in offered:
        kind, sub = media.split("/")
        q, specificity = None, -1
        for rk, rs, rq in ranges:
            s = 2 if (rk, rs) == (kind, sub) else 1 if (rk == kind and rs == "*") else 0 if rk == rs == "*" else -1
            if s > specificity:
                q, specificity = rq, s
        if q is not None and q > best_q:
            best, best_q = media, q
    return best


def _edges(store: GraphBackend, label: str, uri: str, direction: str) -> list[dict[str, Any]]:
    pattern = "(n)-[r]->(o)" if direction == "out" else "(n)<-[r]-(o)"
    query = (f"MATCH (n:{label} {{uri: $uri}}) MATCH {pattern} "
             "RETURN type(r) AS type, properties(r) AS props, o.uri AS uri, labels(o) AS labels, "
             "o.name AS name, o.title AS title ORDER BY type, uri")
    return store.run_read(query, {"uri": uri})


def _rdf(node: dict[str, Any], out: list[dict[str, Any]], inc: list[dict[str, Any]], fmt: str) -> str:
    uri = node["props"]["uri"]
    nodes = [{"labels": [x for x in node["labels"] if x in NODE_LABELS],
              "props": {k: v for k, v in node["props"].items() if k in PROPS or k == "uri"}}]
    rels = []
    for edges, outgoing in ((out, True), (inc, False)):
        for e in edges:
            labels = [x for x in e["labels"] or [] if x in NODE_LABELS]
            if not e["uri"] or e["type"] not in REL_TYPES or not labels:
                continue
            stub = {k: e[k] for k in ("name", "title") if e[k] is not None}
            nodes.append({"labels": labels, "props": {"uri": e["uri"], **stub}})
            props = {k: v for k, v in (e["props"] or {}).items() if k in EDGE_PROPS}
            start, end = (uri, e["uri"]) if outgoing else (e["uri"], uri)
            rels.append({"type": e["type"], "start": start, "end": end, "props": props})
    return serialize(to_rdf(nodes, rels), fmt)


@router.get("/id/{path:path}", summary="Dereference a node IRI (JSON, Turtle, JSON-LD, N-Triples)",
            response_model=LinkedNode,
            responses={200: {"description": "the node and its relationships", "content": {
                "application/ld+json": {"schema": {"type": "object"}},
                "text/turtle": {"schema": {"type": "string"}},
                "application/n-triples": {"schema": {"type": "string"}}}},
                **responses(404, 406, 422, 500, 503, 504)})
def dereference(store: StoreDep, iris: IrisDep,
                path: Annotated[str, Path(description="the IRI after the base, e.g. zone/qianhai-shekou",
                                          examples=["zone/qianhai-shekou", "measure/粤府办-2018-34/9-3"])],
                accept: Annotated[str | None, Header(description="application/json, text/turtle, "
                                                     "application/ld+json or application/n-triples")] = None,
                as_format: Annotated[Literal["json", "jsonld", "turtle", "nt"] | None,
                                     Query(alias="format", description="overrides Accept")] = None) -> Response:
    """The node at ``{base_iri}{path}``: its labels, properties and relationships, as JSON or RDF."""
    media = FORMATS[as_format] if as_format else negotiate(accept, list(MEDIA))
    if media is None:
        raise ProblemException(406, "not-acceptable", title="Not acceptable", headers=VARY,
                               detail=f"cannot answer {accept!r}; offered: {', '.join(MEDIA)}")
    label = iris.label_of_path(path)
    uris = iris.candidates(label, path.partition("/")[2]) if label else []
    rows = store.run_read(f"MATCH (n:{label}) WHERE n.uri IN $uris "
                          "RETURN labels(n) AS labels, properties(n) AS props LIMIT 1", {"uris": uris}) if uris else []
    if not rows:
        raise not_found("node", iris.base + path)
    node = rows[0]
    uri = node["props"]["uri"]
    out, inc = _edges(store, label, uri, "out"), _edges(store, label, uri, "in")
    fmt = MEDIA[media]
    if fmt != "json":
        return Response(_rdf(node, out, inc, fmt), media_type=CONTENT_TYPES[fmt], headers=VARY)

    def edge(e: dict[str, Any]) -> dict[str, Any]:
        return {"type": e["type"], "uri": e["uri"], "id": iris.id_of(e["uri"]), "label": (e["labels"] or [None])[0],
                "name": e["name"] if e["name"] is not None else e["title"], "properties": to_json(e["props"] or {})}

    body = {"uri": uri, "id": iris.id_of(uri), "labels": node["labels"],
            "properties": to_json({k: v for k, v in data_props(node["props"]).items() if k != "uri"}),
            "outgoing": [edge(e) for e in out], "incoming": [edge(e) for e in inc]}
    return JSONResponse(body, headers=VARY)
