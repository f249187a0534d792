"""Replication batch tables (复制推广): seq, name, content, lead units and
推广范围, grouped by category rows "一、投资便利化(8项)".

Columns are found from the header's labels, and each data row is aligned on its
number cell, so a header that sits a column off its data, a category cell that
is repeated or left empty, and the tab-per-line and pipe layouts all parse the
same way.
"""

from __future__ import annotations

import re

from loaders.agencies import resolve_clause
from loaders.errors import ParseError
from loaders.fields import HEADING, heading, resolve_scope
from loaders.metadata import Meta
from loaders.parsed import Parsed
from loaders.tables import Cell, Row, is_pipe_line, pipe_rows, tab_rows
from loaders.text import Line, squash
from loaders.zones import measure_zones
from reformkg.model import Category, Measure, Role, Span

ROLES = {
    "category": ("分类", "类别", "领域"),
    "seq": ("序号", "编号"),
    "name": ("试点任务", "项目名称", "改革事项", "事项名称", "经验名称", "名称"),
    "content": ("实施内容", "主要内容", "具体内容", "内容"),
    "lead": ("牵头单位", "责任单位", "牵头部门"),
    "scope": ("推广范围", "复制推广范围", "适用范围"),
}
_SEQ = re.compile(r"^\s*(\d{1,4})\s*[.、]?\s*$")


def header_roles(row: Row) -> list[str | None] | None:
    if not any("范" in c.text and "围" in c.text for c in row.cells):
        return None  # every scope label has 范围: spare the data rows the label search
    labels = [re.sub(r"\s+", "", c.text) for c in row.cells]
    roles: list[str | None] = []
    for label in labels:
        role = next((r for r, names in ROLES.items() if any(n == label or n in label for n in names)), None)
        roles.append(role)
    return roles if "seq" in roles and "scope" in roles else None


def is_header(row: Row) -> bool:
    return header_roles(row) is not None


def rows_of(lines: list[Line]) -> list[Row]:
    pipe = sum(1 for ln in lines if is_pipe_line(ln.text))
    tab = sum(1 for ln in lines if ln.text.startswith("\t"))
    return pipe_rows(lines) if pipe >= tab else tab_rows(lines)


def parse(norm: str, orig: str, lines: list[Line], meta: Meta, source: str) -> Parsed:
    out = Parsed()
    rows = rows_of(lines)
    hi = next((i for i, r in enumerate(rows) if is_header(r)), None)
    if hi is None:
        raise ParseError(source, 1, "no table header with 序号 and 推广范围 found")
    roles = header_roles(rows[hi])
    seq_col = roles.index("seq")
    after = [r for r in roles[seq_col + 1:]]
    category: Category | None = None
    for row in rows[hi + 1:]:
        cells = row.nonempty()
        if not cells:
            continue
        if not row.complete:
            raise ParseError(source, row.last_line, "the file ends inside a table row: truncated")
        seq_at = next((k for k, c in enumerate(row.cells) if _SEQ.match(c.text)), None)
        if seq_at is None:
            if len(cells) == 1 and (m := HEADING.match(cells[0].text)):
                category = _category(out, m, orig, cells[0])
                continue
            if is_header(row):
                continue  # the header repeated on a new page
            raise ParseError(source, row.line, "a table row without an item number")
        before = [c for c in row.cells[:seq_at] if not c.empty]
        if before and (m := HEADING.match(before[-1].text)):
            category = _category(out, m, orig, before[-1])
        values: dict[str, Cell] = {}
        for role, cell in zip(after, row.cells[seq_at + 1:]):
            if role:
                values[role] = cell
        missing = [r for r in ("name", "lead", "scope") if r in after and r not in values]
        if missing:
            raise ParseError(source, row.last_line, f"table row {row.cells[seq_at].text.strip()} lacks "
                             f"{', '.join(missing)}: truncated or misaligned")
        out.measures.append(_measure(row, seq_at, values, category, norm, orig, meta))
    out.check_sequence(source)
    out.check_declared_counts(source, rows[-1].last_line if rows else 1)
    return out


def _category(out: Parsed, m: re.Match, orig: str, cell: Cell) -> Category:
    label_orig = orig[cell.start:cell.end].strip().split("、", 1)[-1]
    cat = heading(m.group(1), m.group(2), label_orig)
    known = next((c for c in out.categories if c.seq == cat.seq), None)
    if known:
        return known  # a repeated category cell
    out.categories.append(cat)
    return cat


def _text(values: dict[str, Cell], role: str, src: str) -> str:
    c = values.get(role)
    return squash(src[c.start:c.end]) if c else ""


def _measure(row: Row, seq_at: int, values: dict[str, Cell], category: Category | None,
             norm: str, orig: str, meta: Meta) -> Measure:
    seq = _SEQ.match(row.cells[seq_at].text).group(1)
    last = max(values.values(), key=lambda c: c.end)
    span = Span(row.cells[seq_at].start + (len(row.cells[seq_at].text) - len(row.cells[seq_at].text.lstrip())),
                last.start + len(last.text.rstrip()))
    name = _text(values, "name", norm).rstrip("。")
    content = _text(values, "content", norm)
    lead = values.get("lead")
    agencies = resolve_clause(norm[lead.start:lead.end], orig[lead.start:lead.end], meta.context, Role.LEAD) \
        if lead else []
    scope_printed = _text(values, "scope", orig)
    scope = resolve_scope(_text(values, "scope", norm), meta.context.city)
    zones, from_text = measure_zones(meta.zone, name + "。" + content, meta.as_of)
    return Measure(
        seq=seq, key=seq, title=name, title_orig=_text(values, "name", orig).rstrip("。"),
        body=content, body_orig=_text(values, "content", orig), span=span, category=category,
        agencies=tuple(agencies), zones=zones, zones_from_text=from_text,
        scope=scope.id if scope else None, scope_printed=scope_printed or None)
