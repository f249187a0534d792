"""The controlled vocabulary (ontology/vocabulary.ttl) as plain Python data.

Read once per process with rdflib; the loaders build their entity recognition
and agency resolution from it, and graph/successions.py the successions of
agencies (institutional reforms, named successions) and of zones.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources

from rdflib import RDF, SKOS, Graph, Literal, Namespace, URIRef

from ontology.schema import ORG, PROV

# The vocabulary file's own terms (rkg:within, rkg:governmentName, ...), read
# leniently: the DefinedNamespace in ontology.namespace is for the exported graph.
RKG = Namespace("https://w3id.org/reformkg/ontology#")


@dataclass(frozen=True, slots=True)
class PlaceInfo:
    id: str
    name: str  # 广东省, 深圳市, 珠海市横琴新区
    aliases: tuple[str, ...]
    level: str
    government: str
    within: str | None


@dataclass(frozen=True, slots=True)
class ZoneInfo:
    id: str
    name: str
    aliases: tuple[str, ...]
    within: str  # place id
    valid_from: date | None
    valid_until: date | None
    succeeded_by: str | None = None  # id of the zone that took over this one (on valid_until)

    def valid_on(self, day: date | None) -> bool:
        if day is None:
            return self.valid_until is None
        if self.valid_from and day < self.valid_from:
            return False
        return not (self.valid_until and day >= self.valid_until)


@dataclass(frozen=True, slots=True)
class ScopeType:
    id: str
    label: str
    aliases: tuple[str, ...]
    level: str  # the place level the type binds to: city, province, national
    broader: str | None


@dataclass(frozen=True, slots=True)
class BodyName:
    id: str
    full: str
    aliases: tuple[str, ...]
    function: str
    level: str | None  # only for names whose full form depends on the level (法院)


@dataclass(frozen=True, slots=True)
class KnownAgency:
    id: str
    name: str
    aliases: tuple[str, ...]
    level: str
    place: str
    parent: str | None  # id of the parent known agency
    match_in_city: str | None  # bare aliases only match in this city's documents


@dataclass(frozen=True, slots=True)
class Reform:
    """An institutional reform as a rule: in each place, the agencies whose body
    has one of ``from_functions`` are succeeded by the ``successor_body`` of the
    same place.  ``date`` is the national reform's, not each local bureau's."""

    id: str  # 2018-market-regulation
    name: str  # 2018年机构改革:组建市场监督管理部门
    date: date
    from_functions: tuple[str, ...]  # sorted: industry-commerce, food-drug, ...
    to_function: str | None  # market-regulation; None for a reform of named successions only
    successor_body: str | None  # the body's full name, e.g. 市场监督管理局


@dataclass(frozen=True, slots=True)
class NamedSuccession:
    """A succession of two named agencies, e.g. 珠海出入境检验检疫局 -> 拱北海关."""

    original: str  # known-agency id
    resulting: str  # known-agency id
    reform: str  # reform id


@dataclass(frozen=True, slots=True)
class Vocabulary:
    places: dict[str, PlaceInfo]
    zones: dict[str, ZoneInfo]
    scope_types: dict[str, ScopeType]
    bodies: tuple[BodyName, ...]
    agencies: dict[str, KnownAgency]
    reforms: dict[str, Reform] = field(default_factory=dict)
    named_successions: tuple[NamedSuccession, ...] = ()  # sorted by (original, resulting)

    def city_of(self, place_id: str | None) -> str | None:
        """The city a place lies in (itself for a city), or None above city level."""
        while place_id:
            p = self.places[place_id]
            if p.level == "city":
                return p.id
            if p.level in ("province", "national"):
                return None
            place_id = p.within
        return None


def _id(node: URIRef) -> str:
    return str(node).rstrip("/").rsplit("/", 1)[-1]


def _labels(g: Graph, s: URIRef, p: URIRef) -> tuple[str, ...]:
    return tuple(sorted(str(o) for o in g.objects(s, p) if isinstance(o, Literal)))


def _one(g: Graph, s: URIRef, p: URIRef) -> str | None:
    o = g.value(s, p)
    return None if o is None else str(o)


def _date(g: Graph, s: URIRef, p: URIRef) -> date | None:
    o = g.value(s, p)
    return None if o is None else date.fromisoformat(str(o))


@cache
def vocabulary() -> Vocabulary:
    g = Graph()
    g.parse(data=resources.files("ontology").joinpath("vocabulary.ttl").read_text("utf-8"), format="turtle")
    places = {}
    for s in g.subjects(RDF.type, RKG.Place):
        within = g.value(s, RKG.within)
        places[_id(s)] = PlaceInfo(
            _id(s), _one(g, s, SKOS.prefLabel), _labels(g, s, SKOS.altLabel), _one(g, s, RKG.level),
            _one(g, s, RKG.governmentName), _id(within) if within else None)
    zones = {}
    for s in g.subjects(RDF.type, RKG.PilotZone):
        successor = g.value(s, RKG.zoneSucceededBy)
        zones[_id(s)] = ZoneInfo(
            _id(s), _one(g, s, SKOS.prefLabel), _labels(g, s, SKOS.altLabel), _id(g.value(s, RKG.within)),
            _date(g, s, RKG.validFrom), _date(g, s, RKG.validUntil), _id(successor) if successor else None)
    scope_types = {}
    for s in g.subjects(SKOS.inScheme, RKG.ReplicationScopeTypes):
        broader = g.value(s, SKOS.broader)
        scope_types[_id(s)] = ScopeType(
            _id(s), _one(g, s, SKOS.prefLabel), _labels(g, s, SKOS.altLabel), _one(g, s, RKG.scopeLevel),
            _id(broader) if broader else None)
    bodies = tuple(
        BodyName(_id(s), _one(g, s, SKOS.prefLabel), _labels(g, s, SKOS.altLabel), _one(g, s, RKG.function),
                 _one(g, s, RKG.level))
        for s in sorted(g.subjects(RKG.function, None)))
    agencies = {}
    for s in g.subjects(RDF.type, ORG.Organization):
        parent = g.value(s, ORG.subOrganizationOf)
        city = g.value(s, RKG.matchInCity)
        agencies[_id(s)] = KnownAgency(
            _id(s), _one(g, s, SKOS.prefLabel), _labels(g, s, SKOS.altLabel), _one(g, s, RKG.level),
            _id(g.value(s, RKG.within)), _id(parent) if parent else None, _id(city) if city else None)
    reforms = {}
    for s in g.subjects(RDF.type, RKG.InstitutionalReform):
        when = _date(g, s, PROV.atTime)
        if when is None:
            raise ValueError(f"vocabulary: reform {_id(s)} has no prov:atTime")
        body = g.value(s, RKG.successorBody)
        reforms[_id(s)] = Reform(
            _id(s), _one(g, s, SKOS.prefLabel), when, _labels(g, s, RKG.fromFunction), _one(g, s, RKG.toFunction),
            _one(g, body, SKOS.prefLabel) if body is not None else None)
    named = []
    for s in g.subjects(RDF.type, RKG.AgencySuccession):
        original, resulting, reform = (g.value(s, p) for p in (ORG.originalOrganization, ORG.resultingOrganization,
                                                                 RKG.reform))
        if original is None or resulting is None or reform is None:
            raise ValueError(f"vocabulary: succession {_id(s)} needs an original, a resulting agency and a reform")
        named.append(NamedSuccession(_id(original), _id(resulting), _id(reform)))
    for n in named:
        for ref, known in ((n.original, agencies), (n.resulting, agencies), (n.reform, reforms)):
            if ref not in known:
                raise ValueError(f"vocabulary: succession {n} names an unknown {ref!r}")
    for z in zones.values():
        if z.succeeded_by is not None and z.succeeded_by not in zones:
            raise ValueError(f"vocabulary: zone {z.id} succeeded by an unknown zone {z.succeeded_by!r}")
    return Vocabulary(places, zones, scope_types, bodies, agencies, reforms,
                      tuple(sorted(named, key=lambda n: (n.original, n.resulting))))
