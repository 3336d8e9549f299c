import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { eventually } from '@flotilla/testing';
import { ApiHarness, startApiHarness } from '../../../api/src/testing/api-test-harness';
import { ClusterSpec, KubeSim, startKubeSim } from '../../../kube-sim/src';
import { generateCluster } from '../../../kube-sim/src/content';
import type { GenerateCluster } from '../../../kube-sim/src/content/contract';
import { startWorkerHarness } from '../../../worker/src/testing/worker-test-harness';
import { run } from '../main';
import { captureIo } from '../testing/fake-graphql-api';

// `flotilla upgrade start --wait` and `flotilla inspect run --wait` against the real API, worker and
// kube-sim: what a pipeline sees (exit 0 ok, 1 failure, 2 usage) and the progress it prints.
const skip = !process.env.DATABASE_URL && 'needs the per-run DATABASE_URL of npm test';

const SPECS: ClusterSpec[] = [
  { name: 'supervisor-01', flavor: 'management' },
  { name: 'tkg-prod-01', flavor: 'vsphere', version: 'v1.30.4+vmware.1', nodes: 2, managedBy: 'supervisor-01' },
  { name: 'eks-payments-01', flavor: 'eks', nodes: 2 },
];
/** No client of eks-payments-01 requests a deprecated API: its DEPRECATED_APIS inspection has nothing to fail. */
const content: GenerateCluster = (spec, ctx) => {
  const g = generateCluster(spec, ctx);
  return spec.name === 'eks-payments-01' ? { ...g, deprecatedApiUse: [] } : g;
};

describe('flotilla upgrade and inspect against the real API, worker and kube-sim', { skip }, () => {
  let sim: KubeSim;
  let api: ApiHarness;
  let worker: INestApplicationContext;
  let env: Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-cli-upgrade-'));

  async function flotilla(...args: string[]) {
    const c = captureIo();
    const code = await run(args, { io: c.io, env });
    assert.ok(!(c.out + c.err).includes(api.adminToken), 'the CLI never prints its token');
    return { code, out: c.out, err: c.err };
  }

  before(async () => {
    sim = await startKubeSim({ clusters: SPECS, port: 0, tls: true, seed: 3, rolloutStepMs: 200, generateCluster: content });
    api = await startApiHarness({ FLOTILLA_SYNC_INTERVAL_SECONDS: '2', FLOTILLA_UPGRADE_POLL_MS: '150' });
    worker = await startWorkerHarness(api.config);
    env = { FLOTILLA_API_URL: api.url, FLOTILLA_TOKEN: api.adminToken, FLOTILLA_CONFIG: join(dir, 'absent.json') };
    for (const s of SPECS) {
      const file = join(dir, `${s.name}.yaml`);
      writeFileSync(file, sim.kubeconfig(s.name), { mode: 0o600 });
      const r = await flotilla('cluster', 'attach', s.name, '--kubeconfig', file);
      assert.equal(r.code, 0, r.err);
    }
    await eventually(
      () => api.gql(`{ clusters { edges { node { name status availableUpgrades } } } }`),
      (r) => r.data?.clusters.edges.length === 3 && r.data.clusters.edges.every((e: any) => e.node.status === 'CONNECTED' && (e.node.name !== 'tkg-prod-01' || e.node.availableUpgrades.length > 0)),
      { timeoutMs: 20_000, what: 'the fleet synced and tkg-prod-01 linked to its Supervisor' },
    );
  });
  after(async () => {
    await worker?.close();
    await api?.close();
    await sim?.stop();
  });

  test('upgrade start --wait follows the upgrade to SUCCEEDED and exits 0, showing its progress', async () => {
    const r = await flotilla('upgrade', 'start', 'tkg-prod-01', '--to', 'v1.30.8+vmware.1', '--wait', '--timeout', '60');
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^upgrade\/[0-9a-f-]{36} queued: cluster tkg-prod-01 v1\.30\.4\+vmware\.1 → v1\.30\.8\+vmware\.1\n/);
    assert.match(r.out, /cluster tkg-prod-01 upgraded to v1\.30\.8\+vmware\.1\n$/);
    assert.match(r.err, /upgrade SUCCEEDED \(DONE\)/);
  });

  test('upgrade start --wait exits 1 with the pre-flight reason when the target skips a minor', async () => {
    const r = await flotilla('upgrade', 'start', 'tkg-prod-01', '--to', 'v1.32.0+vmware.1', '--wait', '--timeout', '60');
    assert.equal(r.code, 1);
    // The worker's pre-flight verdict, summarised: one line per reason, then what is offered.
    assert.match(r.err, /error: upgrade of tkg-prod-01 to v1\.32\.0\+vmware\.1 refused by pre-flight:\n {2}- .*skips minor version 1\.31.*\n(?: {2}- .*\n)* {2}Offered.*\.\n$/);
  });

  test('upgrade start exits 1 for a cluster Cluster API does not manage, and 2 without --to', async () => {
    const r = await flotilla('upgrade', 'start', 'eks-payments-01', '--to', 'v1.32.0');
    assert.equal(r.code, 1);
    assert.match(r.err, /error: cluster eks-payments-01 is not managed by Cluster API, so it is not upgradeable from Flotilla/);
    const usage = await flotilla('upgrade', 'start', 'tkg-prod-01');
    assert.equal(usage.code, 2);
  });

  test('inspect run --wait exits 0 when no check fails and 1 when one does, printing the checks', async () => {
    const clean = await flotilla('inspect', 'run', 'eks-payments-01', '--kind', 'deprecated-apis', '--wait');
    assert.equal(clean.code, 0, clean.err);
    assert.match(clean.out, /deprecated-apis\.none\s+LOW\s+PASS/);
    assert.match(clean.out, /DEPRECATED_APIS of eks-payments-01 against v1\.\d+ SUCCEEDED: 1 passed, 0 failed, 0 warnings\n$/);

    const kube = (await import('node:https')).request;
    await new Promise<void>((resolve, reject) => {
      const body = JSON.stringify({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: 'ci-bot-admin' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ kind: 'ServiceAccount', name: 'ci-bot', namespace: 'default' }],
      });
      const req = kube(`${sim.clusterUrl('eks-payments-01')}/apis/rbac.authorization.k8s.io/v1/clusterrolebindings`, {
        method: 'POST',
        ca: sim.caPem,
        headers: { authorization: `Bearer ${sim.adminToken('eks-payments-01')}`, 'content-type': 'application/json' },
      }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`create binding: ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(body);
    });
    const risky = await flotilla('inspect', 'run', 'eks-payments-01', '--kind', 'RBAC_RISK', '--wait', '-o', 'json');
    assert.equal(risky.code, 1);
    const result = JSON.parse(risky.out);
    const admin = result.checks.find((c: any) => c.id === 'rbac.cluster-admin-subjects');
    assert.equal(admin.outcome, 'FAIL');
    assert.match(admin.message, /ClusterRoleBinding ci-bot-admin → ServiceAccount default\/ci-bot/);
    assert.match(risky.err, /error: \d+ checks? failed\n$/);

    const usage = await flotilla('inspect', 'run', 'eks-payments-01', '--kind', 'NOPE');
    assert.equal(usage.code, 2);
  });
});
