"""The Neo4j set-up script: ReformKG's schema and the n10s (neosemantics) mapping, built from
``ontology/schema.py`` (pure; no I/O but :func:`main`).

The script has three parts:

1. ReformKG's own schema (``graph.cypher.neo4j_schema_statements``): a uniqueness constraint on
   ``uri`` per label and the full-text index with the CJK analyzer.
2. n10s: the ``n10s_unique_uri`` constraint n10s needs before any import, and the graph
   configuration ``handleVocabUris: 'MAP'`` (with ``handleMultival: 'ARRAY'`` for the list-valued
   properties only, ``keepLangTag: false``).  n10s refuses to change its configuration once the
   graph holds a ``:Resource`` node, so the ``init`` call is guarded: it runs only while there is
   none, which keeps the whole script idempotent.
3. The namespace prefixes (``PREFIXES``, plus any other namespace a mapped IRI uses, e.g.
   ``rdfs``) and one ``n10s.mapping.add(iri, name)`` per entry of ``NODE_LABELS``, ``REL_TYPES``,
   ``PROPS`` and ``EDGE_PROPS``, so RDF exported by ReformKG and imported by n10s in MAP mode
   comes back with the same labels, relationship types and property names.

Limits (RDF is not a property graph; what n10s can and cannot give back):

- **Edge properties.**  ReformKG's RDF carries an edge's properties on a *qualified node*
  (``prov:Attribution``, ``rkg:Piloting``, ``rkg:Promotion``, ``prov:Derivation``,
  ``rkg:AgencySuccession``, ``rdf:Statement``; see ``graph/rdf.py``).  n10s imports the direct
  triple as the relationship (``LED_BY``, ``PROMOTED_TO``, ...) *without* properties, and the
  qualified node as a node of its own: its class and linking properties are not in the table, so
  MAP mode falls back to their local names (``:Attribution``, ``qualifiedAttribution``,
  ``agent``, ...), while the edge properties on it are mapped (``rank``, ``printed``, ``date``,
  ...).  Folding them back onto the relationships is a Cypher step after the import, not a mapping.
- **One IRI, two names.**  ``rkg:batchNumber`` is both the node property ``number`` (a Batch's
  number) and the edge property ``batch`` (a promotion's batch).  n10s keys its import mapping by
  IRI, so one IRI can only give one name back: it is mapped to ``number``.  On a qualified
  ``Promotion`` node the batch number therefore arrives as ``number``.  Every such clash found
  in the table is listed in :data:`UNMAPPED` and left out of the script.
- **Language tags.**  ``langString`` values are tagged ``@zh-Hans`` in the export;
  ``keepLangTag: false`` stores the plain string, as ReformKG does.
- **Multiple values.**  Only the ``strings`` properties (``aliases``, ``evidence``) become arrays
  (``multivalPropList``); RDF has no order, so their order is not kept.
- **Constraints.**  n10s merges imported resources on ``(:Resource {uri})``; ReformKG's own
  writer merges on ``(:<Label> {uri})`` and does not add ``:Resource``.  Both constraint sets are
  created.  Import RDF with n10s into an empty database (or one holding only n10s-imported data):
  a ReformKG-loaded node has no ``:Resource`` label, so n10s would create a second node with the
  same label and ``uri`` and the per-label constraint refuses it (no silent duplicates).
"""

from __future__ import annotations

import sys
from pathlib import Path

from rdflib import Graph

from ontology.schema import EDGE_PROPS, NODE_LABELS, PREFIXES, PROPS, REL_TYPES

SCRIPT_PATH = Path(__file__).with_name("n10s-setup.cypher")
RESOURCE_CONSTRAINT = "CREATE CONSTRAINT n10s_unique_uri IF NOT EXISTS FOR (r:Resource) REQUIRE r.uri IS UNIQUE"


def namespace_of(iri: str) -> str:
    """The namespace as n10s (rdf4j) splits an IRI: up to the last ``#``, else ``/``, else ``:``."""
    for sep in ("#", "/", ":"):
        if sep in iri:
            return iri[: iri.rindex(sep) + 1]
    raise ValueError(f"{iri!r} has no namespace")


def mappings() -> list[tuple[str, str]]:
    """(IRI, graph name) for every label, relationship type and property, in table order,
    without the IRIs that two names share (see :data:`UNMAPPED`)."""
    entries = [(str(n.iri), n.name) for n in NODE_LABELS.values()]
    entries += [(str(r.iri), r.name) for r in REL_TYPES.values()]
    entries += [(str(p.iri), p.name) for p in PROPS.values()]
    entries += [(str(p.iri), p.name) for p in EDGE_PROPS.values()]
    first: dict[str, str] = {}
    out = []
    for iri, name in entries:
        if iri in first:
            continue  # a later name for the same IRI: import gives back the first one only
        first[iri] = name
        out.append((iri, name))
    return out


def unmapped() -> list[tuple[str, str, str]]:
    """(IRI, name left out, name it comes back as) for IRIs shared by two names."""
    kept = dict(mappings())
    entries = [(str(p.iri), p.name) for p in (*PROPS.values(), *EDGE_PROPS.values())]
    entries += [(str(r.iri), r.name) for r in REL_TYPES.values()]
    return [(iri, name, kept[iri]) for iri, name in entries if kept.get(iri) != name]


UNMAPPED = unmapped()


def prefixes() -> list[tuple[str, str]]:
    """(prefix, namespace) for every namespace a mapped IRI uses: PREFIXES first, then the
    well-known prefix rdflib gives any other (n10s.mapping.add needs the prefix defined)."""
    out = [(p, str(ns)) for p, ns in PREFIXES.items()]
    known = {ns for _, ns in out}
    manager = Graph().namespace_manager
    for iri, _name in mappings():
        ns = namespace_of(iri)
        if ns not in known:
            prefix = manager.compute_qname(iri)[0]
            if not prefix or prefix in {p for p, _ in out}:
                raise ValueError(f"no free prefix for namespace {ns}")
            out.append((prefix, ns))
            known.add(ns)
    return out


def multival_props() -> list[str]:
    """IRIs of the list-valued properties (``strings``): the only ones imported as arrays."""
    props = [*PROPS.values(), *EDGE_PROPS.values()]
    return sorted({str(p.iri) for p in props if p.datatype == "strings"})


def _quote(text: str) -> str:
    if "'" in text or "\\" in text or "\n" in text:
        raise ValueError(f"unexpected character in {text!r}")
    return f"'{text}'"


def graphconfig() -> str:
    multival = ", ".join(_quote(i) for i in multival_props())
    return (
        "OPTIONAL MATCH (r:Resource)\n"
        "WITH count(r) AS resources\n"
        "WHERE resources = 0\n"
        "CALL n10s.graphconfig.init({\n"
        "  handleVocabUris: 'MAP',\n"
        "  handleMultival: 'ARRAY',\n"
        f"  multivalPropList: [{multival}],\n"
        "  keepLangTag: false,\n"
        "  handleRDFTypes: 'LABELS',\n"
        "  keepCustomDataTypes: false,\n"
        "  applyNeo4jNaming: false\n"
        "})\n"
        "YIELD param\n"
        "RETURN count(param) AS settings"
    )


def statements() -> list[str]:
    """Every statement of the set-up script, in order; each is idempotent."""
    from graph.cypher import neo4j_schema_statements

    out = list(neo4j_schema_statements())
    out.append(RESOURCE_CONSTRAINT)
    out.append(graphconfig())
    out += [f"CALL n10s.nsprefixes.add({_quote(p)}, {_quote(ns)})" for p, ns in prefixes()]
    out += [f"CALL n10s.mapping.add({_quote(iri)}, {_quote(name)})" for iri, name in mappings()]
    return out


HEADER = """\
// ReformKG: Neo4j set-up (schema, n10s configuration, namespace prefixes, mappings).
// GENERATED by `python -m ontology.n10s` from ontology/schema.py: do not edit by hand
// (tests/test_cypher_lint.py checks that this file equals what ontology/n10s.py generates).
// Idempotent: run it as often as you like, e.g.
//   cypher-shell -a neo4j://localhost:7687 -u neo4j -p <password> -f ontology/n10s-setup.cypher
// or `reformkg neo4j-setup`.  Needs Neo4j 5.26 with the n10s plugin.
"""


def script() -> str:
    """The text of ``ontology/n10s-setup.cypher``: statements ended by ``;``, one blank line apart."""
    parts = []
    if UNMAPPED:
        notes = "".join(f"// not mapped: {name} ({iri}); RDF gives it back as {kept}\n"
                        for iri, name, kept in UNMAPPED)
        parts.append(notes.rstrip("\n"))
    parts += [f"{s};" for s in statements()]
    return HEADER + "\n" + "\n\n".join(parts) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write (default) or ``--check`` the committed script."""
    args = sys.argv[1:] if argv is None else argv
    text = script()
    if args == ["--check"]:
        current = SCRIPT_PATH.read_text("utf-8") if SCRIPT_PATH.exists() else ""
        if current != text:
            print(f"{SCRIPT_PATH} is out of date: run python -m ontology.n10s", file=sys.stderr)
            return 1
        return 0
    SCRIPT_PATH.write_text(text, "utf-8")
    print(f"wrote {SCRIPT_PATH}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())


__all__ = ["SCRIPT_PATH", "UNMAPPED", "mappings", "prefixes", "script", "statements"]
