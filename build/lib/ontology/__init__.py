"""The ReformKG ontology and its SHACL shapes, read from this package's Turtle files.

Both graphs are parsed once and cached: treat them as read-only.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

from rdflib import Graph


def _read(name: str) -> Graph:
    return Graph().parse(data=files(__name__).joinpath(name).read_text(encoding="utf-8"), format="turtle")


@cache
def ontology_graph() -> Graph:
    """``reformkg.ttl``: classes, properties and concept schemes (OWL)."""
    return _read("reformkg.ttl")


@cache
def shapes_graph() -> Graph:
    """``shapes.ttl``: the SHACL shapes an export must satisfy."""
    return _read("shapes.ttl")
