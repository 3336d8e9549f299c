import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForJob } from './job-waiter';

test('waiting reports each new state once and returns the finished job', async () => {
  const states = ['QUEUED', 'RUNNING', 'RUNNING', 'RUNNING', 'SUCCEEDED'];
  let i = 0;
  const lines: string[] = [];
  const result = await waitForJob({
    read: async () => states[Math.min(i++, states.length - 1)],
    done: (s) => s === 'SUCCEEDED',
    describe: (s) => `job ${s}`,
    onProgress: (l) => lines.push(l),
    timeoutMs: 5_000,
    intervalMs: 1,
    what: 'job',
  });
  assert.equal(result, 'SUCCEEDED');
  assert.deepEqual(lines, ['job QUEUED', 'job RUNNING', 'job SUCCEEDED']);
});

test('waiting is bounded and says where the job was', async () => {
  await assert.rejects(
    waitForJob({ read: async () => 'RUNNING', done: () => false, describe: (s) => `scan ${s}`, onProgress: () => undefined, timeoutMs: 30, intervalMs: 5, what: 'scan s1' }),
    /gave up waiting for scan s1 after 0 s \(last: scan RUNNING\)/,
  );
});
