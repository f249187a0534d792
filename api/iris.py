"""Resource ids in URLs and the node IRIs they stand for.

A node's IRI is ``{base_iri}{segment}/{id}`` (``ontology.schema.NODE_LABELS``
gives the segment of each label), e.g. the measure
``https://w3id.org/reformkg/id/measure/粤府办-2018-34/9-3`` has the id
``粤府办-2018-34/9-3`` and the URL ``/measures/粤府办-2018-34/9-3``.  Ids may hold
slashes and Chinese; the server sees them percent-decoded, so an IRI that
itself holds a percent-encoded ASCII character (``…%2C…`` for a comma) is
found from the decoded id as well (the id is encoded again the way the IRIs
are minted, by ``graph.build.segment``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from api.problems import not_found
from graph.backend import GraphBackend
from graph.build import segment
from graph.payload import data_props
from ontology.schema import NODE_LABELS

SEGMENTS = {label.path: name for name, label in NODE_LABELS.items()}  # "measure" -> "Measure"


@dataclass(frozen=True, slots=True)
class Iris:
    base: str

    def id_of(self, uri: str | None) -> str | None:
        """The id part of one of our IRIs (None for None or a foreign IRI)."""
        if not uri or not uri.startswith(self.base):
            return None
        _segment, sep, rest = uri[len(self.base):].partition("/")
        return rest if sep else None

    def candidates(self, label: str, ident: str) -> list[str]:
        """The IRIs an id (or a full IRI under the label's segment) may stand for."""
        prefix = f"{self.base}{NODE_LABELS[label].path}/"
        if ident.startswith(("http://", "https://")):
            return [ident] if ident.startswith(prefix) else []
        encoded = "/".join(segment(part) for part in ident.split("/"))
        return list(dict.fromkeys([prefix + ident, prefix + encoded]))

    def label_of_path(self, path: str) -> str | None:
        """The node label of an IRI path below the base (``measure/…`` -> Measure)."""
        seg, sep, rest = path.partition("/")
        return SEGMENTS.get(seg) if sep and rest else None

    def ref(self, uri: str | None, name: str | None = None) -> dict[str, Any] | None:
        """A link to another node as the routers return it."""
        return None if uri is None else {"uri": uri, "id": self.id_of(uri), "name": name}


def find_node(store: GraphBackend, iris: Iris, label: str, ident: str, what: str) -> dict[str, Any]:
    """The node's properties (with ``uri``), or a 404 problem."""
    uris = iris.candidates(label, ident)
    rows = store.run_read(f"MATCH (n:{label}) WHERE n.uri IN $uris RETURN properties(n) AS props LIMIT 1",
                          {"uris": uris}) if uris else []
    if not rows:
        raise not_found(what, ident)
    return data_props(rows[0]["props"])  # the search's bigrams, the linker's words: not data
