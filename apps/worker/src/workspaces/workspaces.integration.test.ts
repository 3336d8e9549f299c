import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { INestApplicationContext } from '@nestjs/common';
import { ClusterClient } from '@flotilla/cluster-access';
import { eventually } from '@flotilla/testing';
import { isolatedEnv } from '@flotilla/testing/isolated-database';
import { ApiHarness, startApiHarness } from '../../../api/src/testing/api-test-harness';
import { startKubeSim, KubeSim } from '../../../kube-sim/src';
import { fallbackGenerateCluster } from '../../../kube-sim/src/fleet/fallback-content';
import { startWorkerHarness } from '../testing/worker-test-harness';

// Workspaces end to end: GraphQL, the outbox, BullMQ, the worker's scan and ENFORCE on kube-sim.
// ws-a and ws-b hold workspace "alpha"'s namespaces; ws-c holds "beta"'s.
const CLUSTERS = ['ws-a', 'ws-b', 'ws-c'];

let sim: KubeSim;
let api: ApiHarness;
let worker: INestApplicationContext;
const isolated = isolatedEnv('workspaces');

const admin = (cluster: string) => ClusterClient.direct({ apiServerUrl: sim.clusterUrl(cluster), token: sim.adminToken(cluster), caPem: sim.caPem ?? null }, { timeoutMs: 5000 });
const privileged = (ns: string, name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec: { containers: [{ name: 'app', image: 'registry.example.com/a:1', securityContext: { privileged: true } }] } });
const namespace = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });

async function ok<T = any>(query: string, variables: Record<string, unknown>, token: string): Promise<T> {
  const r = await api.gql<T>(query, variables, token);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data as T;
}
async function refused(query: string, variables: Record<string, unknown>, token: string): Promise<{ code?: string; field?: string; message: string }> {
  const r = await api.gql(query, variables, token);
  assert.ok(r.errors?.length, `expected a refusal, got ${JSON.stringify(r.data)}`);
  return { code: r.errors![0].extensions?.code, field: r.errors![0].extensions?.field, message: r.errors![0].message };
}

async function attach(token: string, cluster: string): Promise<string> {
  const d = await ok(
    `mutation($input: AttachClusterInput!) { attachCluster(input: $input) { id } }`,
    { input: { name: cluster, apiServerUrl: sim.clusterUrl(cluster), token: sim.adminToken(cluster), caData: Buffer.from(sim.caPem ?? '').toString('base64') } },
    token,
  );
  return d.attachCluster.id;
}

const ADD = `mutation AddWorkspaceNamespace($input: WorkspaceNamespaceInput!) { addWorkspaceNamespace(input: $input) { id namespaces { cluster { id name } namespace } } }`;

async function policy(token: string, name: string, mode: string, scope: Record<string, unknown>): Promise<string> {
  const d = await ok(`mutation($input: CreatePolicyInput!) { createPolicy(input: $input) { id scope { kind workspace { id name } } } }`, { input: { name, type: 'SECURITY', mode, spec: { level: 'baseline' }, scope } }, token);
  return d.createPolicy.id;
}

async function scanToEnd(token: string) {
  const d = await ok(`mutation { runComplianceScan(input: {}) { id } }`, {}, token);
  await eventually(
    () => api.gql(`query($id: ID!) { scan(id: $id) { status } }`, { id: d.runComplianceScan.id }, token),
    (x) => x.data?.scan?.status === 'SUCCEEDED',
    { timeoutMs: 90_000, what: 'the scan to end' },
  );
}

type Violation = { kind: string; namespace: string | null; name: string };
async function violations(token: string, clusterId: string): Promise<{ compliance: { status: string; violationCount: number }; byPolicy: Record<string, string[]> } | null> {
  const d = await ok(
    `query($id: ID!) { cluster(id: $id) { compliance { status violationCount } policyResults { policy { name } violations { kind namespace name } } } }`,
    { id: clusterId },
    token,
  );
  if (!d.cluster) return null;
  return {
    compliance: d.cluster.compliance,
    byPolicy: Object.fromEntries(d.cluster.policyResults.map((r: { policy: { name: string }; violations: Violation[] }) => [r.policy.name, r.violations.map((v) => `${v.namespace}/${v.name}`)])),
  };
}

const ids: Record<string, string> = {};
let org: { organizationId: string; token: string };
let alpha: string;
let beta: string;

before(async () => {
  sim = await startKubeSim({ clusters: CLUSTERS.map((name) => ({ name, flavor: 'generic' as const })), generateCluster: fallbackGenerateCluster, tls: true });
  api = await startApiHarness({ ...isolated.env, FLOTILLA_KUBE_TIMEOUT_MS: '3000', FLOTILLA_SYNC_INTERVAL_SECONDS: '3600' });
  worker = await startWorkerHarness(api.config);
  for (const c of CLUSTERS) {
    const k = admin(c);
    for (const ns of ['team-a', 'team-b']) {
      await k.create(namespace(ns));
      await k.create(privileged(ns, `priv-${ns}`));
    }
  }
  org = await api.newOrganization();
  for (const c of CLUSTERS) ids[c] = await attach(org.token, c);
  alpha = (await ok(`mutation CreateWorkspace($input: CreateWorkspaceInput!) { createWorkspace(input: $input) { id name } }`, { input: { name: 'alpha', description: 'team alpha' } }, org.token)).createWorkspace.id;
  beta = (await ok(`mutation CreateWorkspace($input: CreateWorkspaceInput!) { createWorkspace(input: $input) { id name } }`, { input: { name: 'beta' } }, org.token)).createWorkspace.id;
  await ok(ADD, { input: { workspaceId: alpha, clusterId: ids['ws-a'], namespace: 'team-a' } }, org.token);
  await ok(ADD, { input: { workspaceId: alpha, clusterId: ids['ws-b'], namespace: 'team-a' } }, org.token);
  // Not on the cluster yet: ENFORCE creates it.
  await ok(ADD, { input: { workspaceId: alpha, clusterId: ids['ws-b'], namespace: 'team-new' } }, org.token);
  await ok(ADD, { input: { workspaceId: beta, clusterId: ids['ws-c'], namespace: 'team-b' } }, org.token);
});
after(async () => {
  await worker?.close();
  await api?.close();
  await sim?.stop();
  await isolated.drop();
});

describe('workspaces', () => {
  test('workspaces list their namespaces by cluster; bad input names its field; only an ADMIN changes them, audited', async () => {
    const d = await ok(`query Workspaces { workspaces { id name description namespaces { cluster { id name } namespace } } }`, {}, org.token);
    const a = d.workspaces.find((w: { id: string }) => w.id === alpha);
    assert.deepEqual(
      a.namespaces.map((n: { cluster: { name: string }; namespace: string }) => `${n.cluster.name}/${n.namespace}`),
      ['ws-a/team-a', 'ws-b/team-a', 'ws-b/team-new'],
    );
    assert.equal(a.description, 'team alpha');
    // Adding again is a no-op.
    const again = await ok(ADD, { input: { workspaceId: alpha, clusterId: ids['ws-a'], namespace: 'team-a' } }, org.token);
    assert.equal(again.addWorkspaceNamespace.namespaces.length, 3);

    assert.deepEqual(await refused(ADD, { input: { workspaceId: alpha, clusterId: ids['ws-a'], namespace: 'kube-system' } }, org.token).then((e) => [e.code, e.field]), ['BAD_USER_INPUT', 'input.namespace']);
    assert.deepEqual(await refused(ADD, { input: { workspaceId: alpha, clusterId: ids['ws-a'], namespace: 'Not_A_Label' } }, org.token).then((e) => [e.code, e.field]), ['BAD_USER_INPUT', 'input.namespace']);
    const other = await api.newOrganization();
    assert.deepEqual(await refused(ADD, { input: { workspaceId: alpha, clusterId: ids['ws-a'], namespace: 'x' } }, other.token).then((e) => e.code), 'NOT_FOUND', "another organization's workspace is missing");
    const otherWs = (await ok(`mutation($input: CreateWorkspaceInput!) { createWorkspace(input: $input) { id } }`, { input: { name: 'alpha' } }, other.token)).createWorkspace.id;
    assert.deepEqual(await refused(ADD, { input: { workspaceId: otherWs, clusterId: ids['ws-a'], namespace: 'x' } }, other.token).then((e) => [e.code, e.field]), ['BAD_USER_INPUT', 'input.clusterId'], "another organization's cluster is missing");
    assert.equal((await refused(`mutation { createWorkspace(input: { name: "alpha" }) { id } }`, {}, org.token)).code, 'CONFLICT');

    const viewer = (await ok(`mutation { createApiToken(input: { name: "plain-viewer", role: VIEWER }) { token } }`, {}, org.token)).createApiToken.token;
    assert.equal((await refused(`mutation { createWorkspace(input: { name: "gamma" }) { id } }`, {}, viewer)).code, 'FORBIDDEN');

    const audit = await ok(`{ auditEvents(first: 100) { edges { node { action targetId } } } }`, {}, org.token);
    const actions = audit.auditEvents.edges.map((e: { node: { action: string; targetId: string } }) => e.node).filter((n: { targetId: string }) => n.targetId === alpha).map((n: { action: string }) => n.action);
    assert.deepEqual(actions.sort(), ['workspace.addNamespace', 'workspace.addNamespace', 'workspace.addNamespace', 'workspace.create']);
  });

  test("a SECURITY policy on a workspace flags only that workspace's namespaces; ENFORCE creates the missing one, labelled Flotilla's", async () => {
    await policy(org.token, 'alpha-pss', 'AUDIT', { kind: 'WORKSPACE', workspaceId: alpha });
    await policy(org.token, 'org-pss', 'AUDIT', { kind: 'ORGANIZATION' });
    const enforceId = await policy(org.token, 'alpha-enforce', 'ENFORCE', { kind: 'WORKSPACE', workspaceId: alpha });
    assert.equal((await refused(`mutation($input: CreatePolicyInput!) { createPolicy(input: $input) { id } }`, { input: { name: 'bad', type: 'SECURITY', mode: 'AUDIT', spec: { level: 'baseline' }, scope: { kind: 'WORKSPACE' } } }, org.token)).field, 'input.scope.workspaceId');
    await scanToEnd(org.token);

    const a = (await violations(org.token, ids['ws-a']))!;
    assert.deepEqual(a.byPolicy['alpha-pss'], ['team-a/priv-team-a']);
    assert.deepEqual(a.byPolicy['org-pss'], ['team-a/priv-team-a', 'team-b/priv-team-b']);
    const b = (await violations(org.token, ids['ws-b']))!;
    assert.deepEqual(b.byPolicy['alpha-pss'], ['team-a/priv-team-a']);
    const c = (await violations(org.token, ids['ws-c']))!;
    assert.equal(c.byPolicy['alpha-pss'], undefined, 'no namespace of alpha on ws-c: the policy does not apply there');

    // ENFORCE created team-new on ws-b (and only there), labelled as Flotilla's, with the Pod Security labels.
    const created = await admin('ws-b').get('Namespace', 'team-new');
    assert.ok(created, 'team-new exists on ws-b');
    assert.equal(created.metadata.labels?.['app.kubernetes.io/managed-by'], 'flotilla');
    assert.equal(created.metadata.annotations?.['flotilla.io/workspace-id'], alpha);
    assert.equal(created.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'baseline');
    assert.equal((await admin('ws-b').get('Namespace', 'team-a'))?.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'baseline');
    assert.equal((await admin('ws-b').get('Namespace', 'team-b'))?.metadata.labels?.['pod-security.kubernetes.io/enforce'], undefined, 'outside the workspace: untouched');
    assert.equal(await admin('ws-a').get('Namespace', 'team-new'), null, 'not a namespace of alpha on ws-a');

    // Deleting the policy never deletes the namespace it created (it may hold workloads by now).
    await ok(`mutation($id: ID!) { deletePolicy(id: $id) }`, { id: enforceId }, org.token);
    await eventually(
      () => api.gql(`{ auditEvents(first: 100) { edges { node { action targetId } } } }`, {}, org.token),
      (x) => x.data?.auditEvents.edges.some((e: { node: { action: string; targetId: string } }) => e.node.action === 'policy.cleanup' && e.node.targetId === enforceId),
      { timeoutMs: 60_000, what: 'the cleanup of the deleted policy' },
    );
    assert.ok(await admin('ws-b').get('Namespace', 'team-new'), 'team-new is still there');
  });

  test('a workspace-restricted VIEWER token sees only its clusters and namespaces; another workspace answers like missing', async () => {
    const token = (await ok(`mutation CreateApiToken($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id name role expiresAt } } }`, { input: { name: 'alpha-viewer', role: 'VIEWER', workspaceId: alpha } }, org.token)).createApiToken.token;
    const list = await ok(`{ clusters { totalCount edges { node { id name } } } fleetSummary { clusterCount byStatus { count } compliance { nonCompliantClusters violationCount } } }`, {}, token);
    assert.equal(list.clusters.totalCount, 2);
    assert.deepEqual(list.clusters.edges.map((e: { node: { name: string } }) => e.node.name), ['ws-a', 'ws-b']);
    assert.equal(list.fleetSummary.clusterCount, 2);
    assert.equal(list.fleetSummary.byStatus.reduce((n: number, s: { count: number }) => n + s.count, 0), 2);
    assert.equal(await violations(token, ids['ws-c']), null, 'another cluster is null, like a missing one');

    // Findings outside the workspace's namespaces are left out, counts included.
    const a = (await violations(token, ids['ws-a']))!;
    assert.deepEqual(a.byPolicy['org-pss'], ['team-a/priv-team-a']);
    assert.deepEqual(a.byPolicy['alpha-pss'], ['team-a/priv-team-a']);
    assert.deepEqual(a.compliance, { status: 'NON_COMPLIANT', violationCount: 2 });
    // The compliance filter uses what the token is shown: ws-c (not its) never; both of its clusters are non-compliant in its namespaces.
    const filtered = await ok(`{ clusters(filter: { complianceStatuses: [NON_COMPLIANT] }) { totalCount edges { node { name } } } }`, {}, token);
    assert.deepEqual(filtered.clusters.edges.map((e: { node: { name: string } }) => e.node.name), ['ws-a', 'ws-b']);
    assert.equal((await ok(`{ clusters(filter: { complianceStatuses: [COMPLIANT, UNKNOWN] }) { totalCount } }`, {}, token)).clusters.totalCount, 0);
    const unrestricted = (await violations(org.token, ids['ws-a']))!;
    assert.deepEqual(unrestricted.byPolicy['org-pss'], ['team-a/priv-team-a', 'team-b/priv-team-b'], 'the organization token still sees team-b');
    // The deleted ENFORCE policy left the roll-up: org-pss 2 + alpha-pss 1.
    assert.equal(unrestricted.compliance.violationCount, 3);
    assert.equal(list.fleetSummary.compliance.violationCount, 2 + 2, 'ws-a: 2 visible; ws-b: team-a under both policies');

    const ws = await ok(`{ workspaces { id name } viewer { role workspace { name } } }`, {}, token);
    assert.deepEqual(ws.workspaces.map((w: { name: string }) => w.name), ['alpha']);
    assert.deepEqual(ws.viewer, { role: 'VIEWER', workspace: { name: 'alpha' } });
    assert.equal((await ok(`{ viewer { workspace { name } } }`, {}, org.token)).viewer.workspace, null);
    for (const q of ['{ policies { id } }', '{ scans { totalCount } }', '{ auditEvents { edges { cursor } } }', '{ clusterGroups { id } }']) {
      assert.equal((await refused(q, {}, token)).code, 'FORBIDDEN', q);
    }
    // An inspection of another cluster is invisible.
    const inspection = (await ok(`mutation($input: RunInspectionInput!) { runInspection(input: $input) { id } }`, { input: { clusterId: ids['ws-c'], kind: 'CONFORMANCE_LITE' } }, org.token)).runInspection.id;
    assert.equal((await ok(`query($id: ID!) { inspection(id: $id) { id } }`, { id: inspection }, token)).inspection, null);
  });

  test('a workspace-restricted token cannot act elsewhere: other clusters answer NOT_FOUND, organization-wide mutations are refused', async () => {
    const operator = (await ok(`mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`, { input: { name: 'alpha-operator', role: 'OPERATOR', workspaceId: alpha } }, org.token)).createApiToken.token;
    const inspect = `mutation($input: RunInspectionInput!) { runInspection(input: $input) { id cluster { name } } }`;
    assert.equal((await refused(inspect, { input: { clusterId: ids['ws-c'], kind: 'CONFORMANCE_LITE' } }, operator)).code, 'NOT_FOUND', 'another cluster is missing');
    assert.equal((await ok(inspect, { input: { clusterId: ids['ws-a'], kind: 'CONFORMANCE_LITE' } }, operator)).runInspection.cluster.name, 'ws-a');
    // A whole cluster is not the workspace's: the same refusal for its own clusters and others (nothing revealed).
    for (const id of [ids['ws-a'], ids['ws-c']]) {
      assert.equal((await refused(`mutation($id: ID!) { updateCluster(id: $id, input: { labels: [] }) { id } }`, { id }, operator)).code, 'FORBIDDEN');
      assert.equal((await refused(`mutation($id: ID!) { detachCluster(id: $id) { id } }`, { id }, operator)).code, 'FORBIDDEN');
      assert.equal((await refused(`mutation($input: StartUpgradeInput!) { startUpgrade(input: $input) { id } }`, { input: { clusterId: id, targetVersion: 'v1.31.0' } }, operator)).code, 'FORBIDDEN');
    }
    assert.equal((await ok(`query($id: ID!) { cluster(id: $id) { status } }`, { id: ids['ws-a'] }, org.token)).cluster.status === 'DETACHED', false);
    assert.equal((await refused(`mutation { runComplianceScan(input: {}) { id } }`, {}, operator)).code, 'FORBIDDEN');
    assert.equal(
      (await refused(`mutation($input: AttachClusterInput!) { attachCluster(input: $input) { id } }`, { input: { name: 'x', apiServerUrl: 'https://x.invalid', token: 't', useSystemTrustRoots: true } }, operator)).code,
      'FORBIDDEN',
    );

    const wsAdmin = (await ok(`mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`, { input: { name: 'alpha-admin', role: 'ADMIN', workspaceId: alpha } }, org.token)).createApiToken.token;
    const createToken = `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { workspaceId } } }`;
    assert.deepEqual(await refused(createToken, { input: { name: 'for-beta', workspaceId: beta } }, wsAdmin).then((e) => [e.code, e.field]), ['BAD_USER_INPUT', 'input.workspaceId']);
    assert.equal((await ok(createToken, { input: { name: 'own' } }, wsAdmin)).createApiToken.apiToken.workspaceId, alpha, 'its tokens stay in its workspace');
    assert.equal((await refused(`mutation($input: CreatePolicyInput!) { createPolicy(input: $input) { id } }`, { input: { name: 'p', type: 'SECURITY', mode: 'AUDIT', spec: { level: 'baseline' }, scope: { kind: 'ORGANIZATION' } } }, wsAdmin)).code, 'FORBIDDEN');
    assert.equal((await refused(`mutation { createWorkspace(input: { name: "mine" }) { id } }`, {}, wsAdmin)).code, 'FORBIDDEN');
    assert.equal((await refused(ADD, { input: { workspaceId: alpha, clusterId: ids['ws-c'], namespace: 'grab' } }, wsAdmin)).code, 'FORBIDDEN');
    assert.equal((await refused(`{ apiTokens { id } }`, {}, wsAdmin)).code, 'FORBIDDEN');

    // A workspace in use cannot be deleted; the refusal names what holds it.
    const e = await refused(`mutation($id: ID!) { deleteWorkspace(id: $id) { id } }`, { id: alpha }, org.token);
    assert.equal(e.code, 'FAILED_PRECONDITION');
    assert.match(e.message, /alpha-pss/);
    assert.match(e.message, /alpha-viewer/);
  });
});
