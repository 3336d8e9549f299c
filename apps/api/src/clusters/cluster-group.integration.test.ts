import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_CA_DATA } from '@flotilla/testing';
import { ApiHarness, startApiHarness } from '../testing/api-test-harness';

const PEM = TEST_CA_DATA;
const CREATE = `mutation($input: CreateClusterGroupInput!) { createClusterGroup(input: $input) { id name } }`;
const DELETE = `mutation($id: ID!) { deleteClusterGroup(id: $id) { id name } }`;
const GROUPS = `{ clusterGroups { id name } }`;

let api: ApiHarness;
before(async () => {
  api = await startApiHarness();
});
after(async () => {
  await api?.close();
});

async function group(name: string): Promise<string> {
  const r = await api.gql(CREATE, { input: { name } });
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data.createClusterGroup.id as string;
}

async function groupNames(): Promise<string[]> {
  return ((await api.gql(GROUPS)).data.clusterGroups as Array<{ name: string }>).map((g) => g.name);
}

describe('deleting cluster groups', () => {
  test('an empty group is deleted, audited, and its name is free again', async () => {
    const id = await group('gd-empty');
    const r = await api.gql(DELETE, { id });
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
    assert.deepEqual(r.data.deleteClusterGroup, { id, name: 'gd-empty' });
    assert.ok(!(await groupNames()).includes('gd-empty'));
    const audit = await api.gql(`{ auditEvents(first: 5) { edges { node { action targetId } } } }`);
    assert.deepEqual(audit.data.auditEvents.edges[0].node, { action: 'clusterGroup.delete', targetId: id });
    await group('gd-empty');
  });

  test('a group holding a live cluster or a policy (even a deleted one) is refused, naming them, and stays', async () => {
    const id = await group('gd-held');
    const attached = await api.gql(`mutation($input: AttachClusterInput!) { attachCluster(input: $input) { id } }`, {
      input: { name: 'gd-member', apiServerUrl: 'https://127.0.0.1:6443/clusters/gd-member', token: 'sa-token-abcdefgh', caData: PEM, groupId: id },
    });
    const clusterId = attached.data.attachCluster.id as string;
    const held = await api.gql(DELETE, { id });
    assert.equal(held.errors?.[0].extensions?.code, 'FAILED_PRECONDITION');
    assert.match(held.errors?.[0].message ?? '', /clusters gd-member are in it/);
    assert.ok((await groupNames()).includes('gd-held'));

    await api.gql(`mutation($id: ID!) { detachCluster(id: $id) { id } }`, { id: clusterId });
    const policy = await api.gql(`mutation($input: CreatePolicyInput!) { createPolicy(input: $input) { id } }`, {
      input: { name: 'gd-labels', type: 'LABELS', mode: 'AUDIT', spec: { kinds: ['Namespace'], required: ['owner'] }, scope: { kind: 'GROUP', groupId: id } },
    });
    assert.equal(policy.errors, undefined, JSON.stringify(policy.errors));
    const scoped = await api.gql(DELETE, { id });
    assert.match(scoped.errors?.[0].message ?? '', /policies gd-labels are scoped to it/);

    await api.gql(`mutation($id: ID!) { deletePolicy(id: $id) }`, { id: policy.data.createPolicy.id });
    const history = await api.gql(DELETE, { id });
    assert.match(history.errors?.[0].message ?? '', /1 deleted policy keeps its results under its scope/);
    assert.ok((await groupNames()).includes('gd-held'));
  });

  test('a VIEWER may not delete a group; an unknown or foreign id is NOT_FOUND', async () => {
    const id = await group('gd-roles');
    const viewer = await api.gql(`mutation { createApiToken(input: { name: "gd-viewer", role: VIEWER }) { token } }`);
    const refused = await api.gql(DELETE, { id }, viewer.data.createApiToken.token);
    assert.equal(refused.errors?.[0].extensions?.code, 'FORBIDDEN');
    const other = await api.newOrganization();
    const foreign = await api.gql(DELETE, { id }, other.token);
    assert.equal(foreign.errors?.[0].extensions?.code, 'NOT_FOUND');
    assert.equal((await api.gql(DELETE, { id: 'nope' })).errors?.[0].extensions?.code, 'NOT_FOUND');
    assert.ok((await groupNames()).includes('gd-roles'));
  });
});
