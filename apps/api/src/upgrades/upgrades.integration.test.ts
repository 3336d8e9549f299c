import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { ApiHarness, startApiHarness } from '../testing/api-test-harness';
import { DATA_SOURCE } from '@flotilla/infrastructure';

// The API side of upgrades and inspections, without a worker: what the mutations accept, refuse
// and record. The worker's side (pre-flight, patching, following) is tested against kube-sim in
// apps/worker/src/upgrades.
const ATTACH = `mutation($input: AttachClusterInput!) { attachCluster(input: $input) { id } }`;
const START = `mutation StartUpgrade($input: StartUpgradeInput!) { startUpgrade(input: $input) { id status phase fromVersion toVersion } }`;
const CANCEL = `mutation CancelUpgrade($id: ID!) { cancelUpgrade(id: $id) { id status error } }`;
const CLUSTER_UPGRADES = `query ClusterUpgrades($id: ID!) {
  cluster(id: $id) { id kubernetesVersion availableUpgrades
    upgrades(first: 5) { edges { node { id fromVersion toVersion status phase error startedAt finishedAt } } } } }`;
const RUN = `mutation RunInspection($input: RunInspectionInput!) { runInspection(input: $input) { id kind status } }`;
const DETAIL = `query InspectionDetail($id: ID!) { inspection(id: $id) { id kind status passed failed warnings cluster { id name } checks { id title severity outcome message } startedAt finishedAt } }`;

let api: ApiHarness;
let db: DataSource;
// A database of its own: workers of other test files share the run's database, and would pick up
// (and fail, the clusters here being unreachable) the upgrades these tests expect to stay QUEUED.
const ownDatabase = (() => {
  const url = new URL(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/flotilla');
  url.pathname = `${url.pathname.replace(/^\//, '') || 'flotilla'}_upgrades_api`;
  return url.toString();
})();
before(async () => {
  api = await startApiHarness({ DATABASE_URL: ownDatabase });
  db = api.app.get(DATA_SOURCE);
});
after(async () => {
  await api?.close();
  const admin = new URL(ownDatabase);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${new URL(ownDatabase).pathname.slice(1)}" WITH (FORCE)`);
  await client.end();
});

let n = 0;
async function attach(token = api.adminToken): Promise<string> {
  const name = `up-${++n}-${Date.now().toString(36)}`;
  const r = await api.gql(ATTACH, { input: { name, apiServerUrl: `https://127.0.0.1:6443/clusters/${name}`, token: 'sa-token-abcdefgh', useSystemTrustRoots: true } }, token);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data.attachCluster.id;
}

/** What the worker's sync would have written: a version, and a link to a management cluster that offers releases. */
async function makeManaged(clusterId: string, managementId: string, version = 'v1.30.4+vmware.1'): Promise<void> {
  await db.query(`UPDATE clusters SET status = 'CONNECTED', kubernetes_version = $2, management_cluster_id = $3, management_namespace = 'tkg-prod', management_name = 'c1' WHERE id = $1`, [
    clusterId,
    version,
    managementId,
  ]);
  await db.query(
    `INSERT INTO management_catalogs (cluster_id, organization_id, offered_versions)
     SELECT id, organization_id, $2::text[] FROM clusters WHERE id = $1 ON CONFLICT (cluster_id) DO UPDATE SET offered_versions = EXCLUDED.offered_versions`,
    [managementId, ['v1.29.10+vmware.1', 'v1.30.4+vmware.1', 'v1.30.8+vmware.1', 'v1.31.1+vmware.1', 'v1.31.4+vmware.1', 'v1.32.0+vmware.1']],
  );
}

async function tokenWithRole(role: 'OPERATOR' | 'VIEWER'): Promise<string> {
  const r = await api.gql(`mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`, { input: { name: `t-${role}-${n++}`, role } });
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data.createApiToken.token;
}

describe('upgrades through the API', () => {
  test('availableUpgrades lists only skew-allowed offers, newest first; an unmanaged cluster has none', async () => {
    const mgmt = await attach();
    const managed = await attach();
    await makeManaged(managed, mgmt);
    const r = await api.gql(CLUSTER_UPGRADES, { id: managed });
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    assert.deepEqual(r.data.cluster.availableUpgrades, ['v1.31.4+vmware.1', 'v1.31.1+vmware.1', 'v1.30.8+vmware.1']);
    const plain = await api.gql(CLUSTER_UPGRADES, { id: await attach() });
    assert.deepEqual(plain.data.cluster.availableUpgrades, []);
  });

  test('a cluster Cluster API does not manage is refused with a clear FAILED_PRECONDITION, audited', async () => {
    const id = await attach();
    const r = await api.gql(START, { input: { clusterId: id, targetVersion: 'v1.30.8' } });
    assert.equal(r.errors?.[0].extensions?.code, 'FAILED_PRECONDITION');
    assert.match(r.errors![0].message, /is not managed by Cluster API, so it is not upgradeable from Flotilla/);
    const audit = await db.query(`SELECT action, outcome FROM audit_events WHERE target_id = $1 AND action = 'upgrade.start'`, [id]);
    assert.deepEqual(audit, [{ action: 'upgrade.start', outcome: 'FAILURE' }]);
  });

  test('a cluster whose management cluster was detached offers nothing and is refused with the reason', async () => {
    const mgmt = await attach();
    const id = await attach();
    await makeManaged(id, mgmt);
    const detached = await api.gql(`mutation($id: ID!) { detachCluster(id: $id) { id } }`, { id: mgmt });
    assert.equal(detached.errors, undefined, JSON.stringify(detached.errors));
    assert.deepEqual((await api.gql(CLUSTER_UPGRADES, { id })).data.cluster.availableUpgrades, []);
    const r = await api.gql(START, { input: { clusterId: id, targetVersion: 'v1.30.8+vmware.1' } });
    assert.equal(r.errors?.[0].extensions?.code, 'FAILED_PRECONDITION');
    assert.match(r.errors![0].message, /management cluster that is no longer attached/);
  });

  test('startUpgrade queues an upgrade in PREFLIGHT with its job and audit, and lists it under the cluster', async () => {
    const mgmt = await attach();
    const id = await attach();
    await makeManaged(id, mgmt);
    const r = await api.gql(START, { input: { clusterId: id, targetVersion: 'v1.30.8+vmware.1' } });
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    assert.deepEqual({ ...r.data.startUpgrade, id: undefined }, { id: undefined, status: 'QUEUED', phase: 'PREFLIGHT', fromVersion: 'v1.30.4+vmware.1', toVersion: 'v1.30.8+vmware.1' });
    const upgradeId = r.data.startUpgrade.id;
    const outbox = await db.query(`SELECT job_name, job_id, payload FROM outbox WHERE job_id = $1`, [`upgrade.${upgradeId}`]);
    assert.equal(outbox.length, 1);
    assert.deepEqual(Object.keys(outbox[0].payload).sort(), ['organizationId', 'upgradeId']);
    const audit = await db.query(`SELECT actor, outcome FROM audit_events WHERE action = 'upgrade.start' AND target_id = $1`, [upgradeId]);
    assert.equal(audit.length, 1);
    assert.equal(audit[0].outcome, 'SUCCESS');
    const listed = await api.gql(CLUSTER_UPGRADES, { id });
    assert.deepEqual(listed.data.cluster.upgrades.edges.map((e: any) => e.node.id), [upgradeId]);
  });

  test('a target typed without the provider build resolves to the one release the management cluster offers', async () => {
    const mgmt = await attach();
    const id = await attach();
    await makeManaged(id, mgmt);
    const r = await api.gql(START, { input: { clusterId: id, targetVersion: '1.30.8' } });
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    assert.equal(r.data.startUpgrade.toVersion, 'v1.30.8+vmware.1');
  });

  test('two concurrent startUpgrade calls for one cluster produce exactly one upgrade; the loser gets CONFLICT naming it', async () => {
    const mgmt = await attach();
    const id = await attach();
    await makeManaged(id, mgmt);
    const results = await Promise.all(Array.from({ length: 6 }, () => api.gql(START, { input: { clusterId: id, targetVersion: 'v1.30.8+vmware.1' } })));
    const ok = results.filter((r) => !r.errors);
    const refused = results.filter((r) => r.errors);
    assert.equal(ok.length, 1, JSON.stringify(results));
    const winner = ok[0].data.startUpgrade.id;
    for (const r of refused) {
      assert.equal(r.errors![0].extensions?.code, 'CONFLICT');
      assert.match(r.errors![0].message, new RegExp(`already has an upgrade in progress: upgrade ${winner}`));
    }
    const rows = await db.query(`SELECT count(*)::int AS n FROM upgrades WHERE cluster_id = $1`, [id]);
    assert.equal(rows[0].n, 1);
  });

  test('cancelUpgrade of a queued upgrade says nothing was patched; the cluster can be upgraded again; cancelling twice is harmless', async () => {
    const mgmt = await attach();
    const id = await attach();
    await makeManaged(id, mgmt);
    const started = await api.gql(START, { input: { clusterId: id, targetVersion: 'v1.31.4+vmware.1' } });
    const upgradeId = started.data.startUpgrade.id;
    const c = await api.gql(CANCEL, { id: upgradeId });
    assert.equal(c.errors, undefined, JSON.stringify(c.errors));
    assert.equal(c.data.cancelUpgrade.status, 'CANCELLED');
    assert.match(c.data.cancelUpgrade.error, /before Flotilla patched Cluster tkg-prod\/c1 .*nothing was changed, the cluster stays at v1\.30\.4\+vmware\.1/);
    const again = await api.gql(CANCEL, { id: upgradeId });
    assert.equal(again.data.cancelUpgrade.status, 'CANCELLED');
    const next = await api.gql(START, { input: { clusterId: id, targetVersion: 'v1.30.8+vmware.1' } });
    assert.equal(next.errors, undefined, JSON.stringify(next.errors));
  });

  test('a patched upgrade cancelled says Cluster API carries on and where the nodes were', async () => {
    const mgmt = await attach();
    const id = await attach();
    await makeManaged(id, mgmt);
    const started = await api.gql(START, { input: { clusterId: id, targetVersion: 'v1.30.8+vmware.1' } });
    const upgradeId = started.data.startUpgrade.id;
    await db.query(`UPDATE upgrades SET status = 'RUNNING', phase = 'WORKERS', patched_at = now(), progress = '1/3 workers at v1.30.8' WHERE id = $1`, [upgradeId]);
    const c = await api.gql(CANCEL, { id: upgradeId });
    assert.match(c.data.cancelUpgrade.error, /after Flotilla patched Cluster tkg-prod\/c1 .* to v1\.30\.8\+vmware\.1: Cluster API keeps rolling it out.*last observed: 1\/3 workers at v1\.30\.8/);
  });

  test('validation: an unreadable version and an unknown cluster are refused with the field or NOT_FOUND', async () => {
    const id = await attach();
    const bad = await api.gql(START, { input: { clusterId: id, targetVersion: 'latest' } });
    assert.equal(bad.errors?.[0].extensions?.code, 'BAD_USER_INPUT');
    assert.equal(bad.errors?.[0].extensions?.field, 'input.targetVersion');
    const missing = await api.gql(START, { input: { clusterId: '00000000-0000-4000-8000-000000000000', targetVersion: 'v1.30.8' } });
    assert.equal(missing.errors?.[0].extensions?.code, 'NOT_FOUND');
    const junk = await api.gql(START, { input: { clusterId: 'not-a-uuid', targetVersion: 'v1.30.8' } });
    assert.equal(junk.errors?.[0].extensions?.code, 'NOT_FOUND');
    const cancelMissing = await api.gql(CANCEL, { id: '00000000-0000-4000-8000-000000000000' });
    assert.equal(cancelMissing.errors?.[0].extensions?.code, 'NOT_FOUND');
    const wrongTarget = await api.gql(RUN, { input: { clusterId: id, kind: 'RBAC_RISK', targetVersion: '1.32' } });
    assert.equal(wrongTarget.errors?.[0].extensions?.field, 'input.targetVersion');
  });

  test('a VIEWER may read but not start, cancel or inspect', async () => {
    const viewer = await tokenWithRole('VIEWER');
    const mgmt = await attach();
    const id = await attach();
    await makeManaged(id, mgmt);
    const start = await api.gql(START, { input: { clusterId: id, targetVersion: 'v1.30.8+vmware.1' } }, viewer);
    assert.equal(start.errors?.[0].extensions?.code, 'FORBIDDEN');
    const run = await api.gql(RUN, { input: { clusterId: id, kind: 'RBAC_RISK' } }, viewer);
    assert.equal(run.errors?.[0].extensions?.code, 'FORBIDDEN');
    const operator = await tokenWithRole('OPERATOR');
    const ok = await api.gql(START, { input: { clusterId: id, targetVersion: 'v1.30.8+vmware.1' } }, operator);
    assert.equal(ok.errors, undefined, JSON.stringify(ok.errors));
    const cancel = await api.gql(CANCEL, { id: ok.data.startUpgrade.id }, viewer);
    assert.equal(cancel.errors?.[0].extensions?.code, 'FORBIDDEN');
    const read = await api.gql(CLUSTER_UPGRADES, { id }, viewer);
    assert.equal(read.data.cluster.upgrades.edges.length, 1);
  });

  test("another organization sees none of it: its cluster, upgrades, inspections, and cannot start, cancel or inspect", async () => {
    const mgmt = await attach();
    const id = await attach();
    await makeManaged(id, mgmt);
    const started = await api.gql(START, { input: { clusterId: id, targetVersion: 'v1.30.8+vmware.1' } });
    const upgradeId = started.data.startUpgrade.id;
    const ran = await api.gql(RUN, { input: { clusterId: id, kind: 'RBAC_RISK' } });
    const inspectionId = ran.data.runInspection.id;

    const other = await api.newOrganization();
    assert.equal((await api.gql(CLUSTER_UPGRADES, { id }, other.token)).data.cluster, null);
    assert.equal((await api.gql(DETAIL, { id: inspectionId }, other.token)).data.inspection, null);
    assert.equal((await api.gql(`query($id: ID!) { upgrade(id: $id) { id } }`, { id: upgradeId }, other.token)).data.upgrade, null);
    const start = await api.gql(START, { input: { clusterId: id, targetVersion: 'v1.30.8+vmware.1' } }, other.token);
    assert.equal(start.errors?.[0].extensions?.code, 'NOT_FOUND');
    const cancel = await api.gql(CANCEL, { id: upgradeId }, other.token);
    assert.equal(cancel.errors?.[0].extensions?.code, 'NOT_FOUND');
    const run = await api.gql(RUN, { input: { clusterId: id, kind: 'RBAC_RISK' } }, other.token);
    assert.equal(run.errors?.[0].extensions?.code, 'NOT_FOUND');
    // Its own clusters list no upgrades or inspections of the first organization.
    const own = await api.gql(ATTACH, { input: { name: 'other-org-01', apiServerUrl: 'https://127.0.0.1:6443/clusters/x', token: 'sa-token-abcdefgh', useSystemTrustRoots: true } }, other.token);
    const ownView = await api.gql(`query($id: ID!) { cluster(id: $id) { upgrades { edges { node { id } } } inspections { edges { node { id } } } availableUpgrades } }`, { id: own.data.attachCluster.id }, other.token);
    assert.deepEqual(ownView.data.cluster, { upgrades: { edges: [] }, inspections: { edges: [] }, availableUpgrades: [] });
    assert.equal((await api.gql(CANCEL, { id: upgradeId })).data.cancelUpgrade.status, 'CANCELLED');
  });
});

describe('inspections through the API', () => {
  test('runInspection queues a run with its job and audit; inspection(id) and cluster.inspections show it', async () => {
    const id = await attach();
    const r = await api.gql(RUN, { input: { clusterId: id, kind: 'DEPRECATED_APIS' } });
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    assert.equal(r.data.runInspection.status, 'QUEUED');
    const inspectionId = r.data.runInspection.id;
    const detail = await api.gql(DETAIL, { id: inspectionId });
    assert.equal(detail.errors, undefined, JSON.stringify(detail.errors));
    assert.deepEqual(
      { kind: detail.data.inspection.kind, cluster: detail.data.inspection.cluster.id, checks: detail.data.inspection.checks },
      { kind: 'DEPRECATED_APIS', cluster: id, checks: [] },
    );
    const outbox = await db.query(`SELECT count(*)::int AS n FROM outbox WHERE job_id = $1`, [`inspection.${inspectionId}`]);
    assert.equal(outbox[0].n, 1);
    const audit = await db.query(`SELECT count(*)::int AS n FROM audit_events WHERE action = 'inspection.run' AND target_id = $1`, [inspectionId]);
    assert.equal(audit[0].n, 1);
  });

  test('cluster.inspections pages newest first with cursors that never skip or repeat a run', async () => {
    const id = await attach();
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await api.gql(RUN, { input: { clusterId: id, kind: 'RBAC_RISK' } })).data.runInspection.id);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page++) {
      const r: any = await api.gql(`query($id: ID!, $after: String) { cluster(id: $id) { inspections(first: 2, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage endCursor } } } }`, { id, after });
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      const conn = r.data.cluster.inspections;
      seen.push(...conn.edges.map((e: any) => e.node.id));
      if (!conn.pageInfo.hasNextPage) break;
      after = conn.pageInfo.endCursor;
    }
    assert.deepEqual(seen, [...made].reverse());
    const bad = await api.gql(`query($id: ID!) { cluster(id: $id) { inspections(first: 2, after: "garbage") { edges { cursor } } } }`, { id });
    assert.equal(bad.errors?.[0].extensions?.code, 'BAD_USER_INPUT');
  });
});
