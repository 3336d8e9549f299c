import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { PolicyRepository } from '@flotilla/persistence';
import { isolatedEnv } from '@flotilla/testing/isolated-database';
import { TEST_CA_DATA } from '@flotilla/testing';
import { ApiHarness, startApiHarness } from '../testing/api-test-harness';

// caData must parse as X.509 now: a real (never dialled) certificate.
const PEM = TEST_CA_DATA;
const POLICY_FIELDS = `id name type mode spec createdAt scope { kind group { id name } cluster { id name } }`;
const CREATE = `mutation CreatePolicy($input: CreatePolicyInput!) { createPolicy(input: $input) { ${POLICY_FIELDS} } }`;
const UPDATE = `mutation UpdatePolicy($id: ID!, $input: UpdatePolicyInput!) { updatePolicy(id: $id, input: $input) { ${POLICY_FIELDS} } }`;
const DELETE = `mutation DeletePolicy($id: ID!) { deletePolicy(id: $id) }`;
const POLICIES = `query Policies { policies { ${POLICY_FIELDS} } }`;
const RUN = `mutation RunComplianceScan($input: RunComplianceScanInput!) { runComplianceScan(input: $input) { id status trigger clusterCount completedCount failedCount } }`;
const SCAN = `query ScanDetail($id: ID!) { scan(id: $id) { id status trigger clusterCount completedCount failedCount startedAt finishedAt summary { compliant nonCompliant errored violations } } }`;
const SCANS = `query Scans($first: Int, $after: String) { scans(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id status trigger clusterCount } } } }`;
const SET_SCHEDULE = `mutation SetScanSchedule($input: ScanScheduleInput!) { setScanSchedule(input: $input) { cron timezone enabled nextRunAt } }`;
const SCHEDULE = `query ScanSchedule { scanSchedule { cron timezone enabled nextRunAt } }`;

const VALID_SPECS: Record<string, unknown> = {
  ACCESS: { bindings: [{ role: 'view', subjects: [{ kind: 'Group', name: 'sre' }] }] },
  NETWORK: { defaultDeny: 'ingress' },
  QUOTA: { hard: { 'requests.cpu': '4', 'limits.memory': '8Gi' } },
  IMAGE_REGISTRY: { allowedRegistries: ['registry.example.com', 'ghcr.io/acme/'] },
  SECURITY: { level: 'baseline' },
  LABELS: { kinds: ['Namespace'], required: ['owner'] },
};

let api: ApiHarness;
// Its own database: the scans queued here must stay QUEUED (no other file's worker relays them).
const isolated = isolatedEnv('compliance_api');
before(async () => {
  api = await startApiHarness(isolated.env);
});
after(async () => {
  await api?.close();
  await isolated.drop();
});

async function attach(name: string, extra: Record<string, unknown> = {}, token?: string): Promise<string> {
  const r = await api.gql(
    `mutation($input: AttachClusterInput!) { attachCluster(input: $input) { id } }`,
    { input: { name, apiServerUrl: `https://127.0.0.1:6443/clusters/${name}`, token: 'sa-token-abcdefgh', caData: PEM, ...extra } },
    token,
  );
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data.attachCluster.id;
}

async function group(name: string, token?: string): Promise<string> {
  const r = await api.gql(`mutation($input: CreateClusterGroupInput!) { createClusterGroup(input: $input) { id } }`, { input: { name } }, token);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data.createClusterGroup.id;
}

async function auditActions(): Promise<string[]> {
  const r = await api.gql(`{ auditEvents(first: 200) { edges { node { action targetType } } } }`);
  return r.data.auditEvents.edges.map((e: { node: { action: string } }) => e.node.action);
}

describe('policies', () => {
  test('each of the six types is created with a valid spec and listed with its scope', async () => {
    for (const [type, spec] of Object.entries(VALID_SPECS)) {
      const r = await api.gql(CREATE, { input: { name: `six-${type.toLowerCase()}`, type, mode: 'AUDIT', spec, scope: { kind: 'ORGANIZATION' } } });
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      assert.equal(r.data.createPolicy.type, type);
      assert.deepEqual(r.data.createPolicy.spec, spec, 'the spec is stored as given');
      assert.equal(r.data.createPolicy.scope.kind, 'ORGANIZATION');
    }
    const list = await api.gql(POLICIES);
    const names = list.data.policies.map((p: { name: string }) => p.name).filter((n: string) => n.startsWith('six-'));
    assert.equal(names.length, 6);
    assert.ok((await auditActions()).includes('policy.create'));
  });

  test('a bad spec is a BAD_USER_INPUT error naming the offending path, and nothing is stored', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['ACCESS', { bindings: [{ subjects: [{ kind: 'Group', name: 'sre' }] }] }, 'input.spec.bindings[0].role'],
      ['ACCESS', { bindings: [{ role: 'view', subjects: [{ kind: 'ServiceAccount', name: 'ci' }] }] }, 'input.spec.bindings[0].subjects[0].namespace'],
      ['NETWORK', { defaultDeny: 'egress' }, 'input.spec.defaultDeny'],
      ['QUOTA', { hard: { 'requests.cpu': 'lots' } }, 'input.spec.hard["requests.cpu"]'],
      ['IMAGE_REGISTRY', { allowedRegistries: ['https://registry.example.com'] }, 'input.spec.allowedRegistries[0]'],
      ['SECURITY', { level: 'privileged' }, 'input.spec.level'],
      ['LABELS', { kinds: ['Namespace'], required: ['owner'], extra: true }, 'input.spec'],
      ['NETWORK', 'deny-all', 'input.spec'],
    ];
    for (const [type, spec, field] of cases) {
      const r = await api.gql(CREATE, { input: { name: 'bad-spec', type, mode: 'AUDIT', spec, scope: { kind: 'ORGANIZATION' } } });
      assert.equal(r.errors?.[0].extensions?.code, 'BAD_USER_INPUT', `${type} ${JSON.stringify(r)}`);
      assert.equal(r.errors?.[0].extensions?.field, field, `${type}: ${r.errors?.[0].message}`);
      assert.ok(r.errors?.[0].message.includes(field), r.errors?.[0].message);
    }
    const list = await api.gql(POLICIES);
    assert.ok(!list.data.policies.some((p: { name: string }) => p.name === 'bad-spec'));
  });

  test('update changes name, mode and spec (validated against the stored type); a name is unique; delete removes it', async () => {
    const created = await api.gql(CREATE, { input: { name: 'upd-net', type: 'NETWORK', mode: 'AUDIT', spec: { defaultDeny: 'ingress' }, scope: { kind: 'ORGANIZATION' } } });
    const id = created.data.createPolicy.id;
    const dup = await api.gql(CREATE, { input: { name: 'upd-net', type: 'QUOTA', mode: 'AUDIT', spec: VALID_SPECS.QUOTA, scope: { kind: 'ORGANIZATION' } } });
    assert.equal(dup.errors?.[0].extensions?.code, 'CONFLICT');

    const u = await api.gql(UPDATE, { id, input: { mode: 'ENFORCE', spec: { defaultDeny: 'all', excludeNamespaces: ['legacy'] } } });
    assert.equal(u.errors, undefined, JSON.stringify(u.errors));
    assert.equal(u.data.updatePolicy.mode, 'ENFORCE');
    assert.deepEqual(u.data.updatePolicy.spec, { defaultDeny: 'all', excludeNamespaces: ['legacy'] });

    const badSpec = await api.gql(UPDATE, { id, input: { spec: { level: 'baseline' } } });
    assert.equal(badSpec.errors?.[0].extensions?.code, 'BAD_USER_INPUT');
    assert.match(badSpec.errors?.[0].message ?? '', /input\.spec\.defaultDeny/);

    await api.gql(CREATE, { input: { name: 'upd-other', type: 'NETWORK', mode: 'AUDIT', spec: { defaultDeny: 'ingress' }, scope: { kind: 'ORGANIZATION' } } });
    const clash = await api.gql(UPDATE, { id, input: { name: 'upd-other' } });
    assert.equal(clash.errors?.[0].extensions?.code, 'CONFLICT');

    const d = await api.gql(DELETE, { id });
    assert.equal(d.data.deletePolicy, true);
    const again = await api.gql(DELETE, { id });
    assert.equal(again.errors?.[0].extensions?.code, 'NOT_FOUND');
    const list = await api.gql(POLICIES);
    assert.ok(!list.data.policies.some((p: { id: string }) => p.id === id));
    // The name is free again once deleted.
    const reuse = await api.gql(CREATE, { input: { name: 'upd-net', type: 'QUOTA', mode: 'AUDIT', spec: VALID_SPECS.QUOTA, scope: { kind: 'ORGANIZATION' } } });
    assert.equal(reuse.errors, undefined, JSON.stringify(reuse.errors));
    const actions = await auditActions();
    assert.ok(actions.includes('policy.update') && actions.includes('policy.delete'));
  });

  test('scopes: a group or a cluster of the organization, checked; the scope shows the group and cluster', async () => {
    const g = await group('scope-team');
    const c = await attach('scope-c1', { groupId: g });
    const byGroup = await api.gql(CREATE, { input: { name: 'scope-g', type: 'NETWORK', mode: 'AUDIT', spec: VALID_SPECS.NETWORK, scope: { kind: 'GROUP', groupId: g } } });
    assert.equal(byGroup.errors, undefined, JSON.stringify(byGroup.errors));
    assert.deepEqual(byGroup.data.createPolicy.scope, { kind: 'GROUP', group: { id: g, name: 'scope-team' }, cluster: null });
    const byCluster = await api.gql(CREATE, { input: { name: 'scope-c', type: 'QUOTA', mode: 'AUDIT', spec: VALID_SPECS.QUOTA, scope: { kind: 'CLUSTER', clusterId: c } } });
    assert.deepEqual(byCluster.data.createPolicy.scope, { kind: 'CLUSTER', group: null, cluster: { id: c, name: 'scope-c1' } });

    const bad: Array<[Record<string, unknown>, string]> = [
      [{ kind: 'GROUP' }, 'input.scope.groupId'],
      [{ kind: 'GROUP', groupId: '00000000-0000-4000-8000-000000000000' }, 'input.scope.groupId'],
      [{ kind: 'CLUSTER', clusterId: 'not-a-uuid' }, 'input.scope.clusterId'],
      [{ kind: 'CLUSTER', clusterId: c, groupId: g }, 'input.scope.groupId'],
      [{ kind: 'ORGANIZATION', groupId: g }, 'input.scope'],
    ];
    for (const [scope, field] of bad) {
      const r = await api.gql(CREATE, { input: { name: 'scope-bad', type: 'NETWORK', mode: 'AUDIT', spec: VALID_SPECS.NETWORK, scope } });
      assert.equal(r.errors?.[0].extensions?.field, field, JSON.stringify(r));
    }
  });

  test("a cluster's effective policies are the union of its organization's, its group's and its own", async () => {
    const org = await api.newOrganization();
    const gA = await group('union-a', org.token);
    const gB = await group('union-b', org.token);
    const c1 = await attach('union-1', { groupId: gA }, org.token);
    const c2 = await attach('union-2', { groupId: gB }, org.token);
    const mk = (name: string, scope: Record<string, unknown>) =>
      api.gql(CREATE, { input: { name, type: 'NETWORK', mode: 'AUDIT', spec: VALID_SPECS.NETWORK, scope } }, org.token);
    await mk('u-org', { kind: 'ORGANIZATION' });
    await mk('u-group-a', { kind: 'GROUP', groupId: gA });
    await mk('u-group-b', { kind: 'GROUP', groupId: gB });
    await mk('u-cluster-1', { kind: 'CLUSTER', clusterId: c1 });
    const repo = api.app.get(PolicyRepository, { strict: false });
    const names = async (id: string, groupId: string | null) => (await repo.effectiveFor(org.organizationId, { id, groupId })).map((p) => p.name);
    assert.deepEqual(await names(c1, gA), ['u-cluster-1', 'u-group-a', 'u-org']);
    assert.deepEqual(await names(c2, gB), ['u-group-b', 'u-org']);
    assert.deepEqual(await repo.effectiveFor(api.organizationId, { id: c1, groupId: gA }).then((r) => r.filter((p) => p.name.startsWith('u-'))), []);
  });

  test('policy mutations need ADMIN; a VIEWER reads', async () => {
    const created = await api.gql(`mutation { createApiToken(input: { name: "pol-viewer", role: VIEWER }) { token } }`);
    const viewer = created.data.createApiToken.token;
    const r = await api.gql(CREATE, { input: { name: 'by-viewer', type: 'NETWORK', mode: 'AUDIT', spec: VALID_SPECS.NETWORK, scope: { kind: 'ORGANIZATION' } } }, viewer);
    assert.equal(r.errors?.[0].extensions?.code, 'FORBIDDEN');
    assert.equal((await api.gql(POLICIES, {}, viewer)).errors, undefined);
    const s = await api.gql(SET_SCHEDULE, { input: { cron: '0 2 * * *', enabled: true } }, viewer);
    assert.equal(s.errors?.[0].extensions?.code, 'FORBIDDEN');
    const scan = await api.gql(RUN, { input: {} }, viewer);
    assert.equal(scan.errors?.[0].extensions?.code, 'FORBIDDEN');
  });
});

describe('scans and schedules through the API', () => {
  test('runComplianceScan returns at once QUEUED with its cluster count and one outbox job per cluster; scan and scans show it', async () => {
    const org = await api.newOrganization();
    const g = await group('scan-g', org.token);
    const ids = [await attach('scan-1', { groupId: g }, org.token), await attach('scan-2', { groupId: g }, org.token), await attach('scan-3', {}, org.token)];
    const all = await api.gql(RUN, { input: {} }, org.token);
    assert.equal(all.errors, undefined, JSON.stringify(all.errors));
    assert.deepEqual({ ...all.data.runComplianceScan, id: undefined }, { id: undefined, status: 'QUEUED', trigger: 'MANUAL', clusterCount: 3, completedCount: 0, failedCount: 0 });
    const byGroup = await api.gql(RUN, { input: { groupId: g } }, org.token);
    assert.equal(byGroup.data.runComplianceScan.clusterCount, 2);
    const listed = await api.gql(RUN, { input: { clusterIds: [ids[2], ids[2]] } }, org.token);
    assert.equal(listed.data.runComplianceScan.clusterCount, 1);

    const db = api.app.get(PolicyRepository, { strict: false }) as unknown as { db: { query: (sql: string, p: unknown[]) => Promise<Array<{ n: number }>> } };
    const jobs = await db.db.query(`SELECT count(*)::int AS n FROM outbox WHERE job_name = 'scan-cluster' AND payload->>'scanId' = $1`, [all.data.runComplianceScan.id]);
    assert.equal(jobs[0].n, 3);

    const detail = await api.gql(SCAN, { id: byGroup.data.runComplianceScan.id }, org.token);
    assert.equal(detail.data.scan.clusterCount, 2);
    assert.deepEqual(detail.data.scan.summary, { compliant: 0, nonCompliant: 0, errored: 0, violations: 0 });
    const page1 = await api.gql(SCANS, { first: 2 }, org.token);
    assert.equal(page1.data.scans.totalCount, 3);
    assert.equal(page1.data.scans.edges[0].node.id, listed.data.runComplianceScan.id, 'newest first');
    const page2 = await api.gql(SCANS, { first: 2, after: page1.data.scans.pageInfo.endCursor }, org.token);
    assert.deepEqual(page2.data.scans.edges.map((e: { node: { id: string } }) => e.node.id), [all.data.runComplianceScan.id]);
    assert.equal(page2.data.scans.pageInfo.hasNextPage, false);
  });

  test('a scan over no cluster is finished at once; bad scan input is refused with the field', async () => {
    const org = await api.newOrganization();
    const r = await api.gql(RUN, { input: {} }, org.token);
    assert.equal(r.data.runComplianceScan.status, 'SUCCEEDED');
    assert.equal(r.data.runComplianceScan.clusterCount, 0);
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ clusterIds: [] }, 'input.clusterIds'],
      [{ clusterIds: ['00000000-0000-4000-8000-000000000000'] }, 'input.clusterIds'],
      [{ groupId: 'nope' }, 'input.groupId'],
      [{ groupId: '00000000-0000-4000-8000-000000000000', clusterIds: ['00000000-0000-4000-8000-000000000000'] }, 'input'],
    ];
    for (const [input, field] of bad) {
      const x = await api.gql(RUN, { input }, org.token);
      assert.equal(x.errors?.[0].extensions?.field, field, JSON.stringify(x));
    }
  });

  test('setScanSchedule validates cron and zone with clear errors, and computes nextRunAt in the zone', async () => {
    const org = await api.newOrganization();
    assert.equal((await api.gql(SCHEDULE, {}, org.token)).data.scanSchedule, null);
    const badCron = await api.gql(SET_SCHEDULE, { input: { cron: '0 25 * * *', timezone: 'UTC', enabled: true } }, org.token);
    assert.equal(badCron.errors?.[0].extensions?.field, 'input.cron');
    assert.match(badCron.errors?.[0].message ?? '', /not a valid cron expression/);
    const badZone = await api.gql(SET_SCHEDULE, { input: { cron: '0 2 * * *', timezone: 'Europe/Atlantis', enabled: true } }, org.token);
    assert.equal(badZone.errors?.[0].extensions?.field, 'input.timezone');
    assert.match(badZone.errors?.[0].message ?? '', /Europe\/Atlantis/);

    const ok = await api.gql(SET_SCHEDULE, { input: { cron: '30 2 * * *', timezone: 'Europe/Berlin', enabled: true } }, org.token);
    assert.equal(ok.errors, undefined, JSON.stringify(ok.errors));
    const next = new Date(ok.data.setScanSchedule.nextRunAt);
    const berlin = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit', hour12: false }).format(next);
    assert.ok(['02:30', '03:30'].includes(berlin), berlin); // 03:30 only on the spring-forward night
    assert.ok(next.getTime() > Date.now() && next.getTime() <= Date.now() + 25 * 3600_000);

    const off = await api.gql(SET_SCHEDULE, { input: { cron: '@hourly', enabled: false } }, org.token);
    assert.deepEqual(off.data.setScanSchedule, { cron: '@hourly', timezone: 'UTC', enabled: false, nextRunAt: null });
    assert.deepEqual((await api.gql(SCHEDULE, {}, org.token)).data.scanSchedule, off.data.setScanSchedule);
  });
});

describe('tenant isolation', () => {
  test("another organization's policies, scans and clusters are invisible and untouchable, answered as missing", async () => {
    const a = await api.newOrganization();
    const b = await api.newOrganization();
    const gA = await group('iso-g', a.token);
    const cA = await attach('iso-1', { groupId: gA }, a.token);
    const p = await api.gql(CREATE, { input: { name: 'iso-p', type: 'NETWORK', mode: 'AUDIT', spec: VALID_SPECS.NETWORK, scope: { kind: 'ORGANIZATION' } } }, a.token);
    const policyId = p.data.createPolicy.id;
    const scan = await api.gql(RUN, { input: {} }, a.token);
    const scanId = scan.data.runComplianceScan.id;
    await api.gql(SET_SCHEDULE, { input: { cron: '0 3 * * *', enabled: true } }, a.token);

    assert.deepEqual((await api.gql(POLICIES, {}, b.token)).data.policies, []);
    assert.equal((await api.gql(SCAN, { id: scanId }, b.token)).data.scan, null);
    assert.equal((await api.gql(SCANS, {}, b.token)).data.scans.totalCount, 0);
    assert.equal((await api.gql(SCHEDULE, {}, b.token)).data.scanSchedule, null);
    assert.equal((await api.gql(UPDATE, { id: policyId, input: { mode: 'ENFORCE' } }, b.token)).errors?.[0].extensions?.code, 'NOT_FOUND');
    assert.equal((await api.gql(DELETE, { id: policyId }, b.token)).errors?.[0].extensions?.code, 'NOT_FOUND');
    const viaGroup = await api.gql(CREATE, { input: { name: 'x', type: 'NETWORK', mode: 'AUDIT', spec: VALID_SPECS.NETWORK, scope: { kind: 'GROUP', groupId: gA } } }, b.token);
    assert.equal(viaGroup.errors?.[0].extensions?.field, 'input.scope.groupId');
    const viaCluster = await api.gql(CREATE, { input: { name: 'x', type: 'NETWORK', mode: 'AUDIT', spec: VALID_SPECS.NETWORK, scope: { kind: 'CLUSTER', clusterId: cA } } }, b.token);
    assert.equal(viaCluster.errors?.[0].extensions?.field, 'input.scope.clusterId');
    assert.equal((await api.gql(RUN, { input: { clusterIds: [cA] } }, b.token)).errors?.[0].extensions?.field, 'input.clusterIds');
    assert.equal((await api.gql(RUN, { input: { groupId: gA } }, b.token)).errors?.[0].extensions?.field, 'input.groupId');
    const fleet = await api.gql(`{ fleetSummary { compliance { compliantClusters nonCompliantClusters unknownClusters violationCount lastScanAt } } }`, {}, b.token);
    assert.deepEqual(fleet.data.fleetSummary.compliance, { compliantClusters: 0, nonCompliantClusters: 0, unknownClusters: 0, violationCount: 0, lastScanAt: null });
    // Still intact for its owner.
    assert.equal((await api.gql(POLICIES, {}, a.token)).data.policies.length, 1);
    const fleetA = await api.gql(`{ fleetSummary { compliance { unknownClusters } } }`, {}, a.token);
    assert.equal(fleetA.data.fleetSummary.compliance.unknownClusters, 1);
  });
});
