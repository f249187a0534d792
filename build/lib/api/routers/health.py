"""``GET /health``: the database answers, and what it holds."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from api.deps import StoreDep
from api.problems import responses

router = APIRouter(tags=["health"], responses=responses(500, 503, 504))


class Health(BaseModel):
    status: Literal["ok"]
    backend: str = Field(examples=["falkordb"])
    nodes: dict[str, int] = Field(examples=[{"Measure": 234, "PilotZone": 4}])
    relationships: dict[str, int] = Field(examples=[{"PILOTED_IN": 216}])


@router.get("/health", summary="Database reachable, with counts", response_model=Health)
def health(store: StoreDep) -> dict[str, Any]:
    """``ok`` with the nodes per label and relationships per type; a 503 problem when the database
    cannot be reached."""
    counts = store.counts()
    return {"status": "ok", "backend": store.dialect, "nodes": counts.get("nodes", {}),
            "relationships": counts.get("relationships", {})}
