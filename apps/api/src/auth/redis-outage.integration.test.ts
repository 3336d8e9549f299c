import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { PrivateRedis, eventually } from '@flotilla/testing';
import { isolatedEnv } from '@flotilla/testing/isolated-database';
import { ApiHarness, startApiHarness } from '../testing/api-test-harness';

// The API's budgets live in Redis (a private redis-server this test kills; never the shared one):
// while it is gone, metered requests are refused plainly with 503 and probes still answer.
const isolated = isolatedEnv('redis_outage');
let redis: PrivateRedis;
let api: ApiHarness;

before(async () => {
  redis = await PrivateRedis.start();
  api = await startApiHarness({ ...isolated.env, REDIS_URL: redis.url });
});
after(async () => {
  await api?.close();
  await redis?.remove();
  await isolated.drop();
});

test('with Redis unreachable, /graphql answers 503 with Retry-After (fail closed), /healthz still answers, and service returns with Redis', async () => {
  const org = await api.newOrganization();
  const ask = () =>
    fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${org.token}` },
      body: JSON.stringify({ query: '{ viewer { role } }' }),
      signal: AbortSignal.timeout(20_000),
    });
  assert.equal((await ask()).status, 200);

  await redis.kill();
  const refused = await ask();
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get('retry-after'), '5');
  const body = (await refused.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
  assert.equal(body.errors[0].extensions.code, 'SERVICE_UNAVAILABLE');
  assert.doesNotMatch(body.errors[0].message, /ECONNREFUSED|127\.0\.0\.1|redis:\/\//i);
  assert.equal((await fetch(`${api.url}/healthz`, { signal: AbortSignal.timeout(5_000) })).status, 200);

  await redis.restart();
  await eventually(async () => (await ask()).status, (status) => status === 200, { timeoutMs: 20_000, intervalMs: 200, what: 'service to return once Redis answers again' });
});
