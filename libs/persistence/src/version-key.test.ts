import { test } from 'node:test';
import assert from 'node:assert/strict';
import { versionSortKey } from './version-key';

test('versions sort numerically, with provider suffixes kept after the number', () => {
  const sorted = ['v1.30.4+vmware.1', 'v1.9.3', 'v1.31.2-eks-7f9249a', 'v1.30.10'].sort((a, b) =>
    versionSortKey(a) < versionSortKey(b) ? -1 : 1,
  );
  assert.deepEqual(sorted, ['v1.9.3', 'v1.30.4+vmware.1', 'v1.30.10', 'v1.31.2-eks-7f9249a']);
});

test('unknown versions sort first, unparseable ones last', () => {
  assert.equal(versionSortKey(null), '');
  assert.ok(versionSortKey('garbage') > versionSortKey('v99.0.0'));
});
