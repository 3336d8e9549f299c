import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { INestApplicationContext } from '@nestjs/common';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiHarness, startApiHarness } from '../../../api/src/testing/api-test-harness';
import { startWorkerHarness } from '../../../worker/src/testing/worker-test-harness';
import { KubeSim, startKubeSim } from '../../../kube-sim/src';
import { eventually } from '@flotilla/testing';
import { run } from '../main';
import { captureIo } from '../testing/fake-graphql-api';

// What an operator's pipeline does: attach a simulated fleet with the CLI, apply a policy, run a
// scan, an inspection and an upgrade with --wait, and act on the exit codes. Real API, worker,
// PostgreSQL, Redis and kube-sim.
const skip = !process.env.DATABASE_URL && 'needs the per-run DATABASE_URL of npm test';

interface Row {
  name: string;
  status: string;
}

describe('flotilla scan, inspect and upgrade against the real API, worker and kube-sim', { skip }, () => {
  let sim: KubeSim;
  let api: ApiHarness;
  let worker: INestApplicationContext;
  let env: Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-cli-jobs-'));

  before(async () => {
    sim = await startKubeSim({ clusters: 3, port: 0, tls: true, rolloutStepMs: 100 });
    api = await startApiHarness({ FLOTILLA_SYNC_INTERVAL_SECONDS: '2' });
    worker = await startWorkerHarness(api.config);
    const org = await api.newOrganization();
    env = { FLOTILLA_API_URL: api.url, FLOTILLA_TOKEN: org.token, FLOTILLA_CONFIG: join(dir, 'absent.json') };
    for (const name of sim.clusterNames()) {
      const file = join(dir, `${name}.yaml`);
      writeFileSync(file, sim.kubeconfig(name), { mode: 0o600 });
      const r = await flotilla('cluster', 'attach', name, '--kubeconfig', file);
      assert.equal(r.code, 0, r.err);
    }
    await eventually(
      async () => JSON.parse((await flotilla('cluster', 'list', '-o', 'json')).out) as Row[],
      (rows) => rows.length === 3 && rows.every((r) => r.status === 'CONNECTED' || r.status === 'DEGRADED'),
      { timeoutMs: 60_000, intervalMs: 250, what: 'the attached clusters to sync' },
    );
  });
  after(async () => {
    await worker?.close();
    await api?.close();
    await sim?.stop();
  });

  async function flotilla(...args: string[]) {
    const c = captureIo();
    const code = await run(args, { io: c.io, env });
    return { code, out: c.out, err: c.err };
  }

  test('scan run --wait shows the failing clusters and exits 1 when the fleet does not comply', async () => {
    const file = join(dir, 'policies.yaml');
    writeFileSync(file, 'name: owners\ntype: LABELS\nspec: { kinds: [Namespace], required: [flotilla.test/owner-nobody-sets] }\n');
    const applied = await flotilla('policy', 'apply', '-f', file);
    assert.equal(applied.code, 0, applied.err);

    const r = await flotilla('scan', 'run', '--wait', '--timeout', '120');
    assert.equal(r.code, 1, `${r.out}\n${r.err}`);
    assert.match(r.out, /^CLUSTER\s+COMPLIANCE\s+VIOLATIONS\s+CHECKED\s+REASON\n/);
    for (const name of sim.clusterNames()) assert.match(r.out, new RegExp(`^${name}\\s+NON_COMPLIANT\\s+[1-9]`, 'm'));
    assert.match(r.out, /scan\/\S+ SUCCEEDED: 0 compliant, 3 non-compliant, 0 errored, \d+ violations\ntrend: 0 compliant clusters now\b.*\n$/);
    assert.match(r.err, /error: 3 non-compliant and 0 errored of 3 clusters\n$/);

    const json = await flotilla('scan', 'run', '--wait', '-o', 'json');
    assert.equal(json.code, 1);
    assert.equal((JSON.parse(json.out) as { scan: { status: string } }).scan.status, 'SUCCEEDED');
  });

  test('inspect run --wait prints every check and its exit code says whether one failed', async () => {
    const name = sim.clusterNames()[2];
    const r = await flotilla('inspect', 'run', name, '--kind', 'rbac-risk', '--wait', '--timeout', '120');
    const summary = /RBAC_RISK of \S+ SUCCEEDED: (\d+) passed, (\d+) failed, (\d+) warnings\n$/.exec(r.out);
    assert.ok(summary, `${r.out}\n${r.err}`);
    assert.match(r.out, /^CHECK\s+SEVERITY\s+OUTCOME\s+TITLE\s+MESSAGE\n/);
    assert.equal(r.code, Number(summary[2]) > 0 ? 1 : 0, r.err);
  });

  test('upgrade start --wait follows a Cluster API upgrade to the end; a cluster it cannot upgrade is refused', async () => {
    const rows = JSON.parse((await flotilla('cluster', 'list', '-o', 'json')).out) as Array<Row & { id: string; kubernetesVersion: string }>;
    let target: { name: string; version: string } | undefined;
    for (const row of rows) {
      const u = await api.gql(`query($id: ID!) { cluster(id: $id) { availableUpgrades } }`, { id: row.id }, env.FLOTILLA_TOKEN);
      const versions = (u.data?.cluster?.availableUpgrades ?? []) as string[];
      if (versions.length && !target) target = { name: row.name, version: versions[0] };
    }
    assert.ok(target, 'the simulated fleet has an upgradeable cluster');
    const r = await flotilla('upgrade', 'start', target.name, '--to', target.version, '--wait', '--timeout', '240');
    assert.equal(r.code, 0, `${r.out}\n${r.err}`);
    assert.match(r.err, /upgrade RUNNING/);
    assert.match(r.out, new RegExp(`cluster ${target.name} upgraded to ${target.version.replace(/[.+]/g, '\\$&')}\\n$`));

    const unmanaged = rows.find((row) => row.name !== target?.name && !row.name.startsWith('supervisor'));
    assert.ok(unmanaged);
    const refused = await flotilla('upgrade', 'start', unmanaged.name, '--to', 'v1.99.0');
    assert.equal(refused.code, 1);
    assert.match(refused.err, /^error: cluster \S+ is not managed by Cluster API, so it is not upgradeable from Flotilla.*\n {2}Offered: nothing the cluster can move to from v\S+\.\n$/);
  });
});
