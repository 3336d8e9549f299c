import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Flavor } from './contract';
import { fleetMix, generateCluster } from './index';
import { contextFor, generateFleet, ofKind } from './generation.test-helper';
import { FLEET_EPOCH_MS, timestampAt } from './kube-version';

const FLAVORS: Flavor[] = ['vsphere', 'eks', 'gke', 'aks', 'generic', 'management'];

test('the same spec and fleet seed give byte-identical clusters; another seed gives different content', () => {
  const specs = fleetMix(12, 1);
  for (const spec of specs) {
    const managed = specs.filter((s) => s.managedBy === spec.name);
    const a = JSON.stringify(generateCluster(spec, contextFor(1, managed)));
    const b = JSON.stringify(generateCluster(structuredClone(spec), contextFor(1, managed)));
    assert.equal(a, b, spec.name);
    assert.notEqual(JSON.stringify(generateCluster(spec, contextFor(2, managed)).objects), JSON.stringify(JSON.parse(a).objects), spec.name);
  }
});

test('an explicit spec seed wins over the fleet seed', () => {
  const spec = { name: 'pinned', flavor: 'eks' as const, seed: 42 };
  assert.deepEqual(generateCluster(spec, contextFor(1)), generateCluster(spec, contextFor(999)));
});

test('defaults fill a minimal spec for every flavor', () => {
  for (const flavor of FLAVORS) {
    const g = generateCluster({ name: `min-${flavor}`, flavor }, contextFor(1));
    assert.equal(g.spec.flavor, flavor);
    assert.ok(g.spec.version.startsWith('v1.'));
    assert.ok(g.spec.nodes >= 3);
    assert.equal(g.versionInfo.gitVersion, g.spec.version);
  }
});

test('/version carries the provider suffix, linux/amd64 and a go version', () => {
  const cases: Array<[Flavor, string, string]> = [
    ['vsphere', 'v1.30.4+vmware.1', '30'],
    ['eks', 'v1.31.2-eks-7f9249a', '31+'],
    ['gke', 'v1.30.5-gke.1014001', '30+'],
    ['aks', 'v1.30.4', '30'],
    ['generic', 'v1.31.1', '31'],
  ];
  for (const [flavor, version, minor] of cases) {
    const info = generateCluster({ name: 'v', flavor, version }, contextFor(1)).versionInfo;
    assert.equal(info.gitVersion, version);
    assert.equal(info.major, '1');
    assert.equal(info.minor, minor);
    assert.equal(info.platform, 'linux/amd64');
    assert.match(info.goVersion, /^go1\.2\d\.\d+$/);
    assert.match(info.gitCommit, /^[0-9a-f]{40}$/);
    assert.match(info.buildDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  }
});

const PROVIDER_ID: Record<Flavor, RegExp | undefined> = {
  vsphere: /^vsphere:\/\/42[0-9a-f]{2}[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  management: /^vsphere:\/\/42/,
  eks: /^aws:\/\/\/[a-z]{2}-[a-z]+-\d[a-z]\/i-0[0-9a-f]{16}$/,
  gke: /^gce:\/\/[a-z0-9-]+\/[a-z]+-[a-z]+\d-[a-z]\/gke-[a-z0-9-]+$/,
  aks: /^azure:\/\/\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/mc_[^/]+\/providers\/Microsoft\.Compute\/virtualMachineScaleSets\/aks-[a-z0-9]+-\d{8}-vmss\/virtualMachines\/\d+$/,
  generic: undefined,
};

test('nodes carry each provider\'s providerID, labels and the cluster version', () => {
  for (const spec of fleetMix(60, 3)) {
    const g = generateCluster(spec, contextFor(3));
    const nodes = ofKind(g, 'Node');
    const cp = nodes.filter((n) => n.metadata.labels?.['node-role.kubernetes.io/control-plane'] === '');
    assert.equal(nodes.length - cp.length, g.spec.nodes, `${spec.name} worker count`);
    assert.equal(cp.length > 0, ['vsphere', 'generic', 'management'].includes(spec.flavor), `${spec.name} control plane visibility`);
    assert.equal(new Set(nodes.map((n) => n.metadata.name)).size, nodes.length);
    for (const node of nodes) {
      const labels = node.metadata.labels ?? {};
      const status = node.status as { nodeInfo: { kubeletVersion: string }; conditions: Array<{ type: string }> };
      assert.equal(labels['kubernetes.io/hostname'], node.metadata.name);
      assert.equal(status.nodeInfo.kubeletVersion, g.spec.version);
      assert.ok(status.conditions.some((c) => c.type === 'Ready'));
      const providerID = (node.spec as { providerID?: string }).providerID;
      const pattern = PROVIDER_ID[spec.flavor];
      if (pattern) assert.match(providerID ?? '', pattern, node.metadata.name);
      else assert.equal(providerID, undefined);
      if (spec.flavor !== 'generic') {
        assert.equal(labels['topology.kubernetes.io/region'], g.spec.region);
        assert.ok(labels['topology.kubernetes.io/zone']);
        assert.ok(labels['node.kubernetes.io/instance-type']);
      }
      if (spec.flavor === 'eks') assert.ok(labels['eks.amazonaws.com/nodegroup']);
      if (spec.flavor === 'gke') assert.ok(labels['cloud.google.com/gke-nodepool']);
      if (spec.flavor === 'aks') assert.ok(labels['kubernetes.azure.com/agentpool']);
      if (spec.flavor === 'vsphere') assert.ok(labels['run.tanzu.vmware.com/tkr']);
    }
  }
});

test('a few clusters have exactly one NotReady node; most have none', () => {
  const fleet = generateFleet(fleetMix(200, 1), 1);
  const degraded = fleet.filter((g) => ofKind(g, 'Node').some((n) => (n.status as { conditions: Array<{ type: string; status: string }> }).conditions.some((c) => c.type === 'Ready' && c.status !== 'True')));
  assert.ok(degraded.length > 0 && degraded.length < fleet.length * 0.25, `degraded ${degraded.length}`);
  for (const g of degraded) {
    const notReady = ofKind(g, 'Node').filter((n) => (n.status as { conditions: Array<{ type: string; status: string }> }).conditions.some((c) => c.type === 'Ready' && c.status !== 'True'));
    assert.equal(notReady.length, 1);
  }
});

test('every object has kind, apiVersion, name, uid, creationTimestamp and labels; names are unique per kind and namespace', () => {
  for (const g of generateFleet(fleetMix(30, 6), 6)) {
    const seen = new Set<string>();
    const uids = new Set<string>();
    for (const o of g.objects) {
      assert.ok(o.apiVersion && o.kind, JSON.stringify(o.metadata));
      assert.match(o.metadata.uid ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      assert.match(o.metadata.creationTimestamp ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.ok(o.metadata.labels, `${o.kind} ${o.metadata.name} has labels`);
      assert.equal(o.metadata.resourceVersion, undefined);
      const key = `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
      assert.ok(!seen.has(key), `duplicate ${key} in ${g.spec.name}`);
      seen.add(key);
      assert.ok(!uids.has(o.metadata.uid ?? ''), `duplicate uid ${key}`);
      uids.add(o.metadata.uid ?? '');
    }
  }
});

test('namespaced objects live in namespaces that exist; pods run on nodes that exist', () => {
  for (const g of generateFleet(fleetMix(30, 8), 8)) {
    const namespaces = new Set(ofKind(g, 'Namespace').map((n) => n.metadata.name));
    const nodes = new Set(ofKind(g, 'Node').map((n) => n.metadata.name));
    for (const o of g.objects) if (o.metadata.namespace) assert.ok(namespaces.has(o.metadata.namespace), `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);
    for (const pod of ofKind(g, 'Pod')) assert.ok(nodes.has((pod.spec as { nodeName: string }).nodeName), pod.metadata.name);
    for (const ns of namespaces) assert.ok(g.objects.some((o) => o.kind === 'ServiceAccount' && o.metadata.namespace === ns && o.metadata.name === 'default'), ns);
  }
});

test('self-managed clusters run their control plane as static pods with component labels', () => {
  const g = generateCluster({ name: 'kubeadm-1', flavor: 'generic', nodes: 3 }, contextFor(1));
  const components = new Set(ofKind(g, 'Pod').filter((p) => p.metadata.namespace === 'kube-system').map((p) => p.metadata.labels?.component));
  for (const c of ['kube-apiserver', 'etcd', 'kube-scheduler', 'kube-controller-manager']) assert.ok(components.has(c), c);
  const eks = generateCluster({ name: 'eks-1', flavor: 'eks' }, contextFor(1));
  assert.ok(!ofKind(eks, 'Pod').some((p) => p.metadata.labels?.component === 'kube-apiserver'));
});

test('a typical cluster stays small: 200 clusters average under 450 KB of JSON', () => {
  const specs = fleetMix(200, 1);
  let total = 0;
  for (const g of generateFleet(specs, 1)) total += JSON.stringify(g).length;
  const average = total / specs.length;
  assert.ok(average < 450_000, `average ${Math.round(average)} bytes`);
  assert.ok(average > 20_000, `average ${Math.round(average)} bytes: suspiciously little content`);
});

test('owner references resolve to objects of the same cluster, created no later than their dependents', () => {
  for (const g of generateFleet(fleetMix(20, 3), 3)) {
    const byUid = new Map(g.objects.map((o) => [o.metadata.uid, o]));
    for (const o of g.objects) {
      for (const ref of o.metadata.ownerReferences ?? []) {
        const owner = byUid.get(ref.uid);
        assert.ok(owner, `${g.spec.name} ${o.kind} ${o.metadata.name} → ${ref.kind} ${ref.name}`);
        assert.equal(owner.kind, ref.kind);
        assert.equal(owner.metadata.name, ref.name);
        assert.ok((owner.metadata.creationTimestamp ?? '') <= (o.metadata.creationTimestamp ?? ''), `${o.kind} ${o.metadata.name} older than its owner`);
      }
    }
  }
});

test('timestamps lie between cluster creation and the fleet epoch; memory requests never exceed limits', () => {
  const epoch = new Date(FLEET_EPOCH_MS).toISOString().replace('.000Z', 'Z');
  const mebibytes = (q: string) => (q.endsWith('Gi') ? Number(q.slice(0, -2)) * 1024 : Number(q.replace('Mi', '')));
  for (const g of generateFleet(fleetMix(30, 9), 9)) {
    for (const o of g.objects) assert.ok((o.metadata.creationTimestamp ?? '') < epoch, `${g.spec.name} ${o.kind} ${o.metadata.name} ${o.metadata.creationTimestamp}`);
    for (const pod of ofKind(g, 'Pod')) {
      for (const c of (pod.spec as { containers: Array<{ resources?: { requests?: { memory?: string }; limits?: { memory?: string } } }> }).containers) {
        const req = c.resources?.requests?.memory;
        const lim = c.resources?.limits?.memory;
        if (req && lim) assert.ok(mebibytes(req) <= mebibytes(lim), `${pod.metadata.name}: ${req} > ${lim}`);
      }
    }
    for (const d of ofKind(g, 'Deployment')) {
      for (const c of (d.status as { conditions: Array<{ lastTransitionTime: string }> }).conditions) assert.ok(c.lastTransitionTime >= (d.metadata.creationTimestamp ?? ''), d.metadata.name);
    }
  }
});

test('controller status counts the ready pods it owns; a few pods are Pending or Failed', () => {
  let pending = 0;
  let failed = 0;
  let pods = 0;
  for (const g of generateFleet(fleetMix(40, 4), 4)) {
    const readyPods = new Map<string, number>();
    for (const pod of ofKind(g, 'Pod')) {
      pods++;
      const status = pod.status as { phase: string; conditions?: Array<{ type: string; status: string }> };
      if (status.phase === 'Pending') pending++;
      if (status.phase === 'Failed') failed++;
      const ready = status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
      const owner = pod.metadata.ownerReferences?.[0];
      if (owner && ready) readyPods.set(owner.uid, (readyPods.get(owner.uid) ?? 0) + 1);
    }
    for (const rs of [...ofKind(g, 'ReplicaSet'), ...ofKind(g, 'StatefulSet')]) {
      assert.equal((rs.status as { readyReplicas: number }).readyReplicas, readyPods.get(rs.metadata.uid ?? '') ?? 0, `${g.spec.name} ${rs.kind} ${rs.metadata.name}`);
    }
    for (const ds of ofKind(g, 'DaemonSet')) {
      assert.equal((ds.status as { numberReady: number }).numberReady, readyPods.get(ds.metadata.uid ?? '') ?? 0, `${g.spec.name} DaemonSet ${ds.metadata.name}`);
    }
  }
  assert.ok(pending > 0 && pending < pods * 0.1, `pending ${pending}/${pods}`);
  assert.ok(failed > 0 && failed < pods * 0.05, `failed ${failed}/${pods}`);
});

test('timestamps are formatted exactly as Date would at whole seconds', () => {
  for (const ms of [0, 1_000, 86_399_999, Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(2025, 5, 1), 1_717_171_717_171]) {
    assert.equal(timestampAt(ms), new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z'));
  }
});

test('edge sizes work for every flavor: no workers, one worker, forty workers', () => {
  for (const flavor of FLAVORS) {
    for (const nodes of [0, 1, 40]) {
      const g = generateCluster({ name: `edge-${flavor}`, flavor, nodes }, contextFor(1));
      const nodeNames = new Set(ofKind(g, 'Node').map((n) => n.metadata.name));
      assert.ok(nodeNames.size >= nodes, `${flavor}/${nodes}`);
      for (const pod of ofKind(g, 'Pod')) {
        const nodeName = (pod.spec as { nodeName?: string }).nodeName;
        if (nodeName) assert.ok(nodeNames.has(nodeName), `${flavor}/${nodes} ${pod.metadata.name}`);
        else assert.equal((pod.status as { phase: string }).phase, 'Pending', `${flavor}/${nodes} ${pod.metadata.name} unscheduled`);
      }
    }
  }
  assert.throws(() => generateCluster({ name: 'bad', flavor: 'aks', version: '1.30' }, contextFor(1)), /not a Kubernetes version/);
});
