import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiHarness, startApiHarness } from '../../../api/src/testing/api-test-harness';
import { run } from '../main';
import { captureIo } from '../testing/fake-graphql-api';

const skip = !process.env.DATABASE_URL && 'needs the per-run DATABASE_URL of npm test';

describe('flotilla workspace against the real API', { skip }, () => {
  let api: ApiHarness;
  let env: Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-cli-workspace-'));

  before(async () => {
    api = await startApiHarness();
    const org = await api.newOrganization();
    env = { FLOTILLA_API_URL: api.url, FLOTILLA_TOKEN: org.token, FLOTILLA_CONFIG: join(dir, 'absent.json') };
    // Attached only (no worker here): enough for a workspace to name it.
    const r = await api.gql(
      `mutation($input: AttachClusterInput!) { attachCluster(input: $input) { id } }`,
      { input: { name: 'edge-1', apiServerUrl: 'https://edge-1.invalid:6443', token: 'not-dialled', useSystemTrustRoots: true } },
      org.token,
    );
    assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  });
  after(async () => {
    await api?.close();
  });

  async function cli(...args: string[]) {
    const c = captureIo();
    const code = await run(args, { io: c.io, env });
    return { code, out: c.out, err: c.err };
  }

  test('create, add-namespace and list; a restricted token from token create --workspace', async () => {
    const created = await cli('workspace', 'create', 'payments', '--description', 'the payments team');
    assert.equal(created.code, 0, created.err);
    assert.match(created.out, /^workspace\/payments created \(/);
    const added = await cli('workspace', 'add-namespace', 'payments', '--cluster', 'edge-1', '--namespace', 'pay');
    assert.equal(added.code, 0, added.err);
    assert.equal(added.out, 'workspace/payments: edge-1/pay added (1 namespaces)\n');
    const refused = await cli('workspace', 'add-namespace', 'payments', '--cluster', 'edge-1', '--namespace', 'kube-system');
    assert.notEqual(refused.code, 0);
    assert.match(refused.err, /input\.namespace/);
    const listed = await cli('workspace', 'list', '-o', 'json');
    assert.equal(listed.code, 0, listed.err);
    const [ws] = JSON.parse(listed.out);
    assert.deepEqual([ws.name, ws.namespaces.map((n: { cluster: { name: string }; namespace: string }) => `${n.cluster.name}/${n.namespace}`)], ['payments', ['edge-1/pay']]);
    const table = await cli('workspace', 'list');
    assert.match(table.out, /payments\s+edge-1\/pay/);

    const issued = await cli('token', 'create', '--name', 'pay-ci', '--workspace', 'payments');
    assert.equal(issued.code, 0, issued.err);
    assert.match(issued.err, /restricted to workspace payments/);
    const restricted = issued.out.trim();
    const seen = await api.gql(`{ clusters { totalCount } workspaces { name } }`, {}, restricted);
    assert.deepEqual(seen.data, { clusters: { totalCount: 1 }, workspaces: [{ name: 'payments' }] });
    const missing = await cli('token', 'create', '--name', 'x', '--workspace', 'nope');
    assert.notEqual(missing.code, 0);
    assert.match(missing.err, /no workspace named "nope"/);
  });
});
