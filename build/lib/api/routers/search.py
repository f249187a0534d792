"""``/search``: Chinese full-text search over measures, documents and agencies.

FalkorDB's full-text index matches whole tokens, not substrings, so this is a
plain ``CONTAINS`` scan on the normalised text (NFKC, Simplified): any
substring of a measure's title or body finds it, Traditional input included.
Ranking: measure titles, then document titles (and numbers), then agency
names (and short forms), then measure bodies; within a rank, document order.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from api import filters
from api.deps import IrisDep, StoreDep
from api.iris import Iris
from api.models import Page, Ref
from api.pagination import PageQuery, page
from api.problems import COMMON
from graph.backend import GraphBackend

router = APIRouter(tags=["search"], responses=COMMON)

Kind = Literal["measure", "document", "agency"]
SNIPPET = 40  # characters of context either side of a body match


class SearchQuery(PageQuery):
    q: str = Field(min_length=1, max_length=200, description="the text to find (Simplified or Traditional)",
                   examples=["电子营业执照", "電子營業執照", "跨境"])
    kind: Kind | None = Field(None, description="only this kind of result")


class SearchHit(BaseModel):
    kind: Kind
    uri: str
    id: str | None
    title: str = Field(description="the measure's or document's title, the agency's name")
    match: Literal["title", "body", "doc_number", "name", "alias"] = Field(description="where the text was found")
    document: Ref | None = Field(None, description="a measure's document")
    snippet: str | None = Field(None, description="the body around the first match (body matches)")


MEASURES = """
MATCH (m:Measure)-[:PART_OF]->(d:PolicyDocument)
WITH m, d, any(t IN $terms WHERE m.title CONTAINS t) AS in_title
WHERE in_title OR any(t IN $terms WHERE m.body CONTAINS t)
RETURN m.uri AS uri, m.title AS title, m.body AS body, in_title, d.uri AS document_uri, d.title AS document_title
ORDER BY document_uri, m.span_start, uri
"""
DOCUMENTS = """
MATCH (d:PolicyDocument)
WITH d, any(t IN $terms WHERE d.title CONTAINS t) AS in_title
WHERE in_title OR any(t IN $terms WHERE coalesce(d.doc_number, '') CONTAINS t)
RETURN d.uri AS uri, d.title AS title, in_title
ORDER BY uri
"""
AGENCIES = """
MATCH (a:Agency)
WITH a, any(t IN $terms WHERE a.name CONTAINS t) AS in_name
WHERE in_name OR any(t IN $terms WHERE any(x IN coalesce(a.aliases, []) WHERE x CONTAINS t))
RETURN a.uri AS uri, a.name AS title, in_name
ORDER BY title, uri
"""


def _snippet(body: str | None, terms: list[str]) -> str | None:
    if not body:
        return None
    at = min((i for i in (body.find(t) for t in terms) if i >= 0), default=-1)
    if at < 0:
        return None
    start, end = max(0, at - SNIPPET), min(len(body), at + max(map(len, terms)) + SNIPPET)
    return ("…" if start else "") + body[start:end] + ("…" if end < len(body) else "")


def _hits(store: GraphBackend, iris: Iris, terms: list[str], kind: str | None) -> list[tuple[int, dict[str, Any]]]:
    hits: list[tuple[int, dict[str, Any]]] = []
    if kind in (None, "measure"):
        for r in store.run_read(MEASURES, {"terms": terms}):
            hits.append((0 if r["in_title"] else 3, {
                "kind": "measure", "uri": r["uri"], "id": iris.id_of(r["uri"]), "title": r["title"],
                "match": "title" if r["in_title"] else "body",
                "document": iris.ref(r["document_uri"], r["document_title"]),
                "snippet": None if r["in_title"] else _snippet(r["body"], terms)}))
    if kind in (None, "document"):
        for r in store.run_read(DOCUMENTS, {"terms": terms}):
            hits.append((1, {"kind": "document", "uri": r["uri"], "id": iris.id_of(r["uri"]), "title": r["title"],
                             "match": "title" if r["in_title"] else "doc_number"}))
    if kind in (None, "agency"):
        for r in store.run_read(AGENCIES, {"terms": terms}):
            hits.append((2, {"kind": "agency", "uri": r["uri"], "id": iris.id_of(r["uri"]), "title": r["title"],
                             "match": "name" if r["in_name"] else "alias"}))
    return hits


@router.get("/search", summary="Search measures, documents and agencies", response_model=Page[SearchHit])
def search(request: Request, store: StoreDep, iris: IrisDep, q: Annotated[SearchQuery, Query()]) -> dict[str, Any]:
    """Every measure whose title or body contains the text (any substring of a title finds it), every
    document whose title or number contains it and every agency whose name or a short form does;
    title matches first. Traditional input is read as Simplified (電子營業執照 = 电子营业执照)."""
    terms = filters.text_terms(q.q, "q") or []
    hits = sorted(_hits(store, iris, terms, q.kind), key=lambda h: h[0])  # stable: keeps each query's order
    items = [h for _rank, h in hits[q.offset:q.offset + q.limit]]
    return page(request, items, len(hits), q)
