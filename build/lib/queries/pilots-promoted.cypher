// name: pilots-promoted
// description: Measures piloted in a pilot zone and promoted to a replication scope, with the promotion's
// description: date, batch, announcing document and its issuer, and the lead agencies.
// param: zone: zone - the pilot zone: canonical name, alias or IRI (前海蛇口, 深圳前海蛇口片区, qianhai-shekou)
// param: scope: scope - a scope type (全市, citywide, 海关特殊监管区域), a scope's name or IRI
// example: zone=前海蛇口 scope=全市
MATCH (z:PilotZone)<-[:PILOTED_IN]-(m:Measure)-[p:PROMOTED_TO]->(s:ReplicationScope)
WHERE z.uri IN $zone AND s.uri IN $scope
MATCH (m)-[:PART_OF]->(d:PolicyDocument)
OPTIONAL MATCH (d)-[:ISSUED_BY]->(i:Agency)
OPTIONAL MATCH (m)-[l:LED_BY]->(a:Agency)
WITH m, z, s, p, d, i, a ORDER BY l.rank
WITH m, z, s, p, d, i, collect(a.name) AS lead
RETURN m.uri AS uri, m.seq AS seq, m.title AS title, z.name AS zone, s.name AS scope, p.date AS date,
       p.batch AS batch, d.uri AS document_uri, d.title AS document, i.name AS issuer, lead
ORDER BY document_uri, m.span_start
