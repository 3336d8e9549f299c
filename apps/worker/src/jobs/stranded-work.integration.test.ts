import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { eventually } from '@flotilla/testing';
import { isolatedEnv } from '@flotilla/testing/isolated-database';
import { ApiHarness, startApiHarness } from '../../../api/src/testing/api-test-harness';
import { startWorkerHarness } from '../testing/worker-test-harness';
import { StrandedWorkReconciler } from './stranded-work.reconciler';

// Redis lost the jobs after the relay had handed them over (a restart without persistence):
// PostgreSQL still knows the work is unfinished, and the reconciler queues it again.

const isolated = isolatedEnv('stranded');
let api: ApiHarness;
let worker: INestApplicationContext | undefined;
let pg: Client;

before(async () => {
  api = await startApiHarness({ ...isolated.env, FLOTILLA_KUBE_TIMEOUT_MS: '1000' });
  pg = new Client({ connectionString: api.config.database.url });
  await pg.connect();
});
after(async () => {
  await worker?.close();
  await pg?.end();
  await api?.close();
  await isolated.drop();
});

test('a scan whose queued jobs Redis lost still ends, once the reconciler hands them over again', async () => {
  const attached = await api.gql(`mutation($input: AttachClusterInput!) { attachCluster(input: $input) { id } }`, {
    input: { name: 'lost-01', apiServerUrl: 'https://127.0.0.1:1/clusters/lost-01', token: 'token-of-a-cluster-nobody-runs', useSystemTrustRoots: true },
  });
  assert.equal(attached.errors, undefined, JSON.stringify(attached.errors));
  const scan = await api.gql(`mutation { runComplianceScan(input: {}) { id status clusterCount } }`);
  assert.equal(scan.errors, undefined, JSON.stringify(scan.errors));
  const scanId = scan.data.runComplianceScan.id;
  // As if the relay had sent everything and Redis then forgot it; and the scan is a while old.
  await pg.query(`UPDATE outbox SET sent_at = now() WHERE sent_at IS NULL`);
  await pg.query(`UPDATE scans SET created_at = now() - interval '10 minutes' WHERE id = $1`, [scanId]);
  await pg.query(`UPDATE inspections SET created_at = now() - interval '10 minutes'`);

  // The worker's reconciler runs as it starts (and every minute after).
  worker = await startWorkerHarness(api.config);
  const reconciler = worker.get(StrandedWorkReconciler);
  await eventually(
    async () => {
      await reconciler.reconcile();
      return (await pg.query(`SELECT count(*)::int AS n FROM outbox WHERE job_id LIKE $1`, [`scan.${scanId}.%`])).rows[0].n as number;
    },
    (n) => n >= 2,
    { timeoutMs: 10_000, what: 'the scan child to be written to the outbox again' },
  );
  const done = await eventually(
    () => api.gql(`query($id: ID!) { scan(id: $id) { status clusterCount completedCount failedCount } }`, { id: scanId }),
    (r) => r.data?.scan?.status === 'SUCCEEDED',
    { timeoutMs: 30_000, what: 'the scan to end' },
  );
  assert.equal(done.data.scan.clusterCount, 1);
  assert.equal(done.data.scan.completedCount + done.data.scan.failedCount, 1);
  const left = await pg.query(`SELECT count(*)::int AS n FROM scan_clusters WHERE scan_id = $1 AND status = 'PENDING'`, [scanId]);
  assert.equal(left.rows[0].n, 0, 'nothing is stranded any more');
});
