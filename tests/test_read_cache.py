"""The API's read cache (graph/read_cache.py) on the real embedded database: an answer is reused
only while no write went through ReformKG since it was read."""

from __future__ import annotations

import time

from graph.falkor import FalkorBackend
from graph.read_cache import CachedReads, cached, frozen
from reformkg.load import Loader, bundled_corpus
from reformkg.settings import Settings

TITLES = "MATCH (m:Measure)-[:PART_OF]->(d:PolicyDocument) WHERE d.source_file = $f RETURN m.uri AS uri ORDER BY uri"


def test_answers_are_reused_until_a_write_changes_the_graph(falkor: FalkorBackend) -> None:
    corpus = bundled_corpus()
    Loader(falkor, Settings()).load(corpus[:2])
    reads = CachedReads(falkor, check_s=0)  # look the version up on every read
    name = corpus[0].name
    first = reads.run_read(TITLES, {"f": name})
    assert first == falkor.run_read(TITLES, {"f": name}) and len(first) > 0
    assert reads.run_read(TITLES, {"f": name}) == first and (reads.hits, reads.misses) == (1, 1)

    before = falkor.data_version()
    falkor.run_write("MATCH (m:Measure)-[:PART_OF]->(d:PolicyDocument {source_file: $f}) WITH m LIMIT 1 DETACH DELETE m",
                     {"f": name})
    assert falkor.data_version() > before  # every write through the backend bumps the version
    after = reads.run_read(TITLES, {"f": name})
    assert len(after) == len(first) - 1 and after == falkor.run_read(TITLES, {"f": name})
    assert reads.misses == 2

    other = corpus[-1].name
    assert reads.run_read(TITLES, {"f": other}) == []  # not loaded yet: an empty answer, kept
    Loader(reads, Settings()).load(corpus)  # a load through the wrapper: its writes bump it too
    assert reads.run_read(TITLES, {"f": other}) == falkor.run_read(TITLES, {"f": other}) != []


def test_rows_handed_out_are_copies_and_large_answers_are_not_kept(falkor: FalkorBackend) -> None:
    Loader(falkor, Settings()).load(bundled_corpus()[:1])
    reads = CachedReads(falkor, max_rows=3)
    rows = reads.run_read("MATCH (m:Measure) RETURN m.uri AS uri ORDER BY uri LIMIT 2")
    rows[0]["uri"] = "changed"
    assert reads.run_read("MATCH (m:Measure) RETURN m.uri AS uri ORDER BY uri LIMIT 2")[0]["uri"] != "changed"
    reads.run_read("MATCH (m:Measure) RETURN m.uri AS uri")  # more than max_rows: read, not kept
    assert len(reads._entries) == 1


def test_the_cache_wraps_only_what_it_can_invalidate(falkor: FalkorBackend) -> None:
    assert cached(falkor, 0) is falkor
    wrapped = cached(falkor, 16)
    assert isinstance(wrapped, CachedReads) and wrapped.dialect == "falkordb"
    assert cached(object(), 16).__class__ is object  # no data_version (Neo4j): not cached
    assert frozen({"a": [1, 2], "b": {"c": "x"}}) == frozen({"b": {"c": "x"}, "a": [1, 2]})
    assert frozen({"a": [1, 2]}) != frozen({"a": (1, 2, 3)}) and frozen({"a": {1, 2}}) is None


PILOTS = "/queries/pilots-promoted?zone=前海蛇口&scope=全市"


def test_named_query_bodies_are_kept_until_a_write_changes_the_graph(falkor: FalkorBackend) -> None:
    """The API keeps a named query's serialised answer per raw parameters and data version: the
    same bytes as built without the cache, again after a hit, and never after a write (here the
    version is looked up on every request)."""
    from fastapi.testclient import TestClient

    from api.app import create_app

    Loader(falkor, Settings()).load(bundled_corpus())
    reads = CachedReads(falkor, check_s=0)
    with TestClient(create_app(store=reads)) as c, TestClient(create_app(store=falkor)) as plain:
        first = c.get(PILOTS)
        assert first.status_code == 200 and first.json()["count"] == 37
        assert first.content == plain.get(PILOTS).content
        assert first.headers["content-type"] == "application/json"
        misses = reads.misses
        again = c.get(PILOTS)
        assert again.content == first.content and reads.misses == misses and len(reads._answers) == 1
        posted = c.post("/queries/pilots-promoted", json={"zone": "前海蛇口", "scope": "全市"})
        assert posted.content == first.content and len(reads._answers) == 1  # the same raw values: one body
        limited = c.post("/queries/pilots-promoted", json={"zone": "前海蛇口", "scope": "全市", "limit": 5})
        assert limited.json()["rows"] == first.json()["rows"][:5] and len(reads._answers) == 2

        bad = c.get("/queries/pilots-promoted?zone=火星&scope=全市")  # an error is a problem, not kept
        assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
        assert c.get("/queries/pilots-promoted?zone=火星&scope=全市").json() == bad.json()
        assert len(reads._answers) == 2

        gone = first.json()["rows"][0]["uri"]
        falkor.run_write("MATCH (m:Measure {uri: $u}) DETACH DELETE m", {"u": gone})
        after = c.get(PILOTS).json()
        assert after["count"] == 36 and gone not in {r["uri"] for r in after["rows"]}
        assert after == plain.get(PILOTS).json()


def test_a_fresh_version_answers_from_memory_without_the_database(falkor: FalkorBackend) -> None:
    """While the version looked up is under ``check_s`` old, a kept body is served on the event
    loop without a round trip; bodies are bounded in number and bytes."""
    from fastapi.testclient import TestClient

    from api.app import create_app

    Loader(falkor, Settings()).load([f for f in bundled_corpus() if "qianhai" in f.name])
    reads = CachedReads(falkor, check_s=3600)
    assert reads.fresh_version() is None  # never looked up
    with TestClient(create_app(store=reads)) as c:
        first = c.get(PILOTS)
        assert first.status_code == 200 and reads.fresh_version() == falkor.data_version()
        calls: list[object] = []
        real = falkor.data_version
        falkor.data_version = lambda: calls.append(1) or real()  # type: ignore[method-assign]
        try:
            assert c.get(PILOTS).content == first.content and calls == []
        finally:
            del falkor.data_version

    small = CachedReads(falkor, max_entries=2, max_answer_bytes=16 * 100)
    for i in range(3):
        small.keep_answer(("k", i), 1, b"x" * 10)
    assert list(small._answers) == [("k", 1), ("k", 2)]  # the least recently used went first
    small.keep_answer(("big",), 1, b"x" * 101)  # over a sixteenth of the budget: not kept
    assert small.answer(("big",), 1) is None and small.answer(("k", 2), 2) is None
    small.keep_answer(("k", 2), 0, b"older")  # an older body never replaces a newer one
    assert small.answer(("k", 2), 1) == b"x" * 10


def test_requests_missing_the_same_answer_together_build_it_once(falkor: FalkorBackend) -> None:
    """Eight threads asking the same question of a cold cache at once: one runs the query, the
    others wait for its body."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from api.routers import named_queries

    Loader(falkor, Settings()).load([f for f in bundled_corpus() if "qianhai" in f.name])
    reads = CachedReads(falkor)
    text = named_queries.registry.get("pilots-promoted").text_for(falkor.dialect)
    ran: list[str] = []
    started = threading.Barrier(8)
    real = falkor.run_read

    def counting(query, params=None):
        if query == text:
            ran.append(params["scope"][0])
            time.sleep(0.2)  # long enough for the others to arrive
        return real(query, params)

    falkor.run_read = counting  # type: ignore[method-assign]
    raw = {"zone": "前海蛇口", "scope": "全市"}
    key = ("named-query", "pilots-promoted", frozen(raw))

    def ask(_: int) -> bytes:
        started.wait()
        return named_queries._answer(reads, reads, "pilots-promoted", raw, key).body

    try:
        with ThreadPoolExecutor(8) as pool:
            bodies = list(pool.map(ask, range(8)))
    finally:
        del falkor.run_read
    assert len(set(bodies)) == 1 and len(ran) == 1
    assert reads._building == {}  # nothing left behind
