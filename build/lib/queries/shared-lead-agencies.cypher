// name: shared-lead-agencies
// description: Agencies that lead measures piloted in several pilot zones: who carries reforms across zones.
// param: min_zones: int[1..100] = 2 - the least number of zones
// example: min_zones=2
MATCH (a:Agency)<-[:LED_BY]-(m:Measure)-[:PILOTED_IN]->(z:PilotZone)
WITH a, collect(DISTINCT z.name) AS zones, count(DISTINCT m) AS measures
WHERE size(zones) >= $min_zones
RETURN a.uri AS uri, a.name AS agency, a.level AS level, zones, size(zones) AS zone_count, measures
ORDER BY zone_count DESC, measures DESC, agency
