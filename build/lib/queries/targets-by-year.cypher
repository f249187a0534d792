// name: targets-by-year
// description: Quantitative targets (到2025年…) by target year, with their metric, value, unit and the measure
// description: or document that sets them.
// param: year: int? - only targets for this year
// example: year=2025
MATCH (t:Target)
WHERE $year IS NULL OR t.year = $year
OPTIONAL MATCH (owner)-[:HAS_TARGET|DOCUMENT_TARGET]->(t)
RETURN t.year AS year, t.metric AS metric, t.comparator AS comparator, t.value AS value, t.unit AS unit,
       t.text AS text, owner.uri AS set_by, coalesce(owner.title, owner.name) AS set_by_title
ORDER BY year, metric, value
