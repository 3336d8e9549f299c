import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { createServer, Server } from 'node:net';
import { INestApplicationContext } from '@nestjs/common';
import { KubeConfig } from '@kubernetes/client-node';
import { DataSource } from 'typeorm';
import { ClusterClient } from '@flotilla/cluster-access';
import { eventually } from '@flotilla/testing';
import { isolatedEnv } from '@flotilla/testing/isolated-database';
import { ApiHarness, startApiHarness } from '../../../api/src/testing/api-test-harness';
import { ensureAgentIdentity } from '../../../cli/src/kube-attach';
import { startKubeSim, KubeSim } from '../../../kube-sim/src';
import { fallbackGenerateCluster } from '../../../kube-sim/src/fleet/fallback-content';
import { rawRequest } from '../../../kube-sim/src/testing/kube-sim.test-helper';
import { DATA_SOURCE } from '@flotilla/infrastructure';
import { ClusterSyncService } from '../sync/cluster-sync.service';
import { startWorkerHarness } from '../testing/worker-test-harness';
import { PolicyCleanupReconciler } from './policy-cleanup.reconciler';
import { PolicyCleanupService } from './policy-cleanup.service';

/** The bindings attach creates for Flotilla's own identity; no policy owns them. */
const AGENT_BINDINGS = ['ClusterRoleBinding/flotilla-agent', 'RoleBinding/flotilla-system/flotilla-agent-token-renewal'];

// Through GraphQL, the outbox, BullMQ, the worker and kube-sim, with clusters attached as the real
// agent identity (its own token, its own ClusterRole): removing an ENFORCE policy removes exactly
// what it created, on every cluster, and the audit log says so; and a stored credential only ever
// goes to the URL it was stored with.

const CLUSTERS = ['clean-1', 'clean-2', 'bound-1', 'legacy-1', 'down-1', 'narrow-1'];
const MANAGED = 'app.kubernetes.io/managed-by=flotilla';

let sim: KubeSim;
let api: ApiHarness;
let worker: INestApplicationContext;
let db: DataSource;
const isolated = isolatedEnv('policy_cleanup');

before(async () => {
  sim = await startKubeSim({ clusters: CLUSTERS.map((name) => ({ name, flavor: 'generic' as const })), generateCluster: fallbackGenerateCluster, tls: true });
  api = await startApiHarness({ ...isolated.env, FLOTILLA_KUBE_TIMEOUT_MS: '2000', FLOTILLA_SYNC_INTERVAL_SECONDS: '3600' });
  worker = await startWorkerHarness(api.config);
  db = worker.get(DATA_SOURCE);
});
after(async () => {
  await worker?.close();
  await api?.close();
  await sim?.stop();
  await isolated.drop();
});

const admin = (cluster: string) => ClusterClient.direct({ apiServerUrl: sim.clusterUrl(cluster), token: sim.adminToken(cluster), caPem: sim.caPem ?? null }, { timeoutMs: 5000 });

/** What `flotilla cluster attach` does: the agent identity in the cluster, then attachCluster with its token. */
async function attachAsAgent(token: string, cluster: string, bindableRoles?: string[]): Promise<string> {
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig(cluster));
  const creds = await ensureAgentIdentity(kc, undefined, { bindableRoles });
  const r = await api.gql(
    `mutation($input: AttachClusterInput!) { attachCluster(input: $input) { id } }`,
    { input: { name: cluster, apiServerUrl: creds.apiServerUrl, token: creds.token, caData: creds.caData, bindableRoles } },
    token,
  );
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data.attachCluster.id;
}

async function policy(token: string, name: string, type: string, spec: unknown): Promise<string> {
  const r = await api.gql(`mutation($input: CreatePolicyInput!) { createPolicy(input: $input) { id } }`, { input: { name, type, mode: 'ENFORCE', spec, scope: { kind: 'ORGANIZATION' } } }, token);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data.createPolicy.id;
}

async function scanToEnd(token: string): Promise<void> {
  const r = await api.gql(`mutation { runComplianceScan(input: {}) { id } }`, {}, token);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  await eventually(
    () => api.gql(`query($id: ID!) { scan(id: $id) { status } }`, { id: r.data.runComplianceScan.id }, token),
    (x) => x.data?.scan?.status === 'SUCCEEDED',
    { timeoutMs: 60_000, what: 'the scan to end' },
  );
}

async function objects(cluster: string): Promise<string[]> {
  const k = admin(cluster);
  const all = [
    ...(await k.list('NetworkPolicy')),
    ...(await k.list('ResourceQuota')),
    ...(await k.list('RoleBinding', { labelSelector: MANAGED })),
    ...(await k.list('ClusterRoleBinding', { labelSelector: MANAGED })),
  ];
  return all.map((o) => `${o.kind ?? '?'}/${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`).sort();
}

interface CleanupEvent {
  outcome: string;
  details: { clusterId: string; deleted: number; objects: Array<{ kind: string; namespace?: string; name: string }> };
}

async function cleanupEvents(organizationId: string, policyId: string): Promise<CleanupEvent[]> {
  return db.query(`SELECT outcome, details FROM audit_events WHERE organization_id = $1 AND action = 'policy.cleanup' AND target_id = $2 ORDER BY at`, [organizationId, policyId]);
}

describe('removing an ENFORCE policy removes what it created', () => {
  test('deleting one, and switching another to AUDIT, cleans up exactly their objects on every cluster, audited per cluster', async () => {
    const org = await api.newOrganization();
    const k1 = admin('clean-1');
    await k1.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
    // Not Flotilla's: no label at all; Flotilla's label copied onto someone else's object; and
    // another policy's id — none of these may be touched.
    await k1.create({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'allow-web', namespace: 'shop' },
      spec: { podSelector: { matchLabels: { app: 'web' } }, ingress: [{}] },
    });
    await k1.create({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'copied-label', namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'flotilla' } },
      spec: { podSelector: { matchLabels: { app: 'db' } }, ingress: [{}] },
    });
    const ids = { 'clean-1': await attachAsAgent(org.token, 'clean-1'), 'clean-2': await attachAsAgent(org.token, 'clean-2') };
    const net = await policy(org.token, 'net', 'NETWORK', { defaultDeny: 'all' });
    const grant = await policy(org.token, 'grant', 'ACCESS', { bindings: [{ role: 'view', subjects: [{ kind: 'Group', name: 'sre' }] }, { role: 'edit', subjects: [{ kind: 'Group', name: 'devs' }], namespaces: ['default'] }] });
    const quota = await policy(org.token, 'quota', 'QUOTA', { hard: { pods: '20' } });
    await k1.create({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'other-policy', namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'flotilla' }, annotations: { 'flotilla.io/policy-id': quota } },
      spec: { podSelector: {}, policyTypes: ['Ingress'] },
    });
    await scanToEnd(org.token);

    const created1 = await objects('clean-1');
    for (const o of ['NetworkPolicy/default/flotilla-default-deny-', 'NetworkPolicy/shop/flotilla-default-deny-', 'ClusterRoleBinding/flotilla-access-', 'RoleBinding/default/flotilla-access-', 'ResourceQuota/shop/flotilla-quota-']) {
      assert.ok(created1.some((x) => x.startsWith(o)), `${o}… in ${created1.join(', ')}`);
    }
    const targets = await db.query(`SELECT count(*)::int AS n FROM policy_enforcement_targets WHERE policy_id = ANY($1::uuid[])`, [[net, grant, quota]]);
    assert.equal(targets[0].n, 6, 'each policy recorded both clusters before applying');

    // Delete the NETWORK policy: its default-deny policies go on both clusters; nothing else does.
    const del = await api.gql(`mutation($id: ID!) { deletePolicy(id: $id) }`, { id: net }, org.token);
    assert.equal(del.errors, undefined, JSON.stringify(del.errors));
    const netEvents = await eventually(() => cleanupEvents(org.organizationId, net), (e) => e.length === 2, { timeoutMs: 30_000, what: 'a cleanup audit event per cluster' });
    const byCluster = Object.fromEntries(netEvents.map((e) => [e.details.clusterId, e]));
    assert.equal(byCluster[ids['clean-1']].outcome, 'SUCCESS');
    assert.equal(byCluster[ids['clean-1']].details.deleted, 2);
    assert.deepEqual(byCluster[ids['clean-1']].details.objects.map((o) => `${o.kind}/${o.namespace}`).sort(), ['NetworkPolicy/default', 'NetworkPolicy/shop']);
    assert.equal(byCluster[ids['clean-2']].details.deleted, 1);
    const after1 = await objects('clean-1');
    assert.deepEqual(
      after1.filter((x) => x.startsWith('NetworkPolicy/')),
      ['NetworkPolicy/shop/allow-web', 'NetworkPolicy/shop/copied-label', 'NetworkPolicy/shop/other-policy'],
      'only what the deleted policy created is gone',
    );
    assert.deepEqual(after1.filter((x) => !x.startsWith('NetworkPolicy/')), created1.filter((x) => !x.startsWith('NetworkPolicy/')));
    const deleteAudit = await db.query(`SELECT details FROM audit_events WHERE action = 'policy.delete' AND target_id = $1`, [net]);
    assert.equal(deleteAudit[0].details.cleanupClusters, 2);

    // Switch the ACCESS policy to AUDIT: its bindings go; a scan then reports them missing and creates nothing.
    const toAudit = await api.gql(`mutation($id: ID!) { updatePolicy(id: $id, input: { mode: AUDIT }) { id mode } }`, { id: grant }, org.token);
    assert.equal(toAudit.errors, undefined, JSON.stringify(toAudit.errors));
    const grantEvents = await eventually(() => cleanupEvents(org.organizationId, grant), (e) => e.length === 2, { timeoutMs: 30_000, what: 'the ACCESS cleanup on both clusters' });
    assert.deepEqual(grantEvents.map((e) => e.details.deleted), [2, 2]);
    for (const cluster of ['clean-1', 'clean-2']) {
      const left = await objects(cluster);
      // The agent's own bindings (its ClusterRole, and the Role that lets it renew its token) carry Flotilla's label too, but no policy id: they stay.
      assert.deepEqual(left.filter((x) => x.includes('Binding/')), AGENT_BINDINGS, `${cluster}: ${left.join(', ')}`);
      assert.ok(left.some((x) => x.startsWith('ResourceQuota/default/flotilla-quota-')), 'the untouched policy keeps its quota');
    }
    const remaining = await db.query(`SELECT policy_id AS "policyId" FROM policy_enforcement_targets WHERE policy_id = ANY($1::uuid[])`, [[net, grant, quota]]);
    assert.deepEqual([...new Set(remaining.map((r: { policyId: string }) => r.policyId))], [quota]);
    await scanToEnd(org.token);
    assert.deepEqual((await objects('clean-1')).filter((x) => x.includes('Binding/')), AGENT_BINDINGS, 'an AUDIT policy creates nothing');

    // A job that runs again finds nothing to do: no second event, nothing deleted.
    await worker.get(PolicyCleanupService).cleanup({ organizationId: org.organizationId, policyId: net, clusterId: ids['clean-1'] });
    assert.equal((await cleanupEvents(org.organizationId, net)).length, 2);
  });
});

describe('cleanup and enforcement at the edges', () => {
  test('a cluster down for every attempt gets a FAILURE event and keeps its cleanup, which is retried until done', async () => {
    const org = await api.newOrganization();
    const id = await attachAsAgent(org.token, 'down-1');
    const net = await policy(org.token, 'net', 'NETWORK', { defaultDeny: 'ingress' });
    await scanToEnd(org.token);
    assert.ok((await objects('down-1')).some((x) => x.startsWith('NetworkPolicy/default/flotilla-default-deny-')));

    const faults = (body: unknown) => rawRequest(sim, '/_sim/clusters/down-1/faults', { method: 'PUT', body });
    assert.equal((await faults({ down: true })).status, 200);
    try {
      // Its last attempt, run here while the cluster refuses connections (the queued job may race it: either fails).
      await db.query(`UPDATE policies SET deleted_at = now(), updated_at = now() - interval '1 hour' WHERE id = $1`, [net]);
      await assert.rejects(worker.get(PolicyCleanupService).cleanup({ organizationId: org.organizationId, policyId: net, clusterId: id }, { lastAttempt: true }));
      const failed = await cleanupEvents(org.organizationId, net);
      assert.equal(failed.at(-1)?.outcome, 'FAILURE');
      // kube-sim's "down" refuses new connections and resets kept-alive ones.
      assert.match((failed.at(-1)?.details as { error?: string }).error ?? '', /^cannot reach the API server: connection (refused|reset)$/);
      const kept = await db.query(`SELECT count(*)::int AS n FROM policy_enforcement_targets WHERE policy_id = $1`, [net]);
      assert.equal(kept[0].n, 1, 'the cleanup is still pending');
    } finally {
      await faults({});
    }
    assert.equal(await worker.get(PolicyCleanupReconciler).requeue(60), 1);
    await eventually(() => cleanupEvents(org.organizationId, net), (e) => e.some((x) => x.outcome === 'SUCCESS'), { timeoutMs: 30_000, what: 'the retried cleanup' });
    assert.ok(!(await objects('down-1')).some((x) => x.includes('flotilla-default-deny-')));
    assert.equal(await worker.get(PolicyCleanupReconciler).requeue(60), 0, 'nothing left to retry');
  });

  test("ENFORCE does not ask a cluster's agent to bind a role it was not given, and says how to fix it", async () => {
    const org = await api.newOrganization();
    const id = await attachAsAgent(org.token, 'narrow-1', ['view']);
    await policy(org.token, 'grant', 'ACCESS', { bindings: [{ role: 'view', subjects: [{ kind: 'Group', name: 'sre' }] }, { role: 'edit', subjects: [{ kind: 'Group', name: 'devs' }] }] });
    await scanToEnd(org.token);
    const r = await api.gql(`query($id: ID!) { cluster(id: $id) { bindableRoles policyResults { status enforcement } } }`, { id }, org.token);
    assert.deepEqual(r.data.cluster.bindableRoles, ['view']);
    const enforcement = r.data.cluster.policyResults[0].enforcement as { applied: Array<{ name: string }>; failed: Array<{ name: string; error: string }> };
    assert.equal(enforcement.applied.length, 1);
    assert.equal(enforcement.failed.length, 1);
    assert.match(enforcement.failed[0].error, /may not bind ClusterRole edit \(it was attached with bindable roles view\): re-attach with flotilla cluster attach NAME --update --bindable-role edit/);
    assert.equal(r.data.cluster.policyResults[0].status, 'NON_COMPLIANT');
  });
});

describe('a stored credential goes only to the URL it was stored with', () => {
  /** A listener that counts connections: if the worker dialled it, the token was on its way there. */
  async function listener(): Promise<{ server: Server; port: number; connections: () => number }> {
    let n = 0;
    const server = createServer((socket) => {
      n++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, port: (server.address() as { port: number }).port, connections: () => n };
  }

  /** Attached, and its first sync (a job through the outbox) done: no job of ours races the test's own syncs. */
  async function attachedAndSynced(token: string, cluster: string): Promise<string> {
    const id = await attachAsAgent(token, cluster);
    await eventually(() => api.gql(`query($id: ID!) { cluster(id: $id) { status } }`, { id }, token), (r) => r.data?.cluster?.status === 'CONNECTED', {
      timeoutMs: 30_000,
      what: `${cluster}'s first sync`,
    });
    return id;
  }

  test('a URL changed behind the API (in the database) makes the sync refuse to send the token anywhere', async () => {
    const org = await api.newOrganization();
    const id = await attachedAndSynced(org.token, 'bound-1');
    const sync = worker.get(ClusterSyncService);
    await sync.sync({ organizationId: org.organizationId, clusterId: id });
    const ok = await api.gql(`query($id: ID!) { cluster(id: $id) { status } }`, { id }, org.token);
    assert.equal(ok.data.cluster.status, 'CONNECTED');

    const trap = await listener();
    try {
      await db.query(`UPDATE clusters SET api_server_url = $2 WHERE id = $1`, [id, `https://127.0.0.1:${trap.port}/clusters/bound-1`]);
      await sync.sync({ organizationId: org.organizationId, clusterId: id });
      const c = await api.gql(`query($id: ID!) { cluster(id: $id) { statusReason } }`, { id }, org.token);
      assert.equal(c.data.cluster.statusReason, 'stored credential not valid for this API server URL: re-attach the cluster');
      assert.equal(trap.connections(), 0, 'nothing was sent to the new URL');
    } finally {
      trap.server.close();
    }
  });

  test('a legacy credential (stored before binding) keeps working and is re-encrypted bound to its URL on first use', async () => {
    const org = await api.newOrganization();
    const id = await attachedAndSynced(org.token, 'legacy-1');
    // Rewrite the row as the previous release stored it: no associated data, format 1.
    const kc = new KubeConfig();
    kc.loadFromString(sim.kubeconfig('legacy-1'));
    const creds = await ensureAgentIdentity(kc);
    const key = Buffer.from(api.config.crypto.encryptionKey!, 'base64');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify({ token: creds.token, caPem: Buffer.from(creds.caData!, 'base64').toString('utf8') }), 'utf8'), cipher.final()]);
    await db.query(`UPDATE cluster_credentials SET key_id = $2, iv = $3, ciphertext = $4, auth_tag = $5, format = 1 WHERE cluster_id = $1`, [
      id,
      api.config.crypto.keyId,
      iv,
      ciphertext,
      cipher.getAuthTag(),
    ]);

    await worker.get(ClusterSyncService).sync({ organizationId: org.organizationId, clusterId: id });
    const c = await api.gql(`query($id: ID!) { cluster(id: $id) { status statusReason } }`, { id }, org.token);
    assert.equal(c.data.cluster.status, 'CONNECTED', JSON.stringify(c.data));
    const row = await db.query(`SELECT format, iv FROM cluster_credentials WHERE cluster_id = $1`, [id]);
    assert.equal(row[0].format, 2, 're-encrypted bound');
    assert.ok(Buffer.compare(row[0].iv, iv) !== 0);

    // From now on it is bound: the same URL trick no longer reaches anything.
    await db.query(`UPDATE clusters SET api_server_url = 'https://flotilla-moved.invalid:6443' WHERE id = $1`, [id]);
    await worker.get(ClusterSyncService).sync({ organizationId: org.organizationId, clusterId: id });
    const moved = await api.gql(`query($id: ID!) { cluster(id: $id) { statusReason } }`, { id }, org.token);
    assert.match(moved.data.cluster.statusReason, /^stored credential not valid for this API server URL/);
  });
});
