import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { unreachableWithinSeconds } from '@flotilla/schedule';
import { eventually } from '@flotilla/testing';
import { isolatedEnv } from '@flotilla/testing/isolated-database';
import { ApiHarness, startApiHarness } from '../../../api/src/testing/api-test-harness';
import { startKubeSim, KubeSim } from '../../../kube-sim/src';
import { fallbackGenerateCluster } from '../../../kube-sim/src/fleet/fallback-content';
import { rawRequest } from '../../../kube-sim/src/testing/kube-sim.test-helper';
import { startWorkerHarness } from '../testing/worker-test-harness';

// Honest status, fast: a cluster that stops answering turns UNREACHABLE within the retries after
// its first failed sync (not after several whole intervals), a single failed sync does not flap
// it, and one that answers again is CONNECTED at its next sync — at most one interval later.
const INTERVAL_S = 6;
const TIMEOUT_MS = 1000;
const AFTER_FAILURES = 3;
/** Scheduler tick, relay and job pick-up, each about a second at most. */
const SLACK_S = 3;

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

const row = async (id: string) =>
  (await pg.query(`SELECT status, status_reason, consecutive_failures::int AS failures FROM clusters WHERE id = $1`, [id])).rows[0] as { status: string; status_reason: string | null; failures: number };

test('a hanging cluster is UNREACHABLE within one interval plus its retries, and CONNECTED again within one interval of answering', async () => {
  const id = await attach('blinky-1');
  await eventually(() => row(id), (r) => r.status === 'CONNECTED', { timeoutMs: 20_000, what: 'the first sync' });

  await setFaults('blinky-1', { down: 'hang' });
  const downAt = Date.now();
  // One interval until the next sync notices, then the retries (every one of them timing out).
  const boundS = INTERVAL_S + unreachableWithinSeconds(INTERVAL_S, AFTER_FAILURES, TIMEOUT_MS / 1000) + SLACK_S;
  const unreachable = await eventually(() => row(id), (r) => r.status === 'UNREACHABLE', { timeoutMs: 60_000, what: 'UNREACHABLE' });
  const tookS = (Date.now() - downAt) / 1000;
  assert.ok(tookS <= boundS, `UNREACHABLE after ${tookS.toFixed(1)} s; the bound is ${boundS} s (${(boundS / INTERVAL_S).toFixed(1)} intervals)`);
  assert.match(unreachable.status_reason ?? '', /timed out/);

  // Down for a while longer: the retries back off, but never beyond one interval.
  await eventually(() => row(id), (r) => r.failures >= AFTER_FAILURES + 3, { timeoutMs: 60_000, what: 'more failed syncs' });
  await setFaults('blinky-1', {});
  const upAt = Date.now();
  await eventually(() => row(id), (r) => r.status === 'CONNECTED', { timeoutMs: 60_000, what: 'CONNECTED again' });
  const backS = (Date.now() - upAt) / 1000;
  assert.ok(backS <= INTERVAL_S + TIMEOUT_MS / 1000 + SLACK_S, `CONNECTED ${backS.toFixed(1)} s after the cluster answered again; the bound is one interval (${INTERVAL_S} s)`);
  assert.equal((await row(id)).failures, 0);
});

test('one failed sync does not flap a cluster: it stays CONNECTED and the next sync clears the failure', async () => {
  const id = await attach('steady-1');
  await eventually(() => row(id), (r) => r.status === 'CONNECTED', { timeoutMs: 20_000, what: 'the first sync' });
  await setFaults('steady-1', { down: 'reset' });
  const failed = await eventually(() => row(id), (r) => r.failures >= 1, { timeoutMs: 30_000, what: 'a failed sync' });
  await setFaults('steady-1', {});
  assert.equal(failed.status, 'CONNECTED');
  const healed = await eventually(() => row(id), (r) => r.failures === 0, { timeoutMs: 30_000, what: 'the next sync to succeed' });
  assert.equal(healed.status, 'CONNECTED');
});
