import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { parse as parseYaml } from 'yaml';
import { eventually } from '@flotilla/testing';
import { ApiHarness, startApiHarness } from '../../../api/src/testing/api-test-harness';
import { ClusterSpec, KubeSim, startKubeSim } from '../../../kube-sim/src';
import { startWorkerHarness } from '../../../worker/src/testing/worker-test-harness';
import { run } from '../main';
import { captureIo } from '../testing/fake-graphql-api';

// A platform engineer's walkthrough with the real API, worker, PostgreSQL, Redis and kube-sim:
// the README's attach example, filtered lists, why a cluster is not fine, lookups of scans,
// inspections and upgrades in table, json and yaml, tokens, the schedule, groups, exit codes.
const skip = !process.env.DATABASE_URL && 'needs the per-run DATABASE_URL of npm test';

const SPECS: ClusterSpec[] = [
  { name: 'supervisor-01', flavor: 'management' },
  { name: 'tkg-prod-01', flavor: 'vsphere', version: 'v1.30.4+vmware.1', nodes: 2, managedBy: 'supervisor-01' },
  { name: 'eks-payments-01', flavor: 'eks', nodes: 2 },
  { name: 'gke-edge-01', flavor: 'gke', nodes: 2 },
];

interface Row {
  id: string;
  name: string;
  status: string;
  statusReason: string | null;
}

describe('the operator CLI against the real API, worker and kube-sim', { skip }, () => {
  let sim: KubeSim;
  let api: ApiHarness;
  let worker: INestApplicationContext;
  let env: Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-cli-walk-'));

  async function flotilla(...args: string[]) {
    return flotillaAs(env, ...args);
  }
  async function flotillaAs(as: Record<string, string>, ...args: string[]) {
    const c = captureIo();
    const code = await run(args, { io: c.io, env: as });
    assert.ok(!(c.out + c.err).includes(api.adminToken), 'the CLI never prints its token');
    return { code, out: c.out, err: c.err };
  }
  const json = async <T = any>(...args: string[]): Promise<T> => {
    const r = await flotilla(...args, '-o', 'json');
    assert.equal(r.code, 0, r.err);
    return JSON.parse(r.out) as T;
  };
  const kubeconfig = (name: string) => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(file, sim.kubeconfig(name), { mode: 0o600 });
    return file;
  };

  before(async () => {
    sim = await startKubeSim({ clusters: SPECS, port: 0, tls: true, seed: 5, rolloutStepMs: 5_000 });
    api = await startApiHarness({ FLOTILLA_SYNC_INTERVAL_SECONDS: '1', FLOTILLA_UNREACHABLE_AFTER_FAILURES: '1', FLOTILLA_KUBE_TIMEOUT_MS: '2000' });
    worker = await startWorkerHarness(api.config);
    env = { FLOTILLA_API_URL: api.url, FLOTILLA_TOKEN: api.adminToken, FLOTILLA_CONFIG: join(dir, 'absent.json') };
  });
  after(async () => {
    await worker?.close();
    await api?.close();
    await sim?.stop();
  });

  test("the README's attach example works as written: group create, then attach with --group and --label", async () => {
    const missing = await flotilla('cluster', 'attach', 'eks-payments-01', '--kubeconfig', kubeconfig('eks-payments-01'), '--group', 'payments');
    assert.equal(missing.code, 1);
    assert.match(missing.err, /unknown cluster group "payments" \(groups: none yet\); create it with: flotilla group create payments\n$/);

    const created = await flotilla('group', 'create', 'payments');
    assert.equal(created.code, 0, created.err);
    assert.match(created.out, /^group\/payments created \([0-9a-f-]{36}\)\n$/);
    const attached = await flotilla('cluster', 'attach', 'eks-payments-01', '--kubeconfig', kubeconfig('eks-payments-01'), '--group', 'payments', '--label', 'env=prod');
    assert.equal(attached.code, 0, attached.err);
    for (const name of ['supervisor-01', 'tkg-prod-01', 'gke-edge-01']) {
      const r = await flotilla('cluster', 'attach', name, '--kubeconfig', kubeconfig(name));
      assert.equal(r.code, 0, r.err);
    }
    await eventually(
      () => json<Row[]>('cluster', 'list'),
      (rows) => rows.length === 4 && rows.every((r) => r.status === 'CONNECTED' || r.status === 'DEGRADED'),
      { timeoutMs: 30_000, intervalMs: 250, what: 'the fleet to sync' },
    );
    const groups = await json<Array<{ name: string; clusterCount: number }>>('group', 'list');
    assert.deepEqual(groups.map((g) => [g.name, g.clusterCount]), [['payments', 1]]);
  });

  test('cluster list filters in the API; json and yaml print the same document', async () => {
    const names = async (...filters: string[]) => (await json<Row[]>('cluster', 'list', ...filters)).map((r) => r.name);
    assert.deepEqual(await names('--group', 'payments'), ['eks-payments-01']);
    assert.deepEqual(await names('--provider', 'vsphere'), ['supervisor-01', 'tkg-prod-01']);
    assert.deepEqual(await names('--provider', 'eks,gke'), ['eks-payments-01', 'gke-edge-01']);
    assert.deepEqual(await names('--label', 'env=prod'), ['eks-payments-01']);
    assert.deepEqual(await names('--search', 'tkg'), ['tkg-prod-01']);
    assert.deepEqual(await names('--compliance', 'unknown', '--status', 'connected,degraded'), ['eks-payments-01', 'gke-edge-01', 'supervisor-01', 'tkg-prod-01']);
    assert.deepEqual(await names('--status', 'unreachable'), []);
    const yaml = await flotilla('cluster', 'list', '--group', 'payments', '-o', 'yaml');
    assert.deepEqual(parseYaml(yaml.out), await json('cluster', 'list', '--group', 'payments'));
    const table = await flotilla('cluster', 'list', '--group', 'payments');
    assert.match(table.out, /^NAME\s+STATUS\s+PROVIDER\s+VERSION\s+NODES\s+REGION\s+GROUP\s+COMPLIANCE\s+LAST SEEN\s+REASON\neks-payments-01\s+CONNECTED\s+EKS\s+\S+\s+2\/2\s+\S+\s+payments\s+UNKNOWN\s+/);
  });

  test('a cluster that goes down: list by status, get shows why; an inspection of it prints its failure reason', async () => {
    await simFaults('gke-edge-01', { down: true });
    const [down] = await eventually(
      () => json<Row[]>('cluster', 'list', '--status', 'UNREACHABLE'),
      (rows) => rows.length === 1 && !!rows[0].statusReason,
      { timeoutMs: 30_000, intervalMs: 250, what: 'gke-edge-01 to be UNREACHABLE' },
    );
    assert.equal(down.name, 'gke-edge-01');
    const got = await flotilla('cluster', 'get', 'gke-edge-01');
    assert.equal(got.code, 0, got.err);
    assert.match(got.out, /^Status: +UNREACHABLE$/m);
    assert.ok(got.out.includes(`Reason:      ${down.statusReason as string}`), got.out);
    const asYaml = parseYaml((await flotilla('cluster', 'get', 'gke-edge-01', '-o', 'yaml')).out) as { statusReason: string; availableUpgrades: string[]; compliance: { status: string } };
    assert.equal(asYaml.statusReason, down.statusReason);
    assert.deepEqual(asYaml.availableUpgrades, []);

    const inspected = await flotilla('inspect', 'run', 'gke-edge-01', '--kind', 'CONFORMANCE_LITE', '--wait', '--timeout', '120');
    assert.equal(inspected.code, 1);
    const reason = /reason: (.+)\n$/.exec(inspected.out)?.[1];
    assert.ok(reason, `the failure reason is printed: ${inspected.out}`);
    assert.match(inspected.err, new RegExp(`error: inspection ([0-9a-f-]{36}) ended FAILED: ${escape(reason)}\\n$`));
    const id = /inspection ([0-9a-f-]{36}) ended FAILED/.exec(inspected.err)?.[1] as string;
    const lookedUp = await flotilla('inspect', 'get', id);
    assert.equal(lookedUp.code, 0, lookedUp.err);
    assert.ok(lookedUp.out.includes(`reason: ${reason}`));
    assert.equal((await json<{ error: string }>('inspect', 'get', id)).error, reason);
    await simFaults('gke-edge-01', {});
  });

  test('policy list, get (round-trips through apply) and delete', async () => {
    const file = join(dir, 'labels.yaml');
    writeFileSync(file, 'name: owner-label\ntype: LABELS\nmode: AUDIT\nscope: { kind: GROUP, group: payments }\nspec: { kinds: [Namespace], required: [owner] }\n');
    assert.equal((await flotilla('policy', 'apply', '-f', file)).out, 'policy/owner-label created\n');
    const list = await flotilla('policy', 'list');
    assert.match(list.out, /^NAME\s+TYPE\s+MODE\s+SCOPE\s+ID\nowner-label\s+LABELS\s+AUDIT\s+group payments\s+[0-9a-f-]{36}\n$/);
    const got = await flotilla('policy', 'get', 'owner-label', '-o', 'yaml');
    assert.deepEqual(parseYaml(got.out), { name: 'owner-label', type: 'LABELS', mode: 'AUDIT', scope: { kind: 'GROUP', group: 'payments' }, spec: { kinds: ['Namespace'], required: ['owner'] } });
    const back = join(dir, 'back.yaml');
    writeFileSync(back, got.out);
    assert.equal((await flotilla('policy', 'apply', '-f', back)).out, 'policy/owner-label unchanged\n');

    const held = await flotilla('group', 'delete', 'payments');
    assert.equal(held.code, 1);
    assert.match(held.err, /clusters eks-payments-01 are in it.*policies owner-label are scoped to it/);

    assert.equal((await flotilla('policy', 'delete', 'owner-label')).out, 'policy/owner-label deleted\n');
    assert.deepEqual(await json('policy', 'list'), []);
    const gone = await flotilla('policy', 'get', 'owner-label');
    assert.equal(gone.code, 1);
    assert.match(gone.err, /no policy named "owner-label"/);
  });

  test('scan run, then scan list and scan get look it up', async () => {
    const file = join(dir, 'network.yaml');
    writeFileSync(file, 'name: default-deny\ntype: NETWORK\nmode: AUDIT\nspec: { defaultDeny: ingress }\n');
    assert.equal((await flotilla('policy', 'apply', '-f', file)).code, 0);
    const scanned = await flotilla('scan', 'run', '--wait', '--timeout', '120');
    assert.equal(scanned.code, 1, 'the simulated fleet has namespaces without a default-deny policy');
    const id = /scan\/([0-9a-f-]{36}) SUCCEEDED/.exec(scanned.out)?.[1] as string;
    assert.ok(id, scanned.out);
    const scans = await json<Array<{ id: string; status: string }>>('scan', 'list');
    assert.equal(scans[0].id, id);
    const got = await flotilla('scan', 'get', id);
    assert.match(got.out, /^Status: +SUCCEEDED$/m);
    assert.match(got.out, /^Result: +\d+ compliant, [1-9]\d* non-compliant, \d+ errored, [1-9]\d* violations$/m);
    assert.equal((parseYaml((await flotilla('scan', 'get', id, '-o', 'yaml')).out) as { id: string }).id, id);
    const nonCompliant = await json<Array<{ name: string; compliance: { status: string; violationCount: number } }>>('cluster', 'list', '--compliance', 'NON_COMPLIANT');
    assert.ok(nonCompliant.length > 0 && nonCompliant.every((c) => c.compliance.status === 'NON_COMPLIANT' && c.compliance.violationCount > 0));
    const detail = await flotilla('cluster', 'get', nonCompliant[0].name);
    assert.match(detail.out, /^Compliance: +NON_COMPLIANT \(\d+\), checked /m);
    assert.match(detail.out, /^default-deny\s+NETWORK\s+AUDIT\s+NON_COMPLIANT\s+\d+\s+Namespace /m);
    await flotilla('policy', 'delete', 'default-deny');
  });

  test('upgrades: list-available, a certain refusal without --wait starts nothing, start then cancel', async () => {
    const available = await json<{ kubernetesVersion: string; availableUpgrades: string[] }>('upgrade', 'list-available', 'tkg-prod-01');
    assert.equal(available.kubernetesVersion, 'v1.30.4+vmware.1');
    assert.ok(available.availableUpgrades.length > 0);
    const table = await flotilla('upgrade', 'list-available', 'tkg-prod-01');
    assert.match(table.out, new RegExp(`^VERSION\\n${escape(available.availableUpgrades[0])}\\n`));

    for (const to of ['v1.32.0+vmware.1', 'v1.30.5+vmware.9']) {
      const refused = await flotilla('upgrade', 'start', 'tkg-prod-01', '--to', to);
      assert.equal(refused.code, 1, to);
      assert.match(refused.err, new RegExp(`^error: upgrade of tkg-prod-01 to ${escape(to)} refused before starting \\(nothing was started\\):\\n {2}- .+\\n {2}Offered from v1\\.30\\.4\\+vmware\\.1: ${escape(available.availableUpgrades.join(', '))}\\.\\n$`));
    }
    assert.deepEqual(await json('upgrade', 'list', 'tkg-prod-01'), [], 'nothing was started');

    const started = await flotilla('upgrade', 'start', 'tkg-prod-01', '--to', available.availableUpgrades.at(-1) as string);
    assert.equal(started.code, 0, started.err);
    const id = /^upgrade\/([0-9a-f-]{36}) queued/.exec(started.out)?.[1] as string;
    assert.ok(id, started.out);
    const cancelled = await flotilla('upgrade', 'cancel', 'tkg-prod-01');
    assert.equal(cancelled.code, 0, cancelled.err);
    assert.match(cancelled.out, new RegExp(`^upgrade/${id} cancelled: Cancelled by `));
    const got = await json<{ status: string; error: string }>('upgrade', 'get', id);
    assert.equal(got.status, 'CANCELLED');
    const again = await flotilla('upgrade', 'cancel', 'tkg-prod-01');
    assert.equal(again.code, 1);
    assert.match(again.err, /has no upgrade in progress: nothing to cancel/);
  });

  test('tokens: create prints only the token, list shows it, a VIEWER cannot write, revoke makes it exit 3', async () => {
    const created = await flotilla('token', 'create', '--name', 'ci-read', '--role', 'VIEWER', '--expires-in-days', '7');
    assert.equal(created.code, 0, created.err);
    const token = created.out.trim();
    assert.match(token, /^flt_\S+$/);
    assert.match(created.err, /Issued VIEWER token ci-read/);
    const listed = await json<Array<{ name: string; role: string }>>('token', 'list');
    assert.ok(listed.some((t) => t.name === 'ci-read' && t.role === 'VIEWER'));
    assert.ok(!JSON.stringify(listed).includes(token));

    const viewer = { ...env, FLOTILLA_TOKEN: token };
    assert.equal((await flotillaAs(viewer, 'cluster', 'list')).code, 0);
    const forbidden = await flotillaAs(viewer, 'group', 'create', 'nope');
    assert.equal(forbidden.code, 1);

    assert.match((await flotilla('token', 'revoke', 'ci-read')).out, /^token\/ci-read revoked/);
    const revoked = await flotillaAs(viewer, 'cluster', 'list');
    assert.equal(revoked.code, 3);
    assert.match(revoked.err, /not logged in or token expired\/revoked/);
    const unreachable = await flotillaAs({ ...env, FLOTILLA_API_URL: 'http://127.0.0.1:1' }, 'cluster', 'list');
    assert.equal(unreachable.code, 3);
    assert.match(unreachable.err, /^error: cannot reach the Flotilla API at http:\/\/127\.0\.0\.1:1\/graphql/);
  });

  test('schedule set and get; a bad cron is refused naming the field', async () => {
    assert.equal((await flotilla('schedule', 'get')).out, 'No scan schedule: set one with flotilla schedule set --cron "0 3 * * *"\n');
    const set = await flotilla('schedule', 'set', '--cron', '0 3 * * *', '--timezone', 'Europe/Berlin');
    assert.equal(set.code, 0, set.err);
    const got = await json<{ cron: string; timezone: string; enabled: boolean; nextRunAt: string }>('schedule', 'get');
    assert.deepEqual([got.cron, got.timezone, got.enabled], ['0 3 * * *', 'Europe/Berlin', true]);
    assert.ok(Date.parse(got.nextRunAt) > Date.now());
    const bad = await flotilla('schedule', 'set', '--cron', 'every day');
    assert.equal(bad.code, 1);
    assert.match(bad.err, /cron/);
  });

  test('an empty group is deleted; completion prints a script for bash and zsh', async () => {
    assert.equal((await flotilla('group', 'create', 'scratch')).code, 0);
    assert.equal((await flotilla('group', 'delete', 'scratch')).out, 'group/scratch deleted\n');
    assert.ok(!(await json<Array<{ name: string }>>('group', 'list')).some((g) => g.name === 'scratch'));
    assert.match((await flotilla('completion', 'bash')).out, /complete -o default -F _flotilla_complete flotilla/);
    assert.match((await flotilla('completion', 'zsh')).out, /^#compdef flotilla/);
    assert.equal((await flotilla('completion', 'fish')).code, 2);
  });

  async function simFaults(name: string, faults: Record<string, unknown>): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const req = request(`${sim.url}/_sim/clusters/${name}/faults`, { method: 'PUT', ca: sim.caPem, headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`faults: ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(JSON.stringify(faults));
    });
  }
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
