"""Action plans (行动方案): groups "(一)…。", items "1. title。body(X牵头,Y…负责)",
and quantitative targets ("到2025年…突破/达…") on items and on the plan."""

from __future__ import annotations

import re
from bisect import bisect_right

from loaders.agencies import resolve_clause
from loaders.errors import ParseError
from loaders.fields import HEADING, SUBHEADING, closing_parenthetical, find_targets, heading, title_and_body
from loaders.metadata import Meta
from loaders.parsed import Parsed
from loaders.text import Line, squash, strip_span
from loaders.zones import measure_zones
from reformkg.model import Category, Measure, Role, Span

ITEM = re.compile(r"^\s*(\d{1,3})\s*[.．、]\s*(\S.*)$")


def _lead_clause(text: str) -> bool:
    return "牵头" in text or text.endswith("负责")


def is_item_line(text: str) -> bool:
    if not ITEM.match(text):
        return False
    par = closing_parenthetical(text)
    return par is not None and _lead_clause(text[par[0] + 1:par[1] - 1])


def parse(norm: str, orig: str, lines: list[Line], meta: Meta, source: str) -> Parsed:
    out = Parsed()
    items = [i for i, ln in enumerate(lines) if is_item_line(ln.text)]
    if not items:
        raise ParseError(source, 1, "no numbered item with a lead clause (…牵头) found")
    item_set = set(items)
    subs = [i for i, ln in enumerate(lines) if SUBHEADING.match(ln.text)]
    group: Category | None = None
    for i, ln in enumerate(lines):
        text = ln.text
        if HEADING.match(text):
            continue
        if i < items[0]:
            # Goals stated before the first item (发展目标) belong to the plan.
            out.targets.extend(find_targets(norm, orig, ln.start, ln.end))
        if (m := SUBHEADING.match(text)) and i < items[-1] and i not in item_set:
            # A group heading directly above its items: no other sub-heading before the next item.
            # Both "next" lines by bisection, so a run of sub-headings costs one pass, not one per line.
            nxt = items[bisect_right(items, i)]  # exists: i < items[-1]
            k = bisect_right(subs, i)
            if k == len(subs) or subs[k] >= nxt:
                group = heading(m.group(1), m.group(2), orig[ln.start:ln.end].strip().split(")", 1)[-1], sub=True)
                out.categories.append(group)
            continue
        if not (m := ITEM.match(text)):
            continue
        s, e = strip_span(norm, ln.start, ln.end)
        line = norm[s:e]
        par = closing_parenthetical(line)
        if par is None or not _lead_clause(line[par[0] + 1:par[1] - 1]):
            if i > items[-1] or i == len(lines) - 1:
                raise ParseError(source, ln.no, "the document ends inside an item: no lead clause; truncated?")
            out.warnings.append(f"{source}:{ln.no}: numbered line without a lead clause, skipped")
            continue
        content_start = line.index(m.group(2))
        content = line[content_start:par[0]]
        title, body, _ = title_and_body(content)
        t_orig, b_orig, _ = title_and_body(orig[s + content_start:s + par[0]])
        clause = line[par[0] + 1:par[1] - 1]
        clause_orig = orig[s + par[0] + 1:s + par[1] - 1]
        cut = clause.find("牵头")
        if cut >= 0:
            lead = resolve_clause(clause[:cut], clause_orig[:cut], meta.context, Role.LEAD)
            rest = clause[cut + 2:].lstrip(",，")
            offset = len(clause) - len(rest)
            part = resolve_clause(rest, clause_orig[offset:], meta.context, Role.PARTICIPANT)
        else:
            lead, part = resolve_clause(clause, clause_orig, meta.context, Role.LEAD), []
        zones, from_text = measure_zones(meta.zone, content, meta.as_of)
        seq = m.group(1)
        out.measures.append(Measure(
            seq=seq, key=seq, title=squash(title), title_orig=squash(t_orig), body=squash(body),
            body_orig=squash(b_orig), span=Span(s, e), category=group, agencies=tuple(lead + part),
            zones=zones, zones_from_text=from_text,
            targets=tuple(find_targets(norm, orig, s + content_start, s + par[0]))))
    out.check_sequence(source)
    return out
