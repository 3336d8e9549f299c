import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, sharedDir } from '@flotilla/testing';
import { WEBHOOK_EVENT_TYPES, idempotencyKeyOf, isWebhookEventType } from './webhook-events';

test('the events are exactly the contract enum WebhookEvent', () => {
  const schema = readFileSync(join(sharedDir(), 'contract', 'schema-minimum.graphql'), 'utf8');
  const values = /enum WebhookEvent \{([^}]*)\}/.exec(schema)?.[1].trim().split(/\s+/);
  assert.deepEqual([...WEBHOOK_EVENT_TYPES].sort(), [...(values ?? [])].sort());
});

test("every event's payload is documented in the README's Webhooks table", () => {
  const readme = readFileSync(join(repoRoot(), 'README.md'), 'utf8');
  for (const type of WEBHOOK_EVENT_TYPES) assert.match(readme, new RegExp(`^\\| \`${type}\` \\|`, 'm'), type);
});

test('the idempotency key defaults to type and subject, so the same event of the same subject is published once', () => {
  assert.equal(idempotencyKeyOf({ type: WEBHOOK_EVENT_TYPES[0], subject: 'scan/1' }), 'SCAN_FINISHED:scan/1');
  assert.equal(idempotencyKeyOf({ type: WEBHOOK_EVENT_TYPES[0], subject: 'scan/1', idempotencyKey: 'k' }), 'k');
  assert.ok(isWebhookEventType('CAMPAIGN_HALTED'));
  assert.ok(!isWebhookEventType('campaign_halted'));
  assert.ok(!isWebhookEventType(undefined));
});
