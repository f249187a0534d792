"""The Cypher builders as strings: parameters only, text fixed by the payload's shape."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import pytest
from neo4j.time import Date as Neo4jDate

from graph import batch, cypher
from graph.backend import GraphBackend
from graph.neo4j_backend import Neo4jBackend, plain
from graph.payload import DocumentGraph, Node, Rel
from ontology.schema import NODE_LABELS
from reformkg.model import Level

B = "https://w3id.org/reformkg/id/"


def payload(tag: str = "x", *, issued: Any = date(2018, 8, 14), agency_rel: bool = True) -> DocumentGraph:
    duri, muri, auri = f"{B}document/{tag}", f"{B}measure/{tag}/1", f"{B}agency/市场监管局{tag}"
    nodes = (
        Node("PolicyDocument", duri, {"title": f"关于{tag}的意见", "issued": issued, "doc_number": None}, owned=True),
        Node("Measure", muri, {"title": f"措施{tag}", "aliases": [], "span_start": 17}, owned=True),
        Node("Agency", auri, {"name": f"市场监管局{tag}", "aliases": ("市监局", None), "level": Level.CITY}),
    )
    rels = [Rel("PART_OF", muri, duri)]
    if agency_rel:
        rels.append(Rel("LED_BY", muri, auri, {"rank": 0, "printed": f"市場監管局{tag}", "date": date(2020, 1, 2)}))
    return DocumentGraph(duri, f"{tag}-source.txt", f"hash-{tag}-0123abcd", nodes, tuple(rels))


def leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [x for v in value.values() for x in leaves(v)]
    if isinstance(value, list):
        return [x for v in value for x in leaves(v)]
    return [value]


LED_BY = "r_LED_BY__o_Measure__s_Agency"


@pytest.mark.parametrize("dialect", cypher.DIALECTS)
def test_query_holds_parameters_not_values(dialect: cypher.Dialect) -> None:
    doc = payload("甲")
    text, params = batch.batch_write([doc], dialect)
    for value in leaves(params):
        if isinstance(value, str):
            assert value not in text
    # no literals: no quotes, and no number except the empty-list test of the alias union and range()
    assert "'" not in text and '"' not in text
    assert not re.search(r"\d", text.replace("size(merged) = 0", "").replace("range(0, ", "").replace(") - 1)", ""))
    assert set(re.findall(r"\$(\w+)", text)) == set(params)
    assert {"$s_Agency", "$o_PolicyDocument", "$o_Measure", "$r_PART_OF__o_Measure__o_PolicyDocument",
            f"${LED_BY}"} <= set(re.findall(r"\$\w+", text))


def test_text_depends_only_on_shape() -> None:
    a, b = payload("甲"), payload("乙", issued=None)
    assert batch.batch_params([a]) != batch.batch_params([b])
    assert batch.batch_write([a])[0] == batch.batch_write([b])[0]
    fewer = payload("丙", agency_rel=False)
    assert f"${LED_BY}" not in batch.batch_write([fewer])[0]
    assert "$s_Place" not in batch.batch_write([a])[0]
    assert batch.batch_write([a, b])[0] == batch.batch_write([a])[0]  # more documents, same shape


def test_segments_in_order() -> None:
    text, _ = batch.batch_write([payload()])
    first, rest = text.split("\nWITH count(*) AS _\n")
    assert first.startswith("OPTIONAL MATCH (d:PolicyDocument)") and "DETACH DELETE o" in first
    assert "$document_uris" in first and "$source_files" in first
    calls = rest.split("CALL {\n")[1:]
    # 1 shared + 2 owned lists, 2 relationship groups, 3 orphan sweeps
    assert len(calls) == 3 + 2 + 3
    assert "MERGE (n:Agency {uri: row.uri})" in calls[0] and "SET n += row.props" in calls[0]
    assert "RETURN collect(n) AS s_Agency" in calls[0] and "WITH i, n ORDER BY i" in calls[0]
    assert "CREATE (n:PolicyDocument)" in calls[1] and "SET n = row.props" in calls[1]
    assert "CREATE (n:Measure)" in calls[2]
    assert "CREATE (a)-[e:PART_OF]->(b)" in calls[3] and "o_Measure[row.s] AS a" in calls[3]
    assert "CREATE (a)-[e:LED_BY]->(b)" in calls[4] and "s_Agency[row.e] AS b" in calls[4]
    assert [c.split("\n")[0] for c in calls[-3:]] == ["MATCH (n:Category)", "MATCH (n:Batch)", "MATCH (n:Agency)"]
    assert text.endswith("RETURN count(*) AS done")


def test_relationships_between_shared_nodes_are_merged_and_externals_matched() -> None:
    doc = payload()
    place = f"{B}place/shenzhen"
    outside = Rel("ABOUT_ZONE", doc.document_uri, f"{B}zone/qianhai")
    text, params = batch.batch_write([DocumentGraph(
        doc.document_uri, doc.source_file, "h", doc.nodes + (Node("Place", place, {"name": "深圳市"}),),
        doc.rels + (Rel("AGENCY_JURISDICTION", doc.nodes[2].uri, place), outside))])
    assert "MERGE (a)-[e:AGENCY_JURISDICTION]->(b)" in text and "SET e += row.props" in text
    assert batch.external_endpoints(params) == {"PilotZone": [f"{B}zone/qianhai"]}
    assert "OPTIONAL MATCH (n:PilotZone {uri: $x_PilotZone[i]})" in text
    assert "x_PilotZone[row.e][0] AS b" in text  # a missing node is a null end: the write fails whole
    assert text.index("$x_PilotZone") < text.index("$s_Agency") < text.index("$o_Measure")


def test_dialects_differ_only_in_the_orphan_test() -> None:
    docs = [payload()]
    falkor, neo = batch.batch_write(docs, "falkordb")[0], batch.batch_write(docs, "neo4j")[0]
    assert "WHERE NOT (n)--()" in falkor and "WHERE NOT EXISTS { (n)--() }" in neo
    assert falkor.replace("NOT (n)--()", "NOT EXISTS { (n)--() }") == neo
    with pytest.raises(ValueError):
        batch.batch_write(docs, "sparql")  # type: ignore[arg-type]


def test_params_drop_nulls_and_carry_dates_as_iso() -> None:
    params = batch.batch_params([payload(issued=datetime(2018, 8, 14, 9, 30))])
    [doc] = params["o_PolicyDocument"]
    assert doc["dates"] == {"issued": "2018-08-14"}
    assert "doc_number" not in doc["props"] and "issued" not in doc["props"]
    assert doc["props"]["content_hash"] == "hash-x-0123abcd" and doc["props"]["source_file"] == "x-source.txt"
    [measure] = params["o_Measure"]
    assert measure["props"] == {"title": "措施x", "span_start": 17, "uri": f"{B}measure/x/1"}  # empty list dropped
    [agency] = params["s_Agency"]
    assert agency["lists"] == {"aliases": ["市监局"]} and "aliases" not in agency["props"]
    assert agency["props"]["level"] == "city"
    [led] = params[LED_BY]
    assert led["dates"] == {"date": "2020-01-02"} and led["props"] == {"rank": 0, "printed": "市場監管局x"}
    assert (led["s"], led["e"]) == (0, 0)
    assert all(v is not None for v in leaves(params))


def test_a_batch_unites_shared_nodes_as_writes_in_sequence_would() -> None:
    a, b = payload("甲"), payload("乙")
    shared = Node("Agency", a.nodes[2].uri, {"name": "市场监管局甲", "aliases": ["市场监管"], "level": Level.PROVINCE})
    b = DocumentGraph(b.document_uri, b.source_file, b.content_hash, b.nodes[:2] + (shared,),
                      (b.rels[0], Rel("LED_BY", b.nodes[1].uri, shared.uri, {"rank": 1})))
    params = batch.batch_params([a, b])
    [agency] = params["s_Agency"]  # once, later values win, aliases united in order
    assert agency["props"]["level"] == "province" and agency["lists"] == {"aliases": ["市监局", "市场监管"]}
    assert [(r["s"], r["e"]) for r in params[LED_BY]] == [(0, 0), (1, 0)]
    assert [r["e"] for r in params["r_PART_OF__o_Measure__o_PolicyDocument"]] == [0, 1]
    with pytest.raises(ValueError, match="same document"):
        batch.batch_params([a, a])
    with pytest.raises(ValueError, match="empty"):
        batch.batch_params([])


@pytest.mark.parametrize("bad", ["2018-02-30", "20180814", "2018-8-14", "14.08.2018", 20180814])
def test_invalid_dates_are_refused(bad: Any) -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        batch.batch_params([payload(issued=bad)])


def test_payload_checks() -> None:
    doc = payload()
    no_doc = DocumentGraph(doc.document_uri, doc.source_file, "h", doc.nodes[1:], doc.rels[1:])
    with pytest.raises(ValueError, match="no owned PolicyDocument"):
        batch.batch_params([no_doc])
    with pytest.raises(ValueError, match="twice"):
        batch.batch_params([DocumentGraph(doc.document_uri, doc.source_file, "h", doc.nodes + doc.nodes[2:],
                                          doc.rels)])
    wrong_end = Rel("PILOTED_IN", doc.nodes[1].uri, doc.nodes[2].uri)  # wants a PilotZone, finds an Agency
    with pytest.raises(ValueError, match="needs a PilotZone"):
        batch.batch_params([DocumentGraph(doc.document_uri, doc.source_file, "h", doc.nodes,
                                          doc.rels + (wrong_end,))])


def test_schema_statements() -> None:
    indexes = cypher.falkordb_index_statements()
    for label in NODE_LABELS:
        assert f"CREATE INDEX FOR (n:{label}) ON (n.uri)" in indexes
    assert "CREATE INDEX FOR (n:PolicyDocument) ON (n.source_file)" in indexes
    commands = cypher.falkordb_constraint_commands("g")
    assert ("GRAPH.CONSTRAINT", "CREATE", "g", "UNIQUE", "NODE", "Agency", "PROPERTIES", "1", "uri") in commands
    assert len(commands) == len(NODE_LABELS)
    neo = cypher.neo4j_schema_statements()
    for label in NODE_LABELS:
        assert (
            f"CREATE CONSTRAINT reformkg_{label.lower()}_uri IF NOT EXISTS FOR (n:{label}) REQUIRE n.uri IS UNIQUE"
            in neo
        )
    assert all("IF NOT EXISTS" in s for s in neo)


def test_read_queries_take_parameters() -> None:
    assert set(re.findall(r"\$(\w+)", cypher.DOCUMENT_HASH)) == {"document_uri", "source_file"}
    assert cypher.find_nodes_query("Agency") == "UNWIND $uris AS u\nMATCH (n:Agency {uri: u})\nRETURN n.uri AS uri"
    with pytest.raises(ValueError):
        cypher.find_nodes_query("Agency) DETACH DELETE (n")
    assert "count(*)" in cypher.COUNT_NODES and "type(r)" in cypher.COUNT_RELS


def test_neo4j_backend_without_server() -> None:
    backend = Neo4jBackend("neo4j://localhost:7687", "neo4j", "secret")  # the driver connects lazily
    try:
        assert isinstance(backend, GraphBackend) and backend.dialect == "neo4j"
        assert backend.durable() is True
        with pytest.raises(ValueError, match="LOAD CSV"):
            backend.run_read("LOAD CSV FROM 'https://example.org/x.csv' AS r RETURN r")
    finally:
        backend.close()
    assert plain([Neo4jDate(2018, 8, 14), {"k": (1,)}]) == [date(2018, 8, 14), {"k": (1,)}]
