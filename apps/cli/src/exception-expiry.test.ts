import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CliError } from './cli-error';
import { parseExpiry } from './exception-expiry';

test('--expires takes days from now or a date', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  assert.equal(parseExpiry('30d', now).toISOString(), '2026-01-31T00:00:00.000Z');
  assert.equal(parseExpiry('2026-03-31T18:00:00Z', now).toISOString(), '2026-03-31T18:00:00.000Z');
  assert.equal(parseExpiry('2026-03-31', now).toISOString(), '2026-03-31T00:00:00.000Z');
  for (const bad of ['soon', '30', '30 days', '2026-13-45']) assert.throws(() => parseExpiry(bad, now), CliError, bad);
});
