"""``/queries``: the named-query catalogue (``queries/*.cypher``), described and run.

* ``GET /queries`` lists every query with its parameters; ``GET /queries/{name}/describe`` one.
* ``GET /queries/{name}?param=value&…`` runs one with URL parameters, ``POST /queries/{name}``
  with a JSON object of parameters.  Both answer ``{query, params, count, rows}``: ``params`` are
  the values as bound (reference parameters resolved to IRI lists), ``rows`` the query's rows.

Each catalogue query gets its own ``GET`` and ``POST`` operation, so OpenAPI documents its
parameters; the registry (``queries.registry.bind``) checks and converts every value, and a bad
one is a 422 problem naming it.  An unknown query name is a 404 problem.

Behind the read cache (``graph/read_cache.py``) a successful answer's serialised body is kept per
query and raw parameters, under the graph's data version read before it was built: the same
question at the same version gets the same bytes without binding, resolving, copying rows or
serialising again.  The endpoints are ``async``: such a hit is answered on the event loop
(no thread hand-off, no database round trip while the version is fresh); anything else (a
miss, a stale version, an error) runs in the thread pool as before.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Body, Path, Request, Response
from pydantic import BaseModel, Field, JsonValue
from starlette.concurrency import run_in_threadpool

from api.deps import StoreDep
from api.fast import json_body, json_bytes
from api.filters import unsendable
from api.jsonable import to_json
from api.problems import (
    COMMON,
    ProblemException,
    classify,
    database_message,
    log,
    responses,
)
from graph.backend import GraphBackend
from graph.read_cache import CachedReads, frozen
from queries import registry
from queries.resolve import resolver

router = APIRouter(prefix="/queries", tags=["queries"], responses={**COMMON, **responses(400, 404)})

# A catalogue query that pages (declares ``offset`` and ``limit``, e.g. pilots-promoted) gives the CLI
# every row by default; over HTTP it answers this many rows unless ``limit`` is given.
API_PAGE = 100


def pages(q: registry.NamedQuery) -> bool:
    return q.param("offset") is not None and q.param("limit") is not None


def _api_default(q: registry.NamedQuery, p: registry.Param) -> Any:
    return API_PAGE if p.name == "limit" and pages(q) else p.default


class ParamInfo(BaseModel):
    name: str = Field(examples=["zone"])
    type: str = Field(description="string, text, int, float, bool, date, enum or a reference type "
                                  "(zone, scope, agency, measure, document, category, place)", examples=["zone"])
    required: bool
    default: JsonValue = None
    description: str = ""
    choices: list[str] | None = Field(None, description="the values of an enum")


class QueryInfo(BaseModel):
    name: str = Field(examples=["pilots-promoted"])
    description: str
    params: list[ParamInfo]
    example: dict[str, str] = Field(examples=[{"zone": "前海蛇口", "scope": "全市"}])
    example_url: str = Field(description="the example as a URL of this API",
                             examples=["/queries/pilots-promoted?zone=前海蛇口&scope=全市"])


class QueryResult(BaseModel):
    model_config = {"json_schema_extra": {"examples": [{
        "query": "pilots-promoted",
        "params": {"zone": ["https://w3id.org/reformkg/id/zone/qianhai-shekou"],
                   "scope": ["https://w3id.org/reformkg/id/scope/shenzhen/citywide"]},
        "count": 37,
        "rows": [{"uri": "https://w3id.org/reformkg/id/measure/t-1ab1aabf4746/1", "seq": "1",
                  "title": "…", "zone": "深圳前海蛇口片区", "scope": "全市(深圳市)"}]}]}}

    query: str
    params: dict[str, JsonValue] = Field(description="the parameters as bound (references resolved to IRIs)")
    count: int = Field(description="the rows in this answer (a query that pages: fewer than `limit` on the last "
                                   "page)")
    rows: list[dict[str, JsonValue]]


def info(q: registry.NamedQuery) -> dict[str, Any]:
    return {
        "name": q.name, "description": q.description, "example": q.example,
        "example_url": f"/queries/{q.name}" + (f"?{urlencode(q.example, safe='')}" if q.example else ""),
        "params": [{"name": p.name, "type": p.type, "required": p.required, "default": _api_default(q, p),
                    "description": p.description, "choices": list(p.choices) or None} for p in q.params],
    }


def run(store: GraphBackend, name: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    """Bind (the registry checks, converts and resolves every value) and run; a database error on a
    well-typed value (e.g. a negative LIMIT) is a 400 ``query-failed`` with the database's message."""
    query = registry.get(name)
    for key, value in raw.items():
        if reason := unsendable(key) or unsendable(value):
            raise registry.ParamError(name, key, reason)
    if pages(query) and raw.get("limit") in (None, ""):
        raw = {**raw, "limit": API_PAGE}
    params = registry.bind(query, raw, resolver(store))
    try:
        rows = store.run_read(query.text_for(store.dialect), params)
    except Exception as exc:
        if classify(exc) != "query":
            raise
        log.warning("named query %s failed with %s: %s", name, params, exc)
        raise ProblemException(400, "query-failed", title="Query failed", query=name,
                               detail=f"{name}: the database refused these parameters: {database_message(exc)}"
                               ) from None
    return {"query": name, "params": to_json(params), "count": len(rows), "rows": to_json(rows)}


async def answer(store: GraphBackend, name: str, raw: Mapping[str, Any]) -> Response:
    """``run`` as a JSON response; from the bodies the read cache keeps, when it has one for this
    query and these raw parameters at the current data version."""
    key = ("named-query", name, frozen(raw))
    memo = store if isinstance(store, CachedReads) and key[2] is not None else None
    if memo is not None and (version := memo.fresh_version()) is not None \
            and (body := memo.answer(key, version)) is not None:
        return json_body(body)
    return await run_in_threadpool(_answer, store, memo, name, raw, key)


def _answer(store: GraphBackend, memo: CachedReads | None, name: str, raw: Mapping[str, Any],
            key: Hashable) -> Response:
    if memo is None:
        return json_body(json_bytes(run(store, name, raw)))
    with memo.building(key):  # the same question missed by several requests at once is built once
        version = memo.version()  # before the reads: the body is at least as new as this version
        if (body := memo.answer(key, version)) is None:
            body = json_bytes(run(store, name, raw))
            memo.keep_answer(key, version, body)
    return json_body(body)


def url_params(name: str, request: Request) -> dict[str, str]:
    raw: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if key in raw:
            raise registry.ParamError(name, key, "given more than once")
        raw[key] = value
    return raw


@router.get("", summary="The query catalogue", response_model=list[QueryInfo])
def list_queries() -> list[dict[str, Any]]:
    """Every named query with its description, its parameters (type, enum choices, default,
    description) and an example."""
    return [info(q) for q in registry.catalogue().values()]


# ---------------------------------------------------------------- one GET and one POST per query


def _schema(q: registry.NamedQuery, p: registry.Param) -> dict[str, Any]:
    schema: dict[str, Any]
    if p.type == "enum":
        schema = {"type": "string", "enum": list(p.choices)}
    elif p.type == "int":
        schema = {"type": "integer",
                  "minimum": int(p.minimum) if p.minimum is not None else -(2**53) + 1,
                  "maximum": int(p.maximum) if p.maximum is not None else 2**53 - 1}
    elif p.type == "float":
        schema = {"type": "number"}
        if p.minimum is not None:
            schema["minimum"] = p.minimum
        if p.maximum is not None:
            schema["maximum"] = p.maximum
    elif p.type == "bool":
        schema = {"type": "boolean"}
    elif p.type == "date":
        schema = {"type": "string", "format": "date"}
    else:
        schema = {"type": "string", "minLength": 1, "maxLength": registry.MAX_STRING}
    if (default := _api_default(q, p)) is not None:
        schema["default"] = default
    return schema


def _description(p: registry.Param) -> str:
    return f"({p.type}) {p.description}".strip()


def _openapi(q: registry.NamedQuery) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``openapi_extra`` of the GET operation (query parameters) and of the POST (request body)."""
    get = {"parameters": [
        {"name": p.name, "in": "query", "required": p.required, "description": _description(p),
         "schema": _schema(q, p), **({"example": q.example[p.name]} if p.name in q.example else {})}
        for p in q.params]}
    body_schema = {"type": "object", "additionalProperties": False,
                   "properties": {p.name: {**_schema(q, p), "description": _description(p)} for p in q.params},
                   "required": [p.name for p in q.params if p.required]}
    if not body_schema["required"]:
        del body_schema["required"]
    post = {"requestBody": {"content": {"application/json": {"schema": body_schema,
                                                             "example": dict(q.example)}}}}
    return get, post


def _get_endpoint(name: str) -> Callable[..., Any]:
    async def endpoint(request: Request, store: StoreDep) -> Response:
        return await answer(store, name, url_params(name, request))

    return endpoint


def _post_endpoint(name: str) -> Callable[..., Any]:
    async def endpoint(store: StoreDep,
                       body: Annotated[dict[str, JsonValue] | None, Body(description="the parameters")] = None,
                       ) -> Response:
        return await answer(store, name, body or {})

    return endpoint


for _q in registry.catalogue().values():
    _get, _post = _openapi(_q)
    router.add_api_route(f"/{_q.name}", _get_endpoint(_q.name), methods=["GET"], response_model=QueryResult,
                         summary=f"Run {_q.name}", description=_q.description, openapi_extra=_get,
                         name=f"query_{_q.name}_get")
    router.add_api_route(f"/{_q.name}", _post_endpoint(_q.name), methods=["POST"], response_model=QueryResult,
                         summary=f"Run {_q.name} (JSON parameters)", description=_q.description,
                         openapi_extra=_post, name=f"query_{_q.name}_post")


# ---------------------------------------------------------------- by name


@router.get("/{name}/describe", summary="One query of the catalogue", response_model=QueryInfo)
def describe(name: Annotated[str, Path(description="the query's name", examples=["pilots-promoted"])]
             ) -> dict[str, Any]:
    """The query's description, parameters and example."""
    return info(registry.get(name))


@router.api_route("/{name}", methods=["GET", "POST"], include_in_schema=False)
def unknown(name: str) -> None:
    registry.get(name)  # raises UnknownQuery (404): every known name has its own route above
    raise registry.UnknownQuery(f"no query named {name!r}")
