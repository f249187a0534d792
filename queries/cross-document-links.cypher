// name: cross-document-links
// description: Cross-document lineage links: a measure and the earlier measure it derives from (or a
// description: related one when the order is unknown), with method, score and the shared terms.
// param: min_score: float = 0 - links with at least this score
// param: document: document? - only links with a measure of this document (IRI, 文号 or title)
// example: min_score=0.5
MATCH (n:Measure)-[l]->(o:Measure)
WHERE type(l) IN ['DERIVED_FROM', 'RELATED_TO'] AND l.score >= $min_score
MATCH (n)-[:PART_OF]->(nd:PolicyDocument), (o)-[:PART_OF]->(od:PolicyDocument)
WITH n, l, o, nd, od
WHERE $document IS NULL OR nd.uri IN $document OR od.uri IN $document
RETURN type(l) AS link, o.uri AS older_uri, o.title AS older, od.title AS older_document,
       n.uri AS newer_uri, n.title AS newer, nd.title AS newer_document, l.score AS score,
       l.method AS method, l.evidence AS evidence
ORDER BY score DESC, older_uri, newer_uri
