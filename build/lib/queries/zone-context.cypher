// name: zone-context
// description: Where a pilot zone lies (district, city, province, nation) and what it became: the places
// description: containing it, nearest first, and its successor zones with the date of each succession.
// param: zone: zone - the pilot zone
// example: zone=横琴新区片区
MATCH (z:PilotZone) WHERE z.uri IN $zone
MATCH path = (z)-[:ZONE_WITHIN]->(:Place)-[:PLACE_WITHIN*0..4]->(p:Place)
RETURN z.name AS zone, 'within' AS relation, p.uri AS uri, p.name AS name, p.level AS level, length(path) AS depth,
       null AS date
UNION
MATCH (z:PilotZone) WHERE z.uri IN $zone
MATCH path = (z)-[:ZONE_SUCCEEDED_BY*1..3]->(n:PilotZone)
RETURN z.name AS zone, 'succeeded by' AS relation, n.uri AS uri, n.name AS name, 'zone' AS level, length(path) AS depth,
       last(relationships(path)).date AS date
UNION
MATCH (z:PilotZone) WHERE z.uri IN $zone
MATCH path = (o:PilotZone)-[:ZONE_SUCCEEDED_BY*1..3]->(z)
RETURN z.name AS zone, 'succeeds' AS relation, o.uri AS uri, o.name AS name, 'zone' AS level, length(path) AS depth,
       head(relationships(path)).date AS date
