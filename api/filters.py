"""Reference filters (a zone, an agency, ... by name, alias or IRI) and text filters."""

from __future__ import annotations

from graph.backend import GraphBackend
from api.problems import invalid_param
from queries.resolve import AmbiguousReference, normalise_value, resolve


def reference(store: GraphBackend, kind: str, value: str | None, param: str) -> list[str] | None:
    """The IRIs ``value`` names (None: no filter); a value naming nothing is a 422 problem."""
    if value is None:
        return None
    try:
        iris = resolve(store, kind, value)
    except AmbiguousReference as exc:
        raise invalid_param(param, str(exc)) from None
    if not iris:
        raise invalid_param(param, f"no {kind} matches {value!r} (give a name, an alias or an IRI)")
    return iris


def text_terms(value: str | None, param: str) -> list[str] | None:
    """What a text filter looks for: the normalised form (Simplified, NFKC) and, if it differs,
    the text as given (None: no filter); text that is empty once normalised is a 422 problem."""
    if value is None:
        return None
    normalised = normalise_value(value)
    if not normalised:
        raise invalid_param(param, "empty text")
    return list(dict.fromkeys([normalised, value.strip()]))
