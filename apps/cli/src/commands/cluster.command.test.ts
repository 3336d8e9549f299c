import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseYaml } from 'yaml';
import { run } from '../main';
import { captureIo, startFakeGraphqlApi } from '../testing/fake-graphql-api';

function node(i: number, extra: Record<string, unknown> = {}) {
  return {
    id: `c${i}`,
    name: `cluster-${i}`,
    provider: 'EKS',
    region: i % 2 ? 'eu-west-1' : null,
    kubernetesVersion: 'v1.31.2-eks-7f9249a',
    status: 'CONNECTED',
    statusReason: null,
    nodeCount: i,
    readyNodeCount: i,
    lastSeenAt: new Date(Date.now() - 30_000).toISOString(),
    labels: [],
    group: null,
    compliance: { status: 'UNKNOWN', violationCount: 0, checkedAt: null, reason: null },
    ...extra,
  };
}

/** Three clusters served two per page, with opaque cursors. */
function pagedClusters(nodes: ReturnType<typeof node>[]) {
  return (v: Record<string, any>) => {
    const start = v.after ? Number(String(v.after).slice(4)) : 0;
    const page = nodes.slice(start, start + 2);
    const end = start + page.length;
    return {
      data: {
        clusters: { totalCount: nodes.length, pageInfo: { hasNextPage: end < nodes.length, endCursor: `cur:${end}` }, edges: page.map((n) => ({ node: n })) },
      },
    };
  };
}

async function withApi(handlers: Parameters<typeof startFakeGraphqlApi>[0], fn: (env: Record<string, string>, api: Awaited<ReturnType<typeof startFakeGraphqlApi>>) => Promise<void>) {
  const api = await startFakeGraphqlApi(handlers);
  try {
    await fn({ FLOTILLA_API_URL: api.url, FLOTILLA_TOKEN: 'flt_test_token', FLOTILLA_CONFIG: '/nonexistent/config.json' }, api);
  } finally {
    await api.stop();
  }
}

const three = [
  node(1),
  node(2, { status: 'PENDING', kubernetesVersion: null, lastSeenAt: null, readyNodeCount: 0 }),
  node(3, {
    status: 'DEGRADED',
    statusReason: 'Nodes not Ready: worker-2',
    readyNodeCount: 2,
    group: { id: 'g1', name: 'payments' },
    compliance: { status: 'NON_COMPLIANT', violationCount: 7, checkedAt: null, reason: null },
  }),
];

test('cluster list follows every page and prints a table with compliance and the status reason', async () => {
  await withApi({ CliClusterList: pagedClusters(three) }, async (env, api) => {
    const c = captureIo();
    assert.equal(await run(['cluster', 'list'], { io: c.io, env }), 0);
    const lines = c.out.trimEnd().split('\n');
    assert.match(lines[0], /^NAME\s+STATUS\s+PROVIDER\s+VERSION\s+NODES\s+REGION\s+GROUP\s+COMPLIANCE\s+LAST SEEN\s+REASON$/);
    assert.match(lines[1], /^cluster-1\s+CONNECTED\s+EKS\s+v1\.31\.2-eks-7f9249a\s+1\/1\s+eu-west-1\s+-\s+UNKNOWN\s+\d+s ago\s+-$/);
    assert.match(lines[2], /^cluster-2\s+PENDING\s+EKS\s+-\s+0\/2\s+-\s+-\s+UNKNOWN\s+-\s+-$/);
    assert.match(lines[3], /^cluster-3\s+DEGRADED\s+EKS\s+\S+\s+2\/3\s+eu-west-1\s+payments\s+NON_COMPLIANT \(7\)\s+\d+s ago\s+Nodes not Ready: worker-2$/);
    assert.equal(lines.length, 4);
    assert.deepEqual(
      api.requests.map((r) => r.variables),
      [
        { filter: {}, first: 100, after: null },
        { filter: {}, first: 100, after: 'cur:2' },
      ],
    );
  });
});

test('cluster list -o json prints one JSON array of every cluster; -o yaml the same document', async () => {
  await withApi({ CliClusterList: pagedClusters(three) }, async (env) => {
    const c = captureIo();
    assert.equal(await run(['cluster', 'list', '-o', 'json'], { io: c.io, env }), 0);
    assert.deepEqual(JSON.parse(c.out), three);
    const y = captureIo();
    assert.equal(await run(['cluster', 'list', '-o', 'yaml'], { io: y.io, env }), 0);
    assert.deepEqual(parseYaml(y.out), three);
  });
});

test('cluster list sends every filter to the API, names resolved; a bad enum is a usage error', async () => {
  await withApi(
    { CliClusterList: pagedClusters([]), ClusterGroups: () => ({ data: { clusterGroups: [{ id: 'g1', name: 'payments', description: null, clusterCount: 1 }] } }) },
    async (env, api) => {
      const c = captureIo();
      const args = ['cluster', 'list', '--provider', 'eks,gke', '--status', 'degraded', '--status', 'UNREACHABLE', '--group', 'payments'];
      args.push('--label', 'env=prod', '--search', 'eu', '--compliance', 'non-compliant,error');
      assert.equal(await run(args, { io: c.io, env }), 0);
      assert.equal(c.err, 'No clusters match these filters\n');
      assert.deepEqual(api.requests.at(-1)?.variables.filter, {
        providers: ['EKS', 'GKE'],
        statuses: ['DEGRADED', 'UNREACHABLE'],
        groupId: 'g1',
        labels: [{ key: 'env', value: 'prod' }],
        search: 'eu',
        complianceStatuses: ['NON_COMPLIANT', 'ERROR'],
      });
      const bad = captureIo();
      assert.equal(await run(['cluster', 'list', '--compliance', 'green'], { io: bad.io, env }), 2);
      assert.match(bad.err, /unknown compliance status "GREEN": one of COMPLIANT, NON_COMPLIANT, ERROR, UNKNOWN/);
    },
  );
});

test('cluster detach finds the id by name across pages', async () => {
  await withApi({ CliClusterList: pagedClusters(three), DetachCluster: (v) => ({ data: { detachCluster: { id: v.id, status: 'DETACHED' } } }) }, async (env, api) => {
    const c = captureIo();
    assert.equal(await run(['cluster', 'detach', 'cluster-3'], { io: c.io, env }), 0);
    assert.equal(c.out, 'cluster/cluster-3 detached\n');
    assert.deepEqual(api.requests.at(-1)?.variables, { id: 'c3' });

    const missing = captureIo();
    assert.equal(await run(['cluster', 'detach', 'nope'], { io: missing.io, env }), 1);
    assert.match(missing.err, /^error: no cluster named "nope"/);
  });
});

test('attach refuses an unknown group before touching any cluster', async () => {
  await withApi({ ClusterGroups: () => ({ data: { clusterGroups: [{ id: 'g1', name: 'prod' }, { id: 'g2', name: 'dev' }] } }) }, async (env, api) => {
    const c = captureIo();
    // The kubeconfig does not exist: reaching it would be a different error.
    assert.equal(await run(['cluster', 'attach', 'x', '--group', 'staging', '--kubeconfig', '/nonexistent/kubeconfig'], { io: c.io, env }), 1);
    assert.equal(c.err, 'error: unknown cluster group "staging" (groups: dev, prod); create it with: flotilla group create staging\n');
    assert.deepEqual(api.requests.map((r) => r.operationName), ['ClusterGroups']);
  });
});

test('attach refuses a name that is not a DNS name (a..b) as a usage error, before asking the API or touching any cluster', async () => {
  await withApi({}, async (env, api) => {
    const c = captureIo();
    assert.equal(await run(['cluster', 'attach', 'a..b', '--kubeconfig', '/nonexistent/kubeconfig'], { io: c.io, env }), 2);
    assert.match(c.err, /^error: cluster name: must be a DNS name/);
    assert.deepEqual(api.requests, []);
  });
});

test('attach of a name that is already attached fails clearly without touching the cluster', async () => {
  const list = { data: { clusters: { edges: [{ node: { id: 'c9', name: 'prod-eu', status: 'CONNECTED' } }] } } };
  await withApi({ ClusterList: () => list }, async (env, api) => {
    const c = captureIo();
    assert.equal(await run(['cluster', 'attach', 'prod-eu', '--kubeconfig', '/nonexistent/kubeconfig'], { io: c.io, env }), 1);
    assert.match(c.err, /^error: cluster prod-eu is already attached \(c9\); nothing was changed\. Use --update/);
    assert.deepEqual(api.requests[0].variables, { filter: { search: 'prod-eu' }, first: 100, orderBy: { field: 'NAME', direction: 'ASC' } });
    assert.ok(!api.requests.some((r) => r.operationName === 'AttachCluster'));
  });
});

test('an expired token is reported as "not logged in", exit 3 (cannot authenticate)', async () => {
  await withApi({ CliClusterList: () => ({ errors: [{ message: 'Unauthorized', extensions: { code: 'UNAUTHENTICATED' } }] }) }, async (env) => {
    const c = captureIo();
    assert.equal(await run(['cluster', 'list'], { io: c.io, env }), 3);
    assert.equal(c.err, 'error: not logged in or token expired/revoked: run flotilla login\n');
    assert.equal(c.out, '');
  });
});
