import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputValidationError, TOKEN_MAX, bearerToken, tokenExpiry } from './index';

const F = 'input.token';
const refused = (err: unknown) => err instanceof InputValidationError && err.field === F && !err.message.includes('secret-');

test('tokens are printable ASCII: NUL, whitespace inside and non-ASCII are refused without echoing the token', () => {
  assert.equal(bearerToken(' eyJhbGciOi.abc.def ', F), 'eyJhbGciOi.abc.def');
  for (const bad of ['secret-\u0000-token', 'secret- token', 'secret-\ttoken', 'secret-tökenöö', 'secret-\u202Etoken', 'secret-😀-token', 'secret-\u007f-token']) {
    assert.throws(() => bearerToken(bad, F), refused, JSON.stringify(bad));
  }
});

test('tokens are 8 bytes to 8 KiB', () => {
  assert.throws(() => bearerToken('abc', F), refused);
  assert.equal(bearerToken('t'.repeat(TOKEN_MAX), F).length, TOKEN_MAX);
  assert.throws(() => bearerToken('t'.repeat(TOKEN_MAX + 1), F), refused);
  assert.throws(() => bearerToken('t'.repeat(1_000_000), F), refused);
});

test('a token expiry must be in the future, within 2^32 s, and agree with the JWT exp claim', () => {
  const E = 'input.tokenExpiresAt';
  const now = new Date('2026-12-01T00:00:00Z');
  const jwt = (claims: object) => `eyJhbGciOiJSUzI1NiJ9.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.c2ln`;
  const inADay = new Date(now.getTime() + 86_400_000);
  const expRefused = (pattern: RegExp) => (err: unknown) => err instanceof InputValidationError && err.field === E && pattern.test(err.message) && !err.message.includes('eyJ');
  assert.equal(tokenExpiry(inADay, jwt({ exp: inADay.getTime() / 1000 }), now, E).getTime(), inADay.getTime());
  assert.equal(tokenExpiry(inADay, 'opaque-token-without-claims', now, E).getTime(), inADay.getTime(), 'an opaque token is taken at its word');
  assert.throws(() => tokenExpiry(new Date(now.getTime() - 1), 'opaque-token', now, E), expRefused(/must be in the future/));
  assert.throws(() => tokenExpiry(now, 'opaque-token', now, E), expRefused(/must be in the future/));
  assert.throws(() => tokenExpiry(new Date(Number.NaN), 'opaque-token', now, E), expRefused(/date-time/));
  assert.throws(() => tokenExpiry(new Date(now.getTime() + 2 ** 33 * 1000), 'opaque-token', now, E), expRefused(/2\^32/));
  assert.throws(() => tokenExpiry(new Date(inADay.getTime() + 3_600_000), jwt({ exp: inADay.getTime() / 1000 }), now, E), expRefused(/does not match the token's own expiry/));
});
