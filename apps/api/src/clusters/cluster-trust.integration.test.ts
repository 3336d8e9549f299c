import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { TEST_CA_DATA } from '@flotilla/testing';
import { ApiHarness, startApiHarness } from '../testing/api-test-harness';

// Where a credential may go and what the agent may grant, through GraphQL and PostgreSQL: attach
// without a CA needs the explicit system-roots choice; a URL never moves without a new credential;
// the bindable roles are stored, shown and audited; ACCESS policies stay inside the allowed list.

const PEM = TEST_CA_DATA;
const ATTACH = `mutation($input: AttachClusterInput!) { attachCluster(input: $input) { id status bindableRoles allowsClusterAdminBinding } }`;
const UPDATE = `mutation($id: ID!, $input: UpdateClusterInput!) { updateCluster(id: $id, input: $input) { id status statusReason apiServerUrl bindableRoles } }`;
const CREATE_POLICY = `mutation($input: CreatePolicyInput!) { createPolicy(input: $input) { id } }`;

let api: ApiHarness;
let pg: Client;
before(async () => {
  api = await startApiHarness();
  pg = new Client({ connectionString: api.config.database.url });
  await pg.connect();
});
after(async () => {
  await pg?.end();
  await api?.close();
});

const url = (name: string, port = 6443) => `https://127.0.0.1:${port}/clusters/${name}`;

async function attach(token: string, name: string, extra: Record<string, unknown> = {}) {
  return api.gql(ATTACH, { input: { name, apiServerUrl: url(name), token: 'sa-token-abcdefgh', caData: PEM, ...extra } }, token);
}

async function count(sql: string, params: unknown[]): Promise<number> {
  return Number((await pg.query(sql, params)).rows[0].n);
}

function refused(r: { errors?: Array<{ message: string; extensions?: { code?: string; field?: string } }> }, field: string): string {
  assert.equal(r.errors?.[0].extensions?.code, 'BAD_USER_INPUT', JSON.stringify(r));
  assert.equal(r.errors?.[0].extensions?.field, field, JSON.stringify(r));
  return r.errors![0].message;
}

describe('attach: trust roots and bindable roles', () => {
  test('without caData, attach is refused unless the caller explicitly chooses the system roots; nothing is stored', async () => {
    const org = await api.newOrganization();
    const noCa = await attach(org.token, 'no-ca-01', { caData: null });
    assert.match(refused(noCa, 'input.caData'), /useSystemTrustRoots: true/);
    const both = await attach(org.token, 'no-ca-01', { useSystemTrustRoots: true });
    refused(both, 'input.useSystemTrustRoots');
    assert.equal(await count(`SELECT count(*) AS n FROM clusters WHERE organization_id = $1`, [org.organizationId]), 0);
    assert.equal(await count(`SELECT count(*) AS n FROM cluster_credentials WHERE organization_id = $1`, [org.organizationId]), 0);

    const ok = await attach(org.token, 'no-ca-01', { caData: null, useSystemTrustRoots: true });
    assert.equal(ok.errors, undefined, JSON.stringify(ok.errors));
    const audit = await pg.query(`SELECT details FROM audit_events WHERE organization_id = $1 AND action = 'cluster.attach'`, [org.organizationId]);
    assert.equal(audit.rows[0].details.trust, 'systemRoots');
  });

  test('the agent may bind view, edit and admin by default; cluster-admin only with the explicit flag, which is shown and audited', async () => {
    const org = await api.newOrganization();
    const plain = await attach(org.token, 'roles-01');
    assert.equal(plain.errors, undefined, JSON.stringify(plain.errors));
    assert.deepEqual(plain.data.attachCluster.bindableRoles, ['admin', 'edit', 'view']);
    assert.equal(plain.data.attachCluster.allowsClusterAdminBinding, false);

    const sneaky = await attach(org.token, 'roles-02', { bindableRoles: ['view', 'cluster-admin'] });
    assert.match(refused(sneaky, 'input.bindableRoles'), /cluster-admin is bindable only with the explicit cluster-admin opt-in, .* \(allowClusterAdminBinding: true\)$/);
    assert.equal(await count(`SELECT count(*) AS n FROM clusters WHERE organization_id = $1 AND name = 'roles-02'`, [org.organizationId]), 0);
    refused(await attach(org.token, 'roles-02', { bindableRoles: [] }), 'input.bindableRoles');
    refused(await attach(org.token, 'roles-02', { bindableRoles: ['view', '../admin'] }), 'input.bindableRoles');

    const admin = await attach(org.token, 'roles-02', { bindableRoles: ['view'], allowClusterAdminBinding: true });
    assert.equal(admin.errors, undefined, JSON.stringify(admin.errors));
    assert.deepEqual(admin.data.attachCluster.bindableRoles, ['cluster-admin', 'view']);
    assert.equal(admin.data.attachCluster.allowsClusterAdminBinding, true);
    const shown = await api.gql(`query($id: ID!) { cluster(id: $id) { bindableRoles allowsClusterAdminBinding } }`, { id: admin.data.attachCluster.id }, org.token);
    assert.deepEqual(shown.data.cluster, { bindableRoles: ['cluster-admin', 'view'], allowsClusterAdminBinding: true });
    const audit = await pg.query(`SELECT details FROM audit_events WHERE organization_id = $1 AND action = 'cluster.attach' AND target_id = $2`, [
      org.organizationId,
      admin.data.attachCluster.id,
    ]);
    assert.equal(audit.rows[0].details.allowsClusterAdminBinding, true);
    assert.deepEqual(audit.rows[0].details.bindableRoles, ['cluster-admin', 'view']);
  });
});

describe('updateCluster: a stored token never follows a URL change', () => {
  test('a new URL without a new token and CA is refused naming apiServerUrl, and nothing changes', async () => {
    const org = await api.newOrganization();
    const c = await attach(org.token, 'move-01');
    const id = c.data.attachCluster.id;
    const before = (await pg.query(`SELECT iv, format FROM cluster_credentials WHERE cluster_id = $1`, [id])).rows[0];
    assert.equal(before.format, 2, 'new credentials are stored bound to cluster id and URL');

    const moveOnly = await api.gql(UPDATE, { id, input: { apiServerUrl: 'https://attacker.invalid:6443' } }, org.token);
    assert.match(refused(moveOnly, 'input.apiServerUrl'), /new token and caData/);
    const noCa = await api.gql(UPDATE, { id, input: { apiServerUrl: 'https://attacker.invalid:6443', token: 'another-token-123456' } }, org.token);
    refused(noCa, 'input.caData');
    const row = (await pg.query(`SELECT c.api_server_url AS url, k.iv FROM clusters c JOIN cluster_credentials k ON k.cluster_id = c.id WHERE c.id = $1`, [id])).rows[0];
    assert.equal(row.url, url('move-01'));
    assert.ok(Buffer.compare(row.iv, before.iv) === 0, 'the credential is untouched');

    // The same URL (what `attach --update` sends) is not a move.
    const same = await api.gql(UPDATE, { id, input: { apiServerUrl: url('move-01'), labels: [] } }, org.token);
    assert.equal(same.errors, undefined, JSON.stringify(same.errors));
  });

  test('moving with a new token and CA is accepted, re-binds the credential, and the cluster is PENDING until a sync proves it', async () => {
    const org = await api.newOrganization();
    const c = await attach(org.token, 'move-02');
    const id = c.data.attachCluster.id;
    await pg.query(`UPDATE clusters SET status = 'CONNECTED', status_reason = NULL WHERE id = $1`, [id]);
    const before = (await pg.query(`SELECT iv FROM cluster_credentials WHERE cluster_id = $1`, [id])).rows[0];

    const moved = await api.gql(UPDATE, { id, input: { apiServerUrl: url('move-02', 7443), token: 'rotated-token-0123456789', caData: PEM } }, org.token);
    assert.equal(moved.errors, undefined, JSON.stringify(moved.errors));
    assert.equal(moved.data.updateCluster.status, 'PENDING');
    assert.match(moved.data.updateCluster.statusReason, /waiting for the first sync/);
    assert.equal(moved.data.updateCluster.apiServerUrl, url('move-02', 7443));
    const after = (await pg.query(`SELECT iv, format FROM cluster_credentials WHERE cluster_id = $1`, [id])).rows[0];
    assert.equal(after.format, 2);
    assert.ok(Buffer.compare(after.iv, before.iv) !== 0, 'a new ciphertext');
    const audit = await pg.query(`SELECT details FROM audit_events WHERE target_id = $1 AND action = 'cluster.update'`, [id]);
    assert.equal(audit.rows[0].details.previousApiServerUrl, url('move-02'));
    assert.equal(audit.rows[0].details.credentialRotated, true);
    assert.ok(!JSON.stringify(audit.rows).includes('rotated-token-0123456789'));
  });
});

describe('ACCESS policies bind only roles the organization allows', () => {
  const access = (role: string, scope: Record<string, unknown> = { kind: 'ORGANIZATION' }) => ({
    name: `grant-${role}-${Math.random().toString(36).slice(2, 8)}`,
    type: 'ACCESS',
    mode: 'ENFORCE',
    spec: { bindings: [{ role: 'view', subjects: [{ kind: 'Group', name: 'sre' }] }, { role, subjects: [{ kind: 'User', name: 'mallory@example.com' }] }] },
    scope,
  });

  test('a role outside the list is refused at create and at update, naming the binding and listing the allowed roles', async () => {
    const org = await api.newOrganization();
    const policies = () => count(`SELECT count(*) AS n FROM policies WHERE organization_id = $1`, [org.organizationId]);
    const r = await api.gql(CREATE_POLICY, { input: access('cluster-admin') }, org.token);
    assert.equal(
      refused(r, 'input.spec.bindings[1].role'),
      'input.spec.bindings[1].role: "cluster-admin" is not a role ACCESS policies may bind in this organization; allowed: admin, edit, view (an ADMIN changes the organization\'s list with setAccessBindableRoles)',
    );
    assert.equal(await policies(), 0);
    // AUDIT as well: the list is what policies may name, whatever their mode.
    refused(await api.gql(CREATE_POLICY, { input: { ...access('cluster-admin'), mode: 'AUDIT' } }, org.token), 'input.spec.bindings[1].role');

    const ok = await api.gql(CREATE_POLICY, { input: access('edit') }, org.token);
    assert.equal(ok.errors, undefined, JSON.stringify(ok.errors));
    const upd = await api.gql(
      `mutation($id: ID!, $input: UpdatePolicyInput!) { updatePolicy(id: $id, input: $input) { id spec } }`,
      { id: ok.data.createPolicy.id, input: { spec: { bindings: [{ role: 'cluster-admin', subjects: [{ kind: 'User', name: 'mallory@example.com' }] }] } } },
      org.token,
    );
    refused(upd, 'input.spec.bindings[0].role');
    const stored = await pg.query(`SELECT spec FROM policies WHERE id = $1`, [ok.data.createPolicy.id]);
    assert.equal(stored.rows[0].spec.bindings[1].role, 'edit');
  });

  test("the organization's list is a setting an ADMIN changes (cluster-admin only with allowClusterAdmin), shown and audited", async () => {
    const org = await api.newOrganization();
    const shown = await api.gql(`{ viewer { organization { accessBindableRoles } } }`, {}, org.token);
    assert.deepEqual(shown.data.viewer.organization.accessBindableRoles, ['admin', 'edit', 'view']);
    const SET = `mutation($roles: [String!]!, $allow: Boolean) { setAccessBindableRoles(roles: $roles, allowClusterAdmin: $allow) { accessBindableRoles } }`;
    refused(await api.gql(SET, { roles: ['view', 'cluster-admin'] }, org.token), 'roles');

    const op = await api.gql(`mutation { createApiToken(input: { name: "op", role: OPERATOR }) { token } }`, {}, org.token);
    const forbidden = await api.gql(SET, { roles: ['view'] }, op.data.createApiToken.token);
    assert.equal(forbidden.errors?.[0].extensions?.code, 'FORBIDDEN');

    const set = await api.gql(SET, { roles: ['view', 'auditor'] }, org.token);
    assert.deepEqual(set.data.setAccessBindableRoles.accessBindableRoles, ['auditor', 'view']);
    assert.equal((await api.gql(CREATE_POLICY, { input: access('auditor') }, org.token)).errors, undefined);
    assert.match(refused(await api.gql(CREATE_POLICY, { input: access('edit') }, org.token), 'input.spec.bindings[1].role'), /allowed: auditor, view/);

    const withAdmin = await api.gql(SET, { roles: ['view'], allow: true }, org.token);
    assert.deepEqual(withAdmin.data.setAccessBindableRoles.accessBindableRoles, ['cluster-admin', 'view']);
    assert.equal((await api.gql(CREATE_POLICY, { input: access('cluster-admin') }, org.token)).errors, undefined);
    const audit = await pg.query(`SELECT details FROM audit_events WHERE organization_id = $1 AND action = 'organization.setAccessBindableRoles' AND outcome = 'SUCCESS' ORDER BY at DESC LIMIT 1`, [org.organizationId]);
    assert.equal(audit.rows[0].details.allowsClusterAdminBinding, true);
    assert.deepEqual(audit.rows[0].details.previous, ['auditor', 'view']);
  });

  test('scoped to one cluster, a policy may name only roles that cluster\'s agent may bind', async () => {
    const org = await api.newOrganization();
    const c = await attach(org.token, 'narrow-01', { bindableRoles: ['view'] });
    const scope = { kind: 'CLUSTER', clusterId: c.data.attachCluster.id };
    assert.match(refused(await api.gql(CREATE_POLICY, { input: access('edit', scope) }, org.token), 'input.spec.bindings[1].role'), /on cluster narrow-01 .*allowed: view/);
    assert.equal((await api.gql(CREATE_POLICY, { input: { ...access('view', scope) } }, org.token)).errors, undefined);
  });
});
