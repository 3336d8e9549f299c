import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { PrivateRedis, eventually } from '@flotilla/testing';
import { isolatedEnv } from '@flotilla/testing/isolated-database';
import { ApiHarness, startApiHarness } from '../../../api/src/testing/api-test-harness';
import { startKubeSim, KubeSim } from '../../../kube-sim/src';
import { fallbackGenerateCluster } from '../../../kube-sim/src/fleet/fallback-content';
import { rawRequest } from '../../../kube-sim/src/testing/kube-sim.test-helper';
import { startWorkerHarness } from '../testing/worker-test-harness';

// Redis (a private redis-server this test kills; never the shared one) restarts empty in the
// middle of a scan: the worker notices the loss within seconds and re-queues what was waiting at
// once — no three-minute sweep — and every cluster ends with exactly one outcome.
const CLUSTERS = ['loss-1', 'loss-2', 'loss-3', 'loss-4', 'loss-5', 'loss-6'];
const RECOVERY_BOUND_S = 30;

const isolated = isolatedEnv('redis_loss');
let redis: PrivateRedis;
let sim: KubeSim;
let api: ApiHarness;
let worker: INestApplicationContext;
let pg: Client;

before(async () => {
  redis = await PrivateRedis.start();
  sim = await startKubeSim({ clusters: CLUSTERS.map((name) => ({ name, flavor: 'generic' as const })), generateCluster: fallbackGenerateCluster, tls: true });
  // One job at a time, so most of the scan is waiting in Redis when it dies.
  api = await startApiHarness({ ...isolated.env, REDIS_URL: redis.url, FLOTILLA_QUEUE_CONCURRENCY: '1', FLOTILLA_SYNC_INTERVAL_SECONDS: '3600', FLOTILLA_KUBE_TIMEOUT_MS: '5000' });
  worker = await startWorkerHarness(api.config);
  pg = new Client({ connectionString: api.config.database.url });
  await pg.connect();
});
after(async () => {
  await worker?.close();
  await pg?.end();
  await api?.close();
  await sim?.stop();
  await redis?.remove();
  await isolated.drop();
});

test('after Redis restarts empty mid-scan, the waiting work is re-queued within seconds and counted once', async () => {
  for (const name of CLUSTERS) {
    const r = await api.gql(`mutation($input: AttachClusterInput!) { attachCluster(input: $input) { id } }`, {
      input: { name, apiServerUrl: sim.clusterUrl(name), token: sim.adminToken(name), caData: Buffer.from(sim.caPem ?? '').toString('base64') },
    });
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    const lat = await rawRequest(sim, `/_sim/clusters/${name}/faults`, { method: 'PUT', body: { latencyMs: 400 } });
    assert.ok(lat.status < 300, lat.text);
  }
  const p = await api.gql(`mutation($input: CreatePolicyInput!) { createPolicy(input: $input) { id } }`, {
    input: { name: 'owners', type: 'LABELS', mode: 'AUDIT', spec: { kinds: ['Namespace'], required: ['owner'] }, scope: { kind: 'ORGANIZATION' } },
  });
  assert.equal(p.errors, undefined, JSON.stringify(p.errors));
  const scan = await api.gql(`mutation { runComplianceScan(input: {}) { id clusterCount } }`);
  assert.equal(scan.errors, undefined, JSON.stringify(scan.errors));
  const scanId: string = scan.data.runComplianceScan.id;

  // Everything handed to Redis, and the scan under way but far from done: then Redis dies.
  await eventually(
    async () => (await pg.query(`SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL AND job_id LIKE $1`, [`scan.${scanId}.%`])).rows[0].n as number,
    (n) => n === 0,
    { timeoutMs: 15_000, what: 'the scan children to be relayed' },
  );
  const before = (await pg.query(`SELECT count(*)::int AS n FROM scan_clusters WHERE scan_id = $1 AND status = 'PENDING'`, [scanId])).rows[0].n as number;
  assert.ok(before >= 3, `most of the scan is still waiting (${before} pending)`);
  await redis.kill();
  await redis.restart();
  const back = Date.now();

  const done = await eventually(
    () => api.gql(`query($id: ID!) { scan(id: $id) { status clusterCount completedCount failedCount } }`, { id: scanId }),
    (r) => ['SUCCEEDED', 'FAILED', 'PARTIAL'].includes(r.data?.scan?.status),
    { timeoutMs: 60_000, what: 'the scan to end' },
  );
  const tookS = (Date.now() - back) / 1000;
  assert.ok(tookS <= RECOVERY_BOUND_S, `the scan ended ${tookS.toFixed(1)} s after Redis came back; the bound is ${RECOVERY_BOUND_S} s`);
  const s = done.data.scan;
  assert.equal(s.clusterCount, CLUSTERS.length);
  assert.equal(s.completedCount + s.failedCount, CLUSTERS.length, 'every cluster counted exactly once');
  const outcomes = await pg.query(`SELECT status, count(*)::int AS n FROM scan_clusters WHERE scan_id = $1 GROUP BY status`, [scanId]);
  assert.deepEqual(outcomes.rows.filter((r) => r.status === 'PENDING'), [], 'no cluster without an outcome');
  const dup = await pg.query(`SELECT cluster_id, policy_id, count(*)::int AS n FROM policy_results WHERE scan_id = $1 GROUP BY 1, 2 HAVING count(*) > 1`, [scanId]);
  assert.equal(dup.rows.length, 0, 'no result written twice');
  const results = await pg.query(`SELECT count(*)::int AS n FROM policy_results WHERE scan_id = $1`, [scanId]);
  assert.equal(results.rows[0].n, CLUSTERS.length, 'one result per cluster and policy');
});
