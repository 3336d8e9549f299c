import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { eventually } from '@flotilla/testing';
import { isolatedEnv } from '@flotilla/testing/isolated-database';
import { ApiHarness, startApiHarness } from '../../../api/src/testing/api-test-harness';
import { ClusterSpec, KubeSim, startKubeSim } from '../../../kube-sim/src';
import { rawRequest } from '../../../kube-sim/src/testing/kube-sim.test-helper';
import { generateCluster } from '../../../kube-sim/src/content';
import { run as flotilla } from '../../../cli/src/main';
import { AgentExit, AgentRunner } from '../../../agent/src/agent-runner';
import { kubeconfigTarget } from '../../../agent/src/agent-kube';
import { startWorkerHarness } from '../testing/worker-test-harness';

// An upgrade through agents only: the vSphere Supervisor (management cluster) and its workload
// cluster are both attached with --agent; the worker links them, reads the releases and patches the
// Supervisor's Cluster object through the Supervisor's agent — and dials neither API server.

const SPECS: ClusterSpec[] = [
  { name: 'supervisor-01', flavor: 'management' },
  { name: 'tkg-prod-01', flavor: 'vsphere', version: 'v1.30.4+vmware.1', nodes: 2, managedBy: 'supervisor-01' },
];
let sim: KubeSim;
let api: ApiHarness;
let worker: INestApplicationContext;
const isolated = isolatedEnv('agents_upgrade');
const dir = mkdtempSync(join(tmpdir(), 'flotilla-agent-upgrade-'));
const runners: Array<{ runner: AgentRunner; done: Promise<AgentExit> }> = [];

before(async () => {
  sim = await startKubeSim({ clusters: SPECS, port: 0, tls: true, seed: 3, rolloutStepMs: 200, generateCluster });
  api = await startApiHarness({ ...isolated.env, FLOTILLA_SYNC_INTERVAL_SECONDS: '2', FLOTILLA_UPGRADE_POLL_MS: '150', FLOTILLA_KUBE_TIMEOUT_MS: '5000', FLOTILLA_QUEUE_CONCURRENCY: '4' });
  worker = await startWorkerHarness(api.config);
});
after(async () => {
  for (const r of runners) r.runner.stop();
  await Promise.all(runners.map((r) => r.done));
  await worker?.close();
  await api?.close();
  await sim?.stop();
  await isolated.drop();
});

test('a workload cluster and its Supervisor, both through agents: linked, upgraded to SUCCEEDED, neither API server dialled by the worker', { timeout: 300_000 }, async () => {
  for (const s of SPECS) {
    const file = join(dir, `${s.name}.yaml`);
    const agentFile = join(dir, `${s.name}.agent.yaml`);
    writeFileSync(file, sim.kubeconfig(s.name), { mode: 0o600 });
    let err = '';
    const code = await flotilla(['cluster', 'attach', s.name, '--kubeconfig', file, '--agent', '--no-wait', '--agent-kubeconfig-out', agentFile], {
      io: { out: () => undefined, err: (x) => void (err += x) },
      env: { ...process.env, FLOTILLA_API_URL: api.url, FLOTILLA_TOKEN: api.adminToken, FLOTILLA_CONFIG: join(dir, 'none.json') },
    });
    assert.equal(code, 0, err);
    const runner = new AgentRunner({ target: kubeconfigTarget(agentFile) });
    runners.push({ runner, done: runner.run() });
  }
  const fleet = await eventually(
    () => api.gql(`{ clusters { edges { node { id name status availableUpgrades kubernetesVersion connection { mode } } } } }`),
    (r) => r.data?.clusters.edges.length === 2 && r.data.clusters.edges.every((e: any) => ['CONNECTED', 'DEGRADED'].includes(e.node.status) && (e.node.name !== 'tkg-prod-01' || e.node.availableUpgrades.length > 0)),
    { timeoutMs: 120_000, what: 'both agent clusters CONNECTED and the workload linked to its Supervisor' },
  );
  const tkg = fleet.data.clusters.edges.map((e: any) => e.node).find((n: any) => n.name === 'tkg-prod-01');
  assert.equal(tkg.connection.mode, 'AGENT');
  assert.ok(tkg.availableUpgrades.includes('v1.30.8+vmware.1'), JSON.stringify(tkg.availableUpgrades));

  const started = await api.gql(`mutation StartUpgrade($input: StartUpgradeInput!) { startUpgrade(input: $input) { id status } }`, { input: { clusterId: tkg.id, targetVersion: 'v1.30.8+vmware.1' } });
  assert.equal(started.errors, undefined, JSON.stringify(started.errors));
  const done = await eventually(
    () => api.gql(`query($id: ID!) { cluster(id: $id) { upgrades(first: 1) { edges { node { status phase error } } } } }`, { id: tkg.id }),
    (r) => ['SUCCEEDED', 'FAILED', 'CANCELLED'].includes(r.data?.cluster?.upgrades.edges[0]?.node.status),
    { timeoutMs: 180_000, what: 'the upgrade through the agents to end' },
  );
  assert.equal(done.data.cluster.upgrades.edges[0].node.status, 'SUCCEEDED', JSON.stringify(done.data.cluster.upgrades.edges[0].node));

  for (const s of SPECS) {
    const clients = (await rawRequest(sim, `/_sim/clusters/${s.name}/clients`)).json as Record<string, number>;
    assert.equal(clients['flotilla-worker'], undefined, `${s.name}: ${JSON.stringify(clients)}`);
    assert.ok(clients['flotilla-agent'] > 0, `${s.name}: ${JSON.stringify(clients)}`);
  }
});
