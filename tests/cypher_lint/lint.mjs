// Lint Cypher texts with Neo4j's own linter (@neo4j-cypher/language-support, lintCypherQuery).
//
// stdin:  JSON [{"name": str, "query": str, "params": [str, ...]}, ...]
// stdout: JSON [{"name": str, "diagnostics": [{"severity": "error"|"warning"|..., "message": str,
//                                              "line": int, "column": int}]}, ...]
//
// The schema handed to the linter: the query's own parameters (so an undeclared parameter is an
// error), our labels, relationship types and property keys (REFORMKG_LINT_SCHEMA, JSON; an unknown
// one is a warning), Cypher 5 (Neo4j 5.26), and the built-in functions and procedures (with APOC)
// the package ships as its test schema, plus the n10s procedures the set-up script calls and the
// FalkorDB read procedure the API's search calls on the embedded default (its texts are linted too).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// The package's ESM build has extension-less imports node cannot resolve: use its CommonJS build.
const { lintCypherQuery, testData } = require('@neo4j-cypher/language-support');

const VERSION = 'CYPHER 5';
const SEVERITY = { 1: 'error', 2: 'warning', 3: 'information', 4: 'hint' };

function procedure(name, args, returns) {
  const desc = (list) => list.map(([n, type, dflt]) => ({
    name: n, type, description: n, isDeprecated: false, ...(dflt !== undefined ? { default: dflt } : {}),
  }));
  const sig = (list) => list.map(([n, type, dflt]) => `${n}${dflt !== undefined ? ` = ${dflt}` : ''} :: ${type}`).join(', ');
  return {
    name, description: name, mode: 'WRITE', worksOnSystem: false,
    signature: `${name}(${sig(args)}) :: (${sig(returns)})`,
    argumentDescription: desc(args), returnDescription: desc(returns),
    admin: false, isDeprecated: false, deprecatedBy: null, option: { deprecated: false },
  };
}

// neosemantics 5.x signatures (n10s.graphconfig.init, n10s.nsprefixes.add, n10s.mapping.add).
const N10S = [
  procedure('n10s.graphconfig.init', [['params', 'MAP', '{}']], [['param', 'STRING'], ['value', 'ANY']]),
  procedure('n10s.nsprefixes.add', [['prefix', 'STRING'], ['ns', 'STRING']],
    [['prefix', 'STRING'], ['namespace', 'STRING']]),
  procedure('n10s.mapping.add', [['elemIri', 'STRING'], ['graphElemName', 'STRING']],
    [['schemaNs', 'STRING'], ['schemaPrefix', 'STRING'], ['schemaElement', 'STRING'], ['elemName', 'STRING']]),
];

// FalkorDB's full-text lookup (docs.falkordb.com, cypher/indexing/fulltext-index): label, RediSearch query.
const FALKORDB = [
  procedure('db.idx.fulltext.queryNodes', [['label', 'STRING'], ['query', 'STRING']],
    [['node', 'NODE'], ['score', 'FLOAT']]),
];

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

const names = JSON.parse(process.env.REFORMKG_LINT_SCHEMA || '{}');
const mock = testData.mockSchema;
const procedures = { ...mock.procedures };
procedures[VERSION] = { ...mock.procedures[VERSION] };
for (const p of [...N10S, ...FALKORDB]) procedures[VERSION][p.name] = p;

const items = JSON.parse(await readStdin());
const out = items.map(({ name, query, params }) => {
  const schema = {
    defaultLanguage: VERSION,
    functions: mock.functions,
    procedures,
    labels: names.labels ?? [],
    relationshipTypes: names.relationshipTypes ?? [],
    propertyKeys: names.propertyKeys ?? [],
    parameters: Object.fromEntries((params ?? []).map((p) => [p, null])),
  };
  const diagnostics = lintCypherQuery(query, schema).map((d) => ({
    severity: SEVERITY[d.severity] ?? String(d.severity),
    message: d.message,
    line: d.range.start.line + 1,
    column: d.range.start.character + 1,
  }));
  return { name, diagnostics };
});
process.stdout.write(JSON.stringify(out));
