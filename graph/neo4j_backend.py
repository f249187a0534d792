"""Neo4j backend over the official driver (6.x), same Cypher as FalkorDB.

Reads run in ``execute_read``, with the timeout set by ``neo4j.unit_of_work``
(``neo4j.Query(text, timeout=...)`` is only accepted by ``session.run``: a
managed transaction's ``tx.run`` raises TypeError for it).  A document is one
``execute_write`` transaction (hash check, endpoint check and the write query),
so it lands whole or not at all.  Schema (``graph.cypher.neo4j_schema_statements``): a
uniqueness constraint on ``uri`` per label, an index on the document's source file and a
full-text index on measure titles and bodies with the CJK analyzer, each ``IF NOT EXISTS``.

Errors: a read or a write the database refuses raises the driver's own error
(``neo4j.exceptions.Neo4jError``; the API classifies it in ``api/problems.py``); a document
write it refuses raises ``WriteError`` (nothing of it applied: the transaction is rolled back).

Settings: ``REFORMKG_BACKEND=neo4j``, ``REFORMKG_NEO4J_URI``, ``REFORMKG_NEO4J_USER``,
``REFORMKG_NEO4J_PASSWORD``, ``REFORMKG_NEO4J_DATABASE`` (see ``reformkg/settings.py`` and
``docs/neo4j.md``).  Tested against FalkorDB's partial Bolt server (tests/test_neo4j_bolt.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import neo4j
from neo4j.graph import Node, Path, Relationship

from graph import batch, cypher
from graph.backend import (
    SUMMARY_KEYS,
    BatchResult,
    Params,
    WriteError,
    WriteResult,
    check_read_query,
    counts_from_rows,
    stored_hash,
)
from graph.payload import DocumentGraph


class Neo4jBackend:
    dialect: Literal["neo4j"] = "neo4j"

    def __init__(
        self,
        uri: str,
        user: str,
        password: str | None,
        *,
        database: str | None = None,
        read_timeout: float = 30.0,
        write_timeout: float | None = None,
    ) -> None:
        self.database = database
        self.read_timeout = read_timeout
        self.write_timeout = write_timeout
        # No password: no authentication (a server with auth disabled).
        self._driver = neo4j.GraphDatabase.driver(uri, auth=(user, password) if password is not None else None)

    def _session(self) -> neo4j.Session:
        return self._driver.session(database=self.database)

    # -- queries

    def run_read(self, query: str, params: Params | None = None) -> list[dict[str, Any]]:
        check_read_query(query)
        work = neo4j.unit_of_work(timeout=self.read_timeout)(_rows)
        with self._session() as session:
            return session.execute_read(work, query, dict(params or {}))

    def run_write(self, query: str, params: Params | None = None) -> dict[str, int]:
        work = neo4j.unit_of_work(timeout=self.write_timeout)(_summary)
        with self._session() as session:
            return session.execute_write(work, query, dict(params or {}))

    # -- schema

    def ensure_schema(self) -> None:
        """Constraints and indexes, each ``IF NOT EXISTS`` (idempotent)."""
        self.run_statements(cypher.neo4j_schema_statements())

    def run_statements(self, statements: list[str]) -> int:
        """Run schema or set-up statements one by one, each in its own auto-commit
        transaction (schema commands cannot share a transaction with writes); how many ran."""
        with self._session() as session:
            for statement in statements:
                session.run(statement).consume()
        return len(statements)

    # -- documents

    def document_hash(self, document_uri: str, source_file: str) -> str | None:
        rows = self.run_read(cypher.DOCUMENT_HASH, {"document_uri": document_uri, "source_file": source_file})
        return stored_hash(rows, document_uri)

    def write_document(self, doc: DocumentGraph) -> WriteResult:
        result = self.write_documents([doc])
        return WriteResult(doc.document_uri, skipped=bool(result.skipped), **result.summary)

    def write_documents(self, docs: Sequence[DocumentGraph]) -> BatchResult:
        """The hash check, the endpoint check and the batch write in ONE managed transaction."""
        work = neo4j.unit_of_work(timeout=self.write_timeout)(self._write_tx)
        with self._session() as session:
            try:
                return session.execute_write(work, list(docs))
            except neo4j.exceptions.Neo4jError as exc:
                raise WriteError(f"{', '.join(d.document_uri for d in docs)}: {exc}") from exc

    def _write_tx(self, tx: neo4j.ManagedTransaction, docs: list[DocumentGraph]) -> BatchResult:
        plan = batch.plan_write(docs, lambda query, params: _rows(tx, query, params), self.dialect)
        if plan.query is None:
            return plan.unchanged()
        return BatchResult(plan.written, plan.skipped, _summary(tx, plan.query, plan.params))

    def counts(self) -> dict[str, dict[str, int]]:
        return counts_from_rows(self.run_read(cypher.COUNT_NODES), self.run_read(cypher.COUNT_RELS))

    def durable(self, timeout_ms: int = 2000) -> bool:
        """A committed Neo4j transaction is already durable."""
        return True

    def close(self) -> None:
        self._driver.close()


def _rows(tx: neo4j.ManagedTransaction, query: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{k: plain(v) for k, v in record.items()} for record in tx.run(query, params)]


def _summary(tx: neo4j.ManagedTransaction, query: str, params: Mapping[str, Any]) -> dict[str, int]:
    counters = tx.run(query, params).consume().counters
    return {key: int(getattr(counters, key)) for key in SUMMARY_KEYS}


def plain(value: Any) -> Any:
    """Driver values as plain Python: nodes and relationships as dicts of properties."""
    if isinstance(value, (Node, Relationship)):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, Path):
        return {
            "nodes": [plain(n) for n in value.nodes],
            "relationships": [plain(r) for r in value.relationships],
        }
    if hasattr(value, "to_native"):  # neo4j.time.Date, DateTime, Time
        return value.to_native()
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
