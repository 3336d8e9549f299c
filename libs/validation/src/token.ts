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
