import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { Client } from 'pg';
import { eventually } from '@flotilla/testing';
import { isolatedEnv } from '@flotilla/testing/isolated-database';
import { ApiHarness, startApiHarness } from '../../../api/src/testing/api-test-harness';
import { startKubeSim, KubeSim } from '../../../kube-sim/src';
import { fallbackGenerateCluster } from '../../../kube-sim/src/fleet/fallback-content';
import { adminRequest, rawRequest } from '../../../kube-sim/src/testing/kube-sim.test-helper';
import { run as flotilla } from '../../../cli/src/main';
import { captureIo } from '../../../cli/src/testing/fake-graphql-api';
import { ensureAgentIdentity, loadKubeConfig } from '../../../cli/src/kube-attach';
import { ClusterCredentialRepository } from '@flotilla/persistence';
import { startWorkerHarness } from '../testing/worker-test-harness';

// Short-lived credentials end to end, as an operator would meet them: `flotilla cluster attach`
// against kube-sim stores a TokenRequest token (no token Secret in the cluster), the worker renews
// it as the agent when ≤ 20 % of its life is left and keeps using the new one, and a renewal that
// keeps failing ends UNREACHABLE with the fix once the token has expired — not before. Time is
// moved, not waited for: kube-sim's clock (token expiry in the cluster) and the worker's clock
// (the renewal decision) are moved together, by the same offset.

const NS = 'flotilla-system';
const ROLE = 'flotilla-agent-token-renewal';
let sim: KubeSim;
let api: ApiHarness;
let worker: INestApplicationContext;
let pg: Client;
const dir = mkdtempSync(join(tmpdir(), 'flotilla-renewal-'));
const isolated = isolatedEnv('credential_renewal');
/** The worker's clock: real time plus an offset the test moves. */
const clock = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) };

before(async () => {
  sim = await startKubeSim({ clusters: ['renew-1', 'lapse-1', 'legacy-1'].map((name) => ({ name, flavor: 'generic' as const })), generateCluster: fallbackGenerateCluster, tls: true });
  api = await startApiHarness({ ...isolated.env, FLOTILLA_SYNC_INTERVAL_SECONDS: '2', FLOTILLA_KUBE_TIMEOUT_MS: '5000' });
  worker = await startWorkerHarness(api.config, { clock });
  pg = new Client({ connectionString: api.config.database.url });
  await pg.connect();
});
after(async () => {
  await worker?.close();
  await pg?.end();
  await api?.close();
  await sim?.stop();
  await isolated.drop();
});

async function cli(...args: string[]) {
  const c = captureIo();
  const code = await flotilla(args, { io: c.io, env: { ...process.env, FLOTILLA_API_URL: api.url, FLOTILLA_TOKEN: api.adminToken, FLOTILLA_CONFIG: join(dir, 'none.json') } });
  return { code, out: c.out, err: c.err };
}

function kubeconfig(name: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, sim.kubeconfig(name), { mode: 0o600 });
  return file;
}

/** Both clocks, moved to the same offset from real time. */
async function moveClocks(cluster: string, offsetSeconds: number): Promise<void> {
  const r = await rawRequest(sim, `/_sim/clusters/${cluster}/clock`, { method: 'PUT', body: { offsetSeconds } });
  assert.equal(r.status, 200, r.text);
  clock.offsetMs = offsetSeconds * 1000;
}

interface Row {
  id: string;
  status: string;
  status_reason: string | null;
  failures: number;
  last_seen_at: Date | null;
  iv: Buffer;
  issued_at: Date | null;
  expires_at: Date | null;
  renewal_failures: number;
}
const row = async (name: string): Promise<Row> =>
  (
    await pg.query(
      `SELECT c.id, c.status, c.status_reason, c.consecutive_failures::int AS failures, c.last_seen_at, k.iv,
              k.credential_issued_at AS issued_at, k.credential_expires_at AS expires_at, k.renewal_failures
         FROM clusters c JOIN cluster_credentials k ON k.cluster_id = c.id WHERE c.name = $1 AND c.status <> 'DETACHED'`,
      [name],
    )
  ).rows[0];

/** Waits for `n` more successful syncs of the cluster (last_seen_at moves on each). */
async function syncsPass(name: string, n = 2): Promise<Row> {
  let seen = (await row(name)).last_seen_at?.getTime() ?? 0;
  let r = await row(name);
  for (let i = 0; i < n; i++) {
    r = await eventually(() => row(name), (x) => (x.last_seen_at?.getTime() ?? 0) > seen, { timeoutMs: 30_000, what: `sync ${i + 1} of ${name}` });
    seen = r.last_seen_at!.getTime();
  }
  return r;
}

const CONNECTION = `query($id: ID!) { cluster(id: $id) { status statusReason connection { mode agentVersion connectedAt lastHeartbeatAt credentialExpiresAt } } }`;

async function tokenSecretsIn(cluster: string): Promise<string[]> {
  const list = await adminRequest(sim, cluster, `/api/v1/namespaces/${NS}/secrets`);
  assert.equal(list.status, 200);
  return (list.json.items as Array<{ type: string; metadata: { name: string } }>).filter((s) => s.type === 'kubernetes.io/service-account-token').map((s) => s.metadata.name);
}

test('--token-ttl below 10 minutes is refused before the cluster is touched', async () => {
  const r = await cli('cluster', 'attach', 'renew-1', '--kubeconfig', kubeconfig('renew-1'), '--token-ttl', '9m');
  assert.equal(r.code, 2);
  assert.match(r.err, /^error: --token-ttl: must be at least 10 minutes \(600 s\), as Kubernetes' TokenRequest requires; got 540 s\n$/);
  assert.equal((await adminRequest(sim, 'renew-1', `/api/v1/namespaces/${NS}`)).status, 404, 'nothing was created');
});

test('attach stores a TokenRequest token with its expiry and no token Secret; near expiry it is renewed and the cluster stays CONNECTED on the new token', async () => {
  const attached = await cli('cluster', 'attach', 'renew-1', '--kubeconfig', kubeconfig('renew-1'), '--token-ttl', '10m');
  assert.equal(attached.code, 0, attached.err);
  assert.deepEqual(await tokenSecretsIn('renew-1'), [], 'no service-account token Secret in the cluster');
  const first = await eventually(() => row('renew-1'), (r) => r?.status === 'CONNECTED', { timeoutMs: 30_000, what: 'CONNECTED after attach' });
  assert.ok(first.expires_at && first.issued_at, 'the stored credential has an expiry');
  const lifeS = (first.expires_at.getTime() - first.issued_at.getTime()) / 1000;
  assert.ok(lifeS > 590 && lifeS <= 610, `a 10-minute credential (${lifeS} s)`);
  const shown = await api.gql(CONNECTION, { id: first.id });
  assert.deepEqual(shown.data.cluster.connection, { mode: 'DIRECT', agentVersion: null, connectedAt: null, lastHeartbeatAt: null, credentialExpiresAt: first.expires_at.toISOString() });

  // 490 s on: 110 s of 600 left (≤ 20 %). The next sync renews, as the agent, for another 10 minutes.
  await moveClocks('renew-1', 490);
  const renewed = await eventually(() => row('renew-1'), (r) => !r.iv.equals(first.iv), { timeoutMs: 30_000, what: 'the renewed credential' });
  assert.ok(renewed.expires_at!.getTime() >= first.expires_at.getTime() + 480_000, `renewed for another 10 minutes (${renewed.expires_at!.toISOString()})`);
  assert.equal(renewed.renewal_failures, 0);
  assert.equal((await api.gql(CONNECTION, { id: first.id })).data.cluster.connection.credentialExpiresAt, renewed.expires_at!.toISOString());

  // Past the first token's expiry (kube-sim now refuses it): syncs go on with the new one, so the
  // cached client did pick it up. A sync with the old token would be a 401: UNREACHABLE at once.
  await moveClocks('renew-1', 700);
  const later = await syncsPass('renew-1', 2);
  assert.equal(later.status, 'CONNECTED', later.status_reason ?? '');
  assert.equal(later.failures, 0);
  assert.ok(later.iv.equals(renewed.iv), 'not renewed again while more than 20 % is left');
  assert.deepEqual(await tokenSecretsIn('renew-1'), []);
  await moveClocks('renew-1', 0);
});

test('a renewal that fails is retried without flapping; once the token has expired the cluster is UNREACHABLE with the fix, and attach --update heals it', async () => {
  const attached = await cli('cluster', 'attach', 'lapse-1', '--kubeconfig', kubeconfig('lapse-1'), '--token-ttl', '600');
  assert.equal(attached.code, 0, attached.err);
  const first = await eventually(() => row('lapse-1'), (r) => r?.status === 'CONNECTED', { timeoutMs: 30_000, what: 'CONNECTED after attach' });
  // Someone removes the Role that lets the agent renew its token.
  assert.equal((await adminRequest(sim, 'lapse-1', `/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/roles/${ROLE}`, { method: 'DELETE' })).status, 200);

  await moveClocks('lapse-1', 490);
  const failing = await eventually(() => row('lapse-1'), (r) => r.renewal_failures >= 1, { timeoutMs: 30_000, what: 'a failed renewal' });
  assert.ok(failing.iv.equals(first.iv), 'the credential is unchanged');
  const still = await syncsPass('lapse-1', 2);
  assert.equal(still.status, 'CONNECTED', 'before expiry a failed renewal is no reason to leave CONNECTED');
  assert.equal(still.failures, 0);
  assert.equal(still.status_reason, first.status_reason);

  await moveClocks('lapse-1', 601);
  const expiredAt = first.expires_at!.toISOString();
  const down = await eventually(() => row('lapse-1'), (r) => r.status === 'UNREACHABLE', { timeoutMs: 30_000, what: 'UNREACHABLE after expiry' });
  assert.equal(down.status_reason, `credential expired at ${expiredAt}; run \`flotilla cluster attach lapse-1 --update\``);
  const shown = await api.gql(CONNECTION, { id: first.id });
  assert.equal(shown.data.cluster.status, 'UNREACHABLE');
  assert.equal(shown.data.cluster.statusReason, down.status_reason);
  assert.equal(shown.data.cluster.connection.credentialExpiresAt, expiredAt);

  // The fix it names: the Role comes back, a new token is stored, CONNECTED again.
  const update = await cli('cluster', 'attach', 'lapse-1', '--kubeconfig', kubeconfig('lapse-1'), '--update', '--token-ttl', '600');
  assert.equal(update.code, 0, update.err);
  assert.match(update.err, new RegExp(`role/${ROLE} created`));
  const healed = await eventually(() => row('lapse-1'), (r) => r.status === 'CONNECTED', { timeoutMs: 30_000, what: 'CONNECTED after attach --update' });
  assert.ok(healed.expires_at!.getTime() > first.expires_at!.getTime());
  assert.equal(healed.renewal_failures, 0);
  await moveClocks('lapse-1', 0);
});

test('a cluster on a long-lived token keeps working (never renewed, never expired) until attach --update replaces it and removes its token Secret', async () => {
  // As an older attach left it: the identity, a token Secret of Flotilla's, its token stored without expiry.
  const admin = loadKubeConfig(kubeconfig('legacy-1'));
  const identity = await ensureAgentIdentity(admin, undefined);
  const created = await adminRequest(sim, 'legacy-1', `/api/v1/namespaces/${NS}/secrets`, {
    method: 'POST',
    body: {
      metadata: { name: 'flotilla-agent-token', labels: { 'app.kubernetes.io/managed-by': 'flotilla' }, annotations: { 'kubernetes.io/service-account.name': 'flotilla-agent' } },
      type: 'kubernetes.io/service-account-token',
    },
  });
  assert.equal(created.status, 201, created.text);
  const secret = await adminRequest(sim, 'legacy-1', `/api/v1/namespaces/${NS}/secrets/flotilla-agent-token`);
  const legacyToken = Buffer.from(secret.json.data.token, 'base64').toString('utf8');
  const attach = await api.gql(`mutation($input: AttachClusterInput!) { attachCluster(input: $input) { id } }`, {
    input: { name: 'legacy-1', apiServerUrl: identity.apiServerUrl, token: legacyToken, caData: identity.caData },
  });
  assert.equal(attach.errors, undefined, JSON.stringify(attach.errors));
  const id = attach.data.attachCluster.id as string;
  const first = await eventually(() => row('legacy-1'), (r) => r?.status === 'CONNECTED', { timeoutMs: 30_000, what: 'CONNECTED on the long-lived token' });
  assert.equal(first.expires_at, null);
  assert.equal((await api.gql(CONNECTION, { id })).data.cluster.connection.credentialExpiresAt, null);

  // Two days on, nothing about it changes.
  clock.offsetMs = 2 * 86_400_000;
  const later = await syncsPass('legacy-1', 2);
  assert.equal(later.status, 'CONNECTED');
  assert.ok(later.iv.equals(first.iv), 'a long-lived credential is never renewed');
  clock.offsetMs = 0;

  const update = await cli('cluster', 'attach', 'legacy-1', '--kubeconfig', kubeconfig('legacy-1'), '--update');
  assert.equal(update.code, 0, update.err);
  assert.match(update.err, /secret\/flotilla-agent-token deleted \(its long-lived token is revoked\)/);
  assert.deepEqual(await tokenSecretsIn('legacy-1'), []);
  assert.equal((await adminRequest(sim, 'legacy-1', '/api/v1/nodes', { token: legacyToken })).status, 401, 'the long-lived token no longer works');
  const replaced = await eventually(() => row('legacy-1'), (r) => r.expires_at !== null && r.status === 'CONNECTED', { timeoutMs: 30_000, what: 'CONNECTED on a short-lived token' });
  const lifeS = (replaced.expires_at!.getTime() - Date.now()) / 1000;
  assert.ok(lifeS > 86_000 && lifeS <= 86_400, `the default 24 h (${lifeS} s)`);
});

test('attachCluster checks tokenExpiresAt: in the future, and the token\'s own exp claim', async () => {
  const identity = await ensureAgentIdentity(loadKubeConfig(kubeconfig('legacy-1')), undefined, { tokenTtlSeconds: 600 });
  const attach = (name: string, tokenExpiresAt: string) =>
    api.gql(`mutation($input: AttachClusterInput!) { attachCluster(input: $input) { id } }`, { input: { name, apiServerUrl: identity.apiServerUrl, token: identity.token, caData: identity.caData, tokenExpiresAt } });
  const past = await attach('bad-expiry-1', new Date(Date.now() - 60_000).toISOString());
  assert.equal(past.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  assert.match(past.errors?.[0]?.message ?? '', /input\.tokenExpiresAt: must be in the future/);
  const longer = await attach('bad-expiry-2', new Date(identity.tokenExpiresAt.getTime() + 86_400_000).toISOString());
  assert.equal(longer.errors?.[0]?.extensions?.code, 'BAD_USER_INPUT');
  assert.match(longer.errors?.[0]?.message ?? '', /input\.tokenExpiresAt: does not match the token's own expiry/);
  assert.ok(!JSON.stringify(longer.errors).includes(identity.token), 'never echoes the token');
  const stored = await pg.query(`SELECT count(*)::int AS n FROM clusters WHERE name LIKE 'bad-expiry-%'`);
  assert.equal(stored.rows[0].n, 0, 'nothing stored');
});

test('across replicas one renewal wins: the claim is taken once, and a swap from a stale read changes nothing', async () => {
  const repo = worker.get(ClusterCredentialRepository);
  const r = await row('renew-1');
  const org = (await pg.query(`SELECT organization_id FROM clusters WHERE id = $1`, [r.id])).rows[0].organization_id as string;
  const stored = (await repo.load(org, r.id))!;
  const now = new Date(Date.now() + 3_600_000);
  const claims = await Promise.all([1, 2, 3].map(() => repo.claimRenewal(org, r.id, stored.iv, now, new Date(now.getTime() + 60_000))));
  assert.deepEqual(claims.filter(Boolean).length, 1, `exactly one claim: ${claims}`);
  assert.equal(await repo.claimRenewal(org, r.id, stored.iv, new Date(now.getTime() + 61_000), new Date(now.getTime() + 120_000)), true, 'a claim that lapsed (its worker died) can be taken again');
  const stale = Buffer.from(stored.iv);
  stale[0] ^= 0xff;
  const life = { issuedAt: now, expiresAt: new Date(now.getTime() + 600_000) };
  assert.equal(await repo.replaceRenewed(org, r.id, stale, stored, life), false, 'the row changed since it was read: nothing is overwritten');
  assert.equal(await repo.claimRenewal(org, r.id, stale, new Date(now.getTime() + 200_000), new Date(now.getTime() + 300_000)), false);
  const after = (await repo.load(org, r.id))!;
  assert.ok(after.iv.equals(stored.iv) && after.life?.expiresAt.getTime() === stored.life?.expiresAt.getTime());
});
