// name: pilots-promoted
// description: Measures piloted in a pilot zone and promoted to a replication scope, with the promotion's
// description: date, batch, announcing document and its issuer, and the lead agencies; in document order,
// description: a page at a time (offset, limit: the API's default page is 100 rows, the CLI's is every row).
// param: zone: zone - the pilot zone: canonical name, alias or IRI (前海蛇口, 深圳前海蛇口片区, qianhai-shekou)
// param: scope: scope - a scope type (全市, citywide, 海关特殊监管区域), a scope's name or IRI
// param: offset: int[0..1000000] = 0 - rows to skip
// param: limit: int[1..1000000] = 1000000 - rows at most
// example: zone=前海蛇口 scope=全市
MATCH (z:PilotZone)<-[:PILOTED_IN]-(m:Measure)-[p:PROMOTED_TO]->(s:ReplicationScope)
WHERE z.uri IN $zone AND s.uri IN $scope
MATCH (m)-[:PART_OF]->(d:PolicyDocument)
// the page first: the issuer and the lead agencies are looked up for its rows only
WITH m, z, s, p, d ORDER BY d.uri, m.span_start, m.uri, z.uri, s.uri SKIP $offset LIMIT $limit
OPTIONAL MATCH (d)-[:ISSUED_BY]->(i:Agency)
CALL {
  WITH m
  OPTIONAL MATCH (m)-[l:LED_BY]->(a:Agency)
  WITH a ORDER BY l.rank
  RETURN collect(a.name) AS lead
}
RETURN m.uri AS uri, m.seq AS seq, m.title AS title, z.name AS zone, s.name AS scope, p.date AS date,
       p.batch AS batch, d.uri AS document_uri, d.title AS document, i.name AS issuer, lead
ORDER BY document_uri, m.span_start, uri, z.uri, s.uri
