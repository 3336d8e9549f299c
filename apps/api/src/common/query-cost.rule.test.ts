import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSchema, parse } from 'graphql';
import { DOCUMENT_LIMITS, documentLimitError } from './graphql-limits.rule';
import { MeasureOptions, measureOperation } from './query-cost.rule';

const schema = buildSchema(`
  type Label { key: String value: String }
  type Cluster { id: ID name: String labels: [Label!]! inspections(first: Int): ClusterConnection }
  type Edge { node: Cluster }
  type ClusterConnection { edges: [Edge] }
  type Query { clusters(first: Int): ClusterConnection cluster(id: ID): Cluster }
  type Mutation { detach(id: ID): Cluster }
`);

const MAX_PAGE = 200;
const measure = (q: string, options: Partial<MeasureOptions> = {}) => measureOperation(schema, parse(q), { maxPageSize: MAX_PAGE, ...options })!;

test('a page multiplies what it selects; a connection\'s edges are not counted twice', () => {
  // 1 (clusters) + 50 × (1 edges + 1 node + 2 fields)
  assert.equal(measure(`{ clusters(first: 50) { edges { node { id name } } } }`).cost, 1 + 50 * (1 + 1 + 2));
});

test('a page size passed as a variable is costed with the value sent, then the declared default, then 50', () => {
  const q = `query($n: Int = 7) { clusters(first: $n) { edges { node { id } } } }`;
  assert.equal(measure(q, { variables: { n: 200 } }).cost, 1 + 200 * 3);
  assert.equal(measure(q, { variables: {} }).cost, 1 + 7 * 3);
  assert.equal(measure(`query($n: Int) { clusters(first: $n) { edges { node { id } } } }`).cost, 1 + 50 * 3);
  assert.equal(measure(q, { variables: { n: 1e12 } }).cost, 1 + MAX_PAGE * 3, 'a page larger than the maximum is refused by the resolver; it costs the maximum');
});

test('a list without `first` counts at the maximum page size', () => {
  assert.equal(measure(`{ cluster(id: "x") { labels { key value } } }`).cost, 1 + 1 + MAX_PAGE * 2);
});

test('fragments are measured once and counted wherever they are spread, inline fragments too', () => {
  const q = `{ clusters(first: 10) { ...E } } fragment E on ClusterConnection { edges { node { ...N ... on Cluster { name } } } } fragment N on Cluster { id }`;
  assert.equal(measure(q).cost, 1 + 10 * (1 + 1 + 2));
});

test('fragments that each spread the previous one twice, 24 levels deep, are measured in linear time and refused', () => {
  let doc = `{cluster(id:"x"){...F24}} fragment F0 on Cluster{id}`;
  for (let i = 1; i <= 24; i++) doc += ` fragment F${i} on Cluster{...F${i - 1} ...F${i - 1}}`;
  assert.ok(doc.length < 1024);
  const started = process.hrtime.bigint();
  const m = measure(doc);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  assert.equal(m.cost, 1 + 2 ** 24);
  assert.ok(ms < 50, `measured in ${ms} ms`);
  assert.equal(documentLimitError(m, { ...DOCUMENT_LIMITS, maxCost: 250_000 })?.extensions.code, 'QUERY_TOO_EXPENSIVE');
});

test('counts saturate instead of overflowing: 2^2000 fields times a page of 0 is not a free query', () => {
  let doc = `query { clusters(first: 0) { edges { node { ...F2000 } } } cluster(id: "x") { ...F2000 } } fragment F0 on Cluster { id }\n`;
  for (let i = 1; i <= 2000; i++) doc += `fragment F${i} on Cluster { ...F${i - 1} ...F${i - 1} }\n`;
  const m = measure(doc);
  assert.equal(m.cost, Number.MAX_SAFE_INTEGER);
});

test('a fragment cycle (refused later by validation) does not loop', () => {
  const m = measure(`{ cluster(id: "x") { ...A } } fragment A on Cluster { id ...B } fragment B on Cluster { name ...A }`);
  assert.equal(m.cost, 1 + 2);
});

test('depth, aliases, directives and root fields are counted through fragments', () => {
  const m = measure(`query Q @a { x: cluster(id: "1") { ...F } y: cluster(id: "2") { ...F } } fragment F on Cluster { n: name @include(if: true) labels { key } }`, { operationName: 'Q' });
  assert.deepEqual(
    { depth: m.depth, aliases: m.aliases, directives: m.directives, rootFields: m.rootFields, kind: m.kind, width: m.width, fragments: m.fragments },
    { depth: 3, aliases: 4, directives: 3, rootFields: 2, kind: 'query', width: 2, fragments: 1 },
  );
});

test('each limit is refused with its name; eleven mutation fields are too many', () => {
  const limits = { ...DOCUMENT_LIMITS, maxCost: 250_000 };
  const eleven = `mutation { ${Array.from({ length: 11 }, (_, i) => `m${i}: detach(id: "${i}") { id }`).join(' ')} }`;
  const refused = documentLimitError(measure(eleven), limits);
  assert.equal(refused?.extensions.code, 'QUERY_TOO_COMPLEX');
  assert.match(refused!.message, /11 mutation fields; at most 10/);
  const ten = `mutation { ${Array.from({ length: 10 }, (_, i) => `m${i}: detach(id: "${i}") { id }`).join(' ')} }`;
  assert.equal(documentLimitError(measure(ten), limits), null);
  const deep = `{ cluster(id: "x") { inspections { edges { node { inspections { edges { node { inspections { edges { node { inspections { edges { node { id } } } } } } } } } } } } } }`;
  assert.match(documentLimitError(measure(deep), limits)!.message, /levels of nested fields/);
  const aliases = `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: cluster(id: "x") { id }`).join(' ')} }`;
  assert.match(documentLimitError(measure(aliases), limits)!.message, /31 aliases/);
});

test('the operation named by operationName is the one measured; when none is clear, all of them count', () => {
  const doc = `query A { cluster(id: "x") { id } } query B { clusters(first: 3) { edges { node { id } } } }`;
  assert.equal(measure(doc, { operationName: 'B' }).cost, 1 + 3 * 3);
  assert.equal(measure(doc, { operationName: 'C' }).cost, 2 + 1 + 3 * 3);
  assert.equal(measure(doc).cost, 2 + 1 + 3 * 3);
  assert.equal(measureOperation(schema, parse(`fragment F on Cluster { id }`), { maxPageSize: MAX_PAGE }), null);
});
