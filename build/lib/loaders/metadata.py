"""Document metadata found by structure: number, title, issuer, dates, zone,
batch, and the places that 省 / 市 / 区 refer to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from loaders.agencies import Context, resolve_unit
from loaders.text import CJK, Line, cn_number, parse_cn_date, squash
from loaders.zones import zones_in
from ontology.vocab import vocabulary
from reformkg.model import Agency

_DOC_NUMBER = re.compile(rf"^\s*([{CJK}]{{1,8}})\s*[〔\[(［【]\s*(\d{{4}})\s*[〕\])］】]\s*(\d+)\s*号\s*$")
_NOTICE_TITLE = re.compile(r"^\s*(.{2,40}?)关于.+的(?:通知|意见|决定|批复|函)\s*$")
_DATE_LINE = re.compile(r"^\s*\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$")
_PUBLISHED = re.compile(r"(?:发布时间|发布日期|时间)\s*[:：]\s*(\d{4}-\d{2}-\d{2})")
_BATCH = re.compile(r"第\s*([一二三四五六七八九十\d]+)\s*批")
_YEAR = re.compile(r"(\d{4})\s*年")
_TABLE_START = re.compile(r"^\s*(\||\t)|^\s*说明\s*[:：]")


@dataclass(frozen=True, slots=True)
class Meta:
    title: str
    title_span: tuple[int, int]
    doc_number: str | None
    doc_number_span: tuple[int, int] | None
    issuer: Agency | None
    issuer_printed: str | None
    issued: date | None
    published: date | None
    as_of: date | None
    zone: str | None
    batch: int | None
    year: int | None
    context: Context
    jurisdiction: str


def _title(lines: list[Line]) -> tuple[str, tuple[int, int], str | None]:
    """The notice title (and its issuer prefix), or the title block of an attachment."""
    for ln in lines[:60]:
        m = _NOTICE_TITLE.match(ln.text)
        if m and "《" not in m.group(1):
            return squash(ln.text), (ln.start, ln.end), squash(m.group(1))
    # An attachment without a notice: the lines after 附件 up to the table.
    block: list[Line] = []
    for ln in lines[:60]:
        text = ln.text.strip()
        if _TABLE_START.match(ln.text):
            if block:
                break
            continue
        if not text or text == "附件":
            continue
        block.append(ln)
        if len(block) >= 4:
            break
    if not block:
        return "", (0, 0), None
    return squash("".join(b.text for b in block)), (block[0].start, block[-1].end), None


def read_metadata(lines: list[Line]) -> Meta:
    vocab = vocabulary()
    head = lines[:80]
    title, title_span, issuer_text = _title(lines)

    number, number_span = None, None
    for ln in head:
        if m := _DOC_NUMBER.match(ln.text):
            number = f"{m.group(1)}〔{m.group(2)}〕{m.group(3)}号"
            number_span = (ln.start + m.start(1), ln.start + m.end())
            break

    issued = next((parse_cn_date(ln.text) for ln in lines if _DATE_LINE.match(ln.text)), None)
    published = None
    for ln in head:
        if m := _PUBLISHED.search(ln.text):
            published = date.fromisoformat(m.group(1))
            break

    # The day the document speaks on: its date, else the middle of its year.
    as_of = issued or published or (date(int(m.group(1)), 7, 1) if (m := _YEAR.search(title)) else None)
    zones = zones_in(title, as_of)
    zone = zones[0] if zones else None
    batch = None
    if m := _BATCH.search(title):
        batch = cn_number(m.group(1))
    year = int(m.group(1)) if (m := _YEAR.search(title)) else (issued.year if issued else None)

    issuer = resolve_unit(issuer_text, Context()) if issuer_text else None
    # The places 省 / 市 / 区 refer to: the zone's, else the issuer's.
    district = city = None
    if zone:
        place = vocab.zones[zone].within
        city = vocab.city_of(place)
        district = place if vocab.places[place].level == "district" else None
    elif issuer:
        city = vocab.city_of(issuer.jurisdiction)
    jurisdiction = city or (issuer.jurisdiction if issuer else "guangdong")
    if issuer and vocab.places[issuer.jurisdiction].level == "province":
        jurisdiction = issuer.jurisdiction
    return Meta(title, title_span, number, number_span, issuer, issuer_text, issued, published, as_of, zone, batch,
                year, Context(city=city, district=district), jurisdiction)
