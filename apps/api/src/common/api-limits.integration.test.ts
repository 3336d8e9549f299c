import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { InspectionRepository } from '@flotilla/persistence';
import { createTlsMaterial } from '../../../kube-sim/src/tls/certificate-authority';
import { DATA_SOURCE } from '@flotilla/infrastructure';
import { ApiHarness, startApiHarness } from '../testing/api-test-harness';

/**
 * The API surface as an attacker meets it: hostile documents, missing and bad tokens, floods,
 * aliasing, batches of mutations, refused mutations in the audit log, and what errors and metrics
 * give away. This file has its own queue prefix, so its rate-limit windows are its own; the first
 * harness trusts the loopback proxy, so each test speaks from an address of its own (X-Forwarded-For).
 */
/** Above FLOTILLA_GRAPHQL_MAX_COST's default (250,000): any one allowed query fits. */
const COST_BUDGET = 300_000;
const ANONYMOUS_BUDGET = 20;
/** Generous for a loaded 2-core CI box; the attack took 34 s before. */
const FAST_MS = 1000;

let api: ApiHarness;
let untrusting: ApiHarness;
before(async () => {
  const prefix = `flotilla-apisec-${randomBytes(4).toString('hex')}`;
  const env = {
    FLOTILLA_QUEUE_PREFIX: prefix,
    FLOTILLA_RATE_LIMIT_PER_MINUTE: String(COST_BUDGET),
    FLOTILLA_ANONYMOUS_RATE_LIMIT_PER_MINUTE: String(ANONYMOUS_BUDGET),
    FLOTILLA_GRAPHQL_INTROSPECTION: 'false',
  };
  api = await startApiHarness({ ...env, FLOTILLA_TRUST_PROXY: 'loopback' });
  untrusting = await startApiHarness({ ...env, FLOTILLA_QUEUE_PREFIX: `${prefix}-b` });
});
after(async () => {
  await api?.close();
  await untrusting?.close();
});

let addressCounter = 1;
/** A loopback address no other test uses (only believed by the harness that trusts loopback). */
const newAddress = () => `127.0.${Math.floor(++addressCounter / 250)}.${(addressCounter % 250) + 1}`;

interface Answer {
  status: number;
  headers: Headers;
  body: any;
  ms: number;
}
async function post(target: ApiHarness, body: unknown, opts: { token?: string | null; address?: string; raw?: boolean } = {}): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(`${target.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.address ? { 'x-forwarded-for': opts.address } : {}),
    },
    body: opts.raw ? (body as string) : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, headers: res.headers, body: parsed, ms: performance.now() - started };
}

async function healthzMs(): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${api.url}/healthz`);
  assert.equal(res.status, 200);
  return performance.now() - started;
}

/** Fragments that each spread the previous one twice, 24 levels deep: the probe of the issue. */
function doublingFragments(levels = 24): string {
  let doc = `{viewer{...F${levels}}} fragment F0 on Viewer{role}`;
  for (let i = 1; i <= levels; i++) doc += ` fragment F${i} on Viewer{...F${i - 1} ...F${i - 1}}`;
  return doc;
}

const BODY_LIMIT = 1024 * 1024;
const fill = (unit: string, wrap: (s: string) => string) => wrap(unit.repeat(Math.floor((BODY_LIMIT - 200) / unit.length)));

describe('hostile documents', () => {
  const hostile: Array<[string, string]> = [
    ['fragments doubling 24 levels deep', doublingFragments()],
    ['fragments doubling 400 levels deep', doublingFragments(400)],
    ['the same field 2,000 times in one selection', `{ viewer { ${'role '.repeat(2000)} } }`],
    ['a body-limit document of one field repeated', fill('role ', (s) => `{ viewer { ${s} } }`)],
    ['400 small fragments spread side by side', `{ viewer { ${Array.from({ length: 400 }, (_, i) => `...F${i}`).join(' ')} } } ${Array.from({ length: 400 }, (_, i) => `fragment F${i} on Viewer { organization { id } }`).join(' ')}`],
    ['a thousand aliased reads', `{ ${Array.from({ length: 1000 }, (_, i) => `a${i}: viewer { role }`).join(' ')} }`],
    ['nesting 1,500 levels deep', `${'{ a '.repeat(1500)}${'}'.repeat(1500)}`],
    ['a body-limit run of directives', fill('@include(if: true) ', (s) => `{ viewer { role ${s} } }`)],
    ['a body-limit run of operations without operationName', fill('query { viewer { role } } ', (s) => s)],
    ['a JSON AST instead of GraphQL source', JSON.stringify({ kind: 'Document', definitions: [] })],
  ];

  test('each is refused (or answered) fast, authenticated or not, and /healthz answers meanwhile', async (t) => {
    for (const [name, query] of hostile) {
      const anonymous = post(api, { query }, { address: newAddress() });
      const authenticated = post(api, { query }, { token: api.adminToken });
      const health = healthzMs();
      const [a, b, h] = await Promise.all([anonymous, authenticated, health]);
      t.diagnostic(`${name}: ${query.length} bytes, unauthenticated ${a.ms.toFixed(1)} ms (${a.status}), authenticated ${b.ms.toFixed(1)} ms (${b.status}), /healthz ${h.toFixed(1)} ms`);
      assert.equal(a.status, 401, name);
      assert.ok(a.ms < FAST_MS && b.ms < FAST_MS && h < FAST_MS, `${name}: ${a.ms} / ${b.ms} / ${h} ms`);
      if (b.status !== 200) assert.ok(b.status === 400 || b.status === 413, `${name}: ${b.status} ${JSON.stringify(b.body).slice(0, 300)}`);
      assert.ok(!JSON.stringify(b.body).includes('INTERNAL_SERVER_ERROR'), `${name}: ${JSON.stringify(b.body).slice(0, 300)}`);
    }
  });

  test('the doubling fragments are refused as too expensive, before validation', async () => {
    const r = await post(api, { query: doublingFragments() }, { token: api.adminToken });
    assert.equal(r.status, 400);
    assert.equal(r.body.errors[0].extensions.code, 'QUERY_TOO_EXPENSIVE');
  });

  test('a page size passed as a variable is costed with its value', async () => {
    const { token } = await api.newOrganization();
    const q = `query($n: Int) { clusters(first: $n) { edges { node { policyResults { violations { message } } } } } }`;
    const small = await post(api, { query: q, variables: { n: 1 } }, { token });
    assert.equal(small.status, 200, JSON.stringify(small.body));
    const big = await post(api, { query: q, variables: { n: 200 } }, { token });
    assert.equal(big.body.errors?.[0].extensions?.code, 'QUERY_TOO_EXPENSIVE', JSON.stringify(big.body));
  });
});

describe('authentication and rate limits answer in HTTP too', () => {
  test('no token: 401 with WWW-Authenticate: Bearer; a made-up one adds error="invalid_token"', async () => {
    const none = await post(api, { query: '{ viewer { role } }' }, { address: newAddress() });
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer realm="flotilla"');
    assert.equal(none.body.errors[0].extensions.code, 'UNAUTHENTICATED');
    const fake = await post(api, { query: '{ viewer { role } }' }, { token: `flt_${'a'.repeat(12)}_${'b'.repeat(43)}`, address: newAddress() });
    assert.equal(fake.status, 401);
    assert.equal(fake.headers.get('www-authenticate'), 'Bearer realm="flotilla", error="invalid_token"');
    assert.equal(fake.body.errors[0].extensions.code, 'UNAUTHENTICATED');
  });

  test('an address sending requests without a valid token is limited: 429 with Retry-After', async () => {
    const address = newAddress();
    const statuses: number[] = [];
    for (let i = 0; i < ANONYMOUS_BUDGET + 2; i++) {
      const token = i % 2 ? `flt_${randomBytes(6).toString('hex')}_${'c'.repeat(43)}` : null;
      statuses.push((await post(api, { query: '{ viewer { role } }' }, { token, address })).status);
    }
    assert.deepEqual(statuses.slice(0, ANONYMOUS_BUDGET), Array(ANONYMOUS_BUDGET).fill(401));
    const limited = await post(api, { query: '{ viewer { role } }' }, { address });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1 && Number(limited.headers.get('retry-after')) <= 60);
    assert.equal(limited.body.errors[0].extensions.code, 'RATE_LIMITED');
    // Another address is not affected.
    assert.equal((await post(api, { query: '{ viewer { role } }' }, { address: newAddress() })).status, 401);
  });

  test('without FLOTILLA_TRUST_PROXY, X-Forwarded-For does not buy a new address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < ANONYMOUS_BUDGET + 1; i++) statuses.push((await post(untrusting, { query: '{ viewer { role } }' }, { address: newAddress() })).status);
    assert.equal(statuses[ANONYMOUS_BUDGET], 429, statuses.join(','));
  });

  test('aliasing buys nothing: the token spends the cost of every read', async () => {
    const org = await api.newOrganization();
    const read = 'clusterGroups { id name description clusterCount }';
    const aliased = `{ ${Array.from({ length: 20 }, (_, i) => `r${i}: ${read}`).join(' ')} }`;
    let aliasedReads = 0;
    let refused: Answer | undefined;
    for (let i = 0; i < 50 && !refused; i++) {
      const r = await post(api, { query: aliased }, { token: org.token });
      if (r.status === 200) aliasedReads += 20;
      else refused = r;
    }
    assert.equal(refused?.status, 429, JSON.stringify(refused?.body));
    assert.equal(refused?.body.errors[0].extensions.code, 'RATE_LIMITED');
    assert.ok(Number(refused?.headers.get('retry-after')) >= 1);

    const other = await api.newOrganization();
    let singleReads = 0;
    for (let i = 0; i < 1000; i++) {
      const r = await post(api, { query: `{ ${read} }` }, { token: other.token });
      if (r.status !== 200) break;
      singleReads += 1;
    }
    assert.ok(aliasedReads <= singleReads, `aliased ${aliasedReads}, single ${singleReads}`);
    assert.ok(singleReads < 1000, 'the budget is spent by cost');
    // A thousand aliases are refused outright (past the token cap even before the alias cap).
    const fresh = (await api.newOrganization()).token;
    const thousand = await post(api, { query: `{ ${Array.from({ length: 1000 }, (_, i) => `r${i}: ${read}`).join(' ')} }` }, { token: fresh });
    assert.equal(thousand.status, 400);
    assert.match(thousand.body.errors[0].message, /more tha[nt] 5000 tokens/);
    const forty = await post(api, { query: `{ ${Array.from({ length: 40 }, (_, i) => `r${i}: viewer { role }`).join(' ')} }` }, { token: fresh });
    assert.equal(forty.status, 400);
    assert.equal(forty.body.errors[0].extensions.code, 'QUERY_TOO_COMPLEX');
  });

  test('eleven mutation fields in one request are refused and store nothing; ten run', async () => {
    const org = await api.newOrganization();
    const batch = (n: number, tag: string) =>
      `mutation { ${Array.from({ length: n }, (_, i) => `g${i}: createClusterGroup(input: { name: "${tag}-${i}" }) { id }`).join(' ')} }`;
    const eleven = await post(api, { query: batch(11, 'eleven') }, { token: org.token });
    assert.equal(eleven.status, 400);
    assert.equal(eleven.body.errors[0].extensions.code, 'QUERY_TOO_COMPLEX');
    assert.match(eleven.body.errors[0].message, /11 mutation fields; at most 10/);
    const groups = await post(api, { query: '{ clusterGroups { name } }' }, { token: org.token });
    assert.deepEqual(groups.body.data.clusterGroups, []);
    const ten = await post(api, { query: batch(10, 'ten') }, { token: org.token });
    assert.equal(ten.status, 200, JSON.stringify(ten.body));
  });
});

describe('what answers give away', () => {
  test('with introspection off, errors carry no "Did you mean" suggestions', async () => {
    const { token } = await api.newOrganization();
    const r = await post(api, { query: '{ clusterz { id } viewer { rol } }' }, { token });
    assert.equal(r.status, 400);
    assert.ok(r.body.errors.length >= 2);
    for (const e of r.body.errors) assert.doesNotMatch(e.message, /Did you mean/);
    const enumValue = await post(api, { query: 'query($s: [ClusterStatus!]) { clusters(filter: { statuses: $s }) { totalCount } }', variables: { s: ['CONNECTD'] } }, { token });
    assert.ok(enumValue.body.errors.length >= 1);
    for (const e of enumValue.body.errors) assert.doesNotMatch(e.message, /Did you mean/);
  });

  test('operation names outside the known operations are counted as `other` in /metrics', async () => {
    const { token } = await api.newOrganization();
    const invented = `Invented${randomBytes(4).toString('hex')}`;
    await post(api, { query: `query ${invented} { viewer { role } }`, operationName: invented }, { token });
    await post(api, { query: 'query CliWhoAmI { viewer { role } }', operationName: 'CliWhoAmI' }, { token });
    const metrics = await (await fetch(`${api.url}/metrics`, { headers: { 'x-forwarded-for': newAddress() } })).text();
    assert.ok(!metrics.includes(invented));
    assert.match(metrics, /flotilla_graphql_operations_total\{operation="other",outcome="ok"\} \d+/);
    assert.match(metrics, /flotilla_graphql_operations_total\{operation="CliWhoAmI",outcome="ok"\} \d+/);
  });

  test('a failing field resolver keeps its domain code, and a driver error reaches the client as a generic internal error', async () => {
    const { token } = await api.newOrganization();
    const tls = await createTlsMaterial('apisec-test-ca');
    const attached = await post(
      api,
      {
        query: 'mutation($input: AttachClusterInput!) { attachCluster(input: $input) { id } }',
        variables: { input: { name: 'field-errors-01', apiServerUrl: 'https://127.0.0.1:6443/clusters/field-errors-01', token: 'sa-token-abcdefgh', caData: Buffer.from(tls.caPem).toString('base64') } },
      },
      { token },
    );
    const id = attached.body.data?.attachCluster?.id as string;
    assert.ok(id, JSON.stringify(attached.body));
    const q = `query($id: ID!, $after: String) { cluster(id: $id) { name inspections(first: 5, after: $after) { edges { node { id } } } } }`;

    const badCursor = await post(api, { query: q, variables: { id, after: 'not-a-cursor' } }, { token });
    assert.equal(badCursor.body.errors[0].extensions.code, 'BAD_USER_INPUT');
    assert.equal(badCursor.body.errors[0].extensions.field, 'after');
    assert.equal(badCursor.body.data.cluster, null, 'the non-null connection takes its nullable parent with it');

    // A real driver error below a field resolver: PostgreSQL's own "division by zero".
    const inspections = api.app.get(InspectionRepository);
    const db = api.app.get<DataSource>(DATA_SOURCE);
    const original = inspections.pagesForClusters.bind(inspections);
    inspections.pagesForClusters = async () => (await db.query('SELECT 1 / 0 AS boom')) as never;
    try {
      const failed = await post(api, { query: q, variables: { id } }, { token });
      assert.equal(failed.body.errors[0].extensions.code, 'INTERNAL_SERVER_ERROR');
      assert.equal(failed.body.errors[0].message, 'internal error');
      assert.doesNotMatch(JSON.stringify(failed.body), /division|SELECT|boom/);
    } finally {
      inspections.pagesForClusters = original;
    }
  });
});

describe('refused mutations in the audit log', () => {
  test('FORBIDDEN by role and NOT_FOUND for an id that is not ours leave DENIED events; ids are UUIDv7 and pages stay stable', async () => {
    const org = await api.newOrganization();
    const created = await post(api, { query: 'mutation { createApiToken(input: { name: "viewer-1", role: VIEWER }) { token } }' }, { token: org.token });
    const viewerToken = created.body.data.createApiToken.token as string;
    const group = await post(api, { query: 'mutation { createClusterGroup(input: { name: "denied-audit" }) { id } }' }, { token: org.token });
    assert.equal(group.status, 200);

    const forbidden = await post(api, { query: 'mutation { createClusterGroup(input: { name: "not-allowed" }) { id } }' }, { token: viewerToken });
    assert.equal(forbidden.body.errors[0].extensions.code, 'FORBIDDEN');
    const stranger = await api.newOrganization();
    const foreign = await post(api, { query: `mutation { detachCluster(id: "${group.body.data.createClusterGroup.id}") { id } }` }, { token: stranger.token });
    assert.equal(foreign.body.errors[0].extensions.code, 'NOT_FOUND');
    const unknown = await post(api, { query: 'mutation { detachCluster(id: "00000000-0000-4000-8000-000000000000") { id } }' }, { token: org.token });
    assert.equal(unknown.body.errors[0].extensions.code, 'NOT_FOUND');

    const page = `query($first: Int, $after: String) { auditEvents(first: $first, after: $after) { edges { cursor node { id action outcome actor targetId } } pageInfo { hasNextPage endCursor } } }`;
    const all = await post(api, { query: page, variables: { first: 50 } }, { token: org.token });
    const events = all.body.data.auditEvents.edges.map((e: any) => e.node);
    assert.deepEqual(
      events.map((e: any) => [e.action, e.outcome]),
      [
        ['detachCluster', 'DENIED'],
        ['createClusterGroup', 'DENIED'],
        ['clusterGroup.create', 'SUCCESS'],
        ['apiToken.create', 'SUCCESS'],
        ...events.slice(4).map((e: any) => [e.action, e.outcome]),
      ],
    );
    assert.equal(events[1].actor, 'token:viewer-1');
    for (const e of events) assert.match(e.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const strangerEvents = (await post(api, { query: page, variables: { first: 50 } }, { token: stranger.token })).body.data.auditEvents.edges.map((e: any) => e.node);
    assert.deepEqual(strangerEvents.map((e: any) => [e.action, e.outcome, e.targetId]).slice(0, 1), [['detachCluster', 'DENIED', null]]);

    // One event per page walks the same list in the same order.
    const walked: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 50; i++) {
      const r: Answer = await post(api, { query: page, variables: { first: 1, after } }, { token: org.token });
      walked.push(...r.body.data.auditEvents.edges.map((e: any) => e.node.id));
      if (!r.body.data.auditEvents.pageInfo.hasNextPage) break;
      after = r.body.data.auditEvents.pageInfo.endCursor;
    }
    assert.deepEqual(walked, events.map((e: any) => e.id));
    const badCursor = await post(api, { query: page, variables: { first: 1, after: Buffer.from('[12,"12"]').toString('base64url') } }, { token: org.token });
    assert.equal(badCursor.body.errors[0].extensions.code, 'BAD_USER_INPUT');
  });
});
