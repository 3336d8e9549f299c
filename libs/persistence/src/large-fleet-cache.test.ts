import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LargeFleetCache } from './large-fleet-cache';

test('large results are reused until they expire; small ones are always recomputed', async () => {
  const cache = new LargeFleetCache<number>(60_000, 1000);
  let calls = 0;
  const big = () => Promise.resolve((calls++, 5000));
  assert.equal(await cache.get('a', (n) => n, big), 5000);
  assert.equal(await cache.get('a', (n) => n, big), 5000);
  assert.equal(calls, 1);
  const small = () => Promise.resolve((calls++, 10));
  await cache.get('b', (n) => n, small);
  await cache.get('b', (n) => n, small);
  assert.equal(calls, 3);
});

test('an expired entry is recomputed', async () => {
  const cache = new LargeFleetCache<number>(0, 1);
  let calls = 0;
  await cache.get('a', (n) => n, async () => (calls++, 5));
  await cache.get('a', (n) => n, async () => (calls++, 5));
  assert.equal(calls, 2);
});

test('concurrent misses of one key share a single computation', async () => {
  const cache = new LargeFleetCache<number>(60_000, 1000);
  let calls = 0;
  const slow = () => new Promise<number>((r) => setTimeout(() => r((calls++, 5000)), 20));
  const values = await Promise.all([1, 2, 3].map(() => cache.get('k', (n) => n, slow)));
  assert.deepEqual(values, [5000, 5000, 5000]);
  assert.equal(calls, 1);
});
