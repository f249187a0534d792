// name: measure-lineage
// description: Where a measure came from and where it went: earlier measures it derives from (ancestors,
// description: up to 6 links back), later measures derived from it (descendants), measures on the same idea
// description: whose order is unknown (related), each with the link's method, score and shared terms.
// param: measure: measure - the measure: IRI, exact title or a unique part of its title
// example: measure=全球质量溯源体系
MATCH (m:Measure) WHERE m.uri IN $measure
MATCH path = (m)-[:DERIVED_FROM*1..6]->(o:Measure)-[:PART_OF]->(d:PolicyDocument)
WITH m, o, d, length(path) - 1 AS depth, relationships(path)[-2] AS link
RETURN m.uri AS measure, 'ancestor' AS direction, depth, o.uri AS uri, o.title AS title, d.title AS document,
       coalesce(d.issued, d.published) AS document_date, link.method AS method, link.score AS score,
       link.evidence AS evidence
UNION
MATCH (m:Measure) WHERE m.uri IN $measure
MATCH path = (d:PolicyDocument)<-[:PART_OF]-(o:Measure)-[:DERIVED_FROM*1..6]->(m)
WITH m, o, d, length(path) - 1 AS depth, relationships(path)[1] AS link
RETURN m.uri AS measure, 'descendant' AS direction, depth, o.uri AS uri, o.title AS title, d.title AS document,
       coalesce(d.issued, d.published) AS document_date, link.method AS method, link.score AS score,
       link.evidence AS evidence
UNION
MATCH (m:Measure) WHERE m.uri IN $measure
MATCH (m)-[link:RELATED_TO]-(o:Measure)-[:PART_OF]->(d:PolicyDocument)
RETURN m.uri AS measure, 'related' AS direction, 1 AS depth, o.uri AS uri, o.title AS title, d.title AS document,
       coalesce(d.issued, d.published) AS document_date, link.method AS method, link.score AS score,
       link.evidence AS evidence
