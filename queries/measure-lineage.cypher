// name: measure-lineage
// description: Where a measure came from and where it went: earlier measures it derives from (ancestors,
// description: up to 6 links back), later measures derived from it (descendants), measures on the same idea
// description: whose order is unknown (related), each with the link's method, score and shared terms.
// param: measure: measure - the measure: IRI, exact title or a unique part of its title
// example: measure=全球质量溯源体系
MATCH (m:Measure) WHERE m.uri IN $measure
CALL {
  WITH m
  MATCH path = (m)-[:DERIVED_FROM*1..6]->(o:Measure)
  WITH o, path, last(relationships(path)) AS link
  RETURN 'ancestor' AS direction, o, length(path) AS depth, link
  UNION
  WITH m
  MATCH path = (o:Measure)-[:DERIVED_FROM*1..6]->(m)
  WITH o, path, head(relationships(path)) AS link
  RETURN 'descendant' AS direction, o, length(path) AS depth, link
  UNION
  WITH m
  MATCH (m)-[link:RELATED_TO]-(o:Measure)
  RETURN 'related' AS direction, o, 1 AS depth, link
}
MATCH (o)-[:PART_OF]->(d:PolicyDocument)
RETURN m.uri AS measure, direction, depth, o.uri AS uri, o.title AS title, d.title AS document,
       coalesce(d.issued, d.published) AS document_date, link.method AS method, link.score AS score,
       link.evidence AS evidence
ORDER BY measure, direction, depth, uri
