import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ApiHarness, startApiHarness } from '../testing/api-test-harness';
import { TEST_CA_DATA } from '@flotilla/testing';

// caData must parse as X.509 now: a real (never dialled) certificate.
const PEM = TEST_CA_DATA;
const ATTACH = `mutation AttachCluster($input: AttachClusterInput!) {
  attachCluster(input: $input) { id name status provider kubernetesVersion apiServerUrl }
}`;
const LIST = `query ClusterList($filter: ClusterFilter, $first: Int, $after: String, $orderBy: ClusterOrder) {
  clusters(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { id name status labels { key value } group { id name } } }
  }
}`;

let api: ApiHarness;
before(async () => {
  api = await startApiHarness();
});
after(async () => {
  await api?.close();
});

async function attach(name: string, extra: Record<string, unknown> = {}, token?: string) {
  return api.gql(ATTACH, { input: { name, apiServerUrl: `https://127.0.0.1:6443/clusters/${name}`, token: 'sa-token-abcdefgh', caData: PEM, ...extra } }, token);
}

describe('attaching clusters', () => {
  test('an attached cluster is PENDING until its first sync, and never shows its token', async () => {
    const r = await attach('alpha-01', { labels: [{ key: 'env', value: 'prod' }] });
    assert.equal(r.errors, undefined);
    assert.equal(r.data.attachCluster.status, 'PENDING');
    assert.equal(r.data.attachCluster.apiServerUrl, 'https://127.0.0.1:6443/clusters/alpha-01');
    assert.ok(!JSON.stringify(r).includes('sa-token-abcdefgh'));
  });

  test('a duplicate name is a CONFLICT naming the field, and stores nothing', async () => {
    await attach('dup-01');
    const before = await api.gql(LIST, { filter: { search: 'dup-01' } });
    const r = await attach('dup-01');
    assert.equal(r.errors?.[0].extensions?.code, 'CONFLICT');
    assert.equal(r.errors?.[0].extensions?.field, 'input.name');
    const afterList = await api.gql(LIST, { filter: { search: 'dup-01' } });
    assert.equal(afterList.data.clusters.totalCount, before.data.clusters.totalCount);
  });

  test('bad input is refused with the field named: URL, labels, unknown group', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ apiServerUrl: 'ftp://x' }, 'input.apiServerUrl'],
      [{ labels: [{ key: 'bad key', value: 'x' }] }, 'input.labels[0].key'],
      [{ groupId: '00000000-0000-4000-8000-000000000000' }, 'input.groupId'],
      [{ caData: 'bm9wZQ==' }, 'input.caData'],
    ];
    for (const [extra, field] of cases) {
      const r = await attach('bad-input-01', extra);
      assert.equal(r.errors?.[0].extensions?.code, 'BAD_USER_INPUT', JSON.stringify(r));
      assert.equal(r.errors?.[0].extensions?.field, field);
    }
    const r = await attach('Bad Name');
    assert.equal(r.errors?.[0].extensions?.field, 'input.name');
    const list = await api.gql(LIST, { filter: { search: 'bad-input' } });
    assert.equal(list.data.clusters.totalCount, 0);
  });
});

describe('the fleet list', () => {
  test('filters by label, group and search; paginates with cursors; totalCount counts the filter', async () => {
    const g = await api.gql(`mutation($input: CreateClusterGroupInput!) { createClusterGroup(input: $input) { id name } }`, {
      input: { name: 'payments', description: 'payment clusters' },
    });
    const groupId = g.data.createClusterGroup.id;
    for (let i = 0; i < 7; i++) {
      const r = await attach(`page-${String(i).padStart(2, '0')}`, { groupId: i < 5 ? groupId : null, labels: [{ key: 'tier', value: i % 2 ? 'odd' : 'even' }] });
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    }
    const names: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const r: any = await api.gql(LIST, { filter: { groupId }, first: 2, after });
      assert.equal(r.data.clusters.totalCount, 5);
      names.push(...r.data.clusters.edges.map((e: any) => e.node.name));
      after = r.data.clusters.pageInfo.hasNextPage ? r.data.clusters.pageInfo.endCursor : null;
      pages++;
    } while (after);
    assert.deepEqual(names, ['page-00', 'page-01', 'page-02', 'page-03', 'page-04']);
    assert.equal(pages, 3);

    const odd = await api.gql(LIST, { filter: { search: 'page-', labels: [{ key: 'tier', value: 'odd' }] } });
    assert.deepEqual(odd.data.clusters.edges.map((e: any) => e.node.name), ['page-01', 'page-03', 'page-05']);
    const desc = await api.gql(LIST, { filter: { search: 'page-' }, first: 3, orderBy: { field: 'NAME', direction: 'DESC' } });
    assert.deepEqual(desc.data.clusters.edges.map((e: any) => e.node.name), ['page-06', 'page-05', 'page-04']);
    assert.equal(desc.data.clusters.edges[0].node.group, null);
    const grouped = await api.gql(LIST, { filter: { search: 'page-00' } });
    assert.deepEqual(grouped.data.clusters.edges[0].node.group, { id: groupId, name: 'payments' });

    const groups = await api.gql(`{ clusterGroups { name clusterCount } }`);
    assert.deepEqual(groups.data.clusterGroups.find((x: any) => x.name === 'payments'), { name: 'payments', clusterCount: 5 });
  });

  test('totalCount stays exact past the last page and when nothing matches', async () => {
    for (const n of ['tail-00', 'tail-01', 'tail-02']) await attach(n);
    const all = await api.gql(LIST, { filter: { search: 'tail-' }, first: 3 });
    assert.equal(all.data.clusters.totalCount, 3);
    assert.equal(all.data.clusters.pageInfo.hasNextPage, false);
    // No row comes back to carry the count: it is counted on its own.
    const past = await api.gql(LIST, { filter: { search: 'tail-' }, first: 3, after: all.data.clusters.pageInfo.endCursor });
    assert.deepEqual(past.data.clusters.edges, []);
    assert.equal(past.data.clusters.totalCount, 3);
    const none = await api.gql(LIST, { filter: { search: 'no-such-cluster' } });
    assert.deepEqual(none.data.clusters, { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] });
  });

  test("a page asking for more than the fleet table shows gets every field, through fragments too; the table's own query pages in every order", async () => {
    const g = await api.gql(`mutation($input: CreateClusterGroupInput!) { createClusterGroup(input: $input) { id } }`, { input: { name: 'wide-rows' } });
    for (const n of ['wide-00', 'wide-01', 'wide-02']) {
      const r = await attach(n, { groupId: g.data.createClusterGroup.id, labels: [{ key: 'k', value: n }] });
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    }
    const filter = { search: 'wide-' };
    const table = await api.gql(LIST, { filter });
    assert.equal(table.errors, undefined, JSON.stringify(table.errors));
    const wideFields = 'apiServerUrl attachedAt statusReason readyNodeCount bindableRoles allowsClusterAdminBinding';
    const direct = await api.gql(`query($filter: ClusterFilter) { clusters(filter: $filter) { edges { node { id name group { name } ${wideFields} } } } }`, { filter });
    const viaFragments = await api.gql(
      `query($filter: ClusterFilter) { clusters(filter: $filter) { ...Page } }
       fragment Page on ClusterConnection { edges { ... on ClusterEdge { node { id ...Wide } } } }
       fragment Wide on Cluster { ${wideFields} }`,
      { filter },
    );
    for (const r of [direct, viaFragments]) {
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      const nodes = r.data.clusters.edges.map((e: any) => e.node);
      assert.deepEqual(nodes.map((n: any) => n.id), table.data.clusters.edges.map((e: any) => e.node.id));
      assert.deepEqual(nodes.map((n: any) => n.apiServerUrl), ['wide-00', 'wide-01', 'wide-02'].map((n) => `https://127.0.0.1:6443/clusters/${n}`));
      for (const n of nodes) {
        assert.ok(!Number.isNaN(Date.parse(n.attachedAt)), n.attachedAt);
        assert.equal(n.readyNodeCount, 0);
        assert.equal(typeof n.allowsClusterAdminBinding, 'boolean');
      }
    }
    assert.deepEqual(direct.data.clusters.edges.map((e: any) => e.node.group), [{ name: 'wide-rows' }, { name: 'wide-rows' }, { name: 'wide-rows' }]);
    assert.deepEqual(table.data.clusters.edges.map((e: any) => e.node.labels), ['wide-00', 'wide-01', 'wide-02'].map((n) => [{ key: 'k', value: n }]));
    // The table's narrow read still carries each order's cursor key.
    for (const field of ['NAME', 'ATTACHED_AT', 'LAST_SEEN_AT', 'KUBERNETES_VERSION']) {
      const seen: string[] = [];
      let after: string | null = null;
      do {
        const r: any = await api.gql(LIST, { filter, first: 1, after, orderBy: { field, direction: 'ASC' } });
        assert.equal(r.errors, undefined, `${field}: ${JSON.stringify(r.errors)}`);
        seen.push(...r.data.clusters.edges.map((e: any) => e.node.name));
        after = r.data.clusters.pageInfo.hasNextPage ? r.data.clusters.pageInfo.endCursor : null;
      } while (after && seen.length < 10);
      assert.deepEqual([...seen].sort(), ['wide-00', 'wide-01', 'wide-02'], field);
    }
  });

  test('search ignores case, looks at name, region and version, and never matches across two of them', async () => {
    const r = await attach('search-case-01');
    const id = r.data.attachCluster.id;
    const { DataSource } = await import('typeorm');
    const db = await new DataSource({ type: 'postgres', url: process.env.DATABASE_URL }).initialize();
    try {
      await db.query(`UPDATE clusters SET region = 'Eu-North-7', kubernetes_version = 'v1.31.9' WHERE id = $1`, [id]);
    } finally {
      await db.destroy();
    }
    const names = async (search: string) => (await api.gql(LIST, { filter: { search } })).data.clusters.edges.map((e: any) => e.node.name);
    assert.deepEqual(await names('SEARCH-case'), ['search-case-01']);
    assert.deepEqual(await names('eu-north-7'), ['search-case-01']);
    assert.deepEqual(await names('1.31.9'), ['search-case-01']);
    assert.deepEqual(await names('case-01eu'), []);
    assert.deepEqual(await names('search_case'), [], '_ is a literal, not a wildcard');
  });

  test('a malformed cursor or page size is a clear error', async () => {
    const r = await api.gql(LIST, { after: 'garbage' });
    assert.equal(r.errors?.[0].extensions?.code, 'BAD_USER_INPUT');
    const big = await api.gql(LIST, { first: 100000 });
    assert.match(big.errors?.[0].message ?? '', /first: must be at most/);
  });

  test('updateCluster changes labels and group; detachCluster frees the name', async () => {
    const c = await attach('upd-01');
    const id = c.data.attachCluster.id;
    const u = await api.gql(`mutation($id: ID!, $input: UpdateClusterInput!) { updateCluster(id: $id, input: $input) { id labels { key value } group { id } } }`, {
      id,
      input: { labels: [{ key: 'owner', value: 'team-a' }] },
    });
    assert.deepEqual(u.data.updateCluster.labels, [{ key: 'owner', value: 'team-a' }]);
    const d = await api.gql(`mutation($id: ID!) { detachCluster(id: $id) { id status } }`, { id });
    assert.equal(d.data.detachCluster.status, 'DETACHED');
    const again = await attach('upd-01');
    assert.equal(again.errors, undefined);
  });

  test('updateCluster rotates the credential: new URL and token stored, audited without the secret', async () => {
    const c = await attach('rotate-01');
    const id = c.data.attachCluster.id;
    const r = await api.gql(`mutation($id: ID!, $input: UpdateClusterInput!) { updateCluster(id: $id, input: $input) { id apiServerUrl } }`, {
      id,
      input: { apiServerUrl: 'https://127.0.0.1:7443/clusters/rotate-01', token: 'rotated-token-0123456789', caData: PEM },
    });
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    assert.equal(r.data.updateCluster.apiServerUrl, 'https://127.0.0.1:7443/clusters/rotate-01');
    const audit = await api.gql(`{ auditEvents(first: 1) { edges { node { action targetId } } } }`);
    assert.deepEqual(audit.data.auditEvents.edges[0].node, { action: 'cluster.update', targetId: id });
    const { Client } = await import('pg');
    const pg = new Client({ connectionString: api.config.database.url });
    await pg.connect();
    try {
      const rows = await pg.query(`SELECT details::text AS d FROM audit_events WHERE target_id = $1 AND action = 'cluster.update'`, [id]);
      assert.match(rows.rows[0].d, /"credentialRotated": true/);
      assert.ok(!rows.rows[0].d.includes('rotated-token-0123456789'));
    } finally {
      await pg.end();
    }
    const caOnly = await api.gql(`mutation($id: ID!) { updateCluster(id: $id, input: { caData: "${PEM}" }) { id } }`, { id });
    assert.equal(caOnly.errors?.[0].extensions?.field, 'input.token');
  });

  test('fleetSummary counts what is attached', async () => {
    const r = await api.gql(`{ fleetSummary { clusterCount nodeCount byStatus { status count } byProvider { provider count } byVersion { version count } } }`);
    const s = r.data.fleetSummary;
    const list = await api.gql(LIST, { first: 1 });
    assert.equal(s.clusterCount, list.data.clusters.totalCount);
    assert.equal(s.byStatus.reduce((n: number, b: any) => n + b.count, 0), s.clusterCount);
    // A worker of another test file may be syncing these (unreachable) clusters meanwhile.
    for (const b of s.byStatus) assert.ok(['PENDING', 'UNREACHABLE'].includes(b.status), b.status);
    assert.equal(s.byProvider.reduce((n: number, b: any) => n + b.count, 0), s.clusterCount);
  });
});

describe('access', () => {
  test('no token, a made-up token and a revoked token are all UNAUTHENTICATED', async () => {
    const none = await api.gql(`{ viewer { role } }`, {}, null);
    assert.equal(none.errors?.[0].extensions?.code, 'UNAUTHENTICATED');
    const fake = await api.gql(`{ viewer { role } }`, {}, `flt_${'a'.repeat(12)}_${'b'.repeat(43)}`);
    assert.equal(fake.errors?.[0].extensions?.code, 'UNAUTHENTICATED');
    const created = await api.gql(`mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { id role expiresAt } } }`, {
      input: { name: 'ci', role: 'VIEWER', expiresInDays: 7 },
    });
    const { token, apiToken } = created.data.createApiToken;
    assert.equal((await api.gql(`{ viewer { role } }`, {}, token)).data.viewer.role, 'VIEWER');
    const days = (new Date(apiToken.expiresAt).getTime() - Date.now()) / 86_400_000;
    assert.ok(days > 6.9 && days <= 7);
    await api.gql(`mutation($id: ID!) { revokeApiToken(id: $id) { id revokedAt } }`, { id: apiToken.id });
    assert.equal((await api.gql(`{ viewer { role } }`, {}, token)).errors?.[0].extensions?.code, 'UNAUTHENTICATED');
  });

  test('a VIEWER cannot mutate, and tokens never outrank their creator', async () => {
    const created = await api.gql(`mutation { createApiToken(input: { name: "viewer", role: VIEWER }) { token } }`);
    const viewer = created.data.createApiToken.token;
    const r = await attach('viewer-attempt', {}, viewer);
    assert.equal(r.errors?.[0].extensions?.code, 'FORBIDDEN');
    const op = await api.gql(`mutation { createApiToken(input: { name: "op", role: OPERATOR }) { token } }`);
    const escalate = await api.gql(`mutation { createApiToken(input: { name: "x", role: ADMIN }) { token } }`, {}, op.data.createApiToken.token);
    assert.equal(escalate.errors?.[0].extensions?.code, 'FORBIDDEN');
  });

  test('tokens default to 90 days, never more than 365, and are listed without their secret', async () => {
    const r = await api.gql(`mutation { createApiToken(input: { name: "default" }) { token apiToken { role expiresAt } } }`);
    const days = (new Date(r.data.createApiToken.apiToken.expiresAt).getTime() - Date.now()) / 86_400_000;
    assert.ok(days > 89.9 && days <= 90);
    assert.equal(r.data.createApiToken.apiToken.role, 'VIEWER');
    const forever = await api.gql(`mutation { createApiToken(input: { name: "forever", expiresInDays: 100000 }) { token } }`);
    assert.equal(forever.errors?.[0].extensions?.field, 'input.expiresInDays');
    const list = await api.gql(`{ apiTokens { id name } }`);
    assert.ok(!JSON.stringify(list).includes(r.data.createApiToken.token));
  });

  test('every mutation is in the audit log, newest first', async () => {
    await api.gql(`mutation { createClusterGroup(input: { name: "audited" }) { id } }`);
    const r = await api.gql(`{ auditEvents(first: 5) { edges { node { actor action targetType } } pageInfo { hasNextPage } } }`);
    assert.equal(r.data.auditEvents.edges[0].node.action, 'clusterGroup.create');
    assert.match(r.data.auditEvents.edges[0].node.actor, /^token:/);
  });

  test("another organization's ids behave exactly like ids that do not exist", async () => {
    const mine = await attach('tenant-a-01');
    const id = mine.data.attachCluster.id;
    const other = await api.newOrganization();
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const target of [id, missing]) {
      const get = await api.gql(`query($id: ID!) { cluster(id: $id) { id } }`, { id: target }, other.token);
      assert.deepEqual(get.data, { cluster: null });
      const upd = await api.gql(`mutation($id: ID!) { updateCluster(id: $id, input: { labels: [] }) { id } }`, { id: target }, other.token);
      assert.equal(upd.errors?.[0].extensions?.code, 'NOT_FOUND');
      assert.equal(upd.errors?.[0].message, `cluster ${target} not found`);
      const det = await api.gql(`mutation($id: ID!) { detachCluster(id: $id) { id } }`, { id: target }, other.token);
      assert.equal(det.errors?.[0].extensions?.code, 'NOT_FOUND');
    }
    const list = await api.gql(LIST, {}, other.token);
    assert.equal(list.data.clusters.totalCount, 0);
    const summary = await api.gql(`{ fleetSummary { clusterCount } }`, {}, other.token);
    assert.equal(summary.data.fleetSummary.clusterCount, 0);
    const tokens = await api.gql(`{ apiTokens { id } }`, {}, other.token);
    const myTokens = await api.gql(`{ apiTokens { id } }`);
    const theirs = new Set(tokens.data.apiTokens.map((t: any) => t.id));
    assert.ok(myTokens.data.apiTokens.every((t: any) => !theirs.has(t.id)));
    const revoke = await api.gql(`mutation($id: ID!) { revokeApiToken(id: $id) { id } }`, { id: myTokens.data.apiTokens[0].id }, other.token);
    assert.equal(revoke.errors?.[0].extensions?.code, 'NOT_FOUND');
    const audit = await api.gql(`{ auditEvents(first: 50) { edges { node { targetId } } } }`, {}, other.token);
    assert.ok(audit.data.auditEvents.edges.every((e: any) => e.node.targetId !== id));
  });
});
