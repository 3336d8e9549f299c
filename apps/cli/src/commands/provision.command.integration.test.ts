import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { parseAllDocuments } from 'yaml';
import { eventually } from '@flotilla/testing';
import { ApiHarness, startApiHarness } from '../../../api/src/testing/api-test-harness';
import { ClusterSpec, KubeSim, startKubeSim } from '../../../kube-sim/src';
import { startWorkerHarness } from '../../../worker/src/testing/worker-test-harness';
import { run } from '../main';
import { captureIo } from '../testing/fake-graphql-api';

// `flotilla cluster create -f spec.yaml [--preview] [--wait]` and `flotilla cluster delete --wait`
// against the real API, worker and kube-sim (a Supervisor attached with --allow-provisioning).
const skip = !process.env.DATABASE_URL && 'needs the per-run DATABASE_URL of npm test';
const MGMT = 'supervisor-01';
const SPECS: ClusterSpec[] = [
  { name: MGMT, flavor: 'management' },
  { name: 'tkg-prod-01', flavor: 'vsphere', version: 'v1.30.4+vmware.1', nodes: 2, managedBy: MGMT },
];

const spec = (name: string, poolClass = 'best-effort-small') => `name: ${name}
managementCluster: ${MGMT}
namespace: tkg-prod
version: v1.31.4+vmware.1
vmClass: best-effort-medium
storageClass: gold-storage-policy
workers:
  - name: np-1
    replicas: 2
    vmClass: ${poolClass}
`;

describe('flotilla cluster create and delete against the real API, worker and kube-sim', { skip }, () => {
  let sim: KubeSim;
  let api: ApiHarness;
  let worker: INestApplicationContext;
  let env: Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-cli-provision-'));

  async function flotilla(...args: string[]) {
    const c = captureIo();
    const code = await run(args, { io: c.io, env });
    assert.ok(!(c.out + c.err).includes(api.adminToken), 'the CLI never prints its token');
    return { code, out: c.out, err: c.err };
  }

  function file(name: string, text: string): string {
    const f = join(dir, name);
    writeFileSync(f, text, { mode: 0o600 });
    return f;
  }

  before(async () => {
    sim = await startKubeSim({ clusters: SPECS, port: 0, tls: true, seed: 3, rolloutStepMs: 200 });
    api = await startApiHarness({ FLOTILLA_SYNC_INTERVAL_SECONDS: '2', FLOTILLA_PROVISION_POLL_MS: '150', FLOTILLA_UPGRADE_FOLLOW_SLICE_SECONDS: '2' });
    worker = await startWorkerHarness(api.config);
    env = { FLOTILLA_API_URL: api.url, FLOTILLA_TOKEN: api.adminToken, FLOTILLA_CONFIG: join(dir, 'absent.json') };
    const r = await flotilla('cluster', 'attach', MGMT, '--kubeconfig', file('mgmt.yaml', sim.kubeconfig(MGMT)), '--allow-provisioning');
    assert.equal(r.code, 0, r.err);
    await eventually(() => api.gql(`{ managementClusters { name vmClasses } }`), (x) => x.data?.managementClusters?.[0]?.vmClasses?.length > 0, { timeoutMs: 30_000, what: 'the Supervisor synced' });
  });
  after(async () => {
    await worker?.close();
    await api?.close();
    await sim?.stop();
  });

  test('create --preview prints the objects and applies nothing; a VM class not offered exits 1 listing the offered ones', async () => {
    const p = await flotilla('cluster', 'create', '-f', file('dev.yaml', spec('tkg-cli-01')), '--preview');
    assert.equal(p.code, 0, p.err);
    const docs = parseAllDocuments(p.out).map((d) => d.toJSON());
    assert.equal(docs[0].kind, 'Cluster');
    assert.match(p.err, /^1 object for supervisor-01; nothing was applied\n$/);
    const bad = await flotilla('cluster', 'create', '-f', file('bad.yaml', spec('tkg-cli-02', 'huge')));
    assert.equal(bad.code, 1);
    assert.match(bad.err, /input\.workers\[0\]\.vmClass: "huge" is not a VM class the management cluster offers \(offered: best-effort-large, .*\)/);
    const usage = await flotilla('cluster', 'create', '-f', file('typo.yaml', `${spec('x')}replica: 3\n`));
    assert.equal(usage.code, 2);
  });

  test('create --wait follows to CONNECTED; delete --wait removes it', async () => {
    const c = await flotilla('cluster', 'create', '-f', file('dev.yaml', spec('tkg-cli-01')), '--wait', '--timeout', '90');
    assert.equal(c.code, 0, c.err);
    assert.match(c.out, /^cluster\/tkg-cli-01 pending \([0-9a-f-]{36}\): provisioning on supervisor-01\n/);
    assert.match(c.out, /cluster\/tkg-cli-01 connected \(v1\.31\.4\+vmware\.1, 3 nodes\)\n$/);
    assert.match(c.err, /PENDING PROVISIONING/);
    const d = await flotilla('cluster', 'delete', 'tkg-cli-01', '--wait', '--timeout', '90');
    assert.equal(d.code, 0, d.err);
    assert.match(d.out, /cluster\/tkg-cli-01 deleted\n$/);
    const attached = await flotilla('cluster', 'delete', MGMT);
    assert.equal(attached.code, 1);
    assert.match(attached.err, /was not provisioned by Flotilla/);
  });
});
