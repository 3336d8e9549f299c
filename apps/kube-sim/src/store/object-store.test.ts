import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../content/contract';
import { type Change, ObjectStore } from './object-store';

const cm = (name: string, namespace: string, data: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data });

test('lists are sorted by namespace then name, and reflect replaced base objects', () => {
  const s = new ObjectStore(0);
  s.load('/configmaps', cm('b', 'ns1'), 1);
  s.load('/configmaps', cm('a', 'ns2'), 2);
  s.load('/configmaps', cm('a', 'ns1'), 3);
  assert.deepEqual(
    s.list('/configmaps').map((x) => `${x.obj.metadata.namespace}/${x.obj.metadata.name}`),
    ['ns1/a', 'ns1/b', 'ns2/a'],
  );
  // Replacing a base object after a list (the token controller does) must show in the next list.
  s.load('/configmaps', cm('a', 'ns1', { filled: 'yes' }), 3);
  assert.deepEqual(s.list('/configmaps', 'ns1')[0].obj.data, { filled: 'yes' });
});

test('writes get increasing resourceVersions, and history replays what came after a version', () => {
  const s = new ObjectStore(10);
  const seen: Change[] = [];
  s.onChange((c) => seen.push(c));
  const a = s.put('/configmaps', cm('a', 'ns'));
  const b = s.put('/configmaps', cm('a', 'ns', { x: '1' }));
  const d = s.remove('/configmaps', 'ns', 'a');
  assert.deepEqual([a.rv, b.rv, d?.rv], [11, 12, 13]);
  assert.equal(a.obj.metadata.resourceVersion, '11');
  assert.deepEqual(
    seen.map((c) => c.type),
    ['ADDED', 'MODIFIED', 'DELETED'],
  );
  assert.deepEqual(
    s.changesSince(11)?.map((c) => c.type),
    ['MODIFIED', 'DELETED'],
  );
  s.compact();
  assert.equal(s.changesSince(11), undefined, 'compacted history cannot serve an older version');
  assert.deepEqual(s.changesSince(13), []);
});
