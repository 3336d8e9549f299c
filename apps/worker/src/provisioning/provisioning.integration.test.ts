import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { INestApplicationContext } from '@nestjs/common';
import { KubeConfig } from '@kubernetes/client-node';
import { DataSource } from 'typeorm';
import { parseAllDocuments } from 'yaml';
import { eventually } from '@flotilla/testing';
import { ClusterClient } from '@flotilla/cluster-access';
import { DATA_SOURCE } from '@flotilla/infrastructure';
import { ApiHarness, startApiHarness } from '../../../api/src/testing/api-test-harness';
import { ensureAgentIdentity } from '../../../cli/src/kube-attach';
import { parseClusterSpec, provisionInput } from '../../../cli/src/cluster-spec';
import { ClusterSpec, KubeSim, startKubeSim } from '../../../kube-sim/src';
import { startWorkerHarness } from '../testing/worker-test-harness';
import { ProvisioningRunnerService } from './provisioning-runner.service';

// Provisioning end to end: API → outbox → worker → kube-sim's Supervisor acting as Cluster API →
// a new simulated cluster, attached with the agent identity (nobody runs attach) and CONNECTED.
// The Supervisor is attached through the CLI's agent identity with the provisioning opt-in, so its
// least-privilege ClusterRole (enforced by kube-sim's RBAC) is proven to allow exactly this.
const MGMT = 'supervisor-01';
const SPECS: ClusterSpec[] = [
  { name: MGMT, flavor: 'management' },
  // Gives the Supervisor its "tkg-prod" vSphere Namespace.
  { name: 'tkg-prod-01', flavor: 'vsphere', version: 'v1.30.4+vmware.1', nodes: 2, managedBy: MGMT },
];

/** What an operator writes (~20 lines): `flotilla cluster create -f spec.yaml` reads the same. */
const SPEC_YAML = `
name: tkg-dev-01
managementCluster: ${MGMT}
namespace: tkg-prod
version: v1.31.4+vmware.1
controlPlane:
  replicas: 3
vmClass: best-effort-medium
storageClass: vsan-default-storage-policy
workers:
  - name: general
    replicas: 3
  - name: memory
    replicas: 2
    vmClass: guaranteed-large
labels:
  env: dev
  team: payments
`;

const ATTACH = `mutation($input: AttachClusterInput!) { attachCluster(input: $input) { id } }`;
const MANAGEMENT = `query ManagementClusters { managementClusters { id name offeredVersions vmClasses storageClasses } }`;
const PREVIEW = `query PreviewClusterManifests($input: ProvisionClusterInput!) { previewClusterManifests(input: $input) { objectCount yaml } }`;
const PROVISION = `mutation ProvisionCluster($input: ProvisionClusterInput!) { provisionCluster(input: $input) { id name status provisioning { phase message managementCluster { id name } } } }`;
const DEPROVISION = `mutation DeprovisionCluster($id: ID!) { deprovisionCluster(id: $id) { id status provisioning { phase } } }`;
const CLUSTER = `query ClusterProvisioning($id: ID!) { cluster(id: $id) { id name status statusReason kubernetesVersion nodeCount provider apiServerUrl provisioning { phase message managementCluster { id name } startedAt finishedAt } } }`;

let sim: KubeSim;
let api: ApiHarness;
let worker: INestApplicationContext;
let db: DataSource;
let managementId: string;

function simRequest(url: string, opts: { method?: string; body?: unknown } = {}): Promise<{ status: number; json: any }> {
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { method: opts.method ?? 'GET', ca: sim.caPem, headers: { accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) } }, (res) => {
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
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

function kube(cluster: string): ClusterClient {
  return ClusterClient.direct({ apiServerUrl: sim.clusterUrl(cluster), token: sim.adminToken(cluster), caPem: sim.caPem ?? null }, { timeoutMs: 5000 });
}

function input(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...provisionInput(parseClusterSpec(SPEC_YAML, 'spec.yaml'), managementId, undefined), ...overrides };
}

async function clusterOf(id: string): Promise<any> {
  const r = await api.gql(CLUSTER, { id });
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data.cluster;
}

before(async () => {
  sim = await startKubeSim({ clusters: SPECS, port: 0, tls: true, seed: 7, rolloutStepMs: 300 });
  api = await startApiHarness({
    FLOTILLA_SYNC_INTERVAL_SECONDS: '2',
    FLOTILLA_PROVISION_POLL_MS: '150',
    FLOTILLA_UPGRADE_FOLLOW_SLICE_SECONDS: '1',
  });
  db = api.app.get(DATA_SOURCE);
  worker = await startWorkerHarness(api.config);
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig(MGMT));
  const agent = await ensureAgentIdentity(kc, undefined, { provisioning: true });
  const r = await api.gql(ATTACH, { input: { name: MGMT, apiServerUrl: agent.apiServerUrl, token: agent.token, caData: agent.caData } });
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  managementId = r.data.attachCluster.id;
  await eventually(() => api.gql(MANAGEMENT), (res) => res.data?.managementClusters?.[0]?.vmClasses?.length > 0, { timeoutMs: 30_000, what: 'the Supervisor synced with its offers' });
});
after(async () => {
  await worker?.close();
  await api?.close();
  await sim?.stop();
});

describe('provisioning through Cluster API on kube-sim', () => {
  test('managementClusters lists the Supervisor with its releases, VM classes and storage classes, read from the cluster', async () => {
    const [m] = (await api.gql(MANAGEMENT)).data.managementClusters;
    assert.equal(m.id, managementId);
    assert.equal(m.name, MGMT);
    assert.ok(m.offeredVersions.includes('v1.31.4+vmware.1'), m.offeredVersions.join());
    assert.deepEqual(m.vmClasses, ['best-effort-large', 'best-effort-medium', 'best-effort-small', 'best-effort-xsmall', 'guaranteed-large', 'guaranteed-medium']);
    assert.deepEqual(m.storageClasses, ['gold-storage-policy', 'vsan-default-storage-policy']);
  });

  test('preview renders the spec into a valid topology Cluster and applies nothing', async () => {
    const r = await api.gql(PREVIEW, { input: input() });
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    const docs = parseAllDocuments(r.data.previewClusterManifests.yaml).map((d) => d.toJSON());
    assert.equal(r.data.previewClusterManifests.objectCount, docs.length);
    const cluster = docs.find((d) => d.kind === 'Cluster');
    assert.equal(cluster.apiVersion, 'cluster.x-k8s.io/v1beta1');
    assert.equal(cluster.spec.topology.controlPlane.replicas, 3);
    assert.deepEqual(cluster.spec.topology.workers.machineDeployments.map((m: any) => m.name), ['general', 'memory']);
    assert.equal(await kube(MGMT).get('Cluster', 'tkg-dev-01', 'tkg-prod'), null, 'preview applies nothing');
  });

  test('a VM class the Supervisor does not offer is refused, naming the field and listing the offered ones', async () => {
    const bad = input();
    (bad.workers as any[])[1].vmClass = 'gpu-xlarge';
    for (const q of [PREVIEW, PROVISION]) {
      const r = await api.gql(q, { input: bad });
      assert.equal(r.errors?.[0].extensions?.code, 'BAD_USER_INPUT');
      assert.equal(r.errors![0].extensions?.field, 'input.workers[1].vmClass');
      assert.match(r.errors![0].message, /"gpu-xlarge" is not a VM class the management cluster offers \(offered: best-effort-large, best-effort-medium, .*guaranteed-medium\)/);
    }
    // The run's database is shared with other test files (the CLI's provision test makes a
    // tkg-dev-01 too): count this organization's rows only.
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM clusters WHERE organization_id = $1 AND name = 'tkg-dev-01'`, [api.organizationId]);
    assert.equal(n, 0, 'nothing recorded');
  });

  test('provision → the new cluster appears in kube-sim, is attached with the agent identity and CONNECTED with the asked nodes and version; deprovision removes it', async () => {
    const r = await api.gql(PROVISION, { input: input() });
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    const created = r.data.provisionCluster;
    assert.equal(created.status, 'PENDING');
    assert.equal(created.provisioning.phase, 'PROVISIONING');
    assert.equal(created.provisioning.managementCluster.name, MGMT);

    // Two more runners of the same job (a stalled job re-run, a second replica) at once: still one apply, one attach.
    const runner = worker.get(ProvisioningRunnerService);
    const ctx = (n: number) => ({ jobId: `rerun-${n}`, attempt: 2, queue: 'provisioning', startedAt: new Date(), lastAttempt: false, signal: new AbortController().signal });
    await Promise.all([runner.run({ organizationId: api.organizationId, clusterId: created.id }, ctx(1)), runner.run({ organizationId: api.organizationId, clusterId: created.id }, ctx(2))]);

    const connected = await eventually(() => clusterOf(created.id), (c) => c.status === 'CONNECTED' || c.provisioning.phase === 'FAILED', { timeoutMs: 60_000, what: 'the provisioned cluster CONNECTED' });
    assert.equal(connected.provisioning.phase, 'RUNNING', JSON.stringify(connected));
    assert.equal(connected.nodeCount, 8, '3 control-plane + 5 worker nodes');
    assert.equal(connected.kubernetesVersion, 'v1.31.4+vmware.1');
    assert.equal(connected.provider, 'VSPHERE');
    assert.equal(connected.apiServerUrl, sim.clusterUrl('tkg-dev-01'));
    assert.ok(connected.provisioning.startedAt && connected.provisioning.finishedAt);

    // kube-sim: the cluster exists, the Cluster object is Flotilla's, and the agent identity is in the new cluster.
    const summary = await simRequest(`${sim.url}/_sim/clusters/tkg-dev-01`);
    assert.equal(summary.status, 200);
    assert.equal(summary.json.provisionedBy, MGMT);
    const capi: any = await kube(MGMT).get('Cluster', 'tkg-dev-01', 'tkg-prod');
    assert.equal(capi.metadata.labels['app.kubernetes.io/managed-by'], 'flotilla');
    assert.equal(capi.status.phase, 'Provisioned');
    assert.ok((await kube('tkg-dev-01').get('ServiceAccount', 'flotilla-agent', 'flotilla-system')) !== null, 'the agent identity was created in the new cluster');
    const nodes = await kube('tkg-dev-01').listNodes();
    assert.ok(nodes.every((n: any) => n.spec.providerID.startsWith('vsphere://')));

    // The stored credential is the agent's short-lived TokenRequest token (not the admin
    // kubeconfig's), stored with its expiry so the worker renews it; no token Secret was made.
    const [blob] = await db.query(`SELECT format, credential_issued_at, credential_expires_at FROM cluster_credentials WHERE cluster_id = $1`, [created.id]);
    assert.equal(blob.format, 2);
    assert.ok(blob.credential_issued_at && blob.credential_expires_at, 'stored with its issue and expiry times');
    const lifeHours = (blob.credential_expires_at.getTime() - blob.credential_issued_at.getTime()) / 3_600_000;
    assert.ok(lifeHours > 23 && lifeHours < 25, `a 24 h token (${lifeHours} h)`);
    assert.equal(await kube('tkg-dev-01').get('Secret', 'flotilla-agent-token', 'flotilla-system'), null, 'no long-lived token Secret');
    assert.ok((await kube('tkg-dev-01').get('RoleBinding', 'flotilla-agent-token-renewal', 'flotilla-system')) !== null, 'the token-renewal RoleBinding exists');
    const actions = (await db.query(`SELECT action FROM audit_events WHERE target_id = $1 ORDER BY at`, [created.id])).map((a: any) => a.action);
    for (const a of ['cluster.provision', 'cluster.provision.apply', 'cluster.provision.attach']) {
      assert.equal(actions.filter((x: string) => x === a).length, 1, `${a} audited exactly once (${actions.join(', ')})`);
    }

    const d = await api.gql(DEPROVISION, { id: created.id });
    assert.equal(d.errors, undefined, JSON.stringify(d.errors));
    assert.equal(d.data.deprovisionCluster.provisioning.phase, 'DELETING');
    const gone = await eventually(() => clusterOf(created.id), (c) => ['DELETED', 'FAILED'].includes(c.provisioning.phase), { timeoutMs: 60_000, what: 'the cluster deprovisioned' });
    assert.equal(gone.provisioning.phase, 'DELETED', JSON.stringify(gone));
    assert.equal(gone.status, 'DETACHED');
    assert.equal((await simRequest(`${sim.url}/_sim/clusters/tkg-dev-01`)).status, 404, 'gone from kube-sim');
    assert.equal(await kube(MGMT).get('Cluster', 'tkg-dev-01', 'tkg-prod'), null);
    const [{ n }] = await db.query(`SELECT count(*)::int AS n FROM cluster_credentials WHERE cluster_id = $1`, [created.id]);
    assert.equal(n, 0, 'no credential kept');
  });

  test('a provisioning fault on the Supervisor ends FAILED with the reason; deprovision cleans up after it', async () => {
    const fault = await simRequest(`${sim.url}/_sim/clusters/${MGMT}/faults`, { method: 'PUT', body: { provisionFail: true } });
    assert.equal(fault.status, 200);
    let id: string;
    try {
      const r = await api.gql(PROVISION, { input: input({ name: 'tkg-doomed-01' }) });
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      id = r.data.provisionCluster.id;
      const failed = await eventually(() => clusterOf(id), (c) => ['FAILED', 'RUNNING'].includes(c.provisioning.phase), { timeoutMs: 60_000, what: 'the provisioning to end' });
      assert.equal(failed.provisioning.phase, 'FAILED', JSON.stringify(failed));
      assert.match(failed.provisioning.message, /Cluster API reports a failure: .*failed to provision/);
      assert.equal(failed.status, 'UNREACHABLE');
      assert.match(failed.statusReason, /^provisioning failed: /);
      assert.equal((await simRequest(`${sim.url}/_sim/clusters/tkg-doomed-01`)).status, 404, 'no workload cluster appeared');
    } finally {
      await simRequest(`${sim.url}/_sim/clusters/${MGMT}/faults`, { method: 'PUT', body: {} });
    }
    const d = await api.gql(DEPROVISION, { id: id! });
    assert.equal(d.errors, undefined, JSON.stringify(d.errors));
    const gone = await eventually(() => clusterOf(id!), (c) => ['DELETED', 'FAILED'].includes(c.provisioning.phase), { timeoutMs: 60_000, what: 'the failed cluster deprovisioned' });
    assert.equal(gone.provisioning.phase, 'DELETED', JSON.stringify(gone));
    assert.equal(await kube(MGMT).get('Cluster', 'tkg-doomed-01', 'tkg-prod'), null);
  });

  test('a control plane not ready by the deadline (deadline_at, PostgreSQL-clocked) ends FAILED saying so', async () => {
    // The Supervisor stops advancing provisioning; the deadline is brought forward instead of waiting 45 minutes.
    assert.equal((await simRequest(`${sim.url}/_sim/clusters/${MGMT}/rollout`, { method: 'PUT', body: { stepMs: 3_600_000 } })).status, 200);
    let id: string;
    try {
      const r = await api.gql(PROVISION, { input: input({ name: 'tkg-slow-01' }) });
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      id = r.data.provisionCluster.id;
      await eventually(() => clusterOf(id), (c) => /Provisioning/.test(c.provisioning.message ?? ''), { timeoutMs: 30_000, what: 'the Cluster applied and followed' });
      await db.query(`UPDATE cluster_provisionings SET deadline_at = now() WHERE cluster_id = $1`, [id]);
      const failed = await eventually(() => clusterOf(id), (c) => c.provisioning.phase !== 'PROVISIONING', { timeoutMs: 30_000, what: 'the deadline to end it' });
      assert.equal(failed.provisioning.phase, 'FAILED');
      assert.match(failed.provisioning.message, /the control plane was not ready within FLOTILLA_PROVISION_TIMEOUT_MINUTES \(45 min\); last observed: Provisioning/);
    } finally {
      await simRequest(`${sim.url}/_sim/clusters/${MGMT}/rollout`, { method: 'PUT', body: { stepMs: 300 } });
    }
    const d = await api.gql(DEPROVISION, { id: id! });
    assert.equal(d.errors, undefined, JSON.stringify(d.errors));
    const gone = await eventually(() => clusterOf(id!), (c) => ['DELETED', 'FAILED'].includes(c.provisioning.phase), { timeoutMs: 60_000, what: 'the slow cluster deprovisioned' });
    assert.equal(gone.provisioning.phase, 'DELETED', JSON.stringify(gone));
  });

  test('deprovision refuses a cluster Flotilla did not provision', async () => {
    const r = await api.gql(DEPROVISION, { id: managementId });
    assert.equal(r.errors?.[0].extensions?.code, 'FAILED_PRECONDITION');
    assert.match(r.errors![0].message, /was not provisioned by Flotilla/);
  });
});
