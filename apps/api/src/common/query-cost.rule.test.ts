import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSchema, parse, validate } from 'graphql';
import { queryCostRule } from './query-cost.rule';

const schema = buildSchema(`
  type Label { key: String }
  type Cluster { id: ID name: String labels: [Label] inspections(first: Int): Conn }
  type Edge { node: Cluster }
  type Conn { edges: [Edge] }
  type Query { clusters(first: Int): Conn }
`);

const check = (q: string, max = 1000) => validate(schema, parse(q), [queryCostRule(max)]);

test('a dashboard-sized page passes', () => {
  assert.deepEqual(check(`{ clusters(first: 50) { edges { node { id name labels { key } } } } }`), []);
});

test('pages nested in pages are refused with the cost named', () => {
  const errors = check(`{ clusters(first: 200) { edges { node { inspections(first: 200) { edges { node { id } } } } } } }`);
  assert.equal(errors.length, 1);
  assert.match(errors[0].message, /query is too expensive: cost \d+ exceeds 1000/);
  assert.equal(errors[0].extensions.code, 'QUERY_TOO_EXPENSIVE');
});

test('a variable page size counts as the default page, and fragments are counted', () => {
  const q = `query($n: Int) { clusters(first: $n) { ...E } } fragment E on Conn { edges { node { id name } } }`;
  assert.deepEqual(check(q, 1000), []);
  assert.equal(check(q, 100).length, 1);
});
