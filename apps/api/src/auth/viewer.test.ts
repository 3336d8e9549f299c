import { test } from 'node:test';
import assert from 'node:assert/strict';
import { roleAllows } from './viewer';

test('roles are ordered VIEWER < OPERATOR < ADMIN', () => {
  assert.ok(roleAllows('ADMIN', 'OPERATOR'));
  assert.ok(roleAllows('OPERATOR', 'OPERATOR'));
  assert.ok(!roleAllows('VIEWER', 'OPERATOR'));
  assert.ok(!roleAllows('OPERATOR', 'ADMIN'));
});
