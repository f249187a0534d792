"""``/search``: Chinese full-text search over measures, documents and agencies.

Any substring of a measure's title or body finds it (Traditional input is read
as Simplified): a ``CONTAINS`` on the normalised text, exact, but run only on
candidates.  FalkorDB's full-text index matches whole words, not substrings,
so measures and documents carry ``search_grams``, the character bigrams of
their text as one string with a full-text index on it (``graph/search_index.py``):
the nodes holding every bigram of the text are the candidates.  On Neo4j the candidates come
from its CJK full-text index (bigrams of Han text) when the text is Han only.
A text without a bigram to look up (one character) scans, as do agencies
(a few hundred).

One query answers a request: the hits of every kind, ranked (measure titles,
then document titles and numbers, then agency names and short forms, then
measure bodies; within a rank, document order), counted, and only the page
asked for projected.

The work is bounded: at most ``MAX_CANDIDATES`` candidate measures are
examined (the first ones the index yields: on FalkorDB in the order it holds
them, on Neo4j by relevance; for a one-character text, which has no bigram,
the first ones of a scan).  A text whose
bigrams are in more measures than that (a common word: 资料 is in 76% of the
measures of the 100,000-measure benchmark corpus) gets the hits among those,
ranked, and ``total_relation: "gte"``: there are at least ``total`` hits, as a
search engine says "more than N results" (Elasticsearch's ``track_total_hits``
names it the same way).  Below the bound, which is every text on a corpus of
the bundled size, the answer is exactly a scan's, with ``total_relation: "eq"``.
Ranking and counting every one of 76,000 hits would cost ~0.3-0.9 s a request.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from api import filters
from api.deps import IrisDep, StoreDep
from api.fast import json_response
from api.iris import Iris
from api.models import Page, Ref
from api.pagination import PageQuery, page
from api.problems import COMMON
from graph.backend import GraphBackend
from graph.cypher import NEO4J_FULLTEXT_INDEX
from graph.search_index import candidate_query, han_only

router = APIRouter(tags=["search"], responses=COMMON)

Kind = Literal["measure", "document", "agency"]
KINDS: tuple[str, ...] = ("measure", "document", "agency")
SNIPPET = 40  # characters of context either side of a body match
MAX_CANDIDATES = 1000  # candidate measures examined at most per request (see the module's docstring)


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


class SearchPage(Page[SearchHit]):
    total_relation: Literal["eq", "gte"] = Field(
        description=f"eq: `total` is every hit; gte: the text's bigrams are in more than {MAX_CANDIDATES} "
                    f"measures, the first {MAX_CANDIDATES} of them were examined, and there are at least "
                    "`total` hits (the items are ranked among those)")


# ---------------------------------------------------------------- the query

# Each part collects its hits, in order, as {kind, node, d (a measure's document), match}.
MEASURE_CANDIDATES = """
CALL {{
  {source}
  WITH m LIMIT $probe
  RETURN count(m) AS candidates
}}"""
MEASURE_HITS = """
CALL {{
  {source}
  WITH m LIMIT $candidates
  WITH m
  WHERE any(t IN $terms WHERE m.title CONTAINS t OR m.body CONTAINS t)
  MATCH (m)-[:PART_OF]->(d:PolicyDocument)
  WITH m, d ORDER BY d.uri, m.span_start, m.uri
  RETURN collect({{kind: 'measure', node: m, d: d,
                   match: CASE WHEN any(t IN $terms WHERE m.title CONTAINS t) THEN 'title' ELSE 'body' END}}) AS measures
}}"""
DOCUMENT_HITS = """
CALL {{
  {source}
  WHERE any(t IN $terms WHERE x.title CONTAINS t OR coalesce(x.doc_number, '') CONTAINS t)
  WITH x ORDER BY x.uri
  RETURN collect({{kind: 'document', node: x, d: null,
                   match: CASE WHEN any(t IN $terms WHERE x.title CONTAINS t) THEN 'title' ELSE 'doc_number' END}})
         AS documents
}}"""
AGENCY_HITS = """
CALL {
  MATCH (a:Agency)
  WHERE any(t IN $terms WHERE a.name CONTAINS t OR any(x IN coalesce(a.aliases, []) WHERE x CONTAINS t))
  WITH a ORDER BY a.name, a.uri
  RETURN collect({kind: 'agency', node: a, d: null,
                  match: CASE WHEN any(t IN $terms WHERE a.name CONTAINS t) THEN 'name' ELSE 'alias' END}) AS agencies
}"""
# The ranking, the count and the page: only the page's hits are projected (a body only for a body match).
RANKED_PAGE = """
WITH {carried}[h IN {measures} WHERE h.match = 'title'] + {documents} + {agencies} + [h IN {measures} WHERE h.match = 'body']
     AS hits
RETURN size(hits) AS total, {more} AS more,
       [h IN hits[$offset..$offset + $limit] | {{kind: h.kind, match: h.match, uri: h.node.uri,
        title: CASE h.kind WHEN 'agency' THEN h.node.name ELSE h.node.title END,
        body: CASE h.match WHEN 'body' THEN h.node.body END,
        document_uri: h.d.uri, document_title: h.d.title}}] AS page"""


def _fulltext_source(label: str, var: str, param: str) -> str:
    """The candidates of ``label``: the nodes whose bigrams hold all of a term's (any term's)."""
    return f"CALL db.idx.fulltext.queryNodes('{label}', ${param}) YIELD node AS {var}"


def _lucene(terms: list[str]) -> str:
    """Neo4j's full-text query: every bigram of a term, for any of the terms (Han only: no escaping)."""
    return " OR ".join("(" + " AND ".join(f'"{t[i:i + 2]}"' for i in range(len(t) - 1)) + ")" for t in terms)


@lru_cache(maxsize=64)
def _template(kind: str | None, indexed: bool, neo4j_fulltext: bool) -> str:
    """The query text for one shape (the kinds asked; candidates from FalkorDB's bigram index, from
    Neo4j's CJK index, or a scan): the values themselves are parameters, so a handful of texts serve
    every search."""
    parts = []
    lists = {"measures": "[]", "documents": "[]", "agencies": "[]", "more": "false", "carried": ""}
    if kind in (None, "measure"):
        source = _fulltext_source("Measure", "m", "grams") if indexed else "MATCH (m:Measure)"
        if neo4j_fulltext:
            source = f"CALL db.index.fulltext.queryNodes('{NEO4J_FULLTEXT_INDEX}', $fulltext) YIELD node AS m"
        parts += [MEASURE_CANDIDATES.format(source=source), MEASURE_HITS.format(source=source)]
        lists |= {"measures": "measures", "more": "candidates > $candidates", "carried": "candidates, "}
    if kind in (None, "document"):
        source = _fulltext_source("PolicyDocument", "x", "grams") if indexed else "MATCH (x:PolicyDocument)"
        parts.append(DOCUMENT_HITS.format(source=source))
        lists["documents"] = "documents"
    if kind in (None, "agency"):
        parts.append(AGENCY_HITS)
        lists["agencies"] = "agencies"
    return "".join(parts).strip() + RANKED_PAGE.format(**lists)


def search_query(dialect: str, terms: list[str], kind: str | None, offset: int, limit: int
                 ) -> tuple[str, dict[str, Any]]:
    """The query and its parameters for ``terms`` (the text as normalised, and as given if it differs)."""
    params: dict[str, Any] = {"terms": terms, "offset": offset, "limit": limit}
    if kind in (None, "measure"):
        params["candidates"], params["probe"] = MAX_CANDIDATES, MAX_CANDIDATES + 1  # one more: are there more?
    grams = candidate_query(terms) if dialect == "falkordb" else None  # None: a term without a bigram, scan
    neo4j_fulltext = dialect == "neo4j" and all(han_only(t) for t in terms)
    if grams is not None and kind != "agency":
        params["grams"] = grams
    if neo4j_fulltext:
        params["fulltext"] = _lucene(terms)
    return _template(kind, grams is not None, neo4j_fulltext), params


# ---------------------------------------------------------------- the endpoint


def _snippet(body: str | None, terms: list[str]) -> str | None:
    if not body:
        return None
    at = min((i for i in (body.find(t) for t in terms) if i >= 0), default=-1)
    if at < 0:
        return None
    start, end = max(0, at - SNIPPET), min(len(body), at + max(map(len, terms)) + SNIPPET)
    return ("…" if start else "") + body[start:end] + ("…" if end < len(body) else "")


def _hit(iris: Iris, h: dict[str, Any], terms: list[str]) -> dict[str, Any]:
    return {"kind": h["kind"], "uri": h["uri"], "id": iris.id_of(h["uri"]), "title": h["title"], "match": h["match"],
            "document": iris.ref(h["document_uri"], h["document_title"]),
            "snippet": _snippet(h["body"], terms) if h["match"] == "body" else None}


def search_hits(store: GraphBackend, iris: Iris, terms: list[str], kind: str | None, offset: int = 0,
                limit: int | None = None) -> tuple[int, list[dict[str, Any]], bool]:
    """The hits' count, the hits from ``offset`` (``limit`` of them; None: all), ranked, and whether
    more measures than were examined hold the text's bigrams (then the count is a lower bound)."""
    query, params = search_query(store.dialect, terms, kind, offset, limit if limit is not None else 10**9)
    row = store.run_read(query, params)[0]
    return row["total"], [_hit(iris, h, terms) for h in row["page"]], bool(row["more"])


@router.get("/search", summary="Search measures, documents and agencies", response_model=SearchPage)
def search(request: Request, store: StoreDep, iris: IrisDep, q: Annotated[SearchQuery, Query()]) -> Response:
    """Every measure whose title or body contains the text (any substring of a title finds it), every
    document whose title or number contains it and every agency whose name or a short form does;
    title matches first. Traditional input is read as Simplified (電子營業執照 = 电子营业执照). At most
    1,000 candidate measures are examined: for a text in more measures than that, `total_relation`
    is `gte` and `total` a lower bound."""
    terms = filters.text_terms(q.q, "q") or []
    total, items, more = search_hits(store, iris, terms, q.kind, q.offset, q.limit)
    return json_response(page(request, items, total, q) | {"total_relation": "gte" if more else "eq"})
