import { test } from 'node:test';
import assert from 'node:assert/strict';
import { issueToken, tokenMatches, tokenPrefix } from './api-token.codec';

test('an issued token is found by its prefix and matches only its own hash', () => {
  const a = issueToken();
  const b = issueToken();
  assert.match(a.token, /^flt_/);
  assert.equal(tokenPrefix(a.token), a.prefix);
  assert.ok(tokenMatches(a.token, a.hash));
  assert.ok(!tokenMatches(b.token, a.hash));
  assert.ok(!a.hash.toString('utf8').includes(a.token));
});

test('malformed tokens have no prefix', () => {
  for (const t of ['', 'flt_', 'Bearer x', 'flt_abc_def', `flt_${'a'.repeat(12)}_${'b'.repeat(42)}`]) assert.equal(tokenPrefix(t), null);
});
