"""Bounds on what a request may carry: the size of its body and the length of its URL.

An ASGI middleware, outside the routes, so that no endpoint reads more than the limit: a request
whose ``Content-Length`` is over ``max_body_kb`` is refused before anything of its body is read,
and a body sent without a length (chunked) is read only up to the limit.  A body under the limit
is read whole here and handed to the app as one message (the endpoints read it whole anyway: JSON,
Cypher and SPARQL texts).

Both refusals are RFC 9457 problems like every other error of the API (``api.problems``):

====================  ======  =============================================================
type (slug)           status  raised for
====================  ======  =============================================================
content-too-large     413     a body over ``REFORMKG_MAX_BODY_KB`` (declared or counted)
uri-too-long          414     a path plus query string over ``REFORMKG_MAX_URL_KB``
invalid-request       400     a ``Content-Length`` that is not a number
====================  ======  =============================================================
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.problems import MEDIA_TYPE, problem_response


class RequestLimits:
    """Refuse a request whose body or URL is over its limit (bytes), with a problem."""

    def __init__(self, app: ASGIApp, max_body: int, max_url: int) -> None:
        self.app, self.max_body, self.max_url = app, max_body, max_url

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        url = len(scope.get("raw_path") or scope["path"].encode("utf-8")) + len(scope.get("query_string", b""))
        if url > self.max_url:
            await self._refuse(scope, receive, send, 414, "uri-too-long", "URI too long",
                               f"the path and query string take {url:,} bytes, more than the limit of "
                               f"{self.max_url:,} bytes (REFORMKG_MAX_URL_KB); send long queries in a POST body")
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None:
            if not length.strip().isdigit():
                await self._refuse(scope, receive, send, 400, "invalid-request", "Invalid request",
                                   "the Content-Length header is not a number")
                return
            if int(length) > self.max_body:
                await self._refuse_body(scope, receive, send, int(length))
                return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the client is gone: nothing to answer
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                await self._refuse_body(scope, receive, send, None)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(b"".join(chunks), receive), send)

    async def _refuse_body(self, scope: Scope, receive: Receive, send: Send, declared: int | None) -> None:
        size = f"declares {declared:,} bytes, more" if declared is not None else "is longer"
        detail = f"the request body {size} than the limit of {self.max_body:,} bytes (REFORMKG_MAX_BODY_KB)"
        await self._refuse(scope, receive, send, 413, "content-too-large", "Content too large", detail)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, slug: str, title: str,
                      detail: str) -> None:
        # Connection: close, as the unread rest of a body cannot be told from the next request
        response = problem_response(Request(scope), status, slug, title=title, detail=detail,
                                    headers={"Connection": "close"})
        await response(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives the body read already, then waits on the client (for a disconnect)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def document(app: FastAPI) -> None:
    """Add the refusals to every operation of the app's OpenAPI schema: 414 everywhere, 413 where
    a body is accepted (clients, and the schema tests, hold every answer to the documented ones)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        problem = {"schema": {"$ref": "#/components/schemas/Problem"}} \
            if "Problem" in schema.get("components", {}).get("schemas", {}) else {}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                refusals = {"414": "URI Too Long"} | ({"413": "Content Too Large"} if "requestBody" in operation else {})
                for status, phrase in refusals.items():
                    operation["responses"].setdefault(status, {"description": phrase, "content": {MEDIA_TYPE: problem}})
        return schema

    app.openapi = openapi
