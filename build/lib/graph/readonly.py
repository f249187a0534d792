"""The guard in front of the ad-hoc, read-only Cypher endpoint.

``check_read_only(query)`` refuses, before the query reaches the database,
anything that is not a plain read: write clauses, schema and admin commands,
``LOAD CSV``, batched commits, procedures outside :data:`ALLOWED_PROCEDURES`,
plugin functions, stacked statements and malformed or over-long text.  The
database is asked in its read-only mode as well (FalkorDB ``GRAPH.RO_QUERY``,
Neo4j read transactions), but that mode still lets ``LOAD CSV`` fetch
``file://`` and ``https://`` URLs, so the guard is not optional.

The guard works on tokens, not on regular expressions over the raw text: a
small lexer knows Cypher's string literals (single or double quotes, backslash
escapes), backticked names, ``//`` and ``/* */`` comments, parameters and
numbers.  Keywords inside strings, comments, backticks and parameter names are
therefore harmless, while ``cReAtE``, ``CREATE/**/(n)`` or ``MERGE\\n(n)`` are
still seen.  Where Neo4j and FalkorDB could lex a text differently (a lone
carriage return or other line separator inside a ``//`` comment, ``/*`` inside
a block comment, NUL, unknown characters such as zero-width spaces) the query
is refused rather than guessed at.  Lexical errors are reported first, then the
first offending token in reading order.

A refused keyword counts as a *name*, not a clause, in exactly two places:

* right after a ``.`` glued to a name or parameter on both sides
  (``m.set``, ``$p.delete``, ``db.create...``; not ``m. set`` or ``1.set``);
* as a map key: after ``{`` or ``,`` inside braces and before ``:``
  (``{create: 1, set: 2}``, ``m {.title, remove: 0}``).

Anywhere else it is a clause, so a variable, label or relationship type spelled
like one (``MATCH (set:Measure)``) is refused: backtick it (```set```).
Likewise ``ns.fn(...)`` must use a built-in function namespace
(:data:`ALLOWED_FUNCTION_NAMESPACES`): plugin functions such as
``apoc.cypher.runFirstColumnSingle`` run Cypher the guard never sees.

Reasons (``CypherRefused.reason``): ``write-clause``, ``schema``, ``admin``,
``load-csv``, ``periodic-commit`` (``USING PERIODIC COMMIT`` and
``IN [CONCURRENT] TRANSACTIONS``), ``procedure``, ``function``,
``multiple-statements``, ``unbalanced``, ``syntax``, ``too-long``, ``too-deep``,
``empty``.

``SHOW INDEXES`` and ``SHOW CONSTRAINTS`` (Neo4j 5, any index or constraint
kind) are allowed: they list the schema analysts need to write queries.  Every
other ``SHOW`` (users, roles, privileges, databases, servers, settings,
transactions, procedures, functions) is refused as ``admin``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import NoReturn

__all__ = ["ALLOWED_FUNCTION_NAMESPACES", "ALLOWED_PROCEDURES", "CypherRefused", "check_read_only"]

# Read-only introspection and search procedures of Neo4j 5 and FalkorDB,
# compared case-insensitively.  Deliberately absent: dbms.* (server admin and
# process lists), db.create*/db.idx.*.create*/db.idx.*.drop, db.clearQueryCaches,
# db.awaitIndex(es) and db.stats.* (side effects or blocking), and every plugin
# namespace (apoc.*, gds.*, n10s.*; FalkorDB's algo.* graph algorithms are
# read-only but can run long; add them here if analysts need them).
ALLOWED_PROCEDURES: frozenset[str] = frozenset(
    {
        # both databases (Neo4j 5 dropped db.indexes/db.constraints for SHOW ...)
        "db.labels",
        "db.relationshipTypes",
        "db.propertyKeys",
        "db.indexes",
        "db.constraints",
        # Neo4j 5
        "db.schema.visualization",
        "db.schema.nodeTypeProperties",
        "db.schema.relTypeProperties",
        "db.index.fulltext.queryNodes",
        "db.index.fulltext.queryRelationships",
        "db.index.fulltext.listAvailableAnalyzers",
        "db.index.vector.queryNodes",
        "db.index.vector.queryRelationships",
        # FalkorDB
        "db.meta.stats",
        "db.idx.fulltext.queryNodes",
        "db.idx.fulltext.queryRelationships",
        "db.idx.vector.queryNodes",
        "db.idx.vector.queryRelationships",
    }
)

# Namespaces of the built-in namespaced functions (Neo4j: date.truncate,
# duration.between, point.distance, vector.similarity.cosine, ...; FalkorDB:
# string.join, list.sort, vec.cosineDistance, ...).  A call like
# ``apoc.cypher.runFirstColumnSingle('LOAD CSV ...')`` would run Cypher the
# guard never saw, so every other namespace is refused.
ALLOWED_FUNCTION_NAMESPACES: frozenset[str] = frozenset(
    {"date", "datetime", "localdatetime", "localtime", "time", "duration", "point", "vector", "vec", "string", "list"}
)

_ALLOWED_PROCEDURES_LOWER = frozenset(name.lower() for name in ALLOWED_PROCEDURES)

_WRITE = frozenset({"CREATE", "MERGE", "SET", "DELETE", "DETACH", "NODETACH", "REMOVE", "FOREACH", "INSERT"})
_ADMIN = frozenset(
    {"ALTER", "GRANT", "DENY", "REVOKE", "RENAME", "ENABLE", "TERMINATE", "USE", "DEALLOCATE", "REALLOCATE"}
)
# Words that may sit between CREATE/DROP/SHOW and INDEX/CONSTRAINT.
_SCHEMA_MODIFIERS = frozenset(
    {"OR", "REPLACE", "RANGE", "TEXT", "POINT", "LOOKUP", "FULLTEXT", "VECTOR", "BTREE", "ALL", "UNIQUE",
     "UNIQUENESS", "EXIST", "EXISTS", "EXISTENCE", "NODE", "RELATIONSHIP", "REL", "KEY", "PROPERTY", "TYPE"}
)
_SCHEMA_OBJECTS = frozenset({"INDEX", "INDEXES", "CONSTRAINT", "CONSTRAINTS"})
_ADMIN_OBJECTS = frozenset({"USER", "USERS", "ROLE", "ROLES", "DATABASE", "DATABASES", "ALIAS", "COMPOSITE", "SERVER"})

_PUNCT = frozenset("()[]{},.:;|+-*/%^=<>!&~$")
_CLOSERS = {")": "(", "]": "[", "}": "{"}
_NUMBER = re.compile(r"0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|\d[\d_]*(?:\.\d[\d_]*)?(?:[eE][+-]?\d+)?", re.ASCII)
# Line separators some lexer might end a // comment at; Neo4j ends it at \r or
# \n, FalkorDB only at \n.  Inside a // comment they are refused.
_ODD_LINE_BREAKS = frozenset("\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


class CypherRefused(ValueError):
    """A query the read-only endpoint will not run.

    ``reason`` is a short machine code (see the module docstring), ``position``
    the character offset of the offending token (None for ``empty`` and
    ``too-long``), ``token`` the offending keyword, procedure or character.
    """

    def __init__(self, reason: str, message: str, position: int | None = None, token: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.position = position
        self.token = token


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "word", "name" (backticked), "string", "number", "param", "punct"
    text: str  # source text; for "name" the unquoted name
    pos: int
    end: int


def check_read_only(query: str, *, max_length: int = 20_000, max_depth: int = 12) -> None:
    """Raise :class:`CypherRefused` unless ``query`` is one read-only Cypher statement.

    ``max_depth`` bounds expression nesting (brackets, ``CASE``, runs of ``NOT``
    or unary ``-``): FalkorDB's parser takes about twice as long per level, and
    no query timeout covers parsing (depth 20 takes seconds, 40 hangs it).
    """
    if len(query) > max_length:
        message = f"refused (too-long): query is {len(query)} characters long, the limit is {max_length}"
        raise CypherRefused("too-long", message)
    tokens = _tokenize(query)
    if tokens and tokens[-1].kind == "punct" and tokens[-1].text == ";":
        tokens = tokens[:-1]  # one trailing semicolon is fine
    if not tokens:
        raise CypherRefused("empty", "refused (empty): query is empty (nothing but whitespace, comments or ';')")
    _Checker(query, tokens, max_depth).run()


# -- lexer


def _tokenize(query: str) -> list[_Token]:
    if (nul := query.find("\x00")) >= 0:  # C-string parsers would stop reading there
        raise _refusal(query, "syntax", "NUL character", nul, "\x00")
    tokens: list[_Token] = []
    i, n = 0, len(query)
    while i < n:
        c = query[i]
        if c.isspace():
            i += 1
        elif query.startswith("//", i):
            i = _line_comment_end(query, i)
        elif query.startswith("/*", i):
            end = query.find("*/", i + 2)
            if end < 0:
                raise _refusal(query, "unbalanced", "unterminated /* comment", i, "/*")
            nested = query.find("/*", i + 2, end)
            if nested >= 0:
                raise _refusal(query, "syntax", "'/*' inside a block comment (comments do not nest)", nested, "/*")
            i = end + 2
        elif c in "'\"":
            end = _string_end(query, i)
            tokens.append(_Token("string", query[i:end], i, end))
            i = end
        elif c == "`":
            end, name = _backtick_end(query, i)
            tokens.append(_Token("name", name, i, end))
            i = end
        elif c == "$" and i + 1 < n and (_is_word_char(query[i + 1]) or query[i + 1] == "`"):
            end = _backtick_end(query, i + 1)[0] if query[i + 1] == "`" else _word_end(query, i + 1)
            tokens.append(_Token("param", query[i:end], i, end))
            i = end
        elif c.isascii() and c.isdigit():
            end = _NUMBER.match(query, i).end()  # type: ignore[union-attr]  # a digit always matches
            tokens.append(_Token("number", query[i:end], i, end))
            i = end
        elif c.isalpha() or c == "_":
            end = _word_end(query, i)
            tokens.append(_Token("word", query[i:end], i, end))
            i = end
        elif query.startswith("..", i):
            tokens.append(_Token("punct", "..", i, i + 2))
            i += 2
        elif c in _PUNCT:
            tokens.append(_Token("punct", c, i, i + 1))
            i += 1
        else:
            raise _refusal(query, "syntax", f"unexpected character {c!r} (U+{ord(c):04X})", i, c)
    return tokens


def _upper(word: str) -> str:
    """Keyword spelling of a word: compatibility forms folded (full-width ＣＲＥＡＴＥ is CREATE)."""
    return unicodedata.normalize("NFKC", word).upper()


def _is_word_char(c: str) -> bool:
    return c.isalpha() or c.isdecimal() or c == "_"


def _word_end(query: str, i: int) -> int:
    while i < len(query) and _is_word_char(query[i]):
        i += 1
    return i


def _line_comment_end(query: str, start: int) -> int:
    """End of a ``//`` comment (at ``\\n``); refuse line breaks lexers disagree on."""
    i = start + 2
    while i < len(query) and query[i] != "\n":
        if query[i] in _ODD_LINE_BREAKS and query[i : i + 2] != "\r\n":
            raise _refusal(query, "syntax", f"line break {query[i]!r} inside a // comment is ambiguous", i, query[i])
        i += 1
    return i


def _string_end(query: str, start: int) -> int:
    quote, i = query[start], start + 1
    while i < len(query):
        if query[i] == "\\":
            i += 2
        elif query[i] == quote:
            return i + 1
        else:
            i += 1
    raise _refusal(query, "unbalanced", f"unterminated string literal starting with {quote}", start, quote)


def _backtick_end(query: str, start: int) -> tuple[int, str]:
    """End of a backticked name and the name (a doubled backtick is a backtick; no backslash escapes)."""
    i = start + 1
    while True:
        i = query.find("`", i)
        if i < 0:
            raise _refusal(query, "unbalanced", "unterminated `quoted name`", start, "`")
        if query.startswith("``", i):
            i += 2
            continue
        return i + 1, query[start + 1 : i].replace("``", "`")


def _refusal(query: str, reason: str, what: str, pos: int, token: str) -> CypherRefused:
    line = query.count("\n", 0, pos) + 1
    column = pos - (query.rfind("\n", 0, pos) + 1) + 1
    message = f"refused ({reason}): {what} at position {pos} (line {line}, column {column})"
    return CypherRefused(reason, message, pos, token)


# -- checks on the token stream


class _Checker:
    def __init__(self, query: str, tokens: list[_Token], max_depth: int) -> None:
        self.query = query
        self.tokens = tokens
        self.max_depth = max_depth
        self.brackets: list[_Token] = []
        self.cases = 0  # CASE expressions open
        self.prefixes = 0  # length of the current run of NOT / unary - +

    def run(self) -> None:
        i = 0
        while i < len(self.tokens):
            self._nesting(i)
            i = self._check(i)
        if self.brackets:
            opener = self.brackets[-1]
            self._refuse("unbalanced", f"'{opener.text}' is never closed", opener)

    def _check(self, i: int) -> int:
        """Check token ``i``; the index of the next token to check."""
        tok = self.tokens[i]
        if tok.kind == "punct":
            self._bracket_or_semicolon(tok)
            return i + 1
        if tok.kind not in ("word", "name"):
            return i + 1
        if tok.kind == "word" and not self._is_name(i):
            word = _upper(tok.text)
            if word == "CALL":
                return self._call(i)
            self._keyword(word, i)
        if not self._continues_name(i):
            self._function_call(i)
        return i + 1

    def _nesting(self, i: int) -> None:
        """Track the expression depth at token ``i``; refuse it past ``max_depth``."""
        tok = self.tokens[i]
        word = _upper(tok.text) if tok.kind == "word" and not self._is_name(i) else None
        # a run of NOT, - and + tokens: every one after the first is a prefix operator
        self.prefixes = self.prefixes + 1 if word == "NOT" or self._punct(i) in ("-", "+") else 0
        self.cases += (word == "CASE") - (word == "END" and self.cases > 0)
        depth = len(self.brackets) + self.cases + self.prefixes + (self._punct(i) in ("(", "[", "{"))
        if depth > self.max_depth:
            self._refuse("too-deep", f"nesting deeper than {self.max_depth} levels", tok)

    def _keyword(self, word: str, i: int) -> None:
        """Refuse the clause keyword ``word`` (token ``i``) unless it is a read."""
        tok = self.tokens[i]
        if word in ("CREATE", "DROP"):
            kind = self._object_after(i)
            if kind:
                self._refuse(kind, f"{word} {self._word(i + 1 + self._modifiers(i))} ({kind} command)", tok)
            if word == "CREATE":
                self._refuse("write-clause", "write clause CREATE", tok)
            self._refuse("admin", "DROP (admin command)", tok)
        if word in _WRITE:
            self._refuse("write-clause", f"write clause {word}", tok)
        if word == "LOAD":
            self._refuse("load-csv", "LOAD CSV (reads files and URLs)", tok)
        if word == "PERIODIC" or (word == "USING" and self._word(i + 1) == "PERIODIC"):
            self._refuse("periodic-commit", "USING PERIODIC COMMIT (batched commits)", tok)
        if word in ("TRANSACTIONS", "CONCURRENT"):
            self._refuse("periodic-commit", f"{word} of CALL {{...}} IN TRANSACTIONS (batched commits)", tok)
        if word in _ADMIN:
            self._refuse("admin", f"{word} (admin command)", tok)
        if word in ("START", "STOP") and self._word(i + 1) in ("DATABASE", "DATABASES"):
            self._refuse("admin", f"{word} DATABASE (admin command)", tok)
        if word == "SHOW" and self._object_after(i) != "schema":
            what = f"SHOW {self._word(i + 1) or ''}".strip()
            self._refuse("admin", f"{what} (only SHOW INDEXES and SHOW CONSTRAINTS are allowed)", tok)

    def _bracket_or_semicolon(self, tok: _Token) -> None:
        if tok.text in ("(", "[", "{"):
            self.brackets.append(tok)
        elif tok.text in _CLOSERS:
            if not self.brackets or self.brackets[-1].text != _CLOSERS[tok.text]:
                self._refuse("unbalanced", f"'{tok.text}' does not close an open bracket", tok)
            self.brackets.pop()
        elif tok.text == ";":
            self._refuse("multiple-statements", "';' before the end (one statement per query)", tok)

    def _call(self, i: int) -> int:
        """``CALL {`` / ``CALL (`` open a subquery; ``CALL name.space.proc`` must be allowed."""
        if self._punct(i + 1) in ("{", "("):
            return i + 1
        parts, j = self._dotted_name(i + 1)
        name = ".".join(parts)
        if not parts:
            self._refuse("procedure", "CALL without a procedure name", self.tokens[i])
        if name.lower() not in _ALLOWED_PROCEDURES_LOWER:
            self._refuse("procedure", f"procedure {name} (not on the read-only allow-list)", self.tokens[i + 1], name)
        return j

    def _function_call(self, i: int) -> None:
        """``ns.name(...)`` is a function call: its namespace must be a built-in one."""
        parts, j = self._dotted_name(i)
        if self._punct(j) != "(":
            return
        name = ".".join(parts)
        if len(parts) > 1 and parts[0].lower() not in ALLOWED_FUNCTION_NAMESPACES:
            self._refuse("function", f"function {name} (only built-in namespaced functions)", self.tokens[i], name)
        if self._punct(i - 1) == ".":  # ns. fn(...), 1.fn(...): a namespace the dotted name above missed
            self._refuse("function", f"function call .{name} with a space or odd token before it", self.tokens[i], name)

    def _dotted_name(self, i: int) -> tuple[list[str], int]:
        """The parts of ``a.b.c`` (no spaces around the dots) from token ``i``, and the index after it."""
        parts: list[str] = []
        while self._kind(i) in ("word", "name"):
            parts.append(self.tokens[i].text)
            if not (self._kind(i + 2) in ("word", "name") and self._dot_before(i + 2)):
                return parts, i + 1
            i += 2
        return parts, i

    def _dot_before(self, i: int) -> bool:
        """Token ``i`` is glued by a ``.`` to the token before it (``x.name``, no spaces)."""
        if self._punct(i - 1) != ".":
            return False
        before, dot = self.tokens[i - 2], self.tokens[i - 1]
        return before.end == dot.pos and dot.end == self.tokens[i].pos

    def _continues_name(self, i: int) -> bool:
        """Token ``i`` is a later part of a dotted name, checked from its first part."""
        return self._dot_before(i) and self.tokens[i - 2].kind in ("word", "name")

    def _is_name(self, i: int) -> bool:
        """A keyword-looking word used as a property key, namespace part or map key."""
        if self._dot_before(i):
            before = self.tokens[i - 2]
            return before.kind in ("word", "name", "param")
        return (
            self._punct(i + 1) == ":"
            and self._punct(i - 1) in ("{", ",")
            and bool(self.brackets)
            and self.brackets[-1].text == "{"
        )

    def _modifiers(self, i: int) -> int:
        """How many schema modifier words follow token ``i``."""
        k = 0
        while self._word(i + 1 + k) in _SCHEMA_MODIFIERS:
            k += 1
        return k

    def _object_after(self, i: int) -> str | None:
        """"schema" or "admin" when CREATE/DROP/SHOW at ``i`` acts on an index, user, database..."""
        word = self._word(i + 1 + self._modifiers(i))
        if word in _SCHEMA_OBJECTS:
            return "schema"
        if word in _ADMIN_OBJECTS:
            return "admin"
        return None

    def _kind(self, i: int) -> str | None:
        return self.tokens[i].kind if 0 <= i < len(self.tokens) else None

    def _punct(self, i: int) -> str | None:
        """The punctuation at token ``i`` (never a backticked name such as ```.```)."""
        return self.tokens[i].text if self._kind(i) == "punct" else None

    def _word(self, i: int) -> str | None:
        return _upper(self.tokens[i].text) if self._kind(i) == "word" else None

    def _refuse(self, reason: str, what: str, tok: _Token, token: str | None = None) -> NoReturn:
        raise _refusal(self.query, reason, what, tok.pos, token or tok.text)
