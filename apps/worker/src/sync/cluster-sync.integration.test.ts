import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { INestApplicationContext } from '@nestjs/common';
import { eventually } from '@flotilla/testing';
import { ApiHarness, startApiHarness } from '../../../api/src/testing/api-test-harness';
import { startWorkerHarness } from '../testing/worker-test-harness';

let api: ApiHarness;
let worker: INestApplicationContext;

before(async () => {
  api = await startApiHarness({ FLOTILLA_UNREACHABLE_AFTER_FAILURES: '2', FLOTILLA_SYNC_INTERVAL_SECONDS: '2', FLOTILLA_KUBE_TIMEOUT_MS: '2000' });
  worker = await startWorkerHarness(api.config);
});
after(async () => {
  await worker?.close();
  await api?.close();
});

test('a cluster nobody answers for turns UNREACHABLE with the reason, through outbox, queue and worker', async () => {
  const r = await api.gql(`mutation($input: AttachClusterInput!) { attachCluster(input: $input) { id status } }`, {
    input: { name: 'nowhere-01', apiServerUrl: 'https://127.0.0.1:1/clusters/nowhere', token: 'token-that-goes-nowhere', useSystemTrustRoots: true },
  });
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  const id = r.data.attachCluster.id;
  const c = await eventually(
    () => api.gql(`query($id: ID!) { cluster(id: $id) { status statusReason } }`, { id }),
    (x) => x.data?.cluster?.status === 'UNREACHABLE',
    { timeoutMs: 30_000, what: 'the cluster to turn UNREACHABLE' },
  );
  // The failure class, not the socket's message with the address it dialled.
  assert.equal(c.data.cluster.statusReason, 'cannot reach the API server: connection refused');
  assert.ok(!c.data.cluster.statusReason.includes('token-that-goes-nowhere'));
});
