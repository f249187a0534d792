"""Text handling shared by the parsers: decoding, normalisation, numerals, dates.

The parsers work on a *normalised copy* of the text that has exactly the same
length as the original (NFKC and OpenCC t2s applied character by character
where a character maps to one character), so every offset found in the copy is
an offset into the original: the span of a measure and its printed (possibly
Traditional) form come for free.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache

from loaders.errors import ParseError

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CN_DIGITS = "〇零一二三四五六七八九十百"
_CN_VALUES = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}


@cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    encoding: str


def decode(raw: bytes, source: str) -> Decoded:
    """UTF-8 (with or without BOM), else GB18030; anything else is refused."""
    if not raw.strip():
        raise ParseError(source, 1, "the file is empty")
    head = raw[:8192]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ParseError(source, 1, "not a text file (contains NUL bytes)")
    try:
        return Decoded(raw.decode("utf-8-sig"), "utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        text = raw.decode("gb18030")
    except UnicodeDecodeError:
        line = raw[: utf8_error.start].count(b"\n") + 1
        raise ParseError(source, line, "neither UTF-8 nor GB18030 text "
                         f"(invalid byte 0x{raw[utf8_error.start]:02x} at byte {utf8_error.start})") from None
    if sum(1 for ch in text if re.match(f"[{CJK}]", ch)) < 10:
        line = raw[: utf8_error.start].count(b"\n") + 1
        raise ParseError(source, line, "not UTF-8, and decoding as GB18030 gives no Chinese text")
    return Decoded(text, "gb18030")


def _char_nfkc(ch: str) -> str:
    """NFKC of one character where that is one character (a space where it is only spaces), else the character."""
    if ch.isascii():
        return ch
    n = unicodedata.normalize("NFKC", ch)
    if len(n) == 1:
        return n
    return " " if n.isspace() else ch


class _FoldTable(dict):
    """A ``str.translate`` table of :func:`_char_nfkc`, filled on the first sight of each character.

    The fold is per character, so a table gives the same text; translate looks characters up in
    C, where a Python call per character took a quarter of the parse time.  Kept to 65,536
    characters, so a file of every code point does not grow it for the life of the process.
    """

    def __missing__(self, code: int) -> str:
        folded = _char_nfkc(chr(code))
        if len(self) < 1 << 16:
            self[code] = folded
        return folded


_FOLD = _FoldTable()


def normalise(text: str) -> str:
    """NFKC + Traditional-to-Simplified, preserving length and offsets."""
    folded = text.translate(_FOLD)
    simplified = _t2s().convert(folded)
    if len(simplified) == len(folded):
        return simplified
    # A phrase conversion changed the length: convert line by line, and
    # character by character where a line still changes length.
    out = []
    for line in folded.splitlines(keepends=True):
        s = _t2s().convert(line)
        if len(s) != len(line):
            s = "".join(c if len(c2 := _t2s().convert(c)) != 1 else c2 for c in line)
        out.append(s)
    return "".join(out)


def to_simplified(text: str) -> str:
    """A normalised copy of a short string (no length guarantee needed)."""
    return _t2s().convert(unicodedata.normalize("NFKC", text))


_INNER_SPACE = re.compile(rf"(?<=[{CJK}、，,。;；:：()（）“”《》])\s+(?=[{CJK}、，,。;；:：()（）“”《》\d])"
                          rf"|(?<=[{CJK}\d])\s+(?=[{CJK}])")


_SPACE = re.compile(r"\s")


def squash(text: str) -> str:
    """Remove whitespace inside Chinese text (wrapped cells, stray spaces); trim."""
    if not _SPACE.search(text):
        return text  # most cells: nothing to remove, and one search is ten times cheaper than the sub
    return _INNER_SPACE.sub("", text).strip()


def cn_number(s: str) -> int:
    """一 -> 1, 十二 -> 12, 二十 -> 20, 二十一 -> 21; ASCII digits too."""
    s = s.strip()
    if s.isdigit():
        return int(s)
    if not s or any(c not in _CN_VALUES and c not in "十百" for c in s):
        raise ValueError(f"not a Chinese numeral: {s!r}")
    total, current = 0, 0
    for c in s:
        if c == "百":
            total += (current or 1) * 100
            current = 0
        elif c == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _CN_VALUES[c]
    return total + current


_CN_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def parse_cn_date(s: str) -> date | None:
    m = _CN_DATE.search(s) or _ISO_DATE.search(s)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class Line:
    no: int  # 1-based line number
    start: int  # offset of the first character
    text: str  # normalised text of the line, without the newline

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def lines_of(norm: str) -> list[Line]:
    out, pos = [], 0
    for no, raw in enumerate(norm.split("\n"), 1):
        out.append(Line(no, pos, raw.rstrip("\r")))
        pos += len(raw) + 1
    return out


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) so it does not begin or end with whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1
