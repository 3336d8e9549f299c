import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ClusterCredential {
  token: string;
  /** PEM CA bundle, or null to use the system roots. */
  caPem: string | null;
}

/**
 * How a ciphertext was sealed: 1 = legacy, no associated data (any URL could have been paired
 * with it); 2 = bound to the cluster id and API server URL as AES-GCM associated data.
 */
export type CredentialFormat = 1 | 2;
export const BOUND_FORMAT: CredentialFormat = 2;

export interface EncryptedCredential {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  authTag: Buffer;
  /** Absent means 1 (rows written before credentials were bound). */
  format?: CredentialFormat;
}

/** Where a credential may be sent: it decrypts only for this cluster and this exact URL. */
export interface CredentialBinding {
  clusterId: string;
  apiServerUrl: string;
}

export class CredentialBindingError extends Error {}

/**
 * AES-256-GCM for cluster credentials at rest. The key id is stored with each ciphertext so keys
 * can rotate: new writes use the current key, reads pick the key by id. The cluster id and API
 * server URL are the associated data, so a row copied to another cluster, or a URL changed
 * without a new credential, fails authentication instead of sending the token somewhere new.
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

  encrypt(credential: ClusterCredential, binding: CredentialBinding): EncryptedCredential {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId)!, iv);
    cipher.setAAD(associatedData(binding));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(credential), 'utf8'), cipher.final()]);
    return { keyId: this.currentKeyId, iv, ciphertext, authTag: cipher.getAuthTag(), format: BOUND_FORMAT };
  }

  /**
   * Any other secret that must be recoverable (a webhook's signing secret), sealed the same way
   * under the current key, bound to `purpose` and `context` (e.g. ['webhook-secret', id, url]) as
   * associated data, so it opens only for the row and purpose it was sealed for.
   */
  sealSecret(clear: string, purpose: string, context: string[]): EncryptedCredential {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.currentKeyId)!, iv);
    cipher.setAAD(lengthPrefixed(['flotilla-secret-v1', purpose, ...context]));
    const ciphertext = Buffer.concat([cipher.update(clear, 'utf8'), cipher.final()]);
    return { keyId: this.currentKeyId, iv, ciphertext, authTag: cipher.getAuthTag(), format: BOUND_FORMAT };
  }

  openSecret(blob: EncryptedCredential, purpose: string, context: string[]): string {
    const key = this.keys.get(blob.keyId);
    if (!key) throw new Error(`secret was encrypted with key ${blob.keyId}, which is not configured`);
    const decipher = createDecipheriv('aes-256-gcm', key, blob.iv);
    decipher.setAAD(lengthPrefixed(['flotilla-secret-v1', purpose, ...context]));
    decipher.setAuthTag(blob.authTag);
    try {
      return Buffer.concat([decipher.update(blob.ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new CredentialBindingError(`the stored ${purpose} is not valid for this row (or key ${blob.keyId} does not match)`);
    }
  }

  /**
   * The credential, only for the cluster and URL it was stored with. A legacy (format 1) blob has
   * nothing to check against and decrypts as before; callers re-encrypt it bound (see
   * ClusterClientFactory) so it is legacy only until its cluster's next sync.
   */
  decrypt(blob: EncryptedCredential, binding: CredentialBinding): ClusterCredential {
    const key = this.keys.get(blob.keyId);
    if (!key) throw new Error(`credential was encrypted with key ${blob.keyId}, which is not configured`);
    const bound = (blob.format ?? 1) === BOUND_FORMAT;
    const decipher = createDecipheriv('aes-256-gcm', key, blob.iv);
    if (bound) decipher.setAAD(associatedData(binding));
    decipher.setAuthTag(blob.authTag);
    try {
      const clear = Buffer.concat([decipher.update(blob.ciphertext), decipher.final()]).toString('utf8');
      return JSON.parse(clear) as ClusterCredential;
    } catch {
      // Never echo anything of the ciphertext or key.
      if (bound) throw new CredentialBindingError(`the stored credential is not valid for this cluster's API server URL (or key ${blob.keyId} does not match): re-attach the cluster`);
      throw new Error(`credential could not be decrypted with key ${blob.keyId}`);
    }
  }
}

/** Length-prefixed, so no choice of id and URL can collide with another. */
function associatedData({ clusterId, apiServerUrl }: CredentialBinding): Buffer {
  return lengthPrefixed(['flotilla-credential-v2', clusterId, apiServerUrl]);
}

function lengthPrefixed(values: string[]): Buffer {
  const parts = values.map((p) => Buffer.from(p, 'utf8'));
  return Buffer.concat(parts.flatMap((p) => [Buffer.from(String(p.length).padStart(8, '0')), p]));
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
