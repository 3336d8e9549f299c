import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ClusterClient } from '@flotilla/cluster-access';
import { ComplianceHistoryRepository } from '@flotilla/persistence';
import { eventually } from '@flotilla/testing';
import { isolatedEnv } from '@flotilla/testing/isolated-database';
import { DATA_SOURCE } from '@flotilla/infrastructure';
import { ApiHarness, startApiHarness } from '../../../api/src/testing/api-test-harness';
import { run } from '../../../cli/src/main';
import { captureIo } from '../../../cli/src/testing/fake-graphql-api';
import { startKubeSim, KubeSim } from '../../../kube-sim/src';
import { fallbackGenerateCluster } from '../../../kube-sim/src/fleet/fallback-content';
import { rawRequest } from '../../../kube-sim/src/testing/kube-sim.test-helper';
import { startWorkerHarness } from '../testing/worker-test-harness';
import { ComplianceClock } from './compliance-clock';
import { ExceptionExpiryCheck } from './exception-expiry.check';
import { ScanRetention } from './scan-retention';

// History over days of simulated time (the evaluation clock moved, no sleeping) and exceptions.
const CLUSTERS = ['hist-a', 'hist-b', 'hist-c', 'exc-1', 'enf-1'];
const DAY = 86_400_000;
const HOUR = 3_600_000;

let sim: KubeSim;
let api: ApiHarness;
let worker: INestApplicationContext;
let db: DataSource;
let clock: ComplianceClock;
const isolated = isolatedEnv('compliance_governance');
const cliDir = mkdtempSync(join(tmpdir(), 'flotilla-governance-'));

before(async () => {
  sim = await startKubeSim({ clusters: CLUSTERS.map((name) => ({ name, flavor: 'generic' as const })), generateCluster: fallbackGenerateCluster, tls: true });
  api = await startApiHarness({ ...isolated.env, FLOTILLA_KUBE_TIMEOUT_MS: '1500', FLOTILLA_SYNC_INTERVAL_SECONDS: '3600' });
  worker = await startWorkerHarness(api.config);
  db = worker.get(DATA_SOURCE);
  clock = worker.get(ComplianceClock);
});
after(async () => {
  await worker?.close();
  await api?.close();
  await sim?.stop();
  await isolated.drop();
});

const admin = (cluster: string) => ClusterClient.direct({ apiServerUrl: sim.clusterUrl(cluster), token: sim.adminToken(cluster), caPem: sim.caPem ?? null }, { timeoutMs: 5000 });
const at = (t: number) => () => new Date(t);

async function gql(token: string, query: string, variables: Record<string, unknown> = {}) {
  const r = await api.gql(query, variables, token);
  assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  return r.data;
}

async function attach(token: string, cluster: string): Promise<string> {
  const d = await gql(token, `mutation($input: AttachClusterInput!) { attachCluster(input: $input) { id } }`, {
    input: { name: cluster, apiServerUrl: sim.clusterUrl(cluster), token: sim.adminToken(cluster), caData: Buffer.from(sim.caPem ?? '').toString('base64') },
  });
  return d.attachCluster.id;
}

async function policy(token: string, name: string, type: string, spec: unknown, mode = 'AUDIT'): Promise<string> {
  const d = await gql(token, `mutation($input: CreatePolicyInput!) { createPolicy(input: $input) { id } }`, { input: { name, type, mode, spec, scope: { kind: 'ORGANIZATION' } } });
  return d.createPolicy.id;
}

/** A scan evaluated at the given time of the evaluation clock. */
async function scanAt(token: string, time: number, input: Record<string, unknown> = {}) {
  clock.now = at(time);
  const started = await gql(token, `mutation($input: RunComplianceScanInput!) { runComplianceScan(input: $input) { id } }`, { input });
  const done = await eventually(
    () => api.gql(`query($id: ID!) { scan(id: $id) { id status summary { compliant nonCompliant errored violations } } }`, { id: started.runComplianceScan.id }, token),
    (x) => x.data?.scan?.status === 'SUCCEEDED',
    { timeoutMs: 60_000, what: 'the scan to end' },
  );
  return done.data.scan as { id: string; summary: { compliant: number; nonCompliant: number; errored: number; violations: number } };
}

function namespace(name: string) {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}
function denyIngress(ns: string) {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny-in', namespace: ns }, spec: { podSelector: {}, policyTypes: ['Ingress'] } };
}
function pod(ns: string, name: string) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns }, spec: { containers: [{ name: 'app', image: 'nginx:1.27', securityContext: { privileged: true } }] } };
}

const TREND = `query($from: DateTime!, $to: DateTime!, $bucket: TrendBucket!) { fleetSummary { complianceTrend(from: $from, to: $to, bucket: $bucket) {
  at compliantClusters nonCompliantClusters erroredClusters violationCount } } }`;
const HISTORY = `query($id: ID!, $from: DateTime!, $to: DateTime!) { cluster(id: $id) { complianceHistory(from: $from, to: $to) { at policyName status violationCount scanId } } }`;
const point = (t: number, c: number, n: number, e: number, v: number) => ({ at: new Date(t).toISOString(), compliantClusters: c, nonCompliantClusters: n, erroredClusters: e, violationCount: v });

describe('compliance history and trends', () => {
  test('scans over simulated days write only changes; trend buckets carry state forward; deleting a cluster keeps its history', async () => {
    const org = await api.newOrganization();
    const a = await attach(org.token, 'hist-a');
    const b = await attach(org.token, 'hist-b');
    const c = await attach(org.token, 'hist-c');
    await policy(org.token, 'net', 'NETWORK', { defaultDeny: 'ingress' });
    // The evaluation clock ten days back (10:00 UTC), so a detach (stamped by the database's now) comes after every scan.
    const day0 = Math.floor(Date.now() / DAY) * DAY - 10 * DAY;
    const t0 = day0 + 10 * HOUR;

    // Day 0: all three lack a default deny in "default".
    const s1 = await scanAt(org.token, t0);
    assert.deepEqual(s1.summary, { compliant: 0, nonCompliant: 3, errored: 0, violations: 3 });
    // Day 0, later: nothing changed, so no history is written.
    await scanAt(org.token, t0 + 4 * HOUR);
    // Day 1: a complies; b gets a second namespace without a deny; c is down.
    await admin('hist-a').create(denyIngress('default'));
    await admin('hist-b').create(namespace('team-x'));
    const down = await rawRequest(sim, '/_sim/clusters/hist-c/faults', { method: 'PUT', body: { down: true } });
    assert.equal(down.status, 200, down.text);
    const s3 = await scanAt(org.token, t0 + DAY);
    assert.deepEqual(s3.summary, { compliant: 1, nonCompliant: 1, errored: 1, violations: 2 });
    // Day 3: c is back; no other change.
    await rawRequest(sim, '/_sim/clusters/hist-c/faults', { method: 'PUT', body: { down: false } });
    const s4 = await scanAt(org.token, t0 + 3 * DAY);
    assert.deepEqual(s4.summary, { compliant: 1, nonCompliant: 2, errored: 0, violations: 3 });

    const from = new Date(day0 - DAY).toISOString();
    const to = new Date(day0 + 5 * DAY - 1).toISOString();
    const history = await gql(org.token, HISTORY, { id: a, from, to });
    assert.deepEqual(history.cluster.complianceHistory, [
      { at: new Date(t0).toISOString(), policyName: 'net', status: 'NON_COMPLIANT', violationCount: 1, scanId: s1.id },
      { at: new Date(t0 + DAY).toISOString(), policyName: 'net', status: 'COMPLIANT', violationCount: 0, scanId: s3.id },
    ]);
    const historyC = await gql(org.token, HISTORY, { id: c, from, to });
    assert.deepEqual(
      historyC.cluster.complianceHistory.map((h: { status: string; violationCount: number }) => `${h.status}:${h.violationCount}`),
      ['NON_COMPLIANT:1', 'ERROR:0', 'NON_COMPLIANT:1'],
    );

    const days = await gql(org.token, TREND, { from, to, bucket: 'DAY' });
    assert.deepEqual(days.fleetSummary.complianceTrend, [
      point(day0 - DAY, 0, 0, 0, 0),
      point(day0, 0, 3, 0, 3),
      point(day0 + DAY, 1, 1, 1, 2),
      point(day0 + 2 * DAY, 1, 1, 1, 2),
      point(day0 + 3 * DAY, 1, 2, 0, 3),
      point(day0 + 4 * DAY, 1, 2, 0, 3),
    ]);
    const hours = await gql(org.token, TREND, { from: new Date(t0 - HOUR).toISOString(), to: new Date(t0 + DAY + 30 * 60_000).toISOString(), bucket: 'HOUR' });
    const h = hours.fleetSummary.complianceTrend;
    assert.equal(h.length, 26);
    assert.deepEqual(h[0], point(t0 - HOUR, 0, 0, 0, 0));
    assert.deepEqual(h[1], point(t0, 0, 3, 0, 3));
    assert.deepEqual(h[24], point(t0 + 23 * HOUR, 0, 3, 0, 3));
    assert.deepEqual(h[25], point(t0 + DAY, 1, 1, 1, 2));

    // Bad ranges name the argument.
    const backwards = await api.gql(TREND, { from: to, to: from, bucket: 'DAY' }, org.token);
    assert.equal(backwards.errors?.[0].extensions?.field, 'to');
    const tooMany = await api.gql(TREND, { from: new Date(day0 - 400 * DAY).toISOString(), to, bucket: 'HOUR' }, org.token);
    assert.equal(tooMany.errors?.[0].extensions?.field, 'from');

    // b is detached, then deleted outright: it stops counting from then on; what it was stays.
    await gql(org.token, `mutation($id: ID!) { detachCluster(id: $id) { id } }`, { id: b });
    await db.query(`DELETE FROM clusters WHERE id = $1`, [b]);
    const kept: Array<{ n: number; name: string }> = await db.query(
      `SELECT count(*)::int AS n, min(cluster_name) AS name FROM policy_compliance_transitions WHERE cluster_id = $1`,
      [b],
    );
    assert.deepEqual(kept[0], { n: 2, name: 'hist-b' });
    const bHistory = await worker.get(ComplianceHistoryRepository).clusterHistory(org.organizationId, b, new Date(from), new Date(to));
    assert.deepEqual(bHistory.map((r) => `${r.policyName}:${r.status}:${r.violationCount}`), ['net:NON_COMPLIANT:1', 'net:NON_COMPLIANT:2']);
    const afterDelete = await gql(org.token, TREND, { from, to, bucket: 'DAY' });
    assert.deepEqual(afterDelete.fleetSummary.complianceTrend, days.fleetSummary.complianceTrend, 'the past is unchanged');
    const today = await gql(org.token, TREND, { from: new Date().toISOString(), to: new Date(Date.now() + 1000).toISOString(), bucket: 'DAY' });
    assert.deepEqual(today.fleetSummary.complianceTrend.map((p: { compliantClusters: number; nonCompliantClusters: number; violationCount: number }) => [p.compliantClusters, p.nonCompliantClusters, p.violationCount]), [[1, 1, 1]]);

    // A deleted policy keeps its name in history.
    const policies = await gql(org.token, `{ policies { id name } }`);
    await gql(org.token, `mutation($id: ID!) { deletePolicy(id: $id) }`, { id: policies.policies[0].id });
    const still = await gql(org.token, HISTORY, { id: a, from, to });
    assert.deepEqual(still.cluster.complianceHistory.map((x: { policyName: string }) => x.policyName), ['net', 'net']);

    // Retention drops old changes but keeps every cluster's latest change, and the trend's running sums stay exact.
    await db.query(`UPDATE policy_compliance_transitions SET at = at - interval '800 days' WHERE organization_id = $1`, [org.organizationId]);
    await db.query(`UPDATE cluster_compliance_transitions SET at = at - interval '800 days' WHERE organization_id = $1`, [org.organizationId]);
    await db.query(`UPDATE compliance_trend_daily SET day = day - 800 WHERE organization_id = $1`, [org.organizationId]);
    const before = await gql(org.token, TREND, { from: new Date(Date.now() - 5 * DAY).toISOString(), to: new Date().toISOString(), bucket: 'DAY' });
    const pruned = await worker.get(ScanRetention).prune();
    // Changes: a 2, b 3 (one of them REMOVED), c 3; each cluster keeps its latest; days: 0, 1, 3 and the detach's.
    assert.deepEqual(pruned.history, { policyChanges: 7, clusterChanges: 5, days: 4 });
    const left: Array<{ n: number }> = await db.query(`SELECT count(*)::int AS n FROM cluster_compliance_transitions WHERE organization_id = $1`, [org.organizationId]);
    assert.equal(left[0].n, 3, "each cluster's latest change stays");
    const afterPrune = await gql(org.token, TREND, { from: new Date(Date.now() - 5 * DAY).toISOString(), to: new Date().toISOString(), bucket: 'DAY' });
    assert.deepEqual(afterPrune, before);
  });
});

describe('policy exceptions', () => {
  const REQUEST = `mutation($input: PolicyExceptionInput!) { requestPolicyException(input: $input) { id status expiresAt } }`;
  const APPROVE = `mutation($id: ID!) { approvePolicyException(id: $id) { id status approvedBy expiresAt } }`;
  const REVOKE = `mutation($id: ID!) { revokePolicyException(id: $id) { id status } }`;
  // The contract's ClusterExemptions, and the counted violations beside it.
  const EXEMPTIONS = `query ClusterExemptions($id: ID!) { cluster(id: $id) { id policyResults { policy { id name type } status exempted { kind namespace name message exceptionId } } } }`;
  const COUNTED = `query($id: ID!) { cluster(id: $id) { compliance { status violationCount } policyResults { policy { name } violations { kind namespace name } } } }`;
  const exemptions = async (token: string, id: string) => {
    const e = (await gql(token, EXEMPTIONS, { id })).cluster;
    const c = (await gql(token, COUNTED, { id })).cluster;
    const violations = new Map(c.policyResults.map((p: { policy: { name: string }; violations: unknown[] }) => [p.policy.name, p.violations]));
    return {
      compliance: c.compliance,
      policyResults: e.policyResults.map((p: { policy: { name: string } }) => ({ ...p, violations: violations.get(p.policy.name) })),
    };
  };

  test('approved by another admin, a namespace exception turns a non-compliant cluster compliant with its violations listed as exempted; after expiry they count again; the CLI gate follows', async () => {
    const org = await api.newOrganization();
    const token = async (name: string, role: string) =>
      (await gql(org.token, `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`, { input: { name, role } })).createApiToken.token as string;
    const operator = await token('ops', 'OPERATOR');
    const viewer = await token('ro', 'VIEWER');
    const secondAdmin = await token('admin-2', 'ADMIN');
    const k = admin('exc-1');
    await k.create(denyIngress('default'));
    await k.create(namespace('team-b'));
    await k.create(pod('team-b', 'priv'));
    const clusterId = await attach(org.token, 'exc-1');
    const net = await policy(org.token, 'net', 'NETWORK', { defaultDeny: 'ingress' });
    const pss = await policy(org.token, 'pss', 'SECURITY', { level: 'baseline' });
    const now = Date.now();
    const before = await scanAt(org.token, now);
    assert.deepEqual(before.summary, { compliant: 0, nonCompliant: 1, errored: 0, violations: 2 });

    const expiresAt = new Date(now + 2 * DAY).toISOString();
    const input = (policyId: string, target: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
      input: { policyId, target, reason: 'legacy batch jobs until migration', ticket: 'OPS-42', expiresAt, ...extra },
    });
    // Bad input names the field; a VIEWER cannot request.
    const bad: Array<[Record<string, unknown>, string]> = [
      [input(pss, { namespace: 'team-b' }, { expiresAt: new Date(now - 1000).toISOString() }), 'input.expiresAt'],
      [input(pss, { namespace: 'team-b' }, { expiresAt: new Date(now + 400 * DAY).toISOString() }), 'input.expiresAt'],
      [input(pss, {}), 'input.target'],
      [input(pss, { kind: 'Pod' }), 'input.target.name'],
      [input(pss, { namespace: 'Not_A_Namespace' }), 'input.target.namespace'],
      [input(pss, { namespace: 'team-b' }, { reason: '  ' }), 'input.reason'],
      [input('00000000-0000-4000-8000-000000000000', { namespace: 'team-b' }), 'input.policyId'],
    ];
    for (const [vars, field] of bad) {
      const r = await api.gql(REQUEST, vars, operator);
      assert.equal(r.errors?.[0].extensions?.code, 'BAD_USER_INPUT', JSON.stringify(r));
      assert.equal(r.errors?.[0].extensions?.field, field, r.errors?.[0].message);
    }
    assert.equal((await api.gql(REQUEST, input(pss, { namespace: 'team-b' }), viewer)).errors?.[0].extensions?.code, 'FORBIDDEN');

    const e1 = (await gql(operator, REQUEST, input(pss, { namespace: 'team-b' }))).requestPolicyException;
    assert.equal(e1.status, 'REQUESTED');
    const e2 = (await gql(org.token, REQUEST, input(net, { clusterId, namespace: 'team-b' }))).requestPolicyException;
    // An OPERATOR cannot approve; the requester cannot approve their own.
    assert.equal((await api.gql(APPROVE, { id: e1.id }, operator)).errors?.[0].extensions?.code, 'FORBIDDEN');
    const self = await api.gql(APPROVE, { id: e2.id }, org.token);
    assert.equal(self.errors?.[0].extensions?.code, 'FORBIDDEN');
    assert.match(self.errors?.[0].message ?? '', /another ADMIN must approve/);

    // Requested, not approved: nothing is exempted yet.
    const pending = await scanAt(org.token, now + 1000);
    assert.equal(pending.summary.nonCompliant, 1);

    const approved1 = (await gql(org.token, APPROVE, { id: e1.id })).approvePolicyException;
    assert.equal(approved1.status, 'APPROVED');
    assert.ok(approved1.approvedBy);
    assert.equal((await gql(secondAdmin, APPROVE, { id: e2.id })).approvePolicyException.status, 'APPROVED');
    assert.equal((await api.gql(APPROVE, { id: e2.id }, org.token)).errors?.[0].extensions?.code, 'FORBIDDEN');

    const exempt = await scanAt(org.token, now + 2000);
    assert.deepEqual(exempt.summary, { compliant: 1, nonCompliant: 0, errored: 0, violations: 0 });
    const r = (await exemptions(org.token, clusterId));
    assert.deepEqual(r.compliance, { status: 'COMPLIANT', violationCount: 0 });
    const byName = Object.fromEntries(r.policyResults.map((p: { policy: { name: string } }) => [p.policy.name, p]));
    assert.equal(byName.pss.status, 'COMPLIANT');
    assert.deepEqual(byName.pss.violations, []);
    assert.deepEqual(byName.pss.exempted.map((v: { kind: string; namespace: string; name: string; exceptionId: string }) => [v.kind, v.namespace, v.name, v.exceptionId]), [['Pod', 'team-b', 'priv', e1.id]]);
    assert.deepEqual(byName.net.exempted.map((v: { kind: string; name: string; exceptionId: string }) => [v.kind, v.name, v.exceptionId]), [['Namespace', 'team-b', e2.id]]);

    // The CLI gate follows: exempted violations do not fail it.
    const env = { FLOTILLA_API_URL: api.url, FLOTILLA_TOKEN: org.token, FLOTILLA_CONFIG: join(cliDir, 'absent.json') };
    const cli = async (...args: string[]) => {
      const io = captureIo();
      const code = await run(args, { io: io.io, env });
      return { code, out: io.out, err: io.err };
    };
    clock.now = at(now + 3000);
    const pass = await cli('scan', 'run', '--wait');
    assert.equal(pass.code, 0, pass.out + pass.err);
    assert.match(pass.out, /trend: 1 compliant cluster now, 1 at the previous scan \(±0\)/);

    // The listing computes EXPIRED from the clock; both are approved and unexpired now.
    const listed = await gql(org.token, `query($status: [PolicyExceptionStatus!]) { policyExceptions(status: $status) { id status policy { name } target { clusterId namespace } requestedBy approvedBy } }`, { status: ['APPROVED'] });
    assert.deepEqual(listed.policyExceptions.map((e: { policy: { name: string } }) => e.policy.name).sort(), ['net', 'pss']);

    // Revoked: applies no more, at the next evaluation; the gate fails and the trend says so.
    assert.equal((await api.gql(REVOKE, { id: e1.id }, operator)).errors?.[0].extensions?.code, 'FORBIDDEN', 'an operator cannot revoke an approved exception');
    assert.equal((await gql(org.token, REVOKE, { id: e1.id })).revokePolicyException.status, 'REVOKED');
    clock.now = at(now + 4000);
    const fail = await cli('scan', 'run', '--wait');
    assert.equal(fail.code, 1, fail.out);
    assert.match(fail.out, /SUCCEEDED: 0 compliant, 1 non-compliant, 0 errored, 1 violations/);
    assert.match(fail.out, /trend: 0 compliant clusters now, 1 at the previous scan \(-1\)/);

    // Expiry: the evaluation clock past expiresAt, and the other exception's violation counts again (no timer involved).
    const expired = await scanAt(org.token, now + 2 * DAY + 1000);
    assert.deepEqual(expired.summary, { compliant: 0, nonCompliant: 1, errored: 0, violations: 2 });
    const after = await exemptions(org.token, clusterId);
    assert.ok(after.policyResults.every((p: { exempted: unknown[] }) => p.exempted.length === 0));

    const actions: Array<{ action: string }> = await db.query(`SELECT action FROM audit_events WHERE organization_id = $1 AND target_type = 'PolicyException' AND outcome = 'SUCCESS' ORDER BY at, id`, [org.organizationId]);
    assert.deepEqual(actions.map((x) => x.action), ['policyException.request', 'policyException.request', 'policyException.approve', 'policyException.approve', 'policyException.revoke']);

    // EXCEPTION_EXPIRING: e2 expires within 7 days; it is noticed once, however many checks run.
    const check = worker.get(ExceptionExpiryCheck);
    const [first, second] = await Promise.all([check.check(), check.check()]);
    assert.deepEqual([...first, ...second].filter((id) => id === e2.id), [e2.id]);
    assert.deepEqual(await check.check(), []);

    // flotilla exception request | list | approve | revoke.
    const asOperator = async (...args: string[]) => {
      const io = captureIo();
      const code = await run(args, { io: io.io, env: { ...env, FLOTILLA_TOKEN: operator } });
      return { code, out: io.out, err: io.err };
    };
    const requested = await asOperator('exception', 'request', '--policy', 'pss', '--cluster', 'exc-1', '--namespace', 'team-c', '--reason', 'vendor chart', '--ticket', 'OPS-7', '--expires', '10d', '-o', 'json');
    assert.equal(requested.code, 0, requested.err);
    const id = JSON.parse(requested.out).id as string;
    const own = await asOperator('exception', 'approve', id);
    assert.notEqual(own.code, 0);
    const listedCli = await cli('exception', 'list', '--status', 'REQUESTED', '-o', 'json');
    assert.deepEqual(JSON.parse(listedCli.out).map((e: { id: string; target: { namespace: string } }) => [e.id, e.target.namespace]), [[id, 'team-c']]);
    const ok = await cli('exception', 'approve', id);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, new RegExp(`exception/${id} approved by`));
    const table = await cli('exception', 'list', '--status', 'APPROVED');
    assert.match(table.out, /pss\s+cluster [0-9a-f-]+, namespace team-c\s+APPROVED/);
    const gone = await cli('exception', 'revoke', id);
    assert.match(gone.out, new RegExp(`exception/${id} revoked`));
    const tooLong = await asOperator('exception', 'request', '--policy', 'pss', '--namespace', 'team-c', '--reason', 'x', '--expires', '400d');
    assert.equal(tooLong.code, 1);
    assert.match(tooLong.err, /input\.expiresAt/);
  });

  test('ENFORCE does not act where an approved exception applies, and reports what it waives', async () => {
    const org = await api.newOrganization();
    const approver = (await gql(org.token, `mutation { createApiToken(input: { name: "approver", role: ADMIN }) { token } }`)).createApiToken.token as string;
    const k = admin('enf-1');
    await k.create(namespace('team-a'));
    await k.create(namespace('team-b'));
    const clusterId = await attach(org.token, 'enf-1');
    const net = await policy(org.token, 'net', 'NETWORK', { defaultDeny: 'ingress' }, 'ENFORCE');
    const e = (
      await gql(org.token, `mutation($input: PolicyExceptionInput!) { requestPolicyException(input: $input) { id } }`, {
        input: { policyId: net, target: { namespace: 'team-b' }, reason: 'team-b runs an ingress controller', expiresAt: new Date(Date.now() + DAY).toISOString() },
      })
    ).requestPolicyException;
    await gql(approver, `mutation($id: ID!) { approvePolicyException(id: $id) { id } }`, { id: e.id });
    const scan = await scanAt(org.token, Date.now());
    assert.deepEqual(scan.summary, { compliant: 1, nonCompliant: 0, errored: 0, violations: 0 });
    const managed = (await k.list('NetworkPolicy')).filter((o) => o.metadata.labels?.['app.kubernetes.io/managed-by'] === 'flotilla');
    assert.deepEqual(managed.map((o) => o.metadata.namespace).sort(), ['default', 'team-a'], 'nothing applied in the exempted namespace');
    const r = (await gql(org.token, `query($id: ID!) { cluster(id: $id) { policyResults { status exempted { kind name exceptionId } } } }`, { id: clusterId })).cluster.policyResults[0];
    assert.deepEqual(r, { status: 'COMPLIANT', exempted: [{ kind: 'Namespace', name: 'team-b', exceptionId: e.id }] });
  });
});
