import { refuse } from './input-validation.error';

export const TOKEN_MIN = 8;
export const TOKEN_MAX = 8192;
// Printable ASCII without space: what an HTTP Authorization header can carry verbatim.
const PRINTABLE = /^[\x21-\x7e]+$/;

/** A bearer token for a cluster: 8 bytes to 8 KiB of printable ASCII (no NUL, no whitespace inside, nothing beyond ASCII). */
export function bearerToken(raw: string, field: string): string {
  if (raw.length > TOKEN_MAX + 64) refuse(field, `must be at most ${TOKEN_MAX} characters`);
  const token = raw.trim();
  if (token.length < TOKEN_MIN || token.length > TOKEN_MAX) refuse(field, `must be ${TOKEN_MIN} to ${TOKEN_MAX} characters`);
  if (!PRINTABLE.test(token)) refuse(field, 'must be printable ASCII without whitespace (a bearer token)');
  return token;
}

/** kube-apiserver's longest TokenRequest (2^32 s): no short-lived token expires later than this from now. */
const TOKEN_LIFE_MAX_MS = 2 ** 32 * 1000;
/** How far the expiry given may differ from the token's own `exp` claim (clocks, rounding). */
const EXP_CLAIM_SLACK_MS = 60_000;

/**
 * The expiry of a short-lived (TokenRequest) token as the client reports it: a real instant in
 * the future, within Kubernetes' longest token life, and — when the token is a JWT that carries
 * an `exp` claim (every service-account token does) — the same instant as that claim, so a
 * client cannot make Flotilla believe a token lives longer (or shorter) than it does.
 * Never echoes the token.
 */
export function tokenExpiry(expiresAt: Date, token: string, now: Date, field: string): Date {
  const t = expiresAt instanceof Date ? expiresAt.getTime() : Number.NaN;
  if (!Number.isFinite(t)) refuse(field, 'must be a date-time');
  if (t <= now.getTime()) refuse(field, `must be in the future (${new Date(t).toISOString()} has passed: the token has expired)`);
  if (t - now.getTime() > TOKEN_LIFE_MAX_MS) refuse(field, 'must be within 2^32 seconds from now (the longest token Kubernetes issues)');
  const exp = jwtExpiry(token);
  if (exp !== undefined && Math.abs(exp - t) > EXP_CLAIM_SLACK_MS) {
    refuse(field, `does not match the token's own expiry (its exp claim says ${new Date(exp).toISOString()})`);
  }
  return new Date(t);
}

/** A JWT's `exp` (ms since the epoch), read without verifying the signature (the cluster verifies it); undefined when there is none. */
function jwtExpiry(token: string): number | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const exp = (JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
