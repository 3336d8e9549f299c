import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiHarness, startApiHarness } from '../../../api/src/testing/api-test-harness';
import { KubeSim, startKubeSim } from '../../../kube-sim/src';
import { run } from '../main';
import { captureIo } from '../testing/fake-graphql-api';

// The real API and a real (simulated) cluster: what an operator's `flotilla cluster attach` does.
// Needs the per-run database that npm test provides.
const skip = !process.env.DATABASE_URL && 'needs the per-run DATABASE_URL of npm test';

describe('flotilla against the real API and kube-sim', { skip }, () => {
  let sim: KubeSim;
  let api: ApiHarness;
  let env: Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-cli-e2e-'));

  before(async () => {
    sim = await startKubeSim({ clusters: 2, port: 0, tls: true });
    api = await startApiHarness();
    env = { FLOTILLA_API_URL: api.url, FLOTILLA_TOKEN: api.adminToken, FLOTILLA_CONFIG: join(dir, 'absent.json') };
  });
  after(async () => {
    await api?.close();
    await sim?.stop();
  });

  async function flotilla(...args: string[]) {
    const c = captureIo();
    const code = await run(args, { io: c.io, env });
    assert.ok(!(c.out + c.err).includes(api.adminToken), 'the CLI never prints its token');
    return { code, out: c.out, err: c.err };
  }

  function kubeconfig(name: string): string {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, sim.kubeconfig(name), { mode: 0o600 });
    return file;
  }

  test('attach registers the cluster with its group and labels; re-runs are safe; detach and re-attach work', async () => {
    const name = sim.clusterNames()[0];
    const file = kubeconfig(name);
    const group = await api.gql(`mutation($input: CreateClusterGroupInput!) { createClusterGroup(input: $input) { id } }`, { input: { name: 'edge' } });
    const groupId = group.data.createClusterGroup.id as string;

    const attached = await flotilla('cluster', 'attach', name, '--kubeconfig', file, '--group', 'edge', '--label', 'env=prod', '--label', 'tier=gold');
    assert.equal(attached.code, 0, attached.err);
    assert.match(attached.out, new RegExp(`^cluster/${name} attached \\([^,]+, status PENDING, ${sim.clusterUrl(name).replace(/[.]/g, '\\.')}\\)\\n$`));
    assert.match(attached.err, /rolebinding\/flotilla-agent-token-renewal created/);
    assert.match(attached.err, /token for serviceaccount\/flotilla-agent issued \(expires /);
    assert.ok(!attached.err.includes('secret/'), 'no token Secret');

    const list = await flotilla('cluster', 'list', '-o', 'json');
    assert.equal(list.code, 0, list.err);
    const row = (JSON.parse(list.out) as Array<{ id: string; name: string; status: string }>).find((c) => c.name === name);
    assert.ok(row, list.out);
    const detail = await api.gql(`query($id: ID!) { cluster(id: $id) { apiServerUrl labels { key value } group { id } } }`, { id: row.id });
    assert.equal(detail.data.cluster.apiServerUrl, sim.clusterUrl(name));
    assert.deepEqual(detail.data.cluster.group, { id: groupId });
    assert.deepEqual(
      (detail.data.cluster.labels as Array<{ key: string; value: string }>).map((l) => `${l.key}=${l.value}`).sort(),
      ['env=prod', 'tier=gold'],
    );

    const again = await flotilla('cluster', 'attach', name, '--kubeconfig', file);
    assert.equal(again.code, 1);
    assert.match(again.err, new RegExp(`^error: cluster ${name} is already attached \\(${row.id}\\); nothing was changed`));

    const update = await flotilla('cluster', 'attach', name, '--kubeconfig', file, '--update');
    assert.equal(update.code, 0, update.err);
    assert.match(update.out, /already attached .*agent identity and stored credential refreshed/);
    assert.match(update.err, /clusterrole\/flotilla-agent unchanged/);

    const table = await flotilla('cluster', 'list');
    assert.match(table.out, new RegExp(`^${name}\\s+PENDING\\s+`, 'm'));

    const detached = await flotilla('cluster', 'detach', name);
    assert.equal(detached.code, 0, detached.err);
    assert.equal(detached.out, `cluster/${name} detached\n`);

    const reattached = await flotilla('cluster', 'attach', name, '--kubeconfig', file);
    assert.equal(reattached.code, 0, reattached.err);
    assert.match(reattached.err, /role\/flotilla-agent-token-renewal unchanged/);
  });

  test('the bindable roles reach the cluster\'s ClusterRole and the registry; cluster-admin needs its own flag', async () => {
    const name = sim.clusterNames()[1];
    const file = kubeconfig(name);
    const sneaky = await flotilla('cluster', 'attach', name, '--kubeconfig', file, '--bindable-role', 'cluster-admin');
    assert.equal(sneaky.code, 2);
    assert.match(sneaky.err, /^error: --bindable-role: cluster-admin is bindable only with the explicit cluster-admin opt-in, .* \(--allow-bind-cluster-admin\)\n$/);
    assert.ok(!sneaky.err.includes('created'), 'refused before the cluster is touched');

    const narrow = await flotilla('cluster', 'attach', name, '--kubeconfig', file, '--bindable-role', 'view', '--bindable-role', 'edit');
    assert.equal(narrow.code, 0, narrow.err);
    const id = (await api.gql(`query($s: String) { clusters(filter: { search: $s }) { edges { node { id name } } } }`, { s: name })).data.clusters.edges.find((e: { node: { name: string } }) => e.node.name === name).node.id as string;
    const shown = await api.gql(`query($id: ID!) { cluster(id: $id) { bindableRoles allowsClusterAdminBinding } }`, { id });
    assert.deepEqual(shown.data.cluster, { bindableRoles: ['edit', 'view'], allowsClusterAdminBinding: false });

    const widened = await flotilla('cluster', 'attach', name, '--kubeconfig', file, '--update', '--allow-bind-cluster-admin');
    assert.equal(widened.code, 0, widened.err);
    assert.match(widened.err, /warning: the agent may bind cluster-admin/);
    assert.match(widened.err, /clusterrole\/flotilla-agent configured/);
    const after = await api.gql(`query($id: ID!) { cluster(id: $id) { bindableRoles allowsClusterAdminBinding } }`, { id });
    assert.deepEqual(after.data.cluster, { bindableRoles: ['admin', 'cluster-admin', 'edit', 'view'], allowsClusterAdminBinding: true });
    await flotilla('cluster', 'detach', name);
  });

  test('attach --help lists the identity flags', async () => {
    const help = await flotilla('cluster', 'attach', '--help');
    for (const flag of ['--bindable-role <role>', '--allow-bind-cluster-admin', '--use-system-trust-roots']) assert.ok(help.out.includes(flag), `${flag} in:\n${help.out}`);
    assert.match(help.out, /no escalate, no impersonate and no access to Secrets/);
  });

  test('an unknown group fails before the cluster is touched', async () => {
    const name = sim.clusterNames()[1];
    const r = await flotilla('cluster', 'attach', name, '--kubeconfig', kubeconfig(name), '--group', 'no-such-group');
    assert.equal(r.code, 1);
    assert.match(r.err, /^error: unknown cluster group "no-such-group" \(groups: .*edge/);
    assert.ok(!r.err.includes('created'));
  });

  test('whoami and login speak to the real API', async () => {
    const who = await flotilla('whoami');
    assert.equal(who.code, 0, who.err);
    assert.match(who.out, /^role: ADMIN\norganization: /);

    const c = captureIo();
    const path = join(dir, 'login', 'config.json');
    assert.equal(await run(['login', '--api', api.url, '--token', api.adminToken], { io: c.io, env: { FLOTILLA_CONFIG: path } }), 0, c.err);
    const bad = captureIo();
    assert.equal(await run(['login', '--api', api.url, '--token', 'flt_not_a_real_token'], { io: bad.io, env: { FLOTILLA_CONFIG: join(dir, 'bad.json') } }), 3);
    assert.match(bad.err, /not logged in or token expired\/revoked: run flotilla login/);
  });
});
