import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { Writable } from 'node:stream';
import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Redis } from 'ioredis';
import { DATA_SOURCE, REDIS } from '@flotilla/infrastructure';
import { verifySignature } from '@flotilla/notifications';
import { UpgradeRepository } from '@flotilla/persistence';
import { eventually } from '@flotilla/testing';
import { isolatedEnv } from '@flotilla/testing/isolated-database';
import { ApiHarness, startApiHarness } from '../../../api/src/testing/api-test-harness';
import { startKubeSim, KubeSim } from '../../../kube-sim/src';
import { fallbackGenerateCluster } from '../../../kube-sim/src/fleet/fallback-content';
import { rawRequest } from '../../../kube-sim/src/testing/kube-sim.test-helper';
import { startWorkerHarness } from '../testing/worker-test-harness';
import { ClusterSyncService } from '../sync/cluster-sync.service';
import { UpgradeOutcomeRecorder } from '../upgrades/upgrade-outcome.recorder';
import { WebhookEventRetention } from './webhook-event-retention';

const CLUSTERS = ['hook-scan', 'hook-down', 'hook-upgrade'];

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A webhook receiver on 127.0.0.1: records every request, answers as `answer` says (null: never answers). */
class Receiver {
  readonly requests: Received[] = [];
  private readonly sockets = new Set<Socket>();
  private server!: Server;
  url = '';

  constructor(private readonly answer: (n: number) => number | null) {}

  async start(): Promise<this> {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const status = this.answer(this.requests.length);
        if (status !== null) res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'no');
      });
    });
    this.server.on('connection', (s: Socket) => (this.sockets.add(s), s.on('close', () => this.sockets.delete(s))));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }

  of(type: string): Received[] {
    return this.requests.filter((r) => r.headers['flotilla-event'] === type);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let sim: KubeSim;
let api: ApiHarness;
let worker: INestApplicationContext;
let db: DataSource;
const logs: string[] = [];
const logSink = () => new Writable({ write: (chunk, _e, cb) => (logs.push(chunk.toString()), cb()) });
const isolated = isolatedEnv('webhooks');
const receivers: Receiver[] = [];
const secrets: string[] = [];

before(async () => {
  sim = await startKubeSim({ clusters: CLUSTERS.map((name) => ({ name, flavor: 'generic' as const })), generateCluster: fallbackGenerateCluster, tls: true });
  api = await startApiHarness(
    {
      ...isolated.env,
      LOG_LEVEL: 'debug',
      FLOTILLA_KUBE_TIMEOUT_MS: '1500',
      FLOTILLA_SYNC_INTERVAL_SECONDS: '3600',
      FLOTILLA_UNREACHABLE_AFTER_FAILURES: '1',
      FLOTILLA_WEBHOOK_ALLOW_HTTP_LOOPBACK: 'true',
      FLOTILLA_WEBHOOK_TIMEOUT_MS: '1000',
      FLOTILLA_WEBHOOK_RETRY_BASE_MS: '200',
      FLOTILLA_WEBHOOK_MAX_ATTEMPTS: '4',
    },
    { logDestination: logSink() },
  );
  worker = await startWorkerHarness(api.config, { logDestination: logSink() });
  db = worker.get(DATA_SOURCE);
});
after(async () => {
  await worker?.close();
  await api?.close();
  await sim?.stop();
  await Promise.all(receivers.map((r) => r.stop()));
  await isolated.drop();
});

async function receiver(answer: (n: number) => number | null): Promise<Receiver> {
  const r = await new Receiver(answer).start();
  receivers.push(r);
  return r;
}

async function createWebhook(token: string, url: string, events: string[]): Promise<{ id: string; secret: string }> {
  const r = await api.gql(`mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { id url events secret } }`, { input: { url, events } }, token);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  secrets.push(r.data.createWebhook.secret);
  return r.data.createWebhook;
}

async function webhooks(token: string) {
  const r = await api.gql(`query { webhooks { id url events secret lastDeliveryAt lastDeliveryStatus failingSince } }`, {}, token);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data.webhooks as Array<{ id: string; url: string; events: string[]; secret: string | null; lastDeliveryAt: string | null; lastDeliveryStatus: number | null; failingSince: string | null }>;
}

async function attach(token: string, cluster: string): Promise<string> {
  const r = await api.gql(
    `mutation($input: AttachClusterInput!) { attachCluster(input: $input) { id } }`,
    { input: { name: cluster, apiServerUrl: sim.clusterUrl(cluster), token: sim.adminToken(cluster), caData: Buffer.from(sim.caPem ?? '').toString('base64') } },
    token,
  );
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data.attachCluster.id;
}

async function scanToEnd(token: string): Promise<{ id: string; status: string }> {
  const r = await api.gql(`mutation { runComplianceScan(input: {}) { id } }`, {}, token);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  const done = await eventually(
    () => api.gql(`query($id: ID!) { scan(id: $id) { id status } }`, { id: r.data.runComplianceScan.id }, token),
    (x) => x.data?.scan?.status === 'SUCCEEDED',
    { timeoutMs: 60_000, what: 'the scan to end' },
  );
  return done.data.scan;
}

function assertSigned(got: Received, secret: string): Record<string, any> {
  const v = verifySignature(secret, { signature: got.headers['flotilla-signature'] as string, timestamp: got.headers['flotilla-timestamp'] as string }, got.body);
  assert.deepEqual(v, { ok: true }, 'the signature verifies with the secret createWebhook returned');
  assert.match(String(got.headers['flotilla-delivery']), /^[0-9a-f-]{36}$/);
  assert.equal(got.headers['content-type'], 'application/json');
  return JSON.parse(got.body);
}

describe('webhooks', () => {
  test('createWebhook validates the URL and events naming the field, is ADMIN only, shows the secret once, and is audited', async () => {
    const org = await api.newOrganization();
    const bad = async (input: Record<string, unknown>) => (await api.gql(`mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { id } }`, { input }, org.token)).errors?.[0];
    for (const [input, field] of [
      [{ url: 'http://hooks.example.com/x', events: ['SCAN_FINISHED'] }, 'input.url'],
      [{ url: 'https://user:pw@hooks.example.com/x', events: ['SCAN_FINISHED'] }, 'input.url'],
      [{ url: 'https://169.254.169.254/latest', events: ['SCAN_FINISHED'] }, 'input.url'],
      [{ url: 'ftp://hooks.example.com/x', events: ['SCAN_FINISHED'] }, 'input.url'],
      [{ url: 'https://hooks.example.com/x', events: [] }, 'input.events'],
    ] as const) {
      const e = await bad(input);
      assert.equal(e?.extensions?.code, 'BAD_USER_INPUT', JSON.stringify(input));
      assert.equal(e?.extensions?.field, field, JSON.stringify(input));
    }
    assert.deepEqual(await webhooks(org.token), [], 'nothing refused is stored');

    const viewer = await api.gql(`mutation { createApiToken(input: {name: "v", role: VIEWER}) { token } }`, {}, org.token);
    const vt = viewer.data.createApiToken.token;
    const denied = await api.gql(`mutation { createWebhook(input: {url: "https://hooks.example.com/x", events: [SCAN_FINISHED]}) { id } }`, {}, vt);
    assert.equal(denied.errors?.[0]?.extensions?.code, 'FORBIDDEN');
    assert.equal((await api.gql(`query { webhooks { id } }`, {}, vt)).errors?.[0]?.extensions?.code, 'FORBIDDEN');

    const created = await createWebhook(org.token, 'https://hooks.example.com/flotilla', ['SCAN_FINISHED', 'SCAN_FINISHED', 'UPGRADE_FINISHED']);
    assert.match(created.secret, /^whsec_/);
    const listed = await webhooks(org.token);
    assert.equal(listed.length, 1);
    assert.equal(listed[0].secret, null, 'the secret is shown only by createWebhook');
    assert.deepEqual(listed[0].events, ['SCAN_FINISHED', 'UPGRADE_FINISHED']);
    assert.deepEqual([listed[0].lastDeliveryAt, listed[0].lastDeliveryStatus, listed[0].failingSince], [null, null, null]);

    const other = await api.newOrganization();
    assert.deepEqual(await webhooks(other.token), [], "another organization's webhooks are not seen");
    const foreign = await api.gql(`mutation($id: ID!) { deleteWebhook(id: $id) }`, { id: created.id }, other.token);
    assert.equal(foreign.errors?.[0]?.extensions?.code, 'NOT_FOUND');

    const del = await api.gql(`mutation($id: ID!) { deleteWebhook(id: $id) }`, { id: created.id }, org.token);
    assert.equal(del.data?.deleteWebhook, true);
    assert.deepEqual(await webhooks(org.token), []);
    const audit = await api.gql(`query { auditEvents(first: 20) { edges { node { action targetId } } } }`, {}, org.token);
    const actions = audit.data.auditEvents.edges.map((e: { node: { action: string; targetId: string } }) => `${e.node.action}:${e.node.targetId}`);
    assert.ok(actions.includes(`webhook.create:${created.id}`), actions.join(' '));
    assert.ok(actions.includes(`webhook.delete:${created.id}`), actions.join(' '));
  });

  test('a real scan: a signed SCAN_FINISHED reaches the receiver; a 500 is retried until it succeeds; a hanging receiver times out and never holds the scan up', async () => {
    const org = await api.newOrganization();
    const clusterId = await attach(org.token, 'hook-scan');
    const ok = await receiver(() => 200);
    const flaky = await receiver((n) => (n <= 2 ? 500 : 200));
    const hanging = await receiver(() => null);
    const okHook = await createWebhook(org.token, ok.url, ['SCAN_FINISHED', 'COMPLIANCE_REGRESSED']);
    const flakyHook = await createWebhook(org.token, flaky.url, ['SCAN_FINISHED']);
    const hangingHook = await createWebhook(org.token, hanging.url, ['SCAN_FINISHED']);

    // No policies yet: the cluster is COMPLIANT after this scan.
    const first = await scanToEnd(org.token);
    const [got] = await eventually(() => Promise.resolve(ok.of('SCAN_FINISHED')), (l) => l.length >= 1, { timeoutMs: 30_000, what: 'SCAN_FINISHED at the receiver' });
    const body = assertSigned(got, okHook.secret);
    assert.equal(body.type, 'SCAN_FINISHED');
    assert.equal(body.organizationId, org.organizationId);
    assert.match(body.id, /^[0-9a-f-]{36}$/);
    assert.ok(!Number.isNaN(Date.parse(body.occurredAt)));
    assert.deepEqual({ ...body.data, finishedAt: undefined }, {
      scanId: first.id, status: 'SUCCEEDED', clusterCount: 1, compliantCount: 1, nonCompliantCount: 0, erroredCount: 0, violationCount: 0, finishedAt: undefined,
    });
    assert.throws(() => assertSigned(got, flakyHook.secret), 'another webhook secret does not verify it');

    // The hanging receiver still holds its connection (or is being retried) while the scan is long finished.
    const hangingRow = (await webhooks(org.token)).find((w) => w.id === hangingHook.id)!;
    assert.ok(hangingRow.lastDeliveryStatus === null || hangingRow.lastDeliveryStatus === 0);

    // The flaky receiver: 500, 500, then 200; the same delivery each time, signed anew each time.
    const flakyDone = await eventually(
      () => webhooks(org.token).then((l) => l.find((w) => w.id === flakyHook.id)!),
      (w) => w.lastDeliveryStatus === 200,
      { timeoutMs: 30_000, what: 'the flaky receiver to get a delivery through' },
    );
    assert.equal(flakyDone.failingSince, null, 'a success clears failingSince');
    assert.equal(flaky.of('SCAN_FINISHED').length, 3);
    assert.equal(new Set(flaky.of('SCAN_FINISHED').map((r) => r.headers['flotilla-delivery'])).size, 1);
    for (const r of flaky.of('SCAN_FINISHED')) assertSigned(r, flakyHook.secret);
    const attempts: Array<{ status: string; attempts: number; last_status: number }> = await db.query(
      `SELECT status, attempts, last_status FROM webhook_deliveries WHERE webhook_id = $1`,
      [flakyHook.id],
    );
    assert.deepEqual(attempts, [{ status: 'DELIVERED', attempts: 3, last_status: 200 }]);

    // The hanging one: each attempt times out (status 0: no response), failingSince is set; after 4 attempts it is FAILED.
    const hangingDone = await eventually(
      () => db.query(`SELECT status, attempts, last_status, last_error FROM webhook_deliveries WHERE webhook_id = $1`, [hangingHook.id]),
      (rows: Array<{ status: string }>) => rows[0]?.status === 'FAILED',
      { timeoutMs: 60_000, what: 'the hanging receiver to be given up' },
    );
    assert.deepEqual(hangingDone, [{ status: 'FAILED', attempts: 4, last_status: 0, last_error: 'timed out' }]);
    const hangingAfter = (await webhooks(org.token)).find((w) => w.id === hangingHook.id)!;
    assert.equal(hangingAfter.lastDeliveryStatus, 0);
    assert.ok(hangingAfter.failingSince && hangingAfter.lastDeliveryAt && Date.parse(hangingAfter.failingSince) <= Date.parse(hangingAfter.lastDeliveryAt));

    // A policy the cluster breaks: the next scan regresses it from COMPLIANT to NON_COMPLIANT.
    const p = await api.gql(
      `mutation($input: CreatePolicyInput!) { createPolicy(input: $input) { id } }`,
      { input: { name: 'owners', type: 'LABELS', mode: 'AUDIT', spec: { kinds: ['Namespace'], required: ['owner'] }, scope: { kind: 'ORGANIZATION' } } },
      org.token,
    );
    assert.equal(p.errors, undefined, JSON.stringify(p.errors));
    const second = await scanToEnd(org.token);
    const [regressed] = await eventually(() => Promise.resolve(ok.of('COMPLIANCE_REGRESSED')), (l) => l.length >= 1, { timeoutMs: 30_000, what: 'COMPLIANCE_REGRESSED' });
    const r = assertSigned(regressed, okHook.secret);
    assert.equal(r.data.scanId, second.id);
    assert.deepEqual(r.data.cluster, { id: clusterId, name: 'hook-scan' });
    assert.equal(r.data.previousStatus, 'COMPLIANT');
    assert.equal(r.data.status, 'NON_COMPLIANT');
    assert.ok(r.data.violationCount > 0);
    await eventually(() => Promise.resolve(ok.of('SCAN_FINISHED')), (l) => l.length >= 2, { timeoutMs: 30_000, what: 'the second SCAN_FINISHED' });
    // A third scan: still NON_COMPLIANT, so no new regression.
    await scanToEnd(org.token);
    await eventually(() => Promise.resolve(ok.of('SCAN_FINISHED')), (l) => l.length >= 3, { timeoutMs: 30_000, what: 'the third SCAN_FINISHED' });
    assert.equal(ok.of('COMPLIANCE_REGRESSED').length, 1);
  });

  test('a scan over no clusters is finished as it starts, and says so', async () => {
    const org = await api.newOrganization();
    const ok = await receiver(() => 200);
    const hook = await createWebhook(org.token, ok.url, ['SCAN_FINISHED']);
    const scan = await scanToEnd(org.token);
    const [got] = await eventually(() => Promise.resolve(ok.of('SCAN_FINISHED')), (l) => l.length >= 1, { timeoutMs: 30_000, what: 'SCAN_FINISHED' });
    const body = assertSigned(got, hook.secret);
    assert.deepEqual([body.data.scanId, body.data.clusterCount, body.data.status], [scan.id, 0, 'SUCCEEDED']);
  });

  test('CLUSTER_UNREACHABLE is published once per transition, in the sync that makes it', async () => {
    const org = await api.newOrganization();
    const clusterId = await attach(org.token, 'hook-down');
    const sync = worker.get(ClusterSyncService);
    await sync.sync({ organizationId: org.organizationId, clusterId });
    const ok = await receiver(() => 200);
    const hook = await createWebhook(org.token, ok.url, ['CLUSTER_UNREACHABLE']);
    const res = await rawRequest(sim, '/_sim/clusters/hook-down/faults', { method: 'PUT', body: { down: true } });
    assert.equal(res.status, 200);
    try {
      await sync.sync({ organizationId: org.organizationId, clusterId });
      await sync.sync({ organizationId: org.organizationId, clusterId });
      const [got] = await eventually(() => Promise.resolve(ok.of('CLUSTER_UNREACHABLE')), (l) => l.length >= 1, { timeoutMs: 30_000, what: 'CLUSTER_UNREACHABLE' });
      const body = assertSigned(got, hook.secret);
      assert.deepEqual(body.data.cluster, { id: clusterId, name: 'hook-down' });
      assert.notEqual(body.data.previousStatus, 'UNREACHABLE');
      assert.ok(body.data.reason);
      const events: Array<{ n: number }> = await db.query(`SELECT count(*)::int AS n FROM webhook_events WHERE organization_id = $1 AND type = 'CLUSTER_UNREACHABLE'`, [org.organizationId]);
      assert.equal(events[0].n, 1, 'the second failed sync is no new transition');
    } finally {
      await rawRequest(sim, '/_sim/clusters/hook-down/faults', { method: 'PUT', body: { down: false } });
    }
  });

  test('UPGRADE_FINISHED is published with the end state the recorder writes, once', async () => {
    const org = await api.newOrganization();
    const clusterId = await attach(org.token, 'hook-upgrade');
    const ok = await receiver(() => 200);
    const hook = await createWebhook(org.token, ok.url, ['UPGRADE_FINISHED']);
    const upgrades = worker.get(UpgradeRepository);
    const started = await db.transaction((tx) =>
      upgrades.start(tx, org.organizationId, {
        clusterId, fromVersion: 'v1.30.2', toVersion: 'v1.31.0', managementClusterId: clusterId, managementNamespace: 'default', managementName: 'hook-upgrade', createdBy: 'test',
      }),
    );
    assert.ok('created' in started);
    const recorder = worker.get(UpgradeOutcomeRecorder);
    assert.ok(await recorder.refusePreflight(org.organizationId, started.created.id, ['the target is not offered']));
    assert.equal(await recorder.refusePreflight(org.organizationId, started.created.id, ['again']), null);
    const [got] = await eventually(() => Promise.resolve(ok.of('UPGRADE_FINISHED')), (l) => l.length >= 1, { timeoutMs: 30_000, what: 'UPGRADE_FINISHED' });
    const body = assertSigned(got, hook.secret);
    assert.deepEqual({ ...body.data, error: typeof body.data.error }, {
      upgradeId: started.created.id, cluster: { id: clusterId, name: 'hook-upgrade' }, status: 'FAILED', fromVersion: 'v1.30.2', toVersion: 'v1.31.0', error: 'string',
    });
    const events: Array<{ n: number }> = await db.query(`SELECT count(*)::int AS n FROM webhook_events WHERE organization_id = $1 AND type = 'UPGRADE_FINISHED'`, [org.organizationId]);
    assert.equal(events[0].n, 1);
  });

  test('events older than the retention are pruned with their deliveries; newer ones stay', async () => {
    const counts = async () => (await db.query(`SELECT (SELECT count(*) FROM webhook_events)::int AS e, (SELECT count(*) FROM webhook_deliveries)::int AS d`))[0];
    const before = await counts();
    assert.ok(before.e > 0 && before.d > 0);
    const [old] = await db.query(`SELECT id FROM webhook_events ORDER BY created_at LIMIT 1`);
    const [{ n: oldDeliveries }] = await db.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE event_id = $1`, [old.id]);
    await db.query(`UPDATE webhook_events SET created_at = now() - interval '31 days' WHERE id = $1`, [old.id]);
    assert.equal(await worker.get(WebhookEventRetention).prune(), 1);
    assert.deepEqual(await counts(), { e: before.e - 1, d: before.d - oldDeliveries });
  });

  test('no secret is ever in a log line, an outbox row, a job record, a BullMQ job, an event, an audit event, or the webhooks table in clear', async () => {
    assert.ok(secrets.length >= 5, 'the tests above created webhooks');
    const haystacks: Array<[string, string]> = [['logs', logs.join('')]];
    for (const [name, sql] of [
      ['outbox', `SELECT * FROM outbox`],
      ['jobs', `SELECT * FROM jobs`],
      ['webhook_events', `SELECT * FROM webhook_events`],
      ['webhook_deliveries', `SELECT * FROM webhook_deliveries`],
      ['audit_events', `SELECT * FROM audit_events`],
      ['webhooks', `SELECT id, url, events, encode(secret_ciphertext, 'escape') AS c, encode(secret_ciphertext, 'base64') AS b FROM webhooks`],
    ]) {
      haystacks.push([name, JSON.stringify(await db.query(sql))]);
    }
    const outbox: Array<{ payload: Record<string, unknown> }> = await db.query(`SELECT payload FROM outbox WHERE queue = 'webhook'`);
    assert.ok(outbox.length > 0);
    for (const o of outbox) assert.deepEqual(Object.keys(o.payload).sort(), ['deliveryId', 'organizationId'], 'delivery jobs carry ids only');
    const redis = worker.get<Redis>(REDIS);
    const keys = await redis.keys(`{${api.config.queue.prefix}}:webhook:*`);
    assert.ok(keys.length > 0);
    for (const key of keys) {
      const type = await redis.type(key);
      if (type === 'hash') haystacks.push([key, JSON.stringify(await redis.hgetall(key))]);
    }
    assert.ok(logs.length > 0, 'the logs were captured');
    for (const secret of secrets) {
      for (const [name, text] of haystacks) assert.ok(!text.includes(secret) && !text.includes(secret.slice(6)), `a secret is in ${name}`);
    }
  });
});
