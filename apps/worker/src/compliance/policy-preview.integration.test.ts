import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ClusterClient } from '@flotilla/cluster-access';
import { eventually } from '@flotilla/testing';
import { isolatedEnv } from '@flotilla/testing/isolated-database';
import { DATA_SOURCE } from '@flotilla/infrastructure';
import { ApiHarness, startApiHarness } from '../../../api/src/testing/api-test-harness';
import { startKubeSim, KubeSim } from '../../../kube-sim/src';
import { fallbackGenerateCluster } from '../../../kube-sim/src/fleet/fallback-content';
import { startWorkerHarness } from '../testing/worker-test-harness';
import { run } from '../../../cli/src/main';
import { captureIo } from '../../../cli/src/testing/fake-graphql-api';

// Four 1.31 clusters and one 1.29 cluster with predictable content (fallback generator); each
// test writes the Deployments it checks.
const NEW = ['pv-1', 'pv-2', 'pv-3', 'pv-4'];
const OLD = 'pv-old';
const CLUSTERS = [...NEW, OLD];
const MESSAGE = 'Deployments must set spec.template.spec.securityContext.runAsNonRoot';
const RUN_AS_NON_ROOT = {
  matchConstraints: { resourceRules: [{ apiGroups: ['apps'], kinds: ['Deployment'] }] },
  validations: [
    {
      expression: 'has(object.spec.template.spec.securityContext) && has(object.spec.template.spec.securityContext.runAsNonRoot) && object.spec.template.spec.securityContext.runAsNonRoot == true',
      message: MESSAGE,
    },
  ],
};
const PREVIEW = `query($input: CreatePolicyInput!) { previewPolicy(input: $input) {
  evaluatedClusters notEvaluatedClusters wouldViolateClusters newlyNonCompliantClusters oldestSnapshotAt
  clusters(first: 50) { cluster { id name } violationCount violations(first: 20) { kind namespace name message } } } }`;

let sim: KubeSim;
let api: ApiHarness;
let worker: INestApplicationContext;
let db: DataSource;
let dir: string;
const isolated = isolatedEnv('policy_preview');

before(async () => {
  sim = await startKubeSim({
    clusters: CLUSTERS.map((name) => ({ name, flavor: 'generic' as const, version: name === OLD ? 'v1.29.10' : 'v1.31.4' })),
    generateCluster: fallbackGenerateCluster,
    tls: true,
  });
  api = await startApiHarness({ ...isolated.env, FLOTILLA_KUBE_TIMEOUT_MS: '2000', FLOTILLA_SYNC_INTERVAL_SECONDS: '3600' });
  worker = await startWorkerHarness(api.config);
  db = worker.get(DATA_SOURCE);
  dir = mkdtempSync(join(tmpdir(), 'policy-preview-'));
});
after(async () => {
  await worker?.close();
  await api?.close();
  await sim?.stop();
  await isolated.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const admin = (cluster: string) => ClusterClient.direct({ apiServerUrl: sim.clusterUrl(cluster), token: sim.adminToken(cluster), caPem: sim.caPem ?? null }, { timeoutMs: 5000 });

async function gql(token: string, query: string, variables: Record<string, unknown>) {
  const r = await api.gql(query, variables, token);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data;
}

async function attach(token: string, cluster: string): Promise<string> {
  const input = { name: cluster, apiServerUrl: sim.clusterUrl(cluster), token: sim.adminToken(cluster), caData: Buffer.from(sim.caPem ?? '').toString('base64') };
  return (await gql(token, `mutation($input: AttachClusterInput!) { attachCluster(input: $input) { id } }`, { input })).attachCluster.id;
}

async function scanToEnd(token: string) {
  const id = (await gql(token, `mutation { runComplianceScan(input: {}) { id } }`, {})).runComplianceScan.id;
  const done = await eventually(
    () => api.gql(`query($id: ID!) { scan(id: $id) { status summary { compliant nonCompliant errored violations } } }`, { id }, token),
    (x) => x.data?.scan?.status === 'SUCCEEDED',
    { timeoutMs: 90_000, what: 'the scan to end' },
  );
  return done.data.scan.summary;
}

async function customResults(token: string, clusterId: string, policyName: string) {
  const data = await gql(token, `query($id: ID!) { cluster(id: $id) { compliance { status } policyResults { policy { name } status enforcement violations { kind namespace name message } } } }`, { id: clusterId });
  return { compliance: data.cluster.compliance.status as string, result: data.cluster.policyResults.find((p: { policy: { name: string } }) => p.policy.name === policyName) };
}

/**
 * Every request each cluster's API server has answered (kube-sim's apiserver_request_total) but
 * the sync's Node lists: a cluster's sync is background work that may land at any moment (on a
 * loaded machine a second sync queued at attach did, during the preview), and no preview reads Nodes.
 */
async function requestCounts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const c of CLUSTERS) {
    const text = await admin(c).readMetrics();
    out[c] = text
      .split('\n')
      .filter((l) => l.startsWith('apiserver_request_total{') && !l.includes('resource="nodes"'))
      .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  }
  return out;
}

function deployment(ns: string, name: string, runAsNonRoot?: boolean) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { ...(runAsNonRoot === undefined ? {} : { securityContext: { runAsNonRoot } }), containers: [{ name: 'app', image: 'nginx' }] } },
    },
  };
}

function kubectlPath(): string | undefined {
  for (const d of (process.env.PATH ?? '').split(':')) {
    try {
      accessSync(join(d, 'kubectl'), constants.X_OK);
      return join(d, 'kubectl');
    } catch {
      // not here
    }
  }
  return undefined;
}

function kubectl(cluster: string, args: string[], input: string): Promise<{ code: number; stderr: string }> {
  const kubeconfig = join(dir, cluster);
  writeFileSync(kubeconfig, sim.kubeconfig(cluster));
  return new Promise((resolve) => {
    const child = execFile(kubectlPath()!, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, `cache-${cluster}`), ...args], { timeout: 30_000 }, (err, _stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
    );
    child.stdin!.end(input);
  });
}

describe('policy preview on the snapshot cache, and CUSTOM (CEL) policies', () => {
  test('preview counts equal the next real scan, touch no cluster; CUSTOM audits exactly, ENFORCE installs a VAP kubectl meets, 1.29 is audit only, deleting removes the VAPs', async () => {
    const org = await api.newOrganization();
    for (const c of CLUSTERS) await admin(c).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    // Violations: pv-1 one, pv-3 two, pv-old one; pv-2 and pv-4 none. pv-2 breaks the baseline policy.
    await admin('pv-1').create(deployment('shop', 'root'));
    await admin('pv-1').create(deployment('shop', 'fine', true));
    await admin('pv-2').create(deployment('shop', 'fine', true));
    await admin('pv-3').create(deployment('shop', 'root-a'));
    await admin('pv-3').create(deployment('shop', 'root-b', false));
    await admin(OLD).create(deployment('shop', 'root'));
    for (const c of CLUSTERS) {
      if (c !== 'pv-2') await admin(c).create({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'shop' }, spec: { podSelector: {}, policyTypes: ['Ingress'] } });
    }
    const ids: Record<string, string> = {};
    for (const c of CLUSTERS) ids[c] = await attach(org.token, c);
    const baseline = { name: 'shop-deny', type: 'NETWORK', mode: 'AUDIT', spec: { defaultDeny: 'ingress', namespaces: ['shop'] }, scope: { kind: 'ORGANIZATION' } };
    await gql(org.token, `mutation($input: CreatePolicyInput!) { createPolicy(input: $input) { id } }`, { input: baseline });

    // Before any scan there is no snapshot: nothing evaluated, said so.
    const input = { name: 'non-root', type: 'CUSTOM', mode: 'ENFORCE', spec: RUN_AS_NON_ROOT, scope: { kind: 'ORGANIZATION' } };
    const empty = (await gql(org.token, PREVIEW, { input })).previewPolicy;
    assert.deepEqual([empty.evaluatedClusters, empty.notEvaluatedClusters, empty.oldestSnapshotAt], [0, 5, null]);

    const first = await scanToEnd(org.token);
    assert.deepEqual(first, { compliant: 4, nonCompliant: 1, errored: 0, violations: 1 });
    const rows: Array<{ n: number }> = await db.query(`SELECT count(*)::int AS n FROM cluster_snapshots WHERE organization_id = $1`, [org.organizationId]);
    assert.equal(rows[0].n, 5, 'one snapshot row per cluster');

    // A bad expression is refused like createPolicy refuses it, naming the validation and the position.
    const bad = await api.gql(PREVIEW, { input: { ...input, spec: { ...RUN_AS_NON_ROOT, validations: [{ expression: 'object.spec.replicas >' }] } } }, org.token);
    assert.equal(bad.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
    assert.equal(bad.errors?.[0]?.extensions?.field, 'input.spec.validations[0].expression');
    assert.match(bad.errors?.[0]?.message ?? '', /does not compile: line 1, column \d+/);

    const before = await requestCounts();
    const preview = (await gql(org.token, PREVIEW, { input })).previewPolicy;
    assert.deepEqual(await requestCounts(), before, 'no cluster received a request during the preview');
    assert.equal(preview.evaluatedClusters, 5);
    assert.equal(preview.notEvaluatedClusters, 0);
    assert.equal(preview.wouldViolateClusters, 3);
    assert.equal(preview.newlyNonCompliantClusters, 3);
    assert.ok(preview.oldestSnapshotAt);
    const previewed = Object.fromEntries(preview.clusters.map((c: { cluster: { name: string }; violationCount: number }) => [c.cluster.name, c.violationCount]));
    assert.deepEqual(previewed, { 'pv-1': 1, 'pv-3': 2, [OLD]: 1 });
    assert.deepEqual(preview.clusters.find((c: { cluster: { name: string } }) => c.cluster.name === 'pv-3').violations, [
      { kind: 'Deployment', namespace: 'shop', name: 'root-a', message: MESSAGE },
      { kind: 'Deployment', namespace: 'shop', name: 'root-b', message: MESSAGE },
    ]);
    // The CLI gate: the same preview, printed; exit 1 because compliant clusters would turn non-compliant.
    const cliEnv = { FLOTILLA_API_URL: api.url, FLOTILLA_TOKEN: org.token, FLOTILLA_CONFIG: join(dir, 'absent.json') };
    const file = join(dir, 'non-root.yaml');
    writeFileSync(file, `name: non-root\ntype: CUSTOM\nmode: ENFORCE\nspec: ${JSON.stringify(RUN_AS_NON_ROOT)}\n---\nname: harmless\ntype: CUSTOM\nspec: { matchConstraints: { resourceRules: [{ apiGroups: [apps], kinds: [Deployment] }] }, validations: [{ expression: 'true' }] }\n`);
    const io = captureIo();
    assert.equal(await run(['policy', 'apply', '-f', file, '--preview'], { io: io.io, env: cliEnv }), 1, io.err);
    assert.match(io.out, /^policy\/non-root: would be violated on 3 of 5 clusters evaluated; 3 compliant now would become non-compliant$/m);
    assert.match(io.out, /^ {2}pv-3 +2 +Deployment shop\/root-a: Deployments must set/m);
    assert.match(io.out, /^policy\/harmless: would be violated on 0 of 5 clusters evaluated; 0 compliant now would become non-compliant$/m);
    assert.match(io.err, /1 of 2 policies would make compliant clusters non-compliant/);
    const harmless = captureIo();
    writeFileSync(file, `name: harmless\ntype: CUSTOM\nspec: { matchConstraints: { resourceRules: [{ apiGroups: [apps], kinds: [Deployment] }] }, validations: [{ expression: 'true' }] }\n`);
    assert.equal(await run(['policy', 'apply', '-f', file, '--preview'], { io: harmless.io, env: cliEnv }), 0, harmless.err);
    assert.deepEqual(await requestCounts(), before, 'still no request to any cluster');

    const policiesBefore: Array<{ n: number }> = await db.query(`SELECT count(*)::int AS n FROM policies WHERE organization_id = $1`, [org.organizationId]);
    assert.equal(policiesBefore[0].n, 1, 'the preview stored no policy');

    // The real thing: the same counts, cluster by cluster.
    const policyId = (await gql(org.token, `mutation($input: CreatePolicyInput!) { createPolicy(input: $input) { id } }`, { input })).createPolicy.id;
    const second = await scanToEnd(org.token);
    assert.equal(second.nonCompliant, 1 + preview.newlyNonCompliantClusters);
    const scanned: Record<string, number> = {};
    for (const c of CLUSTERS) {
      const { result } = await customResults(org.token, ids[c], 'non-root');
      if (result.violations.length) scanned[c] = result.violations.length;
      for (const v of result.violations) assert.equal(v.message, MESSAGE);
    }
    assert.deepEqual(scanned, previewed);

    // ENFORCE: the native policy and binding on 1.30+, managed by Flotilla; audit only on 1.29.
    const vaps = await admin('pv-1').list('ValidatingAdmissionPolicy');
    const bindings = await admin('pv-1').list('ValidatingAdmissionPolicyBinding');
    assert.deepEqual(vaps.map((o) => [o.metadata.labels?.['app.kubernetes.io/managed-by'], o.metadata.annotations?.['flotilla.io/policy-id']]), [['flotilla', policyId]]);
    assert.deepEqual((bindings[0] as unknown as { spec: unknown }).spec, { policyName: vaps[0].metadata.name, validationActions: ['Deny'] });
    const old = await customResults(org.token, ids[OLD], 'non-root');
    assert.equal(old.result.status, 'NON_COMPLIANT', 'what exists on 1.29 is still audited');
    assert.match(old.result.enforcement?.notes?.[0] ?? '', /audit only: the cluster is v1\.29/);
    assert.equal(old.result.enforcement.applied.length, 0);

    // kubectl meets the policy's message on 1.30+, and not on 1.29.
    if (kubectlPath()) {
      const manifest = JSON.stringify(deployment('shop', 'new-root'));
      const refused = await kubectl('pv-2', ['create', '-f', '-'], manifest);
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, new RegExp(`The deployments "new-root" is invalid: : ValidatingAdmissionPolicy '${vaps[0].metadata.name}' with binding '${bindings[0].metadata.name}' denied request: ${MESSAGE.replace(/\./g, '\\.')}`));
      assert.equal((await kubectl(OLD, ['create', '-f', '-'], manifest)).code, 0, 'a 1.29 cluster enforces nothing');
    }

    // Deleting the policy removes the VAP objects (the cleanup job, through the outbox).
    await gql(org.token, `mutation($id: ID!) { deletePolicy(id: $id) }`, { id: policyId });
    for (const c of NEW) {
      await eventually(
        async () => (await admin(c).list('ValidatingAdmissionPolicy')).length + (await admin(c).list('ValidatingAdmissionPolicyBinding')).length,
        (n) => n === 0,
        { timeoutMs: 60_000, what: `the VAP objects on ${c} to be removed` },
      );
    }
    if (kubectlPath()) assert.equal((await kubectl('pv-1', ['create', '-f', '-'], JSON.stringify(deployment('shop', 'after-delete')))).code, 0);
  });
});
