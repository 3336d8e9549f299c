import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isCataloguePath, serviceAccountTokenPath } from './resource-catalogue';
import { describeFailure, isCredentialRejected } from './cluster-failure';
import {
  CredentialExpiredError,
  DEFAULT_TOKEN_TTL_SECONDS,
  MIN_TOKEN_TTL_SECONDS,
  credentialExpiredReason,
  parseTokenTtl,
  renewalDecision,
  renewalLifetimeSeconds,
  renewalRetryAt,
} from './token-renewal';

const T0 = new Date('2026-12-01T00:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);
const day = { issuedAt: T0, expiresAt: at(DEFAULT_TOKEN_TTL_SECONDS) };

test('a token is kept until 20 % of its life is left, then renewed for the same lifetime', () => {
  assert.deepEqual(renewalDecision(day, at(0)), { action: 'keep', renewAt: at(0.8 * 86_400) });
  assert.equal(renewalDecision(day, at(0.8 * 86_400 - 1)).action, 'keep');
  assert.deepEqual(renewalDecision(day, at(0.8 * 86_400)), { action: 'renew', lifetimeSeconds: 86_400 });
  assert.deepEqual(renewalDecision(day, at(86_399)), { action: 'renew', lifetimeSeconds: 86_400 });
  // The 10-minute minimum: renewed with 2 minutes left.
  const short = { issuedAt: T0, expiresAt: at(600) };
  assert.equal(renewalDecision(short, at(479)).action, 'keep');
  assert.deepEqual(renewalDecision(short, at(480)), { action: 'renew', lifetimeSeconds: 600 });
});

test('at or past its expiry a token is expired, whatever the retry state', () => {
  assert.deepEqual(renewalDecision(day, at(86_400)), { action: 'expired', expiredAt: day.expiresAt });
  assert.deepEqual(renewalDecision(day, at(90_000), at(100_000)), { action: 'expired', expiredAt: day.expiresAt });
});

test('after a failed renewal the current token is used until the retry time, then renewal is tried again', () => {
  const retryAt = at(0.85 * 86_400);
  assert.deepEqual(renewalDecision(day, at(0.82 * 86_400), retryAt), { action: 'wait', retryAt });
  assert.equal(renewalDecision(day, retryAt, retryAt).action, 'renew');
  // A retry time left over from earlier does not delay a token that is not due yet.
  assert.equal(renewalDecision(day, at(10), at(20)).action, 'keep');
});

test('retries back off exponentially up to 15 minutes, but never beyond halfway to the expiry', () => {
  const now = at(0);
  const far = at(86_400);
  const delays = [1, 2, 3, 4, 5, 6, 7, 50].map((n) => (renewalRetryAt(n, now, far).getTime() - now.getTime()) / 1000);
  assert.deepEqual(delays, [30, 60, 120, 240, 480, 900, 900, 900]);
  assert.equal((renewalRetryAt(0, now, far).getTime() - now.getTime()) / 1000, 30, 'the first failure waits the base delay');
  // 100 s before expiry: retry within 50 s, not in 15 minutes.
  assert.equal((renewalRetryAt(10, now, at(100)).getTime() - now.getTime()) / 1000, 50);
  assert.ok(renewalRetryAt(10, now, at(0.5)).getTime() - now.getTime() >= 1000, 'at least a second apart');
});

test('a lifetime asked for on renewal stays within what kube-apiserver accepts', () => {
  assert.equal(renewalLifetimeSeconds(86_400.4), 86_400);
  assert.equal(renewalLifetimeSeconds(300), MIN_TOKEN_TTL_SECONDS);
  assert.equal(renewalLifetimeSeconds(2 ** 40), 2 ** 32);
  assert.equal(renewalLifetimeSeconds(Number.NaN), DEFAULT_TOKEN_TTL_SECONDS);
  // A credential whose issue time is after its expiry (clock skew) is renewed for the minimum.
  assert.deepEqual(renewalDecision({ issuedAt: at(700), expiresAt: at(600) }, at(500)), { action: 'renew', lifetimeSeconds: MIN_TOKEN_TTL_SECONDS });
});

test('--token-ttl accepts durations of at least 10 minutes, and says what is wrong otherwise', () => {
  assert.deepEqual(parseTokenTtl('24h'), { seconds: 86_400 });
  assert.deepEqual(parseTokenTtl('90m'), { seconds: 5400 });
  assert.deepEqual(parseTokenTtl('1h30m'), { seconds: 5400 });
  assert.deepEqual(parseTokenTtl('2d'), { seconds: 172_800 });
  assert.deepEqual(parseTokenTtl('600'), { seconds: 600 });
  assert.deepEqual(parseTokenTtl('600s'), { seconds: 600 });
  assert.deepEqual(parseTokenTtl('10m'), { seconds: 600 });
  for (const bad of ['9m', '599', '5m59s']) assert.match((parseTokenTtl(bad) as { problem: string }).problem, /at least 10 minutes/, bad);
  for (const bad of ['', 'h', '1.5h', 'ten minutes', '-600', '10 m']) assert.match((parseTokenTtl(bad) as { problem: string }).problem, /is not a duration/, bad);
  assert.match((parseTokenTtl(String(2 ** 33)) as { problem: string }).problem, /at most/);
});

test('an expired credential says when and how to fix it, and counts as rejected (UNREACHABLE at once)', () => {
  const err = new CredentialExpiredError('edge-7', at(600));
  assert.equal(err.message, 'credential expired at 2026-12-01T00:10:00.000Z; run `flotilla cluster attach edge-7 --update`');
  assert.equal(credentialExpiredReason('edge-7', at(600)), err.message);
  assert.equal(describeFailure(err), err.message);
  assert.equal(isCredentialRejected(err), true);
});

test('the TokenRequest path is the service account subresource, and an outbound agent never forwards it', () => {
  const path = serviceAccountTokenPath('flotilla-system', 'flotilla-agent');
  assert.equal(path, '/api/v1/namespaces/flotilla-system/serviceaccounts/flotilla-agent/token');
  assert.equal(isCataloguePath('POST', path), false);
  assert.equal(isCataloguePath('GET', '/api/v1/namespaces/flotilla-system/serviceaccounts/flotilla-agent'), true);
});
