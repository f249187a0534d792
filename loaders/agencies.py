"""Agency resolution: printed unit lists to one canonical Agency per real body.

"市市场监管局" in a Shenzhen document is Shenzhen's market regulator, "市工商局"
in a Guangzhou document is Guangzhou's, "区商务局" in the Hengqin table is
Hengqin's, and "广州、深圳、珠海市人民政府" is three governments.  Everything
the rules need (places, body names and their short forms, named agencies)
comes from ontology/vocabulary.ttl.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from ontology.vocab import KnownAgency, PlaceInfo, Vocabulary, vocabulary
from reformkg.model import Agency, AgencyMention, Level, Role

# Phrases that close a responsibility clause or name a collective, not a body.
_TRAILERS = re.compile(r"(等(?:省|市|区)?(?:有关|相关)(?:部门|单位)|等相关单位|等有关单位)?(?:按职责分工)?负责$")
_COLLECTIVE = re.compile(r"有关|相关|各企业|^各(?:部门|单位)$")
_ETC = re.compile(r"等[^,，、;；]*?(?:有关|相关)[^,，、;；]*")
_GOVERNMENT = re.compile(r"^(?:人民)?政府$")
_UNIT_END = re.compile(r"(局|委|办|厅|院|署|站|关|行|会|部|处|所|中心|公司|政府|组|室|队|区|馆|总站)$")


@dataclass(frozen=True, slots=True)
class Context:
    """Where a document speaks from: 省 / 市 / 区 resolve against these places."""

    province: str = "guangdong"
    city: str | None = None
    district: str | None = None


@dataclass(frozen=True, slots=True)
class Unit:
    text: str  # normalised text of one unit
    start: int  # offsets into the clause
    end: int


class _Index:
    def __init__(self, vocab: Vocabulary):
        self.vocab = vocab
        self.known: dict[str, list[KnownAgency]] = {}
        for a in vocab.agencies.values():
            for label in (a.name, *a.aliases):
                self.known.setdefault(label, []).append(a)
        self.bodies: dict[str, list] = {}
        for b in vocab.bodies:
            for label in (b.full, *b.aliases):
                self.bodies.setdefault(label, []).append(b)
        # place prefixes, longest first; one-character aliases (粤, 穗) are not prefixes
        names: list[tuple[str, PlaceInfo, bool]] = []
        for p in vocab.places.values():
            names.append((p.name, p, False))
            names += [(a, p, True) for a in p.aliases if len(a) >= 2]
        self.place_prefixes = sorted(names, key=lambda t: -len(t[0]))
        self.place_names = {name for name, _, _ in names}
        self.by_government = {p.government: p for p in vocab.places.values()}


@cache
def _index() -> _Index:
    return _Index(vocabulary())


def split_units(clause: str) -> list[Unit]:
    """Split a printed list of units on , 、 ; and whitespace.

    Whitespace-separated pieces that do not end like a unit ("横琴国际知识产权"
    before "交易中心") are joined to the next piece: a cell wrapped by a stray
    space stays one unit.
    """
    m = _TRAILERS.search(clause)
    body_end = m.start() if m else len(clause)
    units: list[Unit] = []
    for piece in re.finditer(r"[^,，、;；\s]+(?:\s+[^,，、;；\s]+)*", clause[:body_end]):
        words = list(re.finditer(r"\S+", piece.group()))
        buf_start = None
        for i, w in enumerate(words):
            if buf_start is None:
                buf_start = w.start()
            last = i == len(words) - 1
            if last or _UNIT_END.search(w.group()) or _is_place_only(w.group()):
                s, e = piece.start() + buf_start, piece.start() + w.end()
                if cut := _ETC.search(clause, s, e):  # 编办等省有关部门 -> 编办
                    e = cut.start()
                units.append(Unit(re.sub(r"\s+", "", clause[s:e]), s, e))
                buf_start = None
    return units


def _is_place_only(text: str) -> bool:
    return text in _index().place_names


@dataclass(frozen=True, slots=True)
class _Prefix:
    place: PlaceInfo
    party: bool  # 省委 / 市委: an organ of the party committee
    bare: bool  # printed as a bare place name (广州, 横琴) rather than 省/市/区 or a full name


def _place_for(abbrev: str, ctx: Context, vocab: Vocabulary) -> PlaceInfo | None:
    pid = {"省": ctx.province, "市": ctx.city, "区": ctx.district}[abbrev]
    return vocab.places.get(pid) if pid else None


@lru_cache(maxsize=8192)
def _split_prefix(text: str, ctx: Context) -> tuple[_Prefix | None, str]:
    """(the place a unit's name starts with, the rest); memoised, as it scans every place name."""
    idx = _index()
    if text in idx.bodies:  # "市场监管局" is a body, not 市 + 场监管局
        return None, text
    for name, place, is_alias in idx.place_prefixes:
        if text.startswith(name):
            return _Prefix(place, False, is_alias and not name.endswith(("省", "市"))), text[len(name):]
    for abbrev in ("省", "市", "区"):
        for party in (True, False):
            head = abbrev + ("委" if party else "")
            if text.startswith(head) and len(text) > len(head):
                place = _place_for(abbrev, ctx, idx.vocab)
                if place is None:
                    return None, text
                return _Prefix(place, party, False), text[len(head):]
    return None, text


def _known(text: str, ctx: Context) -> KnownAgency | None:
    candidates = _index().known.get(text, [])
    for a in candidates:
        if text == a.name or a.match_in_city is None or a.match_in_city == ctx.city:
            return a
    return None


def _from_known(a: KnownAgency, vocab: Vocabulary) -> Agency:
    parent = vocab.agencies[a.parent].name if a.parent else None
    return Agency(a.name, Level(a.level), a.place, parent, None, False)


def _government(place: PlaceInfo, vocab: Vocabulary) -> Agency:
    parent = vocab.places[place.within].government if place.within else None
    return Agency(place.government, Level(place.level), place.id, parent, "government", True)


def _expand_body(body: str, level: str) -> tuple[str, str | None]:
    options = _index().bodies.get(body, [])
    for b in options:
        if b.level in (None, level):
            return b.full, b.function
    return body, None


def resolve_unit(text: str, ctx: Context, inherited: _Prefix | None = None) -> Agency | None:
    """One printed unit to an Agency; None for collectives ("有关部门", "各企业")."""
    vocab = _index().vocab
    if known := _known(text, ctx):
        return _from_known(known, vocab)
    if text in _index().by_government:
        return _government(_index().by_government[text], vocab)
    if text in ("各区政府", "各区人民政府") and ctx.city:
        city = vocab.places[ctx.city]
        return Agency(f"{city.name}各区人民政府", Level.DISTRICT, city.id, city.government, "government", True)
    if _COLLECTIVE.search(text):
        return None
    prefix, body = _split_prefix(text, ctx)
    if prefix is None:
        prefix = inherited
    if prefix is None:
        # A self-standing name without a place (大横琴科技公司): it belongs to
        # the most specific place the document speaks from.
        pid = ctx.district or ctx.city or ctx.province
        place = vocab.places[pid]
        return Agency(text, Level(place.level), place.id, place.government, None, False)
    place = prefix.place
    if not body or _GOVERNMENT.match(body):
        return _government(place, vocab)
    if known := _known(body, ctx):
        return _from_known(known, vocab)
    full, function = _expand_body(body, place.level)
    if prefix.party:
        name = f"中共{place.name}委{full}"
    elif prefix.bare and function is None:
        name = text  # a proper name that starts with a place: 横琴公证处
    else:
        name = place.name + full
    return Agency(name, Level(place.level), place.id, place.government, function, False)


def resolve_clause(clause: str, clause_orig: str, ctx: Context, role: Role,
                   distribute_prefix: bool = True) -> list[AgencyMention]:
    """Resolve a printed list of units; ``clause_orig`` is the same text as printed.

    ``distribute_prefix``: in lists joined by 、 a unit without a place inherits
    the previous unit's (省发展改革委、工商局 -> 省工商局), and bare place names
    take the suffix of the next unit (广州、深圳、珠海市人民政府).
    """
    return list(_resolve_clause(clause, clause_orig, ctx, role, distribute_prefix))


@lru_cache(maxsize=32768)  # about 25,000 distinct clauses in 100,000 synthetic measures
def _resolve_clause(clause: str, clause_orig: str, ctx: Context, role: Role,
                    distribute_prefix: bool) -> tuple[AgencyMention, ...]:
    """:func:`resolve_clause`, memoised: a corpus repeats a few hundred clauses thousands of times
    (the vocabulary behind it is fixed for the process, and the mentions are immutable)."""
    units = split_units(clause)
    mentions: list[AgencyMention] = []
    seen: set[str] = set()
    inherited: _Prefix | None = None
    for i, unit in enumerate(units):
        text = unit.text
        if distribute_prefix and _is_place_only(text):
            nxt = next((u.text for u in units[i + 1:] if not _is_place_only(u.text)), None)
            if nxt:
                pfx, suffix = _split_prefix(nxt, ctx)
                if pfx and suffix:
                    text = text + ("" if text.endswith(("市", "省", "区")) or pfx.bare else
                                   nxt[len(nxt) - len(suffix) - 1]) + suffix
        agency = resolve_unit(text, ctx, inherited if distribute_prefix else None)
        pfx, _ = _split_prefix(text, ctx)
        if pfx is not None:
            inherited = pfx
        if agency is None or agency.name in seen:
            continue
        seen.add(agency.name)
        mentions.append(AgencyMention(agency, clause_orig[unit.start:unit.end], role, len(
            [m for m in mentions if m.role is role])))
    return tuple(mentions)
