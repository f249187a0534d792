"""The FalkorDB backend and the embedded server, against the real database."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest

from graph import batch, cypher
from graph.backend import GraphBackend, WriteError
from graph.falkor import FalkorBackend
from graph.payload import DocumentGraph, Node, Rel
from graph.server import MAX_SOCKET_PATH, EmbeddedFalkor, ServerError
from ontology.schema import NODE_LABELS
from reformkg.model import Genre

B = "https://w3id.org/reformkg/id/"


def agency(name: str) -> str:
    return f"{B}agency/{name}"


def make_doc(
    name: str,
    measures: dict[str, list[str]],
    *,
    source_file: str | None = None,
    content_hash: str | None = None,
    category: str = "一",
    aliases: dict[str, list[str]] | None = None,
    jurisdiction: bool = False,
    bad_last_rel: bool = False,
) -> DocumentGraph:
    """A document with measures, each led by the named agencies (in rank order)."""
    duri = f"{B}document/{name}"
    cat = f"{B}category/{name}/{category}"
    place = f"{B}place/shenzhen"
    target = f"{duri}/target/1"
    nodes = [
        Node(
            "PolicyDocument",
            duri,
            {"title": f"关于{name}的实施意见", "issued": date(2018, 8, 14), "genre": Genre.OPINIONS, "doc_number": None},
            owned=True,
        ),
        Node("Target", target, {"metric": "进出口总额", "value": 8000.0, "unit": "亿元", "year": 2025}, owned=True),
        Node("Category", cat, {"name": f"主题{category}", "seq": category}),
        Node("Place", place, {"name": "深圳市"}),
    ]
    rels = [Rel("DOCUMENT_TARGET", duri, target), Rel("DOCUMENT_JURISDICTION", duri, place)]
    used: list[str] = []
    for key, leads in measures.items():
        muri = f"{B}measure/{name}/{key}"
        nodes.append(
            Node("Measure", muri, {"title": f"措施{key}", "seq": key, "deadline": date(2019, 12, 31)}, owned=True)
        )
        rels += [Rel("PART_OF", muri, duri), Rel("IN_CATEGORY", muri, cat)]
        for rank, a in enumerate(leads):
            rels.append(Rel("LED_BY", muri, agency(a), {"rank": rank, "printed": a}))
            if a not in used:
                used.append(a)
    for a in used:
        nodes.append(Node("Agency", agency(a), {"name": a, "aliases": (aliases or {}).get(a, [])}))
        if jurisdiction:
            rels.append(Rel("AGENCY_JURISDICTION", agency(a), place, {"source": "test"}))
    if bad_last_rel:  # a map is not a storable property value: fails in the last relationship segment
        last = rels[-1]
        assert last.type == "AGENCY_JURISDICTION"
        rels[-1] = Rel(last.type, last.start, last.end, {"source": {"not": "storable"}})
    return DocumentGraph(
        document_uri=duri,
        source_file=source_file or f"{name}.txt",
        content_hash=content_hash or hashlib.sha256(repr((nodes, rels)).encode()).hexdigest(),
        nodes=tuple(nodes),
        rels=tuple(rels),
    )


def uris(backend: FalkorBackend, label: str) -> set[str]:
    return {r["uri"] for r in backend.run_read(f"MATCH (n:{label}) RETURN n.uri AS uri")}


def snapshot(backend: FalkorBackend) -> tuple[list[str], list[str]]:
    """Every node and relationship with its properties, in a comparable form."""
    nodes = backend.run_read("MATCH (n) RETURN labels(n) AS labels, n AS props")
    rels = backend.run_read("MATCH (a)-[r]->(b) RETURN a.uri AS start, type(r) AS type, b.uri AS end, r AS props")

    def canonical(row: dict) -> str:
        return repr(sorted({**row, "props": sorted(row["props"].items())}.items()))

    return sorted(map(canonical, nodes)), sorted(map(canonical, rels))


# ---------------------------------------------------------------- writing documents


def test_backend_satisfies_protocol(falkor: FalkorBackend) -> None:
    assert isinstance(falkor, GraphBackend)
    assert falkor.dialect == "falkordb"


def test_rewrite_is_idempotent_and_skipped_by_hash(falkor: FalkorBackend) -> None:
    doc = make_doc("a", {"1": ["市场监管局", "商务局"], "2": ["发改委"]})
    first = falkor.write_document(doc)
    assert not first.skipped and first.nodes_created == 9
    counts, before = falkor.counts(), snapshot(falkor)
    assert counts["nodes"] == {
        "Agency": 3, "Category": 1, "Measure": 2, "Place": 1, "PolicyDocument": 1, "Target": 1,
    }  # fmt: skip
    assert falkor.document_hash(doc.document_uri, doc.source_file) == doc.content_hash

    again = falkor.write_document(doc)
    assert again.skipped and again.nodes_created == 0
    assert falkor.counts() == counts and snapshot(falkor) == before

    # same content, new hash: written again, and the graph comes out the same
    rehashed = DocumentGraph(doc.document_uri, doc.source_file, "other-hash", doc.nodes, doc.rels)
    result = falkor.write_document(rehashed)
    assert not result.skipped and result.nodes_deleted == 4  # document, 2 measures, target
    assert falkor.counts() == counts
    nodes, rels = snapshot(falkor)
    assert (sorted(n.replace("other-hash", doc.content_hash) for n in nodes), rels) == before
    assert {u for label in NODE_LABELS for u in uris(falkor, label)} == {n.uri for n in doc.nodes}


def test_replacement_drops_old_measures_keeps_shared_agencies(falkor: FalkorBackend) -> None:
    falkor.write_document(
        make_doc("a", {"1": ["市场监管局", "商务局"], "2": ["发改委"]}, aliases={"市场监管局": ["市场监管"]})
    )
    falkor.write_document(make_doc("b", {"1": ["市场监管局"]}, aliases={"市场监管局": ["市监局", "市场监管"]}))
    assert len(uris(falkor, "Measure")) == 3

    changed = make_doc("a", {"1": ["市场监管局"], "3": ["市场监管局"]}, category="二")
    result = falkor.write_document(changed)
    assert not result.skipped

    assert uris(falkor, "Measure") == {f"{B}measure/a/1", f"{B}measure/a/3", f"{B}measure/b/1"}
    # used by b (and a): kept; used only by the removed version of a: gone
    assert uris(falkor, "Agency") == {agency("市场监管局")}
    # the old category of a lost its measures: removed; b's stays
    assert uris(falkor, "Category") == {f"{B}category/a/二", f"{B}category/b/一"}
    assert uris(falkor, "Target") == {f"{B}document/a/target/1", f"{B}document/b/target/1"}
    rows = falkor.run_read(
        "MATCH (m:Measure)-[r:LED_BY]->(a:Agency) RETURN m.uri AS m, r.rank AS rank, a.aliases AS aliases"
    )
    assert {r["m"] for r in rows} == uris(falkor, "Measure")
    assert all(sorted(r["aliases"]) == ["市场监管", "市监局"] for r in rows)  # union, no duplicates
    assert falkor.counts()["nodes"]["PolicyDocument"] == 2


def test_new_uri_for_same_source_file_replaces_old_document(falkor: FalkorBackend) -> None:
    falkor.write_document(make_doc("old", {"1": ["商务局"]}, source_file="same.txt"))
    falkor.write_document(make_doc("new", {"1": ["商务局"]}, source_file="same.txt"))
    assert uris(falkor, "PolicyDocument") == {f"{B}document/new"}
    assert uris(falkor, "Measure") == {f"{B}measure/new/1"}


def test_failed_write_leaves_graph_unchanged(falkor: FalkorBackend) -> None:
    falkor.write_document(make_doc("a", {"1": ["市场监管局"], "2": ["发改委"]}, jurisdiction=True))
    before, counts = snapshot(falkor), falkor.counts()

    bad = make_doc("a", {"3": ["商务局"]}, category="二", jurisdiction=True, bad_last_rel=True)
    query, params = batch.batch_write([bad])
    assert [n for n in params if n.startswith("r_")][-1].startswith("r_AGENCY_JURISDICTION")  # the last data segment
    assert query.index("$r_AGENCY_JURISDICTION") > query.index("DETACH DELETE o")
    with pytest.raises(WriteError, match="Property values can only be of primitive types"):
        falkor.write_document(bad)

    assert snapshot(falkor) == before and falkor.counts() == counts


def test_dates_are_native_and_nulls_are_not_stored(falkor: FalkorBackend) -> None:
    doc = make_doc("a", {"1": ["商务局"]})
    falkor.write_document(doc)
    rows = falkor.run_read(
        "MATCH (d:PolicyDocument) WHERE d.issued < date($before) "
        "RETURN d AS doc, d.issued AS issued, d.genre AS genre, d.doc_number AS number",
        {"before": date(2019, 1, 1)},
    )
    assert len(rows) == 1
    assert rows[0]["issued"] == date(2018, 8, 14) and rows[0]["genre"] == "opinions"
    assert "doc_number" not in rows[0]["doc"] and rows[0]["number"] is None
    assert rows[0]["doc"]["content_hash"] == doc.content_hash
    deadline = falkor.run_read("MATCH (m:Measure) RETURN m.deadline AS d")
    assert deadline == [{"d": date(2019, 12, 31)}]


def test_relationship_to_unknown_node_is_refused_before_writing(falkor: FalkorBackend) -> None:
    doc = make_doc("a", {"1": ["商务局"]})
    dangling = Rel("PARTICIPANT", f"{B}measure/a/1", agency("不存在的局"))
    bad = DocumentGraph(doc.document_uri, doc.source_file, "h", doc.nodes, doc.rels + (dangling,))
    with pytest.raises(ValueError, match="不存在的局"):
        falkor.write_document(bad)
    assert falkor.counts() == {"nodes": {}, "relationships": {}}

    falkor.write_document(make_doc("b", {"1": ["不存在的局"]}))  # now it exists
    assert not falkor.write_document(bad).skipped
    assert falkor.counts()["relationships"]["PARTICIPANT"] == 1


def test_a_batch_writes_what_documents_one_by_one_write(falkor: FalkorBackend, falkor_server: EmbeddedFalkor) -> None:
    """The bundled corpus as ONE batch and one document at a time, plus a batch that shares
    agencies and categories across documents: the same nodes, relationships and properties
    (every relationship end found by its position in the batch's lists)."""
    from graph.build import build
    from loaders.parse import parse_file
    from reformkg.load import bundled_corpus

    docs = [build(parse_file(p)) for p in bundled_corpus()]
    docs += [make_doc("x", {"1": ["商务局", "市场监管局"]}, jurisdiction=True, aliases={"商务局": ["商务"]}),
             make_doc("y", {"1": ["市场监管局"], "2": ["商务局"]}, jurisdiction=True, aliases={"商务局": ["商务部门"]})]
    result = falkor.write_documents(docs)
    assert len(result.written) == len(docs) and not result.skipped
    together = snapshot(falkor)
    stored = falkor.run_read("MATCH (a)-[r]->(b) RETURN a.uri AS a, type(r) AS t, b.uri AS b")
    assert sorted((r["a"], r["t"], r["b"]) for r in stored) == sorted({(r.start, r.type, r.end) for d in docs
                                                                        for r in d.rels})
    nodes = {(n.label, n.uri) for d in docs for n in d.nodes}
    assert sorted((r["l"], r["u"]) for r in falkor.run_read("MATCH (n) RETURN labels(n)[0] AS l, n.uri AS u")) \
        == sorted(nodes)
    assert falkor.write_documents(docs).skipped == tuple(d.document_uri for d in docs)

    single = FalkorBackend(falkor_server.socket_path, "one_by_one")
    try:
        single.delete_graph()
        single.ensure_schema()
        for doc in docs:
            single.write_document(doc)
        assert snapshot(single) == together
        assert single.counts() == falkor.counts()
    finally:
        single.delete_graph()
        single.close()


def test_reads_are_plain_python(falkor: FalkorBackend) -> None:
    falkor.write_document(make_doc("a", {"1": ["商务局"]}))
    [row] = falkor.run_read("MATCH p = (m:Measure)-[r:LED_BY]->(a:Agency) RETURN m, r, p, [1, 'x'] AS l, {k: 1} AS mp")
    assert row["m"]["title"] == "措施1" and row["r"] == {"rank": 0, "printed": "商务局"}
    assert [n["uri"] for n in row["p"]["nodes"]] == [f"{B}measure/a/1", agency("商务局")]
    assert row["l"] == [1, "x"] and row["mp"] == {"k": 1} and type(row["mp"]) is dict
    with pytest.raises(ValueError, match="LOAD CSV"):
        falkor.run_read("LOAD CSV FROM 'file:///etc/passwd' AS r RETURN r")
    with pytest.raises(ValueError, match="refused .write-clause"):
        falkor.run_read("CREATE (:Measure {uri: 'x'})")
    with pytest.raises(Exception, match="read-only"):  # and GRAPH.RO_QUERY underneath
        falkor._read.ro_query("CREATE (:Measure {uri: 'x'})")


def test_fresh_graph_reads_as_empty(falkor_server: EmbeddedFalkor) -> None:
    backend = FalkorBackend(falkor_server.socket_path, "never_created")
    try:
        assert backend.counts() == {"nodes": {}, "relationships": {}}
        assert backend.document_hash(f"{B}document/x", "x.txt") is None
    finally:
        backend.close()


def test_schema_is_idempotent(falkor: FalkorBackend) -> None:
    conn = falkor.server.connection()
    errors = int(conn.info("stats")["total_error_replies"])
    falkor.ensure_schema()  # everything exists: nothing is sent, nothing fails
    assert int(conn.info("stats")["total_error_replies"]) == errors
    conn.close()
    rows = falkor.run_read(cypher.FALKORDB_CONSTRAINTS)
    assert {r["label"] for r in rows if r["properties"] == ["uri"]} == set(NODE_LABELS)
    indexed = {(r["label"], p) for r in falkor.run_read(cypher.FALKORDB_INDEXES) for p in r["properties"]}
    assert ("PolicyDocument", "source_file") in indexed and ("Agency", "uri") in indexed


def test_durable_after_write(falkor: FalkorBackend) -> None:
    falkor.write_document(make_doc("a", {"1": ["商务局"]}))
    assert falkor.durable() is True


# ---------------------------------------------------------------- the server


def test_server_reuse_and_clean_stop(tmp_path: Path) -> None:
    first = EmbeddedFalkor(tmp_path / "db").start()
    try:
        assert first.started and first.is_running()
        assert first.socket_path == tmp_path / "db" / "falkordb.sock"
        second = EmbeddedFalkor(tmp_path / "db").start()
        assert not second.started and second.pid() == first.pid()
    finally:
        first.stop()
    assert not first.is_running() and not first.socket_path.exists()
    assert not EmbeddedFalkor(tmp_path / "db").is_running()


def test_data_survives_stop_and_start(tmp_path: Path) -> None:
    server = EmbeddedFalkor(tmp_path / "db").start()
    backend = FalkorBackend(server.socket_path, "persist")
    try:
        backend.ensure_schema()
        doc = make_doc("a", {"1": ["市场监管局"], "2": ["商务局"]})
        backend.write_document(doc)
        assert backend.durable()
        counts, before = backend.counts(), snapshot(backend)
    finally:
        backend.close()
        server.stop()

    server = EmbeddedFalkor(tmp_path / "db").start()
    backend = FalkorBackend(server.socket_path, "persist")
    try:
        assert server.started
        assert backend.counts() == counts and snapshot(backend) == before
        assert backend.write_document(doc).skipped
        assert backend.run_read("MATCH (d:PolicyDocument) RETURN d.issued AS d") == [{"d": date(2018, 8, 14)}]
    finally:
        backend.close()
        server.stop()


def test_long_data_dir_gets_short_socket(tmp_path: Path) -> None:
    deep = tmp_path / ("x" * 60) / ("y" * 60)
    server = EmbeddedFalkor(deep)
    assert len(str(deep / "falkordb.sock")) > MAX_SOCKET_PATH
    assert len(str(server.socket_path)) <= MAX_SOCKET_PATH and deep not in server.socket_path.parents
    assert EmbeddedFalkor(deep).socket_path == server.socket_path  # stable: found again
    server.start()
    try:
        assert server.is_running() and (deep / "falkordb.log").exists()
    finally:
        server.stop()


def test_start_failure_reports_log_tail(tmp_path: Path) -> None:
    server = EmbeddedFalkor(tmp_path / "db", module=str(tmp_path / "missing.so"), start_timeout=20)
    with pytest.raises(ServerError, match="missing.so") as info:
        server.start()
    assert "exited during start" in str(info.value) or "did not answer" in str(info.value)
    assert not server.is_running()

