import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Job, Queue, Worker } from 'bullmq';
import { eventually } from '@flotilla/testing';
import { STALLED_HANDOFF_MS, WORKER_LOCK_OPTIONS, bullPrefix, createRedis } from './queue-connection';

// The worker lock settings against a real Redis (the shared one, under a prefix of this run): a
// job that outlives its lock on a live worker keeps it and runs once; a job whose worker is gone
// (closed by force: no lock renewal, the job left active as a SIGKILL leaves it) is handed on.
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = bullPrefix(`${process.env.FLOTILLA_QUEUE_PREFIX ?? 'flotilla-test'}-lock-${randomBytes(4).toString('hex')}`);
const opened: Array<{ close(): Promise<unknown> }> = [];
const redis = createRedis({ url, clusterNodes: null });

function worker(queue: string, fn: (job: Job) => Promise<void>): Worker {
  const w = new Worker(queue, fn, { connection: { url, maxRetriesPerRequest: null }, prefix, ...WORKER_LOCK_OPTIONS });
  w.on('error', () => undefined);
  opened.push(w);
  return w;
}
function queueOf(name: string): Queue {
  const q = new Queue(name, { connection: { url, maxRetriesPerRequest: null }, prefix });
  opened.push(q);
  return q;
}

after(async () => {
  await Promise.all(opened.map((o) => o.close().catch(() => undefined)));
  // Remove this run's keys (its prefix only; the shared Redis is never flushed).
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
    if (keys.length) await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  redis.disconnect();
});

describe('worker locks', { concurrency: true }, () => {
  test('a job running longer than its lock and a stall check on a live worker keeps its lock: it runs once, never stalled', async () => {
    const q = queueOf('long');
    let runs = 0;
    let stalled = 0;
    // Two workers on the queue, either may take the job; the other runs stall checks and would
    // take it again if it stalled.
    const slow = async () => {
      runs++;
      // Longer than lockDuration + stalledInterval: only renewal keeps this job.
      await new Promise((r) => setTimeout(r, STALLED_HANDOFF_MS + 3000));
    };
    for (const w of [worker('long', slow), worker('long', slow)]) w.on('stalled', () => stalled++);
    await q.add('slow', {}, { jobId: 'slow-1' });
    const job = await eventually(() => q.getJob('slow-1'), (j) => !!j?.finishedOn, { timeoutMs: 3 * STALLED_HANDOFF_MS, what: 'the job to complete' });
    assert.equal(runs, 1);
    assert.equal(stalled, 0);
    assert.equal(await job!.getState(), 'completed');
  });

  test('a job whose worker is gone without a word is run by another worker once its lock expires', async () => {
    const q = queueOf('handoff');
    const taken = new Promise<void>((resolve) => {
      worker('handoff', () => {
        resolve();
        return new Promise<void>(() => undefined); // never ends: its worker dies holding it
      });
    });
    await q.add('work', {}, { jobId: 'handoff-1' });
    await taken;
    const dying = opened.find((o) => o instanceof Worker && (o as Worker).name === 'handoff') as Worker;
    await dying.close(true);
    let ranBy = '';
    const heir = worker('handoff', async () => {
      ranBy = 'heir';
    });
    let stalled = 0;
    heir.on('stalled', () => stalled++);
    await eventually(async () => ranBy, (r) => r === 'heir', { timeoutMs: 4 * STALLED_HANDOFF_MS, what: 'another worker to run the job' });
    assert.equal(stalled, 1);
    assert.equal(await (await q.getJob('handoff-1'))!.getState(), 'completed');
  });
});
