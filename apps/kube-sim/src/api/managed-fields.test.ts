import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fieldsOf, removeDropped } from './managed-fields';
import { strategicMerge } from './strategic-merge';

function apply(live: Record<string, any>, previous: Record<string, any> | undefined, next: Record<string, any>, others: Array<Record<string, any>> = []): Record<string, any> {
  const merged = strategicMerge(JSON.parse(JSON.stringify(live)), next) as Record<string, any>;
  removeDropped(merged, previous ? fieldsOf(previous) : undefined, fieldsOf(next), others.map(fieldsOf));
  return merged;
}

test('FieldsV1 names fields with f: and keyed list items with k:', () => {
  const f = fieldsOf({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', labels: { a: '1' } }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }] }] } });
  assert.deepEqual(f, {
    'f:metadata': { 'f:labels': { 'f:a': {} } },
    'f:spec': { 'f:containers': { 'k:{"name":"c"}': { 'f:name': {}, 'f:image': {}, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { 'f:containerPort': {} } } } } },
  });
});

test('a field the manager stops applying is removed; what others set stays', () => {
  const v1 = { data: { a: '1', b: '2' } };
  const live = { metadata: { name: 'x' }, data: { a: '1', b: '2', byHand: 'y' } };
  assert.deepEqual(apply(live, v1, { data: { a: '1' } }).data, { a: '1', byHand: 'y' });
  assert.deepEqual(apply(live, v1, { data: { a: '1' } }, [{ data: { b: '2' } }]).data, { a: '1', b: '2', byHand: 'y' }, 'another Apply manager owns b');
});

test('a container dropped from the configuration goes, with its whole entry', () => {
  const v1 = { spec: { containers: [{ name: 'web', image: 'w' }, { name: 'side', image: 's' }] } };
  const live = JSON.parse(JSON.stringify(v1));
  const out = apply(live, v1, { spec: { containers: [{ name: 'web', image: 'w2' }] } });
  assert.deepEqual(out.spec.containers, [{ name: 'web', image: 'w2' }]);
});

test('labels emptied by the removal disappear as an object', () => {
  const v1 = { metadata: { labels: { team: 'a' } }, data: { k: 'v' } };
  const out = apply({ metadata: { name: 'x', labels: { team: 'a' } }, data: { k: 'v' } }, v1, { data: { k: 'v' } });
  assert.equal(out.metadata.labels, undefined);
  assert.equal(out.metadata.name, 'x');
});
