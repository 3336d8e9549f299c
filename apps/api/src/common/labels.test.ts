import { test } from 'node:test';
import assert from 'node:assert/strict';
import { labelsToList, validateLabels } from './labels';

test('valid Kubernetes labels are accepted, prefixed keys included', () => {
  assert.deepEqual(validateLabels([{ key: 'env', value: 'prod' }, { key: 'flotilla.dev/tier', value: '' }], 'input.labels'), {
    env: 'prod',
    'flotilla.dev/tier': '',
  });
});

test('malformed labels are refused naming the field', () => {
  assert.throws(() => validateLabels([{ key: 'bad key', value: 'x' }], 'input.labels'), /input\.labels\[0\]\.key/);
  assert.throws(() => validateLabels([{ key: 'ok', value: 'not valid!' }], 'input.labels'), /input\.labels\[0\]\.value/);
  assert.throws(() => validateLabels([{ key: 'a', value: '1' }, { key: 'a', value: '2' }], 'l'), /duplicate/);
  assert.throws(() => validateLabels([{ key: 'x'.repeat(64), value: '' }], 'l'), /not a valid label key/);
});

test('labels are listed sorted by key', () => {
  assert.deepEqual(labelsToList({ b: '2', a: '1' }), [{ key: 'a', value: '1' }, { key: 'b', value: '2' }]);
});
