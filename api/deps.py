"""Request dependencies: the graph store, the settings and the IRI scheme of this app.

The store is opened (or handed over) by the app's lifespan and kept in
``app.state``; the settings are read once, in ``reformkg.settings``.

They are ``async def`` although they never await: FastAPI runs a plain ``def``
dependency in its thread pool, one hand-off per dependency and request, and
they only read attributes and check strings.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from api.iris import Iris
from api.problems import ProblemException
from graph.backend import GraphBackend
from reformkg.settings import Settings


async def get_store(request: Request) -> GraphBackend:
    store = getattr(request.app.state, "store", None)
    if store is None:
        raise ProblemException(503, "database-unavailable", title="Database unavailable",
                               detail="the graph database is not open")
    return store


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_iris(request: Request) -> Iris:
    return request.app.state.iris


StoreDep = Annotated[GraphBackend, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
IrisDep = Annotated[Iris, Depends(get_iris)]


async def check_url_text(request: Request) -> None:
    """Refuse a path or query parameter the database could not be sent (a NUL character) with a 422."""
    from api.filters import unsendable
    from api.problems import invalid_param

    if reason := unsendable(request.url.path):
        raise invalid_param("path", f"the path {reason}")
    for key, value in request.query_params.multi_items():
        if reason := unsendable(key) or unsendable(value):
            raise invalid_param(key, f"{key}: {reason}")
