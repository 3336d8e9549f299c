import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Tokens look like `flt_<id>_<secret>`: the id part is stored in clear to find the row, the whole
 * token only as its SHA-256. A high-entropy random secret needs no slow hash.
 */
const TOKEN_PATTERN = /^flt_([A-Za-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export interface IssuedToken {
  token: string;
  prefix: string;
  hash: Buffer;
}

export function issueToken(): IssuedToken {
  const prefix = randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').slice(0, 12);
  const token = `flt_${prefix}_${randomBytes(32).toString('base64url')}`;
  return { token, prefix, hash: hashToken(token) };
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/** The lookup prefix of a well-formed token, or null (malformed tokens are rejected before any query). */
export function tokenPrefix(token: string): string | null {
  const m = TOKEN_PATTERN.exec(token);
  return m ? m[1] : null;
}

export function tokenMatches(token: string, storedHash: Buffer): boolean {
  const h = hashToken(token);
  return h.length === storedHash.length && timingSafeEqual(h, storedHash);
}
