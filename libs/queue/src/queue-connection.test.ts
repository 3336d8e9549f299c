import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JOB_ATTEMPTS, isLastAttempt } from './queue-connection';

test('a run is the last when no retry follows it: judged from the attempts the job was queued with', () => {
  assert.ok(JOB_ATTEMPTS > 1, 'jobs are retried');
  assert.equal(isLastAttempt({ attemptsMade: 0, opts: { attempts: JOB_ATTEMPTS } }), false);
  assert.equal(isLastAttempt({ attemptsMade: JOB_ATTEMPTS - 1, opts: { attempts: JOB_ATTEMPTS } }), true);
  // A job queued without retries (BullMQ's default of one attempt) is always on its last.
  assert.equal(isLastAttempt({ attemptsMade: 0, opts: {} }), true);
});
