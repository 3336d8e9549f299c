import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from '@flotilla/testing';
import { type ManagementOffers, type ProvisionSpec, manifestsYaml, renderClusterManifests, resolveProvisionSpec } from './cluster-manifests';
import { assessProvisioning } from './cluster-progress';
import { parseAdminKubeconfig } from './admin-kubeconfig';

const OFFERS: ManagementOffers = {
  versions: ['v1.30.8+vmware.1', 'v1.31.4+vmware.1'],
  vmClasses: ['best-effort-small', 'best-effort-medium', 'guaranteed-large'],
  storageClasses: ['vsan-default-storage-policy', 'gold-storage-policy'],
};

const SPEC: ProvisionSpec = {
  name: 'tkg-dev-01',
  namespace: 'tkg-dev',
  version: 'v1.31.4+vmware.1',
  controlPlaneReplicas: 3,
  vmClass: 'best-effort-medium',
  storageClass: 'vsan-default-storage-policy',
  workers: [
    { name: 'general', replicas: 3 },
    { name: 'memory', replicas: 2, vmClass: 'guaranteed-large' },
  ],
  labels: { env: 'dev', team: 'payments' },
};

/** Golden files pin the rendered YAML; UPDATE_GOLDEN=1 rewrites them (review the diff against upstream v1beta1 types). */
function golden(name: string, actual: string): void {
  const file = join(repoRoot(), 'libs/provisioning/src/testdata', name);
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  assert.ok(existsSync(file), `${file} is missing: run with UPDATE_GOLDEN=1 once`);
  assert.equal(actual, readFileSync(file, 'utf8'), `${name} changed: review it, then UPDATE_GOLDEN=1`);
}

function render(spec: ProvisionSpec) {
  const r = resolveProvisionSpec(spec, OFFERS);
  assert.ok('spec' in r, JSON.stringify(r));
  return renderClusterManifests(r.spec);
}

test('a two-pool spec renders one topology Cluster (golden)', () => {
  const objects = render(SPEC);
  golden('two-pools.yaml', manifestsYaml(objects));
  const [cluster] = objects as any[];
  assert.equal(cluster.apiVersion, 'cluster.x-k8s.io/v1beta1');
  assert.equal(cluster.spec.topology.class, 'tanzukubernetescluster');
  assert.equal(cluster.spec.topology.controlPlane.replicas, 3);
  assert.deepEqual(cluster.spec.topology.workers.machineDeployments.map((m: any) => [m.name, m.replicas, m.variables?.overrides?.[0]?.value ?? null]), [['general', 3, null], ['memory', 2, 'guaranteed-large']]);
  assert.equal(cluster.metadata.labels['app.kubernetes.io/managed-by'], 'flotilla');
});

test('defaults: namespace default, one control-plane node (golden)', () => {
  const yaml = manifestsYaml(render({ name: 'small', version: 'v1.30.8+vmware.1', vmClass: 'best-effort-small', storageClass: 'gold-storage-policy', workers: [{ name: 'np', replicas: 1 }] }));
  golden('defaults.yaml', yaml);
  const docs = parseAllDocuments(yaml).map((d) => d.toJSON());
  assert.equal(docs.length, 1);
  assert.equal(docs[0].metadata.namespace, 'default');
  assert.equal(docs[0].spec.topology.controlPlane.replicas, 1);
});

test('unknown offers are refused naming the field and listing what is offered', () => {
  const r = resolveProvisionSpec({ ...SPEC, version: 'v1.99.0', vmClass: 'huge', workers: [{ name: 'a', replicas: 1 }, { name: 'b', replicas: 1, vmClass: 'gpu-xl' }], storageClass: 'platinum' }, OFFERS);
  assert.ok('problems' in r);
  const byField = Object.fromEntries(r.problems.map((p) => [p.field, p.message]));
  assert.match(byField['input.version'], /offered: v1\.30\.8\+vmware\.1, v1\.31\.4\+vmware\.1/);
  assert.match(byField['input.vmClass'], /"huge" is not a VM class .*offered: best-effort-medium, best-effort-small, guaranteed-large/);
  assert.match(byField['input.workers[1].vmClass'], /"gpu-xl" is not a VM class/);
  assert.match(byField['input.storageClass'], /"platinum" is not a storage class .*gold-storage-policy, vsan-default-storage-policy/);
});

test('names, replica bounds and pools are checked', () => {
  const r = resolveProvisionSpec({ ...SPEC, name: 'Bad_Name', controlPlaneReplicas: 2, workers: [{ name: 'a', replicas: -1 }, { name: 'a', replicas: 101 }] }, OFFERS);
  assert.ok('problems' in r);
  const fields = r.problems.map((p) => p.field).sort();
  assert.deepEqual(fields, ['input.controlPlaneReplicas', 'input.name', 'input.workers[0].replicas', 'input.workers[1].name', 'input.workers[1].replicas']);
  const none = resolveProvisionSpec({ ...SPEC, workers: [] }, OFFERS);
  assert.ok('problems' in none && none.problems[0].field === 'input.workers');
  const long = resolveProvisionSpec({ ...SPEC, name: 'a'.repeat(41) }, OFFERS);
  assert.ok('problems' in long && long.problems[0].field === 'input.name');
});

test('progress: waiting, control plane ready, failed on a severity-Error condition', () => {
  assert.equal(assessProvisioning(undefined).state, 'waiting');
  assert.equal(assessProvisioning({ phase: 'Provisioning', conditions: [{ type: 'ControlPlaneReady', status: 'False', reason: 'WaitingForControlPlane' }] }).state, 'waiting');
  assert.equal(assessProvisioning({ phase: 'Provisioned', conditions: [{ type: 'ControlPlaneReady', status: 'True' }] }).state, 'controlPlaneReady');
  const failed = assessProvisioning({ phase: 'Provisioning', conditions: [{ type: 'InfrastructureReady', status: 'False', severity: 'Error', reason: 'ProvisioningFailed', message: 'VM could not be powered on' }] });
  assert.deepEqual(failed, { state: 'failed', reason: 'InfrastructureReady (ProvisioningFailed): VM could not be powered on' });
  assert.equal(assessProvisioning({ conditions: [{ type: 'Ready', status: 'False', severity: 'Warning', message: 'slow' }] }).state, 'waiting');
});

test('the admin kubeconfig gives the server, token and CA', () => {
  const kc = ['apiVersion: v1', 'kind: Config', 'clusters:', '- name: c', '  cluster:', '    server: https://127.0.0.1:6443/clusters/x/', `    certificate-authority-data: ${Buffer.from('PEM').toString('base64')}`, 'users:', '- name: u', '  user:', '    token: abc', 'contexts:', '- name: c', '  context: {cluster: c, user: u}', 'current-context: c', ''].join('\n');
  assert.deepEqual(parseAdminKubeconfig(kc), { server: 'https://127.0.0.1:6443/clusters/x', token: 'abc', caPem: 'PEM', insecureSkipTlsVerify: false });
  assert.throws(() => parseAdminKubeconfig('clusters: []'), /no API server/);
});
