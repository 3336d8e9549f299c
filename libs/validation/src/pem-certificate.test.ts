import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_CA_PEM } from '@flotilla/testing';
import { CA_DATA_MAX, InputValidationError, caBundle } from './index';

const F = 'input.caData';
const refused = (err: unknown) => err instanceof InputValidationError && err.field === F;
const b64 = (s: string) => Buffer.from(s).toString('base64');

test('caData that parses as X.509 is accepted, base64 or plain PEM, and returned as PEM', () => {
  assert.equal(caBundle(b64(TEST_CA_PEM), F), TEST_CA_PEM);
  assert.equal(caBundle(TEST_CA_PEM, F), TEST_CA_PEM);
  assert.equal(caBundle(b64(TEST_CA_PEM + TEST_CA_PEM), F), TEST_CA_PEM + TEST_CA_PEM);
  assert.equal(caBundle(null, F), null);
  assert.equal(caBundle('  ', F), null);
});

test('caData that is no certificate is refused', () => {
  for (const bad of [
    b64('not a cert'),
    'bm9wZQ==',
    b64('-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n'),
    b64(TEST_CA_PEM.replace('MIIB', 'MIIC')),
    '%%% not base64 %%%',
    b64('-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'),
  ]) {
    assert.throws(() => caBundle(bad, F), refused, bad.slice(0, 40));
  }
  // One good certificate does not carry a bad one.
  assert.throws(() => caBundle(b64(`${TEST_CA_PEM}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`), F), /certificate 2 is not/);
});

test('caData is bounded in size', () => {
  assert.throws(() => caBundle('A'.repeat(CA_DATA_MAX + 1), F), /at most 256 KiB/);
});
