import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { isolatedEnv } from '@flotilla/testing/isolated-database';
import { ApiHarness, startApiHarness } from '../../../api/src/testing/api-test-harness';
import { KubeSim, startKubeSim } from '../../../kube-sim/src';
import { fallbackGenerateCluster } from '../../../kube-sim/src/fleet/fallback-content';
import { rawRequest } from '../../../kube-sim/src/testing/kube-sim.test-helper';
import { startWorkerHarness } from '../../../worker/src/testing/worker-test-harness';
import { run } from '../main';
import { captureIo } from '../testing/fake-graphql-api';

const skip = !process.env.DATABASE_URL && 'needs the per-run DATABASE_URL of npm test';

describe('flotilla scan run against the real API, worker and kube-sim', { skip }, () => {
  let sim: KubeSim;
  let api: ApiHarness;
  let worker: INestApplicationContext;
  let env: Record<string, string>;
  const isolated = isolatedEnv('compliance_cli');
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-cli-scan-'));

  before(async () => {
    sim = await startKubeSim({ clusters: ['cli-ok', 'cli-bad', 'cli-down'].map((name) => ({ name, flavor: 'generic' as const })), generateCluster: fallbackGenerateCluster });
    api = await startApiHarness({ ...isolated.env, FLOTILLA_KUBE_TIMEOUT_MS: '1500', FLOTILLA_SYNC_INTERVAL_SECONDS: '3600' });
    worker = await startWorkerHarness(api.config);
    const org = await api.newOrganization();
    env = { FLOTILLA_API_URL: api.url, FLOTILLA_TOKEN: org.token, FLOTILLA_CONFIG: join(dir, 'absent.json') };
    const gql = async (q: string, v: Record<string, unknown>) => {
      const r = await api.gql(q, v, org.token);
      assert.equal(r.errors, undefined, JSON.stringify(r.errors));
      return r.data;
    };
    for (const [cluster, group, spec] of [
      // Nothing to check outside the exempt system namespaces once default is excluded: compliant.
      ['cli-ok', 'good', { defaultDeny: 'ingress', excludeNamespaces: ['default'] }],
      ['cli-bad', 'bad', { defaultDeny: 'ingress' }],
      ['cli-down', 'down', { defaultDeny: 'ingress' }],
    ] as const) {
      const g = (await gql(`mutation($input: CreateClusterGroupInput!) { createClusterGroup(input: $input) { id } }`, { input: { name: group } })).createClusterGroup.id;
      await gql(`mutation($input: AttachClusterInput!) { attachCluster(input: $input) { id } }`, {
        input: { name: cluster, groupId: g, apiServerUrl: sim.clusterUrl(cluster), token: sim.adminToken(cluster), caData: Buffer.from(sim.caPem ?? '').toString('base64') },
      });
      await gql(`mutation($input: CreatePolicyInput!) { createPolicy(input: $input) { id } }`, {
        input: { name: `net-${group}`, type: 'NETWORK', mode: 'AUDIT', spec, scope: { kind: 'GROUP', groupId: g } },
      });
    }
    const down = await rawRequest(sim, '/_sim/clusters/cli-down/faults', { method: 'PUT', body: { down: true } });
    assert.equal(down.status, 200, down.text);
  });
  after(async () => {
    await worker?.close();
    await api?.close();
    await sim?.stop();
    await isolated.drop();
  });

  async function flotilla(...args: string[]) {
    const c = captureIo();
    const code = await run(args, { io: c.io, env });
    return { code, out: c.out, err: c.err };
  }

  test('--wait over a compliant group exits 0 and prints the summary', async () => {
    const r = await flotilla('scan', 'run', '--group', 'good', '--wait');
    assert.equal(r.code, 0, r.err + r.out);
    assert.match(r.out, /SUCCEEDED: 1 compliant, 0 non-compliant, 0 errored, 0 violations/);
    assert.match(r.err, /started over 1 clusters/);
  });

  test('--wait exits 1 when a cluster is non-compliant, listing it; -o json for machines', async () => {
    const table = await flotilla('scan', 'run', '--group', 'bad', '--wait');
    assert.equal(table.code, 1, table.out);
    assert.match(table.out, /cli-bad\s+NON_COMPLIANT\s+1/);
    assert.match(table.err, /1 non-compliant and 0 errored of 1 clusters/);

    const json = await flotilla('scan', 'run', '--group', 'bad', '--wait', '-o', 'json');
    assert.equal(json.code, 1);
    const parsed = JSON.parse(json.out);
    assert.equal(parsed.scan.status, 'SUCCEEDED');
    assert.deepEqual(parsed.scan.summary, { compliant: 0, nonCompliant: 1, errored: 0, violations: 1 });
    assert.deepEqual(parsed.failingClusters.map((c: { name: string }) => c.name), ['cli-bad']);
  });

  test('--wait exits 1 when a cluster is unreachable (ERROR), and the scan still ends', async () => {
    const r = await flotilla('scan', 'run', '--group', 'down', '--wait');
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /cli-down\s+ERROR/);
    assert.match(r.out, /0 compliant, 0 non-compliant, 1 errored/);
  });

  test('the whole fleet: exits 1 with every failing cluster; without --wait it returns at once, QUEUED', async () => {
    const all = await flotilla('scan', 'run', '--wait');
    assert.equal(all.code, 1);
    assert.match(all.out, /1 compliant, 1 non-compliant, 1 errored/);
    assert.doesNotMatch(all.out, /cli-ok/);

    const queued = await flotilla('scan', 'run', '-o', 'json');
    assert.equal(queued.code, 0, queued.err);
    const scan = JSON.parse(queued.out);
    assert.equal(scan.clusterCount, 3);
    assert.ok(['QUEUED', 'RUNNING', 'SUCCEEDED'].includes(scan.status));
  });
});
