"""The API's read cache (graph/read_cache.py) on the real embedded database: an answer is reused
only while no write went through ReformKG since it was read."""

from __future__ import annotations

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
