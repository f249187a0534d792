"""The one table that maps the property graph to the ontology.

Node labels are ontology class names; relationship types are fixed names, each
mapped to one ontology property; node properties map to datatype properties.
The writer, the RDF export and import, and (later) the n10s mapping all read
this table, so a label or a relationship type can only come from here, never
from input.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import DCTERMS, SKOS, Namespace, URIRef
from rdflib.namespace import RDFS

from ontology.namespace import RKG

PROV = Namespace("http://www.w3.org/ns/prov#")
ORG = Namespace("http://www.w3.org/ns/org#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
SCHEMA = Namespace("https://schema.org/")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")

# Plain namespaces for binding prefixes and building instance IRIs; the closed
# ``RKG`` (ontology/namespace.py) is for naming ontology terms in code.
PREFIXES: dict[str, Namespace] = {
    "rkg": Namespace(str(RKG)),
    "prov": PROV,
    "org": ORG,
    "eli": ELI,
    "skos": Namespace(str(SKOS)),
    "dcterms": Namespace(str(DCTERMS)),
    "schema": SCHEMA,
    "geo": GEO,
}


@dataclass(frozen=True, slots=True)
class NodeLabel:
    name: str
    iri: URIRef
    path: str  # IRI path segment under the instance base: {base}{path}/{key}


@dataclass(frozen=True, slots=True)
class RelType:
    name: str
    iri: URIRef
    start: str  # node label
    end: str  # node label


@dataclass(frozen=True, slots=True)
class Prop:
    name: str
    iri: URIRef
    datatype: str  # "string", "langString", "date", "integer", "decimal", "boolean", "strings"


NODE_LABELS: dict[str, NodeLabel] = {
    n.name: n
    for n in (
        NodeLabel("PolicyDocument", RKG.PolicyDocument, "document"),
        NodeLabel("Measure", RKG.Measure, "measure"),
        NodeLabel("PilotZone", RKG.PilotZone, "zone"),
        NodeLabel("Agency", RKG.Agency, "agency"),
        NodeLabel("ReplicationScope", RKG.ReplicationScope, "scope"),
        NodeLabel("Batch", RKG.Batch, "batch"),
        NodeLabel("Category", RKG.Category, "category"),
        NodeLabel("Target", RKG.Target, "target"),
        NodeLabel("Place", RKG.Place, "place"),
    )
}

REL_TYPES: dict[str, RelType] = {
    r.name: r
    for r in (
        RelType("PART_OF", RKG.partOfDocument, "Measure", "PolicyDocument"),
        RelType("IN_CATEGORY", RKG.inCategory, "Measure", "Category"),
        RelType("BROADER", SKOS.broader, "Category", "Category"),
        RelType("LED_BY", RKG.ledBy, "Measure", "Agency"),
        RelType("PARTICIPANT", RKG.participant, "Measure", "Agency"),
        RelType("SUPPORTED_BY", RKG.supportedBy, "Measure", "Agency"),
        RelType("PILOTED_IN", RKG.pilotedIn, "Measure", "PilotZone"),
        RelType("PROMOTED_TO", RKG.promotedTo, "Measure", "ReplicationScope"),
        RelType("IN_BATCH", RKG.inBatch, "Measure", "Batch"),
        RelType("HAS_TARGET", RKG.hasTarget, "Measure", "Target"),
        RelType("DOCUMENT_TARGET", RKG.documentTarget, "PolicyDocument", "Target"),
        RelType("ISSUED_BY", ELI.passed_by, "PolicyDocument", "Agency"),
        RelType("ANNOUNCES", RKG.announces, "PolicyDocument", "Batch"),
        RelType("ABOUT_ZONE", ELI.is_about, "PolicyDocument", "PilotZone"),
        RelType("DOCUMENT_JURISDICTION", ELI.jurisdiction, "PolicyDocument", "Place"),
        RelType("BATCH_OF", RKG.batchOf, "Batch", "PilotZone"),
        RelType("SUB_ORGANIZATION_OF", ORG.subOrganizationOf, "Agency", "Agency"),
        RelType("AGENCY_JURISDICTION", RKG.agencyJurisdiction, "Agency", "Place"),
        RelType("SCOPE_JURISDICTION", RKG.scopeJurisdiction, "ReplicationScope", "Place"),
        RelType("ZONE_WITHIN", GEO.sfWithin, "PilotZone", "Place"),
        RelType("PLACE_WITHIN", SCHEMA.containedInPlace, "Place", "Place"),
        # Lineage, derived across documents by graph/lineage.py (not owned by any document)
        RelType("DERIVED_FROM", RKG.derivedFrom, "Measure", "Measure"),
        RelType("RELATED_TO", RKG.relatedMeasure, "Measure", "Measure"),
        RelType("SUCCEEDED_BY", RKG.succeededBy, "Agency", "Agency"),
        RelType("ZONE_SUCCEEDED_BY", RKG.zoneSucceededBy, "PilotZone", "PilotZone"),
    )
}

# Node properties.  ``uri`` is the node's IRI itself and has no entry here.
PROPS: dict[str, Prop] = {
    p.name: p
    for p in (
        Prop("name", SKOS.prefLabel, "langString"),
        Prop("name_orig", RKG.printedLabel, "string"),
        Prop("aliases", SKOS.altLabel, "strings"),
        Prop("title", DCTERMS.title, "langString"),
        Prop("title_orig", RKG.printedTitle, "string"),
        Prop("body", RKG.body, "langString"),
        Prop("body_orig", RKG.printedBody, "string"),
        Prop("seq", RKG.seq, "string"),
        Prop("key", RKG.localKey, "string"),
        Prop("doc_number", ELI.id_local, "string"),
        Prop("doc_number_orig", RKG.printedNumber, "string"),
        Prop("issued", ELI.date_document, "date"),
        Prop("published", ELI.date_publication, "date"),
        Prop("genre", RKG.genre, "string"),
        Prop("script", RKG.script, "string"),
        Prop("source_file", RKG.sourceFile, "string"),
        Prop("source_sha256", RKG.sourceSha256, "string"),
        Prop("encoding", RKG.sourceEncoding, "string"),
        Prop("span_start", RKG.spanStart, "integer"),
        Prop("span_end", RKG.spanEnd, "integer"),
        Prop("deadline", RKG.deadline, "date"),
        Prop("deadline_printed", RKG.printedDeadline, "string"),
        Prop("status", RKG.status, "string"),
        Prop("working_group", RKG.workingGroup, "string"),
        Prop("scope_printed", RKG.printedScope, "string"),
        Prop("level", RKG.level, "string"),
        Prop("function", RKG.agencyFunction, "string"),
        Prop("is_government", RKG.isGovernment, "boolean"),
        Prop("scope_type", RKG.scopeType, "string"),
        Prop("number", RKG.batchNumber, "integer"),
        Prop("metric", RKG.metric, "string"),
        Prop("value", RKG.value, "decimal"),
        Prop("unit", RKG.unit, "string"),
        Prop("year", RKG.year, "integer"),
        Prop("comparator", RKG.comparator, "string"),
        Prop("text", RDFS.comment, "string"),
        Prop("declared_count", RKG.declaredCount, "integer"),
        Prop("zone_id", SKOS.notation, "string"),
        Prop("content_hash", RKG.contentHash, "string"),
    )
}

# Relationship properties (kept on the edge in the property graph; in RDF they
# are carried by a qualified node, see graph/rdf.py).
EDGE_PROPS: dict[str, Prop] = {
    p.name: p
    for p in (
        Prop("printed", RKG.printedAs, "string"),
        Prop("rank", RKG.rank, "integer"),
        Prop("source", RKG.evidenceSource, "string"),
        Prop("date", PROV.atTime, "date"),
        Prop("batch", RKG.batchNumber, "integer"),
        Prop("method", RKG.linkMethod, "string"),
        Prop("score", RKG.similarityScore, "decimal"),
        Prop("evidence", RKG.evidenceTerm, "strings"),
        Prop("reform", RKG.reformName, "string"),
    )
}
