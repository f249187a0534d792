"""Cypher text for the derived and imported writes, the schema, the counts: pure functions.

Documents are written by :mod:`graph.batch` (many documents in one atomic
query), which shares this module's row and date helpers.  The writes here
(``derived_write``, ``graph_write``) are ONE query each too (one
``GRAPH.QUERY`` is all or nothing in FalkorDB; one transaction in Neo4j).
Their segments are chained with ``WITH count(*) AS _``, which turns any
number of rows, zero included, back into one row, so an empty ``UNWIND``
does not end the chain.

Query text depends only on which node labels and relationship types a write
holds, never on values: every value travels as a parameter.  Labels and
types come from ``ontology.schema`` only.

Dates: properties whose datatype is ``"date"`` in ``PROPS`` / ``EDGE_PROPS``
are stored as native dates, written as ``date($iso)`` from a validated
``YYYY-MM-DD`` string.  Both FalkorDB (4.16, tried: values, comparisons, AOF
reload) and Neo4j accept ``date(string)``.  The string is checked in Python
first because FalkorDB's ``date()`` is lenient: ``date('2018-02-30')`` gives
2018-03-02 and ``date('20180801')`` is accepted.  (The FalkorDB client cannot
send a ``datetime.date`` parameter at all.)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any, Literal

from graph import search_index
from graph.payload import INDEX_PROPS, DocumentGraph, Node, Rel
from ontology.schema import EDGE_PROPS, NODE_LABELS, PROPS, REL_TYPES

Dialect = Literal["falkordb", "neo4j"]
DIALECTS: tuple[Dialect, ...] = ("falkordb", "neo4j")

DOCUMENT_LABEL = "PolicyDocument"
# Shared labels removed once nothing at all is connected to them.
ORPHAN_LABELS: tuple[str, ...] = ("Category", "Batch", "Agency")
NODE_DATE_PROPS: tuple[str, ...] = tuple(n for n, p in PROPS.items() if p.datatype == "date")
EDGE_DATE_PROPS: tuple[str, ...] = tuple(n for n, p in EDGE_PROPS.items() if p.datatype == "date")
# Lists of strings on shared nodes (aliases): old and new values are united.
UNION_PROPS: tuple[str, ...] = tuple(n for n, p in PROPS.items() if p.datatype == "strings")

CHAIN = "WITH count(*) AS _"


# ---------------------------------------------------------------- parameters


def shared_param(label: str) -> str:
    return f"nodes_{_label(label)}"


def rel_param(rel_type: str) -> str:
    return f"rels_{_rel_type(rel_type)}"


def check_payload(doc: DocumentGraph) -> None:
    """ValueError for a payload the writer cannot land whole: no owned document node, a node
    or relationship given twice, a relationship whose end is in the payload under another
    label than its type needs.  (Invalid dates are refused when the values are split.)"""
    labels: dict[str, str] = {}
    for n in doc.nodes:
        if n.uri in labels:
            raise ValueError(f"node {n.uri} appears twice in the payload")
        labels[n.uri] = n.label
    if labels.get(doc.document_uri) != DOCUMENT_LABEL or not any(
        n.owned for n in doc.nodes if n.uri == doc.document_uri
    ):
        raise ValueError(f"payload has no owned {DOCUMENT_LABEL} node {doc.document_uri}")
    seen: set[tuple[str, str, str]] = set()
    for r in doc.rels:
        if (r.type, r.start, r.end) in seen:
            raise ValueError(f"relationship {r.type} {r.start} -> {r.end} appears twice")
        seen.add((r.type, r.start, r.end))
        for want, uri in ((r.start_label, r.start), (r.end_label, r.end)):
            if uri in labels and labels[uri] != want:
                raise ValueError(f"{r.type} needs a {want} at {uri}, payload has a {labels[uri]}")


def shared_row(node: Node) -> dict[str, Any]:
    values, dates = split_props(node.props, NODE_DATE_PROPS)
    values["uri"] = node.uri
    lists = {name: values.pop(name, []) for name in UNION_PROPS}
    return {"uri": node.uri, "props": values, "dates": dates, "lists": lists}


def _rel_row(rel: Rel) -> dict[str, Any]:
    values, dates = split_props(rel.props, EDGE_DATE_PROPS)
    return {"start": rel.start, "end": rel.end, "props": values, "dates": dates}


def split_props(
    props: Mapping[str, Any], date_names: tuple[str, ...]
) -> tuple[dict[str, Any], dict[str, str]]:
    """(storable values, ISO dates): nulls and empty lists dropped, enums to values.

    Values of other types (a dict, say) are passed on as they are: the
    database rejects them, and the whole document write with them.
    """
    values: dict[str, Any] = {}
    dates: dict[str, str] = {}
    for name, value in props.items():
        if name in date_names:
            if value is not None:
                dates[name] = iso_date(value, name)
            continue
        if type(value) not in _PLAIN:  # the usual str, int, bool as they are, without a call
            value = plain_value(value)
            if value is None or value == []:
                continue
        values[name] = value
    return values, dates


_PLAIN = frozenset((str, int, float, bool))


def plain_value(value: Any) -> Any:
    """A value as the drivers send it; a date not declared as such becomes its ISO string."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [plain_value(v) for v in value if v is not None]
    if isinstance(value, (set, frozenset)):
        return sorted(plain_value(v) for v in value if v is not None)
    return value


def iso_date(value: Any, name: str = "date") -> str:
    """``YYYY-MM-DD`` for a date, or for a string that is exactly one."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise ValueError(f"property {name!r}: {value!r} is not a YYYY-MM-DD date")


# ---------------------------------------------------------------- the write query


# Relationships derived across documents (graph/lineage.py), replaced as a whole.
DERIVED_REL_TYPES: tuple[str, ...] = ("DERIVED_FROM", "RELATED_TO", "SUCCEEDED_BY", "ZONE_SUCCEEDED_BY")


def derived_write(nodes: Sequence[Node], rels: Sequence[Rel], dialect: Dialect = "falkordb") -> tuple[str, dict[str, Any]]:
    """(query, parameters) that replace every derived relationship in one atomic write.

    All relationships of ``DERIVED_REL_TYPES`` are deleted, ``nodes`` (shared
    nodes the derivation adds, e.g. a successor agency no document names) are
    merged, then ``rels`` are merged.  The ends of ``rels`` must exist or be
    among ``nodes``.
    """
    _dialect(dialect)
    for rel in rels:
        _rel_type(rel.type)
    params: dict[str, Any] = {}
    for node in nodes:
        if node.owned:
            raise ValueError(f"derived node {node.uri} cannot be owned by a document")
        params.setdefault(shared_param(node.label), []).append(shared_row(node))
    for rel in rels:
        params.setdefault(rel_param(rel.type), []).append(_rel_row(rel))
    labels = [label for label in NODE_LABELS if shared_param(label) in params]
    types = [t for t in REL_TYPES if rel_param(t) in params]
    segments = [f"OPTIONAL MATCH ()-[r:{_rel_type(t)}]->()\nDELETE r" for t in DERIVED_REL_TYPES]
    segments += [_merge_shared(label) for label in labels]
    segments += [_merge_rel(t) for t in types]
    return f"\n{CHAIN}\n".join(segments) + "\nRETURN count(*) AS done", params


def graph_write(
    nodes: Sequence[Node], rels: Sequence[Rel], dialect: Dialect = "falkordb", *, replace: bool = False
) -> tuple[str, dict[str, Any]]:
    """(query, parameters) that write whole nodes and relationships in one atomic write
    (``reformkg import rdf``).

    Every node is merged by ``uri`` as a shared node is (``SET +=``, lists of
    strings united, dates as native dates), whatever its ``owned`` flag; then
    every relationship is merged.  With ``replace`` the query first deletes
    every node and relationship of the graph (indexes and constraints stay), so
    the old graph is gone only if the new one lands.  A relationship end must be
    among ``nodes`` or already in the graph (and not deleted by ``replace``):
    the ``MATCH`` finds nothing otherwise and the relationship is not written,
    so callers check the ends first.  ValueError for a node or relationship
    given twice, or an end given under another label than its type needs.
    """
    _dialect(dialect)
    labels_of: dict[str, str] = {}
    params: dict[str, Any] = {}
    for node in nodes:
        if node.uri in labels_of:
            raise ValueError(f"node {node.uri} appears twice")
        labels_of[node.uri] = node.label
        params.setdefault(shared_param(node.label), []).append(shared_row(node))
    seen: set[tuple[str, str, str]] = set()
    for rel in rels:
        key = (_rel_type(rel.type), rel.start, rel.end)
        if key in seen:
            raise ValueError(f"relationship {rel.type} {rel.start} -> {rel.end} appears twice")
        seen.add(key)
        for want, uri in ((rel.start_label, rel.start), (rel.end_label, rel.end)):
            if uri in labels_of and labels_of[uri] != want:
                raise ValueError(f"{rel.type} needs a {want} at {uri}, not a {labels_of[uri]}")
        params.setdefault(rel_param(rel.type), []).append(_rel_row(rel))
    segments = ["MATCH (n)\nDETACH DELETE n"] if replace else []
    segments += [_merge_shared(label) for label in NODE_LABELS if shared_param(label) in params]
    segments += [_merge_rel(t) for t in REL_TYPES if rel_param(t) in params]
    return f"\n{CHAIN}\n".join(segments) + "\nRETURN count(*) AS done", params


def _merge_shared(label: str) -> str:
    return "\n".join([f"UNWIND ${shared_param(label)} AS row", *merge_shared_lines(label)])


def merge_shared_lines(label: str, keep: tuple[str, ...] = ()) -> list[str]:
    """Merge the node of ``row`` by uri (``n``): ``SET +=``, lists of strings united, dates kept
    unless a new one is given; ``keep`` are further variables carried through (graph/batch.py)."""
    carried = ", ".join((*keep, "n", "row"))
    lines = [f"MERGE (n:{_label(label)} {{uri: row.uri}})", "SET n += row.props"]
    for name in UNION_PROPS:
        lines += [
            f"WITH {carried}, reduce(acc = coalesce(n.{name}, []), v IN row.lists.{name} |"
            " CASE WHEN v IN acc THEN acc ELSE acc + v END) AS merged",
            f"SET n.{name} = CASE WHEN size(merged) = 0 THEN null ELSE merged END",
        ]
    if NODE_DATE_PROPS:
        lines.append("SET " + ", ".join(f"n.{p} = coalesce(date(row.dates.{p}), n.{p})" for p in NODE_DATE_PROPS))
    return lines


def _merge_rel(rel_type: str) -> str:
    spec = REL_TYPES[_rel_type(rel_type)]
    lines = [
        f"UNWIND ${rel_param(rel_type)} AS row",
        f"MATCH (a:{spec.start} {{uri: row.start}})",
        f"MATCH (b:{spec.end} {{uri: row.end}})",
        f"MERGE (a)-[e:{spec.name}]->(b)",
        "SET e += row.props",
    ]
    if EDGE_DATE_PROPS:
        lines.append(
            "SET "
            + ", ".join(f"e.{p} = coalesce(date(row.dates.{p}), e.{p})" for p in EDGE_DATE_PROPS)
        )
    return "\n".join(lines)


def _delete_orphans(label: str, dialect: Dialect) -> str:
    unconnected = "NOT EXISTS { (n)--() }" if dialect == "neo4j" else "NOT (n)--()"
    return f"MATCH (n:{_label(label)})\nWHERE {unconnected}\nDELETE n"


# ---------------------------------------------------------------- reads and schema

DOCUMENT_HASH = (
    f"MATCH (d:{DOCUMENT_LABEL})\n"
    "WHERE d.uri = $document_uri OR d.source_file = $source_file\n"
    "RETURN d.uri AS uri, d.content_hash AS content_hash"
)

DOCUMENT_HASHES = (
    "UNWIND $documents AS k\n"
    f"MATCH (d:{DOCUMENT_LABEL})\n"
    "WHERE d.uri = k.uri OR d.source_file = k.source_file\n"
    "RETURN k.uri AS key, d.uri AS uri, d.content_hash AS content_hash"
)

# Reads of the lineage derivation (graph/lineage.py).
LINEAGE_MEASURES = (
    "MATCH (m:Measure)-[:PART_OF]->(d:PolicyDocument)\n"
    "RETURN m.uri AS uri, d.uri AS document_uri, m.title AS title, m.body AS body, m.link_terms AS terms,\n"
    "       coalesce(d.issued, d.published) AS issued, d.year AS year\n"
    "ORDER BY uri"
)
LINEAGE_AGENCIES = (
    "MATCH (a:Agency)\n"
    "OPTIONAL MATCH (a)-[:AGENCY_JURISDICTION]->(p:Place)\n"
    "RETURN a.uri AS uri, a.name AS name, a.function AS function, a.level AS level, p.zone_id AS place\n"
    "ORDER BY uri"
)
LINEAGE_ZONES = "MATCH (z:PilotZone)\nRETURN z.uri AS uri, z.zone_id AS zone_id\nORDER BY uri"

COUNT_NODES = "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS count"
COUNT_RELS = "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS count"


def find_nodes_query(label: str) -> str:
    """Which of ``$uris`` exist as nodes of ``label``."""
    return f"UNWIND $uris AS u\nMATCH (n:{_label(label)} {{uri: u}})\nRETURN n.uri AS uri"


# Extra exact-match indexes: the document is looked up by its source file too.
EXTRA_INDEXES: tuple[tuple[str, str], ...] = ((DOCUMENT_LABEL, "source_file"),)
# FalkorDB only: the search bigrams (graph/search_index.py) as one string per node with RediSearch's
# full-text index on it, no stemming and no stop words (Neo4j's search uses its CJK full-text index).
FALKORDB_FULLTEXT_INDEXES: tuple[tuple[str, str], ...] = (("Measure", "search_grams"), (DOCUMENT_LABEL, "search_grams"))


def falkordb_index_keys() -> list[tuple[str, str]]:
    """(label, property) of every FalkorDB range index, in creation order."""
    return [(label, "uri") for label in NODE_LABELS] + list(EXTRA_INDEXES)


def falkordb_index_statements() -> list[str]:
    """Range indexes on ``uri`` for every label (and the extra ones); run them before any MERGE."""
    return [f"CREATE INDEX FOR (n:{_label(label)}) ON (n.{prop})" for label, prop in falkordb_index_keys()]


def falkordb_fulltext_statement(label: str, prop: str) -> str:
    """The full-text index of ``label``'s ``prop``: every space-separated token as it is (no stemming,
    no stop words: a bigram such as "an" or "is" must be found too)."""
    return (f"CALL db.idx.fulltext.createNodeIndex({{label: '{_label(label)}', stopwords: []}}, "
            f"{{field: '{_prop(prop)}', nostem: true}})")


def falkordb_grams_to_text_statement(label: str) -> str:
    """Turn the bigram lists of the search's first version into the one string the full-text index
    reads (the lists were sorted: the same string ``index_text`` gives)."""
    prop = _prop(search_index.PROPERTY)
    return (f"MATCH (n:{_label(label)}) WHERE typeOf(n.{prop}) = 'List'\n"
            f"SET n.{prop} = reduce(s = '', g IN n.{prop} | CASE s WHEN '' THEN g ELSE s + ' ' + g END)")


def falkordb_drop_index_statement(label: str, prop: str) -> str:
    """Drop the range index of ``label``'s ``prop`` (the search bigrams' index of the first version)."""
    return f"DROP INDEX ON :{_label(label)}({_prop(prop)})"


def falkordb_constraint_commands(graph: str) -> list[tuple[str, ...]]:
    """``GRAPH.CONSTRAINT`` commands (not Cypher) making ``uri`` unique per label.

    Asynchronous (status PENDING, then OPERATIONAL); the index must exist first.
    """
    return [
        ("GRAPH.CONSTRAINT", "CREATE", graph, "UNIQUE", "NODE", _label(label), "PROPERTIES", "1", "uri")
        for label in NODE_LABELS
    ]


FALKORDB_INDEXES = "CALL db.indexes() YIELD label, properties, types RETURN label, properties, types"
FALKORDB_CONSTRAINTS = "CALL db.constraints() YIELD type, label, properties, status RETURN type, label, properties, status"


# Neo4j's full-text index on measures: the CJK analyzer indexes Chinese text as character
# bigrams, so a search for any two or more consecutive characters of a title or body finds it.
NEO4J_FULLTEXT_INDEX = "reformkg_measure_text"
NEO4J_FULLTEXT_ANALYZER = "cjk"


def neo4j_schema_statements() -> list[str]:
    """Uniqueness constraints on ``uri`` (they bring their own index), then extra indexes, then
    the full-text index on measure titles and bodies with the CJK analyzer; all idempotent."""
    out = [
        f"CREATE CONSTRAINT reformkg_{label.lower()}_uri IF NOT EXISTS "
        f"FOR (n:{_label(label)}) REQUIRE n.uri IS UNIQUE"
        for label in NODE_LABELS
    ]
    out += [
        f"CREATE INDEX reformkg_{label.lower()}_{prop} IF NOT EXISTS "
        f"FOR (n:{_label(label)}) ON (n.{prop})"
        for label, prop in EXTRA_INDEXES
    ]
    out.append(
        f"CREATE FULLTEXT INDEX {NEO4J_FULLTEXT_INDEX} IF NOT EXISTS "
        "FOR (n:Measure) ON EACH [n.title, n.body] "
        f"OPTIONS {{indexConfig: {{`fulltext.analyzer`: '{NEO4J_FULLTEXT_ANALYZER}'}}}}"
    )
    return out


def _label(label: str) -> str:
    if label not in NODE_LABELS:
        raise ValueError(f"unknown node label {label!r}")
    return label


def _prop(name: str) -> str:
    if name not in PROPS and name not in INDEX_PROPS:
        raise ValueError(f"unknown property {name!r}")
    return name


def _rel_type(rel_type: str) -> str:
    if rel_type not in REL_TYPES:
        raise ValueError(f"unknown relationship type {rel_type!r}")
    return rel_type


def _dialect(dialect: str) -> None:
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}")
