"""Field-level parsing shared by the genre parsers: responsibility clauses,
replication scopes, quantitative targets, deadlines, headings."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from loaders.text import CJK, CN_DIGITS, cn_number, squash
from ontology.vocab import vocabulary
from reformkg.model import Category, Span, Target

# The label runs from its first to its last non-space character: a greedy ".*\S" finds that end in
# one pass, where a lazy "(.+?)\s*$" retried the trailing spaces from every position (quadratic in a
# run of spaces).  "[^\S\n]" keeps the old match of a label of spaces only (its last space).
HEADING = re.compile(rf"^\s*([{CN_DIGITS}]+)\s*、\s*(.*\S|[^\S\n])\s*$")
SUBHEADING = re.compile(rf"^\s*\(\s*([{CN_DIGITS}]+)\s*\)\s*(.*\S|[^\S\n])\s*$")
_COUNT = re.compile(r"\(\s*(\d+)\s*项\s*\)\s*[。.]?$")


def heading(seq_cn: str, label: str, label_orig: str, sub: bool = False,
            parent_seq: str | None = None) -> Category:
    """A Category from a printed heading; "(8项)" becomes its declared count."""
    label = squash(label)
    count = None
    if m := _COUNT.search(label):
        count = int(m.group(1))
        label = label[: m.start()]
    label = label.rstrip("。.;；,， ")
    seq = f"({seq_cn})" if sub else seq_cn
    return Category(seq, label, squash(label_orig), parent_seq, count)


def closing_parenthetical(text: str) -> tuple[int, int] | None:
    """Span of the last balanced (...) that ends the text (trailing space allowed)."""
    end = len(text.rstrip())
    if end == 0 or text[end - 1] != ")":
        return None
    start = text.rfind("(", 0, end - 1)
    if start >= 0 and text.find(")", start, end - 1) < 0:
        return start, end  # not nested (the usual case): no walk back character by character
    depth = 0
    for i in range(end - 1, -1, -1):
        if text[i] == ")":
            depth += 1
        elif text[i] == "(":
            depth -= 1
            if depth == 0:
                return i, end
    return None


def title_and_body(text: str) -> tuple[str, str, int]:
    """Title is the text before the first 。; returns (title, body, body offset)."""
    cut = text.find("。")
    if cut < 0:
        return text.strip(), "", len(text)
    return text[:cut].strip(), text[cut + 1:].strip(), cut + 1


# ---------------------------------------------------------------- scopes

@dataclass(frozen=True, slots=True)
class ScopeRef:
    id: str  # "{jurisdiction}/{type}"
    type: str
    jurisdiction: str


def resolve_scope(printed: str, city: str | None, province: str = "guangdong") -> ScopeRef | None:
    """A printed 推广范围 to a scope concept bound to the document's place."""
    text = squash(printed)
    if not text:
        return None
    best = None
    for st in vocabulary().scope_types.values():
        for label in (st.label, *st.aliases):
            if label in text and (best is None or len(label) > best[1]):
                best = (st, len(label))
    if best is None:
        return None
    st = best[0]
    jurisdiction = {"city": city or province, "province": province, "national": "china"}[st.level]
    return ScopeRef(f"{jurisdiction}/{st.id}", st.id, jurisdiction)


# ---------------------------------------------------------------- targets

_GOAL = re.compile(r"到\s*(\d{4})\s*年\s*[,，]?\s*([^。]*)")
# A match may start only where a run of metric characters starts: the leftmost match always does
# (one character earlier would match too), and starting inside the run only rescanned it, which
# made a long goal without a verb quadratic.
_METRIC = rf"[{CJK}A-Za-z0-9()]"
_TARGET = re.compile(
    rf"(?<!{_METRIC})(?:争取)?(?P<metric>{_METRIC}+?)(?P<verb>突破|超过|达到|达)(?P<value>\d+(?:\.\d+)?)"
    rf"(?P<unit>[{CJK}A-Za-z]*?)(?P<more>以上)?$")


def find_targets(norm: str, orig: str, start: int, end: int) -> list[Target]:
    """Quantitative goals ("到2025年, 争取…突破…") inside norm[start:end]."""
    out = []
    for goal in _GOAL.finditer(norm, start, end):
        year = int(goal.group(1))
        pos = goal.start(2)
        for part in re.split(r"([,，;；])", goal.group(2)):
            if part and part not in ",，;；":
                m = _TARGET.search(part.strip())
                if m:
                    s = norm.index(part, pos)
                    e = s + len(part)
                    comparator = ">=" if m.group("verb") in ("达到", "达") or m.group("more") else ">"
                    out.append(Target(m.group("metric"), float(m.group("value")), m.group("unit"), year,
                                      comparator, orig[s:e].strip(), Span(s, e)))
            pos += len(part)
    return out


# ---------------------------------------------------------------- deadlines

_MONTH_END = re.compile(r"^(\d{1,2})月底$")
_DAY = re.compile(r"^(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日$")
_STATUS = {"已完成": "completed", "长期": "ongoing", "持续推进": "ongoing"}


def parse_deadline(printed: str, year: int | None) -> tuple[date | None, str | None]:
    """"8月底" in a 2017 table -> 2017-08-31; "已完成" -> status completed."""
    text = re.sub(r"\s+", "", printed)
    if text in _STATUS:
        return None, _STATUS[text]
    if text == "年底" and year:
        return date(year, 12, 31), None
    if (m := _MONTH_END.match(text)) and year:
        month = int(m.group(1))
        if 1 <= month <= 12:
            return date(year, month, calendar.monthrange(year, month)[1]), None
    if (m := _DAY.match(text)) and (m.group(1) or year):
        try:
            return date(int(m.group(1) or year), int(m.group(2)), int(m.group(3))), None
        except ValueError:
            return None, None
    return None, None


def is_deadline(printed: str) -> bool:
    text = re.sub(r"\s+", "", printed)
    return text in _STATUS or text == "年底" or bool(_MONTH_END.match(text) or _DAY.match(text))


def cn_seq(seq: str) -> int:
    return cn_number(seq.strip("()"))
