"""The ReformKG vocabulary as an rdflib ``DefinedNamespace``.

Every term declared in ``ontology/reformkg.ttl`` under ``rkg:`` is listed here,
and nothing else: ``RKG.someTypo`` raises ``AttributeError`` (``_fail``), so a
misspelt term fails where it is written instead of producing a stray IRI.
``tests/test_ontology.py`` checks that this list and the Turtle file agree.
"""

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef


class RKG(DefinedNamespace):
    """
    ReformKG ontology

    Reform measures of the China (Guangdong) Pilot Free Trade Zone, the pilot
    zones that tried them, the agencies that lead or support them, the policy
    documents and batches that announced them and the scopes they were
    promoted to.

    Generated from: ontology/reformkg.ttl (by hand; kept in step by a test)
    """

    _fail = True

    # http://www.w3.org/2002/07/owl#Class
    PolicyDocument: URIRef  # A policy document: opinions, action plan, replication table or task table.
    Measure: URIRef  # A reform measure (改革措施): one numbered item of a policy document.
    PilotZone: URIRef  # An area of the pilot free trade zone (片区): Nansha, Qianhai-Shekou, Hengqin.
    Agency: URIRef  # A government body or organ that leads, supports or issues.
    ReplicationScope: URIRef  # Where a measure is promoted to (推广范围), e.g. citywide in Shenzhen.
    Batch: URIRef  # A numbered batch of reform experience (第六批).
    Category: URIRef  # A heading grouping measures: theme, group, main task or sub-task.
    Target: URIRef  # A quantitative goal (到2025年…突破8000亿元).
    Place: URIRef  # An administrative area: a province, city or district.
    Promotion: URIRef  # The act of promoting a piloted measure to a scope (复制推广).
    AgencySuccession: URIRef  # An agency renamed, merged or split (机构改革); qualified SUCCEEDED_BY.
    InstitutionalReform: URIRef  # An institutional reform as a rule: functions before -> after (vocabulary).
    Piloting: URIRef  # Qualified PILOTED_IN: a measure piloted in a zone, with its evidence.
    AgencyRole: URIRef  # The role of an agency in a measure or a document.

    # http://www.w3.org/2004/02/skos/core#ConceptScheme
    PilotZones: URIRef  # The scheme of the pilot zones.
    ReplicationScopeTypes: URIRef  # The scheme of the replication scopes.
    Categories: URIRef  # The scheme of the measure categories.

    # http://www.w3.org/ns/prov#Role (instances of rkg:AgencyRole)
    LeadRole: URIRef  # 牵头 / 负责: leads the measure.
    ParticipantRole: URIRef  # 按职责分工负责: takes part after the lead.
    SupportRole: URIRef  # 市支持指导部门: supports and guides.
    IssuerRole: URIRef  # 发文机关: issued the document.

    # http://www.w3.org/2002/07/owl#ObjectProperty
    partOfDocument: URIRef  # The document a measure is part of.
    inCategory: URIRef  # The category (heading) of a measure.
    ledBy: URIRef  # An agency that leads the measure.
    participant: URIRef  # An agency that takes part in the measure.
    supportedBy: URIRef  # An agency that supports and guides the measure.
    pilotedIn: URIRef  # A zone where the measure was piloted.
    promotedTo: URIRef  # The scope the measure was promoted to (shortcut of a Promotion).
    inBatch: URIRef  # The batch a measure was announced in.
    hasTarget: URIRef  # A quantitative goal of a measure.
    documentTarget: URIRef  # A document-level quantitative goal.
    announces: URIRef  # The batch a document announces.
    batchOf: URIRef  # The pilot zone whose experience a batch collects.
    agencyJurisdiction: URIRef  # The area an agency serves.
    scopeJurisdiction: URIRef  # The area a replication scope covers.
    toScope: URIRef  # The scope a promotion promotes to.
    fromZone: URIRef  # The pilot zone whose experience a promotion promotes.
    announcedIn: URIRef  # The document that announced a promotion.
    derivedFrom: URIRef  # A measure of another document this measure derives from.
    relatedMeasure: URIRef  # A measure of another document on the same reform idea, order unknown.
    succeededBy: URIRef  # The agency that took over this agency's duties in a reform.
    zoneSucceededBy: URIRef  # The pilot zone that took over this zone.
    qualifiedPiloting: URIRef  # Links a measure to a qualified rkg:Piloting.
    pilotZone: URIRef  # The zone of a qualified rkg:Piloting.

    # http://www.w3.org/2002/07/owl#DatatypeProperty
    printedLabel: URIRef  # A name exactly as printed.
    printedTitle: URIRef  # A title exactly as printed.
    body: URIRef  # The text of a measure, normalised.
    printedBody: URIRef  # The text of a measure exactly as printed.
    seq: URIRef  # Numbering as printed.
    localKey: URIRef  # A key stable inside the owning document.
    printedNumber: URIRef  # A document number exactly as printed.
    genre: URIRef  # The kind of document.
    script: URIRef  # The script of the source: hans or hant.
    sourceFile: URIRef  # The file name the text was loaded from.
    sourceSha256: URIRef  # SHA-256 of the source file.
    sourceEncoding: URIRef  # The character encoding of the source file.
    spanStart: URIRef  # Start offset (inclusive) in the decoded source text.
    spanEnd: URIRef  # End offset (exclusive) in the decoded source text.
    deadline: URIRef  # Completion deadline of a measure.
    printedDeadline: URIRef  # Completion deadline as printed.
    status: URIRef  # Completion status as printed.
    workingGroup: URIRef  # The special working group (专项工作组).
    printedScope: URIRef  # Replication scope as printed.
    level: URIRef  # Administrative level of an agency.
    agencyFunction: URIRef  # The function concept of an agency.
    isGovernment: URIRef  # Whether an agency is a people's government itself.
    scopeType: URIRef  # The kind of replication scope.
    batchNumber: URIRef  # The number of a batch.
    linkMethod: URIRef  # The method (and version) that found a lineage link.
    similarityScore: URIRef  # The similarity score of a lineage link.
    evidenceTerm: URIRef  # A term shared by the two measures of a lineage link.
    reformName: URIRef  # The institutional reform of an agency succession.
    metric: URIRef  # What a target measures.
    value: URIRef  # The target value.
    unit: URIRef  # The unit of the target value.
    year: URIRef  # The year a target or a document speaks of.
    comparator: URIRef  # How the value compares: > or >=.
    declaredCount: URIRef  # The item count printed in a heading.
    contentHash: URIRef  # Hash of the loaded payload.
    printedAs: URIRef  # How an agency was printed in one place.
    rank: URIRef  # Order within a role; 0 is primary.
    evidenceSource: URIRef  # Where the evidence for a piloting came from.

    # Properties of the controlled vocabulary (ontology/vocabulary.ttl)
    within: URIRef  # The place a place, zone or named agency lies within.
    governmentName: URIRef  # The people's government of a place.
    validFrom: URIRef  # The date a pilot zone came into being.
    validUntil: URIRef  # The date a pilot zone was superseded.
    scopeLevel: URIRef  # The level of place a scope type binds to.
    matchInCity: URIRef  # The city where a short agency label matches.
    function: URIRef  # The function id of an agency body name.
    fromFunction: URIRef  # A function id whose bodies an institutional reform replaced.
    toFunction: URIRef  # The function id of the bodies an institutional reform formed.
    successorBody: URIRef  # The body name of the agencies an institutional reform formed.
    reform: URIRef  # The institutional reform an agency succession belongs to.

    _NS = Namespace("https://w3id.org/reformkg/ontology#")
