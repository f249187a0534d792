"""``POST /cypher``: an ad-hoc, read-only Cypher query.

``graph.readonly.check_read_only`` refuses anything but one read-only statement
before it reaches the database (403 ``cypher-refused`` with its reason and
position); the database then runs it in its read-only mode (FalkorDB
``GRAPH.RO_QUERY``, a Neo4j read transaction) with the configured read
timeout (504 ``timeout``).  A query the database rejects is a 400
``cypher-error`` with the database's message.  At most ``limit`` rows (default
and maximum :data:`ROW_CAP`) are returned, with ``truncated`` set when there
were more.
"""

from __future__ import annotations

import math
import re
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, JsonValue, field_validator

from api.deps import SettingsDep, StoreDep
from api.filters import unsendable
from api.jsonable import to_json
from api.problems import COMMON, ProblemException, classify, database_message, responses
from graph.readonly import check_read_only

router = APIRouter(tags=["cypher"], responses={**COMMON, **responses(400, 403)})

ROW_CAP = 100_000  # the largest cap a request may ask for; the default is the cypher_row_cap setting
MAX_QUERY = 100_000  # request body bound; the guard's own limit (20,000) gives the refusal
MAX_DEPTH = 4  # nested lists and maps in a parameter value
MAX_ITEMS = 10_000  # list items and map entries in all parameters together
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


class CypherRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "query": "MATCH (m:Measure)-[:PILOTED_IN]->(z:PilotZone) WHERE z.name = $zone "
                 "RETURN m.seq AS seq, m.title AS title LIMIT 5",
        "params": {"zone": "深圳前海蛇口片区"}}]})

    query: str = Field(max_length=MAX_QUERY, description="one read-only Cypher statement")
    params: dict[str, JsonValue] = Field({}, description="parameters ($name): JSON values, maps and lists "
                                                         f"nested at most {MAX_DEPTH} deep")
    limit: int | None = Field(None, ge=1, le=ROW_CAP,
                              description="rows at most (default and maximum: the cypher_row_cap setting, 1000)")

    @field_validator("query")
    @classmethod
    def _check_query(cls, query: str) -> str:
        if reason := unsendable(query):
            raise ValueError(f"the query {reason}")
        return query

    @field_validator("params")
    @classmethod
    def _check_params(cls, params: dict[str, Any]) -> dict[str, Any]:
        for name in params:
            if not _NAME.fullmatch(name):
                raise ValueError(f"parameter name {name!r} is not a Cypher identifier")
        if _check_value(params, 0) > MAX_ITEMS:
            raise ValueError(f"more than {MAX_ITEMS} values in all")
        return params


def _check_value(value: Any, depth: int) -> int:
    """How many items ``value`` holds; ValueError if it is nested too deep, a float is not finite, a
    string holds a NUL or a lone surrogate, or a map key cannot be sent (empty, with a backtick)."""
    if reason := unsendable(value if isinstance(value, str) else None):
        raise ValueError(f"a value {reason}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("numbers must be finite")
    if isinstance(value, (list, dict)):
        if depth > MAX_DEPTH:
            raise ValueError(f"values nested deeper than {MAX_DEPTH}")
        if isinstance(value, dict):
            for key in value:
                if not key or "`" in key or unsendable(key):
                    raise ValueError(f"map key {key!r}: must be non-empty, without backticks or NUL")
        items = value.values() if isinstance(value, dict) else value
        return len(value) + sum(_check_value(v, depth + 1) for v in items)
    return 0


class CypherResult(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "columns": ["seq", "title"], "rows": [{"seq": "1", "title": "…"}], "count": 1, "truncated": False,
        "limit": 1000}]})

    columns: list[str] = Field(description="the columns of the first row (empty when there are no rows)")
    rows: list[dict[str, JsonValue]]
    count: int = Field(description="rows returned")
    truncated: bool = Field(description="true when the query had more rows than limit")
    limit: int


@router.post("/cypher", summary="Run a read-only Cypher query", response_model=CypherResult)
def run_cypher(body: CypherRequest, store: StoreDep, settings: SettingsDep) -> dict[str, Any]:
    """Run one read-only statement with JSON parameters. Refused (403) when it writes, changes the
    schema, loads files, calls a procedure not on the allow-list or is not one statement; a database
    error is a 400 with the database's message; a timeout is a 504."""
    check_read_only(body.query)
    limit = min(body.limit or settings.cypher_row_cap, settings.cypher_row_cap)
    try:
        rows = store.run_read(body.query, body.params)
    except ValueError as exc:  # the backend's own guard (LOAD CSV), or a value the driver cannot send
        raise ProblemException(400, "cypher-error", title="Query failed", detail=str(exc)) from None
    except Exception as exc:
        if classify(exc) != "query":
            raise  # timeouts, an unreachable database, bugs: the app's handlers
        raise ProblemException(400, "cypher-error", title="Query failed", detail=database_message(exc)) from None
    truncated = len(rows) > limit
    rows = to_json(rows[:limit])
    return {"columns": list(rows[0]) if rows else [], "rows": rows, "count": len(rows), "truncated": truncated,
            "limit": limit}
