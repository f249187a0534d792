// name: all_nodes
// description: every node with its labels and properties (for RDF and other exports)
MATCH (n)
RETURN labels(n) AS labels, properties(n) AS props
