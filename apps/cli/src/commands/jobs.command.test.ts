import { test } from 'node:test';
import assert from 'node:assert/strict';
import { run } from '../main';
import { captureIo, startFakeGraphqlApi, Handler } from '../testing/fake-graphql-api';

const clusters: Handler = () => ({
  data: {
    clusters: {
      totalCount: 1,
      pageInfo: { hasNextPage: false, endCursor: null },
      edges: [{ node: { id: 'c1', name: 'prod-eu', provider: 'VSPHERE', region: null, kubernetesVersion: 'v1.30.4+vmware.1', status: 'CONNECTED', nodeCount: 3, lastSeenAt: null } }],
    },
  },
});

/** Answers from a script of states, one per call, the last repeated. */
function script<T>(states: T[]): () => T {
  let i = 0;
  return () => states[Math.min(i++, states.length - 1)];
}

async function cli(handlers: Record<string, Handler>, args: string[]) {
  const api = await startFakeGraphqlApi(handlers);
  try {
    const c = captureIo();
    const code = await run(args, { io: c.io, env: { FLOTILLA_API_URL: api.url, FLOTILLA_TOKEN: 't' } });
    return { code, out: c.out, err: c.err, requests: api.requests };
  } finally {
    await api.stop();
  }
}

const scan = (status: string, done: number, summary: object | null) => ({
  data: { scan: { id: 's1', status, trigger: 'MANUAL', clusterCount: 2, completedCount: done, failedCount: 0, startedAt: null, finishedAt: null, summary } },
});

test('scan run --wait follows the scan, lists failing clusters and exits 1 when one is non-compliant', async () => {
  const r = await cli(
    {
      RunComplianceScan: () => ({ data: { runComplianceScan: { id: 's1', status: 'QUEUED', clusterCount: 2 } } }),
      ScanDetail: script([scan('RUNNING', 1, null), scan('SUCCEEDED', 2, { compliant: 1, nonCompliant: 1, errored: 0, violations: 4 })]),
      ClusterListCompliance: () => ({
        data: { clusters: { totalCount: 1, edges: [{ node: { id: 'c2', name: 'dev-1', compliance: { status: 'NON_COMPLIANT', violationCount: 4, checkedAt: null } } }] } },
      }),
    },
    ['scan', 'run', '--wait'],
  );
  assert.equal(r.code, 1);
  assert.match(r.out, /^CLUSTER\s+COMPLIANCE\s+VIOLATIONS\s+CHECKED\ndev-1\s+NON_COMPLIANT\s+4\s+-\n/);
  assert.match(r.out, /scan\/s1 SUCCEEDED: 1 compliant, 1 non-compliant, 0 errored, 4 violations/);
  assert.match(r.err, /scan RUNNING: 1\/2 clusters done/);
  assert.match(r.err, /error: 1 non-compliant and 0 errored of 2 clusters\n$/);
  assert.deepEqual(r.requests.find((q) => q.operationName === 'ClusterListCompliance')?.variables, {
    filter: { complianceStatuses: ['NON_COMPLIANT', 'ERROR'] },
    first: 100,
  });
});

test('scan run --wait exits 0 when every cluster complies', async () => {
  const r = await cli(
    {
      RunComplianceScan: () => ({ data: { runComplianceScan: { id: 's1', status: 'QUEUED', clusterCount: 2 } } }),
      ScanDetail: () => scan('SUCCEEDED', 2, { compliant: 2, nonCompliant: 0, errored: 0, violations: 0 }),
      ClusterListCompliance: () => ({ data: { clusters: { totalCount: 0, edges: [] } } }),
    },
    ['scan', 'run', '--wait'],
  );
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'scan/s1 SUCCEEDED: 2 compliant, 0 non-compliant, 0 errored, 0 violations\n');
});

const inspection = (status: string, failed: number) => ({
  data: {
    inspection: {
      id: 'i1',
      kind: 'RBAC_RISK',
      status,
      passed: 3,
      failed,
      warnings: 1,
      cluster: { id: 'c1', name: 'prod-eu' },
      checks: [{ id: 'rbac.cluster-admin', title: 'cluster-admin bound to non-system subjects', severity: 'CRITICAL', outcome: failed ? 'FAIL' : 'PASS', message: 'alice' }],
      startedAt: null,
      finishedAt: null,
    },
  },
});

test('inspect run --wait prints the checks and exits 1 when a check fails', async () => {
  const r = await cli(
    { CliClusters: clusters, RunInspection: () => ({ data: { runInspection: { id: 'i1', kind: 'RBAC_RISK', status: 'QUEUED' } } }), InspectionDetail: script([inspection('RUNNING', 0), inspection('SUCCEEDED', 1)]) },
    ['inspect', 'run', 'prod-eu', '--kind', 'rbac-risk', '--wait'],
  );
  assert.equal(r.code, 1);
  assert.deepEqual(r.requests.find((q) => q.operationName === 'RunInspection')?.variables, { input: { clusterId: 'c1', kind: 'RBAC_RISK' } });
  assert.match(r.out, /rbac\.cluster-admin\s+CRITICAL\s+FAIL\s+cluster-admin bound to non-system subjects\s+alice/);
  assert.match(r.out, /RBAC_RISK of prod-eu SUCCEEDED: 3 passed, 1 failed, 1 warnings/);
  assert.match(r.err, /inspection RUNNING\ninspection SUCCEEDED\nerror: 1 check failed\n$/);
});

test('inspect run refuses an unknown kind as a usage error', async () => {
  const r = await cli({}, ['inspect', 'run', 'prod-eu', '--kind', 'VIBES']);
  assert.equal(r.code, 2);
  assert.match(r.err, /must be one of CONFORMANCE_LITE, RBAC_RISK, DEPRECATED_APIS, POD_SECURITY/);
  assert.equal(r.requests.length, 0);
});

const upgrades = (status: string, phase: string | null, error: string | null = null) => ({
  data: {
    cluster: {
      id: 'c1',
      kubernetesVersion: 'v1.30.4+vmware.1',
      availableUpgrades: ['v1.31.1+vmware.1'],
      upgrades: { edges: [{ node: { id: 'u1', fromVersion: 'v1.30.4+vmware.1', toVersion: 'v1.31.1+vmware.1', status, phase, error, startedAt: null, finishedAt: null } }] },
    },
  },
});

test('upgrade start --wait follows the phases; a failed upgrade exits 1 with its error', async () => {
  const started = () => ({ data: { startUpgrade: { id: 'u1', status: 'QUEUED', phase: 'PREFLIGHT', fromVersion: 'v1.30.4+vmware.1', toVersion: 'v1.31.1+vmware.1' } } });
  const ok = await cli({ CliClusters: clusters, StartUpgrade: started, ClusterUpgrades: script([upgrades('RUNNING', 'CONTROL_PLANE'), upgrades('SUCCEEDED', 'DONE')]) }, [
    'upgrade',
    'start',
    'prod-eu',
    '--to',
    'v1.31.1+vmware.1',
    '--wait',
  ]);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.err, /upgrade RUNNING \(CONTROL_PLANE\)\nupgrade SUCCEEDED \(DONE\)\n/);
  assert.match(ok.out, /cluster prod-eu upgraded to v1\.31\.1\+vmware\.1\n$/);

  const failed = await cli({ CliClusters: clusters, StartUpgrade: started, ClusterUpgrades: () => upgrades('FAILED', 'WORKERS', 'machine rollout stalled') }, [
    'upgrade',
    'start',
    'prod-eu',
    '--to',
    'v1.31.1+vmware.1',
    '--wait',
  ]);
  assert.equal(failed.code, 1);
  assert.match(failed.err, /error: upgrade of prod-eu to v1\.31\.1\+vmware\.1 FAILED: machine rollout stalled\n$/);
});

test('a refused upgrade says what the cluster could move to', async () => {
  const r = await cli(
    {
      CliClusters: clusters,
      StartUpgrade: () => ({ errors: [{ message: 'v1.32.0 skips a minor version', extensions: { code: 'PRECONDITION_FAILED' } }] }),
      ClusterUpgrades: () => upgrades('SUCCEEDED', 'DONE'),
    },
    ['upgrade', 'start', 'prod-eu', '--to', 'v1.32.0'],
  );
  assert.equal(r.code, 1);
  assert.equal(r.err, 'error: v1.32.0 skips a minor version (available: v1.31.1+vmware.1)\n');
});
