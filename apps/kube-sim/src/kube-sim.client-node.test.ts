/** kube-sim against @kubernetes/client-node 1.4.0, unchanged: the client the product uses. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiException, AppsV1Api, CoreV1Api, KubeConfig, PatchStrategy, RbacAuthorizationV1Api, VersionApi, Watch, setHeaderOptions } from '@kubernetes/client-node';
import { eventually } from '@flotilla/testing/eventually';
import { type KubeSim, startKubeSim } from './kube-sim.server';
import { adminRequest, kubeConfigFor } from './testing/kube-sim.test-helper';

let sim: KubeSim;
let kc: KubeConfig;
let core: CoreV1Api;
const CLUSTER = 'alpha';

async function apiError(p: Promise<unknown>): Promise<{ code: number; body: any }> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ApiException, `expected an ApiException, got ${String(err)}`);
    return { code: err.code, body: typeof err.body === 'string' ? JSON.parse(err.body) : err.body };
  }
  assert.fail('expected the call to fail');
}

before(async () => {
  sim = await startKubeSim({ clusters: [{ name: CLUSTER, flavor: 'generic', nodes: 3 }, { name: 'beta', flavor: 'eks', nodes: 2 }], tls: true });
  kc = kubeConfigFor(sim, CLUSTER);
  core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'shop' } } });
  for (let i = 0; i < 12; i++) {
    await core.createNamespacedPod({
      namespace: 'shop',
      body: { metadata: { name: `web-${String(i).padStart(2, '0')}`, labels: { app: i % 2 ? 'web' : 'api', tier: 'front' } }, spec: { nodeName: `node-${i % 3}`, containers: [{ name: 'c', image: 'nginx' }] } },
    });
  }
});

after(async () => {
  await sim.stop();
});

describe('reads', () => {
  test('/version reports the generated version over TLS verified with the kubeconfig CA', async () => {
    const v = await kc.makeApiClient(VersionApi).getCode();
    assert.match(v.gitVersion, /^v1\.\d+\.\d+/);
    assert.equal(v.major, '1');
  });

  test('lists pods per namespace and across namespaces, with label and field selectors', async () => {
    const shop = await core.listNamespacedPod({ namespace: 'shop' });
    assert.equal(shop.items.length, 12);
    assert.deepEqual(
      shop.items.map((p) => p.metadata?.name),
      [...shop.items.map((p) => p.metadata!.name!)].sort(),
    );
    const all = await core.listPodForAllNamespaces();
    assert.ok(all.items.length > 12, 'generated pods are listed too');
    assert.ok(all.items.some((p) => p.metadata?.namespace === 'kube-system'));
    const web = await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app=web,tier in (front)' });
    assert.equal(web.items.length, 6);
    assert.ok(web.items.every((p) => p.metadata?.labels?.app === 'web'));
    const notWeb = await core.listNamespacedPod({ namespace: 'shop', labelSelector: 'app!=web' });
    assert.equal(notWeb.items.length, 6);
    const onNode = await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=node-1,metadata.namespace=shop' });
    assert.deepEqual(
      onNode.items.map((p) => p.metadata?.name),
      ['web-01', 'web-04', 'web-07', 'web-10'],
    );
    const pending = await core.listNamespacedPod({ namespace: 'shop', fieldSelector: 'status.phase=Pending' });
    assert.equal(pending.items.length, 12);
    const bad = await apiError(core.listNamespacedPod({ namespace: 'shop', fieldSelector: 'spec.bogus=1' }));
    assert.equal(bad.code, 400);
  });

  test('pages with limit and continue, and an expired continue token is 410', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await core.listNamespacedPod({ namespace: 'shop', limit: 5, _continue: token });
      seen.push(...page.items.map((p) => p.metadata!.name!));
      token = page.metadata?._continue;
      pages++;
      if (token) assert.equal(page.metadata?.remainingItemCount, 12 - seen.length);
    } while (token);
    assert.equal(pages, 3);
    assert.equal(new Set(seen).size, 12);
    const first = await core.listNamespacedPod({ namespace: 'shop', limit: 5 });
    assert.ok(first.metadata?._continue);
    const compact = await fetchAdmin(`/_sim/clusters/${CLUSTER}/compact`, 'POST');
    assert.equal(compact.status, 200);
    const expired = await apiError(core.listNamespacedPod({ namespace: 'shop', limit: 5, _continue: first.metadata!._continue }));
    assert.equal(expired.code, 410);
    assert.equal(expired.body.reason, 'Expired');
  });

  test('a missing object is a 404 Status', async () => {
    const e = await apiError(core.readNamespacedPod({ namespace: 'shop', name: 'nope' }));
    assert.equal(e.code, 404);
    assert.equal(e.body.kind, 'Status');
    assert.equal(e.body.reason, 'NotFound');
    assert.equal(e.body.message, 'pods "nope" not found');
  });
});

describe('writes', () => {
  test('create, conflicting create, update with a stale resourceVersion, delete', async () => {
    const cm = await core.createNamespacedConfigMap({ namespace: 'shop', body: { metadata: { name: 'settings' }, data: { a: '1' } } });
    assert.ok(cm.metadata?.uid);
    assert.ok(cm.metadata?.resourceVersion);
    const dup = await apiError(core.createNamespacedConfigMap({ namespace: 'shop', body: { metadata: { name: 'settings' } } }));
    assert.equal(dup.code, 409);
    assert.equal(dup.body.reason, 'AlreadyExists');
    const updated = await core.replaceNamespacedConfigMap({ namespace: 'shop', name: 'settings', body: { ...cm, data: { a: '2' } } });
    assert.notEqual(updated.metadata?.resourceVersion, cm.metadata?.resourceVersion);
    const stale = await apiError(core.replaceNamespacedConfigMap({ namespace: 'shop', name: 'settings', body: { ...cm, data: { a: '3' } } }));
    assert.equal(stale.code, 409);
    assert.equal(stale.body.reason, 'Conflict');
    await core.deleteNamespacedConfigMap({ namespace: 'shop', name: 'settings' });
    assert.equal((await apiError(core.readNamespacedConfigMap({ namespace: 'shop', name: 'settings' }))).code, 404);
  });

  test('invalid objects are 422 with causes', async () => {
    const e = await apiError(core.createNamespacedPod({ namespace: 'shop', body: { metadata: { name: 'Bad_Name' }, spec: { containers: [] } } }));
    assert.equal(e.code, 422);
    assert.equal(e.body.reason, 'Invalid');
    assert.ok(e.body.details.causes.some((c: { field: string }) => c.field === 'metadata.name'));
    assert.ok(e.body.details.causes.some((c: { field: string }) => c.field === 'spec.containers'));
    const noNs = await apiError(core.createNamespacedConfigMap({ namespace: 'ghost', body: { metadata: { name: 'x' } } }));
    assert.equal(noNs.code, 404);
  });

  test('patches in each media type', async () => {
    const apps = kc.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: 'shop',
      body: {
        metadata: { name: 'cart', labels: { app: 'cart' } },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'cart' } },
          template: { metadata: { labels: { app: 'cart' } }, spec: { containers: [{ name: 'cart', image: 'cart:1', env: [{ name: 'A', value: '1' }] }, { name: 'sidecar', image: 'envoy:1' }] } },
        },
      },
    });
    const strategic = await apps.patchNamespacedDeployment(
      { namespace: 'shop', name: 'cart', body: { spec: { template: { spec: { containers: [{ name: 'cart', image: 'cart:2', env: [{ name: 'B', value: '2' }] }] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    const containers = strategic.spec!.template.spec!.containers;
    assert.deepEqual(
      containers.map((c) => [c.name, c.image]),
      [
        ['cart', 'cart:2'],
        ['sidecar', 'envoy:1'],
      ],
      'strategic merge keeps the sidecar (merge key: name)',
    );
    assert.deepEqual(
      containers[0].env?.map((e) => e.name),
      ['A', 'B'],
    );
    assert.equal(strategic.metadata?.generation, 2);
    const merge = await apps.patchNamespacedDeployment({ namespace: 'shop', name: 'cart', body: { metadata: { labels: { team: 'x', app: null } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    assert.deepEqual(merge.metadata?.labels, { team: 'x' });
    const json = await apps.patchNamespacedDeployment({ namespace: 'shop', name: 'cart', body: [{ op: 'replace', path: '/spec/replicas', value: 3 }] }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch));
    assert.equal(json.spec?.replicas, 3);
    const failedTest = await apiError(apps.patchNamespacedDeployment({ namespace: 'shop', name: 'cart', body: [{ op: 'test', path: '/spec/replicas', value: 9 }] }, setHeaderOptions('Content-Type', PatchStrategy.JsonPatch)));
    assert.equal(failedTest.code, 422);
    const applied = await core.patchNamespacedConfigMap(
      { namespace: 'shop', name: 'applied', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied', namespace: 'shop' }, data: { k: 'v' } }, fieldManager: 'tests', force: true },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    assert.equal(applied.data?.k, 'v');
    const reapplied = await core.patchNamespacedConfigMap(
      { namespace: 'shop', name: 'applied', body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied', namespace: 'shop' }, data: { k: 'w' } }, fieldManager: 'tests', force: true },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    assert.equal(reapplied.data?.k, 'w');
    assert.equal(reapplied.metadata?.uid, applied.metadata?.uid);
  });

  test('deleting a namespace deletes what it holds', async () => {
    await core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'x' } } });
    const sa = await core.readNamespacedServiceAccount({ namespace: 'doomed', name: 'default' });
    assert.equal(sa.metadata?.name, 'default', 'a new namespace gets its default ServiceAccount');
    const terminating = await core.deleteNamespace({ name: 'doomed' });
    assert.equal((terminating as { status?: { phase?: string } }).status?.phase, 'Terminating');
    const refused = await apiError(core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'y' } } }));
    assert.equal(refused.code, 403, 'no new content in a terminating namespace');
    await eventually(
      () => apiError(core.readNamespace({ name: 'doomed' })).then((e) => e.code),
      (code) => code === 404,
      { timeoutMs: 5000, what: 'the namespace to go' },
    );
    assert.equal((await core.listConfigMapForAllNamespaces({ fieldSelector: 'metadata.namespace=doomed' })).items.length, 0);
  });
});

describe('watch', () => {
  test('streams ADDED, MODIFIED and DELETED, and resumes from a resourceVersion', async () => {
    const list = await core.listNamespacedConfigMap({ namespace: 'shop' });
    const events: Array<[string, string]> = [];
    const watch = new Watch(kc);
    const ctrl = await watch.watch('/api/v1/namespaces/shop/configmaps', { resourceVersion: list.metadata!.resourceVersion, labelSelector: 'watched=yes' }, (type, obj) => events.push([type, obj.metadata.name]), () => undefined);
    try {
      await core.createNamespacedConfigMap({ namespace: 'shop', body: { metadata: { name: 'w1', labels: { watched: 'yes' } } } });
      await core.createNamespacedConfigMap({ namespace: 'shop', body: { metadata: { name: 'ignored' } } });
      await core.patchNamespacedConfigMap({ namespace: 'shop', name: 'w1', body: { data: { x: '1' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      await core.deleteNamespacedConfigMap({ namespace: 'shop', name: 'w1' });
      await eventually(async () => events.length, (n) => n >= 3, { timeoutMs: 5000, what: 'three watch events' });
      assert.deepEqual(events, [
        ['ADDED', 'w1'],
        ['MODIFIED', 'w1'],
        ['DELETED', 'w1'],
      ]);
    } finally {
      ctrl.abort();
    }
    // Resuming from the list's resourceVersion replays what happened since.
    const replayed: string[] = [];
    const ctrl2 = await watch.watch('/api/v1/namespaces/shop/configmaps', { resourceVersion: list.metadata!.resourceVersion, labelSelector: 'watched=yes' }, (type) => replayed.push(type), () => undefined);
    try {
      await eventually(async () => replayed.length, (n) => n >= 3, { timeoutMs: 5000, what: 'replayed events' });
      assert.deepEqual(replayed, ['ADDED', 'MODIFIED', 'DELETED']);
    } finally {
      ctrl2.abort();
    }
  });

  test('a pod watch with a field selector sees changes to matching pods only', async () => {
    const list = await core.listNamespacedPod({ namespace: 'shop' });
    const events: Array<[string, string]> = [];
    const ctrl = await new Watch(kc).watch('/api/v1/namespaces/shop/pods', { resourceVersion: list.metadata!.resourceVersion, fieldSelector: 'spec.nodeName=node-2' }, (type, obj) => events.push([type, obj.metadata.name]), () => undefined);
    try {
      await core.patchNamespacedPod({ namespace: 'shop', name: 'web-00', body: { metadata: { labels: { touched: 'yes' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      await core.patchNamespacedPod({ namespace: 'shop', name: 'web-02', body: { metadata: { labels: { touched: 'yes' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
      await core.createNamespacedPod({ namespace: 'shop', body: { metadata: { name: 'tmp' }, spec: { nodeName: 'node-2', containers: [{ name: 'c', image: 'busybox' }] } } });
      await core.deleteNamespacedPod({ namespace: 'shop', name: 'tmp' });
      await eventually(async () => events.length, (n) => n >= 3, { timeoutMs: 5000, what: 'pod events' });
      assert.deepEqual(events, [
        ['MODIFIED', 'web-02'],
        ['ADDED', 'tmp'],
        ['DELETED', 'tmp'],
      ]);
    } finally {
      ctrl.abort();
    }
  });

  test('watching nodes without a resourceVersion starts with the current nodes; timeoutSeconds ends the stream', async () => {
    const names: string[] = [];
    let ended = false;
    const watch = new Watch(kc);
    await watch.watch('/api/v1/nodes', { timeoutSeconds: 1 }, (_t, obj) => names.push(obj.metadata.name), () => {
      ended = true;
    });
    await eventually(async () => ended, (e) => e, { timeoutMs: 5000, what: 'the server to end the watch' });
    const nodes = await core.listNode();
    assert.equal(names.length, nodes.items.length);
    assert.ok(names.length >= 3);
  });
});

test('the deprecated /watch/ path form streams too', async () => {
  const r = await adminRequest(sim, CLUSTER, '/api/v1/watch/namespaces/shop/configmaps?timeoutSeconds=1');
  assert.equal(r.status, 200);
  const events = r.text.trim().split('\n').map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string } } });
  assert.ok(events.length > 0);
  assert.ok(events.every((e) => e.type === 'ADDED'));
  assert.ok(events.some((e) => e.object.metadata.name === 'kube-root-ca.crt'));
});

describe('authentication and authorization', () => {
  test('a wrong token is 401; a service account bound to a narrow ClusterRole gets 403 outside it', async () => {
    const wrong = kubeConfigFor(sim, CLUSTER, 'not-a-token').makeApiClient(CoreV1Api);
    assert.equal((await apiError(wrong.listNamespace())).code, 401);
    const otherCluster = kubeConfigFor(sim, CLUSTER, sim.adminToken('beta')).makeApiClient(CoreV1Api);
    assert.equal((await apiError(otherCluster.listNamespace())).code, 401, "another cluster's admin token is refused");

    const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
    await core.createNamespacedServiceAccount({ namespace: 'shop', body: { metadata: { name: 'reader' } } });
    await rbac.createClusterRole({ body: { metadata: { name: 'pod-reader' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] } });
    await rbac.createClusterRoleBinding({
      body: { metadata: { name: 'reader-pods' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'pod-reader' }, subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: 'shop' }] },
    });
    await core.createNamespacedSecret({ namespace: 'shop', body: { metadata: { name: 'reader-token', annotations: { 'kubernetes.io/service-account.name': 'reader' } }, type: 'kubernetes.io/service-account-token' } });
    const secret = await core.readNamespacedSecret({ namespace: 'shop', name: 'reader-token' });
    assert.ok(secret.data?.token, 'the token controller filled the Secret');
    assert.equal(Buffer.from(secret.data!['ca.crt'], 'base64').toString(), sim.caPem);
    const token = Buffer.from(secret.data!.token, 'base64').toString();

    const reader = kubeConfigFor(sim, CLUSTER, token).makeApiClient(CoreV1Api);
    assert.equal((await reader.listNamespacedPod({ namespace: 'shop' })).items.length, 12);
    const forbidden = await apiError(reader.listNamespacedSecret({ namespace: 'shop' }));
    assert.equal(forbidden.code, 403);
    assert.equal(forbidden.body.message, 'secrets is forbidden: User "system:serviceaccount:shop:reader" cannot list resource "secrets" in API group "" in the namespace "shop"');
    assert.equal((await apiError(reader.deleteNamespacedPod({ namespace: 'shop', name: 'web-00' }))).code, 403);
    assert.equal((await apiError(reader.listNode())).code, 403);

    // Revoking service-account tokens leaves the admin in.
    assert.equal((await fetchAdmin(`/_sim/clusters/${CLUSTER}/faults`, 'PUT', { revokeTokens: 'service-accounts' })).status, 200);
    assert.equal((await apiError(reader.listNamespacedPod({ namespace: 'shop' }))).code, 401);
    assert.equal((await core.listNamespacedPod({ namespace: 'shop' })).items.length, 12);
    assert.equal((await fetchAdmin(`/_sim/clusters/${CLUSTER}/faults`, 'PUT', {})).status, 200);
    assert.equal((await reader.listNamespacedPod({ namespace: 'shop' })).items.length, 12);

    await core.deleteNamespacedSecret({ namespace: 'shop', name: 'reader-token' });
    assert.equal((await apiError(reader.listNamespacedPod({ namespace: 'shop' }))).code, 401, 'deleting the Secret revokes its token');
  });

  test('TokenRequest issues expiring tokens; SelfSubjectAccessReview answers from RBAC', async () => {
    await core.createNamespacedServiceAccount({ namespace: 'shop', body: { metadata: { name: 'short' } } });
    const tr = await core.createNamespacedServiceAccountToken({ namespace: 'shop', name: 'short', body: { spec: { audiences: [], expirationSeconds: 600 } } });
    const token = tr.status!.token;
    assert.ok(Date.parse(String(tr.status!.expirationTimestamp)) > Date.now());
    const ssar = await adminRequest(sim, CLUSTER, '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      method: 'POST',
      token,
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: 'shop', verb: 'list', resource: 'pods' } } },
    });
    assert.equal(ssar.status, 201);
    assert.equal(ssar.json.status.allowed, false);
    const forVault = await core.createNamespacedServiceAccountToken({ namespace: 'shop', name: 'short', body: { spec: { audiences: ['vault'], expirationSeconds: 600 } } });
    assert.equal((await adminRequest(sim, CLUSTER, '/api/v1/namespaces', { token: forVault.status!.token })).status, 401, 'a token for another audience is no API credential');
    const tooShort = await apiError(core.createNamespacedServiceAccountToken({ namespace: 'shop', name: 'short', body: { spec: { audiences: [], expirationSeconds: 60 } } }));
    assert.equal(tooShort.code, 422);
    // Ten minutes later (the cluster's clock, moved on) the token has expired.
    const clock = await fetchAdmin(`/_sim/clusters/${CLUSTER}/clock`, 'PUT', { offsetSeconds: 601 });
    assert.equal(clock.status, 200);
    const expired = await adminRequest(sim, CLUSTER, '/api/v1/namespaces', { token });
    assert.equal(expired.status, 401);
    await fetchAdmin(`/_sim/clusters/${CLUSTER}/clock`, 'PUT', { offsetSeconds: 0 });
  });
});

async function fetchAdmin(path: string, method: string, body?: unknown) {
  const { rawRequest } = await import('./testing/kube-sim.test-helper');
  return rawRequest(sim, path, { method, body });
}
