// name: export_measure_rows
// description: every measure with its document, main category and scope, one row per measure
MATCH (m:Measure)-[:PART_OF]->(d:PolicyDocument)
OPTIONAL MATCH (m)-[:PROMOTED_TO]->(s:ReplicationScope)
RETURN m.uri AS uri, m.source_file AS source_file, m.seq AS seq, m.title AS title, m.deadline AS deadline,
       m.status AS status, m.span_start AS span_start, d.doc_number AS doc_number, d.title AS doc_title,
       d.issued AS issued, d.uri AS document_uri, s.name AS scope
ORDER BY document_uri, span_start
