import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WEBHOOK_LIMITS, retryDelayMs, verdictFor } from './delivery-policy';

test('2xx is delivered; timeouts, connection errors, 408, 429 and 5xx are retried; redirects and other 4xx are not', () => {
  for (const s of [200, 201, 202, 204, 299]) assert.equal(verdictFor(s), 'delivered', String(s));
  for (const s of [null, 408, 429, 500, 502, 503, 504, 599]) assert.equal(verdictFor(s), 'retry', String(s));
  for (const s of [301, 302, 307, 400, 401, 403, 404, 410, 413, 422]) assert.equal(verdictFor(s), 'give-up', String(s));
});

test('the retry delay doubles from the base, with equal jitter: between half and all of each step', () => {
  const base = 10_000;
  for (let retry = 1; retry <= 6; retry++) {
    const step = base * 2 ** (retry - 1);
    assert.equal(retryDelayMs(retry, base, () => 0), step / 2, `retry ${retry} at its shortest`);
    assert.equal(retryDelayMs(retry, base, () => 0.999999), Math.floor(step / 2 + 0.999999 * (step / 2)), `retry ${retry} at its longest`);
  }
});

test('the delay is capped, and stays finite for absurd retry numbers', () => {
  assert.equal(retryDelayMs(40, 10_000, () => 1), WEBHOOK_LIMITS.maxRetryDelayMs);
  assert.ok(retryDelayMs(1e9, 10_000, () => 0.5) <= WEBHOOK_LIMITS.maxRetryDelayMs);
  assert.ok(retryDelayMs(0, 10_000, () => 0) >= 5000);
});

test('with the defaults, the 8 attempts span about 10 s to 21 minutes of waiting in all (retries 1..7)', () => {
  let min = 0;
  let max = 0;
  for (let r = 1; r < WEBHOOK_LIMITS.maxAttempts; r++) {
    min += retryDelayMs(r, WEBHOOK_LIMITS.retryBaseMs, () => 0);
    max += retryDelayMs(r, WEBHOOK_LIMITS.retryBaseMs, () => 0.999999);
  }
  assert.equal(min, 635_000);
  assert.ok(max > 1_269_000 && max <= 1_270_000);
});
