"""The bundled corpus through the loader into the real embedded database."""

from __future__ import annotations


import pytest

from reformkg import exports
from reformkg.exports import MEASURE_KEYS, measure_records
from reformkg.load import Loader, bundled_corpus
from reformkg.settings import Settings

QIANHAI = "qianhai-shekou-batch-6-replication-table.txt"


def per_document(store) -> dict[str, int]:
    rows = store.run_read("MATCH (m:Measure)-[:PART_OF]->(d:PolicyDocument) "
                          "RETURN d.source_file AS f, count(m) AS n")
    return {r["f"]: r["n"] for r in rows}


def uris(store) -> set[str]:
    return {r["u"] for r in store.run_read("MATCH (n) RETURN n.uri AS u")}


@pytest.fixture
def loader(falkor, tmp_path):
    return Loader(falkor, Settings(home=tmp_path))


def test_bundled_corpus_loads_with_exact_counts_and_reloads_unchanged(falkor, loader):
    report = loader.load(bundled_corpus())
    assert not report.errors and len(report.written) == 5
    assert per_document(falkor) == {
        "guangdong-2018-ftz-institutional-innovation-opinions.txt": 61,
        "guangdong-2024-ftz-upgrade-action-plan.txt": 20,
        QIANHAI: 38,
        "nansha-batch-3-replication-list-traditional.txt": 31,
        "hengqin-2017-task-division-table.txt": 84,
    }
    counts, iris = falkor.counts(), uris(falkor)
    again = loader.load(bundled_corpus())
    assert again.written == [] and len(again.unchanged) == 5
    assert falkor.counts() == counts and uris(falkor) == iris


def test_agencies_are_one_node_per_real_body(falkor, loader):
    loader.load(bundled_corpus())
    rows = falkor.run_read(
        "MATCH (m:Measure)-[:LED_BY|PARTICIPANT]->(a:Agency {name: $name})-[:AGENCY_JURISDICTION]->(p:Place) "
        "MATCH (m)-[:PART_OF]->(d:PolicyDocument) RETURN DISTINCT d.source_file AS f, p.zone_id AS place",
        {"name": "海关总署广东分署"})
    assert {r["f"] for r in rows} == {"guangdong-2018-ftz-institutional-innovation-opinions.txt",
                                      "guangdong-2024-ftz-upgrade-action-plan.txt"}
    assert {r["place"] for r in rows} == {"guangdong"}
    alias = falkor.run_read("MATCH (a:Agency {name: $n}) RETURN a.aliases AS aliases", {"n": "海关总署广东分署"})
    assert "海关广东分署" in alias[0]["aliases"]
    parent = falkor.run_read("MATCH (:Agency {name: $n})-[:SUB_ORGANIZATION_OF]->(p:Agency) RETURN p.name AS p",
                             {"n": "深圳市市场监督管理局"})
    assert [r["p"] for r in parent] == ["深圳市人民政府"]


def test_qianhai_pilots_promoted(falkor, loader):
    loader.load(bundled_corpus())
    rows = falkor.run_read(
        "MATCH (m:Measure)-[:PILOTED_IN]->(:PilotZone {zone_id: $zone}), (m)-[:PROMOTED_TO]->(s:ReplicationScope) "
        "RETURN s.scope_type AS t, count(m) AS n", {"zone": "qianhai-shekou"})
    assert {r["t"]: r["n"] for r in rows} == {"citywide": 37, "customs-special-supervision-areas": 1}


def test_changed_version_replaces_the_old_one(falkor, loader, tmp_path):
    corpus = bundled_corpus()
    loader.load(corpus)
    before = uris(falkor)
    text = next(p for p in corpus if p.name == QIANHAI).read_text("utf-8")
    start, end = text.index("\t2\n"), text.index("\t3\n")
    changed = tmp_path / QIANHAI
    changed.write_text(text[:start] + text[end:], "utf-8")
    report = loader.load([changed])
    assert report.written == [QIANHAI] and any("found 7" in w for w in report.warnings)
    assert per_document(falkor)[QIANHAI] == 37
    gone = before - uris(falkor)
    assert {u.rsplit("/", 1)[-1] for u in gone if "/measure/" in u} == {"2"}
    # the Shenzhen market regulator led only that measure here: it stays if others still use it, else goes
    assert all("/measure/" in u or "/agency/" in u for u in gone)


def test_a_bad_file_writes_nothing_and_the_others_load(falkor, loader, tmp_path):
    corpus = bundled_corpus()
    text = next(p for p in corpus if p.name == QIANHAI).read_text("utf-8")
    bad = tmp_path / "qianhai-truncated.txt"
    bad.write_text(text[: text.index("\t36\n")], "utf-8")
    binary = tmp_path / "scan.txt"
    binary.write_bytes(bytes(range(256)) * 4)
    report = loader.load([binary, bad, *corpus[:2]])
    assert len(report.errors) == 2
    assert report.errors[0].startswith("scan.txt:1: ")
    assert report.errors[1].startswith("qianhai-truncated.txt:236: ")
    assert len(report.written) == 2
    files = {r["f"] for r in falkor.run_read("MATCH (d:PolicyDocument) RETURN d.source_file AS f")}
    assert files == {p.name for p in corpus[:2]}


def test_measure_export_has_exactly_the_documented_keys(falkor, loader):
    loader.load(bundled_corpus())
    records = measure_records(falkor)
    assert len(records) == 234
    assert all(list(r) == MEASURE_KEYS for r in records)
    qh = next(r for r in records if r["source_file"] == QIANHAI and r["seq"] == "2")
    assert qh["title"] == "电子营业执照“一照通”应用拓展"
    assert qh["lead"] == ["深圳市市场监督管理局"] and qh["pilot_zones"] == ["深圳前海蛇口片区"]
    assert qh["scope"] == "全市(深圳市)" and qh["category"] == "投资便利化"
    hq = next(r for r in records if r["source_file"].startswith("hengqin") and r["seq"] == "2")
    assert hq["lead"] == ["珠海国际仲裁院", "珠海市横琴新区发展和改革局", "珠海市横琴新区社会事务局"]
    assert hq["participants"] == ["珠海仲裁委员会", "珠海市发展和改革局", "珠海市民政局"]
    assert hq["deadline"] == "2017-08-31" and hq["document"]["doc_number"] is None
    plan = next(r for r in records if r["document"]["doc_number"] == "粤府函〔2024〕9号" and r["seq"] == "8")
    assert plan["lead"] == ["中国人民银行广东省分行", "中国人民银行深圳市分行"]
    assert plan["document"]["issued"] == "2024-01-12"


def test_exported_rdf_validates_against_the_shapes(falkor, loader):
    from graph.rdf import validate

    loader.load(bundled_corpus())
    conforms, report = validate(exports.rdf_graph(falkor))
    assert conforms, report[:3000]


def test_load_reports_its_stage_timings(falkor, tmp_path, monkeypatch) -> None:
    """REFORMKG_PROFILE_JSON gets the seconds spent per stage (read by bench/scale.py)."""
    import json

    from reformkg.load import Loader, bundled_corpus
    from reformkg.settings import Settings

    profile = tmp_path / "profile.json"
    monkeypatch.setenv("REFORMKG_PROFILE_JSON", str(profile))
    report = Loader(falkor, Settings()).load(bundled_corpus())
    stages = json.loads(profile.read_text("utf-8"))
    assert set(stages) == {"parse_s", "build_s", "write_s", "documents_s", "link_s", "durable_s", "lineage_read_s",
                           "lineage_find_links_s", "lineage_successions_s", "lineage_write_s"}
    assert stages == report.timings and all(v >= 0 for v in stages.values())
    assert stages["parse_s"] > 0 and stages["write_s"] > 0 and stages["link_s"] > 0
    # the refresh's parts are within it; one process parses the 5 files, so the stages are within the wall time
    assert sum(v for k, v in stages.items() if k.startswith("lineage_")) <= stages["link_s"]
    assert stages["parse_s"] + stages["build_s"] + stages["write_s"] <= stages["documents_s"]
