"""Named Cypher queries kept as files: ``queries/<name>.cypher``, with a
per-dialect override ``queries/<dialect>/<name>.cypher`` only where a backend
truly differs."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def cypher(name: str, dialect: str) -> str:
    root = resources.files("queries")
    override = root.joinpath(dialect, f"{name}.cypher")
    path = override if override.is_file() else root.joinpath(f"{name}.cypher")
    if not path.is_file():
        raise KeyError(f"no query named {name!r}")
    lines = [ln for ln in path.read_text("utf-8").splitlines() if not ln.lstrip().startswith("//")]
    return "\n".join(lines).strip()
