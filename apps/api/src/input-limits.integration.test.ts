import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_CA_DATA } from '@flotilla/testing';
import { ApiHarness, GqlResult, startApiHarness } from './testing/api-test-harness';

// The probes of the input-limits issue, through the real API: each is refused naming its field once,
// stores nothing, and never answers INTERNAL_SERVER_ERROR.
const ATTACH = `mutation($input: AttachClusterInput!) { attachCluster(input: $input) { id labels { key value } } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateClusterInput!) { updateCluster(id: $id, input: $input) { id labels { key value } } }`;
const GROUP = `mutation($input: CreateClusterGroupInput!) { createClusterGroup(input: $input) { id name } }`;
const COUNT = `{ clusters(first: 1) { totalCount } clusterGroups { id } }`;
const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const MALFORMED = ['not-a-uuid', "1' OR '1'='1", 'x'.repeat(10_000), '__proto__', `${UNKNOWN}0`];

let api: ApiHarness;
let clusterId: string;
before(async () => {
  api = await startApiHarness();
  const r = await attach('limits-seed');
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  clusterId = r.data.attachCluster.id;
});
after(async () => {
  await api?.close();
});

function attach(name: string, extra: Record<string, unknown> = {}) {
  return api.gql(ATTACH, { input: { name, apiServerUrl: `https://127.0.0.1:1/clusters/${name}`, token: 'sa-token-abcdefgh', caData: TEST_CA_DATA, ...extra } });
}

async function counts(): Promise<string> {
  const r = await api.gql(COUNT);
  return JSON.stringify([r.data.clusters.totalCount, r.data.clusterGroups.length]);
}

function assertRefused(r: GqlResult, field: string, secret?: string): void {
  const e = r.errors?.[0];
  assert.equal(e?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(r).slice(0, 300));
  assert.equal(e?.extensions?.field, field);
  assert.equal(e.message.split(field).length - 1, 1, `the field is named once: ${e.message}`);
  assert.ok(e.message.length < 400, 'the message does not echo a huge value');
  if (secret) assert.ok(!JSON.stringify(r).includes(secret), 'the token is not echoed');
}

describe('attach and update refuse bad input, naming the field, storing nothing', () => {
  test('a 70,000-character hostname, tokens with NUL or non-ASCII, caData that is no certificate, a..b', async () => {
    const before = await counts();
    assertRefused(await attach('limits-01', { apiServerUrl: `https://${'h'.repeat(70_000)}.invalid` }), 'input.apiServerUrl');
    assertRefused(await attach('limits-01', { apiServerUrl: 'http://127.0.0.1:1' }), 'input.apiServerUrl');
    assertRefused(await attach('limits-01', { token: 'secret-\u0000-token' }), 'input.token', 'secret-');
    assertRefused(await attach('limits-01', { token: 'secret-tökën-token' }), 'input.token', 'secret-');
    assertRefused(await attach('limits-01', { token: 't'.repeat(8193) }), 'input.token');
    assertRefused(await attach('limits-01', { caData: Buffer.from('-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n').toString('base64') }), 'input.caData');
    assertRefused(await attach('limits-01', { caData: Buffer.from('hello').toString('base64') }), 'input.caData');
    assertRefused(await attach('a..b'), 'input.name');
    assertRefused(await attach('x'.repeat(64)), 'input.name');
    assert.equal(await counts(), before);
  });

  test('30,000 labels are refused (or the body is), 64 are accepted; keys such as constructor and toString are ordinary', async () => {
    const before = await counts();
    const many = Array.from({ length: 30_000 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    const res = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${api.adminToken}` },
      body: JSON.stringify({ query: ATTACH, variables: { input: { name: 'limits-02', apiServerUrl: 'https://127.0.0.1:1/x', token: 'sa-token-abcdefgh', caData: TEST_CA_DATA, labels: many } } }),
    });
    if (res.status !== 413) assertRefused((await res.json()) as GqlResult, 'input.labels');
    assertRefused(await attach('limits-02', { labels: many.slice(0, 65) }), 'input.labels');
    assert.equal(await counts(), before);

    const ok = await attach('limits-03', { labels: [{ key: 'constructor', value: 'a' }, { key: 'toString', value: 'b' }, { key: 'hasOwnProperty', value: '' }] });
    assert.equal(ok.errors, undefined, JSON.stringify(ok.errors));
    assert.deepEqual(ok.data.attachCluster.labels, [{ key: 'constructor', value: 'a' }, { key: 'hasOwnProperty', value: '' }, { key: 'toString', value: 'b' }]);
    const u = await api.gql(UPDATE, { id: clusterId, input: { labels: many.slice(0, 64) } });
    assert.equal(u.errors, undefined, JSON.stringify(u.errors));
    assert.equal(u.data.updateCluster.labels.length, 64);
    const filtered = await api.gql(`query($l: [LabelInput!]) { clusters(filter: { labels: $l }) { totalCount } }`, { l: [{ key: 'constructor', value: 'a' }] });
    assert.equal(filtered.data.clusters.totalCount, 1);
  });

  test('control characters and bidi overrides in group names and descriptions are refused', async () => {
    const before = await counts();
    for (const name of ['pay\u0000ments', 'pay\u0007ments', 'line\nbreak', 'admin\u202Egnp.exe', 'iso\u2066late\u2069', 'mark\u200F']) {
      assertRefused(await api.gql(GROUP, { input: { name } }), 'input.name');
    }
    assertRefused(await api.gql(GROUP, { input: { name: 'fine', description: 'evil\u202E' } }), 'input.description');
    assertRefused(await api.gql(`mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`, { input: { name: 'ci\u202Etoken' } }), 'input.name');
    assert.equal(await counts(), before);
    const ok = await api.gql(GROUP, { input: { name: 'Zahlungsverkehr – Europa' } });
    assert.equal(ok.errors, undefined);
  });

  test('versions are Kubernetes versions with bounded numbers', async () => {
    assertRefused(
      await api.gql(`mutation { startUpgrade(input: { clusterId: "${clusterId}", targetVersion: "v99999999999999999999.1" }) { id } }`),
      'input.targetVersion',
    );
    assertRefused(
      await api.gql(`mutation { runInspection(input: { clusterId: "${clusterId}", kind: DEPRECATED_APIS, targetVersion: "v99999999999999999999.1" }) { id } }`),
      'input.targetVersion',
    );
  });
});

describe('malformed ids answer exactly like unknown ones', () => {
  test('queries answer null', async () => {
    for (const field of ['cluster', 'scan', 'upgrade', 'inspection']) {
      const unknown = await api.gql(`query($id: ID!) { ${field}(id: $id) { id } }`, { id: UNKNOWN });
      assert.deepEqual(unknown, { data: { [field]: null } });
      for (const id of MALFORMED) assert.deepEqual(await api.gql(`query($id: ID!) { ${field}(id: $id) { id } }`, { id }), unknown, `${field}(${id.slice(0, 20)})`);
    }
    const byGroup = (groupId: string) => api.gql(`query($g: ID) { clusters(filter: { groupId: $g }) { totalCount } }`, { g: groupId });
    const unknownGroup = await byGroup(UNKNOWN);
    assert.deepEqual(unknownGroup, { data: { clusters: { totalCount: 0 } } });
    for (const id of MALFORMED) assert.deepEqual(await byGroup(id), unknownGroup);
  });

  test('mutations answer NOT_FOUND', async () => {
    const mutations = [
      `mutation($id: ID!) { detachCluster(id: $id) { id } }`,
      `mutation($id: ID!) { updateCluster(id: $id, input: { labels: [] }) { id } }`,
      `mutation($id: ID!) { cancelUpgrade(id: $id) { id } }`,
      `mutation($id: ID!) { revokeApiToken(id: $id) { id } }`,
      `mutation($id: ID!) { deletePolicy(id: $id) }`,
      `mutation($id: ID!) { updatePolicy(id: $id, input: { name: "x" }) { id } }`,
      `mutation($id: ID!) { startUpgrade(input: { clusterId: $id, targetVersion: "v1.30.8" }) { id } }`,
      `mutation($id: ID!) { runInspection(input: { clusterId: $id, kind: RBAC_RISK }) { id } }`,
    ];
    const before = await counts();
    for (const m of mutations) {
      const unknown = await api.gql(m, { id: UNKNOWN });
      assert.equal(unknown.errors?.[0].extensions?.code, 'NOT_FOUND', m);
      for (const id of MALFORMED) {
        const r = await api.gql(m, { id });
        assert.equal(r.errors?.[0].extensions?.code, 'NOT_FOUND', `${m} ${id.slice(0, 20)}: ${JSON.stringify(r.errors)}`);
        assert.ok(r.errors[0].message.length < 200, 'a malformed id is not echoed');
      }
    }
    assert.equal(await counts(), before);
  });
});

describe('hand-made cursors are BAD_USER_INPUT naming the argument', () => {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const forged = ['garbage', b64(['x', 'y']), b64([1, UNKNOWN]), b64(['2026-01-01T00:00:00Z', 'not-a-uuid']), b64(['not a time', UNKNOWN]), b64(['a\u0000', UNKNOWN]), b64({})];

  test('on every list: clusters (each order), scans, audit events, a cluster’s upgrades and inspections', async () => {
    const lists = [
      `query($after: String) { clusters(after: $after) { totalCount } }`,
      `query($after: String) { clusters(after: $after, orderBy: { field: ATTACHED_AT, direction: DESC }) { totalCount } }`,
      `query($after: String) { clusters(after: $after, orderBy: { field: LAST_SEEN_AT, direction: ASC }) { totalCount } }`,
      `query($after: String) { clusters(after: $after, orderBy: { field: KUBERNETES_VERSION, direction: ASC }) { totalCount } }`,
      `query($after: String) { scans(after: $after) { totalCount } }`,
      `query($after: String) { auditEvents(after: $after) { edges { cursor } } }`,
      `query($after: String) { cluster(id: "${clusterId}") { upgrades(after: $after) { edges { cursor } } } }`,
      `query($after: String) { cluster(id: "${clusterId}") { inspections(after: $after) { edges { cursor } } } }`,
    ];
    for (const q of lists) {
      // Name and version orders page on text: a well-formed [text, uuid] cursor is a position, not a forgery.
      const textOrdered = q.includes('clusters(after: $after) {') || q.includes('KUBERNETES_VERSION');
      for (const after of forged) {
        const r = await api.gql(q, { after });
        if (textOrdered && after === b64(['not a time', UNKNOWN])) {
          assert.equal(r.errors, undefined, JSON.stringify(r.errors));
          continue;
        }
        assert.equal(r.errors?.[0].extensions?.code, 'BAD_USER_INPUT', `${q} ${after}: ${JSON.stringify(r)}`);
        assert.equal(r.errors?.[0].extensions?.field, 'after');
      }
    }
  });

  test('cursors the API returned still page', async () => {
    const first = await api.gql(`{ auditEvents(first: 1) { pageInfo { endCursor } } }`);
    const next = await api.gql(`query($after: String) { auditEvents(first: 1, after: $after) { edges { cursor } } }`, { after: first.data.auditEvents.pageInfo.endCursor });
    assert.equal(next.errors, undefined);
    const clusters = await api.gql(`{ clusters(first: 1, orderBy: { field: ATTACHED_AT, direction: ASC }) { pageInfo { endCursor } } }`);
    const more = await api.gql(`query($after: String) { clusters(first: 1, after: $after, orderBy: { field: ATTACHED_AT, direction: ASC }) { totalCount } }`, {
      after: clusters.data.clusters.pageInfo.endCursor,
    });
    assert.equal(more.errors, undefined);
  });
});
