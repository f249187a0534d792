"""Property-based run of the API's own OpenAPI schema (schemathesis 4) on the seeded graph.

Every operation gets generated requests (positive and negative data); none may
end in a 5xx, and each response must use a documented status code and content
type and match its documented schema.  ``max_examples`` bounds the run (well
under a minute on two cores).

The schema is loaded when the module is imported (schemathesis' lazy
``from_fixture`` loader does not work with pytest 9), from an app whose store
is bound to the session's seeded graph by the fixture below.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app

MAX_EXAMPLES = 25
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


class _Unbound:
    """The app's store until ``seed_graph`` is bound (loading the schema reads no data)."""

    dialect = "falkordb"

    def __getattr__(self, name: str):
        raise RuntimeError("the seed graph is not bound yet")


APP = create_app(store=_Unbound())
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(autouse=True, scope="module")
def _bind_seed_graph(seed_graph):
    APP.state.store = seed_graph
    yield
    APP.state.store = None


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_responses_match_the_schema(case) -> None:
    response = case.call_and_validate(checks=CHECKS)
    assert response.status_code < 500, response.text
