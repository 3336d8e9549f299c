import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { GraphQLSchemaHost } from '@nestjs/graphql';
import { Client } from 'pg';
import { TEST_CA_DATA } from '@flotilla/testing';
import { isolatedEnv } from '@flotilla/testing/isolated-database';
import { ApiHarness, startApiHarness } from './testing/api-test-harness';
import { FuzzTarget, documentFor, fuzzTargets, variablesFor } from './testing/hostile-input.arbitraries';

/**
 * Property: whatever a client sends to any argument of the served schema (derived from the schema,
 * so a new field is fuzzed without being listed), with an ADMIN token, the API answers without an
 * internal error, a refused call stores and changes nothing, and /healthz stays responsive.
 * Seeded and time-bounded so `npm test` stays fast.
 */
const SEED = 20261202;
const RUNS_PER_FIELD = 25;
/** Each field's share of the budget (about 30 s for every field together on a loaded machine). */
const MS_PER_FIELD = 1200;
/** Fields not fuzzed, each with its reason. None today: every field takes hostile input safely. */
const SKIP: Record<string, string> = {};

// What a refused call must leave untouched, scoped to the organization. Audit events are left out on
// purpose: a refusal may be audited (a failed upgrade start, a DENIED mutation). api_tokens are
// compared without last_used_at, which every authenticated request moves.
const SNAPSHOT_SQL = `SELECT json_build_object(${[
  'clusters',
  'cluster_credentials',
  'cluster_groups',
  'policies',
  'scans',
  'scan_clusters',
  'scan_schedules',
  'upgrades',
  'inspections',
  'jobs',
  'webhooks',
]
  .map((t) => `'${t}', (SELECT md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM ${t} x WHERE x.organization_id = $1)`)
  .join(', ')},
  'api_tokens', (SELECT md5(coalesce(string_agg((x.id, x.name, x.role, x.expires_at, x.revoked_at)::text, '|' ORDER BY x.id), '')) FROM api_tokens x WHERE x.organization_id = $1),
  'outbox', (SELECT md5(coalesce(string_agg(x.id::text, '|' ORDER BY x.id), '')) FROM outbox x WHERE x.payload->>'organizationId' = $1::text)
) AS s`;

let api: ApiHarness;
let pg: Client;
let targets: FuzzTarget[];
const known: { ids: string[] } = { ids: [] };
// Its own database and queue prefix: no other file's worker syncs (and so changes) these rows.
const isolated = isolatedEnv('hostile_input');

before(async () => {
  // Rate limits are another property (and would turn later calls into RATE_LIMITED answers).
  api = await startApiHarness({ ...isolated.env, FLOTILLA_RATE_LIMIT_PER_MINUTE: '0' });
  pg = new Client({ connectionString: api.config.database.url });
  await pg.connect();
  targets = fuzzTargets(api.app.get(GraphQLSchemaHost).schema);
  // Objects of every kind the arguments name, so ids are sometimes found and nested fields resolve.
  const group = await api.gql(`mutation { createClusterGroup(input: { name: "fuzz-group" }) { id } }`);
  const cluster = await api.gql(`mutation($input: AttachClusterInput!) { attachCluster(input: $input) { id } }`, {
    input: { name: 'fuzz-seed', apiServerUrl: 'https://127.0.0.1:1/clusters/fuzz-seed', token: 'sa-token-abcdefgh', caData: TEST_CA_DATA },
  });
  const policy = await api.gql(`mutation { createPolicy(input: { name: "fuzz-policy", type: NETWORK, mode: AUDIT, spec: { defaultDeny: "ingress" }, scope: { kind: ORGANIZATION } }) { id } }`);
  for (const r of [group, cluster, policy]) assert.equal(r.errors, undefined, JSON.stringify(r.errors));
  known.ids.push(group.data.createClusterGroup.id, cluster.data.attachCluster.id, policy.data.createPolicy.id);
});

after(async () => {
  await pg?.end();
  await api?.close();
  await isolated.drop();
});

async function snapshot(): Promise<Record<string, string>> {
  return (await pg.query<{ s: Record<string, string> }>(SNAPSHOT_SQL, [api.organizationId])).rows[0].s;
}

async function post(document: string, variables: Record<string, unknown>): Promise<{ status: number; body: any }> {
  const res = await fetch(`${api.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${api.adminToken}` },
    body: JSON.stringify({ query: document, variables }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let body: any = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = { unparsed: text.slice(0, 200) };
  }
  return { status: res.status, body };
}

async function assertResponsive(): Promise<void> {
  const started = performance.now();
  const res = await fetch(`${api.url}/healthz`, { signal: AbortSignal.timeout(2000) });
  assert.equal(res.status, 200);
  assert.ok(performance.now() - started < 2000, '/healthz answered within 2 s');
}

test('the fuzzed fields are derived from the schema: every mutation, every query argument, nested ones too', () => {
  const coordinates = targets.map((t) => t.coordinate);
  for (const c of ['Mutation.attachCluster', 'Mutation.updateCluster', 'Mutation.createPolicy', 'Query.clusters', 'Query.cluster', 'Query.auditEvents', 'Cluster.upgrades', 'Cluster.inspections']) {
    assert.ok(coordinates.includes(c), c);
  }
  const mutations = Object.keys(api.app.get(GraphQLSchemaHost).schema.getMutationType()?.getFields() ?? {});
  assert.equal(coordinates.filter((c) => c.startsWith('Mutation.')).length, mutations.length);
  for (const skipped of Object.keys(SKIP)) assert.ok(coordinates.includes(skipped), `skip list names a field that exists: ${skipped}`);
});

test('hostile strings and numbers in any argument: no internal error, nothing stored when refused, /healthz responsive', async () => {
  // Queries first: the mutations may detach the seeded cluster nested fields hang under.
  const ordered = [...targets.filter((t) => t.operation === 'query'), ...targets.filter((t) => t.operation === 'mutation')].filter((t) => !(t.coordinate in SKIP));
  const failures: string[] = [];
  let calls = 0;
  for (const [i, target] of ordered.entries()) {
    const document = documentFor(target);
    await fc.assert(
      fc.asyncProperty(variablesFor(target, known), async (variables) => {
        const before = await snapshot();
        const { status, body } = await post(document, variables);
        calls++;
        const shown = `${target.coordinate} ${JSON.stringify(variables).slice(0, 300)}`;
        assert.ok(status < 500, `HTTP ${status} for ${shown}`);
        const errors: Array<{ message?: string; extensions?: { code?: string } }> = body?.errors ?? [];
        const internal = errors.find((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR' || e.message === 'internal error');
        assert.equal(internal, undefined, `internal error for ${shown}`);
        assert.ok(body && (body.data !== undefined || errors.length > 0), `no GraphQL answer for ${shown}: ${JSON.stringify(body).slice(0, 200)}`);
        if (errors.length > 0 && target.operation === 'mutation') {
          assert.deepEqual(await snapshot(), before, `a refused call changed stored rows: ${shown} → ${errors[0]?.message?.slice(0, 200)}`);
        }
        await assertResponsive();
      }),
      { seed: SEED + i, numRuns: RUNS_PER_FIELD, interruptAfterTimeLimit: MS_PER_FIELD, endOnFailure: true },
    ).catch((err: Error) => failures.push(err.message.split('\n').slice(0, 12).join('\n')));
  }
  assert.deepEqual(failures, []);
  assert.ok(calls >= ordered.length, `each field was called at least once (${calls} calls over ${ordered.length} fields)`);
});
