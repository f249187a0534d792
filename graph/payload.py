"""What the writer receives: one document as nodes and relationships with IRIs.

``graph.build`` makes a :class:`DocumentGraph` from a ``reformkg.model.Document``;
a backend's writer lands it, alone or with others in a batch, in one atomic write.  Labels and relationship types
are names from ``ontology.schema`` (checked on construction), never from input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ontology.schema import NODE_LABELS, REL_TYPES

Props = dict[str, Any]

# Properties that index or cache what a node's other properties say, for the database's own use: the
# search's bigrams (graph/search_index.py) and the words the lineage linker reads (graph/linking.py).
# Not data of the ontology: exports, RDF and the API's views leave them out.
INDEX_PROPS: tuple[str, ...] = ("search_grams", "link_terms")


def data_props(props: Props) -> Props:
    """``props`` without :data:`INDEX_PROPS`."""
    return {k: v for k, v in props.items() if k not in INDEX_PROPS}


@dataclass(frozen=True, slots=True)
class Node:
    label: str
    uri: str
    props: Props
    # An owned node belongs to one document (the document itself, its measures,
    # its targets): it is removed when the document is replaced.  Shared nodes
    # (agencies, zones, places, scopes, categories, batches) are merged.
    owned: bool = False

    def __post_init__(self) -> None:
        if self.label not in NODE_LABELS:
            raise ValueError(f"unknown node label {self.label!r}")


@dataclass(frozen=True, slots=True)
class Rel:
    type: str
    start: str  # uri
    end: str  # uri
    props: Props = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.type not in REL_TYPES:
            raise ValueError(f"unknown relationship type {self.type!r}")

    @property
    def start_label(self) -> str:
        return REL_TYPES[self.type].start

    @property
    def end_label(self) -> str:
        return REL_TYPES[self.type].end


@dataclass(frozen=True, slots=True)
class DocumentGraph:
    document_uri: str
    source_file: str
    content_hash: str  # hash of this payload: equal hash, nothing to write
    nodes: tuple[Node, ...]
    rels: tuple[Rel, ...]

    def nodes_by_label(self) -> dict[str, list[Node]]:
        out: dict[str, list[Node]] = {}
        for n in self.nodes:
            out.setdefault(n.label, []).append(n)
        return out

    def rels_by_type(self) -> dict[str, list[Rel]]:
        out: dict[str, list[Rel]] = {}
        for r in self.rels:
            out.setdefault(r.type, []).append(r)
        return out
