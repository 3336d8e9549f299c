import assert from 'node:assert/strict';
import { test } from 'node:test';
import { API_SERVER_URL_ANNOTATION, type GeneratedCluster, type KubeObject } from './contract';
import { fleetMix } from './index';
import { parseKubeVersion } from './kube-version';
import { generateFleet, ofKind } from './generation.test-helper';

function byName(fleet: GeneratedCluster[]): Map<string, GeneratedCluster> {
  return new Map(fleet.map((g) => [g.spec.name, g]));
}

const specOf = (o: KubeObject) => o.spec as Record<string, any>;

test('a management cluster holds one Cluster per managed cluster, linked by URL and agreeing on version and sizes', () => {
  const specs = fleetMix(120, 1);
  const fleet = byName(generateFleet(specs, 1));
  for (const mgmt of specs.filter((s) => s.flavor === 'management')) {
    const g = fleet.get(mgmt.name)!;
    const clusters = ofKind(g, 'Cluster');
    const managed = specs.filter((s) => s.managedBy === mgmt.name);
    assert.equal(clusters.length, managed.length);
    assert.ok(managed.length > 0);
    for (const spec of managed) {
      const workload = fleet.get(spec.name)!;
      const c = clusters.find((x) => x.metadata.name === spec.name);
      assert.ok(c, spec.name);
      assert.equal(c.apiVersion, 'cluster.x-k8s.io/v1beta1');
      const url = `https://127.0.0.1:6443/clusters/${spec.name}`;
      assert.equal(c.metadata.annotations?.[API_SERVER_URL_ANNOTATION], url);
      assert.deepEqual(specOf(c).controlPlaneEndpoint, { host: '127.0.0.1', port: 6443 });
      assert.equal(specOf(c).topology.version, workload.spec.version);
      assert.ok(specOf(c).topology.class);
      assert.equal((c.status as { phase: string }).phase, 'Provisioned');
      for (const t of ['Ready', 'ControlPlaneReady']) assert.ok((c.status as { conditions: Array<{ type: string; status: string }> }).conditions.some((x) => x.type === t && x.status === 'True'), t);
      const ns = g.objects.find((o) => o.kind === 'Namespace' && o.metadata.name === c.metadata.namespace);
      assert.ok(ns && (ns.metadata.creationTimestamp ?? '') <= (c.metadata.creationTimestamp ?? ''), 'namespace exists before its Clusters');
      const firstNode = ofKind(workload, 'Node').map((n) => n.metadata.creationTimestamp ?? '').sort()[0];
      assert.ok((c.metadata.creationTimestamp ?? '') < firstNode, `${spec.name}: Cluster object predates its nodes`);
      assert.ok((g.objects.find((o) => o.kind === 'Node')?.metadata.creationTimestamp ?? '') < (c.metadata.creationTimestamp ?? ''), 'the Supervisor is older than its clusters');

      const nodes = ofKind(workload, 'Node');
      const cp = nodes.filter((n) => n.metadata.labels?.['node-role.kubernetes.io/control-plane'] === '');
      assert.equal(specOf(c).topology.controlPlane.replicas, cp.length, `${spec.name} control plane replicas`);
      const mds = ofKind(g, 'MachineDeployment').filter((m) => specOf(m).clusterName === spec.name);
      assert.ok(mds.length === 1 || mds.length === 2);
      assert.equal(mds.reduce((n, m) => n + specOf(m).replicas, 0), workload.spec.nodes);
      const readyWorkers = nodes.filter((n) => !cp.includes(n) && (n.status as { conditions: Array<{ type: string; status: string }> }).conditions.some((x) => x.type === 'Ready' && x.status === 'True'));
      assert.equal(mds.reduce((n, m) => n + (m.status as { readyReplicas: number }).readyReplicas, 0), readyWorkers.length, `${spec.name} ready machines`);
      for (const md of mds) {
        assert.equal(specOf(md).template.spec.version, workload.spec.version);
        // Worker node names start with their MachineDeployment's name, as CAPI names Machines.
        assert.equal(nodes.filter((n) => n.metadata.name.startsWith(`${md.metadata.name}-`)).length, specOf(md).replicas, md.metadata.name);
      }
    }
  }
});

test('TKRs offer every fleet version, a newer patch, the next minor and a skipped-minor target', () => {
  const specs = fleetMix(60, 3);
  const fleet = generateFleet(specs, 3);
  const mgmt = fleet.find((g) => g.spec.flavor === 'management')!;
  const tkrs = ofKind(mgmt, 'TanzuKubernetesRelease');
  assert.ok(tkrs.every((t) => t.apiVersion === 'run.tanzu.vmware.com/v1alpha3' && t.metadata.namespace === undefined));
  for (const t of tkrs) {
    assert.match(t.metadata.name, /^v1\.\d+\.\d+---vmware\.\d+-tkg\.\d+$/);
    assert.equal(specOf(t).version, t.metadata.name.replace('---', '+'));
    for (const type of ['Ready', 'Compatible']) assert.ok((t.status as { conditions: Array<{ type: string; status: string }> }).conditions.some((c) => c.type === type && c.status === 'True'));
  }
  const offered = tkrs.map((t) => parseKubeVersion(specOf(t).kubernetes.version));
  const managed = fleet.filter((g) => g.spec.managedBy === mgmt.spec.name);
  let patchUpgrades = 0;
  for (const g of managed) {
    const v = parseKubeVersion(g.spec.version);
    assert.ok(offered.some((o) => o.minor === v.minor && o.patch === v.patch), `${g.spec.name} ${g.spec.version} offered`);
    assert.ok(offered.some((o) => o.minor === v.minor + 1), `${g.spec.name}: next minor offered`);
    assert.ok(offered.some((o) => o.minor === v.minor + 2), `${g.spec.name}: a skipped-minor target exists`);
    if (offered.some((o) => o.minor === v.minor && o.patch > v.patch)) patchUpgrades++;
  }
  assert.ok(patchUpgrades > 0 && patchUpgrades < managed.length, `patch upgrades for ${patchUpgrades}/${managed.length}`);
});

test('a management cluster offers a TKR for a managed cluster added with an off-catalog version', () => {
  const managed = [{ name: 'tkg-odd-01', flavor: 'vsphere' as const, version: 'v1.30.2+vmware.2', managedBy: 'mgmt' }];
  const [mgmt] = generateFleet([{ name: 'mgmt', flavor: 'management' }, ...managed], 1);
  assert.ok(ofKind(mgmt, 'TanzuKubernetesRelease').some((t) => t.metadata.name === 'v1.30.2---vmware.2-tkg.1'));
});

test('a management cluster has its own nodes and the CAPI and vSphere system namespaces', () => {
  const [mgmt] = generateFleet(fleetMix(2, 1), 1);
  const namespaces = new Set(ofKind(mgmt, 'Namespace').map((n) => n.metadata.name));
  for (const ns of ['capi-system', 'vmware-system-capw', 'svc-tmc-c8']) assert.ok(namespaces.has(ns), ns);
  assert.ok(ofKind(mgmt, 'Node').length >= 3);
});
