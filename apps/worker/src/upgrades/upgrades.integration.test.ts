import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { INestApplicationContext } from '@nestjs/common';
import { KubeConfig } from '@kubernetes/client-node';
import { DataSource } from 'typeorm';
import { eventually } from '@flotilla/testing';
import { ClusterClient } from '@flotilla/cluster-access';
import { ApiHarness, startApiHarness } from '../../../api/src/testing/api-test-harness';
import { DATA_SOURCE } from '@flotilla/infrastructure';
import { ensureAgentIdentity } from '../../../cli/src/kube-attach';
import { ClusterSpec, KubeSim, startKubeSim } from '../../../kube-sim/src';
import { generateCluster } from '../../../kube-sim/src/content';
import type { GenerateCluster } from '../../../kube-sim/src/content/contract';
import { startWorkerHarness } from '../testing/worker-test-harness';
import { AbandonedUpgradeSweeper } from './abandoned-upgrade.sweeper';
import { UpgradeRunnerService } from './upgrade-runner.service';

// Upgrades end to end: API → outbox → worker → kube-sim's Supervisor (Cluster API objects, TKRs and
// a rollout controller) and its workload clusters. Every cluster is attached through the CLI's agent
// identity, so the agent's least-privilege ClusterRole is proven to allow what upgrades do.
const MGMT = 'supervisor-01';
const SPECS: ClusterSpec[] = [
  { name: MGMT, flavor: 'management' },
  { name: 'tkg-prod-01', flavor: 'vsphere', version: 'v1.30.4+vmware.1', nodes: 2, managedBy: MGMT },
  { name: 'tkg-prod-02', flavor: 'vsphere', version: 'v1.30.4+vmware.1', nodes: 2, managedBy: MGMT },
  { name: 'tkg-staging-01', flavor: 'vsphere', version: 'v1.31.1+vmware.1', nodes: 2, managedBy: MGMT },
  { name: 'tkg-stall-01', flavor: 'vsphere', version: 'v1.30.4+vmware.1', nodes: 2, managedBy: MGMT },
  { name: 'tkg-fail-03', flavor: 'vsphere', version: 'v1.30.4+vmware.1', nodes: 2, managedBy: MGMT },
  // kube-sim generates one NotReady node in this one (seed 7): a DEGRADED cluster.
  { name: 'tkg-fail-01', flavor: 'vsphere', version: 'v1.30.4+vmware.1', nodes: 2, managedBy: MGMT },
  { name: 'tkg-cancel-01', flavor: 'vsphere', version: 'v1.30.4+vmware.1', nodes: 2, managedBy: MGMT },
  { name: 'eks-payments-01', flavor: 'eks' },
];

/** kube-sim's own content, plus a client of tkg-staging-01 that still requests flowcontrol v1beta3 (removed in 1.32). */
const withDeprecatedUse: GenerateCluster = (spec, ctx) => {
  const g = generateCluster(spec, ctx);
  if (spec.name !== 'tkg-staging-01') return g;
  const use = { group: 'flowcontrol.apiserver.k8s.io', version: 'v1beta3', resource: 'flowschemas', removedRelease: '1.32' };
  return { ...g, deprecatedApiUse: [...g.deprecatedApiUse.filter((u) => u.resource !== use.resource || u.group !== use.group), use] };
};

const ATTACH = `mutation($input: AttachClusterInput!) { attachCluster(input: $input) { id } }`;
const START = `mutation StartUpgrade($input: StartUpgradeInput!) { startUpgrade(input: $input) { id status phase fromVersion toVersion } }`;
const CANCEL = `mutation CancelUpgrade($id: ID!) { cancelUpgrade(id: $id) { id status error } }`;
const UPGRADE = `query($id: ID!) { upgrade(id: $id) { id status phase error progress preflightReasons startedAt finishedAt cluster { id kubernetesVersion } } }`;
const CLUSTER = `query($id: ID!) { cluster(id: $id) { id status kubernetesVersion availableUpgrades } }`;

let sim: KubeSim;
let api: ApiHarness;
let worker: INestApplicationContext;
let db: DataSource;
const ids = new Map<string, string>();

/** A raw HTTPS call to kube-sim, trusting its CA (fetch cannot be given one). */
function simRequest(url: string, opts: { method?: string; token?: string; body?: unknown } = {}): Promise<{ status: number; json: any }> {
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      {
        method: opts.method ?? 'GET',
        ca: sim.caPem,
        headers: { accept: 'application/json', ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) });
          } catch {
            resolve({ status: res.statusCode ?? 0, json: text });
          }
        });
      },
    );
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

async function simAdmin(path: string, method = 'GET', body?: unknown): Promise<any> {
  const r = await simRequest(`${sim.url}/_sim${path}`, { method, body });
  assert.ok(r.status < 300, `${method} /_sim${path}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

/** Reads a cluster's objects as its admin (what kubectl would show). */
/** Reads a simulated cluster as its admin, to see what the upgrade did there. */
function kube(cluster: string): ClusterClient {
  return ClusterClient.direct({ apiServerUrl: sim.clusterUrl(cluster), token: sim.adminToken(cluster), caPem: sim.caPem ?? null }, { timeoutMs: 5000 });
}

async function attach(name: string): Promise<string> {
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig(name));
  const agent = await ensureAgentIdentity(kc);
  const r = await api.gql(ATTACH, { input: { name, apiServerUrl: agent.apiServerUrl, token: agent.token, caData: agent.caData } });
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data.attachCluster.id;
}

async function upgradeOf(id: string): Promise<any> {
  const r = await api.gql(UPGRADE, { id });
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data.upgrade;
}

async function start(cluster: string, targetVersion: string): Promise<string> {
  const r = await api.gql(START, { input: { clusterId: ids.get(cluster), targetVersion } });
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data.startUpgrade.id;
}

const ended = (u: any) => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(u?.status);

before(async () => {
  sim = await startKubeSim({ clusters: SPECS, port: 0, tls: true, seed: 7, rolloutStepMs: 500, generateCluster: withDeprecatedUse });
  api = await startApiHarness({
    FLOTILLA_SYNC_INTERVAL_SECONDS: '2',
    FLOTILLA_UPGRADE_POLL_MS: '150',
    FLOTILLA_UPGRADE_STALL_SECONDS: '3',
    FLOTILLA_UPGRADE_DEADLINE_SECONDS: '40',
    FLOTILLA_UPGRADE_FOLLOW_SLICE_SECONDS: '1',
  });
  db = api.app.get(DATA_SOURCE);
  worker = await startWorkerHarness(api.config);
  // Workload clusters first: their links must appear whichever cluster syncs first.
  for (const s of [...SPECS].reverse()) ids.set(s.name, await attach(s.name));
  await eventually(
    async () => Promise.all(SPECS.map((s) => api.gql(CLUSTER, { id: ids.get(s.name) }))),
    (rs) => rs.every((r, i) => ['CONNECTED', 'DEGRADED'].includes(r.data?.cluster?.status) && (SPECS[i].managedBy === undefined || r.data.cluster.availableUpgrades.length > 0)),
    { timeoutMs: 20_000, what: 'every cluster CONNECTED and the managed ones linked with releases on offer' },
  ).catch(async (err) => {
    const rs = await Promise.all(SPECS.map((s) => api.gql(`query($id: ID!) { cluster(id: $id) { name status statusReason kubernetesVersion availableUpgrades } }`, { id: ids.get(s.name) })));
    throw new Error(`${(err as Error).message.slice(0, 80)}: ${JSON.stringify(rs.map((r) => r.data.cluster))}`);
  }
  );
});
after(async () => {
  await worker?.close();
  await api?.close();
  await sim?.stop();
});

describe('upgrades through Cluster API on kube-sim', () => {
  test('a vSphere cluster lists what its Supervisor offers within the skew rules; clusters Cluster API does not manage list nothing', async () => {
    const r = await api.gql(CLUSTER, { id: ids.get('tkg-prod-01') });
    assert.deepEqual(r.data.cluster.availableUpgrades, ['v1.31.4+vmware.1', 'v1.31.1+vmware.1', 'v1.30.8+vmware.1']);
    const eks = await api.gql(CLUSTER, { id: ids.get('eks-payments-01') });
    assert.deepEqual(eks.data.cluster.availableUpgrades, []);
    const refused = await api.gql(START, { input: { clusterId: ids.get('eks-payments-01'), targetVersion: 'v1.32.0' } });
    assert.equal(refused.errors?.[0].extensions?.code, 'FAILED_PRECONDITION');
    assert.match(refused.errors![0].message, /eks-payments-01 is not managed by Cluster API, so it is not upgradeable from Flotilla/);
  });

  test('an upgrade to the next patch SUCCEEDS with every node at the target (read back from kube-sim), the Cluster patched once, and audited', async () => {
    const id = await start('tkg-prod-01', 'v1.30.8+vmware.1');
    // A second runner of the same upgrade (a stalled job re-run) joins once the Cluster is patched.
    await eventually(() => db.query(`SELECT patched_at FROM upgrades WHERE id = $1`, [id]), (rows) => rows[0]?.patched_at !== null, { what: 'the Cluster patched', timeoutMs: 10_000 });
    const runner = worker.get(UpgradeRunnerService);
    await runner.run({ organizationId: api.organizationId, upgradeId: id }, { jobId: 'rerun', attempt: 2, queue: 'upgrades', startedAt: new Date(), lastAttempt: false, signal: new AbortController().signal });

    const done = await eventually(() => upgradeOf(id), ended, { timeoutMs: 30_000, what: 'the upgrade to end' });
    assert.equal(done.status, 'SUCCEEDED', JSON.stringify(done));
    assert.equal(done.phase, 'DONE');
    assert.equal(done.cluster.kubernetesVersion, 'v1.30.8+vmware.1');
    const nodes = await kube('tkg-prod-01').listNodes();
    assert.ok(nodes.length >= 3);
    assert.deepEqual([...new Set(nodes.map((n: any) => n.status.nodeInfo.kubeletVersion))], ['v1.30.8+vmware.1']);
    assert.equal((await kube('tkg-prod-01').readVersion()).gitVersion, 'v1.30.8+vmware.1');
    const capi: any = await kube(MGMT).get('Cluster', 'tkg-prod-01', 'tkg-prod');
    assert.equal(capi.spec.topology.version, 'v1.30.8+vmware.1');
    // The end of an upgrade is audited just after its status is written.
    const audit = await eventually(
      () => db.query(`SELECT action, actor, outcome FROM audit_events WHERE target_id = $1 ORDER BY id`, [id]),
      (rows: any[]) => rows.length >= 3,
      { timeoutMs: 5000, what: 'the audit event of the end' },
    );
    assert.deepEqual(
      audit.map((a: any) => a.action),
      ['upgrade.start', 'upgrade.patch', 'upgrade.succeeded'],
    );
    assert.equal(audit[2].outcome, 'SUCCESS');
    // Followed in one-second slices here: the rollout outlived the first, so a follow-up job took over.
    const followUps = await db.query(`SELECT id FROM jobs WHERE id LIKE $1`, [`upgrade.${id}.follow-%`]);
    assert.ok(followUps.length >= 1, 'handed over to at least one follow-up job');
  });

  test('an upgrade that skips a minor is refused in PREFLIGHT with the reason, and nothing is patched', async () => {
    const id = await start('tkg-prod-02', 'v1.32.0+vmware.1');
    const done = await eventually(() => upgradeOf(id), ended, { timeoutMs: 15_000, what: 'pre-flight to refuse' });
    assert.equal(done.status, 'FAILED');
    assert.equal(done.phase, 'PREFLIGHT');
    assert.match(done.error, /skips minor version 1\.31/);
    assert.ok(done.preflightReasons.some((r: string) => /upgrade to 1\.31 first/.test(r)), done.preflightReasons.join(' | '));
    const capi: any = await kube(MGMT).get('Cluster', 'tkg-prod-02', 'tkg-prod');
    assert.equal(capi.spec.topology.version, 'v1.30.4+vmware.1');
  });

  test('an upgrade whose target removes an API the cluster still requests is refused in PREFLIGHT naming the API', async () => {
    const id = await start('tkg-staging-01', 'v1.32.0+vmware.1');
    const done = await eventually(() => upgradeOf(id), ended, { timeoutMs: 15_000, what: 'pre-flight to refuse' });
    assert.equal(done.status, 'FAILED');
    assert.equal(done.phase, 'PREFLIGHT');
    assert.match(done.error, /flowcontrol\.apiserver\.k8s\.io\/v1beta3 flowschemas is still requested and v1\.32\.0 no longer serves it \(removed in 1\.32\)/);
    // The same cluster may still take the next patch: the removal only matters at 1.32.
    const audit = await eventually(
      () => db.query(`SELECT outcome FROM audit_events WHERE target_id = $1 AND action = 'upgrade.failed'`, [id]),
      (rows: any[]) => rows.length >= 1,
      { timeoutMs: 5000, what: 'the audit event of the refusal' },
    );
    assert.deepEqual(audit, [{ outcome: 'FAILURE' }]);
  });

  test('a cluster with a node not Ready is refused in PREFLIGHT naming the node', async () => {
    const id = await start('tkg-fail-01', 'v1.30.8+vmware.1');
    const done = await eventually(() => upgradeOf(id), ended, { timeoutMs: 15_000, what: 'pre-flight to refuse' });
    assert.equal(done.status, 'FAILED');
    assert.equal(done.phase, 'PREFLIGHT');
    assert.match(done.error, /The cluster is DEGRADED, not CONNECTED/);
    assert.match(done.error, /Nodes not Ready: tkg-fail-01-/);
  });

  test('a rollout made to stall in kube-sim ends FAILED within its stall limit, with the reason', async () => {
    await simAdmin('/clusters/tkg-stall-01/faults', 'PUT', { rolloutStall: true });
    const t0 = Date.now();
    const id = await start('tkg-stall-01', 'v1.30.8+vmware.1');
    const done = await eventually(() => upgradeOf(id), ended, { timeoutMs: 20_000, what: 'the stalled upgrade to fail' });
    assert.equal(done.status, 'FAILED');
    assert.equal(done.phase, 'CONTROL_PLANE');
    assert.match(done.error, /the rollout made no progress for 3 seconds \(stuck at: /);
    assert.ok(Date.now() - t0 < 15_000, 'failed well before the overall deadline');
  });

  test('a rollout Cluster API reports as failed ends FAILED with the condition named', async () => {
    await simAdmin('/clusters/tkg-fail-03/faults', 'PUT', { rolloutFail: true });
    const id = await start('tkg-fail-03', 'v1.30.8+vmware.1');
    const done = await eventually(() => upgradeOf(id), ended, { timeoutMs: 20_000, what: 'the failed rollout to end' });
    assert.equal(done.status, 'FAILED');
    assert.match(done.error, /The rollout failed: Cluster condition \w+ is False \(UpgradeFailed/);
  });

  test('an upgrade nobody follows past its deadline is ended FAILED by the sweeper, never left RUNNING', async () => {
    const [row] = await db.query(
      `INSERT INTO upgrades (organization_id, cluster_id, from_version, to_version, status, phase, progress, patched_at, deadline_at, created_by)
       VALUES ($1, $2, 'v1.30.4+vmware.1', 'v1.30.8+vmware.1', 'RUNNING', 'WORKERS', '1/2 workers at v1.30.8', now() - interval '2 hours', now() - interval '1 hour', 'test')
       RETURNING id`,
      [api.organizationId, ids.get('eks-payments-01')],
    );
    // Any worker of the run may sweep it first (they share the database); this one sweeps now.
    await worker.get(AbandonedUpgradeSweeper).failAbandoned();
    const u = await upgradeOf(row.id);
    assert.equal(u.status, 'FAILED');
    assert.match(u.error, /nobody followed the rollout past its deadline.*Last observed: 1\/2 workers at v1\.30\.8/);
  });

  test('cancelling a running upgrade stops following and says the Cluster was patched and where the nodes were', async () => {
    await simAdmin('/clusters/tkg-cancel-01/faults', 'PUT', { rolloutStall: true });
    const id = await start('tkg-cancel-01', 'v1.30.8+vmware.1');
    await eventually(() => upgradeOf(id), (u) => u.status === 'RUNNING' && u.progress !== null, { timeoutMs: 10_000, what: 'the rollout to be followed' });
    // A runner of a worker that is shutting down hands the rollout over at once instead of following it.
    const [{ follow_seq: seqBefore }] = await db.query(`SELECT follow_seq FROM upgrades WHERE id = $1`, [id]);
    const stopping = new AbortController();
    stopping.abort();
    const t0 = Date.now();
    await worker.get(UpgradeRunnerService).run({ organizationId: api.organizationId, upgradeId: id }, { jobId: 'shutdown', attempt: 1, queue: 'upgrades', startedAt: new Date(), lastAttempt: false, signal: stopping.signal });
    assert.ok(Date.now() - t0 < 800, 'returned after one look, well inside its one-second follow slice');
    const [{ follow_seq: seqAfter }] = await db.query(`SELECT follow_seq FROM upgrades WHERE id = $1`, [id]);
    assert.ok(seqAfter > seqBefore, 'queued a follow-up');
    assert.equal((await db.query(`SELECT count(*)::int AS n FROM outbox WHERE job_id = $1`, [`upgrade.${id}.follow-${seqAfter}`]))[0].n, 1);

    const c = await api.gql(CANCEL, { id });
    assert.equal(c.errors, undefined, JSON.stringify(c.errors));
    assert.equal(c.data.cancelUpgrade.status, 'CANCELLED');
    assert.match(c.data.cancelUpgrade.error, /after Flotilla patched Cluster tkg-cancel\/tkg-cancel-01 .*Cluster API keeps rolling it out.*last observed: /);
    // The worker sees the cancel and never revives it.
    const later = await eventually(() => db.query(`SELECT status, updated_at FROM upgrades WHERE id = $1`, [id]), () => true);
    assert.equal(later[0].status, 'CANCELLED');
  });
});
