"""Every error in one shape: RFC 9457 problem details (``application/problem+json``).

``type`` is ``about:blank`` for plain HTTP errors (unknown path, wrong method)
and ``https://w3id.org/reformkg/problems/<slug>`` for ours:

=====================  ======  ==================================================
slug                   status  raised for
=====================  ======  ==================================================
invalid-request        422     a request that fails validation (``errors`` lists them)
invalid-parameter      422     a parameter the graph or the query registry refuses:
                               a filter matching nothing, a bad named-query value
                               (``param`` names it, ``query`` the named query)
not-found              404     an unknown resource id or IRI
unknown-query          404     a named query that is not in the catalogue
not-acceptable         406     an ``Accept`` header the endpoint cannot serve
cypher-refused         403     an ad-hoc query the read-only guard refuses before
                               it reaches the database (``reason``, ``position``,
                               ``token``): the request is understood, the operation
                               is not allowed on this endpoint
cypher-error           400     an ad-hoc query the database rejects (its message
                               in ``detail``)
query-failed           400     a named query the database rejects for the values
                               given (e.g. a negative ``limit``)
about:blank            400     a request body that cannot be decoded at all
timeout                504     the database did not answer within the read timeout
database-unavailable   503     the database cannot be reached
internal-error         500     anything else (logged; no stack trace in the body)
=====================  ======  ==================================================
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.jsonable import to_json
from graph.readonly import CypherRefused
from queries.registry import CatalogueError, ParamError, QueryError, UnknownQuery

log = logging.getLogger("reformkg.api")

PROBLEM_BASE = "https://w3id.org/reformkg/problems/"
MEDIA_TYPE = "application/problem+json"


class Problem(BaseModel):
    """RFC 9457 problem details; extension members are documented below, others may appear."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={"examples": [{
            "type": PROBLEM_BASE + "invalid-parameter", "title": "Invalid parameter", "status": 422,
            "detail": "pilots-promoted: parameter 'zone': no zone matches '火星'",
            "instance": "/queries/pilots-promoted", "param": "zone", "query": "pilots-promoted"}]},
    )

    type: str = Field("about:blank", description="a URI naming the kind of problem")
    title: str = Field(description="a short summary of the kind of problem")
    status: int = Field(description="the HTTP status code")
    detail: str | None = Field(None, description="what went wrong with this request")
    instance: str | None = Field(None, description="the request path")
    param: str | None = Field(None, description="the request parameter at fault")
    query: str | None = Field(None, description="the named query (invalid-parameter)")
    reason: str | None = Field(None, description="why an ad-hoc query was refused (cypher-refused)")
    position: int | None = Field(None, description="character offset of the refused token (cypher-refused)")
    token: str | None = Field(None, description="the refused keyword, procedure or character (cypher-refused)")
    errors: list[dict[str, Any]] | None = Field(None, description="each validation error (invalid-request)")


class ProblemException(Exception):
    """Raised by the routers; rendered as a problem by the handler below."""

    def __init__(self, status: int, slug: str | None = None, *, title: str | None = None,
                 detail: str | None = None, headers: dict[str, str] | None = None, **extensions: Any) -> None:
        super().__init__(detail or title or str(status))
        self.status, self.slug, self.title, self.detail = status, slug, title, detail
        self.headers, self.extensions = headers, extensions


def not_found(what: str, ident: str) -> ProblemException:
    return ProblemException(404, "not-found", title="Not found", detail=f"no {what} {ident!r}")


def invalid_param(param: str, detail: str) -> ProblemException:
    return ProblemException(422, "invalid-parameter", title="Invalid parameter", detail=detail, param=param)


def problem_response(request: Request, status: int, slug: str | None = None, *, title: str | None = None,
                     detail: str | None = None, headers: dict[str, str] | None = None,
                     **extensions: Any) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + slug if slug else "about:blank",
        "title": title or _phrase(status),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extensions,
    }
    body = {k: to_json(v) for k, v in body.items() if v is not None}
    return JSONResponse(body, status_code=status, headers=headers, media_type=MEDIA_TYPE)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


# Rendered in OpenAPI for every operation (merged into each router's responses).
def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {s: {"model": Problem, "description": _phrase(s), "content": {MEDIA_TYPE: {}}} for s in statuses}


COMMON = responses(422, 500, 503, 504)


# ---------------------------------------------------------------- database errors


def classify(exc: BaseException) -> str | None:
    """"timeout", "unavailable" or "query" for an error of either database driver, else None."""
    try:
        import redis.exceptions as rx
    except ImportError:  # pragma: no cover
        rx = None
    if rx is not None:
        if isinstance(exc, rx.TimeoutError) or (isinstance(exc, rx.ResponseError) and "timed out" in str(exc)):
            return "timeout"
        if isinstance(exc, rx.ConnectionError):
            return "unavailable"
        if isinstance(exc, rx.RedisError):
            return "query"
    try:
        import neo4j.exceptions as nx
    except ImportError:  # pragma: no cover
        return None
    if isinstance(exc, nx.Neo4jError) and "TimedOut" in (exc.code or ""):
        return "timeout"
    if isinstance(exc, (nx.ServiceUnavailable, nx.SessionExpired)):
        return "unavailable"
    if isinstance(exc, (nx.Neo4jError, nx.DriverError)):
        return "query"
    return None


def database_message(exc: BaseException) -> str:
    """The database's own message (Neo4j: without the driver's code prefix)."""
    message = getattr(exc, "message", None) or str(exc)
    return str(message).strip()


def _database_exception_classes() -> tuple[type[BaseException], ...]:
    classes: list[type[BaseException]] = []
    try:
        import redis.exceptions as rx

        classes.append(rx.RedisError)
    except ImportError:  # pragma: no cover
        pass
    try:
        import neo4j.exceptions as nx

        classes += [nx.Neo4jError, nx.DriverError]
    except ImportError:  # pragma: no cover
        pass
    return tuple(classes)


# ---------------------------------------------------------------- handlers


def install(app: FastAPI) -> None:
    """Register the handlers that turn every exception into a problem."""

    @app.exception_handler(ProblemException)
    async def _problem(request: Request, exc: ProblemException) -> JSONResponse:
        return problem_response(request, exc.status, exc.slug, title=exc.title, detail=exc.detail,
                                headers=exc.headers, **exc.extensions)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail != _phrase(exc.status_code) else None
        return problem_response(request, exc.status_code, detail=detail, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": [str(x) for x in e.get("loc", ())], "msg": str(e.get("msg", "")),
                   "type": str(e.get("type", ""))} for e in exc.errors()]
        params = ["body" if e["type"] == "json_invalid" else _param_name(e["loc"]) for e in errors]
        detail = "; ".join(f"{p}: {e['msg']}" for p, e in zip(params[:5], errors[:5], strict=True)) or "invalid request"
        return problem_response(request, 422, "invalid-request", title="Invalid request", detail=detail,
                                param=params[0] if params else None, errors=errors)

    @app.exception_handler(ParamError)
    async def _param(request: Request, exc: ParamError) -> JSONResponse:
        return problem_response(request, 422, "invalid-parameter", title="Invalid parameter", detail=str(exc),
                                param=exc.param, query=exc.query)

    @app.exception_handler(UnknownQuery)
    async def _unknown_query(request: Request, exc: UnknownQuery) -> JSONResponse:
        return problem_response(request, 404, "unknown-query", title="Unknown query", detail=str(exc))

    @app.exception_handler(QueryError)
    async def _query_error(request: Request, exc: QueryError) -> JSONResponse:
        if isinstance(exc, CatalogueError):  # a bug of the catalogue, not of the caller
            return _internal(request, exc)
        return problem_response(request, 400, "invalid-query", title="Invalid query", detail=str(exc))

    @app.exception_handler(CypherRefused)
    async def _refused(request: Request, exc: CypherRefused) -> JSONResponse:
        return problem_response(request, 403, "cypher-refused", title="Query refused", detail=str(exc),
                                reason=exc.reason, position=exc.position, token=exc.token)

    async def _database(request: Request, exc: Exception) -> JSONResponse:
        kind = classify(exc)
        if kind == "timeout":
            return problem_response(request, 504, "timeout", title="Database timeout",
                                    detail="the database did not answer within the read timeout")
        if kind == "unavailable":
            return problem_response(request, 503, "database-unavailable", title="Database unavailable",
                                    detail="the graph database cannot be reached")
        return _internal(request, exc)

    for cls in _database_exception_classes():
        app.add_exception_handler(cls, _database)

    @app.exception_handler(Exception)
    async def _any(request: Request, exc: Exception) -> JSONResponse:
        return _internal(request, exc)


def _internal(request: Request, exc: BaseException) -> JSONResponse:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(request, 500, "internal-error", title="Internal server error",
                            detail="the server failed to handle this request; the error has been logged")


def _param_name(loc: list[str]) -> str:
    if len(loc) > 1 and loc[0] in ("query", "path", "header", "cookie", "body"):
        return ".".join(loc[1:])
    return ".".join(loc) or "request"
