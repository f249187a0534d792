"""Composing read queries from fixed fragments.

A list endpoint's query is a base ``MATCH`` plus one fixed fragment per filter
the request gives (a ``MATCH ... WHERE x.uri IN $param`` followed by ``WITH
DISTINCT`` of the carried variables): which fragments are used depends on the
request, their text never does, and every value travels as a parameter.
FalkorDB does not accept pattern comprehensions in ``WHERE``, which is why
optional filters are clauses rather than ``$p IS NULL OR ...`` predicates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graph.backend import GraphBackend


def compose(base: str, fragments: Mapping[str, str], params: Mapping[str, Any], carry: str, tail: str) -> str:
    """``base``, then the fragment of each filter whose parameter is not None, then ``tail``."""
    parts = [base.strip()]
    for name, fragment in fragments.items():
        if params.get(name) is not None:
            parts += [fragment.strip(), f"WITH DISTINCT {carry}"]
    parts.append(tail.strip())
    return "\n".join(parts)


@dataclass(frozen=True, slots=True)
class ListQuery:
    """A resource list: its base match, optional filter fragments, the variables carried
    past each filter, and the count and page tails."""

    base: str
    fragments: Mapping[str, str]
    carry: str
    count: str
    page: str

    def run(self, store: GraphBackend, params: Mapping[str, Any]) -> tuple[int, list[dict[str, Any]]]:
        """(total, the page's rows); the page query is skipped when nothing matches."""
        total = store.run_read(compose(self.base, self.fragments, params, self.carry, self.count), params)[0]["total"]
        rows = store.run_read(compose(self.base, self.fragments, params, self.carry, self.page), params) if total else []
        return total, rows
