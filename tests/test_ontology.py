"""The ontology, its shapes, and the property graph <-> RDF conversion."""

from __future__ import annotations

import copy
from datetime import date
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SKOS, Namespace

from graph.rdf import from_rdf, parse, serialize, to_rdf, validate
from ontology import ontology_graph, shapes_graph
from ontology.namespace import RKG
from ontology.schema import EDGE_PROPS, ELI, NODE_LABELS, ORG, PROPS, PROV, REL_TYPES, SCHEMA

XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # rdflib's XSD warns when pytest inspects modules
RKG_NS = str(RKG)
ID = "https://w3id.org/reformkg/id/"
DOC = ID + "document/qianhai-shekou-batch-6"
M1 = ID + "measure/qianhai-shekou-batch-6/1"
M2 = ID + "measure/qianhai-shekou-batch-6/2"
AG = ID + "agency/shenzhen-market-regulation"
AG2 = ID + "agency/qianhai-authority"
ZONE = ID + "zone/qianhai-shekou"
SCOPE = ID + "scope/shenzhen/citywide"
SZ = ID + "place/shenzhen"
GD = ID + "place/guangdong"
BATCH = ID + "batch/qianhai-shekou/6"
CAT = ID + "category/qianhai-shekou-batch-6/1"

XSD_RANGE = {
    "string": XSD.string,
    "strings": XSD.string,
    "langString": RDF.langString,
    "date": XSD.date,
    "integer": XSD.integer,
    "decimal": XSD.decimal,
    "boolean": XSD.boolean,
}


def small_graph() -> tuple[list[dict], list[dict]]:
    """A document, two measures, two agencies with ranked printed edges, a zone, a scope."""
    nodes = [
        {
            "labels": ["PolicyDocument"],
            "props": {
                "uri": DOC,
                "title": "中国(广东)自由贸易试验区深圳前海蛇口片区第六批改革创新经验复制推广工作任务分工表",
                "title_orig": "中国（广东）自由贸易试验区深圳前海蛇口片区第六批改革创新经验复制推广工作任务分工表",
                "genre": "replication_table",
                "script": "hans",
                "source_file": "qianhai-shekou-batch-6-replication-table.txt",
                "source_sha256": "ab" * 32,
                "encoding": "utf-8",
                "issued": date(2021, 6, 30),
                "year": 2021,
            },
        },
        {
            "labels": ["Measure"],
            "props": {
                "uri": M1,
                "key": "1",
                "seq": "1",
                "title": "覆盖科创智慧园区全生命周期的智慧平台",
                "title_orig": "覆盖科创智慧园区全生命周期的智慧平台",
                "body": "智慧平台提供包含人才服务、智慧停车等十余项特色服务。",
                "body_orig": "智慧平台提供包含人才服务、智慧停车等十余项特色服务。",
                "source_file": "qianhai-shekou-batch-6-replication-table.txt",
                "span_start": 120,
                "span_end": 480,
                "scope_printed": "全市",
            },
        },
        {
            "labels": ["Measure"],
            "props": {
                "uri": M2,
                "key": "2",
                "seq": "2",
                "title": "电子营业执照“一照通”应用拓展",
                "title_orig": "电子营业执照“一照通”应用拓展",
                "source_file": "qianhai-shekou-batch-6-replication-table.txt",
                "span_start": 481,
                "span_end": 900,
                "deadline": date(2021, 12, 31),
                "deadline_printed": "2021年底",
            },
        },
        {
            "labels": ["Agency"],
            "props": {
                "uri": AG,
                "name": "深圳市市场监督管理局",
                "aliases": ["市市场监管局", "深圳市市场监管局"],
                "level": "city",
                "function": "market-regulation",
                "is_government": False,
            },
        },
        {
            "labels": ["Agency"],
            "props": {"uri": AG2, "name": "前海管理局", "level": "district", "is_government": False},
        },
        {"labels": ["PilotZone"], "props": {"uri": ZONE, "name": "深圳前海蛇口片区", "zone_id": "qianhai-shekou"}},
        {"labels": ["ReplicationScope"], "props": {"uri": SCOPE, "name": "深圳全市", "scope_type": "citywide"}},
        {"labels": ["Place"], "props": {"uri": SZ, "name": "深圳市"}},
        {"labels": ["Place"], "props": {"uri": GD, "name": "广东省"}},
        {"labels": ["Batch"], "props": {"uri": BATCH, "name": "第六批", "number": 6}},
        {
            "labels": ["Category"],
            "props": {"uri": CAT, "name": "投资便利化", "name_orig": "投资便利化", "seq": "一", "declared_count": 8},
        },
        {
            "labels": ["Target"],
            "props": {
                "uri": M1 + "/target/1",
                "metric": "入驻企业",
                "value": 500,
                "unit": "家",
                "year": 2025,
                "comparator": ">=",
                "text": "到2025年入驻企业达到500家以上",
                "span_start": 200,
                "span_end": 214,
            },
        },
    ]
    rels = [
        {"type": "PART_OF", "start": M1, "end": DOC, "props": {}},
        {"type": "PART_OF", "start": M2, "end": DOC, "props": {}},
        {"type": "LED_BY", "start": M1, "end": AG, "props": {"printed": "市市场监管局", "rank": 0}},
        {"type": "LED_BY", "start": M1, "end": AG2, "props": {"printed": "前海管理局", "rank": 1}},
        {"type": "LED_BY", "start": M2, "end": AG, "props": {"printed": "深圳市市场监管局", "rank": 0}},
        {"type": "PILOTED_IN", "start": M1, "end": ZONE, "props": {"source": "document"}},
        {"type": "PILOTED_IN", "start": M2, "end": ZONE, "props": {}},
        {"type": "PROMOTED_TO", "start": M1, "end": SCOPE, "props": {"date": date(2021, 6, 30), "batch": 6}},
        {"type": "PROMOTED_TO", "start": M2, "end": SCOPE, "props": {}},
        {"type": "IN_BATCH", "start": M1, "end": BATCH, "props": {}},
        {"type": "IN_CATEGORY", "start": M1, "end": CAT, "props": {}},
        {"type": "HAS_TARGET", "start": M1, "end": M1 + "/target/1", "props": {}},
        {"type": "ANNOUNCES", "start": DOC, "end": BATCH, "props": {}},
        {"type": "BATCH_OF", "start": BATCH, "end": ZONE, "props": {}},
        {"type": "ABOUT_ZONE", "start": DOC, "end": ZONE, "props": {}},
        {"type": "DOCUMENT_JURISDICTION", "start": DOC, "end": SZ, "props": {}},
        {"type": "AGENCY_JURISDICTION", "start": AG, "end": SZ, "props": {}},
        {"type": "AGENCY_JURISDICTION", "start": AG2, "end": SZ, "props": {}},
        {"type": "SCOPE_JURISDICTION", "start": SCOPE, "end": SZ, "props": {}},
        {"type": "ZONE_WITHIN", "start": ZONE, "end": SZ, "props": {}},
        {"type": "PLACE_WITHIN", "start": SZ, "end": GD, "props": {}},
    ]
    return nodes, rels


def without(nodes: list[dict], rels: list[dict], rel_type: str, start: str) -> tuple[list[dict], list[dict]]:
    return nodes, [r for r in rels if not (r["type"] == rel_type and r["start"] == start)]


def set_prop(nodes: list[dict], uri: str, name: str, value: object) -> list[dict]:
    nodes = copy.deepcopy(nodes)
    for n in nodes:
        if n["props"]["uri"] == uri:
            n["props"][name] = value
    return nodes


def rkg_terms(g: Graph) -> set[URIRef]:
    return {t for triple in g for t in triple if isinstance(t, URIRef) and str(t).startswith(RKG_NS)}


# ---------------------------------------------------------------- ontology


def test_ontology_parses_and_is_an_owl_ontology() -> None:
    g = Graph().parse(Path(__file__).parents[1] / "ontology" / "reformkg.ttl", format="turtle")
    assert isomorphic(g, ontology_graph())
    assert (URIRef("https://w3id.org/reformkg/ontology"), RDF.type, OWL.Ontology) in g
    assert len(shapes_graph()) > 0


def _has_label(g: Graph, term: URIRef, lang: str) -> bool:
    return any(isinstance(o, Literal) and o.language == lang and str(o) for o in g.objects(term, RDFS.label))


def test_every_schema_class_is_declared_with_labels() -> None:
    g = ontology_graph()
    for name, label in NODE_LABELS.items():
        assert (label.iri, RDF.type, OWL.Class) in g, name
        assert _has_label(g, label.iri, "zh-Hans") and _has_label(g, label.iri, "en"), name
        assert any(o.language == "zh-Hans" for o in g.objects(label.iri, RDFS.comment)), name


def test_every_schema_relationship_is_an_object_property() -> None:
    g = ontology_graph()
    for name, rt in REL_TYPES.items():
        assert (rt.iri, RDF.type, OWL.ObjectProperty) in g, name
        assert _has_label(g, rt.iri, "zh-Hans"), name
        if str(rt.iri).startswith(RKG_NS):  # ours: hard domain and range from the table
            assert set(g.objects(rt.iri, RDFS.domain)) == {NODE_LABELS[rt.start].iri}, name
            assert set(g.objects(rt.iri, RDFS.range)) == {NODE_LABELS[rt.end].iri}, name


def test_every_schema_property_is_declared_with_its_range() -> None:
    g = ontology_graph()
    annotation_ok = {SKOS.prefLabel, SKOS.altLabel, RDFS.comment, URIRef("http://purl.org/dc/terms/title")}
    for name, prop in {**PROPS, **{"edge " + k: v for k, v in EDGE_PROPS.items()}}.items():
        types = set(g.objects(prop.iri, RDF.type))
        assert _has_label(g, prop.iri, "zh-Hans"), name
        if str(prop.iri).startswith(RKG_NS):
            assert types == {OWL.DatatypeProperty}, name
            assert set(g.objects(prop.iri, RDFS.range)) == {XSD_RANGE[prop.datatype]}, name
        elif prop.iri in annotation_ok:
            assert types == {OWL.AnnotationProperty}, name
        else:
            assert types == {OWL.DatatypeProperty}, name


def test_alignments() -> None:
    g = ontology_graph()
    sub, subp = RDFS.subClassOf, RDFS.subPropertyOf
    expected = [
        (RKG.PolicyDocument, sub, ELI.LegalResource),
        (RKG.Measure, sub, ELI.LegalResourceSubdivision),
        (RKG.Measure, sub, PROV.Entity),
        (RKG.PilotZone, sub, SKOS.Concept),
        (RKG.PilotZone, sub, SCHEMA.AdministrativeArea),
        (RKG.Agency, sub, ORG.Organization),
        (RKG.ReplicationScope, sub, SKOS.Concept),
        (RKG.Batch, sub, PROV.Collection),
        (RKG.Category, sub, SKOS.Concept),
        (RKG.Place, sub, SCHEMA.AdministrativeArea),
        (RKG.Promotion, sub, PROV.Activity),
        (RKG.AgencySuccession, sub, ORG.ChangeEvent),
        (RKG.partOfDocument, subp, ELI.is_part_of),
        (RKG.ledBy, subp, PROV.wasAttributedTo),
        (RKG.participant, subp, PROV.wasAttributedTo),
        (RKG.supportedBy, subp, PROV.wasAttributedTo),
        (RKG.inCategory, subp, URIRef("http://purl.org/dc/terms/subject")),
        (RKG.agencyJurisdiction, subp, SCHEMA.areaServed),
        (RKG.scopeJurisdiction, subp, SCHEMA.areaServed),
        (RKG.derivedFrom, subp, PROV.wasDerivedFrom),
    ]
    for triple in expected:
        assert triple in g, triple
    for scheme in (RKG.PilotZones, RKG.ReplicationScopeTypes, RKG.Categories):
        assert (scheme, RDF.type, SKOS.ConceptScheme) in g


def test_namespace_and_turtle_agree() -> None:
    declared = {URIRef(t) for t in dir(RKG)}
    g = ontology_graph()
    defined = {s for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(RKG_NS)}
    assert defined == declared
    assert rkg_terms(g) <= declared
    assert rkg_terms(shapes_graph()) <= declared  # shapes name no undeclared term
    with pytest.raises(AttributeError):
        RKG.notATerm  # noqa: B018
    for term in declared:  # every term has both labels
        assert _has_label(g, term, "zh-Hans") and _has_label(g, term, "en"), term


# ---------------------------------------------------------------- conversion and shapes


def test_small_graph_conforms() -> None:
    g = to_rdf(*small_graph())
    size, shapes_size = len(g), len(shapes_graph())
    conforms, report = validate(g)
    assert conforms, report
    assert len(g) == size and len(shapes_graph()) == shapes_size  # nothing mutated


def test_rdfs_entailment_keeps_the_export_valid() -> None:
    # The ontology's domains, ranges and sub-properties agree with the data:
    # inferring from them adds no second class of ours to any node.
    conforms, report = validate(to_rdf(*small_graph()), inference="rdfs")
    assert conforms, report


def test_literals_and_qualified_nodes() -> None:
    g = to_rdf(*small_graph())
    m1 = URIRef(M1)
    assert (m1, URIRef("http://purl.org/dc/terms/title"), Literal("覆盖科创智慧园区全生命周期的智慧平台", lang="zh-Hans")) in g
    assert (m1, RKG.spanStart, Literal("120", datatype=XSD.integer)) in g
    assert (URIRef(M2), RKG.deadline, Literal("2021-12-31", datatype=XSD.date)) in g
    assert (URIRef(M1 + "/target/1"), RKG.value, Literal("500.0", datatype=XSD.decimal)) in g
    assert (URIRef(AG), SKOS.altLabel, Literal("市市场监管局")) in g
    # Ranked, printed lead units: one prov:Attribution each, IRI derived from the measure.
    atts = list(g.objects(m1, PROV.qualifiedAttribution))
    assert len(atts) == 2 and all(str(a).startswith(M1 + "#led-by-") for a in atts)
    ranks = {int(g.value(a, RKG.rank)): (g.value(a, PROV.agent), str(g.value(a, RKG.printedAs))) for a in atts}
    assert ranks == {0: (URIRef(AG), "市市场监管局"), 1: (URIRef(AG2), "前海管理局")}
    assert all(g.value(a, PROV.hadRole) == RKG.LeadRole for a in atts)
    # PROMOTED_TO with date and batch: a rkg:Promotion that used the measure.
    (promo,) = g.subjects(PROV.used, m1)
    assert (promo, RDF.type, RKG.Promotion) in g and g.value(promo, RKG.toScope) == URIRef(SCOPE)
    assert g.value(promo, PROV.atTime) == Literal("2021-06-30", datatype=XSD.date)
    assert g.value(promo, RKG.batchNumber) == Literal("6", datatype=XSD.integer)
    # An edge without properties has no qualified node.
    assert not list(g.subjects(PROV.used, URIRef(M2)))
    assert (URIRef(M2), RKG.promotedTo, URIRef(SCOPE)) in g


def test_measure_without_document_does_not_conform() -> None:
    g = to_rdf(*without(*small_graph(), "PART_OF", M2))
    conforms, report = validate(g)
    assert not conforms
    assert M2 in report and "partOfDocument" in report
    assert M1 not in report  # the whole measure M1 is fine


@pytest.mark.parametrize(
    ("change", "focus", "words"),
    [
        (lambda n, r: (set_prop(n, DOC, "genre", "notice"), r), DOC, "genre"),
        (lambda n, r: (set_prop(n, M1, "span_end", 100), r), M1, "spanStart"),
        (lambda n, r: (set_prop(n, AG, "level", "county"), r), AG, "level"),
        (lambda n, r: (n, [*r, {"type": "PART_OF", "start": M1, "end": ID + "document/other", "props": {}}]), M1, "partOfDocument"),
        (lambda n, r: (n, [*r, {"type": "LED_BY", "start": M2, "end": ZONE, "props": {}}]), M2, "ledBy"),
        (lambda n, r: (n, [*r, {"type": "PROMOTED_TO", "start": M1, "end": ID + "scope/x", "props": {}}]), M1, "promotedTo"),
        (lambda n, r: without(n, r, "SCOPE_JURISDICTION", SCOPE), SCOPE, "scopeJurisdiction"),
        (lambda n, r: (set_prop(n, M1 + "/target/1", "year", None), r), M1 + "/target/1", "year"),
    ],
    ids=["genre", "span-order", "agency-level", "two-documents", "led-by-zone", "two-scopes", "scope-place", "target-year"],
)
def test_broken_graphs_name_their_focus_node(change, focus: str, words: str) -> None:
    nodes, rels = change(*small_graph())
    conforms, report = validate(to_rdf(nodes, rels))
    assert not conforms
    assert focus in report and words in report, report


@pytest.mark.parametrize(
    ("shortcut", "qualified"),
    [
        ((M1, RKG.ledBy, AG2), "#led-by-"),
        ((M1, RKG.pilotedIn, ZONE), "#piloted-in-"),
        ((M1, RKG.promotedTo, SCOPE), "#promoted-to-"),
    ],
)
def test_qualified_node_needs_its_shortcut(shortcut: tuple, qualified: str) -> None:
    g = to_rdf(*small_graph())
    s, p, o = shortcut
    g.remove((URIRef(s), p, URIRef(o)))
    conforms, report = validate(g)
    assert not conforms and "shortcut" in report
    assert f"Focus Node: <{M1}{qualified}" in report


def test_a_node_with_two_classes_of_ours_does_not_conform() -> None:
    g = to_rdf(*small_graph())
    g.add((URIRef(ZONE), RDF.type, RKG.Place))
    conforms, report = validate(g)
    assert not conforms and ZONE in report


def test_round_trip_is_isomorphic_and_gives_the_dicts_back() -> None:
    nodes, rels = small_graph()
    g1 = to_rdf(nodes, rels)
    nodes2, rels2 = from_rdf(g1)
    g2 = to_rdf(nodes2, rels2)
    assert isomorphic(g1, g2)
    assert len(g1) == len(g2)

    def canon_nodes(ns: list[dict]) -> list[dict]:
        out = []
        for n in ns:
            props = dict(n["props"])
            if "aliases" in props:
                props["aliases"] = sorted(props["aliases"])
            if "value" in props:
                props["value"] = float(props["value"])
            out.append({"labels": sorted(n["labels"]), "props": props})
        return sorted(out, key=lambda n: n["props"]["uri"])

    def canon_rels(rs: list[dict]) -> list[tuple]:
        return sorted((r["type"], r["start"], r["end"], sorted(r["props"].items())) for r in rs)

    assert canon_nodes(nodes2) == canon_nodes(nodes)
    assert canon_rels(rels2) == canon_rels(rels)


def test_parallel_edges_keep_their_properties() -> None:
    nodes, rels = small_graph()
    rels = [*rels, {"type": "LED_BY", "start": M1, "end": AG, "props": {"printed": "深圳市市场监督管理局", "rank": 2}}]
    g = to_rdf(nodes, rels)
    assert len(list(g.objects(URIRef(M1), PROV.qualifiedAttribution))) == 3
    _, rels2 = from_rdf(g)
    led = sorted(r["props"]["rank"] for r in rels2 if r["type"] == "LED_BY" and r["start"] == M1)
    assert led == [0, 1, 2]
    assert isomorphic(to_rdf(*from_rdf(g)), g)


@pytest.mark.parametrize("fmt", ["turtle", "json-ld", "nt"])
def test_serialisations_parse_back(fmt: str) -> None:
    g = to_rdf(*small_graph())
    text = serialize(g, fmt)
    assert isinstance(text, str) and "qianhai-shekou-batch-6" in text
    assert isomorphic(parse(text, fmt), g)
    if fmt == "turtle":
        assert "@prefix rkg: <https://w3id.org/reformkg/ontology#>" in text


def test_names_come_from_the_schema_only() -> None:
    with pytest.raises(ValueError, match="unknown label"):
        to_rdf([{"labels": ["Person"], "props": {"uri": ID + "x"}}], [])
    with pytest.raises(ValueError, match="unknown property"):
        to_rdf([{"labels": ["Measure"], "props": {"uri": ID + "x", "colour": "red"}}], [])
    with pytest.raises(ValueError, match="unknown relationship type"):
        to_rdf([], [{"type": "KNOWS", "start": ID + "a", "end": ID + "b", "props": {}}])
    with pytest.raises(ValueError, match="span_start"):
        to_rdf([{"labels": ["Measure"], "props": {"uri": ID + "x", "span_start": "12"}}], [])


def test_foreign_triples_are_ignored_by_from_rdf() -> None:
    g = to_rdf(*small_graph())
    g.add((URIRef(ZONE), SKOS.prefLabel, Literal("Qianhai-Shekou Area", lang="en")))
    g.add((URIRef(ZONE), SKOS.inScheme, RKG.PilotZones))
    g.add((URIRef(ZONE), SKOS.broader, URIRef(ID + "zone/guangdong-ftz")))  # not Category -> Category
    nodes, rels = from_rdf(g)
    (zone,) = [n for n in nodes if n["props"]["uri"] == ZONE]
    assert zone["props"]["name"] == "深圳前海蛇口片区"
    assert not [r for r in rels if r["type"] == "BROADER"]
    assert validate(g)[0]


def test_payload_document_graph_converts_like_the_dicts() -> None:
    from graph.payload import DocumentGraph, Node, Rel
    from graph.rdf import payload_to_rdf

    nodes, rels = small_graph()
    doc = DocumentGraph(
        document_uri=DOC,
        source_file="qianhai-shekou-batch-6-replication-table.txt",
        content_hash="0" * 64,
        nodes=tuple(
            Node(n["labels"][0], n["props"]["uri"], {k: v for k, v in n["props"].items() if k != "uri"})
            for n in nodes
        ),
        rels=tuple(Rel(r["type"], r["start"], r["end"], r["props"]) for r in rels),
    )
    assert isomorphic(payload_to_rdf(doc), to_rdf(nodes, rels))


def test_issuer_and_other_edges_with_properties_round_trip() -> None:
    nodes, rels = small_graph()
    rels = [
        *rels,
        {"type": "ISSUED_BY", "start": DOC, "end": AG2, "props": {"printed": "前海管理局"}},
        {"type": "IN_CATEGORY", "start": M1, "end": CAT, "props": {"rank": 3}},  # no qualified form: reified
    ]
    g = to_rdf(nodes, rels)
    (att,) = g.objects(URIRef(DOC), PROV.qualifiedAttribution)
    assert g.value(att, PROV.hadRole) == RKG.IssuerRole
    (stmt,) = g.subjects(RDF.type, RDF.Statement)
    assert g.value(stmt, RDF.predicate) == RKG.inCategory and g.value(stmt, RDF.subject) == URIRef(M1)
    nodes2, rels2 = from_rdf(g)
    assert {"type": "ISSUED_BY", "start": DOC, "end": AG2, "props": {"printed": "前海管理局"}} in rels2
    assert {"type": "IN_CATEGORY", "start": M1, "end": CAT, "props": {"rank": 3}} in rels2
    assert isomorphic(to_rdf(nodes2, rels2), g)
    conforms, report = validate(g)
    assert conforms, report


def test_vocabulary_terms_are_declared_and_merging_it_changes_nothing() -> None:
    vocabulary = Graph().parse(Path(__file__).parents[1] / "ontology" / "vocabulary.ttl", format="turtle")
    undeclared = rkg_terms(vocabulary) - {URIRef(t) for t in dir(RKG)}
    assert not undeclared, f"declare in ontology/reformkg.ttl and ontology/namespace.py: {sorted(undeclared)}"
    g = to_rdf(*small_graph())
    merged = g + vocabulary
    # skos:broader between scope types is not a BROADER, and the vocabulary's
    # successions of named agencies (org:Organizations, not nodes) are no
    # SUCCEEDED_BY; the one edge it adds is the zone succession, stated with the
    # graph's own zone IRIs.
    hengqin = {"type": "ZONE_SUCCEEDED_BY", "start": ID + "zone/hengqin",
               "end": ID + "zone/hengqin-cooperation-zone", "props": {}}
    merged_rels = from_rdf(merged)[1]
    assert hengqin in merged_rels
    assert [r for r in merged_rels if r != hengqin] == from_rdf(g)[1]
    conforms, report = validate(merged)
    assert conforms, report


# ---------------------------------------------------------------- lineage and successions

DOC2 = ID + "document/shenzhen-2019-plan"
M3 = ID + "measure/shenzhen-2019-plan/3"
AG_OLD = ID + "agency/shenzhen-industry-commerce"
HQ = ID + "zone/hengqin"
HQ_COOP = ID + "zone/hengqin-cooperation-zone"
MARKET_REFORM = "2018年机构改革:组建市场监督管理部门"
DERIVED = {"method": "tfidf-cosine/1", "score": 0.82, "evidence": ["电子营业执照", "一照通"]}


def lineage_graph() -> tuple[list[dict], list[dict]]:
    """small_graph plus an older document's measure, a predecessor agency and two zones, with the four new edges."""
    nodes, rels = small_graph()
    nodes = [
        *nodes,
        {
            "labels": ["PolicyDocument"],
            "props": {"uri": DOC2, "title": "深圳市2019年改革方案", "genre": "action_plan",
                      "source_file": "shenzhen-2019-plan.txt"},
        },
        {
            "labels": ["Measure"],
            "props": {"uri": M3, "key": "3", "seq": "3", "title": "推广电子营业执照应用",
                      "source_file": "shenzhen-2019-plan.txt", "span_start": 10, "span_end": 90},
        },
        {
            "labels": ["Agency"],
            "props": {"uri": AG_OLD, "name": "深圳市工商行政管理局", "level": "city",
                      "function": "industry-commerce", "is_government": False},
        },
        {"labels": ["PilotZone"], "props": {"uri": HQ, "name": "珠海横琴新区片区", "zone_id": "hengqin"}},
        {"labels": ["PilotZone"], "props": {"uri": HQ_COOP, "name": "横琴粤澳深度合作区",
                                            "zone_id": "hengqin-cooperation-zone"}},
    ]
    rels = [
        *rels,
        {"type": "PART_OF", "start": M3, "end": DOC2, "props": {}},
        {"type": "AGENCY_JURISDICTION", "start": AG_OLD, "end": SZ, "props": {}},
        {"type": "DERIVED_FROM", "start": M1, "end": M3, "props": dict(DERIVED)},
        {"type": "RELATED_TO", "start": M2, "end": M3,
         "props": {"method": "tfidf-cosine/1", "score": 0.64, "evidence": ["一照通"]}},
        {"type": "SUCCEEDED_BY", "start": AG_OLD, "end": AG,
         "props": {"date": date(2018, 4, 10), "reform": MARKET_REFORM}},
        {"type": "ZONE_SUCCEEDED_BY", "start": HQ, "end": HQ_COOP, "props": {"date": date(2021, 9, 17)}},
    ]
    return nodes, rels


def with_rel_props(rels: list[dict], rel_type: str, props: dict) -> list[dict]:
    rels = copy.deepcopy(rels)
    for r in rels:
        if r["type"] == rel_type:
            r["props"] = props
    return rels


def test_new_relationships_and_edge_properties_are_declared() -> None:
    g = ontology_graph()
    assert (RKG.relatedMeasure, RDF.type, OWL.SymmetricProperty) in g
    assert (RKG.relatedMeasure, RDFS.subPropertyOf, ELI.related_to) in g
    assert (RKG.relatedMeasure, RDFS.subPropertyOf, PROV.wasInfluencedBy) not in g  # symmetric: no directed parent
    dcterms = Namespace("http://purl.org/dc/terms/")
    for p in (RKG.succeededBy, RKG.zoneSucceededBy):
        assert (p, RDFS.subPropertyOf, dcterms.isReplacedBy) in g
    # rkg:succeededBy is the shortcut of ( ^org:originalOrganization org:resultingOrganization )
    (chain,) = g.objects(RKG.succeededBy, OWL.propertyChainAxiom)
    first, second = list(g.items(chain))
    assert g.value(first, OWL.inverseOf) == ORG.originalOrganization and second == ORG.resultingOrganization
    assert (RKG.similarityScore, RDFS.range, XSD.decimal) in g
    assert (RKG.InstitutionalReform, RDFS.subClassOf, PROV.Activity) in g
    assert (RKG.reform, RDFS.domain, RKG.AgencySuccession) in g and (RKG.reform, RDFS.range, RKG.InstitutionalReform) in g
    for term in (PROV.Derivation, ORG.ChangeEvent):
        assert (term, RDF.type, OWL.Class) in g
    for term in (PROV.qualifiedDerivation, PROV.entity, ELI.related_to, dcterms.isReplacedBy):
        assert (term, RDF.type, OWL.ObjectProperty) in g and _has_label(g, term, "zh-Hans"), term


def test_lineage_round_trip_is_isomorphic_and_gives_the_dicts_back() -> None:
    nodes, rels = lineage_graph()
    g1 = to_rdf(nodes, rels)
    nodes2, rels2 = from_rdf(g1)
    g2 = to_rdf(nodes2, rels2)
    assert isomorphic(g1, g2) and len(g1) == len(g2)
    new_types = {"DERIVED_FROM", "RELATED_TO", "SUCCEEDED_BY", "ZONE_SUCCEEDED_BY"}
    back = sorted((r for r in rels2 if r["type"] in new_types), key=lambda r: r["type"])
    assert back == [
        {"type": "DERIVED_FROM", "start": M1, "end": M3,
         "props": {"evidence": ["一照通", "电子营业执照"], "method": "tfidf-cosine/1", "score": 0.82}},
        {"type": "RELATED_TO", "start": M2, "end": M3,
         "props": {"evidence": ["一照通"], "method": "tfidf-cosine/1", "score": 0.64}},
        {"type": "SUCCEEDED_BY", "start": AG_OLD, "end": AG,
         "props": {"date": date(2018, 4, 10), "reform": MARKET_REFORM}},
        {"type": "ZONE_SUCCEEDED_BY", "start": HQ, "end": HQ_COOP, "props": {"date": date(2021, 9, 17)}},
    ]
    assert len(rels2) == len(rels)
    # without properties: the shortcut triple only, and it reads back the same
    bare = with_rel_props(rels, "DERIVED_FROM", {})
    g3 = to_rdf(nodes, with_rel_props(bare, "SUCCEEDED_BY", {}))
    assert not list(g3.subjects(RDF.type, PROV.Derivation)) and not list(g3.subjects(RDF.type, RKG.AgencySuccession))
    assert isomorphic(to_rdf(*from_rdf(g3)), g3)


def test_lineage_qualified_nodes_have_the_prov_and_org_shapes() -> None:
    g = to_rdf(*lineage_graph())
    m1, m2, m3 = URIRef(M1), URIRef(M2), URIRef(M3)
    # DERIVED_FROM: PROV-O's qualified derivation
    assert (m1, RKG.derivedFrom, m3) in g
    (d,) = g.objects(m1, PROV.qualifiedDerivation)
    assert str(d).startswith(M1 + "#derived-from-")
    assert (d, RDF.type, PROV.Derivation) in g and g.value(d, PROV.entity) == m3
    assert g.value(d, RKG.linkMethod) == Literal("tfidf-cosine/1")
    assert g.value(d, RKG.similarityScore) == Literal("0.82", datatype=XSD.decimal)
    assert set(g.objects(d, RKG.evidenceTerm)) == {Literal("电子营业执照"), Literal("一照通")}
    # SUCCEEDED_BY: an org:ChangeEvent (rkg:AgencySuccession) from the old agency to the new
    assert (URIRef(AG_OLD), RKG.succeededBy, URIRef(AG)) in g
    (s,) = g.subjects(RDF.type, RKG.AgencySuccession)
    assert str(s).startswith(AG_OLD + "#succeeded-by-")
    assert g.value(s, ORG.originalOrganization) == URIRef(AG_OLD)
    assert g.value(s, ORG.resultingOrganization) == URIRef(AG)
    assert g.value(s, PROV.atTime) == Literal("2018-04-10", datatype=XSD.date)
    assert g.value(s, RKG.reformName) == Literal(MARKET_REFORM)
    # RELATED_TO and ZONE_SUCCEEDED_BY: plain reification
    stmts = {g.value(x, RDF.predicate): x for x in g.subjects(RDF.type, RDF.Statement)}
    assert set(stmts) == {RKG.relatedMeasure, RKG.zoneSucceededBy}
    rel = stmts[RKG.relatedMeasure]
    assert (g.value(rel, RDF.subject), g.value(rel, RDF.object)) == (m2, m3)
    assert g.value(rel, RKG.similarityScore) == Literal("0.64", datatype=XSD.decimal)
    assert (m2, RKG.relatedMeasure, m3) in g and (m3, RKG.relatedMeasure, m2) not in g
    zs = stmts[RKG.zoneSucceededBy]
    assert g.value(zs, RDF.subject) == URIRef(HQ) and g.value(zs, RDF.object) == URIRef(HQ_COOP)
    assert g.value(zs, PROV.atTime) == Literal("2021-09-17", datatype=XSD.date)
    assert (URIRef(HQ), RKG.zoneSucceededBy, URIRef(HQ_COOP)) in g


@pytest.mark.parametrize("inference", ["none", "rdfs"])
def test_lineage_graph_conforms(inference: str) -> None:
    conforms, report = validate(to_rdf(*lineage_graph()), inference=inference)
    assert conforms, report


def _qualified(g: Graph, cls: URIRef) -> str:
    (q,) = g.subjects(RDF.type, cls)
    return str(q)


def _statement(g: Graph, predicate: URIRef) -> str:
    (q,) = (x for x in g.subjects(RDF.type, RDF.Statement) if g.value(x, RDF.predicate) == predicate)
    return str(q)


@pytest.mark.parametrize(
    ("change", "focus", "words"),
    [
        (lambda n, r: (n, with_rel_props(r, "DERIVED_FROM", {**DERIVED, "score": 1.5})),
         lambda g: _qualified(g, PROV.Derivation), "similarityScore"),
        (lambda n, r: (n, with_rel_props(r, "DERIVED_FROM", {"score": 0.5})),
         lambda g: _qualified(g, PROV.Derivation), "linkMethod"),
        (lambda n, r: (n, with_rel_props(r, "RELATED_TO", {"method": "m", "score": -0.1})),
         lambda g: _statement(g, RKG.relatedMeasure), "similarityScore"),
        (lambda n, r: (n, [*[x for x in r if x["type"] != "RELATED_TO"],
                           {"type": "RELATED_TO", "start": M3, "end": M2, "props": {}}]),
         lambda g: M3, "relatedMeasure"),
        (lambda n, r: (n, [*r, {"type": "RELATED_TO", "start": M1, "end": M1, "props": {}}]),
         lambda g: M1, "relatedMeasure"),
        (lambda n, r: (n, [*r, {"type": "SUCCEEDED_BY", "start": AG_OLD, "end": ZONE, "props": {}}]),
         lambda g: AG_OLD, "succeededBy"),
        (lambda n, r: (n, [*r, {"type": "DERIVED_FROM", "start": M1, "end": AG, "props": {}}]),
         lambda g: M1, "derivedFrom"),
        (lambda n, r: (n, [*r, {"type": "ZONE_SUCCEEDED_BY", "start": HQ, "end": SZ, "props": {}}]),
         lambda g: HQ, "zoneSucceededBy"),
    ],
    ids=["score-above-1", "no-method", "related-score-below-0", "related-reversed", "related-to-itself",
         "succeeded-by-zone", "derived-from-agency", "zone-succeeded-by-place"],
)
def test_broken_lineage_names_its_focus_node(change, focus, words: str) -> None:
    g = to_rdf(*change(*lineage_graph()))
    conforms, report = validate(g)
    assert not conforms
    assert f"Focus Node: <{focus(g)}>" in report and words in report, report


@pytest.mark.parametrize(
    ("shortcut", "cls"),
    [((M1, RKG.derivedFrom, M3), PROV.Derivation), ((AG_OLD, RKG.succeededBy, AG), RKG.AgencySuccession)],
    ids=["derivation", "agency-succession"],
)
def test_lineage_qualified_node_needs_its_shortcut(shortcut: tuple, cls: URIRef) -> None:
    g = to_rdf(*lineage_graph())
    s, p, o = shortcut
    g.remove((URIRef(s), p, URIRef(o)))
    conforms, report = validate(g)
    assert not conforms and "shortcut" in report
    assert f"Focus Node: <{_qualified(g, cls)}>" in report, report


def test_agency_succession_has_one_agency_each_side() -> None:
    g = to_rdf(*lineage_graph())
    q = URIRef(_qualified(g, RKG.AgencySuccession))
    g.add((q, ORG.resultingOrganization, URIRef(AG2)))
    g.add((URIRef(AG_OLD), RKG.succeededBy, URIRef(AG2)))  # shortcut there: only the count is wrong
    conforms, report = validate(g)
    assert not conforms and f"Focus Node: <{q}>" in report and "resultingOrganization" in report, report


def test_vocabulary_reforms_and_successions() -> None:
    from ontology.vocab import NamedSuccession, Reform, vocabulary

    v = vocabulary()
    assert v.reforms["2018-market-regulation"] == Reform(
        "2018-market-regulation", "2018年机构改革:组建市场监督管理部门", date(2018, 4, 10),
        ("food-drug", "industry-commerce", "quality-supervision"), "market-regulation", "市场监督管理局")
    assert v.reforms["2018-tax"] == Reform(
        "2018-tax", "国税地税征管体制改革:合并国税地税机构", date(2018, 6, 15), ("local-tax", "state-tax"), "tax", "税务局")
    assert v.reforms["2018-health"] == Reform(
        "2018-health", "2018年机构改革:组建卫生健康委员会", date(2018, 3, 27), ("health-family-planning",), "health",
        None)  # linked only when the graph has the successor: its name varies by place
    ciq = v.reforms["2018-ciq-customs"]
    assert (ciq.date, ciq.from_functions, ciq.to_function, ciq.successor_body) == (date(2018, 4, 20), (), None, None)
    assert set(v.reforms) == {"2018-market-regulation", "2018-tax", "2018-health", "2018-ciq-customs"}
    assert v.named_successions == (
        NamedSuccession("ciq-hengqin", "customs-hengqin", "2018-ciq-customs"),
        NamedSuccession("ciq-zhuhai", "customs-gongbei", "2018-ciq-customs"),
    )
    assert v.agencies["ciq-zhuhai"].name == "珠海出入境检验检疫局" and v.agencies["customs-gongbei"].name == "拱北海关"
    assert not [n for n in v.named_successions if n.original == "ciq-guangdong"]  # split among several districts
    # every function a reform names is the function of some body
    functions = {b.function for b in v.bodies}
    for r in v.reforms.values():
        assert set(r.from_functions) <= functions and (r.to_function is None or r.to_function in functions), r
    # the zone succession, on the date the old zone ends and the new one begins
    hq, coop = v.zones["hengqin"], v.zones["hengqin-cooperation-zone"]
    assert hq.succeeded_by == "hengqin-cooperation-zone" and coop.succeeded_by is None
    assert hq.valid_until == coop.valid_from == date(2021, 9, 17)
    assert all(z.succeeded_by is None for zid, z in v.zones.items() if zid != "hengqin")


def test_vocabulary_health_function_is_split() -> None:
    from ontology.vocab import vocabulary

    by_full = {b.full: b for b in vocabulary().bodies}
    assert by_full["卫生和计划生育委员会"].function == "health-family-planning"
    assert by_full["卫生和计划生育局"].function == "health-family-planning"
    assert by_full["卫生健康委员会"].function == "health"
    assert by_full["卫生健康局"].function == "health" and by_full["卫生健康局"].aliases == ("卫健局",)


def test_vocabulary_succession_needs_both_organizations() -> None:
    vocabulary = Graph().parse(Path(__file__).parents[1] / "ontology" / "vocabulary.ttl", format="turtle")
    merged = to_rdf(*small_graph()) + vocabulary
    succession = URIRef(ID + "succession/ciq-zhuhai-2018")
    assert (succession, RDF.type, RKG.AgencySuccession) in merged
    merged.remove((succession, ORG.resultingOrganization, None))
    conforms, report = validate(merged)
    # the report names the node with the vocabulary's prefix: succession:ciq-zhuhai-2018
    assert not conforms and "Focus Node: succession:ciq-zhuhai-2018" in report, report
    assert "Result Path: org:resultingOrganization" in report, report


def test_a_promotion_names_its_document_issuer_and_zone() -> None:
    base = "https://w3id.org/reformkg/id/"
    m, d, a, z, s = (f"{base}measure/x/1", f"{base}document/x", f"{base}agency/广州市人民政府",
                     f"{base}zone/nansha", f"{base}scope/guangzhou/relevant-districts")
    nodes = [{"labels": ["Measure"], "props": {"uri": m, "title": "t"}},
             {"labels": ["PolicyDocument"], "props": {"uri": d, "title": "d"}},
             {"labels": ["Agency"], "props": {"uri": a, "name": "广州市人民政府"}},
             {"labels": ["PilotZone"], "props": {"uri": z, "name": "广州南沙新区片区"}},
             {"labels": ["ReplicationScope"], "props": {"uri": s, "name": "市有关行政区(广州市)"}}]
    rels = [{"type": "PART_OF", "start": m, "end": d},
            {"type": "ISSUED_BY", "start": d, "end": a},
            {"type": "PILOTED_IN", "start": m, "end": z, "props": {"source": "document"}},
            {"type": "PROMOTED_TO", "start": m, "end": s, "props": {"date": "2018-07-02", "batch": 3}}]
    g = to_rdf(nodes, rels)
    (q,) = list(g.subjects(RDF.type, RKG.Promotion))
    assert g.value(q, RKG.announcedIn) == URIRef(d)
    assert g.value(q, PROV.wasAssociatedWith) == URIRef(a)
    assert g.value(q, RKG.fromZone) == URIRef(z)
    assert isomorphic(to_rdf(*from_rdf(g)), g)
