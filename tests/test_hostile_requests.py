"""Hostile values in every path and query parameter of every GET operation of the
OpenAPI schema: the answer is a 2xx or a problem-details 4xx, never a 5xx.

The values are the usual injection and edge cases: Cypher and RediSearch syntax,
SPARQL, path traversal, HTML, Unicode edge cases (combining marks, RTL marks,
zero-width characters), very long strings, numbers out of range.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from api.app import create_app

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
