"""Provincial opinions (实施意见): themes "一、…", items "(一)title。body(…负责)"."""

from __future__ import annotations

from loaders.agencies import resolve_clause
from loaders.errors import ParseError
from loaders.fields import HEADING, SUBHEADING, closing_parenthetical, heading, title_and_body
from loaders.metadata import Meta
from loaders.parsed import Parsed
from loaders.text import Line, cn_number, squash, strip_span
from loaders.zones import measure_zones
from reformkg.model import Category, Measure, Role, Span


def is_item_line(text: str) -> bool:
    """An item that ends with its responsibility clause."""
    return bool(SUBHEADING.match(text)) and _ends_with_clause(text)


def _ends_with_clause(text: str) -> bool:
    par = closing_parenthetical(text)
    return par is not None and text[par[0]:par[1]].rstrip(")").rstrip().endswith("负责")


def parse(norm: str, orig: str, lines: list[Line], meta: Meta, source: str) -> Parsed:
    out = Parsed()
    first = next((i for i, ln in enumerate(lines) if is_item_line(ln.text)), None)
    if first is None:
        raise ParseError(source, 1, "no item with a responsibility clause (…负责) found")
    # The first theme heading is the last "一、" heading before the first item.
    start = max((i for i in range(first) if HEADING.match(lines[i].text)), default=first)
    theme: Category | None = None
    open_item: list[Line] = []

    def close_item(at_end: bool) -> None:
        if not open_item:
            return
        s = open_item[0].start
        e = open_item[-1].end
        s, e = strip_span(norm, s, e)
        text = norm[s:e].replace("\n", "")
        par = closing_parenthetical(text)
        if par is None or not text[par[0]:par[1]].rstrip(")").rstrip().endswith("负责"):
            if at_end:
                raise ParseError(source, open_item[-1].no,
                                 "the document ends inside an item: no responsibility clause (…负责); truncated?")
            out.warnings.append(f"{source}:{open_item[0].no}: item without a responsibility clause")
            par = (len(text), len(text))
        m = SUBHEADING.match(text)
        item_no = cn_number(m.group(1))
        content_start = m.start(2)
        content = text[content_start:par[0]]
        title, body, _ = title_and_body(content)
        clause_s, clause_e = s + par[0] + 1, s + par[1] - 1
        agencies = resolve_clause(norm[clause_s:clause_e], orig[clause_s:clause_e], meta.context, Role.LEAD)
        zones, from_text = measure_zones(meta.zone, content, meta.as_of)
        t_orig, b_orig, _ = title_and_body(orig[s + content_start:s + par[0]])
        theme_no = cn_number(theme.seq) if theme else 0
        out.measures.append(Measure(
            seq=f"{theme.seq if theme else ''}({m.group(1)})", key=f"{theme_no}-{item_no}",
            title=squash(title), title_orig=squash(t_orig), body=squash(body), body_orig=squash(b_orig),
            span=Span(s, e), category=theme, agencies=tuple(agencies), zones=zones, zones_from_text=from_text))
        open_item.clear()

    for ln in lines[start:]:
        text = ln.text
        if not text.strip():
            continue
        if m := HEADING.match(text):
            close_item(False)
            theme = heading(m.group(1), m.group(2), orig[ln.start:ln.end].strip().split("、", 1)[-1])
            out.categories.append(theme)
        elif SUBHEADING.match(text):
            close_item(False)
            if theme is None:
                raise ParseError(source, ln.no, "an item before the first theme heading")
            open_item.append(ln)
        elif open_item:
            open_item.append(ln)  # an item wrapped onto the next line
        else:
            continue  # text after a closed item: closing remarks, page clutter
        if open_item and _ends_with_clause(norm[open_item[0].start:open_item[-1].end].replace("\n", "")):
            close_item(False)
    close_item(True)
    out.check_sequence(source)
    return out

