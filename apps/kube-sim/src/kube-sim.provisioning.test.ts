import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { eventually } from '@flotilla/testing';
import { type KubeSim, startKubeSim } from './kube-sim.server';
import { adminRequest, rawRequest } from './testing/kube-sim.test-helper';

const MGMT = 'supervisor-01';
let sim: KubeSim;

before(async () => {
  sim = await startKubeSim({ clusters: [{ name: MGMT, flavor: 'management' }], rolloutStepMs: 50 });
  const ns = await adminRequest(sim, MGMT, '/api/v1/namespaces', { method: 'POST', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tkg-workloads' } } });
  assert.equal(ns.status, 201, ns.text);
});
after(() => sim.stop());

function clusterBody(name: string, namespace: string, version = 'v1.31.4+vmware.1-tkg.1') {
  return {
    apiVersion: 'cluster.x-k8s.io/v1beta1',
    kind: 'Cluster',
    metadata: { name, namespace },
    spec: {
      clusterNetwork: { pods: { cidrBlocks: ['192.168.0.0/16'] }, services: { cidrBlocks: ['10.96.0.0/12'] } },
      topology: {
        class: 'tanzukubernetescluster',
        version,
        controlPlane: { replicas: 3 },
        workers: { machineDeployments: [{ class: 'node-pool', name: 'np-1', replicas: 2 }, { class: 'node-pool', name: 'np-2', replicas: 1 }] },
        variables: [{ name: 'vmClass', value: 'best-effort-small' }, { name: 'storageClass', value: 'vsan-default-storage-policy' }],
      },
    },
  };
}

const clusterPath = (ns: string, name = '') => `/apis/cluster.x-k8s.io/v1beta1/namespaces/${ns}/clusters${name ? `/${name}` : ''}`;

test('a management cluster serves its VM classes and storage classes', async () => {
  const vm = await adminRequest(sim, MGMT, '/apis/vmoperator.vmware.com/v1alpha1/virtualmachineclasses');
  assert.equal(vm.status, 200, vm.text);
  assert.ok(vm.json.items.some((c: any) => c.metadata.name === 'best-effort-small' && c.spec.hardware.cpus === 2));
  const sc = await adminRequest(sim, MGMT, '/apis/storage.k8s.io/v1/storageclasses');
  assert.ok(sc.json.items.some((c: any) => c.metadata.name === 'vsan-default-storage-policy' && c.provisioner === 'csi.vsphere.vmware.com'));
});

test('a Cluster with a topology provisions a workload cluster, writes its kubeconfig, and deletion removes it', async () => {
  const ns = 'tkg-workloads';
  const created = await adminRequest(sim, MGMT, clusterPath(ns), { method: 'POST', body: clusterBody('tkg-new-01', ns) });
  assert.equal(created.status, 201, created.text);
  const phases = new Set<string>();
  const provisioned = await eventually(async () => {
    const c = await adminRequest(sim, MGMT, clusterPath(ns, 'tkg-new-01'));
    phases.add(c.json.status?.phase);
    return c.json.status?.phase === 'Provisioned' && c.json.status.conditions.find((x: any) => x.type === 'Ready')?.status === 'True' ? c.json : undefined;
  }, (v) => v !== undefined, { timeoutMs: 20_000 });
  assert.ok(phases.has('Provisioning') || phases.size >= 1);
  assert.equal(provisioned.status.conditions.find((x: any) => x.type === 'ControlPlaneReady').status, 'True');
  assert.deepEqual(provisioned.metadata.finalizers, ['cluster.cluster.x-k8s.io']);

  const summary = (await rawRequest(sim, '/_sim/clusters/tkg-new-01')).json;
  assert.equal(summary.nodes, 6);
  assert.equal(summary.version, 'v1.31.4+vmware.1');
  assert.equal(summary.provisionedBy, MGMT);

  const secret = await adminRequest(sim, MGMT, `/api/v1/namespaces/${ns}/secrets/tkg-new-01-kubeconfig`);
  assert.equal(secret.status, 200);
  const kubeconfig = parse(Buffer.from(secret.json.data.value, 'base64').toString('utf8'));
  const token = kubeconfig.users[0].user.token as string;
  const nodes = await rawRequest(sim, '/clusters/tkg-new-01/api/v1/nodes', { token });
  assert.equal(nodes.status, 200);
  assert.equal(nodes.json.items.length, 6);
  assert.ok(nodes.json.items.every((n: any) => n.spec.providerID.startsWith('vsphere://')));
  assert.ok(nodes.json.items.every((n: any) => n.status.conditions.find((c: any) => c.type === 'Ready').status === 'True'), 'fresh machines are Ready');
  assert.equal(nodes.json.items.filter((n: any) => 'node-role.kubernetes.io/control-plane' in n.metadata.labels).length, 3);

  const del = await adminRequest(sim, MGMT, clusterPath(ns, 'tkg-new-01'), { method: 'DELETE' });
  assert.equal(del.status, 200);
  assert.ok(del.json.metadata.deletionTimestamp, 'the Cluster is marked for deletion first');
  await eventually(async () => ((await adminRequest(sim, MGMT, clusterPath(ns, 'tkg-new-01'))).status === 404 ? true : undefined), (v) => v === true, { timeoutMs: 20_000 });
  assert.equal((await rawRequest(sim, '/_sim/clusters/tkg-new-01')).status, 404);
  assert.equal((await adminRequest(sim, MGMT, `/api/v1/namespaces/${ns}/secrets/tkg-new-01-kubeconfig`)).status, 404);
});

test('provisionFail fails provisioning with a severity-Error condition; an unknown release fails too', async () => {
  const ns = 'tkg-workloads';
  await rawRequest(sim, `/_sim/clusters/${MGMT}/faults`, { method: 'PUT', body: { provisionFail: true } });
  try {
    assert.equal((await adminRequest(sim, MGMT, clusterPath(ns), { method: 'POST', body: clusterBody('tkg-doomed-01', ns) })).status, 201);
    const failed = await eventually(async () => {
      const c = await adminRequest(sim, MGMT, clusterPath(ns, 'tkg-doomed-01'));
      return c.json.status?.phase === 'Failed' ? c.json : undefined;
    }, (v) => v !== undefined, { timeoutMs: 20_000 });
    const ready = failed.status.conditions.find((c: any) => c.type === 'Ready');
    assert.equal(ready.severity, 'Error');
    assert.match(ready.message, /failed to provision/);
    assert.equal((await rawRequest(sim, '/_sim/clusters/tkg-doomed-01')).status, 404);
  } finally {
    await rawRequest(sim, `/_sim/clusters/${MGMT}/faults`, { method: 'PUT', body: {} });
  }
  assert.equal((await adminRequest(sim, MGMT, clusterPath(ns), { method: 'POST', body: clusterBody('tkg-unknown-01', ns, 'v1.99.0') })).status, 201);
  const unresolved = await eventually(async () => {
    const c = await adminRequest(sim, MGMT, clusterPath(ns, 'tkg-unknown-01'));
    return c.json.status?.phase === 'Failed' ? c.json : undefined;
  }, (v) => v !== undefined, { timeoutMs: 20_000 });
  assert.equal(unresolved.status.failureReason, 'TKRResolutionFailed');
});
