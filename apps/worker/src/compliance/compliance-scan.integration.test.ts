import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ClusterClient } from '@flotilla/cluster-access';
import { ClusterSnapshotRepository, ScanRepository } from '@flotilla/persistence';
import { jobIds } from '@flotilla/queue';
import { eventually } from '@flotilla/testing';
import { isolatedEnv } from '@flotilla/testing/isolated-database';
import { ApiHarness, startApiHarness } from '../../../api/src/testing/api-test-harness';
import { startKubeSim, KubeSim } from '../../../kube-sim/src';
import { fallbackGenerateCluster } from '../../../kube-sim/src/fleet/fallback-content';
import { rawRequest } from '../../../kube-sim/src/testing/kube-sim.test-helper';
import { DATA_SOURCE } from '@flotilla/infrastructure';
import { startWorkerHarness } from '../testing/worker-test-harness';
import { ComplianceScanService } from './compliance-scan.service';
import { ScanRetention } from './scan-retention';
import { ScanScheduler } from './scan-scheduler';
import { ScanFinisher } from './scan-finisher';
import { StrandedWorkReconciler } from '../jobs/stranded-work.reconciler';

// Predictable clusters: the namespaces default, kube-system, kube-public, kube-node-lease, nodes,
// bootstrap RBAC and two coredns pods in kube-system; each test writes what it checks.
const CLUSTERS = ['audit-1', 'enforce-1', 'down-1', 'hang-1', 'ok-1', 'twice-1', 'keep-1', 'same-1', 'left-1'];

let sim: KubeSim;
let api: ApiHarness;
let worker: INestApplicationContext;
let db: DataSource;
// Its own database and queue prefix: other files' workers (other encryption keys) must not take these jobs.
const isolated = isolatedEnv('compliance_worker');

before(async () => {
  sim = await startKubeSim({ clusters: CLUSTERS.map((name) => ({ name, flavor: 'generic' as const })), generateCluster: fallbackGenerateCluster, tls: true });
  api = await startApiHarness({ ...isolated.env, FLOTILLA_KUBE_TIMEOUT_MS: '1500', FLOTILLA_SYNC_INTERVAL_SECONDS: '3600' });
  worker = await startWorkerHarness(api.config);
  db = worker.get(DATA_SOURCE);
});
after(async () => {
  await worker?.close();
  await api?.close();
  await sim?.stop();
  await isolated.drop();
});

const admin = (cluster: string) => ClusterClient.direct({ apiServerUrl: sim.clusterUrl(cluster), token: sim.adminToken(cluster), caPem: sim.caPem ?? null }, { timeoutMs: 5000 });

async function attach(token: string, cluster: string): Promise<string> {
  const r = await api.gql(
    `mutation($input: AttachClusterInput!) { attachCluster(input: $input) { id } }`,
    { input: { name: cluster, apiServerUrl: sim.clusterUrl(cluster), token: sim.adminToken(cluster), caData: Buffer.from(sim.caPem ?? '').toString('base64') } },
    token,
  );
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data.attachCluster.id;
}

async function policy(token: string, name: string, type: string, mode: string, spec: unknown): Promise<string> {
  const r = await api.gql(`mutation($input: CreatePolicyInput!) { createPolicy(input: $input) { id } }`, { input: { name, type, mode, spec, scope: { kind: 'ORGANIZATION' } } }, token);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data.createPolicy.id;
}

async function scanToEnd(token: string, input: Record<string, unknown>) {
  const r = await api.gql(`mutation($input: RunComplianceScanInput!) { runComplianceScan(input: $input) { id status } }`, { input }, token);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  const done = await eventually(
    () => api.gql(`query($id: ID!) { scan(id: $id) { id status trigger clusterCount completedCount failedCount finishedAt summary { compliant nonCompliant errored violations } } }`, { id: r.data.runComplianceScan.id }, token),
    (x) => x.data?.scan?.status === 'SUCCEEDED',
    { timeoutMs: 60_000, what: 'the scan to end' },
  );
  return done.data.scan;
}

interface Result {
  policy: { name: string; mode: string };
  status: string;
  checkedAt: string;
  violations: Array<{ kind: string; namespace: string | null; name: string; message: string }>;
  error: string | null;
  enforcement: { applied: unknown[]; labelledNamespaces: unknown[]; failed: unknown[] } | null;
}

async function results(token: string, clusterId: string): Promise<{ compliance: { status: string; violationCount: number; reason: string | null }; byPolicy: Record<string, Result> }> {
  const r = await api.gql(
    `query($id: ID!) { cluster(id: $id) { compliance { status violationCount checkedAt reason }
       policyResults { policy { name mode } status checkedAt error enforcement violations { kind namespace name message } } } }`,
    { id: clusterId },
    token,
  );
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return { compliance: r.data.cluster.compliance, byPolicy: Object.fromEntries(r.data.cluster.policyResults.map((p: Result) => [p.policy.name, p])) };
}

/** The results without when they were checked. */
const verdicts = (byPolicy: Record<string, Result>) => Object.fromEntries(Object.entries(byPolicy).map(([name, { checkedAt: _checkedAt, ...r }]) => [name, r]));

const refs = (r: Result) => r.violations.map((v) => `${v.kind}/${v.namespace ? `${v.namespace}/` : ''}${v.name}`);

function namespace(name: string, labels: Record<string, string> = {}) {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}
function pod(ns: string, name: string, image: string, securityContext: Record<string, unknown> = {}) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec: { containers: [{ name: 'app', image, securityContext }] } };
}
function denyIngress(ns: string) {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny-in', namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
}

describe('compliance scans against kube-sim', () => {
  test('AUDIT reports exactly the objects written into the cluster, nothing compliant, and writes nothing', async () => {
    const org = await api.newOrganization();
    const k = admin('audit-1');
    await k.create(namespace('team-a', { owner: 'alice' }));
    await k.create(namespace('team-b'));
    await k.create(denyIngress('team-a'));
    await k.create(pod('team-b', 'priv', 'registry.example.com/tools:1', { privileged: true }));
    await k.create(pod('team-a', 'web', 'nginx:1.27'));
    await k.create(pod('team-a', 'api', 'registry.example.com/api:2'));
    const id = await attach(org.token, 'audit-1');
    await policy(org.token, 'net', 'NETWORK', 'AUDIT', { defaultDeny: 'ingress' });
    await policy(org.token, 'pss', 'SECURITY', 'AUDIT', { level: 'baseline' });
    await policy(org.token, 'owners', 'LABELS', 'AUDIT', { kinds: ['Namespace'], required: ['owner'] });
    await policy(org.token, 'registries', 'IMAGE_REGISTRY', 'AUDIT', { allowedRegistries: ['registry.example.com'] });
    await policy(org.token, 'quota', 'QUOTA', 'AUDIT', { hard: { 'requests.cpu': '4' }, namespaces: ['team-a'] });
    await policy(org.token, 'sre-view', 'ACCESS', 'AUDIT', { bindings: [{ role: 'view', subjects: [{ kind: 'Group', name: 'sre' }], namespaces: ['team-b'] }] });
    await policy(org.token, 'kube-system-pss', 'SECURITY', 'AUDIT', { level: 'restricted', namespaces: ['kube-system'] });

    const scan = await scanToEnd(org.token, { clusterIds: [id] });
    assert.deepEqual([scan.clusterCount, scan.completedCount, scan.failedCount, scan.trigger], [1, 1, 0, 'MANUAL']);
    const { compliance, byPolicy } = await results(org.token, id);
    assert.deepEqual(refs(byPolicy.net), ['Namespace/default', 'Namespace/team-b']);
    assert.deepEqual(refs(byPolicy.pss), ['Pod/team-b/priv']);
    assert.match(byPolicy.pss.violations[0].message, /privileged/);
    assert.deepEqual(refs(byPolicy.owners), ['Namespace/default', 'Namespace/team-b']);
    assert.deepEqual(refs(byPolicy.registries), ['Pod/team-a/web']);
    assert.deepEqual(refs(byPolicy.quota), ['Namespace/team-a']);
    assert.deepEqual(refs(byPolicy['sre-view']), ['Namespace/team-b']);
    // A system namespace is checked only when a spec names it: coredns runs without a restricted securityContext.
    assert.deepEqual(refs(byPolicy['kube-system-pss']), ['Pod/kube-system/coredns-0', 'Pod/kube-system/coredns-1']);
    const total = Object.values(byPolicy).reduce((n, r) => n + r.violations.length, 0);
    assert.deepEqual([compliance.status, compliance.violationCount, compliance.reason], ["NON_COMPLIANT", total, null]);
    assert.equal(scan.summary.violations, total);
    assert.equal(scan.summary.nonCompliant, 1);
    for (const r of Object.values(byPolicy)) {
      assert.equal(r.status, 'NON_COMPLIANT');
      assert.equal(r.enforcement, null, 'AUDIT applies nothing');
    }
    // AUDIT wrote nothing.
    const nps = await k.list('NetworkPolicy');
    assert.deepEqual(nps.map((n) => n.metadata.name), ['deny-in']);
    assert.equal((await k.list('ResourceQuota')).length, 0);
    const nsB = (await k.get('Namespace', 'team-b'))!;
    assert.equal(nsB.metadata.labels?.['pod-security.kubernetes.io/enforce'], undefined);

    // The roll-ups and the fleet filter agree.
    const list = await api.gql(`{ clusters(filter: { complianceStatuses: [NON_COMPLIANT] }) { totalCount edges { node { id compliance { status } } } } }`, {}, org.token);
    assert.deepEqual(list.data.clusters.edges.map((e: { node: { id: string } }) => e.node.id), [id]);
    const fleet = await api.gql(`{ fleetSummary { compliance { compliantClusters nonCompliantClusters unknownClusters violationCount lastScanAt } } }`, {}, org.token);
    assert.deepEqual({ ...fleet.data.fleetSummary.compliance, lastScanAt: null }, { compliantClusters: 0, nonCompliantClusters: 1, unknownClusters: 0, violationCount: total, lastScanAt: null });
  });

  test('ENFORCE makes the cluster comply where objects can, labels what it creates, reports the rest; a second enforce changes nothing', async () => {
    const org = await api.newOrganization();
    const k = admin('enforce-1');
    await k.create(namespace('shop'));
    await k.create(pod('shop', 'root-pod', 'docker.io/library/busybox:1', { privileged: true }));
    // Something Flotilla did not create, which it must leave alone.
    await k.create({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow-web', namespace: 'shop' }, spec: { podSelector: { matchLabels: { app: 'web' } }, ingress: [{}] } });
    const id = await attach(org.token, 'enforce-1');
    await policy(org.token, 'net', 'NETWORK', 'ENFORCE', { defaultDeny: 'all' });
    await policy(org.token, 'quota', 'QUOTA', 'ENFORCE', { hard: { pods: '20', 'limits.memory': '8Gi' } });
    await policy(org.token, 'pss', 'SECURITY', 'ENFORCE', { level: 'baseline' });
    await policy(org.token, 'sre-view', 'ACCESS', 'ENFORCE', { bindings: [{ role: 'view', subjects: [{ kind: 'Group', name: 'sre' }], namespaces: ['shop'] }, { role: 'view', subjects: [{ kind: 'User', name: 'auditor@example.com' }] }] });
    await policy(org.token, 'registries', 'IMAGE_REGISTRY', 'ENFORCE', { allowedRegistries: ['registry.example.com'] });
    await policy(org.token, 'owners', 'LABELS', 'ENFORCE', { kinds: ['Namespace'], required: ['owner'] });

    await scanToEnd(org.token, { clusterIds: [id] });
    const first = await results(org.token, id);
    for (const name of ['net', 'quota', 'sre-view']) {
      assert.equal(first.byPolicy[name].status, 'COMPLIANT', `${name}: ${JSON.stringify(first.byPolicy[name])}`);
      assert.ok(first.byPolicy[name].enforcement?.applied.length, `${name} applied objects`);
    }
    assert.deepEqual(first.byPolicy.net.enforcement?.applied.length, 2); // default and shop
    // SECURITY: namespaces labelled, the running violating pod reported.
    assert.deepEqual(refs(first.byPolicy.pss), ['Pod/shop/root-pod']);
    assert.equal(first.byPolicy.pss.enforcement?.labelledNamespaces.length, 2);
    // Not enforceable by objects: reported, not ignored.
    assert.deepEqual(refs(first.byPolicy.registries), ['Pod/shop/root-pod']);
    assert.deepEqual(refs(first.byPolicy.owners), ['Namespace/default', 'Namespace/shop']);

    // What the cluster holds now: Flotilla's objects, labelled as managed by it; the user's left alone.
    const managed = 'app.kubernetes.io/managed-by=flotilla';
    const nps = await k.list('NetworkPolicy');
    assert.deepEqual(nps.filter((n) => n.metadata.labels?.['app.kubernetes.io/managed-by'] === 'flotilla').map((n) => n.metadata.namespace).sort(), ['default', 'shop']);
    assert.ok(nps.some((n) => n.metadata.name === 'allow-web'));
    assert.equal((await k.list('ResourceQuota', { labelSelector: managed })).length, 2);
    assert.equal((await k.list('RoleBinding', { namespace: 'shop', labelSelector: managed })).length, 1);
    assert.equal((await k.list('ClusterRoleBinding', { labelSelector: managed })).length, 1);
    const shop = (await k.get('Namespace', 'shop'))!;
    assert.equal(shop.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'baseline');
    const versions = async () =>
      [
        ...(await k.list('NetworkPolicy')),
        ...(await k.list('ResourceQuota')),
        ...(await k.list('ClusterRoleBinding', { labelSelector: managed })),
        (await k.get('Namespace', 'shop'))!,
      ].map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}@${String(o.metadata.resourceVersion)}`);
    const before = await versions();

    // Enforce again: the cluster already complies where objects can; nothing is written.
    await scanToEnd(org.token, { clusterIds: [id] });
    const second = await results(org.token, id);
    for (const r of Object.values(second.byPolicy)) assert.equal(r.enforcement, null, `${r.policy.name} applied nothing the second time`);
    for (const name of ['net', 'quota', 'sre-view']) assert.equal(second.byPolicy[name].status, 'COMPLIANT');
    assert.deepEqual(refs(second.byPolicy.pss), ['Pod/shop/root-pod']);
    assert.deepEqual(await versions(), before);
  });

  test('a scan over down and hanging clusters ends: ERROR with the reason for those, correct results for the rest', async () => {
    const org = await api.newOrganization();
    const ids = { down: await attach(org.token, 'down-1'), hang: await attach(org.token, 'hang-1'), ok: await attach(org.token, 'ok-1') };
    await policy(org.token, 'net', 'NETWORK', 'AUDIT', { defaultDeny: 'ingress' });
    for (const [name, faults] of [['down-1', { down: true }], ['hang-1', { down: 'hang' }]] as const) {
      const res = await rawRequest(sim, `/_sim/clusters/${name}/faults`, { method: 'PUT', body: faults });
      assert.equal(res.status, 200, `faults on ${name}: ${res.text}`);
    }
    try {
      const scan = await scanToEnd(org.token, {});
      assert.deepEqual([scan.clusterCount, scan.completedCount, scan.failedCount], [3, 1, 2]);
      assert.deepEqual(scan.summary, { compliant: 0, nonCompliant: 1, errored: 2, violations: 1 });
      for (const key of ['down', 'hang'] as const) {
        const r = await results(org.token, ids[key]);
        assert.equal(r.compliance.status, 'ERROR');
        assert.ok(r.compliance.reason && r.compliance.reason.length > 5, r.compliance.reason ?? '');
        assert.equal(r.byPolicy.net.status, 'ERROR');
        assert.equal(r.byPolicy.net.error, r.compliance.reason);
        assert.ok(!r.compliance.reason.includes(sim.adminToken(key === 'down' ? 'down-1' : 'hang-1')));
      }
      assert.match((await results(org.token, ids.hang)).compliance.reason ?? '', /timed out/);
      assert.deepEqual(refs((await results(org.token, ids.ok)).byPolicy.net), ['Namespace/default']);
      const errored = await api.gql(`{ clusters(filter: { complianceStatuses: [ERROR] }) { totalCount } }`, {}, org.token);
      assert.equal(errored.data.clusters.totalCount, 2);
      // Each cluster's job run is on record, written with its outcome (an ERROR cluster is a job that succeeded).
      const runs: Array<{ id: string; status: string; attempts: number; ran: boolean }> = await db.query(
        `SELECT id, status, attempts, (started_at <= finished_at) AS ran FROM jobs WHERE id = ANY($1::text[]) ORDER BY id`,
        [Object.values(ids).map((clusterId) => jobIds.scanCluster(scan.id, clusterId)).sort()],
      );
      assert.deepEqual(runs.map(({ status, attempts, ran }) => ({ status, attempts, ran })), Array(3).fill({ status: 'SUCCEEDED', attempts: 1, ran: true }));
    } finally {
      for (const name of ['down-1', 'hang-1']) {
        await rawRequest(sim, `/_sim/clusters/${name}/faults`, { method: 'PUT', body: {} });
      }
    }
  });

  test('a cluster job that runs twice (even at once) stores its results and counts once', async () => {
    const org = await api.newOrganization();
    const clusterId = await attach(org.token, 'twice-1');
    await policy(org.token, 'net', 'NETWORK', 'AUDIT', { defaultDeny: 'ingress' });
    await policy(org.token, 'owners', 'LABELS', 'AUDIT', { kinds: ['Namespace'], required: ['owner'] });
    // A scan row and ledger without outbox jobs: this test runs the job itself.
    const started = await db.transaction((tx) => worker.get(ScanRepository).start(tx, org.organizationId, { trigger: 'MANUAL', createdBy: 'test', clusterIds: [clusterId] }));
    const scanId = started!.scan.id;
    const service = worker.get(ComplianceScanService);
    const payload = { organizationId: org.organizationId, scanId, clusterId };
    await Promise.all([service.scanCluster(payload), service.scanCluster(payload)]);
    await service.scanCluster(payload);
    const rows: Array<{ n: number }> = await db.query(`SELECT count(*)::int AS n FROM policy_results WHERE scan_id = $1`, [scanId]);
    assert.equal(rows[0].n, 2);
    const scan = await api.gql(`query($id: ID!) { scan(id: $id) { status completedCount failedCount summary { nonCompliant violations } } }`, { id: scanId }, org.token);
    assert.deepEqual(scan.data.scan, { status: 'SUCCEEDED', completedCount: 1, failedCount: 0, summary: { nonCompliant: 1, violations: 2 } });
  });

  test('an unchanged cluster keeps its verdicts without re-evaluation or cache rewrites; a changed list is evaluated and rewritten', async () => {
    const org = await api.newOrganization();
    const k = admin('same-1');
    await k.create(namespace('team-a', { owner: 'alice' }));
    await k.create(namespace('team-b'));
    await k.create(pod('team-b', 'priv', 'registry.example.com/tools:1', { privileged: true }));
    const id = await attach(org.token, 'same-1');
    await policy(org.token, 'pss', 'SECURITY', 'AUDIT', { level: 'baseline' });
    await policy(org.token, 'owners', 'LABELS', 'AUDIT', { kinds: ['Namespace'], required: ['owner'] });
    /** Per policy: when it was actually evaluated, and the scan its current result belongs to. */
    const current = async () =>
      Object.fromEntries(
        (
          (await db.query(
            `SELECT p.name, r.evaluated_at AS "evaluatedAt", r.scan_id AS "scanId", r.input_digest AS "inputDigest"
               FROM cluster_policy_results_current r JOIN policies p ON p.id = r.policy_id WHERE r.cluster_id = $1`,
            [id],
          )) as Array<{ name: string; evaluatedAt: Date; scanId: string; inputDigest: string | null }>
        ).map((r) => [r.name, r]),
      );
    /** Each cached kind's row version: a rewritten row gets a new xmin. */
    const cacheRows = async () =>
      Object.fromEntries(((await db.query(`SELECT kind, xmin::text AS v FROM cluster_snapshot_kinds WHERE cluster_id = $1`, [id])) as Array<{ kind: string; v: string }>).map((r) => [r.kind, r.v]));

    const first = await scanToEnd(org.token, { clusterIds: [id] });
    const evaluated = await results(org.token, id);
    const afterFirst = await current();
    const cachedFirst = await cacheRows();
    assert.deepEqual(refs(evaluated.byPolicy.pss), ['Pod/team-b/priv']);
    assert.ok(afterFirst.pss.inputDigest && afterFirst.owners.inputDigest, 'AUDIT results record what they were evaluated on');
    assert.ok(cachedFirst.Pod && cachedFirst.Namespace);

    // Nothing changed: the same verdicts and violations, now results of the second scan, carried over.
    const second = await scanToEnd(org.token, { clusterIds: [id] });
    assert.deepEqual(second.summary, first.summary);
    const carried = await results(org.token, id);
    assert.deepEqual(verdicts(carried.byPolicy), verdicts(evaluated.byPolicy));
    assert.ok(Date.parse(carried.byPolicy.pss.checkedAt) > Date.parse(evaluated.byPolicy.pss.checkedAt), 'checked again at the second scan');
    const afterSecond = await current();
    for (const name of ['pss', 'owners']) {
      assert.equal(afterSecond[name].scanId, second.id, `${name}: a result of the second scan`);
      assert.equal(afterSecond[name].evaluatedAt.getTime(), afterFirst[name].evaluatedAt.getTime(), `${name}: carried over, not evaluated again`);
    }
    /** Per scan and policy: the scan whose row holds the violations (a row is never copied, never points at a pointer). */
    const violationRows = async () =>
      Object.fromEntries(
        (
          (await db.query(
            `SELECT r.scan_id AS "scanId", p.name, coalesce(r.violations_from, r.scan_id) AS "heldBy"
               FROM policy_results r JOIN policies p ON p.id = r.policy_id WHERE r.cluster_id = $1`,
            [id],
          )) as Array<{ scanId: string; name: string; heldBy: string }>
        ).map((r) => [`${scanLabel(r.scanId)}/${r.name}`, scanLabel(r.heldBy)]),
      );
    /** Which of this test's scans an id is (the third is the only other one). */
    const scanLabel = (scanId: string) => (scanId === first.id ? 'first' : scanId === second.id ? 'second' : 'third');
    assert.deepEqual(await violationRows(), { 'first/pss': 'first', 'first/owners': 'first', 'second/pss': 'first', 'second/owners': 'first' }, 'carried-over rows point at the evaluated rows');
    assert.deepEqual(await cacheRows(), cachedFirst, 'no cached kind was rewritten');

    // One more privileged pod: the Pod list changed, so pss is evaluated on it; owners reads only Namespaces.
    await k.create(pod('team-a', 'priv-2', 'registry.example.com/tools:1', { privileged: true }));
    const third = await scanToEnd(org.token, { clusterIds: [id] });
    const changed = await results(org.token, id);
    assert.deepEqual(refs(changed.byPolicy.pss), ['Pod/team-a/priv-2', 'Pod/team-b/priv']);
    assert.deepEqual(verdicts(changed.byPolicy).owners, verdicts(evaluated.byPolicy).owners);
    assert.equal(third.summary.violations, first.summary.violations + 1);
    const afterThird = await current();
    assert.ok(afterThird.pss.evaluatedAt.getTime() > afterFirst.pss.evaluatedAt.getTime(), 'pss evaluated again');
    assert.equal(afterThird.owners.evaluatedAt.getTime(), afterFirst.owners.evaluatedAt.getTime(), 'owners carried over');
    const cachedThird = await cacheRows();
    assert.notEqual(cachedThird.Pod, cachedFirst.Pod, 'the Pod list was rewritten');
    assert.equal(cachedThird.Namespace, cachedFirst.Namespace, 'the Namespace list was not');
    // The preview cache holds the new pod.
    const cachedPods = await worker.get(ClusterSnapshotRepository).latest(org.organizationId, ['Pod'], { clusterId: id });
    assert.ok(cachedPods[0].objects.Pod?.some((o) => o.metadata.name === 'priv-2'));
    assert.equal((await violationRows())['third/owners'], 'first', 'carried over from a carried-over result: points at the evaluated row');

    // Retention keeps what the current results point at, whatever its age, and the rest goes.
    await db.query(`UPDATE policy_results SET checked_at = checked_at - interval '800 days' WHERE cluster_id = $1`, [id]);
    await db.query(`UPDATE scans SET finished_at = finished_at - interval '800 days' WHERE id = ANY($1::uuid[])`, [[first.id, second.id, third.id]]);
    const scans = worker.get(ScanRepository);
    await scans.pruneOlderThan(365);
    // first/pss went on the second pass: second/pss still pointed at it during the first.
    await scans.pruneOlderThan(365);
    assert.deepEqual(await violationRows(), { 'first/owners': 'first', 'third/pss': 'third', 'third/owners': 'first' });
    const kept: Array<{ id: string }> = await db.query(`SELECT id FROM scans WHERE id = ANY($1::uuid[]) ORDER BY id`, [[first.id, second.id, third.id]]);
    assert.deepEqual(kept.map((r) => r.id).sort(), [first.id, third.id].sort(), 'the second scan went; the first holds violations still shown');
    const afterPrune = await results(org.token, id);
    assert.deepEqual(verdicts(afterPrune.byPolicy), verdicts(changed.byPolicy), 'the current results read the same after retention');
  });

  test("a running scan's counters come from its ledger; a scan whose worker stopped before ending it is ended by the stranded-work sweep, once", async () => {
    const org = await api.newOrganization();
    const clusterId = await attach(org.token, 'left-1');
    const policyId = await policy(org.token, 'owners', 'LABELS', 'AUDIT', { kinds: ['Namespace'], required: ['owner'] });
    const scans = worker.get(ScanRepository);
    const started = await db.transaction((tx) => scans.start(tx, org.organizationId, { trigger: 'MANUAL', createdBy: 'test', clusterIds: [clusterId] }));
    const scanId = started!.scan.id;
    // The outcome commits, then the worker stops before it asks whether the scan is done.
    const outcome = { status: 'NON_COMPLIANT' as const, violationCount: 2, error: null, checkedAt: new Date(), policies: [{ policyId, status: 'NON_COMPLIANT' as const, violations: [{}, {}], enforcement: null, error: null }] };
    assert.equal((await scans.recordClusterOutcome(db, org.organizationId, scanId, clusterId, outcome)).stored, true);
    const read = `query($id: ID!) { scan(id: $id) { status completedCount failedCount finishedAt summary { nonCompliant violations } } }`;
    const running = await api.gql(read, { id: scanId }, org.token);
    assert.deepEqual(running.data.scan, { status: 'QUEUED', completedCount: 1, failedCount: 0, finishedAt: null, summary: { nonCompliant: 1, violations: 2 } });

    await worker.get(StrandedWorkReconciler).reconcile();
    const ended = await api.gql(read, { id: scanId }, org.token);
    assert.equal(ended.data.scan.status, 'SUCCEEDED');
    assert.deepEqual({ ...ended.data.scan, finishedAt: null, status: null }, { ...running.data.scan, finishedAt: null, status: null }, 'the counters it ended with are the ledger\'s');
    assert.equal(await worker.get(ScanFinisher).finishIfDone(org.organizationId, scanId), false, 'ended once');
  });

  test('retention prunes old results and scans but never the current compliance of a cluster', async () => {
    const org = await api.newOrganization();
    const clusterId = await attach(org.token, 'keep-1');
    await policy(org.token, 'net', 'NETWORK', 'AUDIT', { defaultDeny: 'ingress' });
    const old = await scanToEnd(org.token, { clusterIds: [clusterId] });
    // A changed cluster, so that the latest result is evaluated afresh, not carried over from (pointing at) the old one.
    await admin('keep-1').create(namespace('late'));
    const latest = await scanToEnd(org.token, { clusterIds: [clusterId] });
    // Both are now "100 days old"; only the older one is history nothing points at.
    await db.query(`UPDATE policy_results SET checked_at = checked_at - interval '100 days' WHERE cluster_id = $1`, [clusterId]);
    await db.query(`UPDATE scans SET finished_at = finished_at - interval '100 days' WHERE id = ANY($1::uuid[])`, [[old.id, latest.id]]);
    const pruned = await worker.get(ScanRetention).prune();
    assert.ok(pruned.results >= 1 && pruned.scans >= 1, JSON.stringify(pruned));
    const gone = await api.gql(`query($id: ID!) { scan(id: $id) { id } }`, { id: old.id }, org.token);
    assert.equal(gone.data.scan, null);
    const kept = await api.gql(`query($id: ID!) { scan(id: $id) { id } }`, { id: latest.id }, org.token);
    assert.equal(kept.data.scan.id, latest.id);
    const r = await results(org.token, clusterId);
    assert.equal(r.compliance.status, 'NON_COMPLIANT');
    assert.deepEqual(refs(r.byPolicy.net), ['Namespace/default', 'Namespace/late']);
  });

  test('two schedulers (two worker replicas) start exactly one SCHEDULED scan per tick', async () => {
    const org = await api.newOrganization();
    await attach(org.token, 'ok-1');
    const set = await api.gql(`mutation { setScanSchedule(input: { cron: "* * * * *", timezone: "Europe/Berlin", enabled: true }) { nextRunAt } }`, {}, org.token);
    assert.equal(set.errors, undefined, JSON.stringify(set.errors));
    const second = await startWorkerHarness(api.config);
    try {
      const schedulers = [worker.get(ScanScheduler), second.get(ScanScheduler)];
      const ticks = 5;
      for (let i = 0; i < ticks; i++) {
        // Make a distinct tick due now; both replicas' loops and explicit ticks race for it.
        await db.query(`UPDATE scan_schedules SET next_run_at = date_trunc('minute', now()) - make_interval(mins => $2) WHERE organization_id = $1`, [org.organizationId, 10 + i]);
        await Promise.all([...schedulers.map((s) => s.tick()), ...schedulers.map((s) => s.tick())]);
        // A background loop may hold the claim while the explicit ticks skip it: wait for its commit.
        const s = await eventually(
          () => db.query(`SELECT next_run_at AS next FROM scan_schedules WHERE organization_id = $1`, [org.organizationId]) as Promise<Array<{ next: Date }>>,
          (rows) => rows[0].next.getTime() > Date.now(),
          { timeoutMs: 10_000, what: 'the schedule to move on to the next minute' },
        );
        assert.equal(s[0].next.getUTCSeconds(), 0);
      }
      const scans: Array<{ n: number; ticks: number }> = await db.query(
        `SELECT count(*)::int AS n, count(DISTINCT schedule_tick)::int AS ticks FROM scans WHERE organization_id = $1 AND trigger = 'SCHEDULED'`,
        [org.organizationId],
      );
      assert.deepEqual(scans[0], { n: ticks, ticks });
      const audited: Array<{ n: number }> = await db.query(`SELECT count(*)::int AS n FROM audit_events WHERE organization_id = $1 AND action = 'scan.run' AND actor = 'schedule'`, [org.organizationId]);
      assert.equal(audited[0].n, ticks);
      const listed = await api.gql(`{ scans(first: 10) { edges { node { trigger clusterCount } } } }`, {}, org.token);
      assert.ok(listed.data.scans.edges.every((e: { node: { trigger: string; clusterCount: number } }) => e.node.trigger === 'SCHEDULED' && e.node.clusterCount === 1));
    } finally {
      await second.close();
    }
  });
});
