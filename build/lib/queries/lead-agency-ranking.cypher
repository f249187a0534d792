// name: lead-agency-ranking
// description: The agencies that lead the most measures, optionally within one pilot zone or one document.
// param: zone: zone? - only measures piloted in this zone
// param: document: document? - only measures of this document
// param: limit: int[1..500] = 20 - how many agencies
// example: zone=南沙 limit=10
MATCH (a:Agency)<-[:LED_BY]-(m:Measure)-[:PART_OF]->(d:PolicyDocument)
WHERE $document IS NULL OR d.uri IN $document
OPTIONAL MATCH (m)-[:PILOTED_IN]->(z:PilotZone)
WITH a, m, collect(z.uri) AS zones
WHERE $zone IS NULL OR any(x IN zones WHERE x IN $zone)
WITH a, count(DISTINCT m) AS measures
RETURN a.uri AS uri, a.name AS agency, a.level AS level, measures
ORDER BY measures DESC, agency
LIMIT $limit
