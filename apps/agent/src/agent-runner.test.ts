import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reconnectDelay } from './agent-runner';

test('reconnects back off exponentially up to the cap, with jitter in [delay/2, delay]', () => {
  assert.equal(reconnectDelay(0, 500, 30_000, () => 0), 250);
  assert.equal(reconnectDelay(0, 500, 30_000, () => 1), 500);
  assert.equal(reconnectDelay(3, 500, 30_000, () => 1), 4000);
  assert.equal(reconnectDelay(30, 500, 30_000, () => 1), 30_000);
  assert.equal(reconnectDelay(30, 500, 30_000, () => 0), 15_000);
  const spread = new Set(Array.from({ length: 50 }, () => reconnectDelay(4, 500, 30_000)));
  assert.ok(spread.size > 10, 'jittered');
  for (const d of spread) assert.ok(d >= 4000 && d <= 8000);
});
