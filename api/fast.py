"""Responses serialised once, for the endpoints under load.

When an endpoint returns a dict, FastAPI validates it against the endpoint's
``response_model`` in Python and serialises the model: for a page of hits or
a lineage that is most of the request's time.  The hot endpoints build
exactly the documented shape themselves (the response model stays, for the
OpenAPI schema, and the schema tests check the responses against it) and
return it serialised here, as FastAPI's own ``JSONResponse`` would.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import Response

_encode = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode


def json_bytes(content: Any) -> bytes:
    """``content`` (JSON values only: dates already ISO strings) as the body ``json_response`` sends."""
    return _encode(content).encode("utf-8")


def json_body(body: bytes, status_code: int = 200) -> Response:
    """A body from ``json_bytes`` (e.g. one kept by the read cache) as an ``application/json`` response."""
    return Response(body, status_code=status_code, media_type="application/json")


def json_response(content: Any, status_code: int = 200) -> Response:
    """``content`` (JSON values only: dates already ISO strings) as an ``application/json`` response."""
    return json_body(json_bytes(content), status_code)
