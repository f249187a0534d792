"""Exports read back from the graph: measure records, RDF, GraphML and CSV for ``neo4j-admin``."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

from graph.backend import GraphBackend
from graph.payload import data_props
from queries import cypher

MEASURE_KEYS = ["uri", "source_file", "document", "seq", "title", "category", "lead", "participants",
                "pilot_zones", "scope", "deadline", "status"]


def measure_records(store: GraphBackend) -> list[dict[str, Any]]:
    """One record per measure with exactly MEASURE_KEYS, in document order."""
    links: dict[str, dict[str, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    for row in store.run_read(cypher("export_measure_links", store.dialect)):
        links[row["uri"]][row["kind"]].append((row["rank"] or 0, row["name"]))

    def names(uri: str, *kinds: str) -> list[str]:
        out: list[str] = []
        for kind in kinds:  # each kind in rank order, kinds in the order given
            out += [name for _, name in sorted(links[uri][kind]) if name not in out]
        return out

    records = []
    for r in store.run_read(cypher("export_measure_rows", store.dialect)):
        uri = r["uri"]
        categories = names(uri, "IN_CATEGORY")
        records.append({
            "uri": uri,
            "source_file": r["source_file"],
            "document": {"doc_number": r["doc_number"], "title": r["doc_title"], "issued": _iso(r["issued"])},
            "seq": r["seq"],
            "title": r["title"],
            "category": categories[0] if categories else None,
            "lead": names(uri, "LED_BY"),
            "participants": names(uri, "PARTICIPANT", "SUPPORTED_BY"),
            "pilot_zones": names(uri, "PILOTED_IN"),
            "scope": r["scope"],
            "deadline": _iso(r["deadline"]),
            "status": r["status"],
        })
    return records


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def flat(record: dict[str, Any]) -> dict[str, Any]:
    """A CSV row: lists joined with ';', the document as its number or title."""
    out = dict(record)
    doc = record["document"]
    out["document"] = doc["doc_number"] or doc["title"]
    for k in ("lead", "participants", "pilot_zones"):
        out[k] = ";".join(record[k])
    return out


def graph_dump(store: GraphBackend) -> tuple[list[dict], list[dict]]:
    """Every node and relationship, without the index properties (``graph.payload.INDEX_PROPS``)."""
    nodes = store.run_read(cypher("all_nodes", store.dialect))
    for node in nodes:
        node["props"] = data_props(node["props"])
    rels = store.run_read(cypher("all_relationships", store.dialect))
    return nodes, rels


def rdf_graph(store: GraphBackend):
    from graph.rdf import to_rdf

    return to_rdf(*graph_dump(store))


def rdf_text(store: GraphBackend, fmt: str) -> str:
    from graph.rdf import serialize

    return serialize(rdf_graph(store), fmt)


# ---------------------------------------------------------------- GraphML (Gephi, networkx)


def _schema_value(prop: Any, name: str, value: Any, where: str) -> Any:
    """A property value as its schema datatype says: int, float, bool, ISO date string, str, list of str."""
    kind = prop.datatype
    if kind == "strings":
        items = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
        return [str(v) for v in items if v is not None]
    if kind == "date":
        return _iso(value) if isinstance(value, date) else str(value)
    if kind == "integer" and not isinstance(value, bool):
        return int(value)
    if kind == "decimal" and not isinstance(value, bool):
        return float(value)
    if kind == "boolean":
        if not isinstance(value, bool):
            raise ValueError(f"{where}: property {name!r}: not a boolean: {value!r}")
        return value
    return value if isinstance(value, str) else str(value)


def _typed_props(props: dict[str, Any], table: dict[str, Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in props.items():
        if value is None or name == "uri":
            continue
        if name not in table:
            raise ValueError(f"{where}: property {name!r} is not in ontology/schema.py")
        out[name] = _schema_value(table[name], name, value, where)
    return out


def graphml_graph(store: GraphBackend):
    """The graph as a ``networkx.MultiDiGraph`` shaped for GraphML.

    Node id = the node's IRI; node attributes: ``label`` (its node label, e.g.
    ``Measure``) and its properties; edge key and attribute ``type`` = the
    relationship type, plus its properties.  GraphML has no list or date type:
    a list of strings (``aliases``, ``evidence``) is a JSON array in a string
    (``["前海","蛇口"]``: lossless, ``json.loads`` reads it back), a date its ISO
    string (``2018-08-14``).  Integers are ``long``, decimals ``double``,
    booleans ``boolean``; every attribute has one type across all nodes (edges),
    as the schema gives it.
    """
    import json

    import networkx as nx

    from ontology.schema import EDGE_PROPS, PROPS

    def encode(values: dict[str, Any]) -> dict[str, Any]:
        return {k: json.dumps(v, ensure_ascii=False) if isinstance(v, list) else v for k, v in values.items()}

    nodes, rels = graph_dump(store)
    g = nx.MultiDiGraph(name="ReformKG")
    for node in sorted(nodes, key=lambda n: n["props"]["uri"]):
        uri = node["props"]["uri"]
        attrs = encode(_typed_props(node["props"], PROPS, uri))
        g.add_node(uri, label=":".join(node["labels"]), **attrs)
    for rel in sorted(rels, key=lambda r: (r["type"], r["start"], r["end"])):
        where = f"{rel['type']} {rel['start']} -> {rel['end']}"
        attrs = encode(_typed_props(rel["props"] or {}, EDGE_PROPS, where))
        g.add_edge(rel["start"], rel["end"], key=rel["type"], type=rel["type"], **attrs)
    return g


def write_graphml(store: GraphBackend, out: Any) -> tuple[int, int]:
    """Write GraphML to ``out`` (a path or a binary file); (nodes, edges) written."""
    import networkx as nx

    g = graphml_graph(store)
    nx.write_graphml(g, out, encoding="utf-8", prettyprint=True)
    return g.number_of_nodes(), g.number_of_edges()


# ---------------------------------------------------------------- CSV for neo4j-admin database import

ARRAY_DELIMITER = ";"
# Schema datatype -> neo4j-admin header type.
NEO4J_TYPES = {"string": "string", "langString": "string", "strings": "string[]", "date": "date",
               "integer": "int", "decimal": "double", "boolean": "boolean"}
NEO4J_IMPORT_OPTIONS = ("--id-type=string", f'--array-delimiter="{ARRAY_DELIMITER}"', "--multiline-fields=true")


def _neo4j_field(value: Any, where: str, name: str) -> str:
    if value is None:
        return ""  # an empty unquoted field: no property
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        for item in value:
            if ARRAY_DELIMITER in item:
                raise ValueError(f"{where}: {name} item {item!r} holds the array delimiter {ARRAY_DELIMITER!r}")
        return ARRAY_DELIMITER.join(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _neo4j_columns(rows: list[dict[str, Any]], table: dict[str, Any]) -> list[str]:
    present = {name for row in rows for name in row}
    return [name for name in table if name in present]  # schema order


def neo4j_csv_files(store: GraphBackend) -> dict[str, list[list[str]]]:
    """File name -> rows (header first) for ``neo4j-admin database import full``.

    One ``nodes_<Label>.csv`` per label (``uri:ID``, ``:LABEL``, then the
    properties with typed headers: ``span_start:int``, ``issued:date``,
    ``aliases:string[]``, ``value:double``, ``is_government:boolean``, ...) and one
    ``relationships_<TYPE>.csv`` per type (``:START_ID``, ``:END_ID``, ``:TYPE``,
    typed properties).  Node IDs are the IRIs (one global ID space: IRIs are
    unique across labels; ``--id-type=string``); the ID column is stored as the
    ``uri`` property, as ReformKG expects.  Arrays are joined with ``;``.
    """
    from ontology.schema import EDGE_PROPS, PROPS

    nodes, rels = graph_dump(store)
    by_label: dict[str, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for node in nodes:
        uri = node["props"]["uri"]
        if len(node["labels"]) != 1:
            raise ValueError(f"{uri}: expected one label, has {node['labels']}")
        by_label[node["labels"][0]].append((uri, _typed_props(node["props"], PROPS, uri)))
    by_type: dict[str, list[tuple[str, str, dict[str, Any]]]] = defaultdict(list)
    for rel in rels:
        where = f"{rel['type']} {rel['start']} -> {rel['end']}"
        by_type[rel["type"]].append((rel["start"], rel["end"], _typed_props(rel["props"] or {}, EDGE_PROPS, where)))

    files: dict[str, list[list[str]]] = {}
    for label in sorted(by_label):
        items = sorted(by_label[label])
        columns = _neo4j_columns([p for _, p in items], PROPS)
        rows = [["uri:ID", ":LABEL"] + [f"{c}:{NEO4J_TYPES[PROPS[c].datatype]}" for c in columns]]
        rows += [[uri, label] + [_neo4j_field(p.get(c), uri, c) for c in columns] for uri, p in items]
        files[f"nodes_{label}.csv"] = rows
    for rel_type in sorted(by_type):
        items = sorted(by_type[rel_type], key=lambda x: (x[0], x[1]))
        columns = _neo4j_columns([p for _, _, p in items], EDGE_PROPS)
        rows = [[":START_ID", ":END_ID", ":TYPE"] + [f"{c}:{NEO4J_TYPES[EDGE_PROPS[c].datatype]}" for c in columns]]
        rows += [[s, e, rel_type] + [_neo4j_field(p.get(c), f"{rel_type} {s} -> {e}", c) for c in columns]
                 for s, e, p in items]
        files[f"relationships_{rel_type}.csv"] = rows
    return files


def neo4j_import_command(files: list[str], directory: str = "$DIR", database: str = '"$DATABASE"') -> str:
    """The ``neo4j-admin database import full`` command line for ``files`` (Neo4j 5.x)."""
    lines = [f"neo4j-admin database import full {database}", *NEO4J_IMPORT_OPTIONS]
    lines += [f'--nodes="{directory}/{f}"' for f in files if f.startswith("nodes_")]
    lines += [f'--relationships="{directory}/{f}"' for f in files if f.startswith("relationships_")]
    return " \\\n  ".join(lines)


def write_neo4j_csv(store: GraphBackend, directory: Path) -> dict[str, int]:
    """Write the CSV files, ``import.sh`` and ``README.md`` into ``directory``; data rows per file."""
    import csv

    files = neo4j_csv_files(store)
    directory.mkdir(parents=True, exist_ok=True)
    for name, rows in files.items():
        with (directory / name).open("w", encoding="utf-8", newline="") as fh:
            csv.writer(fh, quoting=csv.QUOTE_MINIMAL, lineterminator="\n").writerows(rows)
    script = (
        "#!/bin/sh\n"
        "# Import these files into a NEW Neo4j 5 database (it must not exist yet; for the default database\n"
        "# stop the server first, or add --overwrite-destination=true).  Usage: sh import.sh [database]\n"
        "# Then start Neo4j (and CREATE DATABASE for a non-default name); ReformKG's Neo4j backend creates\n"
        "# its uniqueness constraints on uri when it opens the database.\n"
        "set -eu\n"
        'DIR=$(cd "$(dirname "$0")" && pwd)\n'
        'DATABASE="${1:-neo4j}"\n'
        + neo4j_import_command(list(files)).replace("neo4j-admin ", '"${NEO4J_ADMIN:-neo4j-admin}" ', 1) + "\n"
    )
    (directory / "import.sh").write_text(script, encoding="utf-8")
    (directory / "import.sh").chmod(0o755)
    readme = (
        "# ReformKG for neo4j-admin database import\n\n"
        "One `nodes_<Label>.csv` per node label (`uri:ID`, `:LABEL`, typed properties) and one\n"
        "`relationships_<TYPE>.csv` per relationship type (`:START_ID`, `:END_ID`, `:TYPE`, typed\n"
        f"properties); IDs are the node IRIs, arrays are joined with `{ARRAY_DELIMITER}`, text may span lines.\n"
        "Into a new database (Neo4j 5; the database must not exist, the server stopped for the default one):\n\n"
        "```sh\n" + neo4j_import_command(list(files), directory=".", database="neo4j") + "\n```\n\n"
        "(run from this directory, or `sh import.sh [database]` from anywhere).\n"
    )
    (directory / "README.md").write_text(readme, encoding="utf-8")
    return {name: len(rows) - 1 for name, rows in files.items()}
