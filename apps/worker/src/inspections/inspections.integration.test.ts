import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { INestApplicationContext } from '@nestjs/common';
import { KubeConfig } from '@kubernetes/client-node';
import { DataSource } from 'typeorm';
import { eventually } from '@flotilla/testing';
import { ClusterClient, KubeObject } from '@flotilla/cluster-access';
import { ApiHarness, startApiHarness } from '../../../api/src/testing/api-test-harness';
import { DATA_SOURCE } from '@flotilla/infrastructure';
import { ensureAgentIdentity } from '../../../cli/src/kube-attach';
import { ClusterSpec, KubeSim, startKubeSim } from '../../../kube-sim/src';
import { generateCluster } from '../../../kube-sim/src/content';
import type { GenerateCluster } from '../../../kube-sim/src/content/contract';
import { startWorkerHarness } from '../testing/worker-test-harness';

// Inspections end to end against kube-sim, attached through the agent identity (so its ClusterRole is
// proven to read what inspections read): risky bindings written into a cluster, deprecated-API use
// injected into another, a managed EKS control plane, and an unreachable cluster.
const SPECS: ClusterSpec[] = [
  { name: 'k8s-lab-01', flavor: 'generic', version: 'v1.31.3', nodes: 2 },
  { name: 'eks-payments-01', flavor: 'eks', nodes: 2 },
  { name: 'k8s-down-01', flavor: 'generic', nodes: 1 },
];
const INJECTED = [
  { group: 'flowcontrol.apiserver.k8s.io', version: 'v1beta3', resource: 'flowschemas', removedRelease: '1.32' },
  { group: 'admissionregistration.k8s.io', version: 'v1beta1', resource: 'validatingadmissionpolicies', removedRelease: '1.34' },
];
/** kube-sim's content, with k8s-lab-01's clients requesting exactly the deprecated APIs above. */
const withInjectedUse: GenerateCluster = (spec, ctx) => {
  const g = generateCluster(spec, ctx);
  return spec.name === 'k8s-lab-01' ? { ...g, deprecatedApiUse: INJECTED.map((u) => ({ ...u })) } : g;
};

const RUN = `mutation RunInspection($input: RunInspectionInput!) { runInspection(input: $input) { id kind status } }`;
const DETAIL = `query InspectionDetail($id: ID!) { inspection(id: $id) { id kind status passed failed warnings error targetVersion cluster { id name } checks { id title severity outcome message } startedAt finishedAt } }`;

let sim: KubeSim;
let api: ApiHarness;
let worker: INestApplicationContext;
let db: DataSource;
const ids = new Map<string, string>();

/** Writes into a simulated cluster as its admin (the seam's create: the path comes from the object). */
async function create(cluster: string, object: KubeObject): Promise<void> {
  await ClusterClient.direct({ apiServerUrl: sim.clusterUrl(cluster), token: sim.adminToken(cluster), caPem: sim.caPem ?? null }, { timeoutMs: 5000 }).create(object);
}

async function inspect(cluster: string, kind: string, extra: Record<string, unknown> = {}): Promise<any> {
  const r = await api.gql(RUN, { input: { clusterId: ids.get(cluster), kind, ...extra } });
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  const done = await eventually(
    () => api.gql(DETAIL, { id: r.data.runInspection.id }),
    (d) => ['SUCCEEDED', 'FAILED'].includes(d.data?.inspection?.status),
    { timeoutMs: 20_000, what: `the ${kind} inspection of ${cluster} to end` },
  );
  return done.data.inspection;
}

const check = (i: any, id: string) => i.checks.find((c: any) => c.id === id);
/** The objects a failing check lists ("…: A; B."), or none when it passes. */
const findings = (c: any): string[] => (c.outcome === 'FAIL' ? c.message.slice(c.message.indexOf(': ') + 2).replace(/\.$/, '').split('; ') : []);

before(async () => {
  sim = await startKubeSim({ clusters: SPECS, port: 0, tls: true, seed: 11, generateCluster: withInjectedUse });
  api = await startApiHarness({ FLOTILLA_SYNC_INTERVAL_SECONDS: '2', FLOTILLA_KUBE_TIMEOUT_MS: '2000' });
  db = api.app.get(DATA_SOURCE);
  worker = await startWorkerHarness(api.config);
  for (const s of SPECS) {
    const kc = new KubeConfig();
    kc.loadFromString(sim.kubeconfig(s.name));
    const agent = await ensureAgentIdentity(kc);
    const r = await api.gql(`mutation($input: AttachClusterInput!) { attachCluster(input: $input) { id } }`, {
      input: { name: s.name, apiServerUrl: agent.apiServerUrl, token: agent.token, caData: agent.caData },
    });
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    ids.set(s.name, r.data.attachCluster.id);
  }
  await eventually(
    () => api.gql(`query($id: ID!) { cluster(id: $id) { provider status } }`, { id: ids.get('eks-payments-01') }),
    (r) => r.data?.cluster?.provider === 'EKS',
    { timeoutMs: 15_000, what: 'the EKS cluster synced' },
  );
});
after(async () => {
  await worker?.close();
  await api?.close();
  await sim?.stop();
});

describe('inspections on kube-sim', () => {
  test('RBAC_RISK: the failing checks name exactly the risky bindings written into the cluster (beyond what kube-sim seeded)', async () => {
    const before = await inspect('k8s-lab-01', 'RBAC_RISK');
    assert.equal(before.status, 'SUCCEEDED', before.error);

    await create('k8s-lab-01', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'mallory-is-admin' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'mallory@example.com' }],
    });
    await create('k8s-lab-01', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'default-sa-can-edit', namespace: 'default' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'default' }],
    });
    const afterRun = await inspect('k8s-lab-01', 'RBAC_RISK');
    const added = (id: string) => {
      const was = new Set(findings(check(before, id)));
      return findings(check(afterRun, id)).filter((f) => !was.has(f));
    };
    const admin = check(afterRun, 'rbac.cluster-admin-subjects');
    assert.equal(admin.outcome, 'FAIL');
    assert.equal(admin.severity, 'CRITICAL');
    assert.deepEqual(added('rbac.cluster-admin-subjects'), ['ClusterRoleBinding mallory-is-admin → User mallory@example.com']);
    assert.equal(check(afterRun, 'rbac.default-service-account-bindings').outcome, 'FAIL');
    const sa = added('rbac.default-service-account-bindings');
    assert.equal(sa.length, 1, JSON.stringify(sa));
    assert.match(sa[0], /RoleBinding default\/default-sa-can-edit/);
    // Nothing else changed: every other check reads as before.
    for (const c of afterRun.checks) {
      if (!['rbac.cluster-admin-subjects', 'rbac.default-service-account-bindings'].includes(c.id)) assert.deepEqual(c, check(before, c.id));
    }
  });

  test('DEPRECATED_APIS: the APIs kube-sim reports as requested and the next minor removes FAIL by name; a later target names more', async () => {
    const next = await inspect('k8s-lab-01', 'DEPRECATED_APIS');
    assert.equal(next.status, 'SUCCEEDED', next.error);
    assert.equal(next.targetVersion, 'v1.32', 'the default target is the next minor, and is recorded');
    const failing = next.checks.filter((c: any) => c.outcome === 'FAIL');
    assert.deepEqual(failing.map((c: any) => c.id), ['deprecated-apis.flowcontrol.apiserver.k8s.io.v1beta3.flowschemas']);
    assert.match(failing[0].message, /flowcontrol\.apiserver\.k8s\.io\/v1beta3 flowschemas is still requested, and v1\.32 no longer serves it \(removed in 1\.32\)/);

    const later = await inspect('k8s-lab-01', 'DEPRECATED_APIS', { targetVersion: '1.34' });
    assert.equal(later.targetVersion, 'v1.34');
    assert.deepEqual(
      later.checks.filter((c: any) => c.outcome === 'FAIL').map((c: any) => c.id).sort(),
      ['deprecated-apis.admissionregistration.k8s.io.v1beta1.validatingadmissionpolicies', 'deprecated-apis.flowcontrol.apiserver.k8s.io.v1beta3.flowschemas'],
    );
  });

  test('CONFORMANCE_LITE on EKS: control-plane components the managed control plane hides are SKIP with the reason, never FAIL', async () => {
    const i = await inspect('eks-payments-01', 'CONFORMANCE_LITE');
    assert.equal(i.status, 'SUCCEEDED', i.error);
    const cp = check(i, 'conformance.control-plane-components');
    assert.equal(cp.outcome, 'SKIP');
    assert.match(cp.message, /EKS: the managed control plane is not visible/);
    assert.equal(check(i, 'conformance.api-health').outcome, 'PASS', JSON.stringify(i.checks));
  });

  test('POD_SECURITY: a namespace running a privileged pod FAILs by name', async () => {
    await create('k8s-lab-01', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'sketchy' } });
    await create('k8s-lab-01', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'root-shell', namespace: 'sketchy' },
      spec: { containers: [{ name: 'sh', image: 'busybox:1.36', securityContext: { privileged: true } }] },
    });
    const i = await inspect('k8s-lab-01', 'POD_SECURITY');
    assert.equal(i.status, 'SUCCEEDED', i.error);
    const c = check(i, 'pod-security.sketchy');
    assert.equal(c.outcome, 'FAIL');
    assert.match(c.message, /Namespace sketchy meets privileged/);
    assert.ok(!i.checks.some((x: any) => x.id === 'pod-security.kube-system'), 'system namespaces are exempt');
  });

  test('an unreachable cluster ends the inspection FAILED with the reason, audited', async () => {
    const put = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest(`${sim.url}/_sim/clusters/k8s-down-01/faults`, { method: 'PUT', ca: sim.caPem, headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(JSON.stringify({ down: true }));
    });
    assert.equal(put, 200);
    const i = await inspect('k8s-down-01', 'CONFORMANCE_LITE');
    assert.equal(i.status, 'FAILED');
    assert.match(i.error, /^could not inspect cluster k8s-down-01: /);
    assert.deepEqual(i.checks, []);
    const audit = await db.query(`SELECT action, outcome FROM audit_events WHERE target_id = $1 ORDER BY id`, [i.id]);
    assert.deepEqual(audit, [
      { action: 'inspection.run', outcome: 'SUCCESS' },
      { action: 'inspection.failed', outcome: 'FAILURE' },
    ]);
  });
});
