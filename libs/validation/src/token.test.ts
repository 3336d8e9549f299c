import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputValidationError, TOKEN_MAX, bearerToken } from './index';

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
