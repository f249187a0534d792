"""``/sparql``: a read-only SPARQL 1.1 endpoint over the graph's RDF export.

The same graph answers Cypher (``/cypher``), REST and SPARQL: the query runs
with rdflib over exactly what ``reformkg export rdf`` writes (``graph.rdf.to_rdf``
of every node and relationship, in the ontology's terms).  The prefixes
``rkg prov org eli skos dcterms schema geo rdf rdfs xsd owl`` are predeclared.

Requests (the SPARQL 1.1 Protocol's query operation): ``GET /sparql?query=…``,
``POST /sparql`` with a form (``application/x-www-form-urlencoded``,
``query=…``) or with the query as the body (``application/sparql-query``).
``default-graph-uri`` / ``named-graph-uri`` are not supported (400): there is
one graph.

Read-only: only SELECT, ASK, CONSTRUCT and DESCRIBE.  Refused before
evaluation with a 403 ``sparql-refused`` problem: SPARQL Update (``INSERT``,
``DELETE``, ``LOAD``, ``CLEAR``, …, also sent as ``update=``), ``SERVICE``
(federated queries: the server never fetches a URL) and ``FROM`` /
``FROM NAMED`` (which would name other graphs to load).  The refusals are
decided on rdflib's parse of the query, not on keywords, so a string literal
holding "SERVICE" is not refused.

Answers, by ``Accept``: SELECT as ``application/sparql-results+json``
(default) or ``text/csv`` (the SPARQL 1.1 CSV format); ASK as
``application/sparql-results+json``; CONSTRUCT and DESCRIBE as ``text/turtle``
(default), ``application/n-triples`` or ``application/ld+json``.  Anything else
is a 406.

Limits:

- Result cap: at most ``cypher_row_cap`` (``REFORMKG_CYPHER_ROW_CAP``,
  default 1000) solutions, or triples for CONSTRUCT/DESCRIBE.  A capped answer
  has the header ``ReformKG-Truncated: true`` (``false`` otherwise) and
  ``ReformKG-Result-Cap``.  SELECT solutions are pulled lazily, so the cap also
  bounds the work of a plain pattern; CONSTRUCT builds its whole graph first.
- Timeout: ``read_timeout_s`` (``REFORMKG_READ_TIMEOUT_S``, default 30 s) for
  parsing, evaluation and serialisation together, then a 504 ``timeout``
  problem.  The query runs in a thread of its own; at the deadline an
  exception is raised in that thread (CPython's
  ``PyThreadState_SetAsyncExc``), which stops rdflib, a pure-Python engine, at
  its next bytecode.  What it cannot interrupt is a single long call into C: a
  regular expression with catastrophic backtracking (``REGEX``), or sorting a
  huge list (``ORDER BY`` over a large intermediate result); such a call
  finishes first, and memory used until the deadline is used.  At most
  :data:`MAX_RUNNING` queries run at once; a query that cannot start within
  the timeout gets a 503 ``sparql-busy`` problem.
- The query text is at most :data:`MAX_QUERY` characters (422 otherwise).

Staleness: the rdflib graph is built on first use, kept in ``app.state`` and
rebuilt when the graph's fingerprint changes: the node counts per label, the
relationship counts per type and every document's uri and content hash (so
loading a new or changed document, or an RDF import, is seen by the next
query).  A change that keeps all of these (an edit made outside ``reformkg
load`` / ``import`` that changes a value in place) is not seen until the app
restarts.  The fingerprint costs three small reads per request.

Errors are RFC 9457 problems: 400 ``sparql-syntax-error`` (with ``line``,
``column`` and ``position``), 400 ``sparql-error`` (an evaluation error), 403
``sparql-refused`` (``reason``), 406, 415, 422, 503, 504.
"""

from __future__ import annotations

import csv
import ctypes
import io
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import islice
from typing import Annotated, Any, TypeVar
from urllib.parse import parse_qs

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse, Response
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, XSD

from api.deps import SettingsDep, StoreDep
from api.problems import ProblemException, responses
from api.routers.linked_data import negotiate
from graph.backend import GraphBackend
from ontology.schema import PREFIXES

router = APIRouter(tags=["sparql"])

MAX_QUERY = 20_000  # characters of query text
MAX_RUNNING = 4  # SPARQL evaluations at once
STOP_GRACE_S = 2.0  # how long a timed-out query thread is given to stop before the answer goes out

RESULTS_JSON = "application/sparql-results+json"
SELECT_MEDIA = [RESULTS_JSON, "application/json", "text/csv"]
ASK_MEDIA = [RESULTS_JSON, "application/json"]
GRAPH_MEDIA = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld"}
CONTENT_TYPES = {RESULTS_JSON: RESULTS_JSON, "application/json": RESULTS_JSON,
                 "text/csv": "text/csv; charset=utf-8", "text/turtle": "text/turtle; charset=utf-8",
                 "application/n-triples": "application/n-triples; charset=utf-8",
                 "application/ld+json": "application/ld+json"}

INIT_NS: dict[str, str] = {"rdf": str(RDF), "rdfs": str(RDFS), "xsd": str(XSD), "owl": str(OWL),
                           **{prefix: str(ns) for prefix, ns in PREFIXES.items()}}

_RUNNING = threading.BoundedSemaphore(MAX_RUNNING)
_STATE_LOCK = threading.Lock()

T = TypeVar("T")


# ---------------------------------------------------------------- the cached graph


@dataclass
class SparqlGraph:
    """The rdflib graph of the store's export and the fingerprint it was built for."""

    graph: Graph | None = None
    fingerprint: Any = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def current(self, store: GraphBackend) -> Graph:
        fp = fingerprint(store)
        if self.graph is None or fp != self.fingerprint:
            with self.lock:
                if self.graph is None or fp != self.fingerprint:
                    self.graph, self.fingerprint = build_graph(store), fp
        return self.graph


DOCUMENT_HASHES = ("MATCH (d:PolicyDocument) RETURN d.uri AS uri, d.content_hash AS hash ORDER BY uri")


def fingerprint(store: GraphBackend) -> tuple:
    counts = store.counts()
    hashes = tuple((r["uri"], r["hash"]) for r in store.run_read(DOCUMENT_HASHES))
    return (tuple(sorted(counts.get("nodes", {}).items())), tuple(sorted(counts.get("relationships", {}).items())),
            hashes)


def build_graph(store: GraphBackend) -> Graph:
    """``graph.rdf.to_rdf`` of every node and relationship (what ``reformkg export rdf`` writes)."""
    from reformkg.exports import rdf_graph

    return rdf_graph(store)


def sparql_graph(request: Request, store: GraphBackend) -> Graph:
    state = getattr(request.app.state, "sparql", None)
    if state is None:
        with _STATE_LOCK:
            state = getattr(request.app.state, "sparql", None)
            if state is None:
                state = request.app.state.sparql = SparqlGraph()
    return state.current(store)


# ---------------------------------------------------------------- running with a deadline


class QueryTimeout(Exception):
    """Raised inside the query thread at its deadline."""


def run_with_deadline(fn: Callable[[], T], timeout_s: float) -> T:
    """``fn()`` in a thread of its own; QueryTimeout if it has not returned after ``timeout_s``.

    At the deadline QueryTimeout is raised asynchronously in that thread: Python
    code stops at its next bytecode, a call into C only when it returns.
    """
    box: dict[str, Any] = {}
    done = threading.Event()

    def target() -> None:
        try:
            try:
                box["value"] = fn()
            except BaseException as exc:  # noqa: BLE001 - handed to the caller
                box["error"] = exc
            finally:
                done.set()
        except QueryTimeout:  # the async exception arrived just after fn returned
            pass

    thread = threading.Thread(target=target, name="sparql-query", daemon=True)
    thread.start()
    if not done.wait(timeout_s):
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(QueryTimeout))
        done.wait(STOP_GRACE_S)
        if "value" not in box:
            raise QueryTimeout(f"the query did not finish within {timeout_s:g} s")
    if "error" in box:
        raise box["error"]
    return box["value"]


# ---------------------------------------------------------------- parsing and checking


@dataclass(frozen=True, slots=True)
class Answer:
    media: str
    body: bytes | str | dict
    truncated: bool


def _refused(reason: str, detail: str) -> ProblemException:
    return ProblemException(403, "sparql-refused", title="Query refused", detail=detail, reason=reason)


def prepare(text: str) -> Any:
    """The parsed and translated query; ProblemException for a syntax error or a refused query."""
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    try:
        parsed = parseQuery(text)
    except ParseBaseException as exc:
        try:
            parseUpdate(text)
        except Exception:  # noqa: BLE001 - not an update either: report the query's syntax error
            raise ProblemException(400, "sparql-syntax-error", title="SPARQL syntax error",
                                   detail=f"line {exc.lineno}, column {exc.col}: {exc.msg}",
                                   line=exc.lineno, column=exc.col, position=exc.loc) from None
        raise _refused("update", "SPARQL Update (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, ...) is not "
                                 "allowed: this endpoint is read-only") from None
    try:
        query = translateQuery(parsed, initNs=INIT_NS)
    except Exception as exc:  # noqa: BLE001 - rdflib's errors for an undefined prefix and the like
        raise ProblemException(400, "sparql-syntax-error", title="SPARQL syntax error",
                               detail=_message(exc)) from None
    if query.algebra.get("datasetClause"):
        raise _refused("dataset", "FROM and FROM NAMED are not supported: the endpoint has one graph "
                                  "and loads nothing")
    if _contains_service(query.algebra):
        raise _refused("service", "SERVICE (federated query) is not allowed: the server fetches no URLs")
    return query


def _contains_service(node: Any, depth: int = 0) -> bool:
    if depth > 500:  # deeper than any real query: refuse rather than recurse without end
        return True
    if getattr(node, "name", None) == "ServiceGraphPattern":
        return True
    if isinstance(node, dict):
        return any(_contains_service(v, depth + 1) for v in node.values())
    if isinstance(node, (list, tuple, set, frozenset)):
        return any(_contains_service(v, depth + 1) for v in node)
    return False


def _message(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:500]


# ---------------------------------------------------------------- evaluation and serialisation


def _term_json(term: Any) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    out = {"type": "literal", "value": str(term)}
    if isinstance(term, Literal):
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype is not None:
            out["datatype"] = str(term.datatype)
    return out


def _term_csv(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def evaluate(graph: Graph, text: str, accept: str | None, cap: int) -> Answer:
    """Parse, check, evaluate and serialise one query (runs in the query thread)."""
    from rdflib.plugins.sparql.evaluate import evalQuery

    query = prepare(text)
    kind = query.algebra.name  # SelectQuery, AskQuery, ConstructQuery, DescribeQuery
    offered = SELECT_MEDIA if kind == "SelectQuery" else ASK_MEDIA if kind == "AskQuery" else list(GRAPH_MEDIA)
    media = negotiate(accept, offered)
    if media is None:
        raise ProblemException(406, "not-acceptable", title="Not acceptable", headers={"Vary": "Accept"},
                               detail=f"cannot answer {accept!r} for this query; offered: {', '.join(offered)}")
    try:
        result = evalQuery(graph, query)
        if kind == "AskQuery":
            return Answer(media, {"head": {}, "boolean": bool(result["askAnswer"])}, False)
        if kind == "SelectQuery":
            variables = list(result["vars_"])
            solutions = list(islice(result["bindings"], cap + 1))
            truncated = len(solutions) > cap
            solutions = solutions[:cap]
            if media == "text/csv":
                buf = io.StringIO()
                writer = csv.writer(buf, lineterminator="\r\n")
                writer.writerow([str(v) for v in variables])
                writer.writerows([_term_csv(s.get(v)) for v in variables] for s in solutions)
                return Answer(media, buf.getvalue(), truncated)
            bindings = [{str(v): _term_json(s[v]) for v in variables if s.get(v) is not None} for s in solutions]
            return Answer(media, {"head": {"vars": [str(v) for v in variables]},
                                  "results": {"bindings": bindings}}, truncated)
        out = result["graph"]
        truncated = len(out) > cap
        if truncated:
            capped = Graph()
            for prefix, ns in out.namespaces():
                capped.bind(prefix, ns, override=True, replace=True)
            for triple in islice(out, cap):
                capped.add(triple)
            out = capped
        for prefix, ns in INIT_NS.items():
            out.bind(prefix, ns, override=True, replace=True)
        from graph.rdf import serialize

        return Answer(media, serialize(out, GRAPH_MEDIA[media]), truncated)
    except (ProblemException, QueryTimeout):
        raise
    except Exception as exc:  # noqa: BLE001 - rdflib's evaluation errors (types, GRAPH on one graph, ...)
        raise ProblemException(400, "sparql-error", title="SPARQL evaluation error", detail=_message(exc)) from None


# ---------------------------------------------------------------- the endpoint

RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"description": "SELECT/ASK results (SPARQL 1.1 JSON or CSV), or a CONSTRUCT/DESCRIBE graph",
          "content": {
              RESULTS_JSON: {"schema": {"type": "object", "properties": {
                  "head": {"type": "object"}, "results": {"type": "object"}, "boolean": {"type": "boolean"}},
                  "required": ["head"]}},
              "text/csv": {"schema": {"type": "string"}},
              "text/turtle": {"schema": {"type": "string"}},
              "application/n-triples": {"schema": {"type": "string"}},
              "application/ld+json": {"schema": {"type": "object"}}}},
    **responses(400, 403, 406, 415, 422, 500, 503, 504),
}

QUERY_EXAMPLE = ("SELECT (COUNT(DISTINCT ?m) AS ?n) WHERE { ?m rkg:pilotedIn ?z . "
                 "?z skos:notation \"qianhai-shekou\" . ?m rkg:promotedTo ?s . ?s rkg:scopeType \"citywide\" }")


def _invalid(detail: str, param: str = "query") -> ProblemException:
    return ProblemException(422, "invalid-request", title="Invalid request", detail=detail, param=param)


def _check_text(text: str | None) -> str:
    if text is None or not text.strip():
        raise _invalid("query: a SPARQL query is required")
    if len(text) > MAX_QUERY:
        raise _invalid(f"query: longer than {MAX_QUERY} characters")
    if "\x00" in text:
        raise _invalid("query: contains a NUL character")
    return text


def _answer(request: Request, store: GraphBackend, settings: Any, text: str, accept: str | None) -> Response:
    text = _check_text(text)
    graph = sparql_graph(request, store)
    cap = int(settings.cypher_row_cap)
    timeout = float(settings.read_timeout_s)
    if not _RUNNING.acquire(timeout=timeout):
        raise ProblemException(503, "sparql-busy", title="SPARQL endpoint busy", headers={"Retry-After": "5"},
                               detail=f"{MAX_RUNNING} SPARQL queries are running; try again later")
    try:
        answer = run_with_deadline(lambda: evaluate(graph, text, accept, cap), timeout)
    except QueryTimeout:
        raise ProblemException(504, "timeout", title="Query timeout",
                               detail=f"the SPARQL query did not finish within {timeout:g} s") from None
    finally:
        _RUNNING.release()
    headers = {"Vary": "Accept", "ReformKG-Truncated": "true" if answer.truncated else "false",
               "ReformKG-Result-Cap": str(cap)}
    content_type = CONTENT_TYPES[answer.media]
    if isinstance(answer.body, dict):
        return JSONResponse(answer.body, media_type=content_type, headers=headers)
    return Response(answer.body, media_type=content_type, headers=headers)


AcceptHeader = Annotated[str | None, Header(description="application/sparql-results+json (default), text/csv; "
                                                        "for CONSTRUCT/DESCRIBE text/turtle (default), "
                                                        "application/n-triples, application/ld+json")]


def _no_datasets(params: dict[str, list[str]] | Any) -> None:
    for key in ("default-graph-uri", "named-graph-uri"):
        if params.get(key):
            raise ProblemException(400, "sparql-error", title="Not supported", param=key,
                                   detail=f"{key} is not supported: the endpoint has one graph and loads nothing")
    if params.get("update"):
        raise _refused("update", "SPARQL Update is not allowed: this endpoint is read-only")


@router.get("/sparql", summary="Run a read-only SPARQL query (GET)", response_class=Response, responses=RESPONSES)
def sparql_get(request: Request, store: StoreDep, settings: SettingsDep,
               query: Annotated[str, Query(description="a SELECT, ASK, CONSTRUCT or DESCRIBE query",
                                           max_length=MAX_QUERY, examples=[QUERY_EXAMPLE])],
               accept: AcceptHeader = None) -> Response:
    """SELECT, ASK, CONSTRUCT or DESCRIBE over the graph's RDF export (the ontology's terms, prefixes
    predeclared); at most the row cap of solutions, within the read timeout."""
    _no_datasets({k: request.query_params.getlist(k) for k in ("default-graph-uri", "named-graph-uri", "update")})
    return _answer(request, store, settings, query, accept)


# Only the form is declared: the body as ``application/sparql-query`` is accepted too (see the
# description), but OpenAPI tools (schemathesis among them) cannot generate or send that media type.
POST_BODY = {
    "requestBody": {"required": True, "description": "the form field query=, or the query itself as an "
                                                     "application/sparql-query body", "content": {
        "application/x-www-form-urlencoded": {"schema": {
            "type": "object", "required": ["query"],
            "properties": {"query": {"type": "string", "maxLength": MAX_QUERY}}}},
    }},
}


@router.post("/sparql", summary="Run a read-only SPARQL query (POST)", response_class=Response,
             responses=RESPONSES, openapi_extra=POST_BODY)
async def sparql_post(request: Request, store: StoreDep, settings: SettingsDep,
                      accept: AcceptHeader = None) -> Response:
    """The query as a form field ``query=`` or as an ``application/sparql-query`` body (SPARQL 1.1
    Protocol); the same answers and limits as ``GET``."""
    from starlette.concurrency import run_in_threadpool

    media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    raw = await request.body()
    if len(raw) > 4 * MAX_QUERY + 1024:  # UTF-8 and percent-encoding may grow the text
        raise _invalid(f"query: longer than {MAX_QUERY} characters", "body")
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _invalid("the body is not UTF-8", "body") from None
    if media == "application/sparql-query":
        text = body
    elif media == "application/x-www-form-urlencoded":
        try:
            form = parse_qs(body, keep_blank_values=True, strict_parsing=False, errors="strict")
        except (ValueError, UnicodeDecodeError):
            raise _invalid("the form cannot be decoded", "body") from None
        _no_datasets(form)
        values = form.get("query") or []
        if len(values) > 1:
            raise _invalid("query: give one query")
        text = values[0] if values else None
    else:
        raise ProblemException(415, detail="send the query as application/sparql-query or as the form field "
                                           "query= (application/x-www-form-urlencoded)",
                               headers={"Accept-Post": "application/sparql-query, application/x-www-form-urlencoded"})
    return await run_in_threadpool(_answer, request, store, settings, text, accept)
