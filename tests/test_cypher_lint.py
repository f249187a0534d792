"""Every Cypher text the Neo4j backend can send, checked by Neo4j's own linter.

The linter is the npm package ``@neo4j-cypher/language-support`` (``lintCypherQuery``, the one
behind Neo4j's editors), pinned in ``tests/cypher_lint/package.json`` and run with the node of
the machine by ``tests/cypher_lint/lint.mjs`` once for all texts.  It is told Cypher 5 (Neo4j
5.26), the built-in functions and procedures, our labels, types and property keys, and for each
text the parameters it is sent with: a syntax error, a semantic error (an unknown variable, a
type clash the linter can see), an unknown function or procedure or an undeclared parameter is an
error and fails the test; warnings (e.g. a cartesian product) are listed but allowed.

What is collected:

- the catalogue (``text_for("neo4j")``: the Neo4j override where there is one) and
  ``queries/internal/*``, with their declared parameters;
- the writer: ``batch_write(..., "neo4j")`` (graph/batch.py) for every document of the bundled corpus and for all of them in one batch,
  ``derived_write`` with every derived type and a derived node, and the reads around them
  (DOCUMENT_HASH, LINEAGE_*, COUNT_*, ``find_nodes_query`` per label);
- the schema statements and the n10s set-up script (``ontology/n10s.py``);
- the resolver's lookups (queries/resolve.py) for every reference kind, recorded from a store
  that answers nothing so every fallback is taken;
- the API's queries: every module-level query constant of ``api/``, every list query composed
  with all its filters (and none), and every query the API really sends while answering a set
  of requests against the seed graph (a recording store: f-string queries per label included),
  with the parameters it sends them with.

Needs node and ``npm ci --prefix tests/cypher_lint`` (``scripts/setup-lint.sh``); fails when
they are missing, unless REFORMKG_LINT_OPTIONAL=1 (then it skips).
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from graph import batch, cypher
from graph.build import build
from graph.payload import Node, Rel
from loaders.parse import parse_file
from ontology import n10s
from ontology.schema import EDGE_PROPS, NODE_LABELS, PROPS, REL_TYPES
from queries import registry
from queries.resolve import LABELS as REFERENCE_LABELS
from queries.resolve import resolve
from reformkg.load import bundled_corpus

ROOT = Path(__file__).resolve().parents[1]
LINT_DIR = ROOT / "tests" / "cypher_lint"
PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
BASE = "https://w3id.org/reformkg/id/"


class Texts:
    """name -> (query, parameter names), first name wins for a text seen twice."""

    def __init__(self) -> None:
        self.items: dict[str, tuple[str, frozenset[str]]] = {}
        self._seen: dict[str, str] = {}

    def add(self, name: str, query: str, params: Any = None) -> None:
        declared = frozenset(params) if params is not None else frozenset(PARAM.findall(query))
        if query in self._seen:
            first = self._seen[query]
            old_query, old_params = self.items[first]
            self.items[first] = (old_query, old_params | declared)
            return
        self._seen[query] = name
        self.items[name] = (query, declared)


# ---------------------------------------------------------------- collecting


class Recorder:
    """A store that records every read it is asked for (text and parameter names)."""

    def __init__(self, inner: Any = None, dialect: str = "falkordb") -> None:
        self.inner = inner
        self.dialect = inner.dialect if inner is not None else dialect
        self.reads: list[tuple[str, frozenset[str]]] = []

    def run_read(self, query: str, params: Any = None) -> list[dict[str, Any]]:
        self.reads.append((query, frozenset(params or {})))
        return self.inner.run_read(query, params) if self.inner is not None else []

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def catalogue_texts(texts: Texts) -> None:
    for q in registry.catalogue().values():
        texts.add(f"catalogue {q.name}", q.text_for("neo4j"), [p.name for p in q.params])
    for path in sorted((ROOT / "queries" / "internal").glob("*.cypher")):
        body = "\n".join(line for line in path.read_text("utf-8").splitlines() if not line.lstrip().startswith("//"))
        texts.add(f"internal {path.stem}", body.strip(), [])  # internal queries take no parameters


def writer_texts(texts: Texts) -> None:
    docs = [build(parse_file(path)) for path in bundled_corpus()]
    for path, doc in zip(bundled_corpus(), docs):
        query, params = batch.batch_write([doc], "neo4j")
        texts.add(f"document_write {path.name}", query, params)
    query, params = batch.batch_write(docs, "neo4j")  # the loader's batches: several documents, one query
    texts.add("batch_write bundled corpus", query, params)
    agency = BASE + "agency/甲"
    nodes = [Node("Agency", agency, {"name": "甲", "level": "city", "aliases": ["甲局"], "is_government": True})]
    rels = [
        Rel("DERIVED_FROM", BASE + "measure/a/1", BASE + "measure/b/1",
            {"method": "tfidf", "score": 0.8, "evidence": ["溯源"]}),
        Rel("RELATED_TO", BASE + "measure/a/2", BASE + "measure/b/2", {"method": "tfidf", "score": 0.5}),
        Rel("SUCCEEDED_BY", BASE + "agency/乙", agency, {"date": "2019-01-01", "reform": "机构改革"}),
        Rel("ZONE_SUCCEEDED_BY", BASE + "zone/hengqin", BASE + "zone/hengqin-cooperation", {"date": "2021-09-17"}),
        Rel("AGENCY_JURISDICTION", agency, BASE + "place/zhuhai"),
    ]
    query, params = cypher.derived_write(nodes, rels, "neo4j")
    texts.add("derived_write", query, params)
    texts.add("DOCUMENT_HASH", cypher.DOCUMENT_HASH, ["document_uri", "source_file"])
    texts.add("DOCUMENT_HASHES", cypher.DOCUMENT_HASHES, ["documents"])
    for name in ("LINEAGE_MEASURES", "LINEAGE_AGENCIES", "LINEAGE_ZONES", "COUNT_NODES", "COUNT_RELS"):
        texts.add(name, getattr(cypher, name), [])
    for label in NODE_LABELS:
        texts.add(f"find_nodes_query {label}", cypher.find_nodes_query(label), ["uris"])


def schema_texts(texts: Texts) -> None:
    for i, statement in enumerate(cypher.neo4j_schema_statements()):
        texts.add(f"schema {i}", statement, [])
    for i, statement in enumerate(n10s.statements()):
        texts.add(f"n10s-setup {i}", statement, [])


def resolver_texts(texts: Texts) -> None:
    store = Recorder(dialect="neo4j")
    for kind in REFERENCE_LABELS:
        for value in ("深圳市市场监管局", BASE + "zone/nansha", "全市"):
            resolve(store, kind, value)
    for i, (query, params) in enumerate(store.reads):
        texts.add(f"resolve {i}", query, params)


def _fragment_names(tree: ast.Module) -> set[str]:
    """Names a module uses as parts of a query: operands of ``+`` and arguments of ``compose``."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.BinOp):
            names |= {n.id for n in (node.left, node.right) if isinstance(n, ast.Name)}
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "compose":
            names |= {n.id for n in node.args if isinstance(n, ast.Name)}
    return names


def _api_constants() -> Iterator[tuple[str, str]]:
    """(module:NAME, text) for module-level query constants of api/ that are whole queries
    (not a tail or a fragment another query is built from)."""
    import importlib

    for path in sorted((ROOT / "api").rglob("*.py")):
        tree = ast.parse(path.read_text("utf-8"))
        fragments = _fragment_names(tree)
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for name, value in vars(module).items():
            if (isinstance(value, str) and name.isupper() and name not in fragments and not name.startswith("LIST_")
                    and re.search(r"\bRETURN\b", value) and re.match(r"\s*(OPTIONAL\s+)?MATCH\b", value)):
                yield f"{path.relative_to(ROOT)}:{name}", value.strip()


def _api_list_queries() -> Iterator[tuple[str, str]]:
    """Each list endpoint's count and page query (its ``LIST``) with all its filters, and with none."""
    import importlib

    from api.cypher import ListQuery, compose

    for path in sorted((ROOT / "api" / "routers").glob("*.py")):
        module = importlib.import_module(f"api.routers.{path.stem}")
        listing = getattr(module, "LIST", None)
        if not isinstance(listing, ListQuery):
            continue
        for tail in ("count", "page"):
            everything = {name: ["x"] for name in listing.fragments}
            for label, params in (("all filters", everything), ("no filter", {})):
                query = compose(listing.base, listing.fragments, params, listing.carry, getattr(listing, tail))
                yield f"api/routers/{path.name}:LIST_{tail.upper()} ({label})", query


API_REQUESTS = [
    "/measures?zone=前海蛇口&limit=5", "/measures?agency=深圳市市场监管局&role=lead",
    "/measures?category=推进金融创新发展与对外开放", "/measures?scope=全市", "/measures?document=粤府办〔2018〕34号",
    "/measures?year=2018&text=营业执照", "/measures/" + quote("粤府办-2018-34/9-3"),
    "/documents", "/documents?zone=南沙&issuer=广东省人民政府", "/zones", "/zones?place=深圳市&text=前海",
    "/zones/qianhai-shekou", "/agencies", "/agencies?zone=横琴", "/scopes", "/scopes?place=深圳市&zone=前海蛇口",
    "/categories", "/categories?zone=横琴&document=粤府办〔2018〕34号", "/search?q=电子营业执照",
    "/measures/" + quote("粤府办-2018-34/9-3") + "/lineage", "/zones/hengqin/lineage",
    "/agencies/" + quote("深圳市市场监督管理局") + "/lineage", "/queries/pilots-promoted?zone=前海蛇口&scope=全市",
    # the web pages (api/web): search with every facet, and each kind of page
    "/", ("/?q=营业执照&zone=前海蛇口&category=推进金融创新发展与对外开放&agency=深圳市市场监管局&scope=全市"
          "&document=粤府办〔2018〕34号&year=2018"), "/?q=跨境", "/m/" + quote("粤府办-2018-34/9-3"), "/z", "/z/qianhai-shekou",
    "/z/hengqin", "/a/" + quote("深圳市市场监督管理局"), "/d", "/c",
]


def api_texts(texts: Texts, seed_graph: Any) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app

    for name, query in _api_constants():
        texts.add(name, query)
    for name, query in _api_list_queries():
        texts.add(name, query)
    recorder = Recorder(seed_graph)
    with TestClient(create_app(store=recorder)) as client:
        first = client.get("/agencies?limit=1").json()["items"][0]
        extra = [f"/agencies/{quote(first['id'], safe='')}", "/scopes?limit=1", "/categories?limit=1",
                 "/documents?limit=1"]
        document = client.get("/documents?limit=1").json()["items"][0]["id"]
        category = client.get("/categories?limit=1").json()["items"][0]["id"]
        extra += [f"/d/{quote(document, safe='')}", f"/c/{quote(category, safe='')}"]
        for url in API_REQUESTS + extra:
            r = client.get(url)
            assert r.status_code < 500, (url, r.text)
            if url.endswith("limit=1") and url != "/agencies?limit=1":
                item = r.json()["items"][0]
                client.get(url.split("?")[0] + "/" + quote(item["id"], safe=""))
        for label in NODE_LABELS:
            rows = seed_graph.run_read(f"MATCH (n:{label}) RETURN n.uri AS uri LIMIT 1")
            if rows:
                path = rows[0]["uri"][len(BASE):]
                client.get("/id/" + quote(path, safe="/"), headers={"accept": "application/json"})
    for i, (query, params) in enumerate(recorder.reads):
        texts.add(f"api request {i}", query, params)


def all_texts(seed_graph: Any) -> Texts:
    texts = Texts()
    catalogue_texts(texts)
    writer_texts(texts)
    schema_texts(texts)
    resolver_texts(texts)
    api_texts(texts, seed_graph)
    return texts


# ---------------------------------------------------------------- the linter


def _optional() -> bool:
    return os.environ.get("REFORMKG_LINT_OPTIONAL") == "1"


def _unavailable(reason: str) -> None:
    if _optional():
        pytest.skip(reason)
    pytest.fail(f"{reason} (set REFORMKG_LINT_OPTIONAL=1 to skip instead)")


def lint(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    node = shutil.which("node")
    if node is None:
        _unavailable("node is not installed: the Cypher linter needs it")
    if not (LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support").is_dir():
        _unavailable("the Cypher linter is not installed: run bash scripts/setup-lint.sh")
    schema = {
        "labels": sorted(NODE_LABELS) + ["Resource"],
        "relationshipTypes": sorted(REL_TYPES),
        "propertyKeys": sorted({"uri", *PROPS, *EDGE_PROPS}),
    }
    done = subprocess.run(  # noqa: PLW1510 - the return code is asserted below
        [node, str(LINT_DIR / "lint.mjs")], input=json.dumps(items, ensure_ascii=False), capture_output=True,
        text=True, encoding="utf-8", timeout=600, env={**os.environ, "REFORMKG_LINT_SCHEMA": json.dumps(schema)},
    )
    assert done.returncode == 0, f"lint.mjs failed ({done.returncode}):\n{done.stderr}"
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def collected(seed_graph) -> Texts:
    return all_texts(seed_graph)


def test_every_neo4j_text_lints_without_errors(collected: Texts) -> None:
    items = [{"name": name, "query": query, "params": sorted(params)}
             for name, (query, params) in collected.items.items()]
    results = lint(items)
    assert len(results) == len(items)
    errors, warnings = [], []
    for item, result in zip(items, results, strict=True):
        for d in result["diagnostics"]:
            line = f"{item['name']} {d['line']}:{d['column']} {d['message']}"
            (errors if d["severity"] == "error" else warnings).append(line)
    print(f"\nlinted {len(items)} Cypher texts: {len(errors)} errors, {len(warnings)} warnings")
    assert not errors, "\n".join(errors) + "\n\nwarnings (allowed):\n" + "\n".join(warnings)


def test_collection_covers_every_source(collected: Texts) -> None:
    """Every group the Neo4j backend sends from is in the linted set (a guard on the collector)."""
    names = " ".join(collected.items)
    for part in ("catalogue ", "internal ", "document_write ", "batch_write bundled", "derived_write",
                 "DOCUMENT_HASH", "DOCUMENT_HASHES", "COUNT_NODES",
                 "LINEAGE_AGENCIES", "find_nodes_query Place", "schema ", "n10s-setup ", "resolve ",
                 "api request ", ":LIST_PAGE (all filters)"):
        assert part in names, part
    assert sum(name.startswith("catalogue ") for name in collected.items) == len(registry.catalogue())
    assert sum(name.startswith("document_write ") for name in collected.items) == len(bundled_corpus())
    recorded = [query for query, _ in collected.items.values()]
    assert any("MATCH (n:PilotZone) WHERE" in q for q in recorded)  # the resolver's per-label lookups
    assert any("properties(n) AS props LIMIT 1" in q for q in recorded)  # api/iris.find_node per label


def test_linter_reports_errors() -> None:
    """The linter is really checking: a syntax error, an undeclared parameter, a FalkorDB-only
    procedure that is not declared (only the full-text lookup the search sends is) and an unknown
    function are errors; a valid query has none."""
    results = lint([
        {"name": "ok", "query": "MATCH (m:Measure) WHERE m.uri = $u RETURN m.title AS t", "params": ["u"]},
        {"name": "syntax", "query": "MATCH (m:Measure RETURN m", "params": []},
        {"name": "param", "query": "MATCH (m:Measure) WHERE m.uri = $nope RETURN m", "params": []},
        {"name": "function", "query": "RETURN notAFunction(1) AS x", "params": []},
        {"name": "falkordb", "query": "CALL db.idx.fulltext.drop('Measure')", "params": []},
        {"name": "lookup", "query": "CALL db.idx.fulltext.queryNodes('Measure', $q) YIELD node RETURN node.uri AS uri",
         "params": ["q"]},
    ])
    by_name = {r["name"]: [d for d in r["diagnostics"] if d["severity"] == "error"] for r in results}
    assert by_name["ok"] == [] and by_name["lookup"] == []
    for name in ("syntax", "param", "function", "falkordb"):
        assert by_name[name], name


def test_n10s_script_is_generated_from_the_schema() -> None:
    """ontology/n10s-setup.cypher is exactly what ontology/n10s.py generates from ontology/schema.py."""
    assert n10s.SCRIPT_PATH.read_text("utf-8") == n10s.script(), "run: python -m ontology.n10s"
    statements = n10s.statements()
    mapped = {name: iri for iri, name in n10s.mappings()}
    for table in (NODE_LABELS, REL_TYPES):
        for name, entry in table.items():
            assert mapped[name] == str(entry.iri)
            assert f"CALL n10s.mapping.add('{entry.iri}', '{name}')" in statements
    for name, prop in {**PROPS, **EDGE_PROPS}.items():
        if name in mapped:
            assert mapped[name] == str(prop.iri)
        else:  # a second name for an IRI already mapped: listed, and left out
            assert any(n == name for _iri, n, _kept in n10s.UNMAPPED), name
    defined = {ns for _p, ns in n10s.prefixes()}
    assert all(n10s.namespace_of(iri) in defined for iri, _name in n10s.mappings())
    assert n10s.RESOURCE_CONSTRAINT in statements
    assert any("handleVocabUris: 'MAP'" in s and "keepLangTag: false" in s for s in statements)
