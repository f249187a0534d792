"""Response models shared by the routers: links to nodes and the page envelope."""

from __future__ import annotations

import datetime as dt
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Ref(BaseModel):
    """A link to a node: its IRI, its id in this API's URLs and its name or title."""

    uri: str = Field(description="the node's IRI (dereferenceable at /id/{path})",
                     examples=["https://w3id.org/reformkg/id/zone/qianhai-shekou"])
    id: str | None = Field(None, description="the id in this API's resource URLs", examples=["qianhai-shekou"])
    name: str | None = Field(None, description="its name (or title)", examples=["深圳前海蛇口片区"])


class Page(BaseModel, Generic[T]):
    """One page of a list: ``next`` is the URL of the next page, null on the last one."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"items": [], "total": 54, "offset": 0, "limit": 50,
         "next": "http://localhost:8000/measures?zone=%E5%8D%97%E6%B2%99&offset=50&limit=50"}]})

    items: list[T]
    total: int = Field(description="items on all pages together")
    offset: int
    limit: int
    next: str | None = Field(description="the URL of the next page, null on the last page")


class Count(BaseModel):
    """How many of something, per key (a role, a source, a zone)."""

    key: str
    count: int


class Target(BaseModel):
    """A quantitative target (到2025年…), set by a measure or a document."""

    uri: str
    text: str | None = Field(None, examples=["争取进出口总额突破8000亿元"])
    metric: str | None = Field(None, examples=["进出口总额"])
    comparator: str | None = Field(None, examples=[">"])
    value: float | None = Field(None, examples=[8000.0])
    unit: str | None = Field(None, examples=["亿元"])
    year: int | None = Field(None, examples=[2025])


class Succession(Ref):
    """The other side of a succession (an agency reform, a zone replaced by another)."""

    depth: int = Field(1, description="links away (1: directly)")
    date: dt.date | str | None = Field(None, description="when the succession took effect (ISO date)")
    reform: str | None = Field(None, description="the institutional reform behind it")
