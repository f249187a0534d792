// name: search-measures
// description: Measures whose title or body contains a text (Simplified or Traditional; any substring of a
// description: title finds it), title matches first.
// param: text: text - the text to look for (Traditional is read as Simplified)
// param: limit: int[1..1000] = 50 - rows at most
// example: text=电子营业执照
MATCH (m:Measure)-[:PART_OF]->(d:PolicyDocument)
WHERE m.title CONTAINS $text OR m.body CONTAINS $text
RETURN m.uri AS uri, m.seq AS seq, m.title AS title, d.title AS document, m.title CONTAINS $text AS in_title
ORDER BY in_title DESC, document, m.span_start
LIMIT $limit
