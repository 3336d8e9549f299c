import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { Server, createServer } from 'node:http';
import { INestApplicationContext } from '@nestjs/common';
import { KubeConfig } from '@kubernetes/client-node';
import { DataSource } from 'typeorm';
import { eventually } from '@flotilla/testing';
import { ClusterClient } from '@flotilla/cluster-access';
import { DATA_SOURCE } from '@flotilla/infrastructure';
import { ApiHarness, startApiHarness } from '../../../api/src/testing/api-test-harness';
import { ensureAgentIdentity } from '../../../cli/src/kube-attach';
import { ClusterSpec, KubeSim, startKubeSim } from '../../../kube-sim/src';
import { hash32 } from '../../../kube-sim/src/content/seeded-random';
import { startWorkerHarness } from '../testing/worker-test-harness';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../cli/src/main';
import { captureIo } from '../../../cli/src/testing/fake-graphql-api';
import { CampaignAdvancer } from './campaign-advancer';

// Campaigns end to end: API → PostgreSQL state machine → the worker's campaign loop → upgrades on
// kube-sim's two Supervisors and their vSphere workload clusters (fast rollouts).
const M1 = 'supervisor-01';
const M2 = 'supervisor-02';
const FROM = 'v1.30.4+vmware.1';
const TARGET = 'v1.30.8+vmware.1';
/** A per-cluster seed for which kube-sim reports every node Ready (it makes ~8 % of clusters DEGRADED otherwise). */
function healthySeed(name: string): number {
  let seed = hash32(name);
  while (hash32('not-ready-worker', seed) % 100 < 8) seed++;
  return seed;
}
const vs = (name: string, managedBy: string, version = FROM): ClusterSpec => ({ name, flavor: 'vsphere', version, nodes: 2, managedBy, seed: healthySeed(name) });
const SPECS: ClusterSpec[] = [
  { name: M1, flavor: 'management' },
  { name: M2, flavor: 'management' },
  // a: the campaign that succeeds (5 eligible), plus what preview must exclude
  vs('tkg-a-01', M1), vs('tkg-a-02', M1), vs('tkg-a-03', M2), vs('tkg-a-04', M2), vs('tkg-a-05', M1),
  vs('tkg-a-skew', M1, 'v1.28.8+vmware.1'),
  vs('tkg-a-done', M2, TARGET),
  { name: 'eks-a-01', flavor: 'eks' },
  // b: rollouts fail on two, budget 1
  vs('tkg-b-01', M1), vs('tkg-b-02', M2), vs('tkg-b-03', M1),
  // c: the second wave requires approval
  vs('tkg-c-01', M2), vs('tkg-c-02', M1),
  // d: a window that opens in the future
  vs('tkg-d-01', M2),
  // f: a compliance regression found by the soak re-scan
  vs('tkg-f-01', M1),
  // e: racing replicas, one stopped mid-wave
  vs('tkg-e-01', M1), vs('tkg-e-02', M2), vs('tkg-e-03', M1),
];

const ATTACH = `mutation($input: AttachClusterInput!) { attachCluster(input: $input) { id } }`;
const CLUSTER = `query($id: ID!) { cluster(id: $id) { id status kubernetesVersion availableUpgrades } }`;
const PREVIEW = `query PreviewUpgradeCampaign($input: CreateUpgradeCampaignInput!) { previewUpgradeCampaign(input: $input) { targetVersion waves { name clusters { id name kubernetesVersion } } excluded { cluster { id name } reason } } }`;
const CREATE = `mutation CreateUpgradeCampaign($input: CreateUpgradeCampaignInput!) { createUpgradeCampaign(input: $input) { id name status targetVersion } }`;
const DETAIL = `query UpgradeCampaignDetail($id: ID!) { upgradeCampaign(id: $id) { id name status statusReason targetVersion
  failureBudget { maxFailedClusters maxFailedPercent } maintenanceWindow { cron durationMinutes timezone nextOpensAt }
  counts { total pending running succeeded failed skipped }
  waves { index name status soakMinutes requiresApproval approvedBy startedAt soakEndsAt finishedAt clusters { cluster { id name } status upgrade { id status phase error } } }
  createdAt finishedAt } }`;
const APPROVE = `mutation ApproveCampaignWave($id: ID!, $waveIndex: Int!) { approveCampaignWave(id: $id, waveIndex: $waveIndex) { id status } }`;
const CANCEL = `mutation CancelUpgradeCampaign($id: ID!) { cancelUpgradeCampaign(id: $id) { id status statusReason } }`;
const START = `mutation StartUpgrade($input: StartUpgradeInput!) { startUpgrade(input: $input) { id status } }`;

let receiver: Server;
let sim: KubeSim;
let api: ApiHarness;
let worker: INestApplicationContext;
let db: DataSource;
const ids = new Map<string, string>();
const nameOf = (id: string) => [...ids].find(([, v]) => v === id)?.[0];

async function simAdmin(path: string, method = 'GET', body?: unknown): Promise<void> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  await new Promise<void>((resolve, reject) => {
    const req = httpsRequest(`${sim.url}/_sim${path}`, { method, ca: sim.caPem, headers: payload ? { 'content-type': 'application/json' } : {} }, (res) => {
      res.resume();
      res.on('end', () => ((res.statusCode ?? 500) < 300 ? resolve() : reject(new Error(`${method} ${path}: ${res.statusCode}`))));
    });
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

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

/** The flotilla CLI against the real API. */
async function flotilla(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const c = captureIo();
  const code = await run(args, { io: c.io, env: { FLOTILLA_API_URL: api.url, FLOTILLA_TOKEN: api.adminToken, FLOTILLA_CONFIG: join(tmp, 'cli.json') } });
  return { code, out: c.out, err: c.err };
}
const tmp = mkdtempSync(join(tmpdir(), 'flotilla-campaign-'));

const select = (...names: string[]) => ({ clusterIds: names.map((n) => ids.get(n)) });

async function create(input: Record<string, unknown>, token?: string): Promise<string> {
  const r = await api.gql(CREATE, { input: { targetVersion: TARGET, ...input } }, token);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data.createUpgradeCampaign.id;
}

async function detail(id: string): Promise<any> {
  const r = await api.gql(DETAIL, { id });
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data.upgradeCampaign;
}

const ENDED = ['SUCCEEDED', 'HALTED', 'CANCELLED'];
const settled = (c: any) => ENDED.includes(c.status) && c.counts.running === 0;

async function upgradesOf(names: string[]): Promise<Array<{ cluster: string; n: number }>> {
  const rows: Array<{ cluster_id: string; n: number }> = await db.query(
    `SELECT cluster_id, count(*)::int AS n FROM upgrades WHERE cluster_id = ANY($1::uuid[]) GROUP BY cluster_id`,
    [names.map((n) => ids.get(n))],
  );
  return rows.map((r) => ({ cluster: nameOf(r.cluster_id) as string, n: r.n })).sort((a, b) => a.cluster.localeCompare(b.cluster));
}

before(async () => {
  sim = await startKubeSim({ clusters: SPECS, port: 0, tls: true, seed: 11, rolloutStepMs: 300 });
  api = await startApiHarness({
    FLOTILLA_SYNC_INTERVAL_SECONDS: '2',
    FLOTILLA_UPGRADE_POLL_MS: '150',
    FLOTILLA_UPGRADE_STALL_SECONDS: '20',
    FLOTILLA_UPGRADE_DEADLINE_SECONDS: '90',
    FLOTILLA_UPGRADE_FOLLOW_SLICE_SECONDS: '5',
    FLOTILLA_CAMPAIGN_TICK_MS: '200',
    FLOTILLA_CAMPAIGN_SOAK_MINUTE_SECONDS: '1',
  });
  db = api.app.get(DATA_SOURCE);
  worker = await startWorkerHarness(api.config);
  // A subscriber to the campaign events, so transitions publish them (nothing is written without one).
  receiver = createServer((req, res) => req.resume().on('end', () => res.end('ok')));
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hook = await api.gql(`mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { id } }`, {
    input: { url: `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`, events: ['CAMPAIGN_WAITING_FOR_APPROVAL', 'CAMPAIGN_HALTED', 'CAMPAIGN_FINISHED'] },
  });
  assert.equal(hook.errors, undefined, JSON.stringify(hook.errors));
  for (const s of [...SPECS].reverse()) ids.set(s.name, await attach(s.name));
  await eventually(
    async () => Promise.all(SPECS.map((s) => api.gql(CLUSTER, { id: ids.get(s.name) }))),
    (rs) => rs.every((r, i) => r.data?.cluster?.status === 'CONNECTED' && (SPECS[i].managedBy === undefined || SPECS[i].version === TARGET || r.data.cluster.availableUpgrades.length > 0)),
    { timeoutMs: 60_000, what: 'every cluster CONNECTED and the managed ones linked with releases on offer' },
  );
});
after(async () => {
  receiver?.close();
  await worker?.close();
  await api?.close();
  await sim?.stop();
});

describe('fleet upgrade campaigns on kube-sim', () => {
  test('preview lists the waves and every exclusion with its reason, and changes nothing', async () => {
    const r = await api.gql(PREVIEW, {
      input: { name: 'preview-only', targetVersion: TARGET, selector: select('tkg-a-01', 'tkg-a-02', 'tkg-a-03', 'tkg-a-04', 'tkg-a-05', 'tkg-a-skew', 'tkg-a-done', 'eks-a-01', M1), waves: [{ clusterCount: 1 }, { clusterCount: 3 }, {}] },
    });
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    const p = r.data.previewUpgradeCampaign;
    assert.equal(p.targetVersion, TARGET);
    assert.deepEqual(
      p.waves.map((w: any) => [w.name, w.clusters.map((c: any) => c.name)]),
      [['wave 1', ['tkg-a-01']], ['wave 2', ['tkg-a-02', 'tkg-a-03', 'tkg-a-04']], ['wave 3', ['tkg-a-05']]],
    );
    const reasons = Object.fromEntries(p.excluded.map((e: any) => [e.cluster.name, e.reason]));
    assert.deepEqual(Object.keys(reasons).sort(), ['eks-a-01', 'supervisor-01', 'tkg-a-done', 'tkg-a-skew']);
    assert.match(reasons['eks-a-01'], /not managed by Cluster API/);
    assert.match(reasons[M1], /not managed by Cluster API/);
    assert.match(reasons['tkg-a-done'], /already at v1\.30\.8\+vmware\.1/);
    assert.match(reasons['tkg-a-skew'], /skips minor version 1\.29/);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM upgrade_campaigns WHERE organization_id = $1`, [api.organizationId]);
    assert.equal(n, 0);
    // The default waves: 1 canary, 10 % (rounded up), the rest.
    const d = await api.gql(PREVIEW, { input: { name: 'preview-default', targetVersion: TARGET, selector: select('tkg-a-01', 'tkg-a-02', 'tkg-a-03', 'tkg-a-04', 'tkg-a-05') } });
    assert.deepEqual(d.data.previewUpgradeCampaign.waves.map((w: any) => [w.name, w.clusters.length]), [['canary', 1], ['10 percent', 1], ['rest', 3]]);
    const bad = await api.gql(PREVIEW, { input: { name: 'x', targetVersion: TARGET, selector: {} } });
    assert.equal(bad.errors?.[0].extensions?.code, 'BAD_USER_INPUT');
    assert.equal(bad.errors?.[0].extensions?.field, 'input.selector');
  });

  test('a campaign of waves [1, 3, rest] with a short soak ends SUCCEEDED with every node at the target; a second campaign and a manual upgrade of its clusters are refused', async () => {
    const names = ['tkg-a-01', 'tkg-a-02', 'tkg-a-03', 'tkg-a-04', 'tkg-a-05', 'tkg-a-done', 'eks-a-01'];
    const id = await create({ name: 'spring-a', selector: select(...names), waves: [{ clusterCount: 1, soakMinutes: 1 }, { clusterCount: 3, soakMinutes: 1 }, { soakMinutes: 0 }] });
    const second = await api.gql(CREATE, { input: { name: 'spring-a-again', targetVersion: TARGET, selector: select('tkg-a-03', 'tkg-b-03') } });
    assert.equal(second.errors?.[0].extensions?.code, 'CONFLICT');
    assert.match(second.errors![0].message, /tkg-a-03 \(in campaign spring-a\)/);
    const manual = await api.gql(START, { input: { clusterId: ids.get('tkg-a-05'), targetVersion: TARGET } });
    assert.equal(manual.errors?.[0].extensions?.code, 'FAILED_PRECONDITION');
    assert.match(manual.errors![0].message, /part of running upgrade campaign spring-a/);

    // The canary alone first: while it runs or soaks, nothing of the next wave has started.
    const soaking = await eventually(() => detail(id), (c) => c.waves[0].status === 'SOAKING' || c.waves[1].status !== 'PENDING', { timeoutMs: 60_000, what: 'the canary wave to soak' });
    if (soaking.waves[0].status === 'SOAKING') assert.ok(soaking.waves[1].clusters.every((c: any) => c.status === 'PENDING' && c.upgrade === null));
    const done = await eventually(() => detail(id), settled, { timeoutMs: 150_000, intervalMs: 500, what: 'the campaign to end' });
    assert.equal(done.status, 'SUCCEEDED', JSON.stringify(done));
    assert.deepEqual(done.counts, { total: 5, pending: 0, running: 0, succeeded: 5, failed: 0, skipped: 0 });
    assert.deepEqual(done.waves.map((w: any) => [w.status, w.clusters.length]), [['SUCCEEDED', 1], ['SUCCEEDED', 3], ['SUCCEEDED', 1]]);
    // Waves ran in order: each began after the one before had soaked.
    assert.ok(new Date(done.waves[1].startedAt) >= new Date(done.waves[0].soakEndsAt));
    for (const n of ['tkg-a-01', 'tkg-a-02', 'tkg-a-03', 'tkg-a-04', 'tkg-a-05']) {
      const nodes = await kube(n).listNodes();
      assert.deepEqual([...new Set(nodes.map((x: any) => x.status.nodeInfo.kubeletVersion))], [TARGET], n);
    }
    assert.deepEqual(await upgradesOf(names), ['tkg-a-01', 'tkg-a-02', 'tkg-a-03', 'tkg-a-04', 'tkg-a-05'].map((cluster) => ({ cluster, n: 1 })));
    const fleet = await api.gql(`{ fleetSummary { byVersion { version count } } }`);
    assert.ok(fleet.data.fleetSummary.byVersion.some((v: any) => v.version === TARGET && v.count >= 6));
    const audit = await db.query(`SELECT details->>'to' AS to FROM audit_events WHERE target_id = $1 AND action = 'campaign.transition' ORDER BY id`, [id]);
    assert.deepEqual(audit.map((a: any) => a.to).filter((s: string, i: number, all: string[]) => s !== all[i - 1]).slice(-1), ['SUCCEEDED']);
    assert.ok(audit.some((a: any) => a.to === 'SOAKING'));
    const finished = await db.query(`SELECT payload FROM webhook_events WHERE subject = $1 AND type = 'CAMPAIGN_FINISHED'`, [`campaign/${id}`]);
    assert.deepEqual(finished.map((e: any) => [e.payload.status, e.payload.counts]), [['SUCCEEDED', { total: 5, succeeded: 5, failed: 0, skipped: 0 }]]);
    // Ended: its clusters are free again.
    const again = await api.gql(PREVIEW, { input: { name: 'later', targetVersion: 'v1.31.4+vmware.1', selector: select('tkg-a-01') } });
    assert.deepEqual(again.data.previewUpgradeCampaign.excluded, []);
    // The CLI: status --wait exits 0 on SUCCEEDED; list shows it; preview -f reads a file with cluster names.
    const st = await flotilla('campaign', 'status', 'spring-a', '--wait', '--interval', '1', '--timeout', '60');
    assert.equal(st.code, 0, st.err);
    assert.match(st.out, /Status:\s+SUCCEEDED/);
    assert.match(st.out, /tkg-a-03\s+SUCCEEDED\s+SUCCEEDED DONE/);
    const list = await flotilla('campaign', 'list');
    assert.match(list.out, /spring-a\s+SUCCEEDED\s+v1\.30\.8\+vmware\.1/);
    const file = join(tmp, 'campaign.yaml');
    writeFileSync(file, `name: next\ntargetVersion: v1.31.4+vmware.1\nselector: { clusters: [tkg-a-01, tkg-a-02, eks-a-01] }\nwaves: [{ clusterCount: 1 }, {}]\n`);
    const pv = await flotilla('campaign', 'preview', '-f', file);
    assert.equal(pv.code, 0, pv.err);
    assert.match(pv.out, /Wave 1 \(wave 1\): 1 cluster: tkg-a-01 \(v1\.30\.8\+vmware\.1\)/);
    assert.match(pv.out, /eks-a-01: cluster eks-a-01 is not managed by Cluster API/);
  });

  test('with rolloutFail on two clusters and a budget of 1 the campaign HALTS after the second failure and starts nothing more', async () => {
    await simAdmin('/clusters/tkg-b-01/faults', 'PUT', { rolloutFail: true });
    await simAdmin('/clusters/tkg-b-02/faults', 'PUT', { rolloutFail: true });
    const id = await create({ name: 'budget-b', selector: select('tkg-b-01', 'tkg-b-02', 'tkg-b-03'), waves: [{ clusterCount: 3, soakMinutes: 0 }], maxConcurrent: 1, failureBudget: { maxFailedClusters: 1 } });
    const done = await eventually(() => detail(id), settled, { timeoutMs: 120_000, intervalMs: 500, what: 'the campaign to halt' });
    assert.equal(done.status, 'HALTED', JSON.stringify(done));
    assert.match(done.statusReason, /failure budget spent: 2 of 3 clusters failed \(tkg-b-01, tkg-b-02\)/);
    assert.deepEqual(done.counts, { total: 3, pending: 1, running: 0, succeeded: 0, failed: 2, skipped: 0 });
    assert.equal(done.waves[0].status, 'HALTED');
    const third = done.waves[0].clusters.find((c: any) => c.cluster.name === 'tkg-b-03');
    assert.equal(third.status, 'PENDING');
    assert.equal(third.upgrade, null);
    assert.deepEqual(await upgradesOf(['tkg-b-03']), []);
    const audit = await db.query(`SELECT details->>'event' AS event FROM audit_events WHERE target_id = $1 AND details->>'to' = 'HALTED'`, [id]);
    assert.deepEqual(audit, [{ event: 'CAMPAIGN_HALTED' }]);
    const halted = await db.query(`SELECT payload FROM webhook_events WHERE subject = $1 AND type = 'CAMPAIGN_HALTED'`, [`campaign/${id}`]);
    assert.equal(halted.length, 1);
    assert.deepEqual(halted[0].payload.clusters.map((c: any) => c.name), ['tkg-b-01', 'tkg-b-02']);
    assert.match(halted[0].payload.reason, /failure budget spent/);
    const st = await flotilla('campaign', 'status', 'budget-b', '--wait', '--interval', '1', '--timeout', '60', '-o', 'json');
    assert.equal(st.code, 1);
    assert.match(st.err, /campaign budget-b ended HALTED: failure budget spent/);
  });

  test('a wave that requires approval waits until an ADMIN with another token approves it', async () => {
    const id = await create({ name: 'approve-c', selector: select('tkg-c-01', 'tkg-c-02'), waves: [{ clusterCount: 1, soakMinutes: 0 }, { soakMinutes: 0, requiresApproval: true }] });
    const waiting = await eventually(() => detail(id), (c) => c.status === 'WAITING_FOR_APPROVAL', { timeoutMs: 90_000, intervalMs: 300, what: 'the campaign to wait for approval' });
    assert.equal(waiting.waves[1].status, 'WAITING_FOR_APPROVAL');
    assert.equal(waiting.waves[1].clusters[0].upgrade, null);
    const waitingEvents = await db.query(`SELECT payload FROM webhook_events WHERE subject = $1 AND type = 'CAMPAIGN_WAITING_FOR_APPROVAL'`, [`campaign/${id}`]);
    assert.deepEqual(waitingEvents.map((e: any) => e.payload.waveIndex), [1]);
    const self = await api.gql(APPROVE, { id, waveIndex: 1 });
    assert.equal(self.errors?.[0].extensions?.code, 'FORBIDDEN');
    assert.match(self.errors![0].message, /approved by another ADMIN/);
    const operator = await api.gql(`mutation { createApiToken(input: { name: "ops-c", role: OPERATOR }) { token } }`);
    const byOperator = await api.gql(APPROVE, { id, waveIndex: 1 }, operator.data.createApiToken.token);
    assert.equal(byOperator.errors?.[0].extensions?.code, 'FORBIDDEN');
    const admin = await api.gql(`mutation { createApiToken(input: { name: "second-admin-c", role: ADMIN }) { token } }`);
    const ok = await api.gql(APPROVE, { id, waveIndex: 1 }, admin.data.createApiToken.token);
    assert.equal(ok.errors, undefined, JSON.stringify(ok.errors));
    const done = await eventually(() => detail(id), settled, { timeoutMs: 90_000, intervalMs: 500, what: 'the campaign to end' });
    assert.equal(done.status, 'SUCCEEDED', JSON.stringify(done));
    assert.match(done.waves[1].approvedBy, /second-admin-c/);
    const audit = await db.query(`SELECT count(*)::int AS n FROM audit_events WHERE target_id = $1 AND action = 'campaign.approve' AND outcome = 'SUCCESS'`, [id]);
    assert.equal(audit[0].n, 1);
  });

  test('a wave whose cluster was compliant before it and is non-compliant in the soak re-scan HALTS the campaign naming it', async () => {
    const f = ids.get('tkg-f-01');
    // Compliant before the wave: a scan while no policy applies to it.
    const scan = await api.gql(`mutation($input: RunComplianceScanInput!) { runComplianceScan(input: $input) { id } }`, { input: { clusterIds: [f] } });
    assert.equal(scan.errors, undefined, JSON.stringify(scan.errors));
    await eventually(() => db.query(`SELECT status FROM cluster_compliance WHERE cluster_id = $1`, [f]), (rows: any[]) => rows[0]?.status === 'COMPLIANT', { timeoutMs: 30_000, what: 'the cluster COMPLIANT' });
    // A policy it fails (kube-sim's images come from public registries), judged only by the next scan: the soak's.
    const policy = await api.gql(`mutation($input: CreatePolicyInput!) { createPolicy(input: $input) { id } }`, {
      input: { name: 'f-registries', type: 'IMAGE_REGISTRY', mode: 'AUDIT', spec: { allowedRegistries: ['registry.invalid/'] }, scope: { kind: 'CLUSTER', clusterId: f } },
    });
    assert.equal(policy.errors, undefined, JSON.stringify(policy.errors));
    const id = await create({ name: 'compliance-f', selector: select('tkg-f-01'), waves: [{ soakMinutes: 1 }], haltOn: { onComplianceRegression: true } });
    const done = await eventually(() => detail(id), settled, { timeoutMs: 90_000, intervalMs: 500, what: 'the campaign to halt' });
    assert.equal(done.status, 'HALTED', JSON.stringify(done));
    assert.match(done.statusReason, /compliance regressed after wave 1: tkg-f-01 compliant before the wave, non-compliant after it/);
    // The upgrade itself succeeded; the re-scan was the campaign's.
    assert.equal(done.waves[0].clusters[0].status, 'SUCCEEDED');
    const rescans = await db.query(`SELECT count(*)::int AS n FROM scans WHERE created_by = 'campaign compliance-f'`);
    assert.equal(rescans[0].n, 1);
  });

  test('bad input names the field; a VIEWER cannot create; another organization sees nothing and cannot act', async () => {
    const base = { name: 'bad', targetVersion: TARGET, selector: select('tkg-d-01') };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ waves: [{ clusterCount: 1, clusterPercent: 5 }] }, 'input.waves[0].clusterCount'],
      [{ maintenanceWindow: { cron: '61 * * * *', durationMinutes: 60 } }, 'input.maintenanceWindow.cron'],
      [{ maintenanceWindow: { cron: '0 2 * * *', durationMinutes: 60, timezone: 'Mars/Olympus' } }, 'input.maintenanceWindow.timezone'],
      [{ failureBudget: { maxFailedPercent: 101 } }, 'input.failureBudget.maxFailedPercent'],
      [{ maxConcurrent: 0 }, 'input.maxConcurrent'],
      [{ name: 'Not A DNS Name' }, 'input.name'],
      [{ targetVersion: 'banana' }, 'input.targetVersion'],
      [{ selector: { clusterIds: ['nope'] } }, 'input.selector.clusterIds[0]'],
    ];
    for (const [over, field] of cases) {
      const r = await api.gql(CREATE, { input: { ...base, ...over } });
      assert.equal(r.errors?.[0].extensions?.code, 'BAD_USER_INPUT', `${field}: ${JSON.stringify(r.errors)}`);
      assert.equal(r.errors?.[0].extensions?.field, field);
    }
    assert.equal((await db.query(`SELECT count(*)::int AS n FROM upgrade_campaigns WHERE name = 'bad'`))[0].n, 0);
    const viewer = await api.gql(`mutation { createApiToken(input: { name: "viewer-x", role: VIEWER }) { token } }`);
    const denied = await api.gql(CREATE, { input: { ...base, name: 'by-viewer' } }, viewer.data.createApiToken.token);
    assert.equal(denied.errors?.[0].extensions?.code, 'FORBIDDEN');
    const [{ id: someCampaign }] = await db.query(`SELECT id FROM upgrade_campaigns WHERE organization_id = $1 LIMIT 1`, [api.organizationId]);
    const other = await api.newOrganization();
    const seen = await api.gql(DETAIL, { id: someCampaign }, other.token);
    assert.equal(seen.data.upgradeCampaign, null);
    const list = await api.gql(`query { upgradeCampaigns { totalCount } }`, {}, other.token);
    assert.equal(list.data.upgradeCampaigns.totalCount, 0);
    const cancel = await api.gql(CANCEL, { id: someCampaign }, other.token);
    assert.equal(cancel.errors?.[0].extensions?.code, 'NOT_FOUND');
    const foreign = await api.gql(PREVIEW, { input: { ...base, name: 'foreign' } }, other.token);
    assert.deepEqual(foreign.data.previewUpgradeCampaign.waves, []);
  });

  test('a maintenance window that opens in the future leaves everything untouched', async () => {
    const opens = new Date(Date.now() + 6 * 3600_000);
    const cron = `${opens.getUTCMinutes()} ${opens.getUTCHours()} * * *`;
    const id = await create({ name: 'window-d', selector: select('tkg-d-01'), waves: [{ soakMinutes: 0 }], maintenanceWindow: { cron, durationMinutes: 60, timezone: 'UTC' } });
    const waiting = await eventually(() => detail(id), (c) => c.status === 'WAITING_FOR_WINDOW', { timeoutMs: 30_000, what: 'the campaign to wait for its window' });
    // Several more looks of the loop change nothing.
    const [{ t0 }] = await db.query(`SELECT now() AS t0`);
    await eventually(() => db.query(`SELECT next_tick_at > $2 AS later FROM upgrade_campaigns WHERE id = $1`, [id, t0]), (rows: any[]) => rows[0].later === true, { timeoutMs: 10_000, what: 'the loop to look again' });
    const still = await detail(id);
    assert.equal(still.status, 'WAITING_FOR_WINDOW');
    assert.equal(still.waves[0].status, 'PENDING');
    assert.equal(still.waves[0].clusters[0].upgrade, null);
    assert.equal(Math.abs(new Date(waiting.maintenanceWindow.nextOpensAt).getTime() - Math.floor(opens.getTime() / 60_000) * 60_000) < 1000, true);
    assert.deepEqual(await upgradesOf(['tkg-d-01']), []);
    const paused = await flotilla('campaign', 'pause', 'window-d');
    assert.match(paused.out, /campaign window-d: PAUSED/);
    const resumed = await flotilla('campaign', 'resume', 'window-d');
    assert.match(resumed.out, /campaign window-d: RUNNING/);
    const c = await api.gql(CANCEL, { id });
    assert.equal(c.data.cancelUpgradeCampaign.status, 'CANCELLED');
    assert.match(c.data.cancelUpgradeCampaign.statusReason, /cancelled by/);
    const st = await flotilla('campaign', 'status', 'window-d', '--wait', '--interval', '1', '--timeout', '30');
    assert.equal(st.code, 1);
    assert.deepEqual(await upgradesOf(['tkg-d-01']), []);
  });

  test('a worker dying mid-step, replicas racing and one worker stopped mid-wave upgrade no cluster twice and lose none', async () => {
    const second = await startWorkerHarness(api.config);
    const names = ['tkg-e-01', 'tkg-e-02', 'tkg-e-03'];
    const eIds = names.map((n) => ids.get(n));
    // A worker that dies in the middle of the step starting the wave: the step's transaction never
    // commits (here the database aborts it just before the campaign clusters are marked started).
    await db.query(`CREATE OR REPLACE FUNCTION campaign_test_die() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'worker died mid-step'; END $$ LANGUAGE plpgsql`);
    await db.query(
      `CREATE TRIGGER campaign_test_die BEFORE UPDATE OF upgrade_id ON campaign_clusters FOR EACH ROW
         WHEN (NEW.upgrade_id IS NOT NULL AND OLD.cluster_id IN ('${eIds.join("','")}')) EXECUTE FUNCTION campaign_test_die()`,
    );
    let triggerDropped = false;
    try {
      const id = await create({ name: 'race-e', selector: select(...names), waves: [{ clusterCount: 3, soakMinutes: 0 }], maxConcurrent: 2 });
      const advancers = [worker.get(CampaignAdvancer), second.get(CampaignAdvancer)];
      await eventually(
        () => advancers[0].advanceOne().then(() => 'no error', (err: Error) => err.message),
        (m) => /worker died mid-step/.test(m),
        { timeoutMs: 20_000, what: 'a step to die' },
      );
      // Nothing of the dead steps remains: no upgrade, no queued job, every cluster still PENDING.
      assert.deepEqual(await upgradesOf(names), []);
      assert.equal((await db.query(`SELECT count(*)::int AS n FROM campaign_clusters WHERE campaign_id = $1 AND status = 'PENDING'`, [id]))[0].n, 3);
      await db.query(`DROP TRIGGER campaign_test_die ON campaign_clusters`);
      triggerDropped = true;
      // Both workers' loops run; on top, many steps at once from both (what more replicas would do).
      await Promise.all(Array.from({ length: 12 }, (_, i) => advancers[i % 2].advanceOne()));
      await eventually(() => detail(id), (c) => c.counts.running > 0, { timeoutMs: 30_000, what: 'the wave to start' });
      await second.close(); // a replica gone mid-wave
      const done = await eventually(() => detail(id), settled, { timeoutMs: 120_000, intervalMs: 500, what: 'the campaign to end' });
      assert.equal(done.status, 'SUCCEEDED', JSON.stringify(done));
      assert.deepEqual(await upgradesOf(names), names.map((cluster) => ({ cluster, n: 1 })));
    } finally {
      if (!triggerDropped) await db.query(`DROP TRIGGER IF EXISTS campaign_test_die ON campaign_clusters`);
      await second.close().catch(() => undefined);
    }
  });
});
