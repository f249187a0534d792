"""The web pages without a browser (FastAPI TestClient on the seeded graph), and the pure
modules behind them (the lineage drawing, highlighting, the source passage).

Expected values come from independent Cypher on the seed graph or from the
source files, never from the page code.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from html import unescape
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.web import lineage_svg, source
from api.web.lineage_svg import Edge, Node
from api.web.text import highlight, snippet
from loaders.text import decode
from reformkg.load import bundled_corpus

BASE = "https://w3id.org/reformkg/id/"
NANSHA_TRACE = "穗府函-2018-161/6"  # 全球质量溯源体系
PROVINCE_TRACE = "粤府办-2018-34/8-1"  # 建立进出口商品溯源体系


@pytest.fixture(scope="module")
def client(seed_graph):
    with TestClient(create_app(store=seed_graph)) as c:
        yield c


def html_ok(r) -> str:
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert '<html lang="zh-Hans">' in r.text and '<meta charset="utf-8">' in r.text
    return r.text


def local(uri: str) -> str:
    return uri.split("/id/", 1)[1].split("/", 1)[1]


def attr_values(html: str, name: str) -> list[str]:
    return [unescape(v) for v in re.findall(rf'{name}="([^"]*)"', html)]


def hits(html: str) -> list[str]:
    return [unescape(v) for v in re.findall(r'<li class="hit" data-measure="([^"]*)"', html)]


# ---------------------------------------------------------------- every page renders


def test_every_page_renders_for_real_ids(client, seed_graph) -> None:
    urls = ["/", "/?q=营业执照", "/?q=營業執照&zone=nansha", "/z", "/d", "/c", "/?page=2", "/?year=2018&scope=citywide"]
    for label, prefix, limit in (("PilotZone", "/z/", 10), ("PolicyDocument", "/d/", 10),
                                 ("Measure", "/m/", 12), ("Agency", "/a/", 6), ("Category", "/c/", 6)):
        for r in seed_graph.run_read(f"MATCH (n:{label}) RETURN n.uri AS uri ORDER BY uri LIMIT {limit}"):
            urls.append(prefix + quote(local(r["uri"]), safe="/"))
    for url in urls:
        html_ok(client.get(url))


@pytest.mark.parametrize("url", ["/m/没有这项措施", "/z/mars", "/a/不存在的机构", "/d/nope-2099-1", "/c/没有这个类别",
                                 "/m/粤府办-2018-34/99-9"])
def test_unknown_ids_get_a_chinese_404_page(client, url) -> None:
    r = client.get(url)
    assert r.status_code == 404
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert "未找到" in r.text and '<html lang="zh-Hans">' in r.text


def test_pages_stay_out_of_the_openapi_schema_and_the_api_still_works(client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p == "/" or p.split("/")[1] in ("m", "z", "a", "d", "c", "static")]
    assert client.get("/measures", params={"limit": 1}).json()["total"] == 234
    assert client.get("/zones/qianhai-shekou").json()["counts"]["piloted_by_document"] == 38
    css = client.get("/static/style.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert client.get("/static/app.js").status_code == 200


# ---------------------------------------------------------------- search


def test_search_finds_measures_from_three_documents_with_highlights(client, seed_graph) -> None:
    html = html_ok(client.get("/", params={"q": "营业执照"}))
    expected = seed_graph.run_read(
        "MATCH (m:Measure)-[:PART_OF]->(d:PolicyDocument) WHERE m.title CONTAINS '营业执照' OR m.body CONTAINS '营业执照' "
        "RETURN m.uri AS uri, d.uri AS doc")
    assert sorted(hits(html)) == sorted(local(r["uri"]) for r in expected)
    assert len({r["doc"] for r in expected}) >= 3
    assert "<mark>营业执照</mark>" in html
    # title matches first
    titles = {local(r["uri"]): r["title"] for r in seed_graph.run_read(
        "MATCH (m:Measure) WHERE m.title CONTAINS '营业执照' RETURN m.uri AS uri, m.title AS title")}
    assert set(hits(html)[:len(titles)]) == set(titles)
    # Traditional finds the same
    assert sorted(hits(client.get("/", params={"q": "營業執照"}).text)) == sorted(hits(html))


def test_facet_counts_equal_independent_cypher_counts(client, seed_graph) -> None:
    html = html_ok(client.get("/", params={"q": "溯源"}))
    shown: dict[tuple[str, str], int] = {}
    for facet, value, n in re.findall(
            r'data-facet="(\w+)" data-value="([^"]*)"[^>]*><span class="fname">[^<]*</span> <span class="count">(\d+)',
            html):
        shown[(facet, unescape(value))] = int(n)
    where = "(m.title CONTAINS '溯源' OR m.body CONTAINS '溯源')"
    expected: dict[tuple[str, str], int] = {}
    for facet, rel, label in (("zone", "PILOTED_IN", "PilotZone"), ("category", "IN_CATEGORY", "Category"),
                              ("agency", "LED_BY", "Agency"), ("scope", "PROMOTED_TO", "ReplicationScope")):
        for r in seed_graph.run_read(f"MATCH (m:Measure)-[:{rel}]->(x:{label}) WHERE {where} "
                                     "RETURN x.uri AS uri, count(DISTINCT m) AS n"):
            expected[(facet, local(r["uri"]))] = r["n"]
    for r in seed_graph.run_read(f"MATCH (m:Measure)-[:PART_OF]->(d:PolicyDocument) WHERE {where} "
                                 "RETURN d.uri AS uri, d.year AS year, count(m) AS n"):
        expected[("document", local(r["uri"]))] = r["n"]
        if r["year"]:
            expected[("year", str(r["year"]))] = expected.get(("year", str(r["year"])), 0) + r["n"]
    assert shown and shown == expected


def test_filters_in_the_url_narrow_the_results(client, seed_graph) -> None:
    html = html_ok(client.get("/", params={"q": "营业执照", "zone": "nansha", "year": "2018"}))
    expected = seed_graph.run_read(
        "MATCH (m:Measure)-[:PILOTED_IN]->(:PilotZone {zone_id: 'nansha'}), (m)-[:PART_OF]->(d:PolicyDocument) "
        "WHERE (m.title CONTAINS '营业执照' OR m.body CONTAINS '营业执照') AND d.year = 2018 RETURN DISTINCT m.uri AS uri")
    assert sorted(hits(html)) == sorted(local(r["uri"]) for r in expected)
    assert 'class="active"' in html and "广州南沙新区片区 ✕" in html
    # an unknown filter value is said, not a crash
    html = html_ok(client.get("/", params={"zone": "火星"}))
    assert "未找到试点片区“火星”" in html


def test_query_text_is_escaped(client) -> None:
    attack = "<script>alert(1)</script>"
    html = html_ok(client.get("/", params={"q": attack}))
    assert attack not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    html = html_ok(client.get("/", params={"q": '"><img src=x onerror=alert(1)>'}))
    assert "<img src=x" not in html


def test_pagination_and_downloads_cover_the_whole_result(client, seed_graph) -> None:
    total = seed_graph.run_read("MATCH (m:Measure) RETURN count(m) AS n")[0]["n"]
    first, second = hits(client.get("/").text), hits(client.get("/?page=2").text)
    assert len(first) == 50 and first[0] != second[0]
    rows = list(csv.DictReader(io.StringIO(client.get("/?format=csv").content.decode("utf-8-sig"))))
    assert len(rows) == total
    assert [r["编号"] for r in rows[:50]] == first


def test_a_page_read_alone_is_that_slice_of_the_whole_list(seed_graph) -> None:
    """The search page reads one page from the database (count, then the page's rows); it must be
    exactly that slice of the whole ordered list, for filters, text (title matches first) and both."""
    from api.iris import Iris
    from api.web import data

    iris = Iris("https://w3id.org/reformkg/id/")
    zone = seed_graph.run_read("MATCH (z:PilotZone {zone_id: 'qianhai-shekou'}) RETURN z.uri AS uri")[0]["uri"]
    for params in ({}, {"text": ["营业执照"]}, {"text": ["企业", "企業"]}, {"zone": [zone]},
                   {"zone": [zone], "text": ["服务"]}, {"text": ["火星殖民"]}):
        whole = data.measure_rows(seed_graph, iris, params)
        assert data.measure_count(seed_graph, params) == len(whole), params
        for offset, limit in ((0, 50), (50, 50), (7, 13), (len(whole), 50)):
            page = data.measure_page(seed_graph, iris, params, offset, limit)
            assert page == whole[offset:offset + limit], (params, offset)
    assert len(data.measure_rows(seed_graph, iris, {"text": ["营业执照"]})) > 3


# ---------------------------------------------------------------- downloads


def _csv(r) -> list[dict[str, str]]:
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.content.startswith(b"\xef\xbb\xbf")
    assert "attachment" in r.headers["content-disposition"]
    return list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))


def test_search_downloads_match_the_page(client) -> None:
    html = client.get("/", params={"q": "营业执照"}).text
    shown = hits(html)
    rows = _csv(client.get("/", params={"q": "营业执照", "format": "csv"}))
    assert [r["编号"] for r in rows] == shown
    assert list(rows[0]) == ["编号", "序号", "标题", "文件", "文号", "年份", "类别", "牵头单位", "试点片区", "推广范围",
                             "完成时限", "状态", "IRI"]
    body = client.get("/", params={"q": "营业执照", "format": "json"})
    assert body.headers["content-type"] == "application/json; charset=utf-8"
    data = body.json()
    assert [x["id"] for x in data["items"]] == shown and data["count"] == len(shown)
    titles = [unescape(re.sub("<[^>]+>", "", t)) for t in
              re.findall(r'<li class="hit".*?<h3><a [^>]*>(.*?)</a></h3>', html, re.S)]
    assert [x["title"] for x in data["items"]] == titles


def test_list_pages_download_what_they_show(client, seed_graph) -> None:
    doc = "粤府办-2018-34"
    html = client.get(f"/d/{doc}").text
    shown = attr_values(html, "data-measure")
    rows = _csv(client.get(f"/d/{doc}?format=csv"))
    assert [r["编号"] for r in rows] == shown
    printed = seed_graph.run_read("MATCH (m:Measure)-[:PART_OF]->(d:PolicyDocument {key: $k}) "
                                  "RETURN m.uri AS uri ORDER BY m.span_start", {"k": doc})
    assert shown == [local(r["uri"]) for r in printed]  # in printed order
    for url, key in (("/z", "data-zone"), ("/d", "data-document"), ("/c", "data-category")):
        html = client.get(url).text
        ids = attr_values(html, key)
        data = client.get(url + "?format=json").json()
        assert sorted(x["id"] for x in data["items"]) == sorted(ids), url
    agency = "珠海市税务局"
    html = client.get("/a/" + quote(agency)).text
    assert [x["id"] for x in client.get("/a/" + quote(agency) + "?format=json").json()["items"]] == \
        attr_values(html, "data-measure")


# ---------------------------------------------------------------- zone, agency, category


def test_qianhai_zone_page_counts(client, seed_graph) -> None:
    html = html_ok(client.get("/z/qianhai-shekou"))

    def count(name: str) -> int:
        return int(re.search(rf'data-count="{name}">(\d+)<', html).group(1))

    q = "MATCH (m:Measure)-[r:PILOTED_IN]->(:PilotZone {zone_id: 'qianhai-shekou'}) WHERE r.source = $s "
    assert count("pilots") == seed_graph.run_read(q + "RETURN count(DISTINCT m) AS n", {"s": "document"})[0]["n"] == 38
    assert count("mentions") == seed_graph.run_read(q + "RETURN count(DISTINCT m) AS n", {"s": "text"})[0]["n"] == 19
    assert count("citywide") == seed_graph.run_read(
        q + "MATCH (m)-[:PROMOTED_TO]->(:ReplicationScope {scope_type: 'citywide'}) RETURN count(DISTINCT m) AS n",
        {"s": "document"})[0]["n"] == 37
    assert "其中 37 项复制推广至全市，1 项推广至海关特殊监管区域(深圳市)" in html
    rows = _csv(client.get("/z/qianhai-shekou?format=csv"))
    assert len(rows) == 57 and sum(r["来源"] == "片区试点" for r in rows) == 38


def test_agency_page_includes_predecessors_measures(client, seed_graph) -> None:
    html = html_ok(client.get("/a/" + quote("珠海市税务局")))
    expected = seed_graph.run_read(
        "MATCH (p:Agency)-[:SUCCEEDED_BY*1..4]->(:Agency {name: '珠海市税务局'}) "
        "MATCH (m:Measure)-[:LED_BY|PARTICIPANT|SUPPORTED_BY]->(p) RETURN DISTINCT m.uri AS uri")
    assert expected
    assert {local(r["uri"]) for r in expected} <= set(attr_values(html, "data-measure"))
    assert "珠海市地方税务局" in html and "前身" in html


def test_category_index_counts(client, seed_graph) -> None:
    html = html_ok(client.get("/c"))
    for r in seed_graph.run_read("MATCH (c:Category)<-[:IN_CATEGORY]-(m:Measure) "
                                 "RETURN c.uri AS uri, count(DISTINCT m) AS n ORDER BY n DESC LIMIT 5"):
        ident = re.escape(local(r["uri"]))
        assert re.search(rf'data-category="{ident}"><a [^>]*>[^<]*</a> <span class="count">{r["n"]}<', html)


# ---------------------------------------------------------------- measure page


def test_measure_page_lineage_svg_and_source_passage(client, seed_graph) -> None:
    html = html_ok(client.get("/m/" + PROVINCE_TRACE))
    svg = re.search(r"<svg .*?</svg>", html, re.S).group(0)
    expected = seed_graph.run_read(
        "MATCH (m:Measure)-[:DERIVED_FROM|RELATED_TO]-(o:Measure) WHERE m.uri = $u RETURN o.uri AS uri",
        {"u": BASE + "measure/" + PROVINCE_TRACE})
    assert expected
    for r in expected:
        assert f'href="/m/{quote(local(r["uri"]), safe="/")}"' in svg
    assert 'class="node node-measure focal"' in svg
    assert "广州南沙新区片区" in svg and "市有关行政区(广州市)" in svg
    assert 'aria-label="全球质量溯源体系' in svg
    # the passage from the source file, with the span marked
    text = decode((next(p for p in bundled_corpus() if p.name.startswith("guangdong-2018"))).read_bytes(), "x").text
    props = seed_graph.run_read("MATCH (m:Measure {uri: $u}) RETURN m.span_start AS s, m.span_end AS e",
                                {"u": BASE + "measure/" + PROVINCE_TRACE})[0]
    marked = unescape(re.search(r'<mark id="span">(.*?)</mark>', html, re.S).group(1))
    assert marked == text[props["s"]:props["e"]]
    assert "?format=turtle" in html
    turtle = client.get("/id/measure/" + quote(PROVINCE_TRACE, safe="/") + "?format=turtle")
    assert turtle.status_code == 200 and "建立进出口商品溯源体系" in turtle.text


def test_traditional_source_passage_is_shown_as_printed(client) -> None:
    html = html_ok(client.get("/m/" + NANSHA_TRACE))
    assert "全球質量溯源體系" in re.search(r'<mark id="span">(.*?)</mark>', html, re.S).group(1)
    assert 'lang="zh-Hant"' in html


def test_source_passage_rules() -> None:
    assert source.passage("not-on-disk.txt", None, 0, 10) is None
    name = "nansha-batch-3-replication-list-traditional.txt"
    assert source.passage(name, "0" * 64, 0, 10) is None  # not the file the document was loaded from
    p = source.passage(name, None, 100, 120, context=30)
    text = source.source_text(name, None)
    assert p is not None and p.span == text[100:120]
    assert text[p.start - len(p.before):p.end + len(p.after)] == p.before + p.span + p.after
    assert 0 < len(p.before) <= 30 and 0 < len(p.after) <= 30


# ---------------------------------------------------------------- pure modules


def _nodes() -> tuple[list[Node], list[Edge]]:
    nodes = [
        Node("old", "measure", "2017年的措施", dt.date(2017, 1, 1), "2017年", href="/m/a"),
        Node("zone", "zone", "南沙", dt.date(2018, 7, 2), "2018-07-02", href="/z/nansha"),
        Node("pilot", "measure", "试点<措施>&", dt.date(2018, 7, 2), "2018-07-02", href="/m/b", focal=True),
        Node("scope", "scope", "全市", dt.date(2018, 7, 2), "2018-07-02", subtitle="推广：2018-07-02 · 第3批"),
        Node("new", "measure", "省级措施", dt.date(2018, 8, 14), "2018-08-14", href="/m/c"),
        Node("undated", "measure", "无日期的措施", None, "日期不详", href="/m/d"),
    ]
    edges = [Edge("derived", "old", "pilot"), Edge("piloted", "zone", "pilot", "试点"),
             Edge("promoted", "pilot", "scope"), Edge("derived", "pilot", "new"),
             Edge("related", "new", "undated"), Edge("derived", "pilot", "missing")]
    return nodes, edges


def test_layout_orders_columns_by_time_undated_last() -> None:
    lay = lineage_svg.layout(*_nodes())
    x = {k: p.x for k, p in lay.placed.items()}
    assert x["old"] < x["zone"] < x["pilot"] < x["scope"] < x["new"] < x["undated"]
    assert lay.divider is not None and x["new"] < lay.divider < x["undated"]
    assert [h[2] for h in lay.headers] == ["2017年", "2018-07-02", "2018-08-14", "日期不详"]
    assert len(lay.edges) == 5  # the edge to a node not drawn is dropped
    assert lay.lanes  # pilot -> new skips the scope column: it detours below it


def test_svg_has_links_arrows_and_escaped_text() -> None:
    svg = str(lineage_svg.render(lineage_svg.layout(*_nodes()), "沿革图 <test>"))
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    for href in ("/m/a", "/m/b", "/m/c", "/m/d", "/z/nansha"):
        assert f'href="{href}"' in svg
    assert "试点&lt;措施&gt;&amp;" in svg and "<措施>" not in svg and "沿革图 &lt;test&gt;" in svg
    assert 'aria-label="试点&lt;措施&gt;&amp;"' in svg
    derived = re.findall(r'<path class="edge edge-derived"[^>]*>', svg)
    assert len(derived) == 2 and all("marker-end" in p for p in derived)
    related = re.search(r'<path class="edge edge-related"[^>]*>', svg).group(0)
    assert "marker" not in related
    assert '<g class="node node-scope"' in svg and "第3批" in svg
    assert svg.count('class="node node-measure focal"') == 1


def test_wrap_and_highlight() -> None:
    assert lineage_svg.wrap("一二三四五六七八九十", width=4, lines=2) == ["一二三四", "五六七…"]
    assert lineage_svg.wrap("短", width=4) == ["短"]
    assert str(highlight("<b>电子营业执照</b>", ["营业执照"])) == "&lt;b&gt;电子<mark>营业执照</mark>&lt;/b&gt;"
    assert str(highlight("全球質量溯源體系", ["质量"])) == "全球<mark>質量</mark>溯源體系"  # marks the printed form
    assert snippet("甲" * 100 + "溯源" + "乙" * 100, ["溯源"]).startswith("…")
    assert snippet("无关", ["溯源"]) is None


def test_json_download_is_json(client) -> None:
    r = client.get("/c?format=json")
    data = json.loads(r.content.decode("utf-8"))
    assert data["count"] == len(data["items"]) > 0
