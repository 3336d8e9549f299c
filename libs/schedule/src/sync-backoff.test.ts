import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syncBackoff, syncRetryDelaySeconds, unreachableWithinSeconds } from './sync-backoff';

test('at the default 60 s interval a failed sync is retried after 5, 10, 20, 40 s, then every interval', () => {
  const b = syncBackoff(60);
  assert.deepEqual([1, 2, 3, 4, 5, 6, 20].map((f) => syncRetryDelaySeconds(f, b)), [5, 10, 20, 40, 60, 60, 60]);
});

test('a cluster that keeps failing is still tried once per interval, so its return shows at the next sync', () => {
  for (const interval of [2, 10, 60, 300]) {
    const b = syncBackoff(interval);
    assert.equal(syncRetryDelaySeconds(100, b), interval);
    assert.ok(syncRetryDelaySeconds(1, b) < interval, `the first retry comes before a whole interval (${interval} s)`);
  }
});

test('three failures at the defaults: UNREACHABLE within 60 s of the first failed sync, even when every call times out', () => {
  assert.equal(unreachableWithinSeconds(60, 3, 10), 45);
  assert.ok(unreachableWithinSeconds(60, 3, 10) <= 60);
});
