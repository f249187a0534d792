"""The ``reformkg`` command line."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from reformkg import exports, output
from reformkg.load import Loader, bundled_corpus, expand_paths
from reformkg.settings import get_settings, open_graph

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="ReformKG: where a Free Trade Zone reform came from and where it spread.")
export_app = typer.Typer(no_args_is_help=True, help="Export the graph.")
app.add_typer(export_app, name="export")


def _with_overrides(backend: str | None, uri: str | None):
    """The settings with --backend / --uri applied (the environment gives the rest)."""
    settings = get_settings()
    update: dict[str, str] = {}
    if backend is not None:
        if backend not in ("falkordb", "neo4j"):
            raise typer.BadParameter("use falkordb or neo4j", param_hint="--backend")
        update["backend"] = backend
    if uri is not None:
        if (backend or settings.backend) != "neo4j":
            raise typer.BadParameter("--uri is the Neo4j server's address: use it with --backend neo4j",
                                     param_hint="--uri")
        update["neo4j_uri"] = uri
    return settings.model_copy(update=update) if update else settings


@app.command()
def load(paths: Annotated[list[Path] | None, typer.Argument(help="files or folders; default: the bundled corpus")]
         = None,
         backend: Annotated[str | None, typer.Option(help="falkordb or neo4j (default: REFORMKG_BACKEND)")] = None,
         uri: Annotated[str | None, typer.Option(help="the Neo4j server, e.g. bolt://localhost:7687 "
                                                      "(default: REFORMKG_NEO4J_URI)")] = None) -> None:
    """Parse documents and write them into the graph in atomic batches (whole documents only)."""
    from graph.server import ServerError

    settings = _with_overrides(backend, uri)
    files = expand_paths(paths) if paths else bundled_corpus()
    try:
        store = open_graph(settings)
    except ServerError as exc:  # the embedded database did not start: say why, no traceback
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    try:
        report = Loader(store, settings).load(files, progress=sys.stderr.isatty())
    finally:
        store.close()
    for err in report.errors:
        typer.secho(f"error: {err}", fg=typer.colors.RED, err=True)
    for note in report.warnings:
        typer.secho(f"warning: {note}", fg=typer.colors.YELLOW, err=True)
    typer.echo(report.summary())
    if report.errors:
        raise typer.Exit(1)


@app.command()
def link() -> None:
    """Recompute the lineage across documents (links, successions); `load` does this after writing."""
    from graph import lineage

    store = open_graph()
    try:
        report = lineage.refresh(store, get_settings().base_iri)
        store.durable()
    finally:
        store.close()
    for note in report.warnings:
        typer.secho(f"warning: {note}", fg=typer.colors.YELLOW, err=True)
    typer.echo(report.summary())


@app.command()
def serve(host: Annotated[str, typer.Option(help="interface to listen on")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="TCP port")] = 8000,
          reload: Annotated[bool, typer.Option(help="restart on code changes (development)")] = False,
          workers: Annotated[int | None, typer.Option(min=1, max=64, help="worker processes (default: "
                                                      "REFORMKG_SERVE_WORKERS, 2; 1 with --reload)")] = None,
          access_log: Annotated[bool | None, typer.Option(help="log every request (default: "
                                                         "REFORMKG_SERVE_ACCESS_LOG, on)")] = None) -> None:
    """Serve the graph API and the web pages on the configured graph.

    Several worker processes, because one Python process runs one request's Python at a time;
    uvicorn uses uvloop and httptools when they are installed."""
    import uvicorn

    settings = get_settings()
    count = 1 if reload else (workers or settings.serve_workers)
    if count > 1:  # the schema once, here, rather than by every worker at the same time
        open_graph(settings).close()
    typer.echo(f"ReformKG API on http://{host}:{port}/  (OpenAPI: /docs), {count} worker(s)")
    uvicorn.run("api.app:create_app", factory=True, host=host, port=port, reload=reload,
                workers=count if count > 1 else None,
                access_log=settings.serve_access_log if access_log is None else access_log)


@app.command()
def stats() -> None:
    """Counts of nodes by label and relationships by type."""
    store = open_graph()
    try:
        counts = store.counts()
    finally:
        store.close()
    for section in ("nodes", "relationships"):
        typer.echo(f"{section}:")
        for name, n in sorted(counts.get(section, {}).items()):
            typer.echo(f"  {name:24} {n:>8}")


def _parse_params(pairs: list[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"{pair!r}: use key=value", param_hint="-p")
        params[key.strip()] = value
    return params


@app.command()
def query(name: Annotated[str, typer.Argument(help="a query of the catalogue (see `reformkg queries`)")],
          param: Annotated[list[str] | None, typer.Option("--param", "-p", help="key=value, repeatable")] = None,
          fmt: Annotated[str, typer.Option("--format", help="json, table or csv")] = "table") -> None:
    """Run a named query of the catalogue, e.g. `reformkg query pilots-promoted -p zone=前海蛇口 -p scope=全市`."""
    from queries import registry

    if fmt not in ("json", "table", "csv"):
        raise typer.BadParameter("use json, table or csv", param_hint="--format")
    params = _parse_params(param or [])
    store = open_graph()
    try:
        rows = registry.run(store, name, params)
    except registry.QueryError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    finally:
        store.close()
    output.write_rows(rows, fmt, sys.stdout)


@app.command("queries")
def list_queries() -> None:
    """The query catalogue: names, parameters and descriptions."""
    from queries import registry

    for q in registry.catalogue().values():
        typer.secho(q.name, bold=True)
        typer.echo(f"  {q.description}")
        for p in q.params:
            kind = "|".join(p.choices) if p.type == "enum" else p.type
            default = "required" if p.required else f"default {p.default!r}"
            typer.echo(f"  -p {p.name}=<{kind}>  ({default}) {p.description}")
        if q.example:
            typer.echo("  example: reformkg query " + q.name + "".join(f" -p {k}={v}" for k, v in q.example.items()))


@export_app.command("measures")
def export_measures(fmt: Annotated[str, typer.Option("--format", help="jsonl or csv")] = "jsonl",
                    output: Annotated[Path | None, typer.Option("--output", "-o")] = None) -> None:
    """One line per measure: uri, source_file, document, seq, title, category, lead, participants,
    pilot_zones, scope, deadline, status."""
    if fmt not in ("jsonl", "csv"):
        raise typer.BadParameter("use jsonl or csv", param_hint="--format")
    store = open_graph()
    try:
        rows = exports.measure_records(store)
    finally:
        store.close()
    out = output.open("w", encoding="utf-8", newline="") if output else sys.stdout
    try:
        if fmt == "jsonl":
            for r in rows:
                out.write(json.dumps(r, ensure_ascii=False) + "\n")
        else:
            writer = csv.DictWriter(out, fieldnames=exports.MEASURE_KEYS)
            writer.writeheader()
            for r in rows:
                writer.writerow(exports.flat(r))
    finally:
        if output:
            out.close()


@export_app.command("rdf")
def export_rdf(fmt: Annotated[str, typer.Option("--format", help="turtle, jsonld or nt")] = "turtle",
               output: Annotated[Path | None, typer.Option("--output", "-o")] = None) -> None:
    """The whole graph as RDF under the ontology's IRIs."""
    formats = {"turtle": "turtle", "ttl": "turtle", "jsonld": "json-ld", "json-ld": "json-ld", "nt": "nt"}
    if fmt not in formats:
        raise typer.BadParameter("use turtle, jsonld or nt", param_hint="--format")
    store = open_graph()
    try:
        data = exports.rdf_text(store, formats[fmt])
    finally:
        store.close()
    if output:
        output.write_text(data, encoding="utf-8")
    else:
        sys.stdout.write(data)


import_app = typer.Typer(no_args_is_help=True, help="Import into the graph.")
app.add_typer(import_app, name="import")


@export_app.command("graphml")
def export_graphml(output: Annotated[Path | None, typer.Option("--output", "-o", help="file; default stdout")]
                   = None) -> None:
    """The whole graph as GraphML (Gephi, networkx): node id = IRI, attributes `label` and the properties,
    edges with `type` and theirs; lists as JSON arrays in strings, dates as ISO strings."""
    store = open_graph()
    try:
        if output:
            nodes, edges = exports.write_graphml(store, output)
        else:
            nodes, edges = exports.write_graphml(store, sys.stdout.buffer)
    finally:
        store.close()
    if output:
        typer.echo(f"{output}: {nodes} nodes, {edges} edges", err=True)


@export_app.command("neo4j-csv")
def export_neo4j_csv(directory: Annotated[Path, typer.Argument(help="directory to write the files into")]) -> None:
    """CSV files for `neo4j-admin database import full`: one per node label and per relationship type,
    plus import.sh and README.md with the exact command."""
    store = open_graph()
    try:
        counts = exports.write_neo4j_csv(store, directory)
    except ValueError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    finally:
        store.close()
    for name, n in counts.items():
        typer.echo(f"  {name:40} {n:>8}")
    typer.echo(f"{directory}: {len(counts)} files; run: sh {directory / 'import.sh'} [database]")


@import_app.command("rdf")
def import_rdf(file: Annotated[Path, typer.Argument(help="RDF in the ontology's terms (e.g. from `export rdf`)")],
               fmt: Annotated[str | None, typer.Option("--format", help="turtle, jsonld or nt; default: by suffix")]
               = None,
               replace: Annotated[bool, typer.Option("--replace", help="delete the current graph first "
                                                     "(in the same atomic write)")] = False) -> None:
    """Import RDF into an empty graph: SHACL-validated, then written in one atomic write (all or nothing)."""
    from reformkg.rdf_import import RdfImportError
    from reformkg.rdf_import import import_rdf as run_import

    if fmt is not None and fmt not in ("turtle", "ttl", "jsonld", "json-ld", "nt"):
        raise typer.BadParameter("use turtle, jsonld or nt", param_hint="--format")
    settings = get_settings()
    store = open_graph()
    try:
        report = run_import(store, file, fmt, replace=replace, max_bytes=int(settings.max_file_mb * 1024 * 1024))
    except RdfImportError as exc:
        typer.secho(f"error: {exc}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from None
    finally:
        store.close()
    typer.echo(report.summary())


@app.command("neo4j-setup")
def neo4j_setup(uri: Annotated[str | None, typer.Option(help="the Neo4j server (default: REFORMKG_NEO4J_URI)")]
                = None) -> None:
    """Set up Neo4j: ReformKG's constraints and indexes, then n10s (its constraint, MAP configuration,
    namespace prefixes and the ontology mappings), i.e. ontology/n10s-setup.cypher. Idempotent."""
    from graph.store import open_store
    from ontology import n10s

    s = get_settings()
    try:
        store = open_store(backend="neo4j", neo4j_uri=uri or s.neo4j_uri, user=s.neo4j_user,
                           password=s.neo4j_password.get_secret_value() if s.neo4j_password else None, database=s.neo4j_database, read_timeout_s=s.read_timeout_s)
    except ValueError as exc:
        typer.secho(f"error: {exc} (set REFORMKG_NEO4J_PASSWORD)", fg=typer.colors.RED, err=True)
        raise typer.Exit(2) from None
    try:
        ran = store.run_statements(n10s.statements())
    finally:
        store.close()
    typer.echo(f"neo4j-setup: {ran} statements run on {uri or s.neo4j_uri} "
               f"({len(n10s.mappings())} n10s mappings)")


def main() -> None:  # pragma: no cover - console entry point
    app()
