import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterClient, SERVES_TTL_MS } from './cluster-client';
import { KubeApiError } from './kube-api.error';
import { KubeMethod, KubeTransport } from './kube-transport';

/** A transport that answers from a table and records what it was sent: the seam's paths, seen from below. */
class RecordingTransport implements KubeTransport {
  readonly sent: Array<{ method: KubeMethod; path: string; body?: string; contentType?: string }> = [];
  constructor(private readonly answer: (method: KubeMethod, path: string) => unknown) {}
  async request(method: KubeMethod, path: string, body?: string, headers: Record<string, string> = {}) {
    this.sent.push({ method, path, ...(body ? { body } : {}), ...(headers['content-type'] ? { contentType: headers['content-type'] } : {}) });
    const a = this.answer(method, path);
    if (a instanceof Error) throw a;
    return { status: 200, body: typeof a === 'string' ? a : JSON.stringify(a) };
  }
  closeIdleConnections(): void {}
  close(): void {}
}

const notFound = () => new KubeApiError('GET: HTTP 404 NotFound', 404, 'NotFound', false);

test('list follows continue tokens across pages, with namespace and selectors in the path', async () => {
  const t = new RecordingTransport((_m, path) =>
    path.includes('continue=p2') ? { items: [{ metadata: { name: 'b' } }], metadata: {} } : { items: [{ metadata: { name: 'a' } }], metadata: { continue: 'p2' } },
  );
  const items = await new ClusterClient(t, { pageSize: 1 }).list('Pod', { namespace: 'kube-system', labelSelector: 'app=dns', fieldSelector: 'status.phase=Running' });
  assert.deepEqual(items.map((i) => i.metadata.name), ['a', 'b']);
  assert.deepEqual(t.sent.map((s) => s.path), [
    '/api/v1/namespaces/kube-system/pods?labelSelector=app%3Ddns&fieldSelector=status.phase%3DRunning&limit=1',
    '/api/v1/namespaces/kube-system/pods?labelSelector=app%3Ddns&fieldSelector=status.phase%3DRunning&limit=1&continue=p2',
  ]);
});

test('apply finds the path from the object and server-side applies as flotilla; mergePatch sends a merge patch', async () => {
  const t = new RecordingTransport((_m, _p) => ({ metadata: { name: 'x' } }));
  const c = new ClusterClient(t);
  await c.apply({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'flotilla-quota', namespace: 'shop' } });
  await c.mergePatch('Namespace', 'shop', { metadata: { labels: { a: 'b' } } });
  assert.deepEqual(t.sent, [
    {
      method: 'PATCH',
      path: '/api/v1/namespaces/shop/resourcequotas/flotilla-quota?fieldManager=flotilla&force=true',
      body: JSON.stringify({ apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'flotilla-quota', namespace: 'shop' } }),
      contentType: 'application/apply-patch+yaml',
    },
    { method: 'PATCH', path: '/api/v1/namespaces/shop', body: '{"metadata":{"labels":{"a":"b"}}}', contentType: 'application/merge-patch+json' },
  ]);
});

test('an unknown or read-only kind is refused before anything is sent', async () => {
  const t = new RecordingTransport(() => ({}));
  const c = new ClusterClient(t);
  await assert.rejects(c.apply({ apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 's', namespace: 'x' } }), /kind Endpoints is not in Flotilla's resource catalogue/);
  await assert.rejects(c.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'x' } }), /Flotilla does not write Pod objects/);
  // Secrets are read (provisioning) but never written or deleted.
  await assert.rejects(c.apply({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'x' } }), /Flotilla does not write Secret objects/);
  await assert.rejects(c.delete('Secret' as never, 's', 'x'), /Flotilla does not write Secret objects/);
  await assert.rejects(c.list('Endpoints' as never), /kind Endpoints is not in/);
  assert.deepEqual(t.sent, []);
});

test('get is null for a missing object; serves is false for a group-version the cluster does not serve', async () => {
  const t = new RecordingTransport((_m, path) => (path.startsWith('/apis/cluster.x-k8s.io') ? notFound() : { metadata: { name: 'n' } }));
  const c = new ClusterClient(t);
  assert.equal(await c.get('Cluster', 'c', 'ns'), null);
  assert.equal(await c.serves('Cluster'), false);
  assert.equal(await c.serves('Node'), true);
  assert.equal((await c.get('Node', 'n'))?.metadata.name, 'n');
});

test('probeHealth: failed probes are false, and an unreadable /readyz says why in operator words', async () => {
  const t = new RecordingTransport((_m, path) => (path === '/healthz' ? 'ok' : path === '/livez' ? new KubeApiError('x', 500, null, false) : new KubeApiError('GET /readyz: HTTP 401', 401, null, false)));
  assert.deepEqual(await new ClusterClient(t).probeHealth(), {
    healthz: true,
    livez: false,
    readyz: false,
    readyzVerbose: 'credential rejected (401 Unauthorized): re-attach the cluster',
  });
});

test('serves is asked once per group-version for ten minutes; a failure is never kept', async (t) => {
  t.mock.timers.enable({ apis: ['Date'], now: Date.parse('2026-12-01T00:00:00Z') });
  let down = true;
  const tr = new RecordingTransport((_m, path) => (down ? new KubeApiError('GET: timed out', null, null, true) : path.startsWith('/apis/cluster.x-k8s.io') ? notFound() : {}));
  const c = new ClusterClient(tr);
  await assert.rejects(c.serves('Cluster'), /timed out/);
  down = false;
  assert.equal(await c.serves('Cluster'), false, 'asked again after a failure');
  assert.equal(await c.serves('Cluster'), false);
  assert.equal(await c.serves('Node'), true);
  assert.equal(await c.serves('Node'), true);
  assert.deepEqual(tr.sent.map((s) => s.path), ['/apis/cluster.x-k8s.io/v1beta1', '/apis/cluster.x-k8s.io/v1beta1', '/api/v1']);
  t.mock.timers.tick(SERVES_TTL_MS + 1);
  assert.equal(await c.serves('Cluster'), false);
  assert.equal(tr.sent.length, 4, 'asked again once the answer is ten minutes old');
});
