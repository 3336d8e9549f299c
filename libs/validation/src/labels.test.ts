import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputValidationError, LABELS_MAX, isLabelKey, kubeLabels } from './index';

const refused = (field: string) => (err: unknown) => err instanceof InputValidationError && err.field === field;

test('keys such as constructor, toString and hasOwnProperty are ordinary keys, not duplicates', () => {
  const labels = kubeLabels(
    [
      { key: 'constructor', value: 'a' },
      { key: 'toString', value: 'b' },
      { key: 'hasOwnProperty', value: 'c' },
      { key: 'valueOf', value: '' },
    ],
    'input.labels',
  );
  assert.deepEqual(Object.entries(labels), [['constructor', 'a'], ['toString', 'b'], ['hasOwnProperty', 'c'], ['valueOf', '']]);
  assert.equal(JSON.stringify(labels), '{"constructor":"a","toString":"b","hasOwnProperty":"c","valueOf":""}');
  assert.throws(() => kubeLabels([{ key: 'constructor', value: 'a' }, { key: 'constructor', value: 'b' }], 'l'), /l\[1\]\.key: is a duplicate/);
});

test('__proto__ is not a label key (it is not Kubernetes syntax), and cannot reach a prototype', () => {
  assert.throws(() => kubeLabels([{ key: '__proto__', value: 'x' }], 'l'), refused('l[0].key'));
});

test('at most 64 labels: 30,000 are refused at once, naming the list', () => {
  const many = Array.from({ length: 30_000 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
  assert.throws(() => kubeLabels(many, 'input.labels'), refused('input.labels'));
  assert.equal(Object.keys(kubeLabels(many.slice(0, LABELS_MAX), 'input.labels')).length, LABELS_MAX);
  assert.throws(() => kubeLabels(many.slice(0, LABELS_MAX + 1), 'input.labels'), /at most 64/);
});

test('Kubernetes label syntax for keys (DNS prefix ≤ 253, name ≤ 63) and values (≤ 63)', () => {
  const ok = ['env', 'app.kubernetes.io/name', 'a_b.c-d', `${'p'.repeat(63)}.${'q'.repeat(63)}/${'n'.repeat(63)}`];
  for (const key of ok) assert.ok(isLabelKey(key), key);
  const bad = ['', 'bad key', '-x', 'x-', 'a/b/c', '/x', 'Example.com/x', 'a..b/x', `${'n'.repeat(64)}`, `${'p'.repeat(254)}/x`, 'k\u0000', 'k\u202E'];
  for (const key of bad) assert.throws(() => kubeLabels([{ key, value: '' }], 'l'), refused('l[0].key'), JSON.stringify(key));
  for (const value of ['not valid!', 'v'.repeat(64), '-v', 'v\u0000', 'ü']) {
    assert.throws(() => kubeLabels([{ key: 'k', value }], 'l'), refused('l[0].value'), JSON.stringify(value));
  }
});
