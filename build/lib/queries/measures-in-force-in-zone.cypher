// name: measures-in-force-in-zone
// description: Measures that apply in a pilot zone: piloted there, or promoted to a scope whose jurisdiction
// description: contains the zone (a measure promoted citywide in Shenzhen applies in Qianhai-Shekou).
// description: The scope type says how far the promotion reaches (customs special supervision areas only).
// param: zone: zone - the pilot zone
// example: zone=前海蛇口
MATCH (z:PilotZone) WHERE z.uri IN $zone
MATCH (z)-[:ZONE_WITHIN]->(:Place)-[:PLACE_WITHIN*0..4]->(pl:Place)<-[:SCOPE_JURISDICTION]-(s:ReplicationScope)
MATCH (m:Measure)-[:PROMOTED_TO]->(s)
OPTIONAL MATCH (m)-[:PILOTED_IN]->(origin:PilotZone)
WITH z, m, s, pl, collect(DISTINCT origin.name) AS piloted_in
RETURN z.name AS zone, m.uri AS uri, m.title AS title, 'promoted' AS how, s.name AS scope,
       s.scope_type AS scope_type, pl.name AS jurisdiction, piloted_in
UNION
MATCH (z:PilotZone) WHERE z.uri IN $zone
MATCH (m:Measure)-[pi:PILOTED_IN]->(z)
WHERE NOT (m)-[:PROMOTED_TO]->(:ReplicationScope)
RETURN z.name AS zone, m.uri AS uri, m.title AS title, 'piloted' AS how, null AS scope,
       null AS scope_type, null AS jurisdiction, [z.name] AS piloted_in
