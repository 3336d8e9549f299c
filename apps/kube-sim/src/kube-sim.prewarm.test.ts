/** --prewarm: clusters built on threads before startKubeSim resolves serve what a first touch would. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type KubeSim, startKubeSim } from './kube-sim.server';
import { adminRequest } from './testing/kube-sim.test-helper';

const PATHS = ['/api/v1/nodes', '/api/v1/pods', '/api/v1/secrets', '/api/v1/configmaps', '/apis/rbac.authorization.k8s.io/v1/clusterroles', '/apis/cluster.x-k8s.io/v1beta1/clusters'];
let cold: KubeSim;
let warm: KubeSim;

before(async () => {
  cold = await startKubeSim({ clusters: 6, seed: 3, tls: false });
  warm = await startKubeSim({ clusters: 6, seed: 3, tls: false, prewarm: { threads: 2 } });
});

after(async () => {
  await Promise.all([cold.stop(), warm.stop()]);
});

// URLs differ by port: compare with each server's own base URL blanked out.
const strip = (sim: KubeSim, json: unknown) => JSON.parse(JSON.stringify(json).split(sim.url).join('<url>').split(`"port":${sim.port}`).join('"port":0')) as unknown;

test('prewarming on threads builds every cluster and serves the same content as a first touch', async () => {
  assert.equal(warm.prewarmed?.clusters, 6);
  assert.equal(warm.prewarmed?.threads, 2);
  assert.equal(cold.prewarmed, undefined);
  for (const name of cold.clusterNames()) {
    for (const path of PATHS) {
      const a = await adminRequest(cold, name, path);
      const b = await adminRequest(warm, name, path);
      assert.equal(b.status, a.status, `${name}${path}`);
      assert.deepEqual(strip(warm, b.json), strip(cold, a.json), `${name}${path}`);
    }
  }
});

test('a prewarmed cluster takes writes and reports its resolved spec', async () => {
  const name = warm.clusterNames()[1];
  const created = await adminRequest(warm, name, '/api/v1/namespaces/default/configmaps', { method: 'POST', body: { metadata: { name: 'after-prewarm' }, data: { a: '1' } } });
  assert.equal(created.status, 201);
  const listed = await adminRequest(warm, name, '/api/v1/namespaces/default/configmaps');
  assert.ok((listed.json as { items: Array<{ metadata: { name: string } }> }).items.some((c) => c.metadata.name === 'after-prewarm'));
  // What the admin API reports (resolved version, node count) came across from the thread too.
  const a = (await fetch(`${cold.url}/_sim/clusters/${name}`).then((r) => r.json())) as { version: string; nodes: number };
  const b = (await fetch(`${warm.url}/_sim/clusters/${name}`).then((r) => r.json())) as { version: string; nodes: number };
  assert.deepEqual([b.version, b.nodes], [a.version, a.nodes]);
});
