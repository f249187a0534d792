"""The query catalogue: named Cypher files with a header, checked before they run.

Each ``queries/<name>.cypher`` starts with ``//`` header lines::

    // name: pilots-promoted
    // description: Measures piloted in a zone and promoted to a scope.
    // param: zone: zone - the pilot zone: canonical name, alias or IRI
    // param: scope: scope - a scope type (全市, citywide), a scope's name or IRI
    // param: limit: int = 1000 - rows at most
    // example: zone=前海蛇口 scope=全市

A parameter is ``name: type`` (required), ``name: type?`` (optional, null when
absent) or ``name: type = default``; numbers may declare a range,
``limit: int[1..500] = 50``.  Types: ``string``, ``int``, ``float``,
``bool``, ``date`` (ISO), ``text`` (a string normalised like the stored
text: NFKC, Traditional to Simplified), an enum ``a|b|c``, or a reference type (``zone``,
``scope``, ``agency``, ``measure``, ``document``, ``category``, ``place``)
whose value (a name, an alias or an IRI) is resolved against the graph to the
list of matching IRIs: the Cypher text sees ``$zone`` as a list and writes
``z.uri IN $zone``.

A query is written once, in the Cypher common to Neo4j 5 and FalkorDB; a
backend that truly differs gets ``queries/<dialect>/<name>.cypher`` with the
same header.  Values only ever travel as parameters.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

from graph.backend import GraphBackend
from queries.resolve import normalise_value, resolver

DIALECTS = ("falkordb", "neo4j")
SCALAR_TYPES = ("string", "text", "int", "float", "bool", "date")
REFERENCE_TYPES = ("zone", "scope", "agency", "measure", "document", "category", "place")
MAX_STRING = 500

_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_PARAM = re.compile(
    r"^(?P<name>[a-z_][a-z0-9_]*)\s*:\s*(?P<type>[a-z0-9|_-]+)"
    r"(?:\[(?P<lo>-?\d+(?:\.\d+)?)?\.\.(?P<hi>-?\d+(?:\.\d+)?)?\])?(?P<optional>\?)?"
    r"(?:\s*=\s*(?P<default>\S+))?\s*(?:-\s*(?P<description>.*))?$"
)


class QueryError(ValueError):
    """A named query that cannot run as asked."""


class UnknownQuery(QueryError, KeyError):
    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class ParamError(QueryError):
    """A parameter that is missing, of the wrong type or matches nothing."""

    def __init__(self, query: str, param: str, message: str):
        super().__init__(f"{query}: parameter {param!r}: {message}")
        self.query, self.param, self.reason = query, param, message


class CatalogueError(QueryError):
    """A malformed query file (a bug of the catalogue, not of the caller)."""


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: str  # a scalar type, a reference type or "enum"
    required: bool
    default: Any = None
    description: str = ""
    choices: tuple[str, ...] = ()  # for enums
    minimum: float | None = None  # for int and float: ``int[1..500]``
    maximum: float | None = None

    @property
    def is_reference(self) -> bool:
        return self.type in REFERENCE_TYPES


@dataclass(frozen=True, slots=True)
class NamedQuery:
    name: str
    description: str
    params: tuple[Param, ...]
    example: dict[str, str]
    text: str  # the common Cypher, header stripped
    overrides: dict[str, str] = field(default_factory=dict)  # dialect -> Cypher

    def text_for(self, dialect: str) -> str:
        return self.overrides.get(dialect, self.text)

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


def parse_query_file(source: str, text: str) -> NamedQuery:
    """A NamedQuery from a file's text (pure); CatalogueError names the file and line."""
    fields: dict[str, str] = {}
    params: list[Param] = []
    body: list[str] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped.startswith("//"):
            body.append(line)
            continue
        key, sep, value = stripped[2:].strip().partition(":")
        key, value = key.strip(), value.strip()
        if not sep or key not in ("name", "description", "param", "example"):
            continue  # an ordinary comment
        if key == "param":
            params.append(_parse_param(value, f"{source}:{lineno}"))
        else:
            fields[key] = f"{fields[key]} {value}" if key == "description" and key in fields else value
    name = fields.get("name", "")
    if not _NAME.match(name):
        raise CatalogueError(f"{source}: missing or bad '// name:' header ({name!r})")
    if not fields.get("description"):
        raise CatalogueError(f"{source}: missing '// description:' header")
    if len({p.name for p in params}) != len(params):
        raise CatalogueError(f"{source}: a parameter is declared twice")
    cypher = "\n".join(body).strip()
    if not cypher:
        raise CatalogueError(f"{source}: no Cypher after the header")
    undeclared = set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", cypher)) - {p.name for p in params}
    if undeclared:
        raise CatalogueError(f"{source}: parameters used but not declared: {', '.join(sorted(undeclared))}")
    example = dict(pair.split("=", 1) for pair in fields.get("example", "").split() if "=" in pair)
    return NamedQuery(name, fields["description"], tuple(params), example, cypher)


def _parse_param(spec: str, where: str) -> Param:
    m = _PARAM.match(spec)
    if not m:
        raise CatalogueError(f"{where}: bad parameter declaration {spec!r}")
    ptype, choices = m["type"], ()
    if "|" in ptype:
        ptype, choices = "enum", tuple(ptype.split("|"))
    elif ptype not in SCALAR_TYPES + REFERENCE_TYPES:
        raise CatalogueError(f"{where}: unknown parameter type {ptype!r}")
    lo, hi = (float(v) if v is not None else None for v in (m["lo"], m["hi"]))
    if (lo is not None or hi is not None) and ptype not in ("int", "float"):
        raise CatalogueError(f"{where}: a range is only for int and float parameters")
    param = Param(m["name"], ptype, not (m["optional"] or m["default"] is not None), None,
                  (m["description"] or "").strip(), choices, lo, hi)
    if m["default"] is not None:
        try:
            default = coerce(param, m["default"], "catalogue")
        except ParamError as exc:
            raise CatalogueError(f"{where}: bad default: {exc.reason}") from exc
        param = Param(param.name, param.type, False, default, param.description, choices, lo, hi)
    return param


@cache
def catalogue() -> dict[str, NamedQuery]:
    """Every named query, by name (files read once per process)."""
    root = resources.files("queries")
    found: dict[str, NamedQuery] = {}
    for path in sorted(root.iterdir(), key=lambda p: p.name):
        if not path.name.endswith(".cypher"):
            continue
        q = parse_query_file(f"queries/{path.name}", path.read_text("utf-8"))
        if q.name in found or path.name != f"{q.name}.cypher":
            raise CatalogueError(f"queries/{path.name}: the file must be named after its query ({q.name})")
        overrides = {}
        for dialect in DIALECTS:
            alt = root.joinpath(dialect, path.name)
            if alt.is_file():
                other = parse_query_file(f"queries/{dialect}/{path.name}", alt.read_text("utf-8"))
                if other.params != q.params:
                    raise CatalogueError(f"queries/{dialect}/{path.name}: parameters differ from the common file")
                overrides[dialect] = other.text
        found[q.name] = NamedQuery(q.name, q.description, q.params, q.example, q.text, overrides)
    return found


def get(name: str) -> NamedQuery:
    try:
        return catalogue()[name]
    except KeyError:
        raise UnknownQuery(f"no query named {name!r}; known: {', '.join(sorted(catalogue()))}") from None


# ---------------------------------------------------------------- parameters


def coerce(param: Param, value: Any, query: str) -> Any:
    """A scalar value of the declared type from a string (CLI, URL) or a JSON value."""
    if value is None:
        return None
    kind = param.type
    try:
        if kind in ("string", "text", *REFERENCE_TYPES):
            if not isinstance(value, str):
                raise ValueError("expected a string")
            if len(value) > MAX_STRING:
                raise ValueError(f"longer than {MAX_STRING} characters")
            if kind == "text":
                value = normalise_value(value)
                if not value:
                    raise ValueError("empty after normalisation")
            return value
        if kind == "enum":
            if value not in param.choices:
                raise ValueError(f"expected one of {', '.join(param.choices)}")
            return value
        if kind == "int":
            if isinstance(value, bool) or isinstance(value, float):
                raise ValueError("expected an integer")
            number = int(value)
            if not -(2**53) < number < 2**53:
                raise ValueError("out of range")
            return _in_range(param, number)
        if kind == "float":
            if isinstance(value, bool):
                raise ValueError("expected a number")
            number = float(value)
            if number != number or number in (float("inf"), float("-inf")):
                raise ValueError("expected a finite number")
            return _in_range(param, number)
        if kind == "bool":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text in ("true", "1", "yes"):
                return True
            if text in ("false", "0", "no"):
                return False
            raise ValueError("expected true or false")
        if kind == "date":
            return (value if isinstance(value, date) else date.fromisoformat(str(value))).isoformat()
    except (TypeError, ValueError) as exc:
        raise ParamError(query, param.name, f"{value!r}: {exc}") from None
    raise CatalogueError(f"{query}: unknown parameter type {kind!r}")


def _in_range(param: Param, number: float) -> Any:
    if param.minimum is not None and number < param.minimum:
        raise ValueError(f"below the minimum {param.minimum:g}")
    if param.maximum is not None and number > param.maximum:
        raise ValueError(f"above the maximum {param.maximum:g}")
    return number


Resolver = Callable[[str, str], list[str]]  # (reference type, value) -> IRIs


def bind(query: NamedQuery, raw: Mapping[str, Any], resolve: Resolver) -> dict[str, Any]:
    """The query's parameters from raw values: unknown names refused, required ones
    present, types checked, references resolved to IRI lists (ParamError if none)."""
    unknown = sorted(set(raw) - {p.name for p in query.params})
    if unknown:
        raise ParamError(query.name, unknown[0], "unknown parameter; declared: "
                         + (", ".join(p.name for p in query.params) or "none"))
    bound: dict[str, Any] = {}
    for param in query.params:
        value = raw.get(param.name)
        if value is None or value == "":
            if param.required:
                raise ParamError(query.name, param.name, "required")
            bound[param.name] = param.default
            continue
        value = coerce(param, value, query.name)
        if param.is_reference:
            try:
                iris = resolve(param.type, value)
            except ValueError as exc:  # an ambiguous fuzzy match
                raise ParamError(query.name, param.name, str(exc)) from None
            if not iris:
                raise ParamError(query.name, param.name, f"no {param.type} matches {value!r}")
            value = iris
        bound[param.name] = value
    return bound


def run(store: GraphBackend, name: str, raw: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Run a named query with raw parameter values; rows as plain dicts."""
    query = get(name)
    params = bind(query, raw, resolver(store))
    return store.run_read(query.text_for(store.dialect), params)
