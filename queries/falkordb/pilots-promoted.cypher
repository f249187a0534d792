// name: pilots-promoted
// description: Measures piloted in a pilot zone and promoted to a replication scope, with the promotion's
// description: date, batch, announcing document and its issuer, and the lead agencies; in document order,
// description: a page at a time (offset, limit: the API's default page is 100 rows, the CLI's is every row).
// param: zone: zone - the pilot zone: canonical name, alias or IRI (前海蛇口, 深圳前海蛇口片区, qianhai-shekou)
// param: scope: scope - a scope type (全市, citywide, 海关特殊监管区域), a scope's name or IRI
// param: offset: int[0..1000000] = 0 - rows to skip
// param: limit: int[1..1000000] = 1000000 - rows at most
// example: zone=前海蛇口 scope=全市
// FalkorDB: the same rows in the same order as ../pilots-promoted.cypher (tests/test_queries.py checks
// it), found document by document.  FalkorDB follows an edge from each of many rows at about a
// microsecond a row, so the common text, which must find and order every match (~7,850 rows at 100,000
// measures) before it can page, spends ~40 ms on a page.  Here the candidate documents (those with a
// measure piloted in the zone and one promoted to the scope: each side one matrix product from a few
// nodes) are ordered by uri and expanded one at a time, each document's rows ordered inside it; the
// page stops pulling documents once it is full (FalkorDB keeps the order of the rows of an ordered
// WITH and of a subquery's ordered rows).  A first page reads a few documents, not the whole answer:
// ~5 ms instead of ~40 at 100,000 measures; a deep page costs what the common text costs, every row less.
MATCH (z:PilotZone) WHERE z.uri IN $zone
MATCH (z)<-[:PILOTED_IN]-(:Measure)-[:PART_OF]->(dz:PolicyDocument)
WITH collect(DISTINCT id(dz)) AS zone_docs
MATCH (s:ReplicationScope) WHERE s.uri IN $scope
MATCH (s)<-[:PROMOTED_TO]-(:Measure)-[:PART_OF]->(d:PolicyDocument)
WITH DISTINCT d, zone_docs WHERE id(d) IN zone_docs
WITH d ORDER BY d.uri
CALL {
  WITH d
  MATCH (d)<-[:PART_OF]-(m:Measure)-[:PILOTED_IN]->(z:PilotZone)
  WHERE z.uri IN $zone
  MATCH (m)-[p:PROMOTED_TO]->(s:ReplicationScope)
  WHERE s.uri IN $scope
  RETURN m, z, s, p ORDER BY m.span_start, m.uri, z.uri, s.uri
}
WITH m, z, s, p, d SKIP $offset LIMIT $limit
OPTIONAL MATCH (d)-[:ISSUED_BY]->(i:Agency)
// the lead agencies of the page's rows in one pass, not a subquery per row (2-3 ms of 100 rows):
// FalkorDB's collect() appends in the order its rows arrive, here by rank
OPTIONAL MATCH (m)-[l:LED_BY]->(a:Agency)
WITH m, z, s, p, d, i, a ORDER BY l.rank
WITH m, z, s, p, d, i, collect(a.name) AS lead
RETURN m.uri AS uri, m.seq AS seq, m.title AS title, z.name AS zone, s.name AS scope, p.date AS date,
       p.batch AS batch, d.uri AS document_uri, d.title AS document, i.name AS issuer, lead
ORDER BY document_uri, m.span_start, uri, z.uri, s.uri
