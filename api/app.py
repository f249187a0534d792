"""The ReformKG graph API: ``create_app()`` builds it, for uvicorn too::

    uvicorn --factory api.app:create_app        # or: reformkg serve
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from api import problems
from api.deps import check_url_text
from api.iris import Iris
from api.limits import RequestLimits
from api.limits import document as document_limits
from api.routers import (
    agencies,
    categories,
    cypher,
    documents,
    health,
    lineage,
    linked_data,
    measures,
    named_queries,
    scopes,
    search,
    sparql,
    zones,
)
from api.web import pages as web_pages
from graph.backend import GraphBackend
from graph.read_cache import cached
from reformkg.settings import Settings, get_settings, open_graph

DESCRIPTION = """\
A knowledge graph of Chinese Free Trade Zone reform measures: the **measures**, the **pilot zones**
that tried them, the **agencies** that lead or support them, the **documents and batches** that
announced them and the **replication scopes** they were promoted to.

* Resources (`/measures`, `/documents`, `/zones`, `/agencies`, `/scopes`, `/categories`) are lists
  with filters and offset pagination (`{items, total, offset, limit, next}`) and details by id: the
  part of the node's IRI after `…/id/{segment}/` (ids may hold slashes and Chinese; percent-encode
  them; the full IRI is accepted too). Reference filters take a canonical name, an alias or an IRI,
  Simplified or Traditional.
* Lineage: `/measures/{id}/lineage`, `/zones/{id}/lineage`, `/agencies/{id}/lineage`.
* `/search?q=` finds any substring of a measure's title or body, a document title or an agency name.
* `/queries` is the named-query catalogue; `GET /queries/{name}?param=…` (or `POST` a JSON object)
  runs one and answers `{query, params, count, rows}`; `/queries/{name}/describe` describes it.
* `POST /cypher` runs an ad-hoc **read-only** Cypher query (refused before it reaches the database
  otherwise), with a row cap and the database's read timeout.
* `/id/{path}` dereferences every node IRI: JSON, Turtle or JSON-LD by `Accept`.

Every error is an RFC 9457 problem (`application/problem+json`).
"""

TAGS = [
    {"name": "measures", "description": "Reform measures and their relations"},
    {"name": "documents", "description": "Policy documents"},
    {"name": "zones", "description": "Pilot zones (FTZ areas)"},
    {"name": "agencies", "description": "Government agencies"},
    {"name": "scopes", "description": "Replication scopes measures are promoted to"},
    {"name": "categories", "description": "Headings (themes, groups, categories, main tasks)"},
    {"name": "lineage", "description": "Where a reform came from and where it went"},
    {"name": "search", "description": "Full-text search"},
    {"name": "queries", "description": "The named-query catalogue"},
    {"name": "cypher", "description": "Ad-hoc read-only Cypher"},
    {"name": "sparql", "description": "Read-only SPARQL over the RDF export"},
    {"name": "linked data", "description": "Node IRIs dereferenced, with content negotiation"},
    {"name": "health", "description": "Liveness and counts"},
]


def _version() -> str:
    try:
        return version("reformkg")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"


def create_app(settings: Settings | None = None, store: GraphBackend | None = None) -> FastAPI:
    """The API over ``store`` (kept open: the caller owns it) or over the graph of ``settings``
    (opened at startup, closed at shutdown)."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if store is not None:
            yield
            return
        opened = await run_in_threadpool(open_graph, settings)
        app.state.store = cached(opened, settings.read_cache_entries)
        try:
            yield
        finally:
            app.state.store = None
            await run_in_threadpool(opened.close)

    app = FastAPI(title="ReformKG graph API", version=_version(), description=DESCRIPTION,
                  openapi_tags=TAGS, lifespan=lifespan,
                  dependencies=[Depends(check_url_text)])
    app.state.settings = settings
    app.state.iris = Iris(settings.base_iri)
    app.state.store = store
    problems.install(app)
    # outermost last: CORS headers go on the limits' refusals too
    app.add_middleware(RequestLimits, max_body=settings.max_body_kb * 1024, max_url=settings.max_url_kb * 1024)
    document_limits(app)  # their 413 and 414 in the OpenAPI schema
    if settings.cors_origins:  # off by default: no Access-Control-Allow-Origin on any response
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Accept", "Content-Type"])
    # lineage first: /measures/{id}/lineage must win over /measures/{id:path}
    for module in (lineage, measures, documents, zones, agencies, scopes, categories, search,
                   named_queries, cypher, sparql, linked_data, health):
        if module is cypher and not settings.cypher_endpoint:
            continue  # REFORMKG_CYPHER_ENDPOINT=false: no ad-hoc Cypher at all
        app.include_router(module.router)
    # the web pages (HTML, not in the OpenAPI schema) and their static files
    app.mount("/static", StaticFiles(directory=web_pages.STATIC), name="static")
    app.include_router(web_pages.router)
    return app
