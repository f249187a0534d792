"""Hostile values in every path and query parameter of every GET operation, and hostile bodies in
every POST operation, of the OpenAPI schema: the answer is a 2xx or a problem-details 4xx, never a
5xx, and the graph is unchanged.

The values are the usual injection and edge cases: Cypher and RediSearch syntax,
SPARQL, path traversal, HTML, Unicode edge cases (combining marks, RTL marks,
zero-width characters, lone surrogates), very long strings, numbers out of range; the
bodies add broken JSON, wrong types, huge arrays, deep nesting, NUL and bodies over the
size limit.  Then the limits themselves (api/limits.py) and CORS (off unless configured).
"""

from __future__ import annotations

import asyncio
import json
import re
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from reformkg.settings import Settings

HOSTILE = [
    "' OR 1=1 //", "\" RETURN 1 //", "x}) DETACH DELETE n //", "MATCH (n) DETACH DELETE n",
    "`Measure`", "$param", "@title:(营业执照) | -*", "%营业*", "~电子", "{a:1}",
    "SELECT * WHERE { ?s ?p ?o }", "../../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "/etc/passwd",
    "<script>alert(1)</script>", "e\u0301\u0301\u0301", "\u202e营业执照", "\u200b\u200d", "前海" * 400,
    "-1", "99999999999999999999", "NaN", "1e309", "",
]


@pytest.fixture(scope="module")
def client(seed_graph):
    with TestClient(create_app(store=seed_graph), raise_server_exceptions=False) as c:
        yield c


def get_operations(client) -> list[tuple[str, list[str], list[str]]]:
    spec = client.get("/openapi.json").json()
    out = []
    for path, ops in spec["paths"].items():
        if "get" not in ops:
            continue
        params = ops["get"].get("parameters", [])
        out.append((path, [p["name"] for p in params if p["in"] == "path"],
                    [p["name"] for p in params if p["in"] == "query"]))
    return out


def check(response, where: str) -> None:
    assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/problem+json"), where
        body = response.json()
        assert body["status"] == response.status_code and body["title"], where


def test_hostile_values_in_every_get_parameter(client, seed_graph) -> None:
    before = seed_graph.counts()
    tried = 0
    for path, path_params, query_params in get_operations(client):
        for value in HOSTILE:
            url = path
            for name in path_params:
                url = re.sub(r"\{" + name + r"(:path)?\}", quote(value or "x", safe=""), url)
            if path_params:
                check(client.get(url), f"GET {url[:80]}")
                tried += 1
            for name in query_params:
                check(client.get(url if not path_params else path.split("{")[0] + "x", params={name: value}),
                      f"GET {path}?{name}={value[:40]!r}")
                tried += 1
    assert tried > 500
    assert seed_graph.counts() == before


@pytest.mark.parametrize("value", HOSTILE)
def test_search_reads_operators_as_text(client, value: str) -> None:
    response = client.get("/search", params={"q": value})
    check(response, f"/search?q={value[:40]!r}")


@pytest.mark.parametrize("path", ["/id/../../etc/passwd", "/id/%2e%2e/%2e%2e/etc/passwd", "/id/measure/..%2F..%2F",
                                  "/static/../pyproject.toml", "/static/%2e%2e/pyproject.toml", "/m/..%2F..%2Fetc"])
def test_path_traversal_is_refused(client, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (400, 404, 422), (path, response.status_code)
    assert "[project]" not in response.text and "root:" not in response.text


# ---------------------------------------------------------------- request bodies


def post_operations(client) -> list[tuple[str, str, dict]]:
    """(path, media type, body schema) of every POST operation of the OpenAPI schema."""
    spec = client.get("/openapi.json").json()
    out = []
    for path, ops in spec["paths"].items():
        if "post" in ops:
            media, content = next(iter(ops["post"]["requestBody"]["content"].items()))
            schema = content.get("schema", {})
            if "$ref" in schema:
                schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
            out.append((path, media, schema))
    return out


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


# Raw bodies, sent as they are: broken JSON, JSON of the wrong shape, nesting deep enough to exhaust
# a recursive parser, NUL, bytes that are not UTF-8, a UTF-16 body, a form where JSON is expected.
RAW_BODIES = [
    b"", b"{", b'{"query": ', b"[1, 2", b"{'query': 1}", b"NaN", b"Infinity", b"null", b"true", b"[]", b'"x"',
    b"1e999", b'{"a": 1}{"b": 2}', b'{"a": 1}\x00', b"\x00" * 64, b"\xff\xfe{\x00}\x00", b"\xef\xbb\xbf{}",
    b"\xc3\x28", b'{"\xff": 1}', "{}".encode("utf-16"), b"query=MATCH+(n)+RETURN+n", b"--x\r\n\r\n--x--",
    _deep(100_000).encode(), ('{"a":' * 50_000 + "1" + "}" * 50_000).encode(),
]

# Values for each property of a body: wrong types, out of range, huge, deep, lone surrogates (the JSON
# escape "\ud800"), NUL, injection text.
ODD_VALUES = [
    None, True, 0, -1, 2**64, -(2**63) - 1, 1.5, 1e308, "", " ", "x" * 100_000, "\ud800", "a\udfffb", "\x00",
    "a\x00b", "' OR 1=1 //", "MATCH (n) DETACH DELETE n", "CREATE (n:X) RETURN n", "INSERT DATA { <a> <b> <c> }",
    "\u202e\u0301" * 100, [1] * 20_000, [[1, 2]] * 5_000, {"a": 1}, {"": 1}, {"`x`": 1}, {"a\x00": 1},
    {"\ud800": 1}, ["\ud800"], [None], {},
]


def _json(value) -> bytes:
    """JSON with every non-ASCII character escaped: a lone surrogate becomes the text \\ud800."""
    return json.dumps(value, ensure_ascii=True).encode("ascii")


def _bodies(schema: dict) -> list[tuple[bytes, str]]:
    props = list(schema.get("properties", {})) or ["query"]
    bodies = [(raw, "application/json") for raw in RAW_BODIES]
    for prop in props:
        bodies += [(_json({prop: value}), "application/json") for value in ODD_VALUES]
        bodies.append((f'{{"{prop}": {_deep(5_000)}}}'.encode(), "application/json"))
        bodies.append((f'{{"{prop}": "a", "{prop}": "b"}}'.encode(), "application/json"))  # duplicate key
    bodies += [(_json({"zzz": 1}), "application/json"), (_json({p: 1 for p in props} | {"": 2}), "application/json")]
    return bodies


MEDIA_TYPES = ["application/json", "application/x-www-form-urlencoded", "application/sparql-query", "text/plain",
               "multipart/form-data; boundary=x", "application/json; charset=utf-16", "", "*/*", "x" * 2000]


def test_hostile_bodies_in_every_post_operation(client, seed_graph) -> None:
    before = seed_graph.counts()
    operations = post_operations(client)
    paths = {path for path, _, _ in operations}
    assert {"/cypher", "/sparql"} <= paths and sum(p.startswith("/queries/") for p in paths) >= 10, paths
    tried = 0
    for path, media, schema in operations:
        for raw, content_type in _bodies(schema):
            if media == "application/x-www-form-urlencoded":  # /sparql: the same text as a form field and as a query body
                check(client.post(path, content=b"query=" + quote(raw, safe="").encode(),
                                  headers={"content-type": media}), f"POST {path} form {raw[:40]!r}")
                content_type = "application/sparql-query"
            check(client.post(path, content=raw, headers={"content-type": content_type}), f"POST {path} {raw[:60]!r}")
            tried += 1
        for content_type in MEDIA_TYPES:
            check(client.post(path, content=b'{"query": "x"}', headers={"content-type": content_type}),
                  f"POST {path} as {content_type[:40]!r}")
    assert tried > 1000
    assert seed_graph.counts() == before


@pytest.mark.parametrize("path, body, media", [
    ("/cypher", b'{"query": "MATCH (m:Measure) RETURN count(m) AS n"}', "application/json"),
    ("/sparql", b"query=" + quote("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").encode(),
     "application/x-www-form-urlencoded"),
    ("/sparql", b"ASK { ?s ?p ?o }", "application/sparql-query"),
    ("/queries/pilots-promoted", None, "application/json"),  # each named query with its example
])
def test_a_good_body_still_gets_its_answer(client, path: str, body: bytes | None, media: str) -> None:
    """The limits read the body before the app does, and hand it over whole."""
    if body is None:
        paths = [p for p, _, _ in post_operations(client) if p.startswith("/queries/")]
        examples = [(p, _json(client.get(p + "/describe").json()["example"])) for p in paths]
    else:
        examples = [(path, body)]
    for url, raw in examples:
        response = client.post(url, content=raw, headers={"content-type": media, "accept": "application/json"})
        assert response.status_code == 200, (url, response.text[:300])


def test_a_body_over_the_limit_is_refused(client, seed_graph) -> None:
    limit = Settings().max_body_kb * 1024
    before = seed_graph.counts()
    big = b'{"query": "' + b"x" * limit + b'"}'
    for path in ("/cypher", "/sparql", "/queries/pilots-promoted", "/measures"):
        response = client.post(path, content=big, headers={"content-type": "application/json"})
        assert response.status_code == 413, (path, response.status_code)
        check(response, path)
        assert response.json()["type"].endswith("/content-too-large") and "REFORMKG_MAX_BODY_KB" in response.json()["detail"]
    # a body without a length (chunked) is counted as it comes
    response = client.post("/cypher", content=iter([b"x" * 65536] * 5), headers={"content-type": "application/json"})
    assert response.status_code == 413
    # a declared length that is not a number
    response = client.post("/cypher", content=b"{}", headers={"content-type": "application/json", "content-length": "1e3"})
    assert response.status_code == 400 and response.headers["content-type"].startswith("application/problem+json")
    assert seed_graph.counts() == before


def _drive(app, headers: list[tuple[bytes, bytes]], chunks: list[bytes]) -> tuple[int, list[dict]]:
    """POST /cypher to ``app`` as a server does: the body in ``chunks``, one message each.
    Returns how many messages the app pulled and what it sent."""
    pulled, sent = 0, []

    async def receive():
        nonlocal pulled
        pulled += 1
        return {"type": "http.request", "body": chunks[pulled - 1], "more_body": pulled < len(chunks)}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/cypher", "raw_path": b"/cypher", "query_string": b"", "headers": headers,
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "root_path": ""}
    asyncio.run(app(scope, receive, send))
    return pulled, sent


def test_a_body_over_the_limit_is_refused_before_it_is_read_whole(seed_graph) -> None:
    """The body comes in 64 KB messages: with a declared length over the limit the answer comes
    before the app asks for the first one; without one, right after the message that passes it."""
    app = create_app(Settings(max_body_kb=256), store=seed_graph)
    chunks = [b"x" * 65536] * 64  # 4 MB
    for declared in (True, False):
        headers = [(b"content-type", b"application/json")]
        if declared:
            headers.append((b"content-length", str(64 * 65536).encode()))
        pulled, sent = _drive(app, headers, chunks)
        assert sent[0]["status"] == 413
        assert pulled == (0 if declared else 5)  # 256 KB is 4 messages: the fifth is one too many
        assert json.loads(b"".join(m.get("body", b"") for m in sent[1:]))["status"] == 413


def test_a_url_over_the_limit_is_refused(client) -> None:
    limit = Settings().max_url_kb * 1024
    for url in ("/search?q=" + "x" * limit, "/measures/" + "y" * limit, "/sparql?query=" + quote("前海" * (limit // 16))):  # 18 bytes each, encoded
        response = client.get(url)
        assert response.status_code == 414, (url[:40], response.status_code)
        check(response, url[:40])
    assert client.get("/search", params={"q": "x" * (limit - 100)}).status_code == 422  # the endpoint's own bound


# ---------------------------------------------------------------- CORS


def test_cors_is_off_by_default(client) -> None:
    assert Settings().cors_origins == []
    for method, path in (("GET", "/health"), ("GET", "/measures"), ("POST", "/cypher"), ("OPTIONS", "/cypher")):
        response = client.request(method, path, headers={"origin": "https://evil.example",
                                                         "access-control-request-method": "POST"},
                                  content=b'{"query": "RETURN 1"}' if method == "POST" else None)
        assert not any(h.lower().startswith("access-control-") for h in response.headers), (method, path)


def test_cors_allows_exactly_the_configured_origins(seed_graph) -> None:
    settings = Settings(cors_origins="https://planner.example, https://other.example")
    with TestClient(create_app(settings, store=seed_graph), raise_server_exceptions=False) as client:
        ok = client.get("/health", headers={"origin": "https://planner.example"})
        assert ok.headers["access-control-allow-origin"] == "https://planner.example"
        other = client.get("/health", headers={"origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        preflight = client.options("/cypher", headers={"origin": "https://other.example",
                                                       "access-control-request-method": "POST",
                                                       "access-control-request-headers": "content-type"})
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://other.example"
        refused = client.options("/cypher", headers={"origin": "https://evil.example",
                                                     "access-control-request-method": "POST"})
        assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers
        # the limits' refusals carry the CORS header too, so a browser can read them
        big = client.post("/cypher", content=b"x" * (settings.max_body_kb * 1024 + 1),
                          headers={"origin": "https://planner.example", "content-type": "application/json"})
        assert big.status_code == 413 and big.headers["access-control-allow-origin"] == "https://planner.example"
