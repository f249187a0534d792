"""Conversion between the property graph and RDF, validation and serialisation.

Pure functions, no I/O.  A node is ``{"labels": [...], "props": {...}}`` with
``props["uri"]`` its IRI; a relationship is ``{"type": str, "start": uri,
"end": uri, "props": {...}}``.  Every name comes from ``ontology.schema``:
an unknown label, relationship type or property raises ``ValueError``.

Mapping:

- a label -> ``rdf:type`` of its class;
- a node property -> literals: ``langString`` values are tagged ``@zh-Hans``
  (they are the normalised Simplified forms); ``date`` -> ``xsd:date``,
  ``integer`` -> ``xsd:integer``, ``decimal`` -> ``xsd:decimal`` (canonical
  lexical form, e.g. ``8000.0``), ``boolean`` -> ``xsd:boolean``, ``string``
  and each item of ``strings`` -> a plain (``xsd:string``) literal.
  The printed ``*_orig`` strings stay plain strings even for a Traditional
  source: they are exactly as printed, which is often a character-by-character
  conversion mixing scripts (關于), so a ``zh-Hant`` tag would claim more than
  is known; the document's ``rkg:script`` says which script its text is in, and
  a plain string round-trips without needing the document;
- a relationship -> one triple with the relationship's property.  A
  relationship with properties also gets a qualified node carrying them:

  ====================================  =======================================
  LED_BY, PARTICIPANT, SUPPORTED_BY,     ``start prov:qualifiedAttribution q``;
  ISSUED_BY                              ``q a prov:Attribution; prov:agent end;
                                         prov:hadRole rkg:LeadRole`` (etc.)
  PILOTED_IN                             ``start rkg:qualifiedPiloting q``;
                                         ``q a rkg:Piloting; rkg:pilotZone end``
  PROMOTED_TO                            ``q a rkg:Promotion; prov:used start;
                                         rkg:toScope end``
  DERIVED_FROM                           ``start prov:qualifiedDerivation q``;
                                         ``q a prov:Derivation; prov:entity end``
  SUCCEEDED_BY                           ``q a rkg:AgencySuccession;
                                         org:originalOrganization start;
                                         org:resultingOrganization end``
  any other type (RELATED_TO,            ``q a rdf:Statement; rdf:subject start;
  ZONE_SUCCEEDED_BY, ...)                rdf:predicate p; rdf:object end``
  ====================================  =======================================

  plus the edge properties (``rkg:printedAs``, ``rkg:rank``,
  ``rkg:evidenceSource``, ``prov:atTime``, ``rkg:batchNumber``,
  ``rkg:linkMethod``, ``rkg:similarityScore``, ``rkg:evidenceTerm``,
  ``rkg:reformName``).  ``q`` is an
  IRI derived from the edge, not a blank node: ``{start}#{type}-{digest}``
  (``-`` instead of ``#`` if the start IRI has a fragment already), where the
  digest is a SHA-256 of the type, the end IRI and the edge's literals.  So the
  same edge always gets the same IRI, two parallel edges with different
  properties get two, and export -> import -> export gives the same triples.

``from_rdf`` reads the same shapes back; ``to_rdf(from_rdf(to_rdf(x)))`` is
isomorphic to ``to_rdf(x)``.  Values come back as Python types: ``date``,
``int``, ``float`` (decimal), ``bool``, ``str``, and a sorted ``list`` for
``strings`` (RDF has no order).  A ``langString`` property read from a graph
with several languages takes the ``zh-Hans`` value.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node as RDFNode

from graph.payload import INDEX_PROPS
from ontology import ontology_graph, shapes_graph
from ontology.namespace import RKG
from ontology.schema import EDGE_PROPS, NODE_LABELS, ORG, PREFIXES, PROPS, PROV, REL_TYPES, Prop

__all__ = ["LANG", "FORMATS", "to_rdf", "from_rdf", "validate", "serialize", "parse", "payload_to_rdf"]

LANG = "zh-Hans"

# Name -> rdflib format.  "json-ld" is compacted with PREFIXES as its context.
FORMATS = {"turtle": "turtle", "ttl": "turtle", "json-ld": "json-ld", "jsonld": "json-ld", "nt": "nt"}

NodeDict = dict[str, Any]
RelDict = dict[str, Any]


@dataclass(frozen=True, slots=True)
class _Qualification:
    """How one relationship type is qualified by a node."""

    cls: URIRef  # rdf:type of the qualified node
    link: URIRef  # joins the start node and the qualified node
    link_from_start: bool  # True: start -link-> q; False: q -link-> start
    target: URIRef  # q -target-> end
    marker: tuple[URIRef, URIRef] | None = None  # (predicate, object) telling the type apart


def _attribution(role: URIRef) -> _Qualification:
    return _Qualification(PROV.Attribution, PROV.qualifiedAttribution, True, PROV.agent, (PROV.hadRole, role))


_QUALIFIED: dict[str, _Qualification] = {
    "LED_BY": _attribution(RKG.LeadRole),
    "PARTICIPANT": _attribution(RKG.ParticipantRole),
    "SUPPORTED_BY": _attribution(RKG.SupportRole),
    "ISSUED_BY": _attribution(RKG.IssuerRole),
    "PILOTED_IN": _Qualification(RKG.Piloting, RKG.qualifiedPiloting, True, RKG.pilotZone),
    "PROMOTED_TO": _Qualification(RKG.Promotion, PROV.used, False, RKG.toScope),
    # PROV-O's own qualification of prov:wasDerivedFrom (rkg:derivedFrom is a sub-property)
    "DERIVED_FROM": _Qualification(PROV.Derivation, PROV.qualifiedDerivation, True, PROV.entity),
    # ORG's change event: the agency before is the original, the agency after the resulting one
    "SUCCEEDED_BY": _Qualification(RKG.AgencySuccession, ORG.originalOrganization, False, ORG.resultingOrganization),
}
# Each class above qualifies one type only, or tells its types apart by a marker:
# from_rdf reads a qualified node back by its class (and marker).
assert all(
    sum(q.cls == other.cls and q.marker == other.marker for other in _QUALIFIED.values()) == 1
    for q in _QUALIFIED.values()
)


def _qualification(rel_type: str) -> _Qualification:
    q = _QUALIFIED.get(rel_type)
    if q is None:  # plain RDF reification: nothing an edge keeps is lost
        q = _Qualification(RDF.Statement, RDF.subject, False, RDF.object, (RDF.predicate, REL_TYPES[rel_type].iri))
    return q


_CLASS_TO_LABEL = {n.iri: name for name, n in NODE_LABELS.items()}
_IRI_TO_PROP = {p.iri: name for name, p in PROPS.items()}
_IRI_TO_EDGE_PROP = {p.iri: name for name, p in EDGE_PROPS.items()}
assert len(_IRI_TO_PROP) == len(PROPS) and len(_IRI_TO_EDGE_PROP) == len(EDGE_PROPS)


# ---------------------------------------------------------------- literals


def _decimal_lexical(value: Any) -> str:
    if isinstance(value, bool):
        raise ValueError(f"not a decimal: {value!r}")
    try:
        d = Decimal(str(value)) if isinstance(value, (int, float, str)) else Decimal(value)
    except (InvalidOperation, TypeError) as e:
        raise ValueError(f"not a decimal: {value!r}") from e
    if not d.is_finite():
        raise ValueError(f"not a finite decimal: {value!r}")
    text = format(d.normalize(), "f")
    return text if "." in text else text + ".0"


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        raise ValueError(f"a date, not a date and time: {value!r}")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value)
    raise ValueError(f"not a date: {value!r}")


def _literals(prop: Prop, name: str, value: Any) -> list[Literal]:
    """The literals for one property value (none for None)."""
    if value is None:
        return []
    kind = prop.datatype
    try:
        if kind == "strings":
            if isinstance(value, str) or not isinstance(value, (list, tuple, set, frozenset)):
                raise ValueError(f"a list of strings, got {value!r}")
            return [Literal(_string(v)) for v in value if v is not None]
        if kind == "string":
            return [Literal(_string(value))]
        if kind == "langString":
            return [Literal(_string(value), lang=LANG)]
        if kind == "date":
            return [Literal(_date(value).isoformat(), datatype=XSD.date)]
        if kind == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"not an integer: {value!r}")
            return [Literal(str(value), datatype=XSD.integer)]
        if kind == "decimal":
            return [Literal(_decimal_lexical(value), datatype=XSD.decimal)]
        if kind == "boolean":
            if not isinstance(value, bool):
                raise ValueError(f"not a boolean: {value!r}")
            return [Literal("true" if value else "false", datatype=XSD.boolean)]
    except ValueError as e:
        raise ValueError(f"property {name!r}: {e}") from None
    raise ValueError(f"property {name!r}: unknown datatype {kind!r}")


def _string(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"not a string: {value!r}")
    return value


def _value(prop: Prop, lits: list[Literal]) -> Any:
    """The property value for the literals of one property (None for none)."""
    if not lits:
        return None
    kind = prop.datatype
    if kind == "strings":
        return sorted(str(lit) for lit in lits)
    if kind == "langString":
        return str(min(lits, key=_lang_preference))
    lit = min(lits, key=lambda x: (x.language is not None, str(x)))  # deterministic if several
    if kind == "date":
        v = lit.toPython()
        return v if isinstance(v, date) and not isinstance(v, datetime) else str(lit)
    if kind == "integer":
        return int(str(lit))
    if kind == "decimal":
        return float(Decimal(str(lit)))
    if kind == "boolean":
        return str(lit).strip() in ("true", "1")
    return str(lit)


def _lang_preference(lit: Literal) -> tuple[int, str, str]:
    lang = (lit.language or "").lower()
    rank = 0 if lang == LANG.lower() else 1 if lang.startswith("zh") else 2 if not lang else 3
    return (rank, lang, str(lit))


# ---------------------------------------------------------------- to RDF


def _new_graph() -> Graph:
    g = Graph(bind_namespaces="core")
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns, override=True, replace=True)
    return g


def _slug(rel_type: str) -> str:
    return rel_type.lower().replace("_", "-")


def _qualified_iri(start: str, rel_type: str, end: str, lits: list[tuple[URIRef, Literal]]) -> URIRef:
    key = "\x1f".join([rel_type, end, *sorted(f"{p} {lit.n3()}" for p, lit in lits)])
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    sep = "-" if "#" in start else "#"
    return URIRef(f"{start}{sep}{_slug(rel_type)}-{digest}")


def to_rdf(nodes: Iterable[NodeDict], rels: Iterable[RelDict]) -> Graph:
    """The RDF graph of property-graph nodes and relationships (see the module doc)."""
    g = _new_graph()
    for node in nodes:
        props = dict(node.get("props") or {})
        uri = props.pop("uri", None)
        if not uri:
            raise ValueError(f"node without props['uri']: {node!r}")
        s = URIRef(uri)
        labels = node.get("labels") or []
        if isinstance(labels, str):
            labels = [labels]
        if not labels:
            raise ValueError(f"node {uri} has no label")
        for label in labels:
            if label not in NODE_LABELS:
                raise ValueError(f"node {uri}: unknown label {label!r}")
            g.add((s, RDF.type, NODE_LABELS[label].iri))
        for name, value in props.items():
            if name in INDEX_PROPS:  # the search's bigrams, the linker's words: not data
                continue
            prop = PROPS.get(name)
            if prop is None:
                raise ValueError(f"node {uri}: unknown property {name!r}")
            for lit in _literals(prop, name, value):
                g.add((s, prop.iri, lit))
    rels = list(rels)
    promotions = [(q, rel) for rel in rels if (q := _add_rel(g, rel)) is not None and rel["type"] == "PROMOTED_TO"]
    _promotion_context(g, promotions, rels)
    return g


def _promotion_context(g: Graph, promotions: list[tuple[URIRef, RelDict]], rels: list[RelDict]) -> None:
    """Complete each rkg:Promotion from the edges around its measure: the document
    that announced it (rkg:announcedIn, the measure's own document), that
    document's issuer (prov:wasAssociatedWith) and the zone it was piloted in
    (rkg:fromZone, when there is exactly one).  Derived, so ``from_rdf`` need
    not read them back: the next ``to_rdf`` adds them again."""
    by_type: dict[str, dict[str, list[str]]] = {}
    for rel in rels:
        by_type.setdefault(rel["type"], {}).setdefault(str(rel["start"]), []).append(str(rel["end"]))
    for q, rel in promotions:
        measure = str(rel["start"])
        documents = by_type.get("PART_OF", {}).get(measure, [])
        zones = by_type.get("PILOTED_IN", {}).get(measure, [])
        if len(documents) == 1:
            g.add((q, RKG.announcedIn, URIRef(documents[0])))
            issuers = sorted(by_type.get("ISSUED_BY", {}).get(documents[0], []))
            if issuers:
                g.add((q, PROV.wasAssociatedWith, URIRef(issuers[0])))
        if len(zones) == 1:
            g.add((q, RKG.fromZone, URIRef(zones[0])))


def _add_rel(g: Graph, rel: RelDict) -> URIRef | None:
    """Add one relationship; its qualified node, if it has one."""
    rel_type = rel["type"]
    if rel_type not in REL_TYPES:
        raise ValueError(f"unknown relationship type {rel_type!r}")
    start, end = str(rel["start"]), str(rel["end"])
    s, o = URIRef(start), URIRef(end)
    g.add((s, REL_TYPES[rel_type].iri, o))
    lits: list[tuple[URIRef, Literal]] = []
    for name, value in (rel.get("props") or {}).items():
        prop = EDGE_PROPS.get(name)
        if prop is None:
            raise ValueError(f"{rel_type} {start} -> {end}: unknown edge property {name!r}")
        lits.extend((prop.iri, lit) for lit in _literals(prop, name, value))
    if not lits:
        return None
    qual = _qualification(rel_type)
    q = _qualified_iri(start, rel_type, end, lits)
    g.add((q, RDF.type, qual.cls))
    g.add((s, qual.link, q) if qual.link_from_start else (q, qual.link, s))
    g.add((q, qual.target, o))
    if qual.marker:
        g.add((q, *qual.marker))
    for p, lit in lits:
        g.add((q, p, lit))
    return q


def payload_to_rdf(doc: Any) -> Graph:
    """``to_rdf`` of a ``graph.payload.DocumentGraph``."""
    nodes = [{"labels": [n.label], "props": {**n.props, "uri": n.uri}} for n in doc.nodes]
    rels = [{"type": r.type, "start": r.start, "end": r.end, "props": dict(r.props)} for r in doc.rels]
    return to_rdf(nodes, rels)


# ---------------------------------------------------------------- from RDF


def from_rdf(g: Graph) -> tuple[list[NodeDict], list[RelDict]]:
    """The nodes and relationships of an RDF graph, sorted (inverse of :func:`to_rdf`).

    Nodes are the IRIs typed with a class of ours; triples of properties that
    are not in ``ontology.schema`` are ignored (vocabulary notes, schemes), and
    so is a triple of a relationship property unless one end is a node and each
    typed end has the relationship's label.
    """
    labels_of: dict[URIRef, set[str]] = {}
    for cls, label in _CLASS_TO_LABEL.items():
        for s in g.subjects(RDF.type, cls):
            if isinstance(s, URIRef):
                labels_of.setdefault(s, set()).add(label)

    nodes: list[NodeDict] = []
    for s in sorted(labels_of):
        props: dict[str, Any] = {"uri": str(s)}
        by_prop: dict[str, list[Literal]] = {}
        for p, o in g.predicate_objects(s):
            name = _IRI_TO_PROP.get(p)
            if name is not None and isinstance(o, Literal):
                by_prop.setdefault(name, []).append(o)
        for name in sorted(by_prop):
            value = _value(PROPS[name], by_prop[name])
            if value is not None:
                props[name] = value
        nodes.append({"labels": sorted(labels_of[s]), "props": props})

    def fits(term: RDFNode, label: str) -> bool:
        # An endpoint typed with classes of ours must have the right one; an
        # untyped endpoint (a node outside this graph) is taken as it is.
        return isinstance(term, URIRef) and (term not in labels_of or label in labels_of[term])

    def is_rel(s: RDFNode, o: RDFNode, rt: Any) -> bool:
        # Both ends fit, and at least one is a node of this graph: a triple
        # between two foreign terms (skos:broader between vocabulary concepts)
        # is not a relationship of ours.
        return fits(s, rt.start) and fits(o, rt.end) and (s in labels_of or o in labels_of)

    rels: list[RelDict] = []
    qualified: set[tuple[str, URIRef, URIRef]] = set()
    for rel_type, rt in REL_TYPES.items():
        qual = _qualification(rel_type)
        for q in g.subjects(RDF.type, qual.cls):
            if qual.marker and (q, *qual.marker) not in g:
                continue
            starts = list(g.subjects(qual.link, q) if qual.link_from_start else g.objects(q, qual.link))
            ends = list(g.objects(q, qual.target))
            if len(starts) != 1 or len(ends) != 1:
                continue  # not a qualified edge we wrote: ignore
            s, o = starts[0], ends[0]
            if not is_rel(s, o, rt):
                continue
            edge_lits: dict[str, list[Literal]] = {}
            for p, lit in g.predicate_objects(q):
                name = _IRI_TO_EDGE_PROP.get(p)
                if name is not None and isinstance(lit, Literal):
                    edge_lits.setdefault(name, []).append(lit)
            props = {name: _value(EDGE_PROPS[name], lits) for name, lits in sorted(edge_lits.items())}
            rels.append({"type": rel_type, "start": str(s), "end": str(o), "props": props})
            qualified.add((rel_type, s, o))
        for s, o in g.subject_objects(rt.iri):
            if (rel_type, s, o) in qualified or not is_rel(s, o, rt):
                continue
            rels.append({"type": rel_type, "start": str(s), "end": str(o), "props": {}})
    rels.sort(key=lambda r: (r["type"], r["start"], r["end"], repr(sorted(r["props"].items()))))
    return nodes, rels


# ---------------------------------------------------------------- validation, formats


def validate(g: Graph, *, inference: str = "none") -> tuple[bool, str]:
    """Validate ``g`` against ``ontology/shapes.ttl`` with pyshacl.

    The ontology is mixed into a copy of ``g`` (``g`` is not changed), so
    ``sh:class`` sees ``rdfs:subClassOf``.  By default nothing is inferred from
    domains or ranges (fast, and the shapes check what was written);
    ``inference="rdfs"`` checks that the ontology's entailments keep the data
    valid.  Returns ``(conforms, report_text)``; the report names each focus node.
    """
    from pyshacl import validate as shacl_validate  # ~0.5 s import: only when used

    shapes = Graph()
    shapes += shapes_graph()  # pyshacl adds to its shapes graph: keep the cached one clean
    conforms, _report, text = shacl_validate(
        g,
        shacl_graph=shapes,
        ont_graph=ontology_graph(),
        inference=inference,
        abort_on_first=False,
        allow_warnings=False,
        meta_shacl=False,
        advanced=True,  # the SPARQL targets of the shortcut checks (shapes.ttl)
        inplace=False,
    )
    return bool(conforms), str(text)


def _format(fmt: str) -> str:
    try:
        return FORMATS[fmt.lower()]
    except KeyError:
        raise ValueError(f"unknown RDF format {fmt!r}; one of {sorted(FORMATS)}") from None


def serialize(g: Graph, fmt: str = "turtle") -> str:
    """``g`` as text: "turtle", "json-ld" (compacted with our prefixes) or "nt"."""
    rdflib_fmt = _format(fmt)
    if rdflib_fmt == "json-ld":
        context = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
        context["xsd"] = str(XSD)
        return g.serialize(format="json-ld", context=context, auto_compact=True)
    return g.serialize(format=rdflib_fmt)


def parse(data: str, fmt: str = "turtle") -> Graph:
    """A graph from text in one of the formats of :func:`serialize`, prefixes bound."""
    g = _new_graph()
    g.parse(data=data, format=_format(fmt))
    return g
