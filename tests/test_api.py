"""The graph API on the real embedded database with the bundled corpus (``seed_graph``).

Expected answers come from the graph through independent Cypher, from the
query registry, or from what the documents print; every error path checks
the RFC 9457 problem shape.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from urllib.parse import quote

import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.namespace import RDF

from api.app import create_app
from graph.falkor import FalkorBackend
from queries import registry

BASE = "https://w3id.org/reformkg/id/"
QIANHAI = BASE + "zone/qianhai-shekou"
NANSHA = BASE + "zone/nansha"
MEASURE = "粤府办-2018-34/9-3"
DATA = Path(__file__).parent / "data"
RKG = rdflib.Namespace("https://w3id.org/reformkg/ontology#")


@pytest.fixture(scope="module")
def client(seed_graph):
    with TestClient(create_app(store=seed_graph)) as c:
        yield c


def problem(r, status: int, param: str | None = None) -> dict:
    """Assert ``r`` is an RFC 9457 problem with ``status`` (and ``param``); its body."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == status
    assert isinstance(body["type"], str) and body["type"]
    assert isinstance(body["title"], str) and body["title"]
    assert body["instance"].startswith("/")
    assert "Traceback" not in r.text
    if param is not None:
        assert body["param"] == param, body
    return body


def rows(store, query: str, **params) -> list[dict]:
    return store.run_read(query, params)


def all_items(client, url: str) -> list[dict]:
    """Every item of a list, following ``next``."""
    items, seen_total = [], None
    while url:
        page = client.get(url).json()
        seen_total = page["total"] if seen_total is None else seen_total
        assert page["total"] == seen_total
        items += page["items"]
        url = page["next"]
    assert len(items) == seen_total
    return items


# ---------------------------------------------------------------- named queries


@pytest.mark.parametrize("zone", ["前海蛇口", QIANHAI, "前海"])
@pytest.mark.parametrize("scope", ["全市", "citywide"])
def test_pilots_promoted_same_as_registry(client, seed_graph, zone, scope) -> None:
    expected = [r["uri"] for r in registry.run(seed_graph, "pilots-promoted", {"zone": "前海蛇口", "scope": "全市"})]
    assert len(expected) == 37
    r = client.get("/queries/pilots-promoted", params={"zone": zone, "scope": scope})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["query"] == "pilots-promoted" and body["count"] == 37
    assert [row["uri"] for row in body["rows"]] == expected
    assert all(row["title"] for row in body["rows"])
    assert body["params"]["zone"] == [QIANHAI]
    posted = client.post("/queries/pilots-promoted", json={"zone": zone, "scope": scope})
    assert posted.status_code == 200 and posted.json()["rows"] == body["rows"]


def test_pilots_promoted_pages_in_document_order(client, seed_graph) -> None:
    """The API answers a page (100 rows unless ``limit`` says otherwise); the pages, in order, are
    every row the registry (the CLI's path) returns."""
    everything = registry.run(seed_graph, "pilots-promoted", {"zone": "南沙", "scope": "市有关行政区"})
    assert len(everything) > 10
    keys = [(r["document_uri"], r["uri"]) for r in everything]
    assert keys == sorted(keys, key=lambda k: k[0])  # document order
    paged, offset = [], 0
    while True:
        body = client.get("/queries/pilots-promoted", params={"zone": "南沙", "scope": "市有关行政区",
                                                              "offset": offset, "limit": 4}).json()
        assert body["params"]["offset"] == offset and body["params"]["limit"] == 4
        paged += body["rows"]
        if body["count"] < 4:
            break
        offset += 4
    assert paged == json.loads(json.dumps(everything, default=str))
    default = client.get("/queries/pilots-promoted", params={"zone": "南沙", "scope": "市有关行政区"}).json()
    assert default["params"]["limit"] == 100 and default["rows"] == paged[:100]


def test_literal_done_when_url(client) -> None:
    r = client.get("/queries/pilots-promoted?zone=前海蛇口&scope=全市")
    assert r.status_code == 200 and r.json()["count"] == 37


@pytest.mark.parametrize(("url", "param"), [
    ("/queries/pilots-promoted?zone=前海蛇口", "scope"),
    ("/queries/pilots-promoted?scope=全市", "zone"),
    ("/queries/pilots-promoted?zone=火星&scope=全市", "zone"),
    ("/queries/pilots-promoted?zone=前海&scope=全市&colour=red", "colour"),
    ("/queries/pilots-promoted?zone=前海&zone=南沙&scope=全市", "zone"),
    ("/queries/lead-agency-ranking?limit=many", "limit"),
    ("/queries/agency-measures?agency=深圳市市场监督管理局&role=boss", "role"),
    ("/queries/deadlines-by-month?from=2017-13-45", "from"),
])
def test_bad_query_parameters_are_422_naming_the_parameter(client, url, param) -> None:
    body = problem(client.get(url), 422, param)
    assert body["type"].endswith("/invalid-parameter")


def test_bad_posted_parameters(client) -> None:
    problem(client.post("/queries/pilots-promoted", json={"zone": ["前海"], "scope": "全市"}), 422, "zone")
    problem(client.post("/queries/pilots-promoted", json={"scope": "全市"}), 422, "zone")
    problem(client.post("/queries/pilots-promoted", json=[1, 2]), 422)


def test_unknown_query_is_404(client) -> None:
    for r in (client.get("/queries/no-such-query"), client.post("/queries/no-such-query", json={}),
              client.get("/queries/no-such-query/describe")):
        assert problem(r, 404)["type"].endswith("/unknown-query")


def test_catalogue_lists_every_query_with_typed_parameters(client) -> None:
    body = client.get("/queries").json()
    assert [q["name"] for q in body] == list(registry.catalogue())
    by_name = {q["name"]: q for q in body}
    role = next(p for p in by_name["agency-measures"]["params"] if p["name"] == "role")
    assert role["type"] == "enum" and role["choices"] == ["lead", "participant", "support", "any"]
    assert role["default"] == "lead" and not role["required"]
    zone = next(p for p in by_name["pilots-promoted"]["params"] if p["name"] == "zone")
    assert zone["type"] == "zone" and zone["required"] and zone["description"]
    assert by_name["pilots-promoted"]["example"] == {"zone": "前海蛇口", "scope": "全市"}
    assert client.get("/queries/pilots-promoted/describe").json() == by_name["pilots-promoted"]
    example = client.get(by_name["pilots-promoted"]["example_url"])
    assert example.status_code == 200 and example.json()["count"] == 37


def test_every_catalogue_example_runs(client) -> None:
    for q in registry.catalogue().values():
        r = client.get(f"/queries/{q.name}", params=q.example)
        assert r.status_code == 200, (q.name, r.text)


# ---------------------------------------------------------------- lists, filters, pagination


def test_measures_by_zone_count_from_the_graph(client, seed_graph) -> None:
    expected = {r["uri"] for r in rows(seed_graph, "MATCH (m:Measure)-[:PILOTED_IN]->(z:PilotZone) "
                                       "WHERE z.zone_id = $z RETURN DISTINCT m.uri AS uri", z="nansha")}
    by_doc = rows(seed_graph, "MATCH (m:Measure)-[:PART_OF]->(d:PolicyDocument {doc_number: $n}) "
                  "RETURN count(m) AS n", n="穗府函〔2018〕161号")[0]["n"]
    assert by_doc == 31 and len(expected) > 31  # the replication list, plus measures naming Nansha
    for zone in ("南沙", NANSHA, "nansha", "广州南沙"):
        items = all_items(client, f"/measures?zone={quote(zone)}&limit=20")
        assert {i["uri"] for i in items} == expected


def test_measures_filters_combine(client, seed_graph) -> None:
    promoted = {r["uri"] for r in registry.run(seed_graph, "pilots-promoted", {"zone": "前海蛇口", "scope": "全市"})}
    assert {i["uri"] for i in all_items(client, "/measures?zone=前海蛇口&scope=全市")} == promoted
    doc = all_items(client, "/measures?document=" + quote("粤府办〔2018〕34号") + "&limit=500")
    assert len(doc) == 61 and all(i["document"]["id"] == "粤府办-2018-34" for i in doc)
    # year of the document, counted here from the documents' own properties
    docs = rows(seed_graph, "MATCH (d:PolicyDocument) OPTIONAL MATCH (d)<-[:PART_OF]-(m:Measure) "
                "RETURN d.year AS year, d.issued AS issued, count(m) AS n")
    in_2018 = sum(d["n"] for d in docs if (d["year"] or (d["issued"] and d["issued"].year)) == 2018)
    assert client.get("/measures?year=2018").json()["total"] == in_2018 > 0
    lead = rows(seed_graph, "MATCH (m:Measure)-[:LED_BY]->(a:Agency {name: $a}) RETURN count(DISTINCT m) AS n",
                a="深圳市市场监督管理局")[0]["n"]
    assert client.get("/measures", params={"agency": "深圳市市场监管局", "role": "lead"}).json()["total"] == lead > 0
    category = rows(seed_graph, "MATCH (m:Measure)-[:IN_CATEGORY]->(c:Category {name: $c}) RETURN count(m) AS n",
                    c="推进金融创新发展与对外开放")[0]["n"]
    assert client.get("/measures", params={"category": "推进金融创新发展与对外开放"}).json()["total"] == category > 0


def test_measures_text_filter_reads_traditional(client) -> None:
    simplified = all_items(client, "/measures?text=" + quote("电子营业执照"))
    traditional = all_items(client, "/measures?text=" + quote("電子營業執照"))
    assert simplified == traditional and len(simplified) >= 3


@pytest.mark.parametrize(("url", "param"), [
    ("/measures?zone=火星", "zone"), ("/measures?scope=月球", "scope"),
    ("/measures?document=不存在的文件号", "document"),
    ("/agencies?zone=火星", "zone"), ("/documents?issuer=不存在的机关", "issuer"), ("/scopes?place=火星", "place"),
    ("/categories?zone=火星", "zone"), ("/zones?place=火星", "place"),
])
def test_filter_matching_nothing_is_422(client, url, param) -> None:
    problem(client.get(url), 422, param)


@pytest.mark.parametrize(("url", "param"), [
    ("/measures?limit=501", "limit"), ("/measures?limit=0", "limit"), ("/measures?offset=-1", "offset"),
    ("/measures?year=soon", "year"), ("/measures?colour=red", "colour"), ("/agencies?level=galactic", "level"),
    ("/measures?role=boss", "role"), ("/search", "q"),
])
def test_invalid_list_parameters_are_422(client, url, param) -> None:
    problem(client.get(url), 422, param)


def test_pagination_covers_every_measure_once(client, seed_graph) -> None:
    every = {r["uri"] for r in rows(seed_graph, "MATCH (m:Measure) RETURN m.uri AS uri")}
    pages, url = [], "/measures?limit=37"
    while url:
        body = client.get(url).json()
        assert body["total"] == len(every) and body["limit"] == 37
        pages.append([i["uri"] for i in body["items"]])
        url = body["next"]
    assert all(len(p) == 37 for p in pages[:-1]) and 0 < len(pages[-1]) <= 37
    flat = [u for p in pages for u in p]
    assert len(flat) == len(set(flat)) == len(every) and set(flat) == every
    past = client.get(f"/measures?offset={len(every)}").json()
    assert past["items"] == [] and past["next"] is None and past["total"] == len(every)


@pytest.mark.parametrize("resource", ["documents", "zones", "agencies", "scopes", "categories"])
def test_other_lists_page_and_link_to_details(client, seed_graph, resource) -> None:
    label = {"documents": "PolicyDocument", "zones": "PilotZone", "agencies": "Agency",
             "scopes": "ReplicationScope", "categories": "Category"}[resource]
    expected = {r["uri"] for r in rows(seed_graph, f"MATCH (n:{label}) RETURN n.uri AS uri")}
    items = all_items(client, f"/{resource}?limit=3" if len(expected) < 20 else f"/{resource}?limit=40")
    assert {i["uri"] for i in items} == expected
    first = items[0]
    detail = client.get(f"/{resource}/{quote(first['id'])}")
    assert detail.status_code == 200 and detail.json()["uri"] == first["uri"]


def test_list_filters_of_other_resources(client, seed_graph) -> None:
    assert [d["id"] for d in client.get("/documents?genre=replication_table").json()["items"]] == [
        d["id"] for d in client.get("/documents").json()["items"] if d["genre"] == "replication_table"]
    city = rows(seed_graph, "MATCH (a:Agency {level: 'city'}) RETURN count(a) AS n")[0]["n"]
    assert client.get("/agencies?level=city").json()["total"] == city
    hengqin = rows(seed_graph, "MATCH (a:Agency)<-[:LED_BY|PARTICIPANT|SUPPORTED_BY]-(:Measure)-[:PILOTED_IN]->"
                   "(z:PilotZone) WHERE z.zone_id IN ['hengqin', 'hengqin-cooperation-zone'] "
                   "RETURN count(DISTINCT a) AS n")[0]["n"]
    assert client.get("/agencies?zone=横琴").json()["total"] == hengqin
    assert {s["id"] for s in client.get("/scopes?type=全市").json()["items"]} == {"shenzhen/citywide"}
    assert {z["id"] for z in client.get("/zones?place=深圳市").json()["items"]} == {"qianhai-shekou"}
    top = client.get("/categories?top=true&limit=500").json()["items"]
    assert top and all(c["broader"] is None for c in top)
    sub = client.get("/categories?top=false&limit=500").json()["items"]
    assert len(sub) == rows(seed_graph, "MATCH (c:Category)-[:BROADER]->() RETURN count(c) AS n")[0]["n"]


# ---------------------------------------------------------------- search


def test_search_finds_any_substring_of_a_title(client, seed_graph) -> None:
    titles = sorted(rows(seed_graph, "MATCH (m:Measure) RETURN m.uri AS uri, m.title AS title"),
                    key=lambda r: r["uri"])
    rng = random.Random(20240611)
    for r in rng.sample(titles, 10):
        title = r["title"]
        for _ in range(3):
            start = rng.randrange(len(title))
            end = rng.randrange(start + 1, len(title) + 1)
            part = title[start:end]
            if not part.strip():
                continue
            body = client.get("/search", params={"q": part, "kind": "measure", "limit": 500}).json()
            found = {h["uri"]: h for h in body["items"]}
            assert r["uri"] in found, (part, title)
            assert found[r["uri"]]["match"] == "title"
            ranks = [h["match"] == "title" for h in body["items"]]
            assert ranks == sorted(ranks, reverse=True)  # title hits first


def test_search_reads_traditional_and_pages(client) -> None:
    simplified = all_items(client, "/search?q=" + quote("电子营业执照") + "&limit=2")
    traditional = all_items(client, "/search?q=" + quote("電子營業執照") + "&limit=2")
    assert simplified == traditional
    titles = [h["title"] for h in traditional if h["match"] == "title"]
    assert "开展电子营业执照应用" in titles
    body_hits = [h for h in traditional if h["match"] == "body"]
    assert all("电子营业执照" in h["snippet"] for h in body_hits)


def test_search_covers_documents_and_agencies(client) -> None:
    kinds = {h["kind"] for h in all_items(client, "/search?q=" + quote("人民政府") + "&limit=100")}
    assert {"document", "agency"} <= kinds
    agencies = client.get("/search", params={"q": "市市场监管局", "kind": "agency"}).json()["items"]
    assert any(h["title"] == "深圳市市场监督管理局" and h["match"] == "alias" for h in agencies)


# ---------------------------------------------------------------- details


def test_measure_detail(client) -> None:
    body = client.get(f"/measures/{MEASURE}").json()
    assert body["uri"] == BASE + "measure/" + MEASURE and body["title"] == "创新国际货物转运监管模式"
    assert body["document"]["doc_number"] == "粤府办〔2018〕34号"
    lead = body["agencies"]["lead"]
    assert [a["rank"] for a in lead] == list(range(len(lead))) and lead[0]["name"] == "广东省交通运输厅"
    assert body["category_path"][0]["name"] == "建设粤港澳“自贸通”"
    assert client.get("/measures/" + quote(MEASURE)).json() == body  # percent-encoded
    assert client.get("/measures/" + quote(body["uri"], safe="")).json() == body  # the full IRI
    assert client.get("/measures/" + body["uri"]).json() == body


def test_measure_detail_with_promotion_zone_and_category_path(client, seed_graph) -> None:
    body = client.get("/measures/穗府函-2018-161/1").json()
    assert body["title_orig"] != body["title"]  # printed in Traditional
    assert [z["id"] for z in body["pilot_zones"]] == ["nansha"]
    [promotion] = [p for p in body["promotions"] if p["scope"]["id"] == "guangzhou/relevant-districts"]
    assert promotion["date"] == "2018-07-02" and promotion["batch_number"] == 3
    assert promotion["batch"]["id"] == "nansha/3"
    task = rows(seed_graph, "MATCH (m:Measure)-[:IN_CATEGORY]->(c:Category)-[:BROADER]->(b:Category) "
                "RETURN m.uri AS uri, c.name AS sub, b.name AS main ORDER BY uri LIMIT 1")[0]
    path = client.get("/measures/" + quote(task["uri"].split("/measure/", 1)[1])).json()["category_path"]
    assert [c["name"] for c in path] == [task["main"], task["sub"]]


def test_zone_document_agency_scope_category_details(client, seed_graph) -> None:
    zone = client.get("/zones/qianhai-shekou").json()
    assert [p["name"] for p in zone["places"]] == ["深圳市南山区", "深圳市", "广东省", "中华人民共和国"]
    piloted = rows(seed_graph, "MATCH (m:Measure)-[:PILOTED_IN]->(:PilotZone {zone_id: 'qianhai-shekou'}) "
                   "RETURN count(DISTINCT m) AS n")[0]["n"]
    assert zone["counts"]["measures"] == zone["measures"] == piloted
    assert zone["counts"]["piloted_by_document"] == 38

    doc = client.get("/documents/穗府函-2018-161").json()
    assert doc["measures"] == 31 and doc["issuer"]["name"] == "广州市人民政府" and doc["year"] == 2018
    assert [b["id"] for b in doc["batches"]] == ["nansha/3"] and doc["zones"][0]["about"] is True

    agency = client.get("/agencies/深圳市市场监督管理局").json()
    assert agency["parent"]["name"] == "深圳市人民政府" and agency["place"]["id"] == "shenzhen"
    assert agency["measures_by_role"]["lead"] == agency["measures"] > 0
    assert "市市场监管局" in agency["aliases"]

    scope = client.get("/scopes/shenzhen/citywide").json()
    assert scope["promoted"] == 37 and scope["jurisdiction"]["name"] == "深圳市"
    assert scope["zones"] == [{"uri": QIANHAI, "id": "qianhai-shekou", "name": "深圳前海蛇口片区", "measures": 37}]

    # an IRI holding a percent-encoded comma, asked for with the comma or the escape
    category = "聚焦制造业当家%2C提升产业链现代化水平"
    for path in (category, category.replace("%2C", ","), quote(category)):
        body = client.get(f"/categories/{path}").json()
        assert body["uri"] == BASE + "category/" + category and body["measures"] == len(body["measure_list"]) > 0


@pytest.mark.parametrize("url", ["/measures/粤府办-2018-34/99-99", "/documents/无此文件", "/zones/mars",
                                 "/agencies/火星局", "/scopes/shenzhen/nowhere", "/categories/没有这个",
                                 "/measures/粤府办-2018-34/99-99/lineage", "/zones/mars/lineage",
                                 "/agencies/火星局/lineage", "/id/measure/none", "/id/planet/mars", "/id/zone"])
def test_unknown_ids_are_404(client, url) -> None:
    problem(client.get(url), 404)


# ---------------------------------------------------------------- lineage


def test_measure_lineage(client, seed_graph) -> None:
    body = client.get("/measures/穗府函-2018-161/1/lineage").json()
    assert set(body) == {"measure", "ancestors", "descendants", "related", "promotions"}
    assert body["promotions"][0]["issuer"]["name"] == "广州市人民政府"
    assert body["promotions"][0]["document"]["id"] == "穗府函-2018-161"
    links = rows(seed_graph, "MATCH (n:Measure)-[:DERIVED_FROM]->(o:Measure) RETURN n.uri AS n, o.uri AS o LIMIT 1")
    if links:  # lineage links are derived by graph/lineage.py; check one both ways when present
        newer, older = (links[0][k].split("/measure/", 1)[1] for k in ("n", "o"))
        ancestors = client.get(f"/measures/{quote(newer)}/lineage").json()["ancestors"]
        assert any(a["id"] == older and a["depth"] == 1 for a in ancestors)
        descendants = client.get(f"/measures/{quote(older)}/lineage").json()["descendants"]
        assert any(d["id"] == newer for d in descendants)
    for key in ("ancestors", "descendants", "related"):
        for link in body[key]:
            assert {"uri", "id", "depth", "method", "score", "evidence"} <= set(link)


def test_measure_lineage_agrees_with_the_catalogue_query(client, seed_graph) -> None:
    """The endpoint answers from one query of its own; its links are those of the catalogue's
    ``measure-lineage`` (each linked measure once, at its nearest depth, nearest first)."""
    measures = [r["uri"] for r in rows(seed_graph, "MATCH (m:Measure)-[:DERIVED_FROM|RELATED_TO]-(:Measure) "
                                                   "RETURN DISTINCT m.uri AS uri ORDER BY uri")]
    assert len(measures) > 10
    keys = {"ancestor": "ancestors", "descendant": "descendants", "related": "related"}
    for uri in measures:
        expected: dict[str, dict[str, int]] = {key: {} for key in keys.values()}
        for r in registry.run(seed_graph, "measure-lineage", {"measure": uri}):
            nearest = expected[keys[r["direction"]]]
            nearest[r["uri"]] = min(r["depth"], nearest.get(r["uri"], r["depth"]))
        body = client.get("/measures/" + quote(uri.split("/measure/", 1)[1]) + "/lineage").json()
        for key, nearest in expected.items():
            assert {link["uri"]: link["depth"] for link in body[key]} == nearest, (uri, key)
            assert [link["depth"] for link in body[key]] == sorted(link["depth"] for link in body[key])


def test_zone_lineage(client, seed_graph) -> None:
    body = client.get("/zones/nansha/lineage").json()
    assert [p["name"] for p in body["places"]] == ["广州市南沙区", "广州市", "广东省", "中华人民共和国"]
    assert all(p["uri"] for p in body["places"])
    timeline = registry.run(seed_graph, "zone-promotion-timeline", {"zone": NANSHA})
    assert [(t["scope"], t["measures"]) for t in body["timeline"]] == [(t["scope"], t["measures"]) for t in timeline]
    assert sum(t["measures"] for t in body["timeline"]) == 31
    hengqin = client.get("/zones/hengqin/lineage").json()
    assert isinstance(hengqin["successors"], list) and isinstance(hengqin["predecessors"], list)
    for step in hengqin["successors"]:
        assert step["name"] and step["depth"] >= 1


def test_agency_lineage(client, seed_graph) -> None:
    name = "珠海市地方税务局"
    body = client.get(f"/agencies/{name}/lineage?role=any").json()
    assert body["agency"]["name"] == name
    expected = registry.run(seed_graph, "agency-measures", {"agency": name, "role": "any", "predecessors": "true"})
    assert [m["uri"] for m in body["measures"]] == [m["uri"] for m in expected] and expected
    succeeded = rows(seed_graph, "MATCH (a:Agency {name: $a})-[:SUCCEEDED_BY]->(b:Agency) RETURN b.name AS b", a=name)
    assert {s["name"] for s in body["successors"] if s["depth"] == 1} == {r["b"] for r in succeeded}
    problem(client.get(f"/agencies/{name}/lineage?role=boss"), 422, "role")


# ---------------------------------------------------------------- linked data


def test_linked_data_json_is_the_default(client) -> None:
    r = client.get("/id/zone/qianhai-shekou")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert "Accept" in r.headers["vary"]
    body = r.json()
    assert body["uri"] == QIANHAI and body["labels"] == ["PilotZone"]
    assert body["properties"]["name"] == "深圳前海蛇口片区"
    assert {"type": "ZONE_WITHIN", "label": "Place", "name": "深圳市南山区"}.items() <= body["outgoing"][0].items()
    piloted = [e for e in body["incoming"] if e["type"] == "PILOTED_IN"]
    assert len(piloted) == client.get("/zones/qianhai-shekou").json()["measures"]


def test_linked_data_turtle_and_jsonld(client) -> None:
    uri = rdflib.URIRef(BASE + "measure/" + MEASURE)
    r = client.get("/id/measure/" + quote(MEASURE), headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"] == "text/turtle; charset=utf-8"
    g = rdflib.Graph().parse(data=r.text, format="turtle")
    assert (uri, RDF.type, RKG.Measure) in g
    assert (uri, rdflib.DCTERMS.title, rdflib.Literal("创新国际货物转运监管模式", lang="zh-Hans")) in g
    assert (uri, RKG.partOfDocument, rdflib.URIRef(BASE + "document/粤府办-2018-34")) in g
    assert len(set(g.objects(uri, RKG.ledBy))) == 4
    r = client.get("/id/measure/" + MEASURE, headers={"Accept": "application/ld+json"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
    g2 = rdflib.Graph().parse(data=r.text, format="json-ld")
    assert (uri, RDF.type, RKG.Measure) in g2 and len(g2) == len(g)
    preferred = client.get("/id/measure/" + MEASURE,
                           headers={"Accept": "text/html;q=0.9, text/turtle;q=0.5, application/json;q=0.1"})
    assert preferred.headers["content-type"].startswith("text/turtle")
    assert client.get("/id/measure/" + MEASURE + "?format=nt").headers["content-type"].startswith(
        "application/n-triples")


def test_linked_data_not_acceptable(client) -> None:
    for accept in ("text/html", "application/xml", "application/json;q=0"):
        r = client.get("/id/zone/nansha", headers={"Accept": accept})
        problem(r, 406)
        assert "Accept" in r.headers["vary"]
    assert client.get("/id/zone/nansha", headers={"Accept": "text/html, */*;q=0.1"}).status_code == 200


# ---------------------------------------------------------------- ad-hoc Cypher


def corpus(name: str) -> list[tuple[dict[str, str], str]]:
    """(tags, query) of each entry of a tests/data corpus (entries between ---- lines)."""
    entries, block = [], None
    for line in (DATA / name).read_text(encoding="utf-8").split("\n") + ["----"]:
        if line != "----":
            if block is not None:
                block.append(line)
            continue
        if block:
            k = 0
            while k < len(block) and (block[k].startswith("# ") or block[k] == "#"):
                k += 1
            tags = dict(c[2:].split(":", 1) for c in block[:k] if ":" in c)
            entries.append(({t.strip(): v.strip() for t, v in tags.items()}, "\n".join(block[k:]).strip("\n")))
        block = []
    return entries


REFUSED = corpus("cypher_refused.txt")
ALLOWED = corpus("cypher_allowed.txt")


def test_cypher_refuses_the_committed_corpus(client, seed_graph) -> None:
    assert len(REFUSED) >= 50
    before = seed_graph.counts()
    for tags, query in REFUSED:
        if int(tags.get("max_length", 20_000)) < 20_000:
            query = query + " " * (20_001 - len(query))  # too long for the endpoint's limit too
        r = client.post("/cypher", json={"query": query})
        body = problem(r, 403)
        assert body["type"].endswith("/cypher-refused")
        assert body["reason"] == tags["reason"].split()[0], (query, body)
    assert seed_graph.counts() == before


def test_cypher_runs_the_allowed_corpus(client) -> None:
    for tags, query in ALLOWED:
        params = json.loads(tags["params"]) if "params" in tags else {}
        r = client.post("/cypher", json={"query": query, "params": params})
        assert r.status_code == 200, (query, r.text)


def test_cypher_read_query_rows_and_cap(client, seed_graph) -> None:
    r = client.post("/cypher", json={
        "query": "MATCH (m:Measure)-[:PILOTED_IN]->(z:PilotZone) WHERE z.uri = $zone "
                 "RETURN m.uri AS uri, m.title AS title ORDER BY uri", "params": {"zone": QIANHAI}})
    body = r.json()
    expected = rows(seed_graph, "MATCH (m:Measure)-[:PILOTED_IN]->(z:PilotZone {uri: $z}) RETURN m.uri AS uri "
                    "ORDER BY uri", z=QIANHAI)
    assert body["columns"] == ["uri", "title"] and [x["uri"] for x in body["rows"]] == [e["uri"] for e in expected]
    assert body["truncated"] is False and body["count"] == len(expected)
    capped = client.post("/cypher", json={"query": "UNWIND range(1, 1500) AS x RETURN x"}).json()
    assert capped["count"] == 1000 and capped["truncated"] is True and capped["rows"][-1] == {"x": 1000}
    small = client.post("/cypher", json={"query": "MATCH (m:Measure) RETURN m.uri AS uri", "limit": 5}).json()
    assert small["count"] == 5 and small["truncated"] is True
    dated = client.post("/cypher", json={
        "query": "MATCH (d:PolicyDocument {doc_number: $n}) RETURN d.issued AS issued, d",
        "params": {"n": "穗府函〔2018〕161号"}}).json()
    assert dated["rows"][0]["issued"] == "2018-07-02" and dated["rows"][0]["d"]["issued"] == "2018-07-02"


@pytest.mark.parametrize("query", ["MATCH (n) WHERE RETURN n", "RETURN 1 +", "MATCH (n) RETURN undefined_var",
                                   "RETURN 1/0 AS x"])
def test_cypher_database_errors_are_400(client, query) -> None:
    body = problem(client.post("/cypher", json={"query": query}), 400)
    assert body["type"].endswith("/cypher-error") and body["detail"]


def test_cypher_limit_above_the_setting_is_capped(client) -> None:
    body = client.post("/cypher", json={"query": "UNWIND range(1, 1500) AS i RETURN i", "limit": 5000}).json()
    assert (body["limit"], body["count"], body["truncated"]) == (1000, 1000, True)


@pytest.mark.parametrize("payload", [
    {"query": "RETURN $x", "params": {"not a name": 1}},
    {"query": "RETURN $x", "params": {"x": [[[[[[1]]]]]]}},
    {"query": "RETURN $x", "params": {"x": {"`": 1}}},
    {"query": "RETURN 1", "limit": 1_000_000},
    {"query": "RETURN 1", "limit": 0},
    {"query": "RETURN 1", "colour": "red"},
    {"params": {}},
    {"query": 42},
])
def test_cypher_bad_requests_are_422(client, payload) -> None:
    problem(client.post("/cypher", json=payload), 422)


def test_cypher_timeout_is_504(seed_graph, falkor_server) -> None:
    impatient = FalkorBackend(falkor_server.socket_path, "seed", read_timeout_ms=20)
    try:
        with TestClient(create_app(store=impatient)) as c:
            r = c.post("/cypher", json={"query": "MATCH (a), (b), (c) RETURN count(*) AS n"})
            assert problem(r, 504)["type"].endswith("/timeout")
    finally:
        impatient.close()


# ---------------------------------------------------------------- health, errors, OpenAPI


def test_health(client, seed_graph) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["backend"] == "falkordb"
    assert body["nodes"] == seed_graph.counts()["nodes"] and body["nodes"]["Measure"] == 234


def test_plain_http_errors_are_problems(client) -> None:
    problem(client.get("/no/such/path"), 404)
    r = client.post("/measures")
    problem(r, 405)
    assert "GET" in r.headers["allow"]
    problem(client.post("/cypher", content=b"{not json", headers={"content-type": "application/json"}), 422, "body")


@pytest.mark.parametrize(("url", "param"), [
    ("/measures?zone=%E5%8D%97%00", "zone"), ("/search?q=a%00b", "q"), ("/measures/x%00y", "path"),
    ("/queries/pilots-promoted?zone=%00&scope=%E5%85%A8%E5%B8%82", "zone"), ("/id/zone/%00", "path"),
])
def test_nul_characters_are_422_not_database_errors(client, url, param) -> None:
    problem(client.get(url), 422, param)


def test_unsendable_json_values_are_422(client) -> None:
    problem(client.post("/queries/pilots-promoted", json={"zone": "前海\x00", "scope": "全市"}), 422, "zone")
    surrogate = b'{"query": "RETURN $x AS x", "params": {"x": "\\ud800"}}'
    problem(client.post("/cypher", content=surrogate, headers={"content-type": "application/json"}), 422, "params")
    problem(client.post("/cypher", json={"query": "RETURN 1 AS x\x00"}), 422, "query")


def test_named_query_out_of_range_and_undecodable_bodies(client) -> None:
    body = problem(client.get("/queries/lead-agency-ranking?limit=-1"), 422)
    assert body["param"] == "limit"
    problem(client.post("/queries/pilots-promoted", content=b"\xff\xfe{", headers={"content-type": "application/json"}),
            400)


class _Broken:
    """A store whose every read fails the way it is told to."""

    dialect = "falkordb"

    def __init__(self, exc: Exception) -> None:
        self.exc = exc

    def run_read(self, query, params=None):
        raise self.exc

    def counts(self):
        raise self.exc


def test_unexpected_errors_are_500_without_details() -> None:
    app = create_app(store=_Broken(RuntimeError("secret internals at /srv/app.py line 3")))
    with TestClient(app, raise_server_exceptions=False) as c:
        for url in ("/measures", "/health", f"/measures/{MEASURE}"):
            r = c.get(url)
            body = problem(r, 500)
            assert "secret" not in r.text and body["type"].endswith("/internal-error")


def test_database_unavailable_is_503() -> None:
    import redis.exceptions

    with TestClient(create_app(store=_Broken(redis.exceptions.ConnectionError("socket gone")))) as c:
        problem(c.get("/health"), 503)
        problem(c.post("/cypher", json={"query": "RETURN 1"}), 503)


def test_openapi_documents_every_operation(client) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["info"]["title"] and spec["info"]["version"] and spec["info"]["description"]
    operations = [(path, method, op) for path, ops in spec["paths"].items() for method, op in ops.items()]
    assert len(operations) >= 30
    for path, method, op in operations:
        assert op.get("summary"), (path, method)
        ok = op["responses"]["200"]["content"]
        media = "application/sparql-results+json" if path == "/sparql" else "application/json"
        assert "schema" in ok.get(media, {}), (path, method)
        assert any("application/problem+json" in r.get("content", {}) for code, r in op["responses"].items()
                   if code.startswith(("4", "5"))), (path, method)
    pilots = spec["paths"]["/queries/pilots-promoted"]["get"]["parameters"]
    assert {p["name"]: p.get("example") for p in pilots} == {"zone": "前海蛇口", "scope": "全市", "offset": None,
                                                             "limit": None}
    assert {p["name"]: p["schema"].get("default") for p in pilots}["limit"] == 100  # the API's page
    measures = {p["name"]: p for p in spec["paths"]["/measures"]["get"]["parameters"]}
    assert "前海蛇口" in json.dumps(measures["zone"], ensure_ascii=False)
    assert measures["limit"]["schema"]["maximum"] == 500


def test_the_cypher_endpoint_can_be_switched_off(seed_graph) -> None:
    from reformkg.settings import Settings

    app = create_app(settings=Settings(cypher_endpoint=False), store=seed_graph)
    with TestClient(app) as off:
        assert off.post("/cypher", json={"query": "RETURN 1"}).status_code == 404
        assert "/cypher" not in off.get("/openapi.json").json()["paths"]
        assert off.get("/queries/pilots-promoted?zone=前海&scope=全市").json()["count"] == 37


def test_neo4j_password_is_never_printed() -> None:
    from reformkg.settings import Settings

    s = Settings(neo4j_password="s3cret-pw")
    assert "s3cret-pw" not in repr(s) and "s3cret-pw" not in str(s.model_dump())
    assert s.neo4j_password.get_secret_value() == "s3cret-pw"
