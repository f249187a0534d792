"""Many documents in ONE write query: the writer of every load.

One query is atomic in FalkorDB (one ``GRAPH.QUERY``) and in Neo4j (one
transaction), so a batch of documents lands whole or not at all, and every
document in the graph is always whole.  The loader sends a few thousand
measures per batch; a one-document batch is the single-document write.

Why one shape rather than the older "one UNWIND per label, then one per
relationship type, each end looked up by ``uri``": at 10,000 measures the
lookups (two index scans per relationship) and one round trip per document
cost about 0.3 ms per measure on the server.  Here every node of the batch is
created or merged once, collected into a list per label in parameter order,
and each relationship row names its ends by their position in those lists: no
index lookup per relationship (measured: 1.5x on the server alone, see
bench/RESULTS.md).

``collect()`` does not keep the input order in FalkorDB (tried: the ends came
out shuffled), so every list is collected after ``ORDER BY`` the row's index.
Segments are ``CALL { }`` subqueries: a returning one yields exactly one row
(its list), a unit one leaves the outer row alone even when its ``UNWIND`` is
empty, so the lists never have to be carried through an aggregation.

Query order:

1. delete the old versions of the batch's documents (by uri or source file):
   their owned nodes (the document, its measures, their targets) go,
   shared nodes stay;
2. nodes a relationship needs but the batch does not carry (``x_`` lists)
   are matched (the backend checks first that they exist; a missing one
   would make a ``null`` end, which fails the whole query);
3. shared nodes (agencies, places, zones, ...) are merged (``SET +=``, lists
   of strings united, dates kept unless a new one is given) into ``s_`` lists;
4. owned nodes are created into ``o_`` lists;
5. relationships: created when an end is owned (it is new), merged between
   shared nodes (``SET +=``);
6. shared nodes of ``ORPHAN_LABELS`` left with no relationship are deleted.

The text depends only on which lists and relationship groups the batch has,
never on values; labels and types come from ``ontology.schema``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from graph.backend import (
    SUMMARY_KEYS,
    BatchResult,
    Params,
    missing_message,
    stored_hashes,
)
from graph.cypher import (
    DOCUMENT_HASHES,
    DOCUMENT_LABEL,
    EDGE_DATE_PROPS,
    NODE_DATE_PROPS,
    ORPHAN_LABELS,
    Dialect,
    _delete_orphans,
    _dialect,
    _label,
    _rel_type,
    check_payload,
    find_nodes_query,
    merge_shared_lines,
    shared_row,
    split_props,
)
from graph.payload import DocumentGraph, Node
from ontology.schema import NODE_LABELS, REL_TYPES

SHARED, OWNED, EXTERNAL = "s", "o", "x"


def list_name(kind: str, label: str) -> str:
    """The parameter (and query variable) holding the batch's nodes of ``label``."""
    return f"{kind}_{_label(label)}"


def rel_name(rel_type: str, start_list: str, end_list: str) -> str:
    return f"r_{_rel_type(rel_type)}__{start_list}__{end_list}"


def batch_write(docs: Sequence[DocumentGraph], dialect: Dialect = "falkordb") -> tuple[str, dict[str, Any]]:
    """(query text, parameters) writing ``docs`` in one atomic query.

    ValueError for a payload that cannot land whole (see ``check_payload``) or
    two documents of the batch with the same uri or source file (the later one
    would replace the earlier one: write them in two batches).
    """
    _dialect(dialect)
    params = batch_params(docs)
    return batch_query(_shape(params), dialect), params


@dataclass(frozen=True)
class Plan:
    """What a backend sends for ``docs``: the changed ones in one query (``query`` is None when
    every document is unchanged), the unchanged ones skipped."""

    written: tuple[str, ...]
    skipped: tuple[str, ...]
    query: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def unchanged(self) -> BatchResult:
        return BatchResult((), self.skipped, dict.fromkeys(SUMMARY_KEYS, 0))


def plan_write(docs: Sequence[DocumentGraph], read: Callable[[str, Params], list[dict[str, Any]]],
               dialect: Dialect) -> Plan:
    """The hash check and the endpoint check of a batch, through ``read`` (a backend's read, or a
    read inside its write transaction), then the batch's query.  ValueError when a relationship
    needs a node that is neither in the batch nor in the graph."""
    rows = read(DOCUMENT_HASHES, {"documents": [{"uri": d.document_uri, "source_file": d.source_file}
                                                for d in docs]})
    stored = stored_hashes(rows, docs)
    todo = [d for d in docs if stored[d.document_uri] != d.content_hash]
    skipped = tuple(d.document_uri for d in docs if stored[d.document_uri] == d.content_hash)
    written = tuple(d.document_uri for d in todo)
    if not todo:
        return Plan(written, skipped)
    query, params = batch_write(todo, dialect)
    missing = {}
    for label, uris in external_endpoints(params).items():
        found = {r["uri"] for r in read(find_nodes_query(label), {"uris": uris})}
        if absent := [u for u in uris if u not in found]:
            missing[label] = absent
    if missing:
        raise ValueError(missing_message(missing, ", ".join(written)))
    return Plan(written, skipped, query, params)


def batch_params(docs: Sequence[DocumentGraph]) -> dict[str, Any]:
    if not docs:
        raise ValueError("an empty batch")
    uris, sources = [d.document_uri for d in docs], [d.source_file for d in docs]
    for what, values in (("document", uris), ("source file", sources)):
        if len(set(values)) != len(values):
            raise ValueError(f"two documents of one batch have the same {what}")
    shared: dict[str, dict[str, dict[str, Any]]] = {}  # label -> uri -> merged row
    owned: dict[str, list[dict[str, Any]]] = {}
    where: dict[str, tuple[str, int]] = {}  # uri -> (list name, position)
    for doc in docs:
        check_payload(doc)
        for node in doc.nodes:
            if node.owned:
                rows = owned.setdefault(node.label, [])
                where[node.uri] = (list_name(OWNED, node.label), len(rows))
                rows.append(_owned_row(node, doc))
            else:
                rows_by_uri = shared.setdefault(node.label, {})
                if node.uri in rows_by_uri:
                    _merge_into(rows_by_uri[node.uri], shared_row(node))
                else:
                    where[node.uri] = (list_name(SHARED, node.label), len(rows_by_uri))
                    rows_by_uri[node.uri] = shared_row(node)
    external: dict[str, list[str]] = {}
    rels: dict[str, dict[tuple[int, int], dict[str, Any]]] = {}
    for doc in docs:
        for rel in doc.rels:
            ends = []
            for label, uri in ((rel.start_label, rel.start), (rel.end_label, rel.end)):
                if uri not in where:
                    uris_x = external.setdefault(label, [])
                    where[uri] = (list_name(EXTERNAL, label), len(uris_x))
                    uris_x.append(uri)
                ends.append(where[uri])
            values, dates = split_props(rel.props, EDGE_DATE_PROPS)
            group = rels.setdefault(rel_name(rel.type, ends[0][0], ends[1][0]), {})
            key = (ends[0][1], ends[1][1])
            if key in group:  # the same shared relationship in two documents: later values win
                group[key]["props"].update(values)
                group[key]["dates"].update(dates)
            else:
                group[key] = {"s": key[0], "e": key[1], "props": values, "dates": dates}
    params: dict[str, Any] = {"document_uris": uris, "source_files": sources}
    for kind, rows_of in ((EXTERNAL, external), (SHARED, shared), (OWNED, owned)):  # the query's order
        for label in NODE_LABELS:
            if label in rows_of:
                rows = rows_of[label]
                params[list_name(kind, label)] = list(rows.values()) if isinstance(rows, dict) else rows
    for name in sorted(rels, key=_rel_order):
        params[name] = list(rels[name].values())
    return params


def external_endpoints(params: dict[str, Any]) -> dict[str, list[str]]:
    """The nodes a batch's relationships need that it does not carry, by label: they must exist."""
    return {label: params[list_name(EXTERNAL, label)] for label in NODE_LABELS
            if list_name(EXTERNAL, label) in params}


def _rel_order(name: str) -> tuple[int, str]:
    rel_type = name[2:].split("__", 1)[0]
    return list(REL_TYPES).index(rel_type), name


def _owned_row(node: Node, doc: DocumentGraph) -> dict[str, Any]:
    props = dict(node.props)
    if node.uri == doc.document_uri:
        props["source_file"] = doc.source_file
        props["content_hash"] = doc.content_hash
    values, dates = split_props(props, NODE_DATE_PROPS)
    values["uri"] = node.uri
    return {"props": values, "dates": dates}


def _merge_into(row: dict[str, Any], later: dict[str, Any]) -> None:
    """What two writes of the same shared node in sequence leave: later values win, lists united."""
    row["props"].update(later["props"])
    row["dates"].update(later["dates"])
    for name, values in later["lists"].items():
        row["lists"][name] = row["lists"][name] + [v for v in values if v not in row["lists"][name]]


# ---------------------------------------------------------------- the query text


def _shape(params: dict[str, Any]) -> tuple[str, ...]:
    return tuple(name for name in params if name[:2] in ("s_", "o_", "x_", "r_"))


def batch_query(shape: Sequence[str], dialect: Dialect = "falkordb") -> str:
    """The query for a batch holding the lists and relationship groups named in ``shape``."""
    lists = [name for name in shape if not name.startswith("r_")]
    segments = [_delete_old_versions(), "WITH count(*) AS _"]
    for name in lists:
        kind, label = name.split("_", 1)
        segments.append({EXTERNAL: _match_existing, SHARED: _merge_shared, OWNED: _create_owned}[kind](label))
    for name in shape:
        if name.startswith("r_"):
            segments.append(_write_rels(name))
    segments += [f"CALL {{\n{_delete_orphans(label, dialect)}\n}}" for label in ORPHAN_LABELS]
    return "\n".join(segments) + "\nRETURN count(*) AS done"


def _delete_old_versions() -> str:
    return (
        f"OPTIONAL MATCH (d:{DOCUMENT_LABEL})\n"
        "WHERE d.uri IN $document_uris OR d.source_file IN $source_files\n"
        "OPTIONAL MATCH (d)<-[:PART_OF]-(m:Measure)\n"
        "OPTIONAL MATCH (m)-[:HAS_TARGET]->(mt:Target)\n"
        "OPTIONAL MATCH (d)-[:DOCUMENT_TARGET]->(dt:Target)\n"
        "WITH collect(DISTINCT d) + collect(DISTINCT m) + collect(DISTINCT mt)"
        " + collect(DISTINCT dt) AS old\n"
        "UNWIND old AS o\n"
        "WITH DISTINCT o\n"
        "DETACH DELETE o"
    )


def _in_order(name: str) -> list[str]:
    """Rows of ``$name`` with their position ``i``."""
    return [f"UNWIND range(0, size(${name}) - 1) AS i", f"WITH i, ${name}[i] AS row"]


def _collected(name: str) -> list[str]:
    return ["WITH i, n ORDER BY i", f"RETURN collect(n) AS {name}"]


def _match_existing(label: str) -> str:
    name = list_name(EXTERNAL, label)
    lines = [f"UNWIND range(0, size(${name}) - 1) AS i",
             f"OPTIONAL MATCH (n:{_label(label)} {{uri: ${name}[i]}})",
             "WITH i, n ORDER BY i",
             f"RETURN collect([n]) AS {name}"]  # [n] keeps a missing node's place (as null)
    return _call(lines)


def _merge_shared(label: str) -> str:
    name = list_name(SHARED, label)
    return _call(_in_order(name) + merge_shared_lines(label, keep=("i",)) + _collected(name))


def _create_owned(label: str) -> str:
    name = list_name(OWNED, label)
    lines = _in_order(name) + [f"CREATE (n:{_label(label)})", "SET n = row.props"]
    if NODE_DATE_PROPS:
        lines.append("SET " + ", ".join(f"n.{p} = date(row.dates.{p})" for p in NODE_DATE_PROPS))
    return _call(lines + _collected(name))


def _write_rels(name: str) -> str:
    rel_type, start_list, end_list = name[2:].split("__")
    spec = REL_TYPES[_rel_type(rel_type)]
    if start_list.split("_", 1)[1] != spec.start or end_list.split("_", 1)[1] != spec.end:
        raise ValueError(f"{name}: {rel_type} goes from {spec.start} to {spec.end}")
    new = OWNED in (start_list[0], end_list[0])  # an owned end was just created: so is the relationship
    ends = [f"{lst}[row.{k}]" + ("[0]" if lst[0] == EXTERNAL else "") for lst, k in ((start_list, "s"), (end_list, "e"))]
    lines = [
        f"WITH {start_list}, {end_list}" if start_list != end_list else f"WITH {start_list}",
        f"UNWIND ${name} AS row",
        f"WITH {ends[0]} AS a, {ends[1]} AS b, row",
        f"{'CREATE' if new else 'MERGE'} (a)-[e:{spec.name}]->(b)",
        f"SET e {'=' if new else '+='} row.props",
    ]
    if EDGE_DATE_PROPS:
        lines.append("SET " + ", ".join(f"e.{p} = date(row.dates.{p})" if new else
                                        f"e.{p} = coalesce(date(row.dates.{p}), e.{p})" for p in EDGE_DATE_PROPS))
    return _call(lines)


def _call(lines: list[str]) -> str:
    return "CALL {\n" + "\n".join("  " + line for line in lines) + "\n}"
