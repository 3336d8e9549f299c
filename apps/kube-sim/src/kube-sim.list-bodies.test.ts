/** Lists served from serialised segments on realistic content: gzip like kube-apiserver, selectors and paging unchanged. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type KubeSim, startKubeSim } from './kube-sim.server';
import { adminRequest } from './testing/kube-sim.test-helper';

const CLUSTER = 'big';
let sim: KubeSim;

before(async () => {
  sim = await startKubeSim({ clusters: [{ name: CLUSTER, flavor: 'vsphere', nodes: 6 }], tls: false });
});

after(async () => {
  await sim.stop();
});

test('a list over 128 KiB is gzip-encoded when the client accepts it, and decodes to the same list', async () => {
  const raw = await adminRequest(sim, CLUSTER, '/api/v1/pods');
  assert.ok(raw.text.length > 128 * 1024, `the pods list is large enough to test (${raw.text.length} bytes)`);
  assert.equal(raw.headers['content-encoding'], undefined);
  const gz = await adminRequest(sim, CLUSTER, '/api/v1/pods?limit=500', { headers: { 'Accept-Encoding': 'gzip, deflate' } });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.equal(gz.headers.vary, 'Accept-Encoding');
  assert.ok(gz.wireBytes < raw.wireBytes / 3, `compressed ${gz.wireBytes} of ${raw.wireBytes}`);
  assert.deepEqual(gz.json, raw.json);
  const refused = await adminRequest(sim, CLUSTER, '/api/v1/pods', { headers: { 'Accept-Encoding': 'gzip;q=0, identity' } });
  assert.equal(refused.headers['content-encoding'], undefined);
  const small = await adminRequest(sim, CLUSTER, '/api/v1/namespaces', { headers: { 'Accept-Encoding': 'gzip' } });
  assert.ok(small.text.length < 128 * 1024);
  assert.equal(small.headers['content-encoding'], undefined, 'below the threshold, as upstream: plain');
});

test('selectors, paging and tables still see the objects; a write shows in the next list', async () => {
  const all = (await adminRequest(sim, CLUSTER, '/api/v1/pods')).json;
  const ns = all.items[0].metadata.namespace;
  const inNs = (await adminRequest(sim, CLUSTER, `/api/v1/pods?fieldSelector=metadata.namespace%3D${ns}`)).json;
  assert.deepEqual(inNs.items, all.items.filter((p: { metadata: { namespace: string } }) => p.metadata.namespace === ns));
  const namespaced = (await adminRequest(sim, CLUSTER, `/api/v1/namespaces/${ns}/pods`)).json;
  assert.deepEqual(namespaced.items, inNs.items);
  const page = (await adminRequest(sim, CLUSTER, '/api/v1/pods?limit=5')).json;
  assert.equal(page.items.length, 5);
  assert.equal(page.metadata.remainingItemCount, all.items.length - 5);
  const table = await adminRequest(sim, CLUSTER, '/api/v1/pods', { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
  assert.equal(table.json.kind, 'Table');
  const created = await adminRequest(sim, CLUSTER, `/api/v1/namespaces/${ns}/pods`, { method: 'POST', body: { metadata: { name: 'zz-late' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } });
  assert.equal(created.status, 201);
  const after = (await adminRequest(sim, CLUSTER, '/api/v1/pods', { headers: { 'Accept-Encoding': 'gzip' } })).json;
  assert.equal(after.items.length, all.items.length + 1);
  assert.equal(after.metadata.resourceVersion, created.json.metadata.resourceVersion);
  assert.ok(Number(after.metadata.resourceVersion) > Number(all.metadata.resourceVersion));
});
