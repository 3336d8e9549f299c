import { test } from 'node:test';
import assert from 'node:assert/strict';
import { managedObjectName } from './managed-labels';

test('managed object names are readable when the parts are already valid', () => {
  assert.equal(managedObjectName('quota', '3f2a9c1e-0000-4000-8000-000000000001'), 'flotilla-quota-3f2a9c1e-0000-4000-8000-000000000001');
});

test('managed object names stay valid, short and distinct for awkward or long inputs', () => {
  const names = [
    managedObjectName('access', 'p', 'system:aggregate-to-view'),
    managedObjectName('access', 'p', 'system-aggregate-to-view'),
    managedObjectName('access', 'p', 'a'.repeat(80)),
    managedObjectName('access', 'p', `${'a'.repeat(80)}b`),
  ];
  assert.equal(new Set(names).size, names.length);
  for (const name of names) assert.match(name, /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, name);
  assert.equal(names[1], 'flotilla-access-p-system-aggregate-to-view');
});
