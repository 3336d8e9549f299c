import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CredentialCipher } from './credential-cipher';

test('a credential round-trips and its ciphertext does not contain the token', () => {
  const cipher = new CredentialCipher('k1', { k1: randomBytes(32) });
  const blob = cipher.encrypt({ token: 'very-secret-token', caPem: null });
  assert.ok(!blob.ciphertext.toString('latin1').includes('very-secret-token'));
  assert.deepEqual(cipher.decrypt(blob), { token: 'very-secret-token', caPem: null });
});

test('keys rotate: old ciphertexts stay readable by key id, new ones use the current key', () => {
  const k1 = randomBytes(32);
  const old = new CredentialCipher('k1', { k1 }).encrypt({ token: 't', caPem: 'ca' });
  const rotated = new CredentialCipher('k2', { k1, k2: randomBytes(32) });
  assert.equal(rotated.decrypt(old).token, 't');
  assert.equal(rotated.encrypt({ token: 'u', caPem: null }).keyId, 'k2');
});

test('tampering is detected without revealing the secret', () => {
  const cipher = new CredentialCipher('k1', { k1: randomBytes(32) });
  const blob = cipher.encrypt({ token: 'abc', caPem: null });
  blob.ciphertext[0] ^= 1;
  assert.throws(() => cipher.decrypt(blob), (e: Error) => /could not be decrypted/.test(e.message) && !e.message.includes('abc'));
});
