import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { syncBackoff, syncRetryDelaySeconds } from '@flotilla/schedule';
import { eventually } from '@flotilla/testing';
import { isolatedEnv } from '@flotilla/testing/isolated-database';
import { ApiHarness, startApiHarness } from '../../../api/src/testing/api-test-harness';
import { startKubeSim, KubeSim } from '../../../kube-sim/src';
import { fallbackGenerateCluster } from '../../../kube-sim/src/fleet/fallback-content';
import { rawRequest } from '../../../kube-sim/src/testing/kube-sim.test-helper';
import { startWorkerHarness } from '../testing/worker-test-harness';

// Honest status, fast, through the worker with kube-sim faults: a cluster that stops answering is
// retried sooner than an interval (interval/12, doubling, never later than one interval), turns
// UNREACHABLE at its third failed sync in a row and not before (one failed sync does not flap
// it), and one that answers again is CONNECTED by its first successful sync. Asserted on the
// sequence of states the clusters row goes through, not on wall-clock time (the machine is
// shared): at the defaults the same formula bounds UNREACHABLE at 45 s after the first failed
// sync (libs/schedule sync-backoff.test.ts).
const INTERVAL_S = 6;
const TIMEOUT_MS = 1000;
const AFTER_FAILURES = 3;
const BACKOFF = syncBackoff(INTERVAL_S);

let sim: KubeSim;
let api: ApiHarness;
let worker: INestApplicationContext;
let pg: Client;
const isolated = isolatedEnv('cluster_status');

before(async () => {
  sim = await startKubeSim({ clusters: [{ name: 'blinky-1', flavor: 'generic' }, { name: 'steady-1', flavor: 'generic' }], generateCluster: fallbackGenerateCluster, tls: true });
  api = await startApiHarness({
    ...isolated.env,
    FLOTILLA_SYNC_INTERVAL_SECONDS: String(INTERVAL_S),
    FLOTILLA_KUBE_TIMEOUT_MS: String(TIMEOUT_MS),
    FLOTILLA_UNREACHABLE_AFTER_FAILURES: String(AFTER_FAILURES),
  });
  worker = await startWorkerHarness(api.config);
  pg = new Client({ connectionString: api.config.database.url });
  await pg.connect();
});
after(async () => {
  await worker?.close();
  await pg?.end();
  await api?.close();
  await sim?.stop();
  await isolated.drop();
});

async function setFaults(cluster: string, faults: Record<string, unknown>): Promise<void> {
  const r = await rawRequest(sim, `/_sim/clusters/${cluster}/faults`, { method: 'PUT', body: faults });
  assert.ok(r.status < 300, r.text);
}

async function attach(cluster: string): Promise<string> {
  const r = await api.gql(`mutation($input: AttachClusterInput!) { attachCluster(input: $input) { id } }`, {
    input: { name: cluster, apiServerUrl: sim.clusterUrl(cluster), token: sim.adminToken(cluster), caData: Buffer.from(sim.caPem ?? '').toString('base64') },
  });
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data.attachCluster.id;
}

interface State {
  status: string;
  status_reason: string | null;
  failures: number;
  /** Seconds from the last write of the row to its next sync: the retry delay right after a failure. */
  due_in: number | null;
}
const row = async (id: string) =>
  (
    await pg.query(
      `SELECT status, status_reason, consecutive_failures::int AS failures,
              round(extract(epoch FROM next_sync_at - updated_at)::numeric, 3)::float8 AS due_in
         FROM clusters WHERE id = $1`,
      [id],
    )
  ).rows[0] as State;

/**
 * Records every distinct state of a cluster's row (polled every 25 ms; the writes it watches are a
 * second or more apart) until stopped: the sequence the assertions read.
 */
function record(id: string): { states: State[]; stop: () => Promise<State[]> } {
  const states: State[] = [];
  let running = true;
  const look = async () => {
    const r = await row(id);
    const last = states[states.length - 1];
    if (!last || last.status !== r.status || last.failures !== r.failures || last.due_in !== r.due_in) states.push(r);
  };
  const done = (async () => {
    while (running) {
      await look();
      await new Promise((res) => setTimeout(res, 25));
    }
    // One last look: the state the caller waited for may have come within the last poll's sleep.
    await look();
  })();
  return {
    states,
    stop: async () => {
      running = false;
      await done;
      return states;
    },
  };
}

const show = (states: State[]) => states.map((s) => `${s.status}/${s.failures}/${s.due_in}`).join(' → ');

test('a hanging cluster is retried sooner, with back-off, UNREACHABLE at its third failed sync, and CONNECTED by its first sync after it answers', async () => {
  const id = await attach('blinky-1');
  await eventually(() => row(id), (r) => r.status === 'CONNECTED', { timeoutMs: 20_000, what: 'the first sync' });

  const down = record(id);
  await setFaults('blinky-1', { down: 'hang' });
  await eventually(() => row(id), (r) => r.status === 'UNREACHABLE', { timeoutMs: 90_000, what: 'UNREACHABLE' });
  // Down for a while longer: the retries back off up to one interval, and it stays UNREACHABLE.
  await eventually(() => row(id), (r) => r.failures >= AFTER_FAILURES + 2, { timeoutMs: 90_000, what: 'more failed syncs' });
  const whileDown = await down.stop();

  const failing = whileDown.filter((s) => s.failures > 0);
  for (const s of failing) {
    // UNREACHABLE exactly from the AFTER_FAILURES-th failure on: not before (no flapping), not later.
    assert.equal(s.status, s.failures >= AFTER_FAILURES ? 'UNREACHABLE' : 'CONNECTED', show(whileDown));
    // Right after a failure the next sync is due after the backed-off delay; once the scheduler has
    // claimed that sync (in flight) its due time has moved a whole interval on from the claim.
    const delay = syncRetryDelaySeconds(s.failures, BACKOFF);
    assert.ok(Math.abs(s.due_in! - delay) < 0.01 || s.due_in! > INTERVAL_S, `after failure ${s.failures} the next sync is due in ${s.due_in} s, not ${delay} s: ${show(whileDown)}`);
  }
  // Each failure count was seen (the writes are seconds apart), and the retries before UNREACHABLE
  // came sooner than an interval.
  assert.deepEqual([...new Set(failing.map((s) => s.failures))].slice(0, AFTER_FAILURES + 2), [1, 2, 3, 4, 5], show(whileDown));
  const retries = failing.filter((s) => Math.abs(s.due_in! - syncRetryDelaySeconds(s.failures, BACKOFF)) < 0.01);
  assert.ok(retries.some((s) => s.failures < AFTER_FAILURES && s.due_in! < INTERVAL_S), `a retry before UNREACHABLE sooner than an interval: ${show(whileDown)}`);
  assert.ok(failing.every((s) => syncRetryDelaySeconds(s.failures, BACKOFF) <= INTERVAL_S));
  assert.match((await row(id)).status_reason ?? '', /timed out/);

  const up = record(id);
  await setFaults('blinky-1', {});
  await eventually(() => row(id), (r) => r.status === 'CONNECTED', { timeoutMs: 60_000, what: 'CONNECTED again' });
  const afterUp = await up.stop();
  // One successful sync clears the failures and the status together: never UNREACHABLE with no
  // failure left (which a second sync would have to fix), never a state in between.
  assert.ok(afterUp.every((s) => (s.failures === 0 ? s.status === 'CONNECTED' : s.status === 'UNREACHABLE')), show(afterUp));
  assert.equal(afterUp[afterUp.length - 1].failures, 0);
});

test('one failed sync does not flap a cluster: it stays CONNECTED and the next sync clears the failure', async () => {
  const id = await attach('steady-1');
  await eventually(() => row(id), (r) => r.status === 'CONNECTED', { timeoutMs: 20_000, what: 'the first sync' });
  const seen = record(id);
  await setFaults('steady-1', { down: 'reset' });
  await eventually(() => row(id), (r) => r.failures >= 1, { timeoutMs: 30_000, what: 'a failed sync' });
  await setFaults('steady-1', {});
  await eventually(() => row(id), (r) => r.failures === 0, { timeoutMs: 30_000, what: 'the next sync to succeed' });
  const states = await seen.stop();
  assert.ok(states.some((s) => s.failures === 1), show(states));
  // The fault is lifted as soon as the failure shows, seconds before the retry; even if a retry
  // raced it, fewer failures than the threshold never change the status.
  assert.ok(states.every((s) => s.status === 'CONNECTED'), show(states));
  // Retried after interval/12, not a whole interval later (the state before the scheduler claims that retry).
  assert.ok(states.some((s) => s.failures === 1 && Math.abs(s.due_in! - syncRetryDelaySeconds(1, BACKOFF)) < 0.01), `retried sooner than an interval: ${show(states)}`);
});
