import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '@flotilla/testing';
import { PollingLoop } from './polling-loop';

test('a step reporting more work runs again at once; a failing step is reported and retried', async () => {
  const calls: string[] = [];
  let n = 0;
  const errors: string[] = [];
  const loop = new PollingLoop(
    async () => {
      n++;
      if (n === 4) throw new Error('boom');
      calls.push(`step${n}`);
      return n < 3;
    },
    { intervalMs: 5, onError: (e) => errors.push(e.message) },
  );
  loop.start();
  await eventually(async () => n, (x) => x >= 5, { intervalMs: 5, timeoutMs: 2000 });
  await loop.stop();
  const stoppedAt = n;
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(n, stoppedAt, 'no step after stop()');
  assert.deepEqual(calls.slice(0, 3), ['step1', 'step2', 'step3']);
  assert.deepEqual(errors, ['boom']);
});

test('delayFirstRun waits one interval before the first step', async () => {
  let n = 0;
  const loop = new PollingLoop(async () => (n++, false), { intervalMs: 20, delayFirstRun: true, onError: () => undefined });
  loop.start();
  assert.equal(n, 0, 'no step at start');
  await eventually(async () => n, (x) => x >= 1, { intervalMs: 5, timeoutMs: 2000 });
  await loop.stop();
});
