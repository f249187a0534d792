"""Property-based run of the API's own OpenAPI schema (schemathesis 4) on the seeded graph.

Every operation gets generated requests (positive and negative data); none may
end in a 5xx, and each response must use a documented status code and content
type and match its documented schema.  ``max_examples`` bounds the run (well
under a minute on two cores).

Then a stateful run: sequences of calls where each step takes its ids from an earlier
answer (a list's first item, then its detail, its lineage), along the links schemathesis
infers from the schema plus the few it does not (measures, search hits), with the same checks.

The schema is loaded when the module is imported (schemathesis' lazy
``from_fixture`` loader does not work with pytest 9), from an app whose store
is bound to the session's seeded graph by the fixture below.
"""

from __future__ import annotations

import copy

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


# ---------------------------------------------------------------- stateful

STATEFUL_EXAMPLES = 50  # scenarios
STATEFUL_STEPS = 6  # calls per scenario at most


def _op(path: str) -> str:
    return "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/get"


def _with_links(spec: dict) -> dict:
    """The schema with OpenAPI links from the measure and search lists to a measure, its lineage
    and its document (schemathesis infers the links of the other lists from their names)."""
    spec = copy.deepcopy(spec)
    first = "$response.body#/items/0"
    links = {
        "/measures": {"measure": ("/measures/{id}", f"{first}/id"), "lineage": ("/measures/{id}/lineage", f"{first}/id"),
                      "document": ("/documents/{id}", f"{first}/document/id")},
        "/search": {"hit": ("/measures/{id}", f"{first}/id")},
        "/measures/{id}": {"lineage": ("/measures/{id}/lineage", "$response.body#/id")},
    }
    for source, targets in links.items():
        response = spec["paths"][source]["get"]["responses"]["200"]
        response["links"] = {name: {"operationRef": _op(target), "parameters": {"id": expr}}
                             for name, (target, expr) in targets.items()}
    return spec


STATEFUL = schemathesis.openapi.from_dict(_with_links(APP.openapi()))
STATEFUL.app = APP


class Workflow(STATEFUL.as_state_machine()):
    def validate_response(self, response, case, additional_checks=None, **kwargs) -> None:
        case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs)
        assert response.status_code < 500, response.text


def test_stateful_sequences_have_no_server_errors() -> None:
    transitions = [name for name in dir(Workflow) if "__GET_" in name and not name.startswith("RANDOM")]
    assert len(transitions) >= 10, transitions  # the links were found: list -> detail -> lineage
    Workflow.run(settings=settings(max_examples=STATEFUL_EXAMPLES, stateful_step_count=STATEFUL_STEPS, deadline=None,
                                   derandomize=True, database=None, suppress_health_check=list(HealthCheck)))
