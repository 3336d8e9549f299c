import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { AgentTunnelRouter } from '@flotilla/cluster-access';
import { createRedis, isRedisCluster } from '@flotilla/queue';
import { PrivateRedisCluster, eventually, repoRoot } from '@flotilla/testing';
import { isolatedEnv } from '@flotilla/testing/isolated-database';
import { ApiHarness, startApiHarness } from '../../../api/src/testing/api-test-harness';
import { KubeSim, startKubeSim } from '../../../kube-sim/src';
import { fallbackGenerateCluster } from '../../../kube-sim/src/fleet/fallback-content';
import { run as flotilla } from '../../../cli/src/main';
import { startWorkerHarness } from '../testing/worker-test-harness';

// Flotilla on a Redis Cluster (three masters of a private cluster this test starts): the queues
// (one hash-tagged slot) carry a compliance scan of direct clusters to the end, and an agent
// cluster works end to end — its tunnel's presence is counted through sharded pub/sub, so a
// request to a cluster whose agent is connected reaches it, and one to a cluster without an agent
// is refused as "not connected" instead of waiting out its timeout.

const DIRECT = ['rc-direct-1', 'rc-direct-2', 'rc-direct-3'];
const AGENT = 'rc-private-1';
const isolated = isolatedEnv('redis_cluster');
const dir = mkdtempSync(join(tmpdir(), 'flotilla-redis-cluster-e2e-'));
let redisCluster: PrivateRedisCluster;
let sim: KubeSim;
let api: ApiHarness;
let worker: INestApplicationContext;
let pg: Client;
let agent: ChildProcess | null = null;

before(async () => {
  redisCluster = await PrivateRedisCluster.start();
  sim = await startKubeSim({ clusters: [...DIRECT, AGENT].map((name) => ({ name, flavor: 'generic' as const })), generateCluster: fallbackGenerateCluster, tls: true, port: 0 });
  api = await startApiHarness({
    ...isolated.env,
    REDIS_CLUSTER_NODES: redisCluster.nodes,
    FLOTILLA_SYNC_INTERVAL_SECONDS: '2',
    FLOTILLA_KUBE_TIMEOUT_MS: '5000',
  });
  worker = await startWorkerHarness(api.config);
  pg = new Client({ connectionString: api.config.database.url });
  await pg.connect();
});
after(async () => {
  if (agent && agent.exitCode === null) agent.kill('SIGKILL');
  await worker?.close();
  await pg?.end();
  await api?.close();
  await sim?.stop();
  await redisCluster?.remove();
  await isolated.drop();
  rmSync(dir, { recursive: true, force: true });
});

test('a scan and an agent cluster on a Redis Cluster: queues in one slot, tunnel presence through sharded pub/sub', { timeout: 240_000 }, async () => {
  assert.equal(api.config.redis.clusterNodes?.length, 3, 'the processes were given the three seed nodes');

  const ids: string[] = [];
  for (const name of DIRECT) {
    const r = await api.gql(`mutation($input: AttachClusterInput!) { attachCluster(input: $input) { id } }`, {
      input: { name, apiServerUrl: sim.clusterUrl(name), token: sim.adminToken(name), caData: Buffer.from(sim.caPem ?? '').toString('base64') },
    });
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    ids.push(r.data.attachCluster.id);
  }

  // The agent cluster, attached as a user would, its agent run outside it.
  const kubeconfig = join(dir, 'admin.yaml');
  const agentKubeconfig = join(dir, 'agent.yaml');
  writeFileSync(kubeconfig, sim.kubeconfig(AGENT), { mode: 0o600 });
  const out: string[] = [];
  const err: string[] = [];
  const code = await flotilla(['cluster', 'attach', AGENT, '--kubeconfig', kubeconfig, '--agent', '--no-wait', '--agent-kubeconfig-out', agentKubeconfig], {
    io: { out: (s) => out.push(s), err: (s) => err.push(s) },
    env: { ...process.env, FLOTILLA_API_URL: api.url, FLOTILLA_TOKEN: api.adminToken, FLOTILLA_CONFIG: join(dir, 'none.json') },
  });
  assert.equal(code, 0, err.join(''));
  const agentClusterId = /\(([0-9a-f-]+), connection AGENT/.exec(out.join(''))![1];
  agent = spawn(process.execPath, [join(repoRoot(), 'bin/flotilla.js'), 'agent', 'run', '--kubeconfig', agentKubeconfig], { env: { ...process.env, NODE_EXTRA_CA_CERTS: '' }, stdio: 'ignore' });

  const status = (id: string) => api.gql(`query($id: ID!) { cluster(id: $id) { status statusReason connection { mode } } }`, { id });
  for (const id of [...ids, agentClusterId]) {
    await eventually(() => status(id), (r) => r.data?.cluster?.status === 'CONNECTED', { timeoutMs: 90_000, what: `cluster ${id} to turn CONNECTED` });
  }

  const p = await api.gql(`mutation($input: CreatePolicyInput!) { createPolicy(input: $input) { id } }`, {
    input: { name: 'owners', type: 'LABELS', mode: 'AUDIT', spec: { kinds: ['Namespace'], required: ['owner'] }, scope: { kind: 'ORGANIZATION' } },
  });
  assert.equal(p.errors, undefined, JSON.stringify(p.errors));
  const scan = await api.gql(`mutation { runComplianceScan(input: {}) { id clusterCount } }`);
  assert.equal(scan.errors, undefined, JSON.stringify(scan.errors));
  assert.equal(scan.data.runComplianceScan.clusterCount, DIRECT.length + 1);
  const done = await eventually(
    () => api.gql(`query($id: ID!) { scan(id: $id) { status completedCount failedCount } }`, { id: scan.data.runComplianceScan.id }),
    (r) => ['SUCCEEDED', 'FAILED', 'PARTIAL'].includes(r.data?.scan?.status),
    { timeoutMs: 90_000, what: 'the scan to end' },
  );
  assert.deepEqual(done.data.scan, { status: 'SUCCEEDED', completedCount: DIRECT.length + 1, failedCount: 0 });
  const outcomes = await pg.query(`SELECT count(*)::int AS n FROM policy_results WHERE scan_id = $1 AND status <> 'ERROR'`, [scan.data.runComplianceScan.id]);
  assert.equal(outcomes.rows[0].n, DIRECT.length + 1, 'one result per cluster, the agent cluster included');

  // Every queue key shares the prefix's hash tag, so BullMQ's multi-key scripts run: one node holds them all.
  const counts = redisCluster.keyCounts(`{${api.config.queue.prefix}}*`);
  assert.equal(counts.filter((n) => n > 0).length, 1, `the queues' keys are on one node: ${counts.join(', ')}`);

  // Presence through sharded pub/sub: exact on a cluster, where a plain PUBLISH counts one node's subscribers only.
  const redis = createRedis(api.config.redis);
  assert.equal(isRedisCluster(redis), true);
  const router = new AgentTunnelRouter(redis, api.config.queue.prefix);
  try {
    const ok = await router.send({ clusterId: agentClusterId, organizationId: api.organizationId }, 'GET', '/version', undefined, undefined, 10_000);
    assert.equal(ok.status, 200);
    const t0 = Date.now();
    await assert.rejects(router.send({ clusterId: ids[0], organizationId: api.organizationId }, 'GET', '/version', undefined, undefined, 20_000), /agent is not connected/);
    assert.ok(Date.now() - t0 < 15_000, 'refused from the receiver count, not after the request timeout');
  } finally {
    await router.close();
    redis.disconnect();
  }
});
