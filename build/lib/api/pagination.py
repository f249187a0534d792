"""Offset pagination: the query parameters every list shares and the page envelope."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field

MAX_LIMIT = 500
MAX_OFFSET = 1_000_000


class PageQuery(BaseModel):
    """``offset`` and ``limit``; a list's filters extend this model (unknown parameters are refused)."""

    model_config = ConfigDict(extra="forbid")

    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="items to skip")
    limit: int = Field(50, ge=1, le=MAX_LIMIT, description=f"items per page (at most {MAX_LIMIT})")

    def params(self) -> dict[str, int]:
        return {"offset": self.offset, "limit": self.limit}


def page(request: Request, items: Sequence[Any], total: int, q: PageQuery) -> dict[str, Any]:
    """The envelope ``{items, total, offset, limit, next}``."""
    nxt = None
    if q.offset + q.limit < total:
        nxt = str(request.url.include_query_params(offset=q.offset + q.limit, limit=q.limit))
    return {"items": list(items), "total": total, "offset": q.offset, "limit": q.limit, "next": nxt}
