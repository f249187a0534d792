"""Task division tables (任务分工表): main task, sub-task, numbered measure,
working group, supporting units, lead units and deadline.

The table is printed in pieces, each with its own header, and the headers
drift: a label may sit a column off its data, an unlabelled column may hold
the sub-task.  So every cell is recognised by what it holds ("1. …" a
measure, "一、" a main task, "(一)" a sub-task, "…组" a working group, "8月底"
a deadline), and only the two unit columns are told apart by the header's
order of 支持 and 牵头.  Empty task cells repeat the row above.
"""

from __future__ import annotations

import re

from loaders.agencies import resolve_clause
from loaders.errors import ParseError
from loaders.fields import HEADING, SUBHEADING, heading, is_deadline, parse_deadline
from loaders.metadata import Meta
from loaders.parsed import Parsed
from loaders.tables import Cell, Row, pipe_rows
from loaders.text import Line, squash
from loaders.zones import measure_zones
from reformkg.model import Category, Measure, Role, Span

# "\S(?:.*\S)?": from the first to the last non-space character in one greedy pass (a lazy
# "(\S.*?)\s*$" retried the trailing spaces from every position: quadratic in a run of spaces).
MEASURE = re.compile(r"^\s*(\d{1,4})\s*[.．、]\s*(\S(?:.*\S)?)\s*$", re.S)
_GROUP = re.compile(r"组$")


def is_header(row: Row) -> bool:
    text = "".join(c.text for c in row.cells)
    return "具体措施" in text or ("完成时限" in text and "主要任务" in text)


def _support_first(header: Row | None) -> bool:
    """Does the supporting-units column come before the lead-units column?"""
    if header is None:
        return True
    labels = [re.sub(r"\s+", "", c.text) for c in header.cells]
    sup = next((i for i, t in enumerate(labels) if "支持" in t), None)
    lead = next((i for i, t in enumerate(labels) if "牵头" in t), None)
    return sup is None or lead is None or sup < lead


def parse(norm: str, orig: str, lines: list[Line], meta: Meta, source: str) -> Parsed:
    out = Parsed()
    rows = pipe_rows(lines)
    if not any(is_header(r) for r in rows):
        raise ParseError(source, 1, "no task table header (主要任务 … 具体措施 … 完成时限) found")
    header: Row | None = None
    main: Category | None = None
    sub: Category | None = None
    for row in rows:
        if is_header(row):
            header = row
            continue
        if header is None or not row.nonempty():
            continue
        if not row.complete:
            raise ParseError(source, row.last_line, "the file ends inside a table row: truncated")
        at = next((k for k, c in enumerate(row.cells) if MEASURE.match(c.text)), None)
        if at is None:
            raise ParseError(source, row.line, "a table row without a numbered measure")
        for cell in row.cells[:at]:
            text = squash(cell.text)
            cell_orig = squash(orig[cell.start:cell.end])
            if m := HEADING.match(text):
                main = _category(out, heading(m.group(1), m.group(2), cell_orig.split("、", 1)[-1]))
                sub = None
            elif m := SUBHEADING.match(text):
                if main is None:
                    raise ParseError(source, row.line, "a sub-task before any main task")
                sub = _category(out, heading(m.group(1), m.group(2), cell_orig.split(")", 1)[-1], sub=True,
                                             parent_seq=main.seq))
        rest = [c for c in row.cells[at + 1:] if not c.empty]
        if not rest or not is_deadline(rest[-1].text):
            raise ParseError(source, row.last_line, f"measure {MEASURE.match(row.cells[at].text).group(1)} "
                             "has no deadline cell: truncated or misaligned row")
        deadline_cell = rest.pop()
        group = rest.pop(0).text.strip() if rest and _GROUP.search(rest[0].text.strip()) else None
        if len(rest) > 2:
            raise ParseError(source, row.line, f"{len(rest)} unit columns where 2 were expected")
        support_cell, lead_cell = _unit_cells(rest, _support_first(header))
        out.measures.append(_measure(row.cells[at], deadline_cell, group, support_cell, lead_cell, main, sub,
                                     norm, orig, meta))
    out.check_sequence(source)
    return out


def _unit_cells(cells: list[Cell], support_first: bool) -> tuple[Cell | None, Cell | None]:
    if len(cells) == 2:
        return (cells[0], cells[1]) if support_first else (cells[1], cells[0])
    if len(cells) == 1:
        # One unit column filled: city units (市…) support, district units lead.
        text = cells[0].text.strip()
        return (cells[0], None) if text.startswith("市") else (None, cells[0])
    return None, None


def _category(out: Parsed, cat: Category) -> Category:
    for known in out.categories:
        if known.seq == cat.seq and known.parent_seq == cat.parent_seq:
            return known  # a repeated or reworded heading: the first print names it
    out.categories.append(cat)
    return cat


def _measure(cell: Cell, deadline_cell: Cell, group: str | None, support: Cell | None, lead: Cell | None,
             main: Category | None, sub: Category | None, norm: str, orig: str, meta: Meta) -> Measure:
    m = MEASURE.match(cell.text)
    offset = cell.text.index(m.group(2))
    text = squash(m.group(2))
    text_orig = squash(orig[cell.start + offset:cell.end])
    ctx = meta.context
    agencies = []
    if support:
        agencies += resolve_clause(support.text, orig[support.start:support.end], ctx, Role.SUPPORT, False)
    if lead:
        agencies += resolve_clause(lead.text, orig[lead.start:lead.end], ctx, Role.LEAD, False)
    deadline, status = parse_deadline(deadline_cell.text, meta.year)
    zones, from_text = measure_zones(meta.zone, text, meta.as_of)
    start = cell.start + len(cell.text) - len(cell.text.lstrip())
    return Measure(
        seq=m.group(1), key=m.group(1), title=text, title_orig=text_orig, body=text, body_orig=text_orig,
        span=Span(start, deadline_cell.start + len(deadline_cell.text.rstrip())),
        category=main, subcategory=sub, agencies=tuple(agencies), zones=zones, zones_from_text=from_text,
        deadline=deadline, deadline_printed=squash(deadline_cell.text), status=status, working_group=group)
