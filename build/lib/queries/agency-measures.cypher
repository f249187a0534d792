// name: agency-measures
// description: Measures an agency leads (or takes part in, or supports), including what its predecessors
// description: did before an institutional reform (工商 + 质监 + 食药监 -> 市场监管, 国税 + 地税 -> 税务).
// param: agency: agency - the agency: IRI, canonical name or printed short form (深圳市市场监管局)
// param: role: lead|participant|support|any = lead - the agency's role in the measure
// param: predecessors: bool = true - include the measures of the agency's predecessors
// example: agency=珠海市税务局 role=lead predecessors=true
MATCH (a:Agency) WHERE a.uri IN $agency
MATCH (p:Agency)-[:SUCCEEDED_BY*0..4]->(a)
WHERE $predecessors OR p.uri = a.uri
MATCH (m:Measure)-[r]->(p)
WHERE ($role = 'any' AND type(r) IN ['LED_BY', 'PARTICIPANT', 'SUPPORTED_BY'])
   OR ($role = 'lead' AND type(r) = 'LED_BY')
   OR ($role = 'participant' AND type(r) = 'PARTICIPANT')
   OR ($role = 'support' AND type(r) = 'SUPPORTED_BY')
MATCH (m)-[:PART_OF]->(d:PolicyDocument)
RETURN DISTINCT m.uri AS uri, m.seq AS seq, m.title AS title, a.name AS agency, p.name AS as_agency,
       p.uri <> a.uri AS via_predecessor, type(r) AS role, d.title AS document
ORDER BY document, uri, as_agency
