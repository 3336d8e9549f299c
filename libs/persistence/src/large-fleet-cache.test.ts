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

test("a computation the caller started is joined while it runs and kept only when large", async () => {
  const cache = new LargeFleetCache<number>(60_000, 1000);
  assert.equal(cache.known('k'), undefined);
  let finish!: (n: number) => void;
  const tracked = cache.track('k', (n) => n, new Promise<number>((r) => (finish = r)));
  const joined = cache.known('k');
  assert.ok(joined instanceof Promise, 'a running computation is handed to the next caller');
  finish(5000);
  assert.equal(await tracked, 5000);
  assert.equal(await joined, 5000);
  assert.equal(cache.known('k'), 5000);
  await cache.track('small', (n) => n, Promise.resolve(3));
  assert.equal(cache.known('small'), undefined, 'a small result is never reused');
});
