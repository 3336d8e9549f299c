/** The admin API, faults, the Cluster API rollout controller and /metrics. */
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { eventually } from '@flotilla/testing/eventually';
import type { GenerateCluster } from './content/contract';
import { generateCluster as realGenerator } from './content/index';
import { type KubeSim, startKubeSim } from './kube-sim.server';
import { type RawResponse, adminRequest, rawRequest } from './testing/kube-sim.test-helper';

let sim: KubeSim;
const MGMT = 'sup-01';
const WORKLOAD = 'tkg-prod-01';

// The real generator, with one cluster told to use a deprecated API so /metrics has something to show.
const generateCluster: GenerateCluster = (spec, ctx) => {
  const g = realGenerator(spec, ctx);
  if (spec.name === 'legacy') g.deprecatedApiUse = [{ group: 'flowcontrol.apiserver.k8s.io', version: 'v1beta3', resource: 'flowschemas', removedRelease: '1.32' }];
  return g;
};

before(async () => {
  sim = await startKubeSim({
    clusters: [
      { name: MGMT, flavor: 'management', nodes: 3 },
      { name: WORKLOAD, flavor: 'vsphere', nodes: 3, managedBy: MGMT, version: 'v1.30.1+vmware.1' },
      { name: 'legacy', flavor: 'aks', nodes: 2, version: 'v1.30.6' },
    ],
    tls: true,
    generateCluster,
  });
});

after(async () => {
  await sim.stop();
});

const admin = (path: string, method = 'GET', body?: unknown) => rawRequest(sim, `/_sim${path}`, { method, body });

async function capiCluster(name: string): Promise<any> {
  const r = await adminRequest(sim, MGMT, `/apis/cluster.x-k8s.io/v1beta1/clusters?fieldSelector=metadata.name%3D${name}`);
  assert.equal(r.status, 200);
  assert.equal(r.json.items.length, 1, `one Cluster named ${name}`);
  return r.json.items[0];
}

async function setVersion(cluster: any, version: string): Promise<void> {
  const r = await adminRequest(sim, MGMT, `/apis/cluster.x-k8s.io/v1beta1/namespaces/${cluster.metadata.namespace}/clusters/${cluster.metadata.name}`, {
    method: 'PATCH',
    contentType: 'application/merge-patch+json',
    body: { spec: { topology: { version } } },
  });
  assert.equal(r.status, 200, r.text);
}

/** Releases the management cluster offers above the workload's version: [release version, Kubernetes version]. */
async function releases(): Promise<Array<[string, string]>> {
  const r = await adminRequest(sim, MGMT, '/apis/run.tanzu.vmware.com/v1alpha3/tanzukubernetesreleases');
  assert.equal(r.status, 200);
  const minor = (v: string) => Number(/^v1\.(\d+)\./.exec(v)?.[1] ?? 0);
  return r.json.items
    .map((t: any) => [t.spec.version, t.spec.kubernetes.version] as [string, string])
    .filter(([, k]: [string, string]) => minor(k) >= 31)
    .sort((a: [string, string], b: [string, string]) => minor(a[1]) - minor(b[1]));
}

async function nodeVersions(name: string): Promise<Array<[string, boolean, string]>> {
  const r = await adminRequest(sim, name, '/api/v1/nodes');
  return r.json.items.map((n: any) => [n.metadata.name, 'node-role.kubernetes.io/control-plane' in (n.metadata.labels ?? {}), n.status.nodeInfo.kubeletVersion]);
}

describe('admin API', () => {
  test('lists clusters with their URL, version and node count', async () => {
    const r = await admin('/clusters');
    assert.equal(r.status, 200);
    const byName = new Map<string, any>(r.json.map((c: any) => [c.name, c]));
    assert.deepEqual([...byName.keys()], [MGMT, WORKLOAD, 'legacy']);
    const w = byName.get(WORKLOAD);
    assert.equal(w.flavor, 'vsphere');
    assert.equal(w.url, `${sim.url}/clusters/${WORKLOAD}`);
    assert.equal(w.version, 'v1.30.1+vmware.1');
    const nodes = await adminRequest(sim, WORKLOAD, '/api/v1/nodes');
    assert.equal(w.nodes, nodes.json.items.length);
    assert.equal(w.managedBy, MGMT);
  });

  test('serves an admin kubeconfig with the CA and a working token', async () => {
    const r = await admin(`/clusters/${WORKLOAD}/kubeconfig`);
    assert.equal(r.status, 200);
    const kc = parseYaml(r.text);
    assert.equal(kc.clusters[0].cluster.server, sim.clusterUrl(WORKLOAD));
    assert.equal(Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString(), sim.caPem);
    const token = kc.users[0].user.token;
    assert.equal((await admin(`/clusters/${WORKLOAD}/admin-token`)).json.token, token);
    assert.equal((await rawRequest(sim, `/clusters/${WORKLOAD}/api/v1/namespaces`, { token })).status, 200);
  });

  test('creates and deletes clusters; bad input is a 400 with a message', async () => {
    const created = await admin('/clusters', 'POST', { name: 'tkg-new-01', flavor: 'vsphere', version: 'v1.31.1+vmware.2', nodes: 2, managedBy: MGMT });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.json.url, sim.clusterUrl('tkg-new-01'));
    const version = await adminRequest(sim, 'tkg-new-01', '/version');
    assert.equal(version.json.gitVersion, 'v1.31.1+vmware.2');
    assert.equal((await capiCluster('tkg-new-01')).spec.topology.version, 'v1.31.1+vmware.2', 'its management cluster now holds its Cluster');
    assert.equal((await admin('/clusters', 'POST', { name: 'tkg-new-01', flavor: 'vsphere' })).status, 409);
    const bad = await admin('/clusters', 'POST', { name: 'Bad Name', flavor: 'openshift' });
    assert.equal(bad.status, 400);
    assert.match(bad.json.error, /name: must be a lowercase RFC 1123 label/);
    assert.match(bad.json.error, /flavor/);
    assert.equal((await admin('/clusters', 'POST', { name: 'x', flavor: 'vsphere', managedBy: 'nope' })).status, 400);
    assert.equal((await rawRequest(sim, '/_sim/clusters', { method: 'POST', body: '{not json' })).status, 400);
    assert.equal((await admin('/clusters/tkg-new-01', 'DELETE')).status, 200);
    assert.equal((await adminRequest(sim, 'tkg-new-01', '/version')).status, 404);
    assert.equal((await admin('/clusters/tkg-new-01', 'DELETE')).status, 404);
  });
});

/** A raw watch on a cluster's namespaces: resolves `started` on the headers and `ended` when the server ends it. */
function openWatch(cluster: string): { started: Promise<void>; ended: Promise<void> } {
  let started!: () => void;
  const startedP = new Promise<void>((r) => (started = r));
  const ended = new Promise<void>((resolve) => {
    const req = https.get(`${sim.clusterUrl(cluster)}/api/v1/namespaces?watch=1&resourceVersion=1`, { ca: sim.caPem, headers: { Authorization: `Bearer ${sim.adminToken(cluster)}` } }, (res) => {
      started();
      res.resume();
      res.on('close', () => resolve());
    });
    req.on('error', () => resolve());
  });
  return { started: startedP, ended };
}

/** Collects a watch's events until stopped. */
function collectWatch(cluster: string, path: string): { started: Promise<void>; events: Array<{ type: string; object: any }>; stop: () => void } {
  const events: Array<{ type: string; object: any }> = [];
  let started!: () => void;
  const startedP = new Promise<void>((r) => (started = r));
  let buf = '';
  const req = https.get(`${sim.clusterUrl(cluster)}${path}`, { ca: sim.caPem, headers: { Authorization: `Bearer ${sim.adminToken(cluster)}` } }, (res) => {
    started();
    res.on('data', (c: Buffer) => {
      buf += c.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        events.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
      }
    });
  });
  req.on('error', () => undefined);
  return { started: startedP, events, stop: () => req.destroy() };
}

describe('faults', () => {
  const C = 'legacy';
  const setFaults = async (f: unknown) => assert.equal((await admin(`/clusters/${C}/faults`, 'PUT', f)).status, 200);
  const get = () => adminRequest(sim, C, '/api/v1/namespaces');

  test('latency, errors, throttling, revoked tokens and a cluster that is down', async () => {
    try {
      await setFaults({ latencyMs: 300 });
      const t0 = Date.now();
      assert.equal((await get()).status, 200);
      assert.ok(Date.now() - t0 >= 290, 'the answer was delayed');

      await setFaults({ errorRate: 1, errorCode: 503 });
      const unavailable = await get();
      assert.equal(unavailable.status, 503);
      assert.equal(unavailable.json.reason, 'ServiceUnavailable');

      await setFaults({ throttle: { retryAfterSeconds: 7 } });
      const throttled = await get();
      assert.equal(throttled.status, 429);
      assert.equal(throttled.headers['retry-after'], '7');
      assert.equal(throttled.json.reason, 'TooManyRequests');

      await setFaults({ revokeTokens: true });
      const revoked = await get();
      assert.equal(revoked.status, 401);
      assert.equal(revoked.json.reason, 'Unauthorized');

      await setFaults({});
      const watchEnded = openWatch(C);
      await watchEnded.started;
      await setFaults({ down: true });
      await assert.rejects(get(), /socket hang up|ECONNRESET/);
      await watchEnded.ended;

      assert.equal((await admin(`/clusters/${C}/faults`, 'PUT', { latencyMs: -1 })).status, 400);
      assert.equal((await admin(`/clusters/${C}/faults`, 'PUT', { exploding: true })).status, 400);
      assert.equal((await adminRequest(sim, MGMT, '/api/v1/namespaces')).status, 200, 'other clusters are unaffected');
    } finally {
      await setFaults({});
    }
    assert.equal((await get()).status, 200);
  });
});

describe('metrics', () => {
  test('apiserver_requested_deprecated_apis lists the deprecated APIs seeded clients use', async () => {
    const r: RawResponse = await adminRequest(sim, 'legacy', '/metrics');
    assert.equal(r.status, 200);
    assert.match(r.headers['content-type'] ?? '', /^text\/plain/);
    assert.ok(r.text.includes('apiserver_requested_deprecated_apis{group="flowcontrol.apiserver.k8s.io",removed_release="1.32",resource="flowschemas",subresource="",version="v1beta3"} 1'), r.text.slice(0, 600));
    assert.match(r.text, /apiserver_request_total\{code="200",.*verb="LIST",version="v1"\} \d+/);
  });
});

describe('Cluster API rollout', () => {
  test('a version no release offers changes nothing and says so on the Cluster', async () => {
    const before = await nodeVersions(WORKLOAD);
    await setVersion(await capiCluster(WORKLOAD), 'v1.99.0+vmware.1');
    const c = await eventually(() => capiCluster(WORKLOAD), (x) => x.status?.conditions?.some((k: any) => k.reason === 'TKRResolutionFailed'), { timeoutMs: 5000, what: 'TKRResolutionFailed' });
    assert.equal(c.status.phase, 'Provisioned');
    assert.deepEqual(await nodeVersions(WORKLOAD), before);
    assert.equal((await adminRequest(sim, WORKLOAD, '/version')).json.gitVersion, 'v1.30.1+vmware.1');
  });

  test('control plane first, then /version, then workers one by one; the Cluster reports progress', async () => {
    assert.equal((await admin(`/clusters/${MGMT}/rollout`, 'PUT', { stepMs: 30 })).status, 200);
    const cluster = await capiCluster(WORKLOAD);
    assert.equal(cluster.metadata.annotations['flotilla.dev/api-server-url'], sim.clusterUrl(WORKLOAD));
    const offered = await releases();
    assert.ok(offered.length >= 3, 'the Supervisor offers newer releases');
    // Patched with the release's version; nodes report its Kubernetes version, as TKG resolves it.
    const [release, target] = offered[0];
    const order: Array<[string, boolean]> = [];
    let versionWhenFirstWorker = '';
    const before = await nodeVersions(WORKLOAD);
    assert.ok(before.some(([, cp]) => cp) && before.some(([, cp]) => !cp), 'the workload cluster shows control-plane and worker nodes');
    const clusterEvents = collectWatch(MGMT, `/apis/cluster.x-k8s.io/v1beta1/clusters?watch=1&resourceVersion=${cluster.metadata.resourceVersion}&fieldSelector=metadata.name%3D${WORKLOAD}`);
    await clusterEvents.started;
    await setVersion(cluster, release);
    await eventually(
      async () => {
        const nodes = await nodeVersions(WORKLOAD);
        for (const [name, cp, v] of nodes) {
          if (v === target && !order.some(([n]) => n === name)) {
            if (!cp && !versionWhenFirstWorker) versionWhenFirstWorker = (await adminRequest(sim, WORKLOAD, '/version')).json.gitVersion;
            order.push([name, cp]);
          }
        }
        return nodes;
      },
      (nodes) => nodes.every(([, , v]) => v === target),
      { timeoutMs: 10_000, intervalMs: 10, what: 'every node at the target version' },
    );
    const firstWorker = order.findIndex(([, cp]) => !cp);
    assert.ok(order.slice(0, firstWorker).every(([, cp]) => cp) && order.slice(firstWorker).every(([, cp]) => !cp), `control plane first: ${JSON.stringify(order)}`);
    assert.equal(versionWhenFirstWorker, target, '/version moved with the control plane, before the workers');
    const done = await eventually(() => capiCluster(WORKLOAD), (c) => c.status?.conditions?.find((x: any) => x.type === 'Ready')?.status === 'True', { timeoutMs: 5000, what: 'Ready=True' });
    assert.equal(done.status.phase, 'Provisioned');
    // Watching the Cluster showed the patch and then the controller's progress.
    const seen = await eventually(async () => clusterEvents.events, (e) => e.some((x) => x.object.status?.conditions?.find((c: any) => c.type === 'Ready')?.status === 'True'), { timeoutMs: 5000, what: 'the Cluster watch to see Ready' });
    clusterEvents.stop();
    assert.ok(seen.every((e) => e.type === 'MODIFIED'));
    assert.equal(seen[0].object.spec.topology.version, release);
    assert.ok(seen.some((e) => e.object.status?.conditions?.find((c: any) => c.type === 'TopologyReconciled')?.reason === 'ControlPlaneUpgradePending'));
    const mds = await adminRequest(sim, MGMT, `/apis/cluster.x-k8s.io/v1beta1/namespaces/${cluster.metadata.namespace}/machinedeployments`);
    const ours = mds.json.items.filter((m: any) => m.spec.clusterName === WORKLOAD);
    assert.ok(ours.length > 0);
    for (const md of ours) {
      assert.equal(md.spec.template.spec.version, release);
      assert.equal(md.status.updatedReplicas, md.spec.replicas);
    }
    const status = await admin(`/clusters/${WORKLOAD}/rollout`);
    assert.equal(status.json.rollouts[0].phase, 'Completed');
    assert.equal(status.json.rollouts[0].updatedNodes, before.length);
  });

  test('a stalled rollout makes no progress until the stall is cleared; a failing one ends Failed', async () => {
    await admin(`/clusters/${MGMT}/rollout`, 'PUT', { stepMs: 20 });
    await admin(`/clusters/${WORKLOAD}/faults`, 'PUT', { rolloutStall: true });
    const offered = await releases();
    const target = offered[offered.length - 2][1];
    await setVersion(await capiCluster(WORKLOAD), target);
    const stalled = await eventually(() => admin(`/clusters/${WORKLOAD}/rollout`), (r) => r.json.rollouts[0]?.stalled === true, { timeoutMs: 5000, what: 'the rollout to report a stall' });
    assert.equal(stalled.json.rollouts[0].updatedNodes, 0);
    const c = await capiCluster(WORKLOAD);
    assert.equal(c.status.conditions.find((x: any) => x.type === 'TopologyReconciled').reason, 'UpgradeStalled');
    assert.ok((await nodeVersions(WORKLOAD)).every(([, , v]) => v !== target), 'no node moved while stalled');

    await admin(`/clusters/${WORKLOAD}/faults`, 'PUT', { rolloutFail: true });
    const failed = await eventually(() => capiCluster(WORKLOAD), (x) => x.status?.phase === 'Failed', { timeoutMs: 5000, what: 'the Cluster to fail' });
    const ready = failed.status.conditions.find((x: any) => x.type === 'Ready');
    assert.equal(ready.status, 'False');
    assert.equal(ready.reason, 'UpgradeFailed');
    assert.equal(ready.severity, 'Error');
    assert.equal((await admin(`/clusters/${WORKLOAD}/rollout`)).json.rollouts[0].phase, 'Failed');

    // Cleared faults and a new target: the rollout runs to completion.
    await admin(`/clusters/${WORKLOAD}/faults`, 'PUT', {});
    const last = offered[offered.length - 1][1];
    await setVersion(await capiCluster(WORKLOAD), last);
    await eventually(() => adminRequest(sim, WORKLOAD, '/version'), (r) => r.json.gitVersion === last, { timeoutMs: 5000, what: '/version to move' });
    await eventually(() => capiCluster(WORKLOAD), (x) => x.status?.phase === 'Provisioned' && x.status.conditions.every((k: any) => k.status === 'True'), { timeoutMs: 5000, what: 'the Cluster to be Ready again' });
  });
});
