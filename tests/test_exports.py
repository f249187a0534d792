"""GraphML and the CSV files for ``neo4j-admin database import``, from the seed graph."""

from __future__ import annotations

import csv
import json
import re
from datetime import date

import networkx as nx
import pytest

from graph import cypher
from graph.payload import Node, Rel
from ontology.schema import EDGE_PROPS, NODE_LABELS, PROPS, REL_TYPES
from reformkg import cli, exports

ID = "https://w3id.org/reformkg/id/"
QIANHAI = ID + "zone/qianhai-shekou"
HEADER_TYPES = {"string", "string[]", "int", "double", "boolean", "date"}


def totals(store) -> tuple[int, int]:
    counts = store.counts()
    return sum(counts["nodes"].values()), sum(counts["relationships"].values())


# ---------------------------------------------------------------- GraphML


@pytest.fixture(scope="module")
def graphml(seed_graph, tmp_path_factory):
    path = tmp_path_factory.mktemp("graphml") / "seed.graphml"
    exports.write_graphml(seed_graph, path)
    return nx.read_graphml(path, force_multigraph=True)


def test_graphml_counts_match_the_graph(seed_graph, graphml):
    nodes, rels = totals(seed_graph)
    assert (graphml.number_of_nodes(), graphml.number_of_edges()) == (nodes, rels)
    assert graphml.is_directed() and graphml.is_multigraph()
    by_label: dict[str, int] = {}
    for _, attrs in graphml.nodes(data=True):
        by_label[attrs["label"]] = by_label.get(attrs["label"], 0) + 1
    assert by_label == seed_graph.counts()["nodes"]
    by_type: dict[str, int] = {}
    for _, _, attrs in graphml.edges(data=True):
        by_type[attrs["type"]] = by_type.get(attrs["type"], 0) + 1
    assert by_type == seed_graph.counts()["relationships"]


def test_graphml_attributes(seed_graph, graphml):
    zone = graphml.nodes[QIANHAI]
    assert zone["label"] == "PilotZone" and zone["name"] == "深圳前海蛇口片区" and zone["zone_id"] == "qianhai-shekou"
    stored = seed_graph.run_read("MATCH (z:PilotZone {uri: $u}) RETURN z.aliases AS a", {"u": QIANHAI})[0]["a"]
    assert sorted(json.loads(zone["aliases"])) == sorted(stored)  # lists: a JSON array in a string
    row = seed_graph.run_read("MATCH (m:Measure) WHERE m.deadline IS NOT NULL "
                              "RETURN m.uri AS uri, m.deadline AS d, m.span_start AS s ORDER BY uri LIMIT 1")[0]
    measure = graphml.nodes[row["uri"]]
    assert measure["deadline"] == row["d"].isoformat()  # dates: ISO strings
    assert measure["span_start"] == row["s"] and isinstance(measure["span_start"], int)
    doc = next(a for _, a in graphml.nodes(data=True) if a["label"] == "PolicyDocument" and "issued" in a)
    assert date.fromisoformat(doc["issued"])
    agency = next(a for _, a in graphml.nodes(data=True) if a["label"] == "Agency" and "is_government" in a)
    assert isinstance(agency["is_government"], bool)
    # edges: type and properties
    edge = seed_graph.run_read("MATCH (m)-[r:PROMOTED_TO]->(s) WHERE r.date IS NOT NULL "
                               "RETURN m.uri AS m, s.uri AS s, r.date AS d, r.batch AS b ORDER BY m LIMIT 1")[0]
    attrs = graphml.get_edge_data(edge["m"], edge["s"])["PROMOTED_TO"]
    assert attrs["type"] == "PROMOTED_TO" and attrs["date"] == edge["d"].isoformat()
    if edge["b"] is not None:
        assert attrs["batch"] == edge["b"]
    derived = [a for _, _, a in graphml.edges(data=True) if a["type"] == "DERIVED_FROM"]
    assert derived and all(isinstance(json.loads(a["evidence"]), list) and isinstance(a["score"], float)
                           for a in derived if "evidence" in a)


def test_graphml_keys_have_one_type_each(seed_graph, tmp_path):
    path = tmp_path / "seed.graphml"
    exports.write_graphml(seed_graph, path)
    text = path.read_text("utf-8")
    keys = re.findall(r'<key [^>]*attr\.name="([^"]+)"[^>]*for="(node|edge)"', text) or \
        re.findall(r'<key [^>]*for="(node|edge)"[^>]*attr\.name="([^"]+)"', text)
    assert keys and len(keys) == len(set(keys))


def test_cli_export_graphml(seed_graph, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    monkeypatch.setattr(cli, "open_graph", lambda *a, **k: _Keep().wrap(seed_graph))
    out = tmp_path / "g.graphml"
    result = CliRunner().invoke(cli.app, ["export", "graphml", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert nx.read_graphml(out, force_multigraph=True).number_of_nodes() == totals(seed_graph)[0]


class _Keep:
    """The seed store, with a close() that keeps it open for the other tests."""

    def wrap(self, store):
        self._store = store
        return self

    def __getattr__(self, name):
        return getattr(self._store, name)

    def close(self) -> None:
        pass


# ---------------------------------------------------------------- neo4j-admin CSV


def read_csv(path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


@pytest.fixture(scope="module")
def neo4j_dir(seed_graph, tmp_path_factory):
    directory = tmp_path_factory.mktemp("neo4j")
    exports.write_neo4j_csv(seed_graph, directory)
    return directory


def test_neo4j_csv_headers_follow_the_import_format(neo4j_dir, seed_graph):
    counts = seed_graph.counts()
    node_files = sorted(neo4j_dir.glob("nodes_*.csv"))
    rel_files = sorted(neo4j_dir.glob("relationships_*.csv"))
    assert {f.name for f in node_files} == {f"nodes_{label}.csv" for label in counts["nodes"]}
    assert {f.name for f in rel_files} == {f"relationships_{t}.csv" for t in counts["relationships"]}
    for f in node_files:
        header = read_csv(f)[0]
        assert header[:2] == ["uri:ID", ":LABEL"], f.name
        for column in header[2:]:
            name, _, kind = column.partition(":")
            assert name in PROPS and kind in HEADER_TYPES, column
            assert kind == exports.NEO4J_TYPES[PROPS[name].datatype], column
    for f in rel_files:
        header = read_csv(f)[0]
        assert header[:3] == [":START_ID", ":END_ID", ":TYPE"], f.name
        for column in header[3:]:
            name, _, kind = column.partition(":")
            assert name in EDGE_PROPS and kind == exports.NEO4J_TYPES[EDGE_PROPS[name].datatype], column
    measure = read_csv(neo4j_dir / "nodes_Measure.csv")[0]
    assert "span_start:int" in measure and "deadline:date" in measure and "title:string" in measure
    assert "aliases:string[]" in read_csv(neo4j_dir / "nodes_PilotZone.csv")[0]
    assert "issued:date" in read_csv(neo4j_dir / "nodes_PolicyDocument.csv")[0]
    assert "is_government:boolean" in read_csv(neo4j_dir / "nodes_Agency.csv")[0]


def test_neo4j_csv_counts_ends_and_values(neo4j_dir, seed_graph):
    counts = seed_graph.counts()
    ids: dict[str, str] = {}
    for label, n in counts["nodes"].items():
        rows = read_csv(neo4j_dir / f"nodes_{label}.csv")
        assert len(rows) - 1 == n, label
        header = rows[0]
        for row in rows[1:]:
            assert len(row) == len(header) and row[1] == label
            assert row[0] not in ids, row[0]  # one ID space: IRIs are unique across labels
            ids[row[0]] = label
    for rel_type, n in counts["relationships"].items():
        rows = read_csv(neo4j_dir / f"relationships_{rel_type}.csv")
        assert len(rows) - 1 == n, rel_type
        spec = REL_TYPES[rel_type]
        for row in rows[1:]:
            assert row[2] == rel_type
            assert ids.get(row[0]) == spec.start and ids.get(row[1]) == spec.end, row[:3]
    # values read back as stored
    rows = read_csv(neo4j_dir / "nodes_PilotZone.csv")
    header = rows[0]
    zone = dict(zip(header, next(r for r in rows if r[0] == QIANHAI)))
    stored = seed_graph.run_read("MATCH (z:PilotZone {uri: $u}) RETURN z.aliases AS a, z.name AS n", {"u": QIANHAI})[0]
    assert zone["aliases:string[]"].split(";") == stored["a"] and zone["name:string"] == stored["n"]
    # every Measure title (with commas, quotes and Chinese) comes back exactly
    rows = read_csv(neo4j_dir / "nodes_Measure.csv")
    i, t = rows[0].index("uri:ID"), rows[0].index("title:string")
    titles = {r[i]: r[t] for r in rows[1:]}
    stored = {r["uri"]: r["t"] for r in seed_graph.run_read("MATCH (m:Measure) RETURN m.uri AS uri, m.title AS t")}
    assert titles == {u: v or "" for u, v in stored.items()}
    assert any("," in v or '"' in v or "“" in v for v in titles.values())


def test_neo4j_import_script_and_readme(neo4j_dir, seed_graph):
    script = (neo4j_dir / "import.sh").read_text("utf-8")
    assert "database import full" in script
    for option in ("--id-type=string", '--array-delimiter=";"', "--multiline-fields=true"):
        assert option in script
    counts = seed_graph.counts()
    for label in counts["nodes"]:
        assert f'--nodes="$DIR/nodes_{label}.csv"' in script
    for rel_type in counts["relationships"]:
        assert f'--relationships="$DIR/relationships_{rel_type}.csv"' in script
    # run it with a stand-in for neo4j-admin that prints its arguments, one a line
    import os
    import subprocess

    fake = neo4j_dir.parent / "fake-neo4j-admin"
    fake.write_text('#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n', "utf-8")
    fake.chmod(0o755)
    out = subprocess.run(["sh", str(neo4j_dir / "import.sh"), "reform kg"], capture_output=True, text=True,
                         env={**os.environ, "NEO4J_ADMIN": str(fake)}, check=True).stdout.splitlines()
    assert out[:4] == ["database", "import", "full", "reform kg"]
    assert "--array-delimiter=;" in out and "--id-type=string" in out
    assert f"--nodes={neo4j_dir}/nodes_Measure.csv" in out
    assert len([a for a in out if a.startswith("--relationships=")]) == len(counts["relationships"])
    readme = (neo4j_dir / "README.md").read_text("utf-8")
    assert "neo4j-admin database import full neo4j" in readme and '--nodes="./nodes_Measure.csv"' in readme


def test_neo4j_csv_quoting_of_awkward_values(falkor, tmp_path):
    awkward = 'a, "quoted" title\nwith a newline, 中文，全角逗号'
    zone = ID + "zone/x"
    place = ID + "place/x"
    nodes = [Node("PilotZone", zone, {"name": awkward, "zone_id": "x", "aliases": ["前海", 'a "b", c']}),
             Node("Place", place, {"name": "深圳市", "level": "city"})]
    rels = [Rel("ZONE_WITHIN", zone, place)]
    falkor.run_write(*cypher.graph_write(nodes, rels, falkor.dialect))
    exports.write_neo4j_csv(falkor, tmp_path)
    raw = (tmp_path / "nodes_PilotZone.csv").read_text("utf-8")
    assert '"a, ""quoted"" title\nwith a newline, 中文，全角逗号"' in raw
    rows = read_csv(tmp_path / "nodes_PilotZone.csv")
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1]))
    assert row["name:string"] == awkward
    assert sorted(row["aliases:string[]"].split(";")) == sorted(["前海", 'a "b", c'])
    assert read_csv(tmp_path / "relationships_ZONE_WITHIN.csv") == [[":START_ID", ":END_ID", ":TYPE"],
                                                                     [zone, place, "ZONE_WITHIN"]]
    # the array delimiter inside an item cannot be imported: refused, not written wrong
    falkor.run_write("MATCH (z:PilotZone) SET z.aliases = ['a;b']")
    with pytest.raises(ValueError, match="array delimiter"):
        exports.write_neo4j_csv(falkor, tmp_path / "again")


def test_cli_export_neo4j_csv(seed_graph, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    monkeypatch.setattr(cli, "open_graph", lambda *a, **k: _Keep().wrap(seed_graph))
    result = CliRunner().invoke(cli.app, ["export", "neo4j-csv", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "import.sh").is_file()
    assert len(list((tmp_path / "out").glob("*.csv"))) == len(NODE_LABELS.keys() & seed_graph.counts()["nodes"]) + \
        len(seed_graph.counts()["relationships"])
