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
from typing import Any


def compose(base: str, fragments: Mapping[str, str], params: Mapping[str, Any], carry: str, tail: str) -> str:
    """``base``, then the fragment of each filter whose parameter is not None, then ``tail``."""
    parts = [base.strip()]
    for name, fragment in fragments.items():
        if params.get(name) is not None:
            parts += [fragment.strip(), f"WITH DISTINCT {carry}"]
    parts.append(tail.strip())
    return "\n".join(parts)
