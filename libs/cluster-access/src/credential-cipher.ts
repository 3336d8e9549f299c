import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ClusterCredential {
  token: string;
  /** PEM CA bundle, or null to use the system roots. */
  caPem: string | null;
}

export interface EncryptedCredential {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  authTag: Buffer;
}

/**
 * AES-256-GCM for cluster credentials at rest. The key id is stored with each ciphertext so keys
 * can rotate: new writes use the current key, reads pick the key by id.
 */
export class CredentialCipher {
  private readonly keys: Map<string, Buffer>;

  constructor(
    private readonly currentKeyId: string,
    keys: Record<string, Buffer>,
  ) {
    this.keys = new Map(Object.entries(keys));
    for (const [id, key] of this.keys) if (key.length !== 32) throw new Error(`encryption key ${id} must be 32 bytes`);
    if (!this.keys.has(currentKeyId)) throw new Error(`no encryption key with id ${currentKeyId}`);
  }

  encrypt(credential: ClusterCredential): EncryptedCredential {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId)!, iv);
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(credential), 'utf8'), cipher.final()]);
    return { keyId: this.currentKeyId, iv, ciphertext, authTag: cipher.getAuthTag() };
  }

  decrypt(blob: EncryptedCredential): ClusterCredential {
    const key = this.keys.get(blob.keyId);
    if (!key) throw new Error(`credential was encrypted with key ${blob.keyId}, which is not configured`);
    const decipher = createDecipheriv('aes-256-gcm', key, blob.iv);
    decipher.setAuthTag(blob.authTag);
    try {
      const clear = Buffer.concat([decipher.update(blob.ciphertext), decipher.final()]).toString('utf8');
      return JSON.parse(clear) as ClusterCredential;
    } catch {
      // Never echo anything of the ciphertext or key.
      throw new Error(`credential could not be decrypted with key ${blob.keyId}`);
    }
  }
}

/**
 * The key from FLOTILLA_ENCRYPTION_KEY, or — for development only — one generated once and kept
 * in a file readable only by its owner, so restarts can still read what was stored.
 */
export function loadCredentialCipher(cfg: { encryptionKey?: string; keyId: string; keyFile: string }): CredentialCipher {
  if (cfg.encryptionKey) return new CredentialCipher(cfg.keyId, { [cfg.keyId]: Buffer.from(cfg.encryptionKey, 'base64') });
  let key: Buffer;
  if (existsSync(cfg.keyFile)) {
    key = Buffer.from(readFileSync(cfg.keyFile, 'utf8').trim(), 'base64');
  } else {
    key = randomBytes(32);
    mkdirSync(dirname(cfg.keyFile), { recursive: true, mode: 0o700 });
    writeFileSync(cfg.keyFile, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(cfg.keyFile, 0o600);
  }
  return new CredentialCipher(cfg.keyId, { [cfg.keyId]: key });
}
