// name: measures-by-category-zone
// description: How many measures each category (heading) has per pilot zone, optionally for one zone or
// description: one category; the category's parent heading is given for context.
// param: zone: zone? - only this pilot zone
// param: category: category? - only this category (name, IRI or a unique part of its name)
// example: zone=横琴
MATCH (c:Category)<-[:IN_CATEGORY]-(m:Measure)-[:PILOTED_IN]->(z:PilotZone)
WHERE ($zone IS NULL OR z.uri IN $zone) AND ($category IS NULL OR c.uri IN $category)
OPTIONAL MATCH (c)-[:BROADER]->(b:Category)
WITH c, b, z, count(DISTINCT m) AS measures
RETURN c.name AS category, b.name AS broader, z.name AS zone, measures
ORDER BY zone, measures DESC, category
