"""The read-only Cypher guard: the committed corpora, positions, and the real database.

``tests/data/cypher_refused.txt`` and ``tests/data/cypher_allowed.txt`` hold the
queries (format in their headers).  The integration tests use the embedded
FalkorDB: every allowed query runs there, and the plain writes of the refused
corpus are refused by ``GRAPH.RO_QUERY`` as well (defence in depth).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from redis.exceptions import ResponseError

from graph.falkor import FalkorBackend
from graph.readonly import (
    ALLOWED_FUNCTION_NAMESPACES,
    ALLOWED_PROCEDURES,
    CypherRefused,
    check_read_only,
)

DATA = Path(__file__).parent / "data"
ROOT = Path(__file__).parent.parent

REASONS = {
    "write-clause", "schema", "admin", "load-csv", "periodic-commit", "procedure", "function",
    "multiple-statements", "unbalanced", "syntax", "too-long", "too-deep", "empty",
}  # fmt: skip

# What the text at CypherRefused.position must look like, per reason.
AT_POSITION = {
    "write-clause": r"(?i)(CREATE|MERGE|SET|DELETE|DETACH|NODETACH|REMOVE|FOREACH|INSERT)\b",
    "schema": r"(?i)(CREATE|DROP)\b",
    "admin": r"(?i)(CREATE|DROP|ALTER|GRANT|DENY|REVOKE|RENAME|START|STOP|SHOW|ENABLE|TERMINATE|USE)\b",
    "load-csv": r"(?i)LOAD\b",
    "periodic-commit": r"(?i)(USING|PERIODIC|TRANSACTIONS|CONCURRENT)\b",
    "procedure": r"`?[A-Za-z_]",
    "function": r"`?[A-Za-z_]",
    "multiple-statements": r";",
    "unbalanced": r"['\"`()\[\]{}]|/\*",
    "too-deep": r"(?i)[(\[{+-]|NOT\b|CASE\b",
}


@dataclass(frozen=True)
class Entry:
    query: str
    comments: tuple[str, ...]
    line: int  # line of the entry's first comment in its file

    def tag(self, key: str) -> str | None:
        for comment in self.comments:
            if comment.startswith(f"{key}:"):
                return comment.split(":", 1)[1].strip()
        return None

    @property
    def reason(self) -> str:
        return (self.tag("reason") or "").split()[0]

    @property
    def max_length(self) -> int:
        return int(self.tag("max_length") or 20_000)

    @property
    def params(self) -> dict[str, Any] | None:
        raw = self.tag("params")
        return json.loads(raw) if raw else None


def load_corpus(name: str) -> list[Entry]:
    """The entries of a corpus file; the header before the first ``----`` is skipped."""
    entries, block, start = [], [], 1
    lines = (DATA / name).read_text(encoding="utf-8").split("\n")
    for number, line in enumerate([*lines, "----"], start=1):
        if line != "----":
            block.append(line)
            continue
        if start > 1:  # not the header
            k = 0
            while k < len(block) and (block[k].startswith("# ") or block[k] == "#"):
                k += 1
            comments = tuple(c[2:].strip() for c in block[:k])
            entries.append(Entry("\n".join(block[k:]).strip("\n"), comments, start))
        block, start = [], number + 1
    return [e for e in entries if e.comments or e.query]


REFUSED = load_corpus("cypher_refused.txt")
ALLOWED = load_corpus("cypher_allowed.txt")


def ids(entries: list[Entry]) -> list[str]:
    return [f"line{e.line}" for e in entries]


# -- the corpora


def test_corpus_sizes_and_annotations() -> None:
    assert len(REFUSED) >= 40 and len(ALLOWED) >= 20
    assert {e.reason for e in REFUSED} <= REASONS
    assert all(e.comments for e in REFUSED + ALLOWED)
    assert all(e.query for e in ALLOWED)
    assert sum(e.tag("falkordb") == "read-only" for e in REFUSED) >= 10


@pytest.mark.parametrize("entry", REFUSED, ids=ids(REFUSED))
def test_refused_corpus(entry: Entry) -> None:
    with pytest.raises(CypherRefused) as info:
        check_read_only(entry.query, max_length=entry.max_length)
    err = info.value
    assert err.reason == entry.reason, f"{err} (expected {entry.reason}: {entry.tag('reason')})"
    assert isinstance(err, ValueError)
    if err.reason in ("empty", "too-long"):
        assert err.position is None
        return
    assert err.position is not None and 0 <= err.position < len(entry.query)
    assert f"at position {err.position}" in str(err)
    if err.reason in AT_POSITION:
        assert re.match(AT_POSITION[err.reason], entry.query[err.position :]), (err, entry.query[err.position :])
    assert err.token and err.token.split(".")[0].strip("`").lower() in entry.query[err.position :].lower()


@pytest.mark.parametrize("entry", ALLOWED, ids=ids(ALLOWED))
def test_allowed_corpus(entry: Entry) -> None:
    check_read_only(entry.query)


# -- positions and messages


@pytest.mark.parametrize(
    ("query", "reason", "position", "token"),
    [
        ("MATCH (n) CREATE/**/(m)", "write-clause", 10, "CREATE"),
        ("MATCH (n)\n  mErGe\n(n)-[:X]->(m)", "write-clause", 12, "mErGe"),
        ("MATCH (m) WHERE m.t = 'a;b' RETURN m; CREATE (x)", "multiple-statements", 36, ";"),
        ("CALL db.labels() YIELD label CALL apoc.create.node([label], {}) YIELD node RETURN node",
         "procedure", 34, "apoc.create.node"),
        ("RETURN 1 AS x /* DELETE", "unbalanced", 14, "/*"),
        ("RETURN 'CREATE", "unbalanced", 7, "'"),
        ("MATCH (m)) RETURN m", "unbalanced", 9, ")"),
        ("MATCH (m:Measure RETURN m", "unbalanced", 6, "("),
        ("MATCH (m) WITH m LOAD CSV FROM 'https://x' AS r RETURN r", "load-csv", 17, "LOAD"),
        ("CALL { MATCH (n) RETURN n } IN TRANSACTIONS RETURN n", "periodic-commit", 31, "TRANSACTIONS"),
        ("MATCH (n) RETURN apoc.cypher.runFirstColumnSingle('CREATE (x)', {})", "function", 17,
         "apoc.cypher.runFirstColumnSingle"),
        ("// reading\nCREATE INDEX FOR (n:Measure) ON (n.title)", "schema", 11, "CREATE"),
    ],
)  # fmt: skip
def test_position_points_at_offending_token(query: str, reason: str, position: int, token: str) -> None:
    with pytest.raises(CypherRefused) as info:
        check_read_only(query)
    assert (info.value.reason, info.value.position, info.value.token) == (reason, position, token)


def test_message_names_keyword_and_position() -> None:
    with pytest.raises(CypherRefused, match=r"write clause DELETE at position 18 \(line 2, column 9\)"):
        check_read_only("MATCH (n)\nWITH n  DELETE n")
    with pytest.raises(CypherRefused, match=r"procedure apoc\.load\.json .*position 5"):
        check_read_only("CALL apoc.load.json('https://example.org')")


# -- decisions worth pinning


@pytest.mark.parametrize(
    "query",
    [
        "MATCH (m:Measure) RETURN m.title, COUNT { (m)-[:LED_BY]->() } AS leads",
        "MATCH (m:Measure) WHERE EXISTS { MATCH (m)-[:PROMOTED_TO]->() } RETURN m",
        "MATCH (m:Measure) RETURN COLLECT { MATCH (m)-->(a:Agency) RETURN a.name } AS agencies",
        "SHOW INDEXES",
        "SHOW RANGE INDEXES YIELD name, labelsOrTypes WHERE name STARTS WITH 'reformkg' RETURN name",
        "SHOW CONSTRAINTS",
        "CALL db.schema.visualization()",
        "CALL db.index.fulltext.queryNodes('measure_text', 'customs') YIELD node, score RETURN node, score",
        "MATCH (m:Measure) CALL (m) { MATCH (m)-[:PART_OF]->(d) RETURN d } RETURN d.title",
        "MATCH (m:Measure) RETURN date.truncate('month', date(m.issued)) AS month, duration.between(date(), date())",
        "RETURN vector.similarity.cosine([1.0, 0.0], [0.0, 1.0]) AS s",
        "MATCH p = (a:Measure)-[:PART_OF|IN_BATCH*1..2]-(b) RETURN nodes(p), length(p)",
        "MATCH (start:Measure)-[*1..3]->(end) RETURN start.title, end.name",
        "MATCH (m:Measure) RETURN m.`set`, $create, $`drop`, m.call, {call: 1, load: 2}",
        "CALL db.labels",
        "EXPLAIN MATCH (m:Measure) RETURN m",
        "MATCH (m:Measure)\r\n// a comment ended by CRLF\r\nRETURN m",
        "MATCH (m) WHERE m.title CONTAINS '\\\\' RETURN m // backslash at the end of a string",
        "MATCH (m) WHERE m.body CONTAINS 'LOAD CSV FROM' RETURN m /* LOAD CSV, USING PERIODIC COMMIT */",
        "MATCH (m:Measure) USING INDEX m:Measure(uri) WHERE m.uri = $uri RETURN m",
        "MATCH (m:Measure) WITH $p.set AS s, m.`create`.x AS c RETURN s, c",
        "MATCH (z:PilotZone) RETURN z.name AS 名称, '创建 CREATE 删除' AS 注释",
        "MATCH (m:Measure) RETURN m.title AS `;`",
    ],
)  # fmt: skip
def test_neo4j_and_edge_reads_allowed(query: str) -> None:
    check_read_only(query)


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        # a variable or label spelled like a clause keyword: doubtful, refused (backtick it)
        ("MATCH (set:Measure) RETURN set", "write-clause"),
        ("MATCH (m:Create) RETURN m", "write-clause"),
        # Neo4j ends a // comment at \r, FalkorDB at \n only: the text after is ambiguous
        ("MATCH (m) RETURN m // x\rCREATE (n)", "syntax"),
        ("MATCH (m) RETURN m // x\u2028CREATE (n)", "syntax"),
        # invisible characters that lexers disagree on
        ("MATCH (m) RETURN m\u200bCREATE (n)", "syntax"),
        ("\ufeffMATCH (m) RETURN m", "syntax"),
        # /* inside a block comment: a nesting lexer would end it elsewhere
        ("MATCH (m) /* a /* b */ RETURN m", "syntax"),
        # a backslash does not escape a backtick (Neo4j and FalkorDB agree)
        ("MATCH (m) RETURN m AS `a\\` CREATE (n) RETURN n //`", "write-clause"),
        # an escaped quote keeps the string open; the write after the real end is seen
        ("RETURN 'a\\'' CREATE (n) //'", "write-clause"),
        # a keyword behind a dot is a name only when the dot directly follows a name
        ("MATCH (m) WHERE m.x = 1.SET (n)", "write-clause"),
        ("MATCH (m) WITH m . DELETE m", "write-clause"),
        # ... and a map key only inside braces after { or ,
        ("MATCH (m) WITH m CALL { DELETE m }", "write-clause"),
        ("MATCH (n) RETURN [set: 1]", "write-clause"),
        ("MATCH (m) RETURN head(collect(m)).set", "write-clause"),
        ("ＣＲＥＡＴＥ (n)", "write-clause"),
        ("MATCH (m) RETURN m // \x00\nCREATE (n)", "syntax"),
        ("MATCH (m) WHERE m.t = 'a\x00' RETURN m", "syntax"),
        ("RETURN apoc/**/.cypher.runFirstColumn('MATCH (n) RETURN n', {})", "function"),
        ("RETURN date. truncate('day', date())", "function"),
        ("CALL db. labels()", "procedure"),
        ("CALL db.labels() YIELD label AS create RETURN create", "write-clause"),
        ("CALL {", "unbalanced"),
        ("CALL 'db.labels'()", "procedure"),
        ("CALL `{`() YIELD x RETURN x", "procedure"),
        ("MATCH (n) RETURN n AS`,`set: 1", "write-clause"),
        ("CALL algo.pageRank('Measure', 'PART_OF')", "procedure"),
        ("RETURN `apoc`.cypher.runFirstColumn('MATCH (n) RETURN n', {})", "function"),
        ("MATCH (m) RETURN $p.apoc.util.sleep(1000)", "function"),
        ("MATCH (m) RETURN m" + " " * 20_001, "too-long"),
        ("  \n\t ", "empty"),
        ("/* nothing */ ;", "empty"),
    ],
)  # fmt: skip
def test_doubtful_queries_refused(query: str, reason: str) -> None:
    with pytest.raises(CypherRefused) as info:
        check_read_only(query)
    assert info.value.reason == reason, str(info.value)


WRITES = [e for e in REFUSED if e.reason in ("write-clause", "schema", "load-csv", "procedure")]


@pytest.mark.parametrize("entry", WRITES, ids=ids(WRITES))
def test_disguised_writes_still_refused(entry: Entry) -> None:
    """Case, comments and line breaks between tokens never let a refused query through."""
    for variant in (
        entry.query.lower(),
        entry.query.swapcase(),
        entry.query.replace(" ", "/**/"),
        entry.query.replace(" ", "\n\t "),
        entry.query.replace(" ", " // ;\n"),
    ):
        with pytest.raises(CypherRefused):
            check_read_only(variant)


NESTING = {
    "list": lambda d: "RETURN " + "[" * d + "1" + "]" * d + " AS x",
    "map": lambda d: "RETURN " + "{a: " * d + "1" + "}" * d + " AS x",
    "not": lambda d: "RETURN " + "NOT " * d + "true AS x",
    "minus": lambda d: "RETURN " + "- " * d + "1 AS x",
    "parens": lambda d: "RETURN " + "(1 + " * d + "1" + ")" * d + " AS x",
    "case": lambda d: "RETURN " + "CASE WHEN true THEN " * d + "1" + " END" * d + " AS x",
    "function": lambda d: "RETURN " + "abs(" * d + "1" + ")" * d + " AS x",
    "comprehension": lambda d: "RETURN " + "[x IN " * d + "[1]" + " | x]" * d + " AS x",
}


def deepest_allowed(shape: str) -> int:
    """The deepest nesting of a shape that the guard lets through."""
    depth = 1
    while True:
        try:
            check_read_only(NESTING[shape](depth + 1))
        except CypherRefused as err:
            assert err.reason == "too-deep", str(err)
            return depth
        depth += 1


@pytest.mark.parametrize("shape", NESTING)
def test_nesting_limit(shape: str) -> None:
    assert 10 <= deepest_allowed(shape) <= 12
    with pytest.raises(CypherRefused) as info:
        check_read_only(NESTING[shape](40))
    assert info.value.reason == "too-deep"
    check_read_only(NESTING[shape](40), max_depth=50)


def test_allow_lists() -> None:
    for name in ("db.labels", "db.relationshipTypes", "db.propertyKeys", "db.indexes", "db.constraints",
                 "db.idx.fulltext.queryNodes", "db.index.fulltext.queryNodes", "db.schema.visualization"):
        assert name in ALLOWED_PROCEDURES
    for name in ALLOWED_PROCEDURES:
        low = name.lower()
        assert low.startswith("db.") and not low.startswith(("db.create", "dbms."))
        assert not any(word in low for word in ("create", "drop", "clear", "await", "stats.", "set"))
        check_read_only(f"CALL {name}()")
    assert not ALLOWED_FUNCTION_NAMESPACES & {"apoc", "gds", "n10s", "db", "dbms", "algo"}  # fmt: skip


def test_project_query_files_pass() -> None:
    files = sorted((ROOT / "queries").rglob("*.cypher"))
    for path in files:
        check_read_only(path.read_text(encoding="utf-8"))


# -- the real database


SEED = """
CREATE (d:PolicyDocument {uri: 'urn:d1', title: 'Notice on replicating FTZ reforms', doc_number: 'GH-2019-38',
                          issued: '2019-04-01'}),
       (a:Agency {uri: 'urn:a1', name: '商务部', aliases: ['Shanghai Commerce Commission', 'MOFCOM']}),
       (a2:Agency {uri: 'urn:a2', name: 'General Administration of Customs'}),
       (z:PilotZone {uri: 'urn:z1', name: 'Shanghai FTZ', zone_id: 'SH'}),
       (p1:Place {uri: 'urn:p1', name: 'Pudong'}), (p2:Place {uri: 'urn:p2', name: 'Shanghai'}),
       (s:ReplicationScope {uri: 'urn:s1', name: 'nationwide', scope_type: 'national'}),
       (s2:ReplicationScope {uri: 'urn:s2', name: 'all FTZs', scope_type: 'ftz'}),
       (b:Batch {uri: 'urn:b1', number: 2}),
       (c0:Category {uri: 'urn:c0', name: 'Trade'}), (c:Category {uri: 'urn:c1', name: 'Trade facilitation'}),
       (t:Target {uri: 'urn:t1', metric: 'clearance time', value: 24.0, unit: 'hours', year: 2025}),
       (m:Measure {uri: 'urn:m1', seq: '1', title: 'Customs clearance pilot', status: 'done'}),
       (m2:Measure {uri: 'urn:m2', seq: '2', title: 'Cross-border customs data sharing'}),
       (m)-[:PART_OF]->(d), (m2)-[:PART_OF]->(d), (m)-[:LED_BY {rank: 1}]->(a), (m)-[:PARTICIPANT]->(a2),
       (m)-[:SUPPORTED_BY]->(a), (m)-[:SUPPORTED_BY]->(a2), (m)-[:PILOTED_IN {source: 'document'}]->(z),
       (m)-[:PROMOTED_TO]->(s), (m)-[:IN_BATCH]->(b), (m)-[:IN_CATEGORY]->(c), (c)-[:BROADER]->(c0),
       (m)-[:HAS_TARGET]->(t), (d)-[:ISSUED_BY]->(a), (z)-[:ZONE_WITHIN]->(p1), (p1)-[:PLACE_WITHIN]->(p2),
       (s2)-[:SCOPE_JURISDICTION]->(p2)
"""


@pytest.fixture
def seeded(falkor: FalkorBackend) -> FalkorBackend:
    falkor.run_write(SEED)
    falkor.run_write("CALL db.idx.fulltext.createNodeIndex('Measure', 'title')")
    return falkor


def snapshot(backend: FalkorBackend) -> tuple[Any, ...]:
    """Everything a write could change: nodes, relationships, indexes."""
    nodes = backend.run_read("MATCH (n) RETURN labels(n) AS labels, properties(n) AS props")
    rels = backend.run_read("MATCH (a)-[r]->(b) RETURN a.uri AS a, type(r) AS type, properties(r) AS props, b.uri AS b")
    indexes = backend.run_read("CALL db.indexes() YIELD label, properties, types RETURN label, properties, types")
    return (backend.counts(), *(sorted(map(repr, rows)) for rows in (nodes, rels, indexes)))


@pytest.mark.parametrize("entry", ALLOWED, ids=ids(ALLOWED))
def test_allowed_corpus_runs_on_falkordb(seeded: FalkorBackend, entry: Entry) -> None:
    check_read_only(entry.query)
    rows = seeded.run_read(entry.query, entry.params)
    assert isinstance(rows, list)


def test_seeded_graph_answers(seeded: FalkorBackend) -> None:
    """The seed is rich enough that the corpus queries are not all vacuous."""
    answered = sum(bool(seeded.run_read(e.query, e.params)) for e in ALLOWED)
    assert answered >= len(ALLOWED) - 3


RO_REFUSED = [e for e in REFUSED if e.tag("falkordb") == "read-only"]


@pytest.mark.parametrize("entry", RO_REFUSED, ids=ids(RO_REFUSED))
def test_falkordb_read_only_mode_refuses_writes_too(seeded: FalkorBackend, entry: Entry) -> None:
    """Defence in depth: without the guard, GRAPH.RO_QUERY still refuses and nothing changes."""
    before = snapshot(seeded)
    with pytest.raises(ResponseError, match="read-only"):
        seeded._read.ro_query(entry.query)  # GRAPH.RO_QUERY itself: run_read would refuse it first
    assert snapshot(seeded) == before


@pytest.mark.parametrize("shape", NESTING)
def test_deepest_allowed_nesting_parses_quickly_on_falkordb(seeded: FalkorBackend, shape: str) -> None:
    """The depth limit keeps FalkorDB's exponential parser fast (depth 20 takes seconds)."""
    started = time.perf_counter()
    seeded.run_read(NESTING[shape](deepest_allowed(shape)))
    assert time.perf_counter() - started < 2.0


def test_read_only_mode_covers_every_write_clause() -> None:
    words = {w for e in RO_REFUSED for w in re.findall(r"(?i)\b(CREATE|MERGE|SET|DELETE|REMOVE|FOREACH)\b", e.query)}
    assert {w.upper() for w in words} >= {"CREATE", "MERGE", "SET", "DELETE", "REMOVE", "FOREACH"}
