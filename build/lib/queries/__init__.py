"""Cypher kept as files.

``queries/*.cypher`` is the analysts' catalogue (see ``queries.registry``);
``queries/internal/*.cypher`` holds the queries the project itself runs
(exports), loaded by :func:`cypher`.  Either may have a per-dialect override
``.../<dialect>/<name>.cypher`` where a backend truly differs.
"""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def cypher(name: str, dialect: str) -> str:
    """An internal query's text, ``//`` comment lines removed."""
    root = resources.files("queries").joinpath("internal")
    override = root.joinpath(dialect, f"{name}.cypher")
    path = override if override.is_file() else root.joinpath(f"{name}.cypher")
    if not path.is_file():
        raise KeyError(f"no internal query named {name!r}")
    lines = [ln for ln in path.read_text("utf-8").splitlines() if not ln.lstrip().startswith("//")]
    return "\n".join(lines).strip()
