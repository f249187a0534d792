// name: zone-promotion-timeline
// description: A pilot zone's promotions over time: per date, batch and scope, how many of its piloted
// description: measures were promoted and by which document (undated promotions last).
// param: zone: zone - the pilot zone: canonical name, alias or IRI
// example: zone=南沙
MATCH (z:PilotZone)<-[:PILOTED_IN]-(m:Measure)-[p:PROMOTED_TO]->(s:ReplicationScope)
WHERE z.uri IN $zone
MATCH (m)-[:PART_OF]->(d:PolicyDocument)
WITH z, p.date AS date, p.batch AS batch, s, d, count(DISTINCT m) AS measures
RETURN z.name AS zone, date, batch, s.name AS scope, s.scope_type AS scope_type, d.uri AS document_uri,
       d.title AS document, measures
ORDER BY zone, date IS NULL, date, batch, scope
