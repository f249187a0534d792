"""What the rest of the project may ask of a graph database.

Two implementations: ``graph.falkor.FalkorBackend`` (embedded default) and
``graph.neo4j_backend.Neo4jBackend``.  Both send the Cypher text built by
``graph.cypher``; values always travel as parameters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, Protocol, runtime_checkable

from graph.payload import DocumentGraph

Params = Mapping[str, Any]

# Counters reported by run_write and WriteResult, the same for both backends.
SUMMARY_KEYS = (
    "nodes_created",
    "nodes_deleted",
    "relationships_created",
    "relationships_deleted",
    "properties_set",
)


@dataclass(frozen=True, slots=True)
class WriteResult:
    document_uri: str
    skipped: bool  # True: the stored content_hash was equal, nothing was written
    nodes_created: int = 0
    nodes_deleted: int = 0
    relationships_created: int = 0
    relationships_deleted: int = 0
    properties_set: int = 0


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What ``write_documents`` did: which documents it wrote, which it skipped (their stored
    content_hash was equal), and the database's counters for the whole batch."""

    written: tuple[str, ...]
    skipped: tuple[str, ...]
    summary: dict[str, int]


class WriteError(RuntimeError):
    """A document write the database refused; nothing of it was applied."""


@runtime_checkable
class GraphBackend(Protocol):
    dialect: Literal["falkordb", "neo4j"]

    def run_read(self, query: str, params: Params | None = None) -> list[dict[str, Any]]:
        """Rows as plain dicts (nodes and relationships as dicts of properties)."""
        ...

    def run_write(self, query: str, params: Params | None = None) -> dict[str, int]:
        """Run one write query; its counters, keys as in SUMMARY_KEYS."""
        ...

    def ensure_schema(self) -> None:
        """Unique ``uri`` per label (and the indexes behind it); idempotent."""
        ...

    def write_document(self, doc: DocumentGraph) -> WriteResult:
        """Replace the document's old version atomically, or skip an unchanged one."""
        ...

    def write_documents(self, docs: Sequence[DocumentGraph]) -> BatchResult:
        """Write the changed documents of ``docs`` in ONE atomic write (graph/batch.py), skip the
        unchanged ones; their uris and source files must be distinct."""
        ...

    def document_hash(self, document_uri: str, source_file: str) -> str | None:
        """The stored content_hash, or None when the document must be written."""
        ...

    def counts(self) -> dict[str, dict[str, int]]:
        """``{"nodes": {label: n}, "relationships": {type: n}}``."""
        ...

    def durable(self, timeout_ms: int = 2000) -> bool:
        """True once every write so far is on disk."""
        ...

    def close(self) -> None: ...


@lru_cache(maxsize=4096)
def check_read_query(query: str) -> None:
    """Refuse anything but one read-only statement (graph/readonly.py), ``LOAD CSV``
    included: a database's read-only mode may still fetch files and URLs with it.

    Every read passes here, and the project's own query texts are a small fixed set:
    a text that passed is remembered (a refusal raises, so it is never cached), which
    keeps the tokenizer (about 0.7 ms for a catalogue query) off the API's hot path.
    """
    from graph.readonly import check_read_only

    check_read_only(query)


def stored_hash(rows: list[dict[str, Any]], document_uri: str) -> str | None:
    """The hash from DOCUMENT_HASH rows, if exactly the document itself matched.

    Another document with the same source file (an old uri) means a write is due.
    """
    if len(rows) == 1 and rows[0].get("uri") == document_uri:
        return rows[0].get("content_hash")
    return None


def stored_hashes(rows: list[dict[str, Any]], docs: Sequence[DocumentGraph]) -> dict[str, str | None]:
    """Per document uri, its stored hash from DOCUMENT_HASHES rows (``stored_hash`` for each)."""
    by_key: dict[str, list[dict[str, Any]]] = {d.document_uri: [] for d in docs}
    for row in rows:
        by_key[row["key"]].append(row)
    return {uri: stored_hash(found, uri) for uri, found in by_key.items()}


def counts_from_rows(
    node_rows: list[dict[str, Any]], rel_rows: list[dict[str, Any]]
) -> dict[str, dict[str, int]]:
    return {
        "nodes": {r["label"]: int(r["count"]) for r in sorted(node_rows, key=lambda r: r["label"])},
        "relationships": {
            r["type"]: int(r["count"]) for r in sorted(rel_rows, key=lambda r: r["type"])
        },
    }


def missing_message(missing: dict[str, list[str]], document_uri: str) -> str:
    parts = [f"{label} {', '.join(uris)}" for label, uris in sorted(missing.items())]
    return f"{document_uri}: relationship ends neither in the payload nor in the graph: " + "; ".join(parts)
