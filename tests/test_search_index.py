"""The bigram index behind ``/search`` (graph/search_index.py, api/routers/search.py).

The index only narrows the candidates; the answer must stay exactly that of a
scan.  The oracle here is a scan in Python over every measure, document and
agency read from the seed graph (the bundled corpus), ranked as the endpoint
documents it; the endpoint must give the same hits, in the same order, for
many texts cut out of the corpus itself (titles, bodies, document numbers,
agency aliases), their Traditional forms, one-character texts, texts across
punctuation, Latin and digits, and texts found nowhere.
"""

from __future__ import annotations

import random
import uuid
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.routers.search import search_query
from graph import cypher
from graph.falkor import FalkorBackend
from graph.search_index import (
    MAX_QUERY_GRAMS,
    candidate_query,
    fulltext_query,
    han_only,
    index_grams,
    index_text,
    query_grams,
)
from loaders.text import _t2s
from queries.resolve import normalise_value

# ---------------------------------------------------------------- the pure functions


def test_index_grams_are_the_distinct_pairs_of_word_characters() -> None:
    assert index_grams("电子营业执照") == sorted(["电子", "子营", "营业", "业执", "执照"])
    # no pair across punctuation, spaces or two texts; Latin and digits are words too
    assert index_grams("粤府办〔2018〕34号", "ab") == sorted(["粤府", "府办", "20", "01", "18", "34", "4号", "ab"])
    assert index_grams("一", None, "") == []
    assert index_grams("营业营业") == ["业营", "营业"]


def test_query_grams_are_a_subset_of_every_containing_texts_grams() -> None:
    rng = random.Random(7)
    text = "推进“证照分离”改革全覆盖试点，实行ABC-123清单管理（2019年）"
    grams = set(index_grams(text))
    for _ in range(500):
        i = rng.randrange(len(text))
        term = text[i:i + rng.randint(1, 12)]
        qg = query_grams(term)
        assert set(qg) <= grams, term
        assert len(qg) <= MAX_QUERY_GRAMS
        assert query_grams(term) == qg  # deterministic: the same term, the same query text
    assert query_grams("营") == [] and query_grams("，、") == []
    assert query_grams("电子营业执照一照通") == ["电子", "营业", "照一", "照通"]  # first, last and between


def test_index_text_and_fulltext_query() -> None:
    assert index_text("电子营业执照") == "业执 子营 执照 电子 营业"
    assert index_text("一", None, "") is None
    assert fulltext_query([["电子", "营业"], ["ab"]]) == "(电子 营业) | (ab)"
    assert candidate_query(["电子营业", "電子"]) == "(电子 子营 营业) | (電子)"
    assert candidate_query(["营业执照", "营"]) is None and candidate_query([]) is None  # a term to scan for
    for bad in ([], [[]], [["电子"], []], [["a|"]], [["电子营"]], [["-a"]]):
        with pytest.raises(ValueError):
            fulltext_query(bad)


def test_han_only() -> None:
    assert han_only("营业执照") and han_only("電子")
    assert not han_only("营") and not han_only("营业A") and not han_only("2018年") and not han_only("营，业")


# ---------------------------------------------------------------- the endpoint against a scan


def _scan(seed_graph, terms: list[str]) -> list[tuple[str, str, str]]:
    """(kind, uri, match) of every hit, ranked, by reading every node and comparing in Python."""
    def has(text: str | None) -> bool:
        return any(t in text for t in terms) if text else False

    measures = seed_graph.run_read(
        "MATCH (m:Measure)-[:PART_OF]->(d:PolicyDocument) "
        "RETURN m.uri AS uri, m.title AS title, m.body AS body, m.span_start AS span, d.uri AS doc")
    measures.sort(key=lambda r: (r["doc"], r["span"], r["uri"]))
    titled = [("measure", r["uri"], "title") for r in measures if has(r["title"])]
    bodied = [("measure", r["uri"], "body") for r in measures if not has(r["title"]) and has(r["body"])]
    documents = sorted(seed_graph.run_read(
        "MATCH (d:PolicyDocument) RETURN d.uri AS uri, d.title AS title, d.doc_number AS number"),
        key=lambda r: r["uri"])
    docs = [("document", r["uri"], "title" if has(r["title"]) else "doc_number")
            for r in documents if has(r["title"]) or has(r["number"])]
    agencies = sorted(seed_graph.run_read("MATCH (a:Agency) RETURN a.uri AS uri, a.name AS name, a.aliases AS aliases"),
                      key=lambda r: (r["name"], r["uri"]))
    ags = [("agency", r["uri"], "name" if has(r["name"]) else "alias")
           for r in agencies if has(r["name"]) or any(has(x) for x in r["aliases"] or [])]
    return titled + docs + ags + bodied


def _texts(seed_graph) -> list[str]:
    """Texts to look for: cut out of the corpus (every kind of field), transformed, and absent ones."""
    rng = random.Random(2024)
    fields = [t for r in seed_graph.run_read(
        "MATCH (n) WHERE n:Measure OR n:PolicyDocument OR n:Agency "
        "RETURN n.title AS title, n.body AS body, n.doc_number AS number, n.name AS name, n.aliases AS aliases")
        for t in [r["title"], r["body"], r["number"], r["name"], *(r["aliases"] or [])] if t]
    texts = []
    for _ in range(160):
        field = rng.choice(fields)
        i = rng.randrange(len(field))
        texts.append(field[i:i + rng.choice([1, 2, 2, 3, 4, 4, 5, 6, 8, 12, 20])])
    texts += [_t2s().convert(t) for t in texts[:10]]  # already Simplified: unchanged, still found
    texts += ["電子營業執照", "推廣範圍", "營業", "跨境", "一照通", "电子营业执照一照通", "（负责）", "2018", "20", "号",
              "粤府办〔2018〕34号", "深圳市市场监管局", "前海 蛇口", "火星殖民", "ZZZ", "证照分离改革全覆盖试点火星"]
    return list(dict.fromkeys(t for t in texts if t.strip() and normalise_value(t)))


@pytest.fixture(scope="module")
def client(seed_graph):
    with TestClient(create_app(store=seed_graph)) as c:
        yield c


def test_search_gives_exactly_the_hits_of_a_scan(client, seed_graph) -> None:
    texts = _texts(seed_graph)
    assert len(texts) > 150
    found = 0
    for text in texts:
        terms = list(dict.fromkeys([normalise_value(text), text.strip()]))
        expected = _scan(seed_graph, terms)
        body = client.get("/search?q=" + quote(text) + "&limit=500").json()
        got = [(h["kind"], h["uri"], h["match"]) for h in body["items"]]
        assert body["total"] == len(expected), text
        assert body["total_relation"] == "eq", text
        assert got == expected[:500], text
        found += bool(expected)
    assert found > 120  # most texts come from the corpus and are found


def test_search_pages_and_kinds_agree_with_the_whole_list(client, seed_graph) -> None:
    whole = client.get("/search?q=" + quote("政府") + "&limit=500").json()
    assert {h["kind"] for h in whole["items"]} == {"measure", "document", "agency"}
    paged, url = [], "/search?q=" + quote("政府") + "&limit=7"
    while url:
        page = client.get(url).json()
        assert page["total"] == whole["total"]
        paged += page["items"]
        url = page["next"]
    assert paged == whole["items"]
    for kind in ("measure", "document", "agency"):
        only = client.get("/search", params={"q": "政府", "kind": kind, "limit": 500}).json()
        assert only["items"] == [h for h in whole["items"] if h["kind"] == kind]


def test_a_text_in_more_measures_than_are_examined_says_so(client, seed_graph, monkeypatch) -> None:
    """Past MAX_CANDIDATES candidate measures the answer is the hits among the examined ones,
    ranked, with total_relation gte; below it, exactly the scan's hits."""
    from api.routers import search as search_module

    expected = [h for h in _scan(seed_graph, ["企业"]) if h[0] == "measure"]
    assert len(expected) > 12
    for bound in (5, 12):
        monkeypatch.setattr(search_module, "MAX_CANDIDATES", bound)
        body = client.get("/search", params={"q": "企业", "kind": "measure", "limit": 500}).json()
        got = [(h["kind"], h["uri"], h["match"]) for h in body["items"]]
        assert body["total_relation"] == "gte" and 0 < body["total"] == len(got) <= bound
        assert set(got) <= set(expected)
        ranked = [h for h in expected if h in set(got)]  # the scan's order, restricted to what was found
        assert got == ranked
    monkeypatch.setattr(search_module, "MAX_CANDIDATES", len(expected) * 50)
    body = client.get("/search", params={"q": "企业", "kind": "measure", "limit": 500}).json()
    assert body["total_relation"] == "eq" and body["total"] == len(expected)


def test_body_hits_carry_a_snippet_around_the_text(client) -> None:
    hits = client.get("/search", params={"q": "营业执照", "kind": "measure", "limit": 500}).json()["items"]
    bodies = [h for h in hits if h["match"] == "body"]
    assert bodies and all("营业执照" in h["snippet"] for h in bodies)
    assert all(h["snippet"] is None for h in hits if h["match"] == "title")


def test_the_falkordb_query_looks_up_the_bigram_index(seed_graph) -> None:
    """A text with bigrams is answered from the full-text index (no scan of every measure); one
    without scans."""
    query, params = search_query("falkordb", ["营业执照"], "measure", 0, 50)
    plan = str(seed_graph._read.explain(query, params))
    assert "ProcedureCall" in plan and "Label Scan | (m:Measure)" not in plan
    assert params["grams"] == "(营业 业执 执照)"
    query, params = search_query("falkordb", ["营"], "measure", 0, 50)
    plan = str(seed_graph._read.explain(query, params))
    assert "ProcedureCall" not in plan and "Label Scan" in plan  # every measure (through its document) is read


def test_every_measure_and_document_carries_its_bigrams(seed_graph) -> None:
    rows = seed_graph.run_read("MATCH (m:Measure) RETURN m.title AS title, m.body AS body, m.search_grams AS grams")
    assert rows and all(r["grams"] == index_text(r["title"], r["body"]) for r in rows)
    docs = seed_graph.run_read(
        "MATCH (d:PolicyDocument) RETURN d.title AS title, d.doc_number AS number, d.search_grams AS grams")
    assert docs and all(r["grams"] == index_text(r["title"], r["number"]) for r in docs)


def test_the_schema_replaces_the_list_index_of_the_first_version(falkor_server) -> None:
    """A graph made by the first version has range indexes on the bigram lists: ensure_schema drops
    them and creates the full-text indexes (the next load rewrites the nodes: their hash changes)."""
    old = FalkorBackend(falkor_server.socket_path, f"test_{uuid.uuid4().hex[:12]}", server=falkor_server)
    try:
        for statement in cypher.falkordb_index_statements():
            old.run_write(statement)
        for label, prop in cypher.FALKORDB_FULLTEXT_INDEXES:
            old.run_write(f"CREATE INDEX FOR (n:{label}) ON (n.{prop})")
        old.run_write("CREATE (:Measure {uri: 'urn:m', title: '电子营业执照', body: '', span_start: 0, "
                      "search_grams: $grams})-[:PART_OF]->(:PolicyDocument {uri: 'urn:d', title: '文件'})",
                      {"grams": index_grams("电子营业执照")})
        old.ensure_schema()
        types = {r["label"]: r["types"].get("search_grams") for r in old.run_read(cypher.FALKORDB_INDEXES)}
        assert types["Measure"] == ["FULLTEXT"] and types["PolicyDocument"] == ["FULLTEXT"]
        assert old.run_read("MATCH (m:Measure) RETURN m.search_grams AS g") == [{"g": index_text("电子营业执照")}]
        query, params = search_query("falkordb", ["营业执照"], "measure", 0, 10)
        assert [h["uri"] for h in old.run_read(query, params)[0]["page"]] == ["urn:m"]
    finally:
        old.delete_graph()
        old.close()


def test_neo4j_uses_its_cjk_index_for_han_text_only() -> None:
    query, params = search_query("neo4j", ["营业执照"], None, 0, 50)
    assert "db.index.fulltext.queryNodes('reformkg_measure_text', $fulltext)" in query
    assert params["fulltext"] == '("营业" AND "业执" AND "执照")'
    query, params = search_query("neo4j", ["2018年"], None, 0, 50)
    assert "fulltext" not in query and "search_grams" not in query  # a scan: the CJK index skips digits


def test_the_neo4j_search_texts_lint() -> None:
    """The Neo4j texts are never sent here (no Neo4j server): Neo4j's own linter checks every shape
    (tests/test_cypher_lint.py lints the FalkorDB texts the API sends)."""
    from test_cypher_lint import lint

    items = []
    for terms in (["营业执照"], ["营业执照", "營業執照"], ["2018年"], ["营"]):
        for kind in (None, "measure", "document", "agency"):
            query, params = search_query("neo4j", terms, kind, 0, 50)
            items.append({"name": f"{terms} {kind}", "query": query, "params": sorted(params)})
    errors = [f"{item['name']}: {d['message']}" for item, result in zip(items, lint(items), strict=True)
              for d in result["diagnostics"] if d["severity"] == "error"]
    assert not errors, "\n".join(errors)


def test_the_index_finds_case_width_and_digit_variants_exactly(falkor) -> None:
    """Latin in both cases, full-width forms, digits and other scripts: whatever the index does
    with such strings (FalkorDB folds case in its index), the hits are those of a scan."""
    titles = ["AbC改革", "abc改革", "ＡＢＣ改革", "x1y2试点", "Ⅷ号文件", "Straße与STRASSE", "İstanbul口岸", "a_b", "营"]
    rows = [{"uri": f"urn:m{i}", "title": t, "grams": index_text(t)} for i, t in enumerate(titles)]
    falkor.run_write("CREATE (:PolicyDocument {uri: 'urn:d', title: '文件'})")
    falkor.run_write("MATCH (d:PolicyDocument) UNWIND $rows AS r "
                     "CREATE (:Measure {uri: r.uri, title: r.title, body: '', span_start: 0, search_grams: r.grams})"
                     "-[:PART_OF]->(d)", {"rows": rows})
    for term in ["bC", "Bc", "BC", "abc", "ＢＣ", "1y", "y2试", "Ⅷ号", "ß与", "SS", "İs", "is", "a_", "改革", "营"]:
        query, params = search_query("falkordb", [term], "measure", 0, 100)
        got = [h["uri"] for h in falkor.run_read(query, params)[0]["page"]]
        assert got == [r["uri"] for r in rows if term in r["title"]], term


def test_measure_lists_with_a_text_use_the_index_and_give_a_scans_rows(seed_graph) -> None:
    """``/measures?text=`` (and the planners' search page) take their candidates from the bigram index
    on FalkorDB: the same rows as the scan, for texts of every kind; a text without bigrams scans."""
    from dataclasses import replace

    from api.routers import measures

    base = {"zone": None, "agency": None, "category": None, "scope": None, "document": None, "year": None,
            "roles": list(measures.ROLE_TYPES.values()), "offset": 0, "limit": 1000}
    found = 0
    for text in _texts(seed_graph):
        terms = list(dict.fromkeys([normalise_value(text), text.strip()]))
        query_base, params = measures.list_base("falkordb", {**base, "text": terms})
        scanned = measures.LIST.run(seed_graph, {**base, "text": terms})
        assert replace(measures.LIST, base=query_base).run(seed_graph, params) == scanned, text
        assert (query_base == measures.LIST_BASE_INDEXED) == all(query_grams(t) for t in terms)
        found += bool(scanned[0])
    assert found > 100
    assert measures.list_base("neo4j", {**base, "text": ["营业执照"]})[0] == measures.LIST_BASE
