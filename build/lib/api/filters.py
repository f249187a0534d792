"""Reference filters (a zone, an agency, ... by name, alias or IRI) and text filters."""

from __future__ import annotations

from api.problems import invalid_param
from graph.backend import GraphBackend
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


def unsendable(value: object) -> str | None:
    """Why a value cannot travel to the database as a parameter (None: it can): a NUL character
    ends FalkorDB's parameter header early, a lone surrogate is not UTF-8."""
    if isinstance(value, str):
        if "\x00" in value:
            return "contains a NUL character"
        if any("\ud800" <= ch <= "\udfff" for ch in value):
            return "contains a lone surrogate (not UTF-8)"
        return None
    if isinstance(value, dict):
        return next((r for k, v in value.items() if (r := unsendable(k) or unsendable(v))), None)
    if isinstance(value, (list, tuple)):
        return next((r for v in value if (r := unsendable(v))), None)
    return None
