"""A parsed Document as nodes and relationships with stable IRIs.

IRIs are derived from content keys, never from counters: a document from its
number (or, without one, from a hash of its title), a measure from its
document and item number, an agency from its canonical name, zones, places
and scope types from the ontology's ids.  Reloading gives the same IRIs.
IRIs are RFC 3987 IRIs: Chinese names stay readable, ASCII characters that are
not allowed in a path segment are percent-encoded.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from urllib.parse import quote

from graph.payload import DocumentGraph, Node, Rel
from graph.linking import link_terms
from graph.search_index import index_text
from loaders.agencies import Context, resolve_unit
from ontology.schema import NODE_LABELS
from ontology.vocab import vocabulary
from reformkg.model import Agency, Category, Document, Measure, Role, Target

DEFAULT_BASE = "https://w3id.org/reformkg/id/"
_ROLE_REL = {Role.LEAD: "LED_BY", Role.PARTICIPANT: "PARTICIPANT", Role.SUPPORT: "SUPPORTED_BY"}


_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")


def segment(text: str) -> str:
    """One IRI path segment: non-ASCII kept, unsafe ASCII percent-encoded."""
    if all(ch in _SAFE or (ord(ch) > 127 and not ch.isspace()) for ch in text):
        return text  # the usual case, in one pass without a call per character
    return "".join(ch if ord(ch) > 127 and not ch.isspace() else quote(ch, safe="-._~") for ch in text)


@lru_cache(maxsize=1 << 16)
def node_iri(base: str, label: str, *parts: str) -> str:
    """The IRI of a node: ``{base}{label path}/{part}/...`` (remembered: shared nodes such as
    places and agencies are asked for again for every measure that names them)."""
    return base + NODE_LABELS[label].path + "/" + "/".join(segment(p) for p in parts)


@cache
def _parent(name: str) -> Agency | None:
    """The parent organ named by an agency (a government or a known agency)."""
    return resolve_unit(name, Context())


def document_key(doc: Document) -> str:
    if doc.doc_number:
        m = re.match(r"^(.*?)〔(\d{4})〕(\d+)号$", doc.doc_number)
        return segment(f"{m.group(1)}-{m.group(2)}-{m.group(3)}" if m else doc.doc_number)
    return "t-" + hashlib.sha1(doc.title.encode("utf-8")).hexdigest()[:12]


@dataclass
class _Builder:
    base: str
    nodes: dict[str, Node] = field(default_factory=dict)
    rels: dict[tuple, Rel] = field(default_factory=dict)
    # (agency, printed) -> (its uri, ``agency_changes`` just after it was built)
    agencies: dict[tuple[Agency, str | None], tuple[str, int]] = field(default_factory=dict)
    agency_changes: int = 0  # how many times an Agency node was added or its properties changed

    def iri(self, label: str, *parts: str) -> str:
        return node_iri(self.base, label, *parts)

    def node(self, label: str, uri: str, owned: bool = False, **props) -> str:
        clean = {k: v for k, v in props.items() if v is not None and v != ()}
        if uri in self.nodes:  # shared node seen twice: keep the union of aliases
            old = self.nodes[uri]
            if "aliases" in clean:
                clean["aliases"] = sorted(set(old.props.get("aliases", [])) | set(clean["aliases"]))
            clean = {**old.props, **clean}
            if label == "Agency" and clean != old.props:
                self.agency_changes += 1
        elif label == "Agency":
            self.agency_changes += 1
        self.nodes[uri] = Node(label, uri, clean, owned)
        return uri

    def rel(self, type_: str, start: str, end: str, **props) -> None:
        self.rels[(type_, start, end)] = Rel(type_, start, end, {k: v for k, v in props.items() if v is not None})

    # ------------------------------------------------------------ shared nodes

    def place(self, pid: str) -> str:
        if (uri := self.iri("Place", pid)) in self.nodes:  # its containment chain is in already
            return uri
        p = vocabulary().places[pid]
        uri = self.node("Place", self.iri("Place", pid), name=p.name, level=p.level, zone_id=pid)
        if p.within:
            self.rel("PLACE_WITHIN", uri, self.place(p.within))
        return uri

    def zone(self, zid: str) -> str:
        if (uri := self.iri("PilotZone", zid)) in self.nodes:
            return uri
        z = vocabulary().zones[zid]
        uri = self.node("PilotZone", self.iri("PilotZone", zid), name=z.name, zone_id=zid,
                        aliases=sorted(z.aliases))
        self.rel("ZONE_WITHIN", uri, self.place(z.within))
        return uri

    def agency(self, a: Agency, printed: str | None = None) -> str:
        """The agency's node, its jurisdiction and its parents.  A document names the same units for
        many measures: the same call again adds nothing new as long as no agency node has changed
        since it was made (the same name printed as two different bodies makes later calls win)."""
        if (done := self.agencies.get((a, printed))) is not None and done[1] == self.agency_changes:
            return done[0]
        uri = self.node("Agency", self.iri("Agency", a.name), name=a.name, level=a.level.value,
                        function=a.function, is_government=a.is_government,
                        aliases=sorted({printed} - {None, a.name}) if printed else [])
        self.rel("AGENCY_JURISDICTION", uri, self.place(a.jurisdiction))
        if a.parent and a.parent != a.name:
            if (parent := _parent(a.parent)) is not None:
                self.rel("SUB_ORGANIZATION_OF", uri, self.agency(parent))
        self.agencies[(a, printed)] = (uri, self.agency_changes)
        return uri

    def category(self, c: Category, parent: str | None = None) -> str:
        uri = self.node("Category", self.iri("Category", c.label), name=c.label)
        if parent:
            self.rel("BROADER", uri, parent)
        return uri

    def scope(self, scope_id: str) -> str:
        jurisdiction, type_id = scope_id.split("/", 1)
        if (uri := self.iri("ReplicationScope", jurisdiction, type_id)) in self.nodes:
            return uri
        st = vocabulary().scope_types[type_id]
        place = vocabulary().places[jurisdiction]
        uri = self.node("ReplicationScope", self.iri("ReplicationScope", jurisdiction, type_id),
                        name=f"{st.label}({place.name})", scope_type=type_id)
        self.rel("SCOPE_JURISDICTION", uri, self.place(jurisdiction))
        return uri

    def target(self, t: Target, owner_key: str, i: int, doc_key: str) -> str:
        return self.node("Target", self.iri("Target", doc_key, owner_key, str(i)), owned=True, metric=t.metric,
                         value=t.value, unit=t.unit, year=t.year, comparator=t.comparator, text=t.text,
                         span_start=t.span.start, span_end=t.span.end)


def build(doc: Document, base: str = DEFAULT_BASE) -> DocumentGraph:
    b = _Builder(base)
    key = document_key(doc)
    doc_uri = b.iri("PolicyDocument", key)
    date_str = doc.issued.isoformat() if doc.issued else None
    b.node("PolicyDocument", doc_uri, owned=True, title=doc.title, title_orig=doc.title_orig,
           doc_number=doc.doc_number, doc_number_orig=doc.doc_number_orig, issued=date_str,
           published=doc.published.isoformat() if doc.published else None, genre=doc.genre.value,
           script=doc.script, source_file=doc.source_file, source_sha256=doc.source_sha256,
           encoding=doc.encoding, year=doc.year, key=key,
           search_grams=index_text(doc.title, doc.doc_number))
    if doc.issuer:
        b.rel("ISSUED_BY", doc_uri, b.agency(doc.issuer, doc.issuer_printed), printed=doc.issuer_printed)
    if doc.jurisdiction:
        b.rel("DOCUMENT_JURISDICTION", doc_uri, b.place(doc.jurisdiction))
    batch_uri = None
    if doc.zone:
        zone_uri = b.zone(doc.zone)
        b.rel("ABOUT_ZONE", doc_uri, zone_uri)
        if doc.batch is not None:
            zone_name = vocabulary().zones[doc.zone].name
            batch_uri = b.node("Batch", b.iri("Batch", doc.zone, str(doc.batch)), name=f"{zone_name}第{doc.batch}批",
                               number=doc.batch)
            b.rel("ANNOUNCES", doc_uri, batch_uri)
            b.rel("BATCH_OF", batch_uri, zone_uri)
    for i, t in enumerate(doc.targets):
        b.rel("DOCUMENT_TARGET", doc_uri, b.target(t, "document", i, key))
    parents = {c.seq: c for c in doc.categories if c.parent_seq is None}
    for m in doc.measures:
        _measure(b, doc, m, doc_uri, key, batch_uri, date_str, parents)
    nodes = tuple(sorted(b.nodes.values(), key=lambda n: (n.label, n.uri)))
    rels = tuple(sorted(b.rels.values(), key=lambda r: (r.type, r.start, r.end)))
    digest = hashlib.sha256(json.dumps(
        [[n.label, n.uri, n.props, n.owned] for n in nodes] + [[r.type, r.start, r.end, r.props] for r in rels],
        ensure_ascii=False, sort_keys=True, default=str).encode("utf-8")).hexdigest()
    for n in nodes:
        if n.uri == doc_uri:
            n.props["content_hash"] = digest
    return DocumentGraph(doc_uri, doc.source_file, digest, nodes, rels)


def _measure(b: _Builder, doc: Document, m: Measure, doc_uri: str, key: str, batch_uri: str | None,
             date_str: str | None, parents: dict[str, Category]) -> None:
    uri = b.node("Measure", b.iri("Measure", key, m.key), owned=True, seq=m.seq, key=m.key, title=m.title,
                 title_orig=m.title_orig, body=m.body, body_orig=m.body_orig, source_file=doc.source_file,
                 span_start=m.span.start, span_end=m.span.end,
                 deadline=m.deadline.isoformat() if m.deadline else None, deadline_printed=m.deadline_printed,
                 status=m.status, working_group=m.working_group, scope_printed=m.scope_printed,
                 search_grams=index_text(m.title, m.body), link_terms=link_terms(m.title, m.body))
    b.rel("PART_OF", uri, doc_uri)
    if m.category:
        main = b.category(m.category)
        b.rel("IN_CATEGORY", uri, main)
        if m.subcategory:
            b.rel("IN_CATEGORY", uri, b.category(m.subcategory, main))
    for mention in m.agencies:
        b.rel(_ROLE_REL[mention.role], uri, b.agency(mention.agency, mention.printed), printed=mention.printed,
              rank=mention.rank)
    for zid in m.zones:
        b.rel("PILOTED_IN", uri, b.zone(zid), source="text" if zid in m.zones_from_text and zid != doc.zone
              else "document")
    if m.scope:
        b.rel("PROMOTED_TO", uri, b.scope(m.scope), date=date_str, batch=doc.batch)
    if batch_uri:
        b.rel("IN_BATCH", uri, batch_uri)
    for i, t in enumerate(m.targets):
        b.rel("HAS_TARGET", uri, b.target(t, m.key, i, key))
