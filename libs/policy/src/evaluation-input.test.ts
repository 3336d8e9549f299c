import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluationInputDigest } from './evaluation-input';
import { snapshotKindsFor } from './evaluate-policy';
import { PolicyDefinition, SnapshotKind } from './policy.types';

const pss: PolicyDefinition = { id: 'p1', name: 'pss', type: 'SECURITY', mode: 'AUDIT', spec: { level: 'baseline' } };
const digests = (d: Partial<Record<SnapshotKind, string>>) => (kind: SnapshotKind) => d[kind];
const all = (value: string) => Object.fromEntries(snapshotKindsFor([pss]).map((k) => [k, value])) as Partial<Record<SnapshotKind, string>>;

test('the evaluation input digest changes with the evaluator, the spec, the reach and any list the policy reads, and only with them', () => {
  const reads = snapshotKindsFor([pss]);
  const base = evaluationInputDigest('e1', pss, reads, digests(all('a')));
  assert.ok(base);
  assert.equal(evaluationInputDigest('e1', { ...pss, id: 'p2', name: 'renamed' }, reads, digests(all('a'))), base, 'name and id are not inputs of the verdict');
  assert.notEqual(evaluationInputDigest('e2', pss, reads, digests(all('a'))), base);
  assert.notEqual(evaluationInputDigest('e1', { ...pss, spec: { level: 'restricted' } }, reads, digests(all('a'))), base);
  assert.notEqual(evaluationInputDigest('e1', { ...pss, reach: { kind: 'WORKSPACE', workspaceId: 'w', namespaces: ['a'] } }, reads, digests(all('a'))), base);
  assert.notEqual(evaluationInputDigest('e1', pss, reads, digests({ ...all('a'), Pod: 'b' })), base);
  assert.equal(evaluationInputDigest('e1', pss, reads, digests({ ...all('a'), NetworkPolicy: 'b' })), reads.includes('NetworkPolicy') ? null : base, 'a list it does not read does not count');
});

test('no digest when a list the policy reads was not listed', () => {
  const reads = snapshotKindsFor([pss]);
  const missing = { ...all('a') };
  delete missing.Pod;
  assert.equal(evaluationInputDigest('e1', pss, reads, digests(missing)), null);
});
