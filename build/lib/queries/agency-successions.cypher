// name: agency-successions
// description: Agency successions in institutional reforms: the agency before, the agency after, the date and
// description: the reform; optionally only those in the history of one agency (before or after it).
// param: agency: agency? - only successions this agency took part in, directly or through a chain
// example: agency=珠海市工商行政管理局
OPTIONAL MATCH (x:Agency)-[:SUCCEEDED_BY*0..4]-(y:Agency)
WHERE x.uri IN coalesce($agency, [])
WITH collect(DISTINCT y.uri) AS family
MATCH (a:Agency)-[s:SUCCEEDED_BY]->(b:Agency)
WHERE $agency IS NULL OR a.uri IN family
OPTIONAL MATCH (a)-[:AGENCY_JURISDICTION]->(pl:Place)
RETURN a.uri AS predecessor_uri, a.name AS predecessor, b.uri AS successor_uri, b.name AS successor,
       s.date AS date, s.reform AS reform, pl.name AS jurisdiction
ORDER BY date, jurisdiction, predecessor
