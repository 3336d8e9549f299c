import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from './eventually';

test('eventually returns the first accepted value', async () => {
  let n = 0;
  const v = await eventually(async () => ++n, (x) => x >= 3, { intervalMs: 1 });
  assert.equal(v, 3);
});

test('eventually fails with the last value after its deadline', async () => {
  await assert.rejects(eventually(async () => 1, (x) => x > 1, { timeoutMs: 30, intervalMs: 5, what: 'two' }), /waiting for two \(last value: 1\)/);
});
