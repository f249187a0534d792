// name: document-overview
// description: Every document with its genre, number, dates, issuer and how many measures, pilot zones,
// description: promotions and lead agencies it holds.
// example:
MATCH (d:PolicyDocument)
OPTIONAL MATCH (d)-[:ISSUED_BY]->(i:Agency)
OPTIONAL MATCH (m:Measure)-[:PART_OF]->(d)
OPTIONAL MATCH (m)-[:PILOTED_IN]->(z:PilotZone)
OPTIONAL MATCH (m)-[p:PROMOTED_TO]->(:ReplicationScope)
OPTIONAL MATCH (m)-[:LED_BY]->(a:Agency)
WITH d, i, count(DISTINCT m) AS measures, collect(DISTINCT z.name) AS zones, count(DISTINCT p) AS promotions,
     count(DISTINCT a) AS lead_agencies
RETURN d.uri AS uri, d.title AS title, d.genre AS genre, d.doc_number AS doc_number, d.issued AS issued,
       d.published AS published, i.name AS issuer, measures, zones, promotions, lead_agencies
ORDER BY issued IS NULL, issued, title
