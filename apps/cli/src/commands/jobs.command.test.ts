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
    const code = await run(args, { io: c.io, env: { FLOTILLA_API_URL: api.url, FLOTILLA_TOKEN: 'flt_test_token' } });
    return { code, out: c.out, err: c.err, requests: api.requests };
  } finally {
    await api.stop();
  }
}

const recent = (id: string, createdAt: string, compliant: number) => ({ node: { id, status: 'SUCCEEDED', createdAt, summary: { compliant, nonCompliant: 0, errored: 0, violations: 0 } } });
const scan = (status: string, done: number, summary: object | null) => ({
  data: { scan: { id: 's1', status, trigger: 'MANUAL', clusterCount: 2, completedCount: done, failedCount: 0, startedAt: null, finishedAt: null, summary } },
});

test('scan run --wait follows the scan, lists failing clusters and exits 1 when one is non-compliant', async () => {
  const r = await cli(
    {
      RunComplianceScan: () => ({ data: { runComplianceScan: { id: 's1', status: 'QUEUED', clusterCount: 2 } } }),
      ScanDetail: script([scan('RUNNING', 1, null), scan('SUCCEEDED', 2, { compliant: 1, nonCompliant: 1, errored: 0, violations: 4 })]),
      CliClusterList: () => ({
        data: {
          clusters: {
            totalCount: 2,
            pageInfo: { hasNextPage: false, endCursor: null },
            edges: [
              { node: { id: 'c2', name: 'dev-1', statusReason: null, compliance: { status: 'NON_COMPLIANT', violationCount: 4, checkedAt: null, reason: null } } },
              { node: { id: 'c3', name: 'edge-1', statusReason: 'unreachable', compliance: { status: 'ERROR', violationCount: 0, checkedAt: null, reason: 'connect ECONNREFUSED 127.0.0.1:6443' } } },
            ],
          },
        },
      }),
      CliRecentScanSummaries: () => ({ data: { scans: { edges: [recent('s1', '2026-01-02T00:00:00Z', 1), recent('s0', '2026-01-01T00:00:00Z', 2)] } } }),
    },
    ['scan', 'run', '--wait'],
  );
  assert.equal(r.code, 1);
  assert.match(r.out, /trend: 1 compliant cluster now, 2 at the previous scan \(-1\)\n$/);
  assert.match(r.out, /^CLUSTER\s+COMPLIANCE\s+VIOLATIONS\s+CHECKED\s+REASON\ndev-1\s+NON_COMPLIANT\s+4\s+-\s+-\nedge-1\s+ERROR\s+0\s+-\s+connect ECONNREFUSED 127\.0\.0\.1:6443\n/);
  assert.match(r.out, /scan\/s1 SUCCEEDED: 1 compliant, 1 non-compliant, 0 errored, 4 violations/);
  assert.match(r.err, /scan RUNNING: 1\/2 clusters done/);
  assert.match(r.err, /error: 1 non-compliant and 0 errored of 2 clusters\n$/);
  assert.deepEqual(r.requests.find((q) => q.operationName === 'CliClusterList')?.variables, {
    filter: { complianceStatuses: ['NON_COMPLIANT', 'ERROR'] },
    first: 100,
  });
});

test('scan run --wait exits 0 when every cluster complies', async () => {
  const r = await cli(
    {
      RunComplianceScan: () => ({ data: { runComplianceScan: { id: 's1', status: 'QUEUED', clusterCount: 2 } } }),
      ScanDetail: () => scan('SUCCEEDED', 2, { compliant: 2, nonCompliant: 0, errored: 0, violations: 0 }),
      CliClusterList: () => ({ data: { clusters: { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] } } }),
      CliRecentScanSummaries: () => ({ data: { scans: { edges: [recent('s1', '2026-01-02T00:00:00Z', 2)] } } }),
    },
    ['scan', 'run', '--wait'],
  );
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'scan/s1 SUCCEEDED: 2 compliant, 0 non-compliant, 0 errored, 0 violations\ntrend: 2 compliant clusters now (no previous scan to compare with)\n');
});

const inspection = (status: string, failed: number, error: string | null = null) => ({
  data: {
    inspection: {
      id: 'i1',
      kind: 'RBAC_RISK',
      status,
      error,
      targetVersion: null,
      passed: 3,
      failed,
      warnings: 1,
      cluster: { id: 'c1', name: 'prod-eu' },
      checks: error ? [] : [{ id: 'rbac.cluster-admin', title: 'cluster-admin bound to non-system subjects', severity: 'CRITICAL', outcome: failed ? 'FAIL' : 'PASS', message: 'alice' }],
      startedAt: null,
      finishedAt: null,
    },
  },
});

test('inspect run --wait prints the checks and exits 1 when a check fails', async () => {
  const r = await cli(
    { CliClusterList: clusters, RunInspection: () => ({ data: { runInspection: { id: 'i1', kind: 'RBAC_RISK', status: 'QUEUED' } } }), CliInspection: script([inspection('RUNNING', 0), inspection('SUCCEEDED', 1)]) },
    ['inspect', 'run', 'prod-eu', '--kind', 'rbac-risk', '--wait'],
  );
  assert.equal(r.code, 1);
  assert.deepEqual(r.requests.find((q) => q.operationName === 'RunInspection')?.variables, { input: { clusterId: 'c1', kind: 'RBAC_RISK' } });
  assert.match(r.out, /rbac\.cluster-admin\s+CRITICAL\s+FAIL\s+cluster-admin bound to non-system subjects\s+alice/);
  assert.match(r.out, /RBAC_RISK of prod-eu SUCCEEDED: 3 passed, 1 failed, 1 warnings/);
  assert.match(r.err, /inspection RUNNING\ninspection SUCCEEDED\nerror: 1 check failed\n$/);
});

test('a failed inspection prints why, in run --wait and in get', async () => {
  const reason = 'cluster unreachable: connect ECONNREFUSED 127.0.0.1:6443';
  const r = await cli(
    { CliClusterList: clusters, RunInspection: () => ({ data: { runInspection: { id: 'i1', kind: 'RBAC_RISK', status: 'QUEUED' } } }), CliInspection: () => inspection('FAILED', 0, reason) },
    ['inspect', 'run', 'prod-eu', '--kind', 'RBAC_RISK', '--wait'],
  );
  assert.equal(r.code, 1);
  assert.match(r.out, new RegExp(`reason: ${reason}\n$`));
  assert.equal(r.err.split('\n').at(-2), `error: inspection i1 ended FAILED: ${reason}`);
  const got = await cli({ CliInspection: () => inspection('FAILED', 0, reason) }, ['inspect', 'get', 'i1', '-o', 'yaml']);
  assert.equal(got.code, 0, got.err);
  assert.match(got.out, new RegExp(`^error: "?${reason}"?$`, 'm'));
});

test('inspect run refuses an unknown kind as a usage error', async () => {
  const r = await cli({}, ['inspect', 'run', 'prod-eu', '--kind', 'VIBES']);
  assert.equal(r.code, 2);
  assert.match(r.err, /must be one of CONFORMANCE_LITE, RBAC_RISK, DEPRECATED_APIS, POD_SECURITY/);
  assert.equal(r.requests.length, 0);
});

const AVAILABLE = ['v1.31.1+vmware.1', 'v1.30.8+vmware.1'];
const clusterUpgrades: Handler = () => ({
  data: { cluster: { id: 'c1', name: 'prod-eu', status: 'CONNECTED', kubernetesVersion: 'v1.30.4+vmware.1', availableUpgrades: AVAILABLE, upgrades: { edges: [] } } },
});
const upgrade = (status: string, phase: string | null, error: string | null = null, preflightReasons: string[] = []) => ({
  data: {
    upgrade: {
      id: 'u1',
      fromVersion: 'v1.30.4+vmware.1',
      toVersion: 'v1.31.1+vmware.1',
      status,
      phase,
      progress: null,
      error,
      preflightReasons,
      startedAt: null,
      finishedAt: null,
      cluster: { id: 'c1', name: 'prod-eu', kubernetesVersion: 'v1.30.4+vmware.1', availableUpgrades: AVAILABLE },
    },
  },
});
const started = () => ({ data: { startUpgrade: { id: 'u1', status: 'QUEUED', phase: 'PREFLIGHT', fromVersion: 'v1.30.4+vmware.1', toVersion: 'v1.31.1+vmware.1' } } });
const base = { CliClusterList: clusters, CliClusterUpgrades: clusterUpgrades, StartUpgrade: started };

test('upgrade start --wait follows the phases; a failed upgrade exits 1 with its error', async () => {
  const ok = await cli({ ...base, CliUpgrade: script([upgrade('RUNNING', 'CONTROL_PLANE'), upgrade('SUCCEEDED', 'DONE')]) }, ['upgrade', 'start', 'prod-eu', '--to', 'v1.31.1+vmware.1', '--wait']);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.err, /upgrade RUNNING \(CONTROL_PLANE\)\nupgrade SUCCEEDED \(DONE\)\n/);
  assert.match(ok.out, /cluster prod-eu upgraded to v1\.31\.1\+vmware\.1\n$/);

  const failed = await cli({ ...base, CliUpgrade: () => upgrade('FAILED', 'WORKERS', 'machine rollout stalled') }, ['upgrade', 'start', 'prod-eu', '--to', 'v1.31.1+vmware.1', '--wait']);
  assert.equal(failed.code, 1);
  assert.match(failed.err, /error: upgrade of prod-eu to v1\.31\.1\+vmware\.1 FAILED: machine rollout stalled\n$/);
});

test('a pre-flight refusal is summarised: one line per distinct reason, then what is offered', async () => {
  const reasons = [
    'Nodes not Ready: w-3.',
    'Node w-1: kubelet 1.27.9 is 4 minor versions behind the API server 1.31.1 (at most 3 supported) after the upgrade.',
    'Node w-2: kubelet 1.27.9 is 4 minor versions behind the API server 1.31.1 (at most 3 supported) after the upgrade.',
  ];
  const r = await cli({ ...base, CliUpgrade: () => upgrade('FAILED', 'PREFLIGHT', `Pre-flight refused the upgrade: ${reasons.join(' ')}`, reasons) }, [
    'upgrade',
    'start',
    'prod-eu',
    '--to',
    'v1.31.1+vmware.1',
    '--wait',
  ]);
  assert.equal(r.code, 1);
  assert.ok(
    r.err.endsWith(
      [
        'error: upgrade of prod-eu to v1.31.1+vmware.1 refused by pre-flight:',
        '  - Nodes not Ready: w-3.',
        '  - 2 nodes (w-1, w-2): kubelet 1.27.9 is 4 minor versions behind the API server 1.31.1 (at most 3 supported) after the upgrade.',
        '  Offered from v1.30.4+vmware.1: v1.31.1+vmware.1, v1.30.8+vmware.1.',
        '',
      ].join('\n'),
    ),
    r.err,
  );
});

test('upgrade start without --wait refuses a certain pre-flight failure at once, starting nothing', async () => {
  for (const [to, reason] of [
    ['v9.99.0', 'v9.99.0 changes the major version from 1 to 9: not supported.'],
    ['v1.32.0', 'v1.32.0 skips minor version 1.31: Kubernetes upgrades one minor version at a time, upgrade to 1.31 first.'],
    ['v1.31.7', 'v1.31.7 is not offered by the management cluster.'],
  ]) {
    const r = await cli(base, ['upgrade', 'start', 'prod-eu', '--to', to]);
    assert.equal(r.code, 1, to);
    assert.equal(r.err, `error: upgrade of prod-eu to ${to} refused before starting (nothing was started):\n  - ${reason}\n  Offered from v1.30.4+vmware.1: v1.31.1+vmware.1, v1.30.8+vmware.1.\n`);
    assert.ok(!r.requests.some((q) => q.operationName === 'StartUpgrade'), to);
  }
  // The management cluster's own spelling is found from the core version, as the API does.
  const ok = await cli(base, ['upgrade', 'start', 'prod-eu', '--to', 'v1.31.1']);
  assert.equal(ok.code, 0, ok.err);
  assert.equal(ok.out, 'upgrade/u1 queued: cluster prod-eu v1.30.4+vmware.1 → v1.31.1+vmware.1\n');
});

test('a refusal by the API says what the cluster could move to', async () => {
  const r = await cli(
    { ...base, StartUpgrade: () => ({ errors: [{ message: 'cluster prod-eu already has an upgrade in progress', extensions: { code: 'CONFLICT' } }] }) },
    ['upgrade', 'start', 'prod-eu', '--to', 'v1.31.1+vmware.1'],
  );
  assert.equal(r.code, 1);
  assert.equal(r.err, 'error: cluster prod-eu already has an upgrade in progress\n  Offered from v1.30.4+vmware.1: v1.31.1+vmware.1, v1.30.8+vmware.1.\n');
});

test('upgrade cancel by cluster name cancels its upgrade in progress', async () => {
  const active: Handler = () => ({
    data: {
      cluster: {
        id: 'c1',
        name: 'prod-eu',
        status: 'CONNECTED',
        kubernetesVersion: 'v1.30.4+vmware.1',
        availableUpgrades: AVAILABLE,
        upgrades: { edges: [{ node: { id: '5d1c7f1e-0000-4000-8000-000000000001', fromVersion: 'a', toVersion: 'b', status: 'RUNNING', phase: 'WORKERS', progress: null, error: null, startedAt: null, finishedAt: null } }] },
      },
    },
  });
  const r = await cli(
    {
      ...base,
      CliClusterUpgrades: active,
      CancelUpgrade: (v) => ({ data: { cancelUpgrade: { id: v.id, status: 'CANCELLED' } } }),
      CliUpgrade: () => upgrade('CANCELLED', 'WORKERS', 'Cancelled by admin after Flotilla patched it'),
    },
    ['upgrade', 'cancel', 'prod-eu'],
  );
  assert.equal(r.code, 0, r.err);
  assert.deepEqual(r.requests.find((q) => q.operationName === 'CancelUpgrade')?.variables, { id: '5d1c7f1e-0000-4000-8000-000000000001' });
  assert.equal(r.out, 'upgrade/u1 cancelled: Cancelled by admin after Flotilla patched it\n');
});
