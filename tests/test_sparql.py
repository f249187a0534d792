"""The read-only SPARQL endpoint over the seed graph's RDF export."""

from __future__ import annotations

import csv
import io
import threading
import time

import pytest
import rdflib
from fastapi.testclient import TestClient

from api.app import create_app
from api.routers import sparql
from reformkg.settings import Settings

BASE = "https://w3id.org/reformkg/id/"
RKG = rdflib.Namespace("https://w3id.org/reformkg/ontology#")
SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")

QIANHAI_CITYWIDE = """
PREFIX rkg: <https://w3id.org/reformkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE {
  ?m a rkg:Measure ;
     rkg:pilotedIn ?z ;
     rkg:promotedTo ?s .
  ?z skos:notation "qianhai-shekou" .
  ?s rkg:scopeType "citywide" .
}"""


def make_app(store, **settings):
    app = create_app(settings=Settings(**settings), store=store)
    app.include_router(sparql.router)
    return app


@pytest.fixture(scope="module")
def client(seed_graph):
    with TestClient(make_app(seed_graph)) as c:
        yield c


def problem(r, status: int, slug: str | None = None) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == status and body["title"] and body["instance"] == "/sparql"
    if slug:
        assert body["type"].endswith("/" + slug), body
    assert "Traceback" not in r.text
    return body


def count(r) -> int:
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_qianhai_pilots_promoted_citywide(client, seed_graph):
    cypher = seed_graph.run_read(
        "MATCH (z:PilotZone {zone_id: 'qianhai-shekou'})<-[:PILOTED_IN]-(m:Measure)"
        "-[:PROMOTED_TO]->(s:ReplicationScope {scope_type: 'citywide'}) RETURN count(DISTINCT m) AS n")
    assert cypher[0]["n"] == 37
    r = client.get("/sparql", params={"query": QIANHAI_CITYWIDE})
    assert count(r) == 37
    assert r.json()["head"]["vars"] == ["n"]
    assert r.json()["results"]["bindings"][0]["n"]["datatype"] == str(rdflib.XSD.integer)
    assert r.headers["reformkg-truncated"] == "false"
    # the same over POST, as a form and as a query body; the prefixes are predeclared
    no_prefixes = QIANHAI_CITYWIDE.split("SELECT", 1)[1]
    assert count(client.post("/sparql", data={"query": "SELECT" + no_prefixes})) == 37
    assert count(client.post("/sparql", content=QIANHAI_CITYWIDE.encode(),
                             headers={"content-type": "application/sparql-query"})) == 37


def test_select_rows_and_csv(client):
    query = """SELECT ?seq ?title WHERE {
      ?m rkg:pilotedIn ?z ; rkg:promotedTo ?s ; rkg:seq ?seq ; dcterms:title ?title .
      ?z skos:notation "qianhai-shekou" . ?s rkg:scopeType "citywide" .
    } ORDER BY xsd:integer(?seq)"""
    r = client.get("/sparql", params={"query": query})
    assert r.status_code == 200, r.text
    rows = r.json()["results"]["bindings"]
    assert len(rows) == 37
    titles = {row["title"]["value"] for row in rows}
    assert "电子营业执照“一照通”应用拓展" in titles
    assert rows[0]["title"]["xml:lang"] == "zh-Hans"
    r = client.get("/sparql", params={"query": query}, headers={"accept": "text/csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(r.text)))
    assert table[0] == ["seq", "title"] and len(table) == 38
    assert {row[1] for row in table[1:]} == titles


def test_ask(client):
    ask = 'ASK { ?z a rkg:PilotZone ; skos:notation "%s" }'
    r = client.get("/sparql", params={"query": ask % "qianhai-shekou"})
    assert r.status_code == 200 and r.json() == {"head": {}, "boolean": True}
    r = client.get("/sparql", params={"query": ask % "mars"})
    assert r.json()["boolean"] is False
    problem(client.get("/sparql", params={"query": ask % "nansha"}, headers={"accept": "text/csv"}),
            406, "not-acceptable")


def test_construct_and_describe(client):
    query = """CONSTRUCT { ?z skos:prefLabel ?name } WHERE { ?z a rkg:PilotZone ; skos:prefLabel ?name }"""
    r = client.get("/sparql", params={"query": query})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    zone = rdflib.URIRef(BASE + "zone/qianhai-shekou")
    assert (zone, SKOS.prefLabel, rdflib.Literal("深圳前海蛇口片区", lang="zh-Hans")) in g
    assert set(g.predicates()) == {SKOS.prefLabel}
    r = client.get("/sparql", params={"query": query}, headers={"accept": "application/n-triples"})
    assert len(rdflib.Graph().parse(data=r.text, format="nt")) == len(g)
    r = client.get("/sparql", params={"query": f"DESCRIBE <{zone}>"})
    assert r.status_code == 200, r.text
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    assert (zone, rdflib.RDF.type, RKG.PilotZone) in g
    problem(client.get("/sparql", params={"query": query}, headers={"accept": "text/csv"}), 406)


@pytest.mark.parametrize("query,reason", [
    ("INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }", "update"),
    ("DELETE WHERE { ?s ?p ?o }", "update"),
    ("LOAD <http://example.org/data.ttl>", "update"),
    ("CLEAR ALL", "update"),
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", "service"),
    ("SELECT * WHERE { ?m a rkg:Measure . OPTIONAL { SERVICE SILENT <http://example.org/sparql> { ?m ?p ?o } } }",
     "service"),
    ("ASK { FILTER EXISTS { SERVICE <http://example.org/sparql> { ?s ?p ?o } } }", "service"),
    ("SELECT * FROM <http://example.org/data.ttl> WHERE { ?s ?p ?o }", "dataset"),
])
def test_refusals(client, query, reason):
    for r in (client.get("/sparql", params={"query": query}),
              client.post("/sparql", content=query.encode(), headers={"content-type": "application/sparql-query"}),
              client.post("/sparql", data={"query": query})):
        body = problem(r, 403, "sparql-refused")
        assert body["reason"] == reason
    problem(client.post("/sparql", data={"update": query}), 403, "sparql-refused")
    r = client.get("/sparql", params={"query": "ASK { <http://example.org/a> ?p ?o }"})
    assert r.json()["boolean"] is False  # nothing was inserted


def test_keywords_inside_strings_are_not_refused(client):
    r = client.get("/sparql", params={"query": 'SELECT ?x WHERE { BIND("SERVICE LOAD INSERT DATA" AS ?x) }'})
    assert r.status_code == 200, r.text
    assert r.json()["results"]["bindings"][0]["x"]["value"] == "SERVICE LOAD INSERT DATA"


def test_result_cap(seed_graph):
    with TestClient(make_app(seed_graph, cypher_row_cap=5)) as c:
        r = c.get("/sparql", params={"query": "SELECT ?m WHERE { ?m a rkg:Measure }"})
        assert r.status_code == 200, r.text
        assert len(r.json()["results"]["bindings"]) == 5
        assert r.headers["reformkg-truncated"] == "true" and r.headers["reformkg-result-cap"] == "5"
        r = c.get("/sparql", params={"query": "SELECT ?m WHERE { ?m a rkg:Measure }"},
                  headers={"accept": "text/csv"})
        assert len(r.text.strip().splitlines()) == 6 and r.headers["reformkg-truncated"] == "true"
        r = c.get("/sparql", params={"query": "CONSTRUCT { ?m a rkg:Measure } WHERE { ?m a rkg:Measure }"})
        assert len(rdflib.Graph().parse(data=r.text, format="turtle")) == 5
        assert r.headers["reformkg-truncated"] == "true"
        r = c.get("/sparql", params={"query": QIANHAI_CITYWIDE})
        assert count(r) == 37 and r.headers["reformkg-truncated"] == "false"


def test_timeout(seed_graph):
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?o . ?b ?q ?c . ?d ?r ?e }"
    with TestClient(make_app(seed_graph, read_timeout_s=0.5)) as c:
        c.get("/sparql", params={"query": "ASK {}"})  # build the cached graph outside the timing
        started = time.monotonic()
        body = problem(c.get("/sparql", params={"query": heavy}), 504, "timeout")
        assert time.monotonic() - started < 5
        assert "0.5 s" in body["detail"]
        assert not any(t.name == "sparql-query" and t.is_alive() for t in threading.enumerate())
        # the endpoint still answers afterwards
        assert count(c.get("/sparql", params={"query": QIANHAI_CITYWIDE})) == 37


def test_syntax_and_request_errors(client):
    body = problem(client.get("/sparql", params={"query": "SELECT ?x WHERE {\n  ?x ?y }"}), 400, "sparql-syntax-error")
    assert body["line"] == 2 and body["column"] >= 1 and "line 2" in body["detail"]
    problem(client.get("/sparql", params={"query": "SELECT ?x WHERE { ?x nope:p ?y }"}), 400, "sparql-syntax-error")
    problem(client.get("/sparql"), 422, "invalid-request")
    problem(client.post("/sparql", data={"other": "x"}), 422, "invalid-request")
    problem(client.post("/sparql", data={"query": ["ASK {}", "ASK {}"]}), 422, "invalid-request")
    problem(client.post("/sparql", content=b"SELECT * {}", headers={"content-type": "text/plain"}), 415)
    problem(client.post("/sparql", content=b"\xff\xfe", headers={"content-type": "application/sparql-query"}), 422)
    problem(client.get("/sparql", params={"query": "ASK {}", "default-graph-uri": "http://example.org/g"}), 400)
    problem(client.get("/sparql", params={"query": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"}), 400, "sparql-error")


def test_graph_is_rebuilt_when_the_counts_change(falkor):
    place = BASE + "place/test-sparql"
    ask = {"query": f"ASK {{ <{place}> a rkg:Place }}"}
    with TestClient(make_app(falkor)) as c:
        assert c.get("/sparql", params=ask).json()["boolean"] is False
        falkor.run_write("CREATE (:Place {uri: $uri, name: '测试'})", {"uri": place})
        assert c.get("/sparql", params=ask).json()["boolean"] is True
