import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createCipheriv } from 'node:crypto';
import { CredentialBindingError, CredentialCipher, EncryptedCredential } from './credential-cipher';

const AT = { clusterId: '6b7c0f3e-0000-4000-8000-000000000001', apiServerUrl: 'https://127.0.0.1:6443/clusters/a' };

test('a credential round-trips and its ciphertext does not contain the token', () => {
  const cipher = new CredentialCipher('k1', { k1: randomBytes(32) });
  const blob = cipher.encrypt({ token: 'very-secret-token', caPem: null }, AT);
  assert.ok(!blob.ciphertext.toString('latin1').includes('very-secret-token'));
  assert.deepEqual(cipher.decrypt(blob, AT), { token: 'very-secret-token', caPem: null });
});

test('keys rotate: old ciphertexts stay readable by key id, new ones use the current key', () => {
  const k1 = randomBytes(32);
  const old = new CredentialCipher('k1', { k1 }).encrypt({ token: 't', caPem: 'ca' }, AT);
  const rotated = new CredentialCipher('k2', { k1, k2: randomBytes(32) });
  assert.equal(rotated.decrypt(old, AT).token, 't');
  assert.equal(rotated.encrypt({ token: 'u', caPem: null }, AT).keyId, 'k2');
});

test('tampering is detected without revealing the secret', () => {
  const cipher = new CredentialCipher('k1', { k1: randomBytes(32) });
  const blob = cipher.encrypt({ token: 'abc', caPem: null }, AT);
  blob.ciphertext[0] ^= 1;
  assert.throws(() => cipher.decrypt(blob, AT), (e: Error) => /not valid for this cluster/.test(e.message) && !e.message.includes('abc'));
});

test('a stored credential decrypts only for the cluster and API server URL it was stored with', () => {
  const cipher = new CredentialCipher('k1', { k1: randomBytes(32) });
  const blob = cipher.encrypt({ token: 'bound-token', caPem: null }, AT);
  assert.equal(blob.format, 2);
  assert.equal(cipher.decrypt(blob, AT).token, 'bound-token');
  for (const elsewhere of [
    { ...AT, apiServerUrl: 'https://attacker.invalid:6443' },
    { ...AT, apiServerUrl: `${AT.apiServerUrl}/` },
    { ...AT, clusterId: '6b7c0f3e-0000-4000-8000-000000000002' },
  ]) {
    assert.throws(
      () => cipher.decrypt(blob, elsewhere),
      (e: Error) => e instanceof CredentialBindingError && /re-attach/.test(e.message) && !e.message.includes('bound-token'),
    );
  }
  // Re-marking a bound row as legacy (to skip the check) does not decrypt either: its tag covers the binding.
  assert.throws(() => cipher.decrypt({ ...blob, format: 1 }, { ...AT, apiServerUrl: 'https://attacker.invalid' }), /could not be decrypted/);
});

test('a legacy credential (no associated data, format 1) still decrypts, for whatever URL', () => {
  const key = randomBytes(32);
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([c.update(JSON.stringify({ token: 'old-token', caPem: 'ca' }), 'utf8'), c.final()]);
  const legacy: EncryptedCredential = { keyId: 'k1', iv, ciphertext, authTag: c.getAuthTag() };
  const cipher = new CredentialCipher('k1', { k1: key });
  assert.deepEqual(cipher.decrypt(legacy, AT), { token: 'old-token', caPem: 'ca' });
  assert.deepEqual(cipher.decrypt({ ...legacy, format: 1 }, AT), { token: 'old-token', caPem: 'ca' });
  // Marked bound, the same bytes fail: the marker cannot be dropped to skip the check either way.
  assert.throws(() => cipher.decrypt({ ...legacy, format: 2 }, AT), CredentialBindingError);
});
