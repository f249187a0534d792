"""The derived lineage on the seed graph: successions, zone succession, links,
and the one-query replacement of all of it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from graph import cypher, lineage
from graph.linking import find_links, link_terms, seed_measure_texts
from graph.successions import AgencyRecord, agency_successions
from ontology.vocab import vocabulary
from queries import registry
from reformkg.load import Loader, bundled_corpus
from reformkg.settings import Settings

BASE = "https://w3id.org/reformkg/id/"


def agency(name: str) -> str:
    return f"{BASE}agency/{name}"


def successions(store) -> set[tuple[str, str, date, str]]:
    rows = registry.run(store, "agency-successions", {})
    return {(r["predecessor"], r["successor"], r["date"], r["reform"][:4]) for r in rows}


def test_the_2018_reform_successions_on_the_seeds(seed_graph) -> None:
    found = {(a, b) for a, b, _, _ in successions(seed_graph)}
    # 工商 + 食药监 -> 市场监管 (both ends printed in the 2018 opinions and the 2024 plan)
    assert ("广东省工商行政管理局", "广东省市场监督管理局") in found
    assert ("广东省食品药品监督管理局", "广东省市场监督管理局") in found
    # 工商 + 质监 in Zhuhai -> the Zhuhai market regulator, which no seed names: created
    assert ("珠海市工商行政管理局", "珠海市市场监督管理局") in found
    assert ("珠海市质量技术监督局", "珠海市市场监督管理局") in found
    # 国税 + 地税 -> 税务
    assert ("珠海市国家税务局", "珠海市税务局") in found and ("珠海市地方税务局", "珠海市税务局") in found
    # 检验检疫 -> 海关, named in the vocabulary
    assert ("珠海出入境检验检疫局", "拱北海关") in found and ("横琴出入境检验检疫局", "横琴海关") in found
    # district bodies are only linked when both ends are in the graph: no invented Hengqin tax bureau
    assert not any(a.startswith("珠海市横琴新区") and "税务局" in a for a, _ in found)
    dates = {b: d for _, b, d, _ in successions(seed_graph)}
    assert dates["珠海市税务局"] == date(2018, 6, 15) and dates["拱北海关"] == date(2018, 4, 20)


def test_agency_measures_follow_predecessors(seed_graph) -> None:
    # The Zhuhai bureaus support and guide Hengqin's tasks (市支持指导部门) in the 2017 table.
    rows = registry.run(seed_graph, "agency-measures", {"agency": "珠海市市场监管局", "role": "support"})
    assert rows and all(r["via_predecessor"] for r in rows)  # the Zhuhai regulator is only a successor
    assert {r["as_agency"] for r in rows} <= {"珠海市工商行政管理局", "珠海市质量技术监督局"}
    direct = seed_graph.run_read(
        "MATCH (m:Measure)-[:SUPPORTED_BY]->(a:Agency) WHERE a.name IN $names RETURN DISTINCT m.uri AS uri",
        {"names": ["珠海市工商行政管理局", "珠海市质量技术监督局"]})
    assert {r["uri"] for r in rows} == {r["uri"] for r in direct}
    alone = registry.run(seed_graph, "agency-measures",
                         {"agency": "珠海市市场监督管理局", "role": "any", "predecessors": "false"})
    assert alone == []
    province = registry.run(seed_graph, "agency-measures", {"agency": "广东省市场监督管理局"})
    assert {r["via_predecessor"] for r in province} == {True, False}


def test_agency_successions_of_one_agency_include_its_merger_partners(seed_graph) -> None:
    rows = registry.run(seed_graph, "agency-successions", {"agency": "珠海市工商行政管理局"})
    assert {(r["predecessor"], r["successor"]) for r in rows} == {
        ("珠海市工商行政管理局", "珠海市市场监督管理局"), ("珠海市质量技术监督局", "珠海市市场监督管理局")}


def test_hengqin_zone_succession_and_containment(seed_graph) -> None:
    rows = registry.run(seed_graph, "zone-context", {"zone": "横琴新区片区"})
    within = [(r["name"], r["depth"]) for r in rows if r["relation"] == "within"]
    assert sorted(within, key=lambda x: x[1]) == [("珠海市横琴新区", 1), ("珠海市", 2), ("广东省", 3), ("中华人民共和国", 4)]
    (nxt,) = [r for r in rows if r["relation"] == "succeeded by"]
    assert (nxt["name"], nxt["date"]) == ("横琴粤澳深度合作区", date(2021, 9, 17))
    back = registry.run(seed_graph, "zone-context", {"zone": "横琴粤澳深度合作区"})
    assert [r["name"] for r in back if r["relation"] == "succeeds"] == ["珠海横琴新区片区"]


def test_cross_document_links_in_the_graph_are_the_linkers(seed_graph) -> None:
    expected = {(link.older, link.newer, link.directed) for link in find_links(seed_measure_texts())}
    rows = registry.run(seed_graph, "cross-document-links", {})
    got = {(r["older_uri"], r["newer_uri"], r["link"] == "DERIVED_FROM") for r in rows}
    assert got == expected and got
    for r in rows:
        assert r["method"] and r["evidence"] and 0 < r["score"] <= 1
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True)


def test_measure_lineage_of_the_quality_traceability_system(seed_graph) -> None:
    rows = registry.run(seed_graph, "measure-lineage", {"measure": "全球质量溯源体系"})
    descendants = {r["title"] for r in rows if r["direction"] == "descendant"}
    assert "建立进出口商品溯源体系" in descendants  # Nansha 2018-07 -> the province 2018-08
    assert all(r["document_date"] and r["document_date"] > date(2018, 7, 2) for r in rows
               if r["direction"] == "descendant")
    back = registry.run(seed_graph, "measure-lineage", {"measure": "建立进出口商品溯源体系"})
    assert "全球质量溯源体系" in {r["title"] for r in back if r["direction"] == "ancestor"}


def test_refresh_is_idempotent_and_restores_links_after_a_reload(falkor) -> None:
    loader = Loader(falkor, Settings())
    report = loader.load(bundled_corpus())
    assert report.lineage and report.lineage.derived > 0 and report.lineage.successions > 0
    before = falkor.counts()
    again = lineage.refresh(falkor, BASE)
    assert falkor.counts() == before
    assert (again.derived, again.related, again.successions) == (
        report.lineage.derived, report.lineage.related, report.lineage.successions)
    # a changed document is rewritten: its measures (and their links) are replaced, then relinked
    falkor.run_write("MATCH (d:PolicyDocument) SET d.content_hash = 'stale'")
    loader.load(bundled_corpus())
    assert falkor.counts() == before


def test_derived_write_replaces_everything_in_one_query() -> None:
    from graph.payload import Node, Rel

    nodes = [Node("Agency", agency("甲"), {"name": "甲"})]
    rels = [Rel("SUCCEEDED_BY", agency("乙"), agency("甲"), {"date": date(2018, 4, 10), "reform": "r"}),
            Rel("DERIVED_FROM", "m2", "m1", {"method": "x", "score": 0.5, "evidence": ["a"]})]
    query, params = cypher.derived_write(nodes, rels)
    for rel_type in cypher.DERIVED_REL_TYPES:
        assert f"OPTIONAL MATCH ()-[r:{rel_type}]->()\nDELETE r" in query
    assert query.count(cypher.CHAIN) == len(cypher.DERIVED_REL_TYPES) + 2
    assert "乙" not in query and "0.5" not in query  # values are parameters
    assert params["rels_SUCCEEDED_BY"][0]["dates"] == {"date": "2018-04-10"}
    assert params["nodes_Agency"][0]["uri"] == agency("甲")


def test_successions_need_one_candidate_and_create_only_city_or_province_bodies() -> None:
    vocab = vocabulary()
    records = [
        AgencyRecord(agency("珠海市国家税务局"), "珠海市国家税务局", "state-tax", "city", "zhuhai"),
        AgencyRecord(agency("珠海市横琴新区地方税务局"), "珠海市横琴新区地方税务局", "local-tax", "district",
                     "hengqin-new-area"),
        AgencyRecord(agency("广东省工商行政管理局"), "广东省工商行政管理局", "industry-commerce", "province", "guangdong"),
        AgencyRecord(agency("广东省市场监督管理局甲"), "广东省市场监督管理局甲", "market-regulation", "province", "guangdong"),
        AgencyRecord(agency("广东省市场监督管理局乙"), "广东省市场监督管理局乙", "market-regulation", "province", "guangdong"),
    ]
    result = agency_successions(records, vocab, agency)
    assert [(s.before, s.after) for s in result.successions] == [(agency("珠海市国家税务局"), agency("珠海市税务局"))]
    assert [a.name for a in result.created] == ["珠海市税务局"]
    assert any("2 market-regulation agencies in guangdong" in w for w in result.warnings)


def test_loaded_measures_carry_the_words_the_linker_reads(seed_graph) -> None:
    """Every loaded measure stores its linker words (computed by the parse workers), and the lineage
    refresh reads them rather than tokenising: the links are those of the texts."""
    rows = seed_graph.run_read("MATCH (m:Measure) RETURN m.title AS title, m.body AS body, m.link_terms AS terms")
    assert rows and all(r["terms"] == link_terms(r["title"], r["body"]) for r in rows)
    read = lineage.read_measures(seed_graph)
    assert all(m.terms is not None for m in read)
    assert find_links(read) == find_links([replace(m, terms=None) for m in read])
