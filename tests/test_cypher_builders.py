"""The Cypher builders as strings: parameters only, text fixed by the payload's shape."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import pytest
from neo4j.time import Date as Neo4jDate

from graph import cypher
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


@pytest.mark.parametrize("dialect", cypher.DIALECTS)
def test_query_holds_parameters_not_values(dialect: cypher.Dialect) -> None:
    doc = payload("甲")
    text, params = cypher.document_write(doc, dialect)
    for value in leaves(params):
        if isinstance(value, str):
            assert value not in text
    # no literals: no quotes, and no number except the empty-list test of the alias union
    assert "'" not in text and '"' not in text
    assert not re.search(r"\d", text.replace("size(merged) = 0", ""))
    assert set(re.findall(r"\$(\w+)", text)) == set(params)
    assert {"$nodes_Agency", "$owned_PolicyDocument", "$owned_Measure", "$rels_PART_OF", "$rels_LED_BY"} <= set(
        re.findall(r"\$\w+", text)
    )


def test_text_depends_only_on_shape() -> None:
    a, b = payload("甲"), payload("乙", issued=None)
    assert cypher.write_params(a) != cypher.write_params(b)
    assert cypher.document_write(a)[0] == cypher.document_write(b)[0]
    fewer = payload("丙", agency_rel=False)
    assert "$rels_LED_BY" not in cypher.document_write(fewer)[0]
    assert "$nodes_Place" not in cypher.document_write(a)[0]


def test_segments_are_chained() -> None:
    text, _ = cypher.document_write(payload())
    segments = text.split(f"\n{cypher.CHAIN}\n")
    # old version, 1 shared + 2 owned labels, 2 relationship types, 3 orphan sweeps
    assert len(segments) == 1 + 3 + 2 + 3
    assert segments[0].startswith("OPTIONAL MATCH (d:PolicyDocument)")
    assert "DETACH DELETE o" in segments[0] and "$document_uri" in segments[0] and "$source_file" in segments[0]
    assert segments[1].startswith("UNWIND $nodes_Agency AS row\nMERGE (n:Agency {uri: row.uri})")
    assert "SET n = row.props" in segments[2] and "SET n += row.props" in segments[1]
    assert "MERGE (a)-[e:LED_BY]->(b)" in segments[5] and "MATCH (b:Agency {uri: row.end})" in segments[5]
    assert [s.split("\n")[0] for s in segments[-3:]] == ["MATCH (n:Category)", "MATCH (n:Batch)", "MATCH (n:Agency)"]
    assert segments[-1].endswith("RETURN count(*) AS done")


def test_dialects_differ_only_in_the_orphan_test() -> None:
    shape = cypher.payload_shape(payload())
    falkor, neo = cypher.write_query(shape, "falkordb"), cypher.write_query(shape, "neo4j")
    assert "WHERE NOT (n)--()" in falkor and "WHERE NOT EXISTS { (n)--() }" in neo
    assert falkor.replace("NOT (n)--()", "NOT EXISTS { (n)--() }") == neo
    with pytest.raises(ValueError):
        cypher.write_query(shape, "sparql")  # type: ignore[arg-type]


def test_params_drop_nulls_and_carry_dates_as_iso() -> None:
    params = cypher.write_params(payload(issued=datetime(2018, 8, 14, 9, 30)))
    [doc] = params["owned_PolicyDocument"]
    assert doc["dates"] == {"issued": "2018-08-14"}
    assert "doc_number" not in doc["props"] and "issued" not in doc["props"]
    assert doc["props"]["content_hash"] == "hash-x-0123abcd" and doc["props"]["source_file"] == "x-source.txt"
    [measure] = params["owned_Measure"]
    assert measure["props"] == {"title": "措施x", "span_start": 17, "uri": f"{B}measure/x/1"}  # empty list dropped
    [agency] = params["nodes_Agency"]
    assert agency["lists"] == {"aliases": ["市监局"]} and "aliases" not in agency["props"]
    assert agency["props"]["level"] == "city"
    [led] = params["rels_LED_BY"]
    assert led["dates"] == {"date": "2020-01-02"} and led["props"] == {"rank": 0, "printed": "市場監管局x"}
    assert all(v is not None for v in leaves(params))


@pytest.mark.parametrize("bad", ["2018-02-30", "20180814", "2018-8-14", "14.08.2018", 20180814])
def test_invalid_dates_are_refused(bad: Any) -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        cypher.write_params(payload(issued=bad))


def test_payload_checks() -> None:
    doc = payload()
    no_doc = DocumentGraph(doc.document_uri, doc.source_file, "h", doc.nodes[1:], doc.rels[1:])
    with pytest.raises(ValueError, match="no owned PolicyDocument"):
        cypher.write_params(no_doc)
    with pytest.raises(ValueError, match="twice"):
        cypher.write_params(DocumentGraph(doc.document_uri, doc.source_file, "h", doc.nodes + doc.nodes[2:], doc.rels))
    wrong_end = Rel("PILOTED_IN", doc.nodes[1].uri, doc.nodes[2].uri)  # wants a PilotZone, finds an Agency
    with pytest.raises(ValueError, match="needs a PilotZone"):
        cypher.write_params(DocumentGraph(doc.document_uri, doc.source_file, "h", doc.nodes, doc.rels + (wrong_end,)))
    outside = Rel("ABOUT_ZONE", doc.document_uri, f"{B}zone/qianhai")
    assert cypher.external_endpoints(
        DocumentGraph(doc.document_uri, doc.source_file, "h", doc.nodes, doc.rels + (outside,))
    ) == {"PilotZone": [f"{B}zone/qianhai"]}


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
