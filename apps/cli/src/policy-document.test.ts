import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJson, parsePolicyFile } from './policy-document';

test('a file holds one or many policies; mode defaults to AUDIT and scope to the organization', () => {
  const docs = parsePolicyFile(
    `name: default-deny
type: NETWORK
spec: { defaultDeny: ingress }
---
name: owners
type: LABELS
mode: ENFORCE
spec: { kinds: [Namespace], required: [owner] }
scope: { kind: GROUP, group: prod }
---
`,
    'p.yaml',
  );
  assert.deepEqual(docs, [
    { name: 'default-deny', type: 'NETWORK', mode: 'AUDIT', spec: { defaultDeny: 'ingress' }, scope: { kind: 'ORGANIZATION' } },
    { name: 'owners', type: 'LABELS', mode: 'ENFORCE', spec: { kinds: ['Namespace'], required: ['owner'] }, scope: { kind: 'GROUP', group: 'prod', groupId: undefined } },
  ]);
});

test('every problem of every document is reported before anything is sent', () => {
  assert.throws(
    () =>
      parsePolicyFile(
        `name: a
type: FIREWALL
mode: STRICT
spec: []
scpoe: {}
---
type: QUOTA
spec: { hard: {} }
scope: { kind: CLUSTER }
---
name: a
type: NETWORK
spec: {}
`,
        'bad.yaml',
      ),
    (err: Error) => {
      for (const part of [
        'bad.yaml document 1: policy a: unknown field scpoe',
        'policy a: type must be one of ACCESS',
        'policy a: mode must be AUDIT or ENFORCE',
        'policy a: spec must be a mapping',
        'document 2: name is required',
        'document 2: a CLUSTER scope names exactly one of cluster or clusterId',
      ]) {
        assert.ok(err.message.includes(part), `${part}\n--- in ---\n${err.message}`);
      }
      return true;
    },
  );
  assert.throws(() => parsePolicyFile('name: a\ntype: NETWORK\nspec: {}\n---\nname: a\ntype: NETWORK\nspec: {}\n', 'dup.yaml'), /policy a appears more than once/);
  assert.throws(() => parsePolicyFile('name: [unclosed\n', 'broken.yaml'), /broken\.yaml document 1: invalid YAML/);
  assert.throws(() => parsePolicyFile('---\n', 'empty.yaml'), /holds no policy/);
});

test('spec comparison ignores key order', () => {
  assert.equal(canonicalJson({ b: 1, a: { d: [1, { y: 1, x: 2 }], c: 0 } }), canonicalJson({ a: { c: 0, d: [1, { x: 2, y: 1 }] }, b: 1 }));
  assert.notEqual(canonicalJson({ a: [1, 2] }), canonicalJson({ a: [2, 1] }));
});
