"""The lineage graph of a measure as an inline SVG: a pure layout and drawing module.

Input: nodes (measures, pilot zones, replication scopes) each with a time
position, and edges (DERIVED_FROM, RELATED_TO, PROMOTED_TO, PILOTED_IN).
Output: an SVG (``Markup``, every text escaped) laid out left to right by time.

Layout rules
* Columns are ordered by time: a node's ``when`` (its document's issue date, else
  its publication date, else 1 January of its year) and then its kind (the zone
  of a pilot, then the measures, then the scopes they were promoted to), so a
  pilot reads zone -> measure -> scope -> later measures.
* Nodes without a date (a document that prints none, e.g. the Qianhai table)
  go into a separate column group at the right, headed "日期不详", after a
  dashed divider: their place in time is unknown, not "latest".
* Within a column, nodes are ordered by the mean row of their neighbours in
  the columns to the left (barycentre, fewer crossings), then by label.
* DERIVED_FROM is drawn older -> newer with an arrow head at the newer measure;
  RELATED_TO dashed without an arrow; PROMOTED_TO to a scope node, labelled with
  date and batch; PILOTED_IN from a zone node, labelled 试点.
* Every node with an ``href`` is an ``<a>`` (keyboard focusable) with an
  accessible name (``aria-label``) and a ``<title>`` tooltip.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from markupsafe import Markup

KINDS = ("zone", "measure", "scope")  # order within one date
EDGE_KINDS = ("derived", "related", "promoted", "piloted")

NODE_W = 184
NODE_H = {"measure": 66, "zone": 40, "scope": 54}
COL_GAP = 64
ROW_GAP = 18
MARGIN = 12
HEADER_H = 34
FONT = 13
CHARS = 13  # CJK characters per line inside a node
UNDATED = "日期不详"


@dataclass(frozen=True, slots=True)
class Node:
    key: str
    kind: str  # zone | measure | scope
    label: str
    when: dt.date | None = None
    when_label: str = ""  # the column header for its date ("2018-07-02", "2017年")
    href: str | None = None
    subtitle: str = ""  # a measure's document and item number
    tooltip: str = ""
    focal: bool = False


@dataclass(frozen=True, slots=True)
class Edge:
    kind: str  # derived (source older -> target newer) | related | promoted | piloted
    source: str
    target: str
    label: str = ""


@dataclass(slots=True)
class Placed:
    node: Node
    column: int
    row: int
    x: float = 0
    y: float = 0

    @property
    def h(self) -> int:
        return NODE_H[self.node.kind]


@dataclass(slots=True)
class Layout:
    placed: dict[str, Placed]
    edges: list[Edge]
    headers: list[tuple[float, float, str]]  # x from, x to, label
    divider: float | None  # x of the line before the undated columns
    width: float
    height: float
    columns: list[tuple] = field(default_factory=list)
    lanes: dict[int, float] = field(default_factory=dict)  # edge index -> y of its detour below the nodes


def column_key(node: Node) -> tuple:
    """Dated before undated, then by date, then zone < measure < scope."""
    return (node.when is None, node.when or dt.date.min, KINDS.index(node.kind))


def layout(nodes: list[Node], edges: list[Edge]) -> Layout:
    by_key = {n.key: n for n in nodes}
    edges = [e for e in edges if e.source in by_key and e.target in by_key and e.source != e.target]
    keys = sorted({column_key(n) for n in nodes})
    col_of = {n.key: keys.index(column_key(n)) for n in nodes}
    neighbours: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        neighbours[e.source].add(e.target)
        neighbours[e.target].add(e.source)

    rows: dict[str, int] = {}
    columns: list[list[Node]] = [[] for _ in keys]
    for n in nodes:
        columns[col_of[n.key]].append(n)
    for members in columns:
        def order(n: Node) -> tuple:
            left = [rows[k] for k in neighbours[n.key] if k in rows]
            return (not n.focal, sum(left) / len(left) if left else float("inf"), n.label, n.key)
        members.sort(key=order)
        for i, n in enumerate(members):
            rows[n.key] = i

    placed: dict[str, Placed] = {}
    height = 0.0
    for c, members in enumerate(columns):
        y = MARGIN + HEADER_H
        for n in members:
            p = Placed(n, c, rows[n.key], MARGIN + c * (NODE_W + COL_GAP), y)
            placed[n.key] = p
            y += p.h + ROW_GAP
        height = max(height, y - ROW_GAP + MARGIN)

    headers: list[tuple[float, float, str]] = []
    groups: dict[tuple, list[int]] = defaultdict(list)
    for c, k in enumerate(keys):
        groups[k[:2]].append(c)
    for (undated, _date), cols in groups.items():
        label = UNDATED if undated else next((n.when_label for n in columns[cols[0]] if n.when_label), "")
        headers.append((MARGIN + cols[0] * (NODE_W + COL_GAP), MARGIN + cols[-1] * (NODE_W + COL_GAP) + NODE_W, label))
    first_undated = next((c for c, k in enumerate(keys) if k[0]), None)
    divider = (MARGIN + first_undated * (NODE_W + COL_GAP) - COL_GAP / 2) if first_undated else None
    width = MARGIN * 2 + len(keys) * NODE_W + max(0, len(keys) - 1) * COL_GAP
    # an edge skipping columns whose nodes would lie on its way detours below them
    lanes: dict[int, float] = {}
    bottom_of: dict[int, float] = defaultdict(float)
    for p in placed.values():
        bottom_of[p.column] = max(bottom_of[p.column], p.y + p.h)
    for i, e in enumerate(edges):
        a, b = sorted((placed[e.source], placed[e.target]), key=lambda p: p.column)
        between = [p for p in placed.values() if a.column < p.column < b.column]
        lo, hi = sorted((a.y + a.h / 2, b.y + b.h / 2))
        if any(p.y - 6 <= hi and p.y + p.h + 6 >= lo for p in between):
            floor = max(bottom_of[c] for c in range(a.column + 1, b.column))
            lanes[i] = floor + 14 + 8 * sum(1 for y in lanes.values() if y >= floor)
            height = max(height, lanes[i] + MARGIN)
    return Layout(placed, edges, headers, divider, width, max(height, MARGIN * 2 + HEADER_H), keys, lanes)


def _w(ch: str) -> float:
    """A character's width in CJK character widths (ASCII is about half)."""
    return 0.55 if ord(ch) < 0x2E80 else 1.0


def wrap(text: str, width: float = CHARS, lines: int = 2) -> list[str]:
    """``text`` cut into at most ``lines`` lines ``width`` CJK characters wide, the last ending in …
    when the text does not fit."""
    text = " ".join(text.split())
    out, line, used = [], "", 0.0
    for i, ch in enumerate(text):
        if used + _w(ch) > width:
            out.append(line)
            line, used = "", 0.0
            if len(out) == lines:
                last = out[-1]
                while last and sum(map(_w, last)) + 1 > width:
                    last = last[:-1]
                out[-1] = last + "…"
                return out
        line += ch
        used += _w(ch)
    out.append(line)
    return out


def _edge_path(a: Placed, b: Placed, lane: float | None = None) -> tuple[str, float, float, bool]:
    """The path from ``a`` to ``b`` (left to right where they differ) and its midpoint; reversed:
    the path runs from b to a.  With a ``lane``, the path detours along that y."""
    reverse = b.column < a.column or (b.column == a.column and b.y < a.y)
    if reverse:
        a, b = b, a
    if lane is not None and a.column != b.column:
        x1, y1 = a.x + NODE_W, a.y + a.h / 2
        x2, y2 = b.x, b.y + b.h / 2
        d = COL_GAP / 2
        return (f"M{x1:.0f},{y1:.0f} C{x1 + d:.0f},{y1:.0f} {x1 + d / 2:.0f},{lane:.0f} {x1 + d:.0f},{lane:.0f} "
                f"L{x2 - d:.0f},{lane:.0f} C{x2 - d / 2:.0f},{lane:.0f} {x2 - d:.0f},{y2:.0f} {x2:.0f},{y2:.0f}",
                (x1 + x2) / 2, lane, reverse)
    if a.column == b.column:  # same column: a loop on the right side
        x1, y1 = a.x + NODE_W, a.y + a.h / 2
        x2, y2 = b.x + NODE_W, b.y + b.h / 2
        bend = COL_GAP * 0.6
        return (f"M{x1:.0f},{y1:.0f} C{x1 + bend:.0f},{y1:.0f} {x2 + bend:.0f},{y2:.0f} {x2:.0f},{y2:.0f}",
                x1 + bend * 0.75, (y1 + y2) / 2, reverse)
    x1, y1 = a.x + NODE_W, a.y + a.h / 2
    x2, y2 = b.x, b.y + b.h / 2
    dx = (x2 - x1) / 2
    return (f"M{x1:.0f},{y1:.0f} C{x1 + dx:.0f},{y1:.0f} {x2 - dx:.0f},{y2:.0f} {x2:.0f},{y2:.0f}",
            (x1 + x2) / 2, (y1 + y2) / 2, reverse)


def render(lay: Layout, title: str) -> Markup:
    """The SVG of a layout; ``title`` names the figure."""
    m = Markup
    parts: list[Markup] = [m(
        '<svg xmlns="http://www.w3.org/2000/svg" class="lineage" width="{w:.0f}" height="{h:.0f}" '
        'viewBox="0 0 {w:.0f} {h:.0f}" role="group" aria-label="{t}">'
        '<title>{t}</title>'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker></defs>'
    ).format(w=lay.width, h=lay.height, t=title)]
    for x1, x2, label in lay.headers:
        parts.append(m('<text class="col-head" x="{x:.0f}" y="{y}" text-anchor="middle">{l}</text>').format(
            x=(x1 + x2) / 2, y=MARGIN + 16, l=label))
    if lay.divider is not None:
        parts.append(m('<line class="divider" x1="{x:.0f}" y1="{y1}" x2="{x:.0f}" y2="{y2:.0f}"/>').format(
            x=lay.divider, y1=MARGIN, y2=lay.height - MARGIN))
    for i, e in enumerate(lay.edges):
        a, b = lay.placed[e.source], lay.placed[e.target]
        d, mx, my, reverse = _edge_path(a, b, lay.lanes.get(i))
        marker = ""
        if e.kind in ("derived", "promoted", "piloted"):  # arrow at the target (the newer end)
            marker = ' marker-start="url(#arrow)"' if reverse else ' marker-end="url(#arrow)"'
        parts.append(m('<path class="edge edge-{k}" d="{d}" data-from="{s}" data-to="{t}"' + marker + '/>').format(
            k=e.kind, d=d, s=e.source, t=e.target))
        if e.label:
            parts.append(m('<text class="edge-label" x="{x:.0f}" y="{y:.0f}" text-anchor="middle">{l}</text>').format(
                x=mx, y=my - 5, l=e.label))
    for p in sorted(lay.placed.values(), key=lambda p: (p.column, p.row)):
        parts.append(_node(p))
    parts.append(m("</svg>"))
    return m("").join(parts)


def _node(p: Placed) -> Markup:
    m, n = Markup, p.node
    cls = f"node node-{n.kind}" + (" focal" if n.focal else "")
    inner: list[Markup] = [m('<title>{}</title>').format(n.tooltip or n.label),
                           m('<rect x="{x:.0f}" y="{y:.0f}" width="{w}" height="{h}" rx="6"/>').format(
                               x=p.x, y=p.y, w=NODE_W, h=p.h)]
    lines = wrap(n.label, lines=2 if n.kind == "measure" else 1)
    ty = p.y + 20 if n.subtitle else p.y + p.h / 2 + 5
    for i, line in enumerate(lines):
        inner.append(m('<text class="label" x="{x:.0f}" y="{y:.0f}">{t}</text>').format(
            x=p.x + 8, y=ty + i * (FONT + 4), t=line))
    if n.subtitle:
        inner.append(m('<text class="sub" x="{x:.0f}" y="{y:.0f}">{t}</text>').format(
            x=p.x + 8, y=p.y + p.h - 8, t=wrap(n.subtitle, width=CHARS * 1.15, lines=1)[0]))
    body = m("").join(inner)
    if n.href:
        return m('<a class="{c}" href="{h}" aria-label="{a}" data-key="{k}">{b}</a>').format(
            c=cls, h=n.href, a=n.tooltip or n.label, k=n.key, b=body)
    return m('<g class="{c}" data-key="{k}">{b}</g>').format(c=cls, k=n.key, b=body)
