"""Agency and zone successions from the vocabulary's reforms: pure functions.

An institutional reform (ontology/vocabulary.ttl, ``rkg:InstitutionalReform``)
either names the functions it merged (工商 + 质监 + 食药监 -> 市场监管) or
lists explicit successions of named agencies (检验检疫局 -> 海关).  Applied to
the agencies in the graph:

- by function: within one place, each agency of a merged function is
  succeeded by THE agency of the resulting function there.  When the graph
  has none and the place is a province or a city, the successor is created
  under the standard name, place + body (珠海市 + 税务局); district bodies were
  named too irregularly for that, so there a succession needs both ends in
  the graph.  Two candidates at one place: no guess, a warning.
- named: the two known agencies, when the predecessor is in the graph (the
  successor is created from the vocabulary if missing).
- zones: ``rkg:zoneSucceededBy`` between zones that are both in the graph,
  dated by the successor's ``rkg:validFrom``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from ontology.vocab import Vocabulary

CREATE_AT_LEVELS = ("province", "city")


@dataclass(frozen=True, slots=True)
class AgencyRecord:
    uri: str
    name: str
    function: str | None
    level: str | None
    place: str | None  # place id (zone_id of the Place node)


@dataclass(frozen=True, slots=True)
class Succession:
    before: str  # uri
    after: str  # uri
    date: date | None
    reform: str  # the reform's name


@dataclass
class SuccessionResult:
    successions: list[Succession] = field(default_factory=list)
    created: list[AgencyRecord] = field(default_factory=list)  # successors not in the graph before
    warnings: list[str] = field(default_factory=list)


def agency_successions(agencies: Iterable[AgencyRecord], vocab: Vocabulary, agency_iri) -> SuccessionResult:
    """Successions among ``agencies``; ``agency_iri(name)`` gives a new agency's IRI."""
    result = SuccessionResult()
    by_uri = {a.uri: a for a in agencies}
    by_place: dict[str | None, list[AgencyRecord]] = defaultdict(list)
    for a in by_uri.values():
        by_place[a.place].append(a)

    def create(record: AgencyRecord) -> AgencyRecord:
        by_uri[record.uri] = record
        by_place[record.place].append(record)
        result.created.append(record)
        return record

    def successor(place: str | None, function: str, body: str | None) -> AgencyRecord | None:
        found = [a for a in by_place[place] if a.function == function]
        if len(found) == 1:
            return found[0]
        if found:
            names = ", ".join(sorted(a.name for a in found))
            result.warnings.append(f"{len(found)} {function} agencies in {place} ({names}): no succession drawn")
            return None
        info = vocab.places.get(place) if place else None
        if body is None or info is None or info.level not in CREATE_AT_LEVELS:
            return None
        return create(AgencyRecord(agency_iri(info.name + body), info.name + body, function, info.level, place))

    for reform in sorted(vocab.reforms.values(), key=lambda r: (r.date or date.max, r.id)):
        if not reform.from_functions or not reform.to_function:
            continue
        for place in sorted(by_place, key=lambda p: p or ""):
            olds = sorted((a for a in by_place[place] if a.function in reform.from_functions), key=lambda a: a.uri)
            if not olds:
                continue
            new = successor(place, reform.to_function, reform.successor_body)
            for old in olds if new else ():
                result.successions.append(Succession(old.uri, new.uri, reform.date, reform.name))

    for named in vocab.named_successions:
        before, after = vocab.agencies.get(named.original), vocab.agencies.get(named.resulting)
        reform = vocab.reforms.get(named.reform)
        if before is None or after is None or reform is None:
            result.warnings.append(f"succession {named}: unknown agency or reform in the vocabulary")
            continue
        old_uri = agency_iri(before.name)
        if old_uri not in by_uri:
            continue
        new_uri = agency_iri(after.name)
        if new_uri not in by_uri:
            create(AgencyRecord(new_uri, after.name, None, after.level, after.place))
        result.successions.append(Succession(old_uri, new_uri, reform.date, reform.name))
    return result


def zone_successions(zone_ids: Iterable[str], vocab: Vocabulary) -> list[tuple[str, str, date | None]]:
    """(zone id, successor zone id, date) for zones both present."""
    present = set(zone_ids)
    out = []
    for zid in sorted(present):
        info = vocab.zones.get(zid)
        nxt = info.succeeded_by if info else None
        if nxt in present:
            out.append((zid, nxt, vocab.zones[nxt].valid_from))
    return out
