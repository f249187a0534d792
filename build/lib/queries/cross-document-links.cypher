// name: cross-document-links
// description: Cross-document lineage links: a measure and the earlier measure it derives from (or a
// description: related one when the order is unknown: then older/newer are just the two ends), with method,
// description: score and the shared terms.
// param: min_score: float[0..1] = 0 - links with at least this score
// param: document: document? - only links with a measure of this document (IRI, 文号 or title)
// example: min_score=0.5
MATCH (n:Measure)-[l]->(o:Measure)
WHERE type(l) IN ['DERIVED_FROM', 'RELATED_TO'] AND l.score >= $min_score
// DERIVED_FROM points from the newer measure to the older; RELATED_TO from the smaller IRI to the larger
WITH l, CASE WHEN type(l) = 'DERIVED_FROM' THEN o ELSE n END AS older,
     CASE WHEN type(l) = 'DERIVED_FROM' THEN n ELSE o END AS newer
MATCH (older)-[:PART_OF]->(od:PolicyDocument), (newer)-[:PART_OF]->(nd:PolicyDocument)
WITH older, newer, l, od, nd
WHERE $document IS NULL OR nd.uri IN $document OR od.uri IN $document
RETURN type(l) AS link, older.uri AS older_uri, older.title AS older, od.title AS older_document,
       newer.uri AS newer_uri, newer.title AS newer, nd.title AS newer_document, l.score AS score,
       l.method AS method, l.evidence AS evidence
ORDER BY score DESC, older_uri, newer_uri
