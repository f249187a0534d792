// name: export_measure_links
// description: the agencies, zones and categories of every measure, as (measure, kind, name, rank) rows
MATCH (m:Measure)-[r:LED_BY|PARTICIPANT|SUPPORTED_BY]->(a:Agency)
RETURN m.uri AS uri, type(r) AS kind, a.name AS name, r.rank AS rank
UNION ALL
MATCH (m:Measure)-[r:PILOTED_IN]->(z:PilotZone)
RETURN m.uri AS uri, type(r) AS kind, z.name AS name, CASE r.source WHEN 'document' THEN 0 ELSE 1 END AS rank
UNION ALL
MATCH (m:Measure)-[r:IN_CATEGORY]->(c:Category)
WHERE NOT (c)-[:BROADER]->(:Category)
RETURN m.uri AS uri, type(r) AS kind, c.name AS name, 0 AS rank
