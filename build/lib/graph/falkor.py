"""FalkorDB backend over the ``falkordb`` client (unix socket or any redis URL).

Writes go through one dedicated connection, so ``durable()`` (WAITAOF, which
waits for the writes of its own connection) covers all of them; reads use a
connection pool, ``GRAPH.RO_QUERY`` and a timeout.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, Literal

import falkordb
from falkordb.edge import Edge
from falkordb.node import Node
from falkordb.path import Path as FalkorPath
from redis.exceptions import ResponseError

from graph import cypher
from graph.backend import (
    SUMMARY_KEYS,
    Params,
    WriteError,
    WriteResult,
    check_read_query,
    counts_from_rows,
    missing_message,
    stored_hash,
)
from graph.payload import DocumentGraph
from graph.server import EmbeddedFalkor, durable
from ontology.schema import NODE_LABELS

EMPTY_GRAPH = "Invalid graph operation on empty key"  # any query on a graph not created yet


class FalkorBackend:
    dialect: Literal["falkordb"] = "falkordb"

    def __init__(
        self,
        socket_path: str | Path,
        graph_name: str = "reformkg",
        *,
        read_timeout_ms: int = 30_000,
        server: EmbeddedFalkor | None = None,
    ) -> None:
        self.graph_name = graph_name
        self.read_timeout_ms = read_timeout_ms
        self.server = server  # kept for the caller; close() does not stop it
        self._read_db = falkordb.FalkorDB(unix_socket_path=str(socket_path))
        self._write_db = falkordb.FalkorDB(unix_socket_path=str(socket_path), single_connection_client=True)
        self._read = self._read_db.select_graph(graph_name)
        self._write = self._write_db.select_graph(graph_name)

    # -- queries

    def run_read(self, query: str, params: Params | None = None) -> list[dict[str, Any]]:
        check_read_query(query)
        try:
            result = self._read.ro_query(query, _params(params), timeout=self.read_timeout_ms)
        except ResponseError as exc:
            if str(exc) == EMPTY_GRAPH:
                return []
            raise
        names = [name for _type, name in result.header]
        return [dict(zip(names, (plain(v) for v in row))) for row in result.result_set]

    def run_write(self, query: str, params: Params | None = None) -> dict[str, int]:
        result = self._write.query(query, _params(params))
        return {key: int(getattr(result, key)) for key in SUMMARY_KEYS}

    # -- schema

    def ensure_schema(self) -> None:
        """Create the missing indexes, then the missing unique constraints.

        Existing ones are looked up first rather than recreated: a failing
        ``GRAPH.CONSTRAINT CREATE`` still goes into the AOF and logs
        ``== CRITICAL ==`` lines every time the server reloads it.
        """
        indexed = {
            (row["label"], prop)
            for row in self.run_read(cypher.FALKORDB_INDEXES)
            for prop in row["properties"]
        }
        for statement, key in zip(cypher.falkordb_index_statements(), _index_keys()):
            if key not in indexed:
                self.run_write(statement)
        rows = [
            row
            for row in self.run_read(cypher.FALKORDB_CONSTRAINTS)
            if row["type"] == "UNIQUE" and row["properties"] == ["uri"]
        ]
        if failed := sorted(row["label"] for row in rows if row["status"] == "FAILED"):
            raise RuntimeError(f"unique uri constraint FAILED (duplicate uris?) for {', '.join(failed)}")
        constrained = {row["label"] for row in rows}
        for command in cypher.falkordb_constraint_commands(self.graph_name):
            if command[5] not in constrained:
                self._write_db.execute_command(*command)

    # -- documents

    def document_hash(self, document_uri: str, source_file: str) -> str | None:
        rows = self.run_read(cypher.DOCUMENT_HASH, {"document_uri": document_uri, "source_file": source_file})
        return stored_hash(rows, document_uri)

    def write_document(self, doc: DocumentGraph) -> WriteResult:
        if self.document_hash(doc.document_uri, doc.source_file) == doc.content_hash:
            return WriteResult(doc.document_uri, skipped=True)
        query, params = cypher.document_write(doc, self.dialect)
        missing = self._missing_endpoints(doc)
        if missing:
            raise ValueError(missing_message(missing, doc.document_uri))
        try:
            summary = self.run_write(query, params)
        except ResponseError as exc:
            raise WriteError(f"{doc.document_uri}: {exc}") from exc
        return WriteResult(doc.document_uri, skipped=False, **summary)

    def _missing_endpoints(self, doc: DocumentGraph) -> dict[str, list[str]]:
        missing = {}
        for label, uris in cypher.external_endpoints(doc).items():
            found = {r["uri"] for r in self.run_read(cypher.find_nodes_query(label), {"uris": uris})}
            if absent := [u for u in uris if u not in found]:
                missing[label] = absent
        return missing

    def counts(self) -> dict[str, dict[str, int]]:
        return counts_from_rows(self.run_read(cypher.COUNT_NODES), self.run_read(cypher.COUNT_RELS))

    def durable(self, timeout_ms: int = 2000) -> bool:
        """WAITAOF on the write connection: True once all writes are on disk."""
        return durable(self._write_db.connection, timeout_ms)

    def delete_graph(self) -> None:
        """Drop the whole graph (tests, rebuilds)."""
        try:
            self._write.delete()
        except ResponseError as exc:
            if "empty key" not in str(exc) and "no such" not in str(exc).lower():
                raise

    def close(self) -> None:
        self._read_db.connection.close()
        self._write_db.connection.close()


def _index_keys() -> list[tuple[str, str]]:
    return [(label, "uri") for label in NODE_LABELS] + list(cypher.EXTRA_INDEXES)


def _params(params: Params | None) -> dict[str, Any] | None:
    """Dates as ISO strings: the client would print a date unquoted (2018-08-14 = 1996)."""
    if params is None:
        return None
    return {k: _param(v) for k, v in params.items()}


def _param(value: Any) -> Any:
    if isinstance(value, str):
        # The client sends parameters inside the query header: a NUL ends it early,
        # and a lone surrogate cannot be encoded.  Refuse both before they reach the server.
        if "\x00" in value:
            raise ValueError("a parameter value contains a NUL character")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("a parameter value is not valid Unicode (a lone surrogate)") from None
        return value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {_param(k): _param(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_param(v) for v in value]
    return value


def plain(value: Any) -> Any:
    """Result values as plain Python: nodes and edges become dicts of their properties."""
    if isinstance(value, (Node, Edge)):
        return {k: plain(v) for k, v in value.properties.items()}
    if isinstance(value, FalkorPath):
        return {
            "nodes": [plain(n) for n in value.nodes()],
            "relationships": [plain(e) for e in value.edges()],
        }
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
