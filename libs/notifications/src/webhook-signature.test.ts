import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { generateWebhookSecret, signatureOf, verifySignature } from './webhook-signature';

const secret = 'whsec_test-secret';
const body = '{"id":"e1","type":"SCAN_FINISHED"}';

test('the signature is v1= and the hex HMAC-SHA256 of "<timestamp>.<body>" (what a receiver recomputes with any HMAC library)', () => {
  const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
  assert.equal(signatureOf(secret, 1700000000, body), `v1=${expected}`);
});

test('a receiver accepts the signature within the tolerance and refuses a changed body, another secret, or a stale or future timestamp', () => {
  const ts = 1700000000;
  const header = { signature: signatureOf(secret, ts, body), timestamp: String(ts) };
  assert.deepEqual(verifySignature(secret, header, body, { nowSeconds: ts + 10 }), { ok: true });
  assert.deepEqual(verifySignature(secret, header, body + ' ', { nowSeconds: ts }), { ok: false, reason: 'mismatch' });
  assert.deepEqual(verifySignature('whsec_other', header, body, { nowSeconds: ts }), { ok: false, reason: 'mismatch' });
  assert.deepEqual(verifySignature(secret, header, body, { nowSeconds: ts + 301 }), { ok: false, reason: 'too-old' });
  assert.deepEqual(verifySignature(secret, header, body, { nowSeconds: ts - 301 }), { ok: false, reason: 'in-the-future' });
  // The timestamp is signed: moving it forward to pass the replay window breaks the signature.
  assert.deepEqual(verifySignature(secret, { ...header, timestamp: String(ts + 1000) }, body, { nowSeconds: ts + 1000 }), { ok: false, reason: 'mismatch' });
});

test('several signatures in one header (a rotation) pass when any one matches; junk is malformed', () => {
  const ts = 1700000000;
  const good = signatureOf(secret, ts, body);
  assert.deepEqual(verifySignature(secret, { signature: `v1=deadbeef, ${good}`, timestamp: String(ts) }, body, { nowSeconds: ts }), { ok: true });
  assert.deepEqual(verifySignature(secret, { signature: 'sha256=abc', timestamp: String(ts) }, body, { nowSeconds: ts }), { ok: false, reason: 'malformed' });
  assert.deepEqual(verifySignature(secret, { signature: good, timestamp: '17e8' }, body, { nowSeconds: ts }), { ok: false, reason: 'malformed' });
  assert.deepEqual(verifySignature(secret, { signature: undefined, timestamp: String(ts) }, body, { nowSeconds: ts }), { ok: false, reason: 'malformed' });
});

test('secrets are 32 random bytes, recognisable by their prefix, never the same twice', () => {
  const a = generateWebhookSecret();
  const b = generateWebhookSecret();
  assert.match(a, /^whsec_[A-Za-z0-9_-]{43}$/);
  assert.notEqual(a, b);
});
