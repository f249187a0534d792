"""``reformkg import rdf FILE``: RDF in the ontology's terms into an empty graph.

The inverse of ``reformkg export rdf``: the file is read (Turtle, JSON-LD or
N-Triples), checked against the SHACL shapes (``ontology/shapes.ttl``), turned
into nodes and relationships by ``graph.rdf.from_rdf`` and written in ONE
atomic write query (``graph.cypher.graph_write``): the graph gets all of it or
nothing.  Exporting the imported graph gives RDF isomorphic to the file's
(when the file is an export of ours; triples outside the ontology's terms are
not kept and are counted in the report).

Refused, with nothing written, each with an error naming the file:

- a non-empty graph, unless ``replace`` (then the old graph is deleted in the
  same write query, so it is only gone if the new one lands);
- a file that is too large, not UTF-8, or not parseable (the line and column
  of the syntax error: ``file.ttl:12:5: …``);
- a JSON-LD file with a remote ``@context`` (it is not fetched);
- RDF that does not conform to the shapes (the report's first results);
- a node typed with two of our classes, a relationship whose end is not a node
  of the file, or a relationship given twice with different properties.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph

from graph import cypher
from graph.backend import GraphBackend
from graph.payload import Node, Rel
from graph.rdf import FORMATS, from_rdf, parse, to_rdf, validate
from graph.linking import link_terms
from graph.search_index import PROPERTY as SEARCH_GRAMS
from graph.search_index import grams_for

__all__ = ["ImportReport", "RdfImportError", "guess_format", "import_graph", "import_rdf", "read_rdf"]

SUFFIX_FORMATS = {".ttl": "turtle", ".turtle": "turtle", ".jsonld": "json-ld", ".json": "json-ld", ".nt": "nt"}
MAX_SHACL_MESSAGES = 5


class RdfImportError(ValueError):
    """An import refused before anything was written (the message names the file)."""


@dataclass(frozen=True, slots=True)
class ImportReport:
    file: str
    triples: int  # in the file
    nodes: int
    relationships: int
    ignored_triples: int  # triples of the file that are not in the ontology's terms (not imported)
    replaced: bool

    def summary(self) -> str:
        text = (f"{self.file}: imported {self.nodes} nodes and {self.relationships} relationships "
                f"from {self.triples} triples")
        if self.ignored_triples:
            text += f" ({self.ignored_triples} triples outside the ontology's terms ignored)"
        return text + (" (the old graph replaced)" if self.replaced else "")


def guess_format(path: Path, fmt: str | None = None) -> str:
    """The rdflib-side format name of ``fmt`` (turtle, jsonld, nt, ...) or of the file's suffix."""
    if fmt:
        try:
            return FORMATS[fmt.lower()]
        except KeyError:
            raise RdfImportError(f"{path}: unknown RDF format {fmt!r}; use turtle, jsonld or nt") from None
    return SUFFIX_FORMATS.get(path.suffix.lower(), "turtle")


def read_rdf(path: Path, fmt: str | None = None, *, max_bytes: int | None = None) -> Graph:
    """The RDF graph in ``path``; RdfImportError naming the file (and line) if it cannot be read."""
    rdf_format = guess_format(path, fmt)
    try:
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise RdfImportError(f"{path}: {size} bytes, more than the limit of {max_bytes} (REFORMKG_MAX_FILE_MB)")
        data = path.read_bytes()
    except OSError as exc:
        raise RdfImportError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise RdfImportError(f"{path}:{line}: not UTF-8 (byte {exc.start})") from None
    if "\x00" in text:
        raise RdfImportError(f"{path}:{text[: text.index(chr(0))].count(chr(10)) + 1}: a NUL character")
    if rdf_format == "json-ld":
        _check_jsonld(path, text)
    try:
        return parse(text, rdf_format)
    except Exception as exc:  # noqa: BLE001 - rdflib raises many kinds: name the file and place of each
        raise RdfImportError(_parse_message(path, text, rdf_format, exc)) from None


def _parse_message(path: Path, text: str, rdf_format: str, exc: Exception) -> str:
    from rdflib.plugins.parsers.notation3 import BadSyntax

    if isinstance(exc, BadSyntax):
        index = exc._i  # character offset into the text
        column = index - text.rfind("\n", 0, index)
        return f"{path}:{exc.lines + 1}:{column}: {rdf_format} syntax error: {exc._why}"
    if isinstance(exc, json.JSONDecodeError):
        return f"{path}:{exc.lineno}:{exc.colno}: JSON error: {exc.msg}"
    if rdf_format == "nt":
        line = _bad_ntriples_line(text)
        if line is not None:
            return f"{path}:{line}: N-Triples syntax error: {_first_line(exc)}"
    return f"{path}: {rdf_format} error: {_first_line(exc)}"


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _bad_ntriples_line(text: str) -> int | None:
    """The number of the first line that is not a triple (N-Triples is one triple a line)."""
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            Graph().parse(data=line + "\n", format="nt")
        except Exception:  # noqa: BLE001 - any error of the parser marks the line
            return number
    return None


def _check_jsonld(path: Path, text: str) -> None:
    """Refuse JSON that does not decode, and remote contexts (rdflib would fetch them)."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RdfImportError(f"{path}:{exc.lineno}:{exc.colno}: JSON error: {exc.msg}") from None

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in ("@context", "@import") and _remote(item):
                    raise RdfImportError(f"{path}: a remote JSON-LD context ({key}) is not fetched; "
                                         "inline it (reformkg export rdf --format jsonld does)")
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(doc)


def _remote(context: Any) -> bool:
    if isinstance(context, str):
        return True
    if isinstance(context, list):
        return any(isinstance(c, str) for c in context)
    return False


# ---------------------------------------------------------------- the graph


def shacl_summary(report: str, limit: int = MAX_SHACL_MESSAGES) -> list[str]:
    """The first results of a pyshacl text report, one line each: focus node, path, message."""
    results: list[dict[str, str]] = []
    for line in report.splitlines():
        stripped = line.strip()
        if re.match(r"^(Constraint Violation|Validation Result|Warning|Info)\b", stripped):
            results.append({"kind": stripped.split(" in ")[0]})
        elif results and ":" in stripped:
            key, _, value = stripped.partition(":")
            results[-1].setdefault(key.strip(), value.strip())
    lines = []
    for r in results[:limit]:
        where = r.get("Focus Node", "?") + (f" {r['Result Path']}" if r.get("Result Path") else "")
        lines.append(f"{where}: {r.get('Message') or r['kind']}")
    if len(results) > limit:
        lines.append(f"... and {len(results) - limit} more")
    return lines or [report.strip()[:500]]


def graph_payload(g: Graph, source: str = "<rdf>") -> tuple[list[Node], list[Rel]]:
    """The nodes and relationships of ``g`` (``from_rdf``), checked to be writable whole."""
    try:
        node_dicts, rel_dicts = from_rdf(g)
    except ValueError as exc:
        raise RdfImportError(f"{source}: {exc}") from None
    nodes: list[Node] = []
    for n in node_dicts:
        props = dict(n["props"])
        uri = props.pop("uri")
        if len(n["labels"]) != 1:
            raise RdfImportError(f"{source}: {uri} has several classes of ours ({', '.join(n['labels'])})")
        if grams := grams_for(n["labels"][0], props):  # what build() gives a loaded node: /search needs it
            props[SEARCH_GRAMS] = grams
        if n["labels"][0] == "Measure":  # and the linker's words (graph/linking.py)
            props["link_terms"] = link_terms(props.get("title"), props.get("body"))
        nodes.append(Node(n["labels"][0], uri, props))
    uris = {n.uri for n in nodes}
    rels = [Rel(r["type"], r["start"], r["end"], dict(r["props"])) for r in rel_dicts]
    dangling = sorted({(r.type, end) for r in rels for end in (r.start, r.end) if end not in uris})
    if dangling:
        shown = "; ".join(f"{t} -> {uri}" for t, uri in dangling[:5])
        more = f" (and {len(dangling) - 5} more)" if len(dangling) > 5 else ""
        raise RdfImportError(f"{source}: {len(dangling)} relationship ends are not typed nodes of the file: "
                             f"{shown}{more}")
    return nodes, rels


def import_graph(store: GraphBackend, g: Graph, *, source: str = "<rdf>", replace: bool = False,
                 check_shapes: bool = True) -> ImportReport:
    """Write the RDF graph ``g`` into ``store`` in one atomic write (see the module doc)."""
    if not replace and store.counts().get("nodes"):
        raise RdfImportError(f"{source}: the graph is not empty; import into an empty graph, or pass --replace "
                             "to delete it first")
    if check_shapes:
        conforms, report = validate(g)
        if not conforms:
            raise RdfImportError(f"{source}: does not conform to the SHACL shapes:\n  "
                                 + "\n  ".join(shacl_summary(report)))
    nodes, rels = graph_payload(g, source)
    try:
        query, params = cypher.graph_write(nodes, rels, store.dialect, replace=replace)
        carried = to_rdf([{"labels": [n.label], "props": {**n.props, "uri": n.uri}} for n in nodes],
                         [{"type": r.type, "start": r.start, "end": r.end, "props": r.props} for r in rels])
    except ValueError as exc:
        raise RdfImportError(f"{source}: {exc}") from None
    ignored = sum(1 for triple in g if triple not in carried)
    try:
        store.run_write(query, params)
    except Exception as exc:  # the database refused the query: nothing of it was applied
        raise RdfImportError(f"{source}: the database refused the write, nothing was written: {exc}") from exc
    store.durable()
    return ImportReport(source, len(g), len(nodes), len(rels), ignored, replace)


def import_rdf(store: GraphBackend, path: Path, fmt: str | None = None, *, replace: bool = False,
               max_bytes: int | None = None) -> ImportReport:
    """Read ``path`` and import it (:func:`read_rdf`, :func:`import_graph`)."""
    if not replace and store.counts().get("nodes"):  # before reading a large file for nothing
        raise RdfImportError(f"{path}: the graph is not empty; import into an empty graph, or pass --replace "
                             "to delete it first")
    g = read_rdf(path, fmt, max_bytes=max_bytes)
    return import_graph(store, g, source=str(path), replace=replace)
