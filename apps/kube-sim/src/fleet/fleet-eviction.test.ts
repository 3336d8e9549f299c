/** Written clusters survive eviction: base regenerated, overlay of writes re-applied, resourceVersions kept. */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type KubeSim, startKubeSim } from '../kube-sim.server';
import { adminRequest } from '../testing/kube-sim.test-helper';
import { fallbackGenerateCluster } from './fallback-content';

let sim: KubeSim;

before(async () => {
  // One resident cluster: every request to the other cluster evicts this one.
  sim = await startKubeSim({ clusters: [{ name: 'a', flavor: 'generic' }, { name: 'b', flavor: 'eks' }], tls: false, residentLimit: 1, generateCluster: fallbackGenerateCluster });
});

after(async () => {
  await sim.stop();
});

// A read of one object decodes b (an unfiltered list may be answered from b's serialised segment alone).
const touchB = async () => assert.equal((await adminRequest(sim, 'b', '/api/v1/namespaces/kube-system')).status, 200);

test('creates, updates and deletes on an evicted cluster are all there when it is rebuilt', async () => {
  const created = await adminRequest(sim, 'a', '/api/v1/namespaces/default/configmaps', { method: 'POST', body: { metadata: { name: 'kept' }, data: { k: 'v' } } });
  assert.equal(created.status, 201);
  const pods = await adminRequest(sim, 'a', '/api/v1/namespaces/kube-system/pods');
  const victim = pods.json.items[0].metadata.name;
  assert.equal((await adminRequest(sim, 'a', `/api/v1/namespaces/kube-system/pods/${victim}`, { method: 'DELETE' })).status, 200);
  const nodes = await adminRequest(sim, 'a', '/api/v1/nodes');
  const node = nodes.json.items[0].metadata.name;
  const labelled = await adminRequest(sim, 'a', `/api/v1/nodes/${node}`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { metadata: { labels: { drained: 'yes' } } } });
  assert.equal(labelled.status, 200);
  const before = await adminRequest(sim, 'a', '/api/v1/namespaces/default/configmaps/kept');

  await touchB();

  const after = await adminRequest(sim, 'a', '/api/v1/namespaces/default/configmaps/kept');
  assert.equal(after.status, 200);
  assert.equal(after.json.metadata.uid, before.json.metadata.uid);
  assert.equal(after.json.metadata.resourceVersion, before.json.metadata.resourceVersion);
  assert.equal((await adminRequest(sim, 'a', `/api/v1/namespaces/kube-system/pods/${victim}`)).status, 404);
  assert.equal((await adminRequest(sim, 'a', `/api/v1/nodes/${node}`)).json.metadata.labels.drained, 'yes');
  // The resourceVersion counter carries on from where it was.
  const next = await adminRequest(sim, 'a', '/api/v1/namespaces/default/configmaps', { method: 'POST', body: { metadata: { name: 'later' } } });
  assert.ok(Number(next.json.metadata.resourceVersion) > Number(labelled.json.metadata.resourceVersion));
  // An update with the pre-eviction resourceVersion still works (nothing changed in between).
  const upd = await adminRequest(sim, 'a', '/api/v1/namespaces/default/configmaps/kept', { method: 'PUT', body: { ...after.json, data: { k: 'w' } } });
  assert.equal(upd.status, 200);
});

test('a service-account token issued before the eviction still authenticates after it', async () => {
  assert.equal((await adminRequest(sim, 'a', '/api/v1/namespaces/default/serviceaccounts', { method: 'POST', body: { metadata: { name: 'bot' } } })).status, 201);
  const secret = await adminRequest(sim, 'a', '/api/v1/namespaces/default/secrets', {
    method: 'POST',
    body: { metadata: { name: 'bot-token', annotations: { 'kubernetes.io/service-account.name': 'bot' } }, type: 'kubernetes.io/service-account-token' },
  });
  const token = Buffer.from(secret.json.data.token, 'base64').toString();
  await touchB();
  const r = await adminRequest(sim, 'a', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { method: 'POST', token, body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
  assert.equal(r.status, 201);
  assert.equal(r.json.status.userInfo.username, 'system:serviceaccount:default:bot');
});

test('a watch from before a rebuild is told its resourceVersion is gone (410), so clients relist', async () => {
  const list = await adminRequest(sim, 'a', '/api/v1/namespaces/default/configmaps');
  await adminRequest(sim, 'a', '/api/v1/namespaces/default/configmaps', { method: 'POST', body: { metadata: { name: 'after-list' } } });
  await touchB();
  const w = await adminRequest(sim, 'a', `/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${list.json.metadata.resourceVersion}&timeoutSeconds=1`);
  const first = JSON.parse(w.text.split('\n')[0]);
  assert.equal(first.type, 'ERROR');
  assert.equal(first.object.code, 410);
});

test('lists are served from serialised segments: invalidated by writes to their kind only, resourceVersion current', async () => {
  const first = await adminRequest(sim, 'a', '/api/v1/namespaces/default/configmaps');
  const pods = await adminRequest(sim, 'a', '/api/v1/pods');
  const written = await adminRequest(sim, 'a', '/api/v1/namespaces/default/configmaps', { method: 'POST', body: { metadata: { name: 'segment-probe' } } });
  const rv = written.json.metadata.resourceVersion;
  const cms = await adminRequest(sim, 'a', '/api/v1/namespaces/default/configmaps');
  assert.equal(cms.json.items.length, first.json.items.length + 1, 'the write to configmaps shows');
  assert.equal(cms.json.metadata.resourceVersion, rv);
  const podsAgain = await adminRequest(sim, 'a', '/api/v1/pods');
  assert.deepEqual(podsAgain.json.items, pods.json.items);
  assert.equal(podsAgain.json.metadata.resourceVersion, rv, 'a write elsewhere moves every list\'s resourceVersion');
  // Evicted and rebuilt from its snapshot: same items, same resourceVersions, no regeneration.
  await touchB();
  const rebuilt = await adminRequest(sim, 'a', '/api/v1/pods');
  assert.deepEqual(rebuilt.json, podsAgain.json);
  const count = rebuilt.json.items.length;
  const whole = await adminRequest(sim, 'a', `/api/v1/pods?limit=${count}`);
  assert.equal(whole.json.metadata.continue, undefined, 'a limit the list fits in needs no continue');
  const limited = await adminRequest(sim, 'a', '/api/v1/configmaps?limit=1');
  assert.equal(limited.json.items.length, 1);
  assert.ok(limited.json.metadata.continue, 'configmaps (kube-root-ca.crt and the probes) need a second page');
  assert.equal((await adminRequest(sim, 'a', '/api/v1/namespaces/default/configmaps/segment-probe')).json.metadata.resourceVersion, rv);
});

test('without room for snapshots, an evicted cluster is regenerated with its writes instead', async () => {
  const starved = await startKubeSim({ clusters: [{ name: 'a', flavor: 'generic' }, { name: 'b', flavor: 'eks' }], tls: false, residentLimit: 1, snapshotBudgetMiB: 0.001, generateCluster: fallbackGenerateCluster });
  try {
    const created = await adminRequest(starved, 'a', '/api/v1/namespaces/default/configmaps', { method: 'POST', body: { metadata: { name: 'kept' } } });
    const before = await adminRequest(starved, 'a', '/api/v1/configmaps');
    assert.equal((await adminRequest(starved, 'b', '/api/v1/namespaces/kube-system')).status, 200);
    assert.equal((await adminRequest(starved, 'b', '/api/v1/configmaps')).status, 200);
    const after = await adminRequest(starved, 'a', '/api/v1/configmaps');
    assert.deepEqual(after.json, before.json);
    assert.ok(after.json.items.some((c: { metadata: { uid: string } }) => c.metadata.uid === created.json.metadata.uid));
  } finally {
    await starved.stop();
  }
});
