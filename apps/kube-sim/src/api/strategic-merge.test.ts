import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergePatch, strategicMerge } from './strategic-merge';

test('merge patch replaces lists and deletes keys set to null', () => {
  assert.deepEqual(mergePatch({ a: 1, b: { c: 2, d: 3 }, l: [1, 2] }, { b: { c: null, e: 4 }, l: [3] }), { a: 1, b: { d: 3, e: 4 }, l: [3] });
});

test('strategic merge merges containers by name and container ports by containerPort', () => {
  const live = { spec: { containers: [{ name: 'app', image: 'a:1', ports: [{ containerPort: 80, name: 'http' }] }, { name: 'side', image: 's:1' }] } };
  const out = strategicMerge(live, { spec: { containers: [{ name: 'app', image: 'a:2', ports: [{ containerPort: 443, name: 'https' }] }] } }) as any;
  assert.deepEqual(out.spec.containers, [
    { name: 'app', image: 'a:2', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443, name: 'https' }] },
    { name: 'side', image: 's:1' },
  ]);
});

test('service ports merge by port; tolerations (no merge key) are replaced', () => {
  const out = strategicMerge({ spec: { ports: [{ port: 80, targetPort: 8080 }], tolerations: [{ key: 'a' }] } }, { spec: { ports: [{ port: 80, targetPort: 9090 }], tolerations: [{ key: 'b' }] } }) as any;
  assert.deepEqual(out.spec.ports, [{ port: 80, targetPort: 9090 }]);
  assert.deepEqual(out.spec.tolerations, [{ key: 'b' }]);
});

test('directives: $patch delete and replace, $deleteFromPrimitiveList, $setElementOrder and $retainKeys', () => {
  const live = { metadata: { finalizers: ['a', 'b'] }, spec: { containers: [{ name: 'x' }, { name: 'y' }], strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } };
  const out = strategicMerge(live, {
    metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] },
    spec: {
      '$setElementOrder/containers': [{ name: 'y' }],
      containers: [{ name: 'x', $patch: 'delete' }],
      strategy: { $retainKeys: ['type'], type: 'Recreate' },
    },
  }) as any;
  assert.deepEqual(out.metadata.finalizers, ['b']);
  assert.deepEqual(out.spec.containers, [{ name: 'y' }]);
  assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
  const replaced = strategicMerge({ data: { a: '1', b: '2' } }, { data: { $patch: 'replace', c: '3' } }) as any;
  assert.deepEqual(replaced.data, { c: '3' });
});

test('finalizers merge as a set', () => {
  assert.deepEqual((strategicMerge({ metadata: { finalizers: ['a'] } }, { metadata: { finalizers: ['a', 'b'] } }) as any).metadata.finalizers, ['a', 'b']);
});
