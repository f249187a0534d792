"""Reference parameters to IRIs: a zone, scope, agency, ... given by its IRI, its
canonical name, an alias or a short form, in Simplified or Traditional Chinese.

Each lookup is one parameterized read; labels come from the fixed table below,
never from input.  A value that matches several nodes gives all of them (a bare
横琴 is both the FTZ area and the cooperation zone) except for fuzzy fallbacks
(a substring of a name), which must be unambiguous.
"""

from __future__ import annotations

from collections.abc import Callable

from graph.backend import GraphBackend
from loaders.text import squash, to_simplified
from ontology.vocab import vocabulary

LABELS = {
    "zone": "PilotZone",
    "scope": "ReplicationScope",
    "agency": "Agency",
    "measure": "Measure",
    "document": "PolicyDocument",
    "category": "Category",
    "place": "Place",
}

# Exact matches per reference type: IRI, name and the type's other identifiers.
_EXACT = {
    "zone": "n.uri = $v OR n.name = $v OR n.zone_id = $v OR $v IN coalesce(n.aliases, [])",
    "place": "n.uri = $v OR n.name = $v OR n.zone_id = $v OR $v IN coalesce(n.aliases, [])",
    "scope": "n.uri = $v OR n.name = $v OR n.scope_type IN $types",
    "agency": "n.uri = $v OR n.name = $v",
    "measure": "n.uri = $v OR n.title = $v",
    "document": "n.uri = $v OR n.doc_number = $v OR n.title = $v OR n.key = $v",
    "category": "n.uri = $v OR n.name = $v",
}
# Fallback on a substring, used only when it names exactly one node.
_CONTAINS = {
    "agency": "n.name CONTAINS $v",
    "measure": "n.title CONTAINS $v",
    "document": "n.title CONTAINS $v",
    "category": "n.name CONTAINS $v",
}
_SORT = {"measure": "n.title", "document": "n.title"}


class AmbiguousReference(ValueError):
    """A fuzzy value that names several nodes; the message lists some of them."""


def normalise_value(value: str) -> str:
    """NFKC, Traditional to Simplified, spaces inside Chinese removed: the form names are stored in."""
    value = value.strip()
    return value if value.startswith(("http://", "https://")) else squash(to_simplified(value))


def scope_types(value: str) -> list[str]:
    """Scope type ids whose id, label or alias is ``value`` (全市 -> citywide)."""
    return [t.id for t in vocabulary().scope_types.values() if value in (t.id, t.label, *t.aliases)]


def _agency_name(value: str) -> str | None:
    """The canonical name of a printed agency name (深圳市市场监管局 -> 深圳市市场监督管理局)."""
    from loaders.agencies import Context, resolve_unit

    try:
        agency = resolve_unit(value, Context())
    except (KeyError, ValueError):
        return None
    return agency.name if agency else None


def _lookup(store: GraphBackend, kind: str, where: str, params: dict) -> list[str]:
    label = LABELS[kind]
    query = f"MATCH (n:{label}) WHERE {where} RETURN n.uri AS uri ORDER BY uri LIMIT 50"
    return [row["uri"] for row in store.run_read(query, params)]


def resolve(store: GraphBackend, kind: str, value: str) -> list[str]:
    """The IRIs ``value`` names as a ``kind`` (empty: nothing matches)."""
    if kind not in LABELS:
        raise ValueError(f"unknown reference type {kind!r}")
    v = normalise_value(value)
    if not v:
        return []
    params = {"v": v, "types": scope_types(v) if kind == "scope" else []}
    if found := _lookup(store, kind, _EXACT[kind], params):
        return found
    if kind == "agency" and (name := _agency_name(v)) and name != v:
        if found := _lookup(store, kind, _EXACT[kind], {"v": name}):
            return found
    if kind in _CONTAINS and not v.startswith(("http://", "https://")):
        found = _lookup(store, kind, _CONTAINS[kind], {"v": v})
        if len(found) > 1:
            shown = ", ".join(found[:5]) + (", ..." if len(found) > 5 else "")
            raise AmbiguousReference(f"{value!r} is part of {len(found)} {kind} names; give one of: {shown}")
        return found
    return []


def resolver(store: GraphBackend) -> Callable[[str, str], list[str]]:
    return lambda kind, value: resolve(store, kind, value)
