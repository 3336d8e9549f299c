import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import IORedis from 'ioredis';
import { WebSocket } from 'ws';
import { AgentRunner } from '../../../agent/src/agent-runner';
import { kubeconfigTarget } from '../../../agent/src/agent-kube';
import { AgentTunnelRouter, tunnelChannels } from '@flotilla/cluster-access';
import { eventually, repoRoot } from '@flotilla/testing';
import { isolatedEnv } from '@flotilla/testing/isolated-database';
import { DATA_SOURCE } from '@flotilla/infrastructure';
import { ApiHarness, startApiHarness } from '../../../api/src/testing/api-test-harness';
import { AgentGateway } from '../../../api/src/agents/agent-gateway';
import { KubeSim, startKubeSim } from '../../../kube-sim/src';
import { fallbackGenerateCluster } from '../../../kube-sim/src/fleet/fallback-content';
import { adminRequest, rawRequest } from '../../../kube-sim/src/testing/kube-sim.test-helper';
import { run as flotilla } from '../../../cli/src/main';
import { startWorkerHarness } from '../testing/worker-test-harness';

// Issue 10 end to end, as a new user would: `flotilla cluster attach --agent`, `flotilla agent run`
// (kube-sim runs no pods), CONNECTED; an ENFORCE scan and an inspection through the agent; the
// worker never dials the cluster's API server (kube-sim counts requests by client) and the
// database holds no credential for it; the agent stopped → UNREACHABLE "agent disconnected at T",
// restarted → CONNECTED; two API replicas (the agent's tunnel on one, GraphQL on the other);
// revokeAgent ends the agent for good; a registration token is one-time.

const CLUSTER = 'private-dc1';
let sim: KubeSim;
let api1: ApiHarness;
let api2: ApiHarness;
let worker: INestApplicationContext;
let db: DataSource;
const dir = mkdtempSync(join(tmpdir(), 'flotilla-agent-e2e-'));
const isolated = isolatedEnv('agents_e2e');
const agents: ChildProcess[] = [];

before(async () => {
  sim = await startKubeSim({ clusters: [{ name: CLUSTER, flavor: 'generic' }], generateCluster: fallbackGenerateCluster, tls: true, port: 0 });
  const env = { ...isolated.env, FLOTILLA_SYNC_INTERVAL_SECONDS: '2', FLOTILLA_KUBE_TIMEOUT_MS: '5000' };
  api1 = await startApiHarness(env);
  api2 = await startApiHarness(env);
  worker = await startWorkerHarness(api1.config);
  db = worker.get(DATA_SOURCE);
});
after(async () => {
  for (const a of agents) if (a.exitCode === null) a.kill('SIGKILL');
  await worker?.close();
  await api2?.close();
  await api1?.close();
  await sim?.stop();
  await isolated.drop();
});

/** GraphQL on the second replica, with the first replica's organization token (one database). */
const gql2 = (q: string, v: Record<string, unknown> = {}) => api2.gql(q, v, api1.adminToken);

const CONNECTION = `query ClusterConnection($id: ID!) { cluster(id: $id) { id name status statusReason connection { mode agentVersion connectedAt lastHeartbeatAt credentialExpiresAt } } }`;

function startAgent(kubeconfig: string): { proc: ChildProcess; stderr: () => string; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, [join(repoRoot(), 'bin/flotilla.js'), 'agent', 'run', '--kubeconfig', kubeconfig], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  agents.push(proc);
  let err = '';
  proc.stderr!.on('data', (c) => (err += c));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, stderr: () => err, exited };
}

async function connection(id: string) {
  const r = await gql2(CONNECTION, { id });
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data.cluster;
}

test('a private cluster through its agent: attach --agent, agent run, scans with ENFORCE, an inspection, disconnect, reconnect, revoke', { timeout: 400_000 }, async () => {
  const kubeconfig = join(dir, 'admin.yaml');
  const agentKubeconfig = join(dir, 'agent.yaml');
  writeFileSync(kubeconfig, sim.kubeconfig(CLUSTER), { mode: 0o600 });
  const out: string[] = [];
  const err: string[] = [];
  const code = await flotilla(['cluster', 'attach', CLUSTER, '--kubeconfig', kubeconfig, '--agent', '--no-wait', '--agent-kubeconfig-out', agentKubeconfig], {
    io: { out: (s) => out.push(s), err: (s) => err.push(s) },
    env: { ...process.env, FLOTILLA_API_URL: api1.url, FLOTILLA_TOKEN: api1.adminToken, FLOTILLA_CONFIG: join(dir, 'none.json') },
  });
  assert.equal(code, 0, err.join(''));
  assert.match(out.join(''), new RegExp(`^cluster/${CLUSTER} registered \\(([0-9a-f-]+), connection AGENT, status PENDING\\); the agent connects to ws://127\\.0\\.0\\.1:\\d+/agent/v1/connect\\n$`));
  assert.match(err.join(''), /secret\/flotilla-agent-registration created/);
  assert.match(err.join(''), /deployment\/flotilla-agent created/);
  const id = /\(([0-9a-f-]+), connection AGENT/.exec(out.join(''))![1];

  // The cluster holds the registration for the agent; Flotilla holds no credential for the cluster.
  const secret = await adminRequest(sim, CLUSTER, '/api/v1/namespaces/flotilla-system/secrets/flotilla-agent-registration');
  assert.equal(secret.status, 200);
  const registrationToken = Buffer.from(secret.json.data.registrationToken, 'base64').toString('utf8');
  assert.match(registrationToken, /^flt_reg_/);
  const deployment = await adminRequest(sim, CLUSTER, '/apis/apps/v1/namespaces/flotilla-system/deployments/flotilla-agent');
  assert.equal(deployment.json.spec.template.spec.serviceAccountName, 'flotilla-agent');
  const pending = await connection(id);
  assert.deepEqual([pending.status, pending.connection.mode, pending.connection.connectedAt], ['PENDING', 'AGENT', null]);

  // The agent, outside the cluster, with the identity attach wrote; its tunnel is to replica 1 (the registration's endpoint).
  let agent = startAgent(agentKubeconfig);
  const up = await eventually(() => connection(id), (c) => c.status === 'CONNECTED', { timeoutMs: 90_000, what: 'the agent cluster to turn CONNECTED' });
  assert.equal(up.connection.mode, 'AGENT');
  assert.equal(up.connection.agentVersion, '0.1.0');
  assert.ok(up.connection.connectedAt && up.connection.lastHeartbeatAt);
  assert.equal(up.connection.credentialExpiresAt, null);
  assert.equal(api1.app.get(AgentGateway).connectedCount, 1);
  assert.equal(api2.app.get(AgentGateway).connectedCount, 0, 'the tunnel is on replica 1; all GraphQL here goes to replica 2');
  const after = await adminRequest(sim, CLUSTER, '/api/v1/namespaces/flotilla-system/secrets/flotilla-agent-registration');
  const stored = Object.fromEntries(Object.entries(after.json.data as Record<string, string>).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  assert.equal(stored.registrationToken, undefined, 'the one-time token is gone from the Secret once exchanged');
  assert.match(stored.credential, /^flt_agent_/);

  // An agent carries traffic only for its own cluster of its own organization: a request naming
  // another organization is refused by the replica holding the tunnel; a non-catalogue path is
  // refused before it leaves the worker (and by the replica, and by the agent).
  const redis = new IORedis(api1.config.redis.url);
  const router = new AgentTunnelRouter(redis, api1.config.queue.prefix);
  try {
    const other = await api1.newOrganization();
    await assert.rejects(router.send({ clusterId: id, organizationId: other.organizationId }, 'GET', '/version', undefined, undefined, 10_000), /not this agent's cluster/);
    await assert.rejects(router.send({ clusterId: id, organizationId: api1.organizationId }, 'GET', '/api/v1/secrets', undefined, undefined, 10_000), /not a path of Flotilla's resource catalogue/);
    const forged: Record<string, unknown> = { id: 'forged-1', replyTo: 'nowhere', organizationId: api1.organizationId, clusterId: id, method: 'GET', path: '/api/v1/namespaces/flotilla-system/secrets/flotilla-agent-registration' };
    const sub = redis.duplicate();
    await sub.subscribe('nowhere');
    const refusal = new Promise<string>((resolve) => sub.on('message', (_c: string, m: string) => resolve(m)));
    await redis.publish(tunnelChannels.request(api1.config.queue.prefix, id), JSON.stringify(forged));
    assert.match(await refusal, /not a path of the resource catalogue/);
    sub.disconnect();
    const ok = await router.send({ clusterId: id, organizationId: api1.organizationId }, 'GET', '/version', undefined, undefined, 10_000);
    assert.equal(ok.status, 200);
  } finally {
    await router.close();
    redis.disconnect();
  }

  // The registration token is one-time: a second exchange is refused.
  const endpoint = new URL(stored.endpoint);
  const again = await fetch(`http://${endpoint.host}/agent/v1/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ registrationToken }) });
  assert.equal(again.status, 401);
  assert.match(((await again.json()) as { error: string }).error, /already used or expired/);

  // No credential of any kind for the agent cluster in the database: no cluster_credentials row, and
  // neither the agent's credential nor the registration token anywhere in cluster_agents or clusters.
  const creds = await db.query(`SELECT count(*)::int AS n FROM cluster_credentials WHERE cluster_id = $1`, [id]);
  assert.equal(creds[0].n, 0);
  const dump: Array<{ row: string }> = await db.query(`SELECT row_to_json(a)::text AS row FROM cluster_agents a UNION ALL SELECT row_to_json(c)::text FROM clusters c WHERE c.id = $1`, [id]);
  for (const { row } of dump) {
    assert.ok(!row.includes(stored.credential) && !row.includes(registrationToken), 'no secret in clear');
  }

  // A compliance scan with ENFORCE through the agent (policy and scan on replica 2).
  const pol = await gql2(`mutation($input: CreatePolicyInput!) { createPolicy(input: $input) { id } }`, {
    input: { name: 'deny-ingress', type: 'NETWORK', mode: 'ENFORCE', spec: { defaultDeny: 'ingress' }, scope: { kind: 'ORGANIZATION' } },
  });
  assert.equal(pol.errors, undefined, JSON.stringify(pol.errors));
  // As the cluster's admin, with a client that is not Flotilla's (kube-sim counts clients by User-Agent).
  const created = await adminRequest(sim, CLUSTER, '/api/v1/namespaces', { method: 'POST', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } } });
  assert.equal(created.status, 201);
  const scan = await gql2(`mutation($input: RunComplianceScanInput!) { runComplianceScan(input: $input) { id } }`, { input: { clusterIds: [id] } });
  assert.equal(scan.errors, undefined, JSON.stringify(scan.errors));
  const done = await eventually(
    () => gql2(`query($id: ID!) { scan(id: $id) { status completedCount failedCount } }`, { id: scan.data.runComplianceScan.id }),
    (r) => r.data?.scan?.status === 'SUCCEEDED',
    { timeoutMs: 90_000, what: 'the scan through the agent to end' },
  );
  const outcome = await gql2(`query($id: ID!) { cluster(id: $id) { compliance { status reason } policyResults { status error enforcement } } }`, { id });
  assert.deepEqual([done.data.scan.completedCount, done.data.scan.failedCount], [1, 0], JSON.stringify(outcome.data));
  const policies = await adminRequest(sim, CLUSTER, '/apis/networking.k8s.io/v1/namespaces/team-a/networkpolicies');
  assert.ok(policies.json.items.length >= 1, 'ENFORCE created the default-deny NetworkPolicy through the agent');

  // An inspection through the agent.
  const insp = await gql2(`mutation($input: RunInspectionInput!) { runInspection(input: $input) { id } }`, { input: { clusterId: id, kind: 'RBAC_RISK' } });
  assert.equal(insp.errors, undefined, JSON.stringify(insp.errors));
  const inspected = await eventually(
    () => gql2(`query($id: ID!) { inspection(id: $id) { status error checks { id outcome } } }`, { id: insp.data.runInspection.id }),
    (r) => ['SUCCEEDED', 'FAILED'].includes(r.data?.inspection?.status),
    { timeoutMs: 90_000, what: 'the inspection through the agent to end' },
  );
  assert.equal(inspected.data.inspection.status, 'SUCCEEDED', JSON.stringify(inspected.data.inspection));
  assert.ok(inspected.data.inspection.checks.length > 0);

  // The worker never dialled the cluster: every request kube-sim saw came from the agent, the CLI (client-node) and this test.
  const clients = (await rawRequest(sim, `/_sim/clusters/${CLUSTER}/clients`)).json as Record<string, number>;
  assert.equal(clients['flotilla-worker'], undefined, JSON.stringify(clients));
  assert.ok(clients['flotilla-agent'] > 0, JSON.stringify(clients));

  // The agent stops (killed: no goodbye) → UNREACHABLE "agent disconnected at T", after the 30 s grace.
  agent.proc.kill('SIGKILL');
  await agent.exited;
  const down = await eventually(() => connection(id), (c) => c.status === 'UNREACHABLE', { timeoutMs: 120_000, what: 'the agent cluster to turn UNREACHABLE' });
  assert.match(down.statusReason, /^agent disconnected at \d{4}-\d\d-\d\dT/);
  assert.equal(down.connection.connectedAt, null);

  // Back: CONNECTED within one sync of the agent's return.
  agent = startAgent(agentKubeconfig);
  await eventually(() => connection(id), (c) => c.status === 'CONNECTED', { timeoutMs: 90_000, what: 'the agent cluster to turn CONNECTED again' });

  // Rotation over the live tunnel: the agent (here in-process, rotating every second) keeps the new
  // credential in its Secret; the old one never connects again.
  agent.proc.kill('SIGTERM');
  await agent.exited;
  const rotating = new AgentRunner({ target: kubeconfigTarget(agentKubeconfig), rotateEveryMs: 1000 });
  const rotatingDone = rotating.run();
  const readCredential = async () => Buffer.from((await adminRequest(sim, CLUSTER, '/api/v1/namespaces/flotilla-system/secrets/flotilla-agent-registration')).json.data.credential, 'base64').toString('utf8');
  const rotated = await eventually(readCredential, (c) => c !== stored.credential, { timeoutMs: 60_000, what: 'the agent to rotate its credential' });
  assert.match(rotated, /^flt_agent_/);
  rotating.stop();
  assert.deepEqual(await rotatingDone, { reason: 'stopped' });
  const oldRefused = await new Promise<number>((resolve) => {
    const ws = new WebSocket(stored.endpoint, { headers: { authorization: `Bearer ${stored.credential}` } });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('error', () => undefined);
  });
  assert.equal(oldRefused, 401, 'the credential before rotation is refused');
  agent = startAgent(agentKubeconfig);
  await eventually(async () => api1.app.get(AgentGateway).connectedCount, (n) => n === 1, { timeoutMs: 60_000, what: 'the agent to connect with its rotated credential' });

  // revokeAgent (on replica 2) ends the agent (its tunnel is on replica 1) at once; its credential never connects again.
  const revoked = await gql2(`mutation RevokeAgent($clusterId: ID!) { revokeAgent(clusterId: $clusterId) { id status connection { mode connectedAt } } }`, { clusterId: id });
  assert.equal(revoked.errors, undefined, JSON.stringify(revoked.errors));
  assert.deepEqual([revoked.data.revokeAgent.status, revoked.data.revokeAgent.connection.connectedAt], ['UNREACHABLE', null]);
  const exitCode = await agent.exited;
  assert.equal(exitCode, 1);
  assert.match(agent.stderr(), /revoked/);
  const retry = startAgent(agentKubeconfig);
  assert.equal(await retry.exited, 1);
  assert.match(retry.stderr(), /credential revoked .*never connect again/);
  const final = await connection(id);
  assert.match(final.statusReason, /^agent revoked at /);

  const audit: Array<{ action: string }> = await db.query(`SELECT action FROM audit_events WHERE target_id = $1 AND action LIKE '%Agent' ORDER BY at`, [id]);
  assert.deepEqual(audit.map((a) => a.action), ['cluster.registerAgent', 'cluster.revokeAgent']);
});

test('registerAgentCluster refuses a bad name naming the field; connectionModes filters within the organization only', async () => {
  const bad = await gql2(`mutation($input: RegisterAgentClusterInput!) { registerAgentCluster(input: $input) { registrationToken } }`, { input: { name: 'a..b' } });
  assert.equal(bad.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  assert.equal(bad.errors?.[0]?.extensions?.field, 'input.name');
  const viewer = await api2.newOrganization();
  const other = await api2.gql(`query { clusters(filter: { connectionModes: [AGENT] }) { totalCount } }`, {}, viewer.token);
  assert.equal(other.data.clusters.totalCount, 0, "another organization sees none of this one's agent clusters");
  // An agent cluster has no credential to rotate, and an expired registration token is refused.
  const reg = await gql2(`mutation RegisterAgentCluster($input: RegisterAgentClusterInput!) { registerAgentCluster(input: $input) { cluster { id name status connection { mode } } registrationToken registrationExpiresAt agentEndpoint } }`, { input: { name: 'private-dc2', labels: [{ key: 'site', value: 'dc2' }] } });
  assert.equal(reg.errors, undefined, JSON.stringify(reg.errors));
  const r = reg.data.registerAgentCluster;
  assert.deepEqual([r.cluster.status, r.cluster.connection.mode], ['PENDING', 'AGENT']);
  assert.ok(new Date(r.registrationExpiresAt).getTime() - Date.now() <= 3600_000);
  assert.match(r.agentEndpoint, /^ws:\/\/127\.0\.0\.1:\d+\/agent\/v1\/connect$/, 'the endpoint of the replica that served the mutation (no FLOTILLA_PUBLIC_URL)');
  const rotate = await gql2(`mutation($id: ID!, $input: UpdateClusterInput!) { updateCluster(id: $id, input: $input) { id } }`, { id: r.cluster.id, input: { token: 'a'.repeat(40), useSystemTrustRoots: true } });
  assert.equal(rotate.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  assert.equal(rotate.errors?.[0]?.extensions?.field, 'input.token');
  await db.query(`UPDATE cluster_agents SET registration_expires_at = now() - interval '1 second' WHERE cluster_id = $1`, [r.cluster.id]);
  const expired = await fetch(r.agentEndpoint.replace(/^ws:/, 'http:').replace(/connect$/, 'register'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ registrationToken: r.registrationToken }) });
  assert.equal(expired.status, 401);
  const detached = await gql2(`mutation($id: ID!) { detachCluster(id: $id) { id status } }`, { id: r.cluster.id });
  assert.equal(detached.data.detachCluster.status, 'DETACHED');

  const mine = await gql2(`query AgentClusters($first: Int, $after: String) { clusters(filter: { connectionModes: [AGENT] }, first: $first, after: $after) { totalCount edges { node { id name status connection { mode agentVersion lastHeartbeatAt } } } } }`, { first: 10 });
  assert.equal(mine.errors, undefined, JSON.stringify(mine.errors));
  assert.ok(mine.data.clusters.edges.every((e: any) => e.node.connection.mode === 'AGENT'));
});
