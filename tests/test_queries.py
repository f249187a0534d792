"""Every query of the catalogue on the seed graph, against an answer worked out
independently: from what the documents print (item counts, the 37 of the
issue), or from the parsed domain model in plain Python."""

from __future__ import annotations

from collections import Counter
from datetime import date
from functools import cache

import pytest

from loaders.parse import parse_file
from queries import registry
from reformkg.load import bundled_corpus
from reformkg.model import Document, Role

QIANHAI = "https://w3id.org/reformkg/id/zone/qianhai-shekou"


@cache
def documents() -> dict[str, Document]:
    """The bundled corpus parsed (no database), by genre+zone for the tests below."""
    return {p.name: parse_file(p) for p in bundled_corpus()}


def doc(prefix: str) -> Document:
    return next(d for name, d in documents().items() if name.startswith(prefix))


def run(store, name: str, **params):
    return registry.run(store, name, params)


def test_the_catalogue_has_at_least_twelve_documented_queries() -> None:
    cat = registry.catalogue()
    assert len(cat) >= 12
    for q in cat.values():
        assert q.description and q.text
        for p in q.params:
            assert p.description, f"{q.name}: parameter {p.name} undocumented"
        assert all(k in {p.name for p in q.params} for k in q.example), q.name


def test_every_query_runs_its_own_example(seed_graph) -> None:
    for name, q in registry.catalogue().items():
        rows = registry.run(seed_graph, name, q.example)
        assert isinstance(rows, list), name


# ---------------------------------------------------------------- promotions


@pytest.mark.parametrize("zone", ["前海蛇口", "前海", "深圳前海蛇口片区", "qianhai-shekou", QIANHAI, " 前海蛇口 "])
@pytest.mark.parametrize("scope", ["全市", "citywide", "全市(深圳市)", "https://w3id.org/reformkg/id/scope/shenzhen/citywide"])
def test_pilots_promoted_qianhai_citywide_is_37_whatever_the_names(seed_graph, zone: str, scope: str) -> None:
    rows = run(seed_graph, "pilots-promoted", zone=zone, scope=scope)
    assert len(rows) == 37
    assert len({r["uri"] for r in rows}) == 37
    assert {r["scope"] for r in rows} == {"全市(深圳市)"} and {r["batch"] for r in rows} == {6}
    table = doc("qianhai")
    expected = {m.title for m in table.measures if m.scope == "shenzhen/citywide"}
    assert {r["title"] for r in rows} == expected


def test_pilots_promoted_the_one_to_customs_special_supervision_areas(seed_graph) -> None:
    rows = run(seed_graph, "pilots-promoted", zone="前海蛇口", scope="海关特殊监管区域")
    assert len(rows) == 1
    table = doc("qianhai")
    (only,) = [m for m in table.measures if m.scope and m.scope.endswith("customs-special-supervision-areas")]
    assert rows[0]["title"] == only.title


def test_pilots_promoted_nansha_traditional_input(seed_graph) -> None:
    nansha = doc("nansha")
    issued = nansha.issued
    rows = run(seed_graph, "pilots-promoted", zone="南沙片區", scope="市有關行政區")
    expected = [m for m in nansha.measures if m.scope == "guangzhou/relevant-districts"]
    assert len(rows) == len(expected) == 29
    assert {r["date"] for r in rows} == {issued} == {date(2018, 7, 2)}
    assert {r["issuer"] for r in rows} == {"广州市人民政府"}


def test_unknown_and_missing_parameters_are_refused(seed_graph) -> None:
    with pytest.raises(registry.ParamError, match="'zone'.*上海"):
        run(seed_graph, "pilots-promoted", zone="上海", scope="全市")
    with pytest.raises(registry.ParamError, match="'scope'.*required"):
        run(seed_graph, "pilots-promoted", zone="前海")
    with pytest.raises(registry.ParamError, match="'colour'.*unknown"):
        run(seed_graph, "pilots-promoted", zone="前海", scope="全市", colour="red")
    with pytest.raises(registry.UnknownQuery):
        registry.run(seed_graph, "drop-everything", {})


def test_zone_promotion_timeline(seed_graph) -> None:
    nansha = run(seed_graph, "zone-promotion-timeline", zone="南沙")
    counts = Counter(m.scope for m in doc("nansha").measures)
    assert [(r["date"], r["batch"], r["scope_type"], r["measures"]) for r in nansha] == [
        (date(2018, 7, 2), 3, "relevant-districts", counts["guangzhou/relevant-districts"]),
        (date(2018, 7, 2), 3, "relevant-districts-new-areas", counts["guangzhou/relevant-districts-new-areas"]),
    ]
    qianhai = run(seed_graph, "zone-promotion-timeline", zone="前海蛇口")
    assert [(r["date"], r["batch"], r["scope_type"], r["measures"]) for r in qianhai] == [
        (None, 6, "citywide", 37), (None, 6, "customs-special-supervision-areas", 1)]


def test_measures_in_force_in_qianhai_include_citywide_shenzhen(seed_graph) -> None:
    rows = run(seed_graph, "measures-in-force-in-zone", zone="前海蛇口")
    promoted = {r["uri"] for r in rows if r["how"] == "promoted"}
    assert len(promoted) == 38  # 37 citywide in Shenzhen + 1 customs areas: Qianhai lies in Shenzhen
    assert {r["jurisdiction"] for r in rows if r["how"] == "promoted"} == {"深圳市"}
    piloted_only = {r["uri"] for r in rows if r["how"] == "piloted"}
    text_mentions = [m for d in documents().values() for m in d.measures
                     if "qianhai-shekou" in m.zones and not m.scope]
    assert len(piloted_only) == len(text_mentions)
    nansha = run(seed_graph, "measures-in-force-in-zone", zone="南沙")
    assert {r["jurisdiction"] for r in nansha if r["how"] == "promoted"} == {"广州市"}


# ---------------------------------------------------------------- categories, agencies


def test_measures_by_category_zone_matches_the_printed_item_counts(seed_graph) -> None:
    rows = run(seed_graph, "measures-by-category-zone", zone="前海蛇口")
    by_category = {r["category"]: r["measures"] for r in rows}
    declared = {c.label: c.declared_count for c in doc("qianhai").categories if c.declared_count}
    assert declared, "the Qianhai table prints its item counts"
    for label, count in declared.items():
        assert by_category[label] == count, label
    one = run(seed_graph, "measures-by-category-zone", zone="前海蛇口", category="投资便利化")
    assert [(r["category"], r["measures"]) for r in one] == [("投资便利化", 8)]


def lead_counts(zone: str | None = None) -> Counter[str]:
    out: Counter[str] = Counter()
    for d in documents().values():
        for m in d.measures:
            if zone is None or zone in m.zones:
                out.update({a.name for a in m.by_role(Role.LEAD)})
    return out


def test_lead_agency_ranking_for_nansha(seed_graph) -> None:
    rows = run(seed_graph, "lead-agency-ranking", zone="南沙", limit=10)
    expected = lead_counts("nansha")
    assert len(rows) == 10
    for r in rows:
        assert r["measures"] == expected[r["agency"]], r["agency"]
    assert rows[0]["measures"] == max(expected.values())
    assert [r["measures"] for r in rows] == sorted((r["measures"] for r in rows), reverse=True)


def test_shared_lead_agencies_across_zones(seed_graph) -> None:
    zones: dict[str, set[str]] = {}
    for d in documents().values():
        for m in d.measures:
            for a in m.by_role(Role.LEAD):
                zones.setdefault(a.name, set()).update(m.zones)
    expected = {name: len(z) for name, z in zones.items() if len(z) >= 2}
    rows = run(seed_graph, "shared-lead-agencies", min_zones=2)
    assert {r["agency"]: r["zone_count"] for r in rows} == expected
    assert run(seed_graph, "shared-lead-agencies", min_zones=5) == []


def test_document_overview(seed_graph) -> None:
    rows = run(seed_graph, "document-overview")
    by_title = {r["title"]: r for r in rows}
    assert len(rows) == len(documents()) == 5
    for d in documents().values():
        row = by_title[d.title]
        assert row["measures"] == len(d.measures)
        assert row["promotions"] == sum(1 for m in d.measures if m.scope)
        assert row["issued"] == d.issued
    assert [r["issued"] for r in rows[:3]] == [date(2018, 7, 2), date(2018, 8, 14), date(2024, 1, 12)]


# ---------------------------------------------------------------- time


def test_deadlines_by_month_match_the_task_table(seed_graph) -> None:
    expected = Counter((m.deadline.year, m.deadline.month) for d in documents().values()
                       for m in d.measures if m.deadline)
    rows = run(seed_graph, "deadlines-by-month")
    assert {(r["year"], r["month"]): r["measures"] for r in rows} == expected
    done = Counter((m.deadline.year, m.deadline.month) for d in documents().values()
                   for m in d.measures if m.deadline and m.status == "completed")
    assert {(r["year"], r["month"]): r["completed"] for r in rows if r["completed"]} == done
    window = run(seed_graph, "deadlines-by-month", **{"from": "2017-08-01", "to": "2017-08-31"})
    assert [(r["year"], r["month"]) for r in window] == [(2017, 8)]
    with pytest.raises(registry.ParamError, match="'from'"):
        run(seed_graph, "deadlines-by-month", **{"from": "2017-02-30"})


def test_targets_by_year(seed_graph) -> None:
    targets = [t for d in documents().values() for t in (*d.targets, *(t for m in d.measures for t in m.targets))]
    rows = run(seed_graph, "targets-by-year")
    assert len(rows) == len(targets) == 7
    assert sorted((r["year"], r["metric"], r["value"]) for r in rows) == sorted(
        (t.year, t.metric, t.value) for t in targets)
    only = run(seed_graph, "targets-by-year", year=2025)
    assert len(only) == sum(t.year == 2025 for t in targets) > 0
    assert all(r["set_by"] for r in rows)


# ---------------------------------------------------------------- search


@pytest.mark.parametrize("text", ["电子营业执照", "電子營業執照", "全球质量溯源", "港澳"])
def test_search_measures_finds_every_title_or_body_with_the_text(seed_graph, text: str) -> None:
    from loaders.text import to_simplified

    needle = to_simplified(text)
    expected = {m.title for d in documents().values() for m in d.measures if needle in m.title or needle in m.body}
    rows = run(seed_graph, "search-measures", text=text, limit=500)
    assert {r["title"] for r in rows} == expected and expected
    flags = [r["in_title"] for r in rows]
    assert flags == sorted(flags, reverse=True)


def test_every_catalogue_query_has_its_own_test() -> None:
    """Each query is run by name somewhere in the tests with an expected answer, not only by its example."""
    from pathlib import Path

    here = Path(__file__).parent
    own = (here / "test_queries.py").read_text("utf-8").split("def test_every_catalogue_query_has_its_own_test")[0]
    body = own + (here / "test_lineage.py").read_text("utf-8")
    missing = [name for name in registry.catalogue() if f'"{name}"' not in body]
    assert not missing, f"queries without a test: {missing}"


# ---------------------------------------------------------------- pilots-promoted: the FalkorDB text

PAGES = [(0, 1_000_000), (0, 100), (0, 1), (1, 3), (5, 4), (36, 10), (57, 7), (1000, 5)]


def _pairs(store) -> list[dict]:
    return store.run_read("MATCH (z:PilotZone)<-[:PILOTED_IN]-(:Measure)-[:PROMOTED_TO]->(s:ReplicationScope) "
                          "RETURN DISTINCT z.zone_id AS zone, s.scope_type AS scope ORDER BY zone, scope")


def _same_as_common_text(store, pages=PAGES) -> int:
    """pilots-promoted's FalkorDB text (queries/falkordb/) answers every zone x scope pair of the
    graph and every page exactly as the common text (the one Neo4j runs) does: same rows, same order."""
    from queries.resolve import resolver

    q = registry.get("pilots-promoted")
    assert q.text_for("falkordb") != q.text and q.text_for("neo4j") == q.text
    compared = several_leads = 0
    for pair in _pairs(store):
        for offset, limit in pages:
            params = registry.bind(q, {**pair, "offset": offset, "limit": limit}, resolver(store))
            expected = store.run_read(q.text, params)
            assert store.run_read(q.text_for("falkordb"), params) == expected, (pair, offset, limit)
            compared += len(expected)
            several_leads += sum(len(r["lead"]) > 1 for r in expected)  # their order is the ranks'
    everything = {"zone": [r["uri"] for r in store.run_read("MATCH (z:PilotZone) RETURN z.uri AS uri")],
                  "scope": [r["uri"] for r in store.run_read("MATCH (s:ReplicationScope) RETURN s.uri AS uri")]}
    for offset, limit in pages:  # several zones and scopes at once: rows of every pair, in one order
        params = {**everything, "offset": offset, "limit": limit}
        assert store.run_read(q.text_for("falkordb"), params) == store.run_read(q.text, params), (offset, limit)
    assert several_leads > 0
    return compared


def test_pilots_promoted_falkordb_text_is_the_common_answer(seed_graph) -> None:
    assert _same_as_common_text(seed_graph) > 37


def test_pilots_promoted_falkordb_text_pages_across_many_documents(falkor, tmp_path) -> None:
    """On a generated corpus (bench/corpus.py: 1,500 measures in 15 documents, pilots of several zones
    promoted to several scopes) the pages cross document boundaries; every page is the common
    text's page."""
    import importlib.util
    import sys
    from pathlib import Path

    from reformkg.load import Loader
    from reformkg.settings import Settings

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("bench_corpus", root / "bench" / "corpus.py")
    corpus = importlib.util.module_from_spec(spec)
    sys.modules["bench_corpus"] = corpus  # dataclasses look their module up
    spec.loader.exec_module(corpus)
    corpus.write_corpus(1500, tmp_path / "corpus")
    files = sorted(f for f in (tmp_path / "corpus").iterdir() if f.suffix in (".txt", ".md"))
    report = Loader(falkor, Settings(), lock_dir=tmp_path).load(files)
    assert not report.errors, report.errors
    assert len(_pairs(falkor)) >= 6
    assert _same_as_common_text(falkor, PAGES + [(o, 13) for o in range(0, 200, 13)]) > 1000
