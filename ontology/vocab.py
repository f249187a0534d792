"""The controlled vocabulary (ontology/vocabulary.ttl) as plain Python data.

Read once per process with rdflib; the loaders build their entity recognition
and agency resolution from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources

from rdflib import RDF, SKOS, Graph, Literal, Namespace, URIRef

from ontology.schema import ORG

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
class Vocabulary:
    places: dict[str, PlaceInfo]
    zones: dict[str, ZoneInfo]
    scope_types: dict[str, ScopeType]
    bodies: tuple[BodyName, ...]
    agencies: dict[str, KnownAgency]

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
        zones[_id(s)] = ZoneInfo(
            _id(s), _one(g, s, SKOS.prefLabel), _labels(g, s, SKOS.altLabel), _id(g.value(s, RKG.within)),
            _date(g, s, RKG.validFrom), _date(g, s, RKG.validUntil))
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
    return Vocabulary(places, zones, scope_types, bodies, agencies)
