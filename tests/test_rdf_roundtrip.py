"""RDF both ways on the embedded default: export, import into an empty graph, export again."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import RDF

from graph.rdf import parse, serialize, validate
from ontology.namespace import RKG
from reformkg import cli, exports
from reformkg.rdf_import import RdfImportError, import_graph, import_rdf, read_rdf

ID = "https://w3id.org/reformkg/id/"


@pytest.fixture(scope="module")
def seed_rdf(seed_graph):
    return exports.rdf_graph(seed_graph)


def _diff(a, b) -> str:
    _both, only_a, only_b = graph_diff(to_isomorphic(a), to_isomorphic(b))
    return (f"only in the first ({len(only_a)}): {sorted(only_a)[:5]}\n"
            f"only in the second ({len(only_b)}): {sorted(only_b)[:5]}")


def test_seed_export_conforms_to_the_shapes(seed_rdf):
    conforms, report = validate(seed_rdf)
    print(report)
    assert conforms, report[:5000]


def test_seed_round_trip_is_isomorphic(seed_graph, seed_rdf, falkor):
    report = import_graph(falkor, seed_rdf, source="seed")
    assert report.ignored_triples == 0
    assert falkor.counts() == seed_graph.counts()
    again = exports.rdf_graph(falkor)
    assert len(again) == len(seed_rdf)
    assert isomorphic(seed_rdf, again), _diff(seed_rdf, again)


def test_imported_values_are_native(seed_rdf, falkor):
    import_graph(falkor, seed_rdf, source="seed", check_shapes=False)
    rows = falkor.run_read("MATCH (d:PolicyDocument) WHERE d.issued IS NOT NULL "
                           "RETURN d.issued AS issued, d.year AS year ORDER BY d.uri LIMIT 1")
    assert isinstance(rows[0]["issued"], date) and isinstance(rows[0]["year"], int)
    rows = falkor.run_read("MATCH ()-[p:PROMOTED_TO]->() WHERE p.date IS NOT NULL RETURN p.date AS d LIMIT 1")
    assert isinstance(rows[0]["d"], date)
    # a date comparison works only on native dates
    rows = falkor.run_read("MATCH (m:Measure) WHERE m.deadline < date('2018-01-01') RETURN count(m) AS n")
    assert rows[0]["n"] > 0
    rows = falkor.run_read("MATCH (z:PilotZone {zone_id: 'qianhai-shekou'}) RETURN z.aliases AS a")
    assert "前海" in rows[0]["a"]


@pytest.mark.parametrize("fmt,suffix", [("turtle", ".ttl"), ("jsonld", ".jsonld"), ("nt", ".nt")])
def test_cli_round_trip_through_files(seed_graph, seed_rdf, falkor, tmp_path, monkeypatch, fmt, suffix):
    from typer.testing import CliRunner

    runner = CliRunner()
    stores = iter([seed_graph, falkor, falkor])
    monkeypatch.setattr(cli, "open_graph", lambda *a, **k: _Unclosed(next(stores)))
    out = tmp_path / f"seed{suffix}"
    result = runner.invoke(cli.app, ["export", "rdf", "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli.app, ["import", "rdf", str(out)])  # the format from the suffix
    assert result.exit_code == 0, result.output
    counts = seed_graph.counts()
    nodes, rels = sum(counts["nodes"].values()), sum(counts["relationships"].values())
    assert f"imported {nodes} nodes and {rels} relationships" in result.output
    again = tmp_path / f"again{suffix}"
    result = runner.invoke(cli.app, ["export", "rdf", "--format", fmt, "-o", str(again)])
    assert result.exit_code == 0, result.output
    a, b = read_rdf(out), read_rdf(again)
    assert isomorphic(a, seed_rdf)
    assert isomorphic(a, b), _diff(a, b)


class _Unclosed:
    """A store the CLI may close: the fixtures close theirs."""

    def __init__(self, store):
        self._store = store

    def __getattr__(self, name):
        return getattr(self._store, name)

    def close(self) -> None:
        pass


def _small_turtle() -> str:
    return f"""@prefix rkg: <{RKG}> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
<{ID}place/shenzhen> a rkg:Place ; skos:prefLabel "深圳市"@zh-Hans ; rkg:level "city" ; skos:notation "shenzhen" .
<{ID}zone/qianhai-shekou> a rkg:PilotZone ; skos:prefLabel "深圳前海蛇口片区"@zh-Hans ;
    skos:notation "qianhai-shekou" ; geo:sfWithin <{ID}place/shenzhen> .
"""


def test_small_file_imports_and_refuses_a_non_empty_graph(falkor, tmp_path):
    path = tmp_path / "small.ttl"
    path.write_text(_small_turtle(), encoding="utf-8")
    g = read_rdf(path)
    conforms, report = validate(g)
    assert conforms, report
    result = import_rdf(falkor, path)
    assert (result.nodes, result.relationships) == (2, 1)
    before = falkor.counts()
    with pytest.raises(RdfImportError, match=r"small\.ttl: the graph is not empty"):
        import_rdf(falkor, path)
    assert falkor.counts() == before
    # --replace: the old graph goes in the same write
    result = import_rdf(falkor, path, replace=True)
    assert result.replaced and falkor.counts() == before


def test_replace_swaps_the_whole_graph(seed_rdf, falkor, tmp_path):
    import_graph(falkor, seed_rdf, source="seed", check_shapes=False)
    path = tmp_path / "small.ttl"
    path.write_text(_small_turtle(), encoding="utf-8")
    import_rdf(falkor, path, replace=True)
    assert falkor.counts() == {"nodes": {"PilotZone": 1, "Place": 1}, "relationships": {"ZONE_WITHIN": 1}}


def test_non_conforming_rdf_is_refused_and_nothing_written(falkor, tmp_path):
    # a measure without a document, title or source: the shapes refuse it
    bad = _small_turtle() + f"<{ID}measure/x/1> a rkg:Measure ; rkg:seq 1 .\n"
    path = tmp_path / "bad.ttl"
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(RdfImportError) as info:
        import_rdf(falkor, path)
    message = str(info.value)
    assert message.startswith(f"{path}: does not conform to the SHACL shapes")
    assert f"{ID}measure/x/1" in message
    assert falkor.counts().get("nodes", {}) == {}


def test_malformed_turtle_names_file_and_line(falkor, tmp_path):
    path = tmp_path / "broken.ttl"
    path.write_text(_small_turtle() + f'<{ID}place/x> a rkg:Place ; skos:prefLabel "unterminated .\n', "utf-8")
    with pytest.raises(RdfImportError, match=rf"^{path}:7:\d+: turtle syntax error"):
        import_rdf(falkor, path)
    assert falkor.counts().get("nodes", {}) == {}


def test_malformed_ntriples_and_jsonld_name_the_line(tmp_path):
    nt = tmp_path / "broken.nt"
    nt.write_text(f"<{ID}a> <{ID}b> <{ID}c> .\n\n<{ID}a> <{ID}b> zz .\n", "utf-8")
    with pytest.raises(RdfImportError, match=rf"^{nt}:3: N-Triples syntax error"):
        read_rdf(nt)
    js = tmp_path / "broken.jsonld"
    js.write_text('{"@id": "x",\n  "y": [\n}', "utf-8")
    with pytest.raises(RdfImportError, match=rf"^{js}:3:1: JSON error"):
        read_rdf(js)
    remote = tmp_path / "remote.jsonld"
    remote.write_text('{"@context": "https://schema.org/", "@id": "http://a/x", "name": "x"}', "utf-8")
    with pytest.raises(RdfImportError, match="remote JSON-LD context"):
        read_rdf(remote)
    binary = tmp_path / "binary.ttl"
    binary.write_bytes(b"<a> <b> \xff\xfe .")
    with pytest.raises(RdfImportError, match=rf"^{binary}:1: not UTF-8"):
        read_rdf(binary)


def test_dangling_relationship_end_is_refused(falkor, tmp_path):
    path = tmp_path / "dangling.ttl"
    # the zone lies within a place that is not in the file
    text = _small_turtle().replace(f"geo:sfWithin <{ID}place/shenzhen>", f"geo:sfWithin <{ID}place/nowhere>")
    path.write_text(text, encoding="utf-8")
    g = read_rdf(path)
    with pytest.raises(RdfImportError, match="relationship ends are not typed nodes"):
        import_graph(falkor, g, source=str(path), check_shapes=False)
    assert falkor.counts().get("nodes", {}) == {}


def test_a_failing_write_leaves_the_graph_as_it_was(falkor, tmp_path, monkeypatch):
    """One query: if the database refuses it, neither the deletion nor the new nodes happen."""
    path = tmp_path / "small.ttl"
    path.write_text(_small_turtle(), encoding="utf-8")
    import_rdf(falkor, path)
    before = falkor.counts()
    from graph import cypher

    real = cypher.graph_write

    def broken(*args, **kwargs):
        query, params = real(*args, **kwargs)
        # fails at run time, after the deletion and the merges: the uri is unique per label
        fail = f"WITH count(*) AS _\nCREATE (:Place {{uri: '{ID}place/shenzhen'}})\nRETURN 1 AS done"
        return query.replace("RETURN count(*) AS done", fail), params

    monkeypatch.setattr(cypher, "graph_write", broken)
    with pytest.raises(RdfImportError, match="the database refused the write"):
        import_rdf(falkor, path, replace=True)
    assert falkor.counts() == before


def test_text_formats_parse_back(seed_rdf):
    for fmt in ("turtle", "json-ld", "nt"):
        assert isomorphic(parse(serialize(seed_rdf, fmt), fmt), seed_rdf), fmt
    assert (URIRef(ID + "zone/qianhai-shekou"), RDF.type, RKG.PilotZone) in seed_rdf
    assert any(isinstance(o, Literal) for o in seed_rdf.objects(URIRef(ID + "zone/qianhai-shekou"), None))


def test_suffix_decides_the_format(tmp_path):
    from reformkg.rdf_import import guess_format

    assert guess_format(Path("a.ttl")) == "turtle"
    assert guess_format(Path("a.jsonld")) == "json-ld"
    assert guess_format(Path("a.nt")) == "nt"
    assert guess_format(Path("a.ttl"), "nt") == "nt"
    with pytest.raises(RdfImportError, match="unknown RDF format"):
        guess_format(Path("a.ttl"), "rdfxml")


def test_graph_write_builder():
    from graph.cypher import CHAIN, graph_write
    from graph.payload import Node, Rel

    zone, place = ID + "zone/x", ID + "place/x"
    nodes = [Node("PilotZone", zone, {"name": "甲", "aliases": ["a"]}), Node("Place", place, {"name": "乙"})]
    rels = [Rel("ZONE_SUCCEEDED_BY", zone, zone, {"date": date(2021, 9, 17)}), Rel("ZONE_WITHIN", zone, place)]
    query, params = graph_write(nodes, rels)
    other, _ = graph_write([Node("PilotZone", zone, {"name": "丙"}), Node("Place", place, {})], rels)
    assert query == other  # values travel as parameters only
    assert "DETACH DELETE" not in query and query.count(CHAIN) == 3
    assert params["rels_ZONE_SUCCEEDED_BY"][0]["dates"] == {"date": "2021-09-17"}
    assert params["nodes_PilotZone"][0]["lists"]["aliases"] == ["a"]
    replace, _ = graph_write(nodes, rels, "neo4j", replace=True)
    assert replace.startswith("MATCH (n)\nDETACH DELETE n\n" + CHAIN)
    with pytest.raises(ValueError, match="appears twice"):
        graph_write(nodes + nodes[:1], rels)
    with pytest.raises(ValueError, match="appears twice"):
        graph_write(nodes, rels + rels[:1])
    with pytest.raises(ValueError, match="needs a Place"):
        graph_write(nodes, [Rel("ZONE_WITHIN", zone, zone)])
    with pytest.raises(ValueError, match="not a YYYY-MM-DD date"):
        graph_write([Node("PolicyDocument", ID + "document/x", {"issued": "2018-02-30"})], [])
