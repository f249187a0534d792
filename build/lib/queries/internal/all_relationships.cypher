// name: all_relationships
// description: every relationship as (type, start uri, end uri, properties)
MATCH (a)-[r]->(b)
RETURN type(r) AS type, a.uri AS start, b.uri AS end, properties(r) AS props
