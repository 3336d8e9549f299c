import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Signing (Stripe / Standard Webhooks style): `Flotilla-Signature: v1=<hex HMAC-SHA256 of
 * "<timestamp>.<body>">` with the webhook's secret, `Flotilla-Timestamp` in Unix seconds. A
 * receiver recomputes the HMAC over the raw body and refuses timestamps outside its tolerance
 * (DEFAULT_TOLERANCE_SECONDS) to stop replays.
 */
export const SIGNATURE_VERSION = 'v1';
export const DEFAULT_TOLERANCE_SECONDS = 300;
const SECRET_PREFIX = 'whsec_';

/** What the signing secret is sealed for at rest (CredentialCipher.sealSecret), with the webhook id and URL as context. */
export const WEBHOOK_SECRET_PURPOSE = 'webhook-secret';

/** A new signing secret: 32 random bytes, base64url, prefixed so it is recognisable in a leak scan. */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64url');
}

export function signatureOf(secret: string, timestamp: number, body: string): string {
  const mac = createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
  return `${SIGNATURE_VERSION}=${mac}`;
}

export type VerifyResult = { ok: true } | { ok: false; reason: 'malformed' | 'too-old' | 'in-the-future' | 'mismatch' };

/**
 * What a receiver does (and what the tests do): the header may carry several `v1=` values
 * (comma- or space-separated, as during a secret rotation); any one matching is enough.
 */
export function verifySignature(
  secret: string,
  header: { signature: string | undefined; timestamp: string | undefined },
  body: string,
  opts: { toleranceSeconds?: number; nowSeconds?: number } = {},
): VerifyResult {
  const ts = Number(header.timestamp);
  if (!header.signature || !header.timestamp || !/^\d{1,12}$/.test(header.timestamp)) return { ok: false, reason: 'malformed' };
  const now = opts.nowSeconds ?? Math.floor(Date.now() / 1000);
  const tolerance = opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (now - ts > tolerance) return { ok: false, reason: 'too-old' };
  if (ts - now > tolerance) return { ok: false, reason: 'in-the-future' };
  const expected = Buffer.from(signatureOf(secret, ts, body));
  const candidates = header.signature.split(/[ ,]+/).filter((s) => s.startsWith(`${SIGNATURE_VERSION}=`));
  if (candidates.length === 0) return { ok: false, reason: 'malformed' };
  for (const c of candidates) {
    const got = Buffer.from(c);
    if (got.length === expected.length && timingSafeEqual(got, expected)) return { ok: true };
  }
  return { ok: false, reason: 'mismatch' };
}
