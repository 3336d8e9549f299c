import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputValidationError, decodeCursor, encodeCursor, isUuid } from './index';

const ID = '0b9c2f5e-8f3a-4d7e-9c1b-2a3f4e5d6c7b';
const refusedAfter = (err: unknown) => err instanceof InputValidationError && err.field === 'after';

test('an id is a UUID or nothing Flotilla has', () => {
  assert.ok(isUuid(ID));
  assert.ok(isUuid(ID.toUpperCase()));
  for (const bad of ['', 'not-a-uuid', `${ID}x`, ` ${ID}`, "1' OR '1'='1", '0'.repeat(70_000), '__proto__', 'constructor', 42, null, undefined]) {
    assert.equal(isUuid(bad), false, String(bad).slice(0, 20));
  }
});

test('a cursor round-trips in the shape of its list', () => {
  const at = '2026-12-02T03:06:55.123Z';
  assert.deepEqual(decodeCursor(encodeCursor(at, ID), { sort: 'timestamp', id: 'uuid' }), [at, ID]);
  assert.deepEqual(decodeCursor(encodeCursor('2026-12-02 03:06:55.123456+00', ID), { sort: 'timestamp', id: 'uuid' }), ['2026-12-02 03:06:55.123456+00', ID]);
  assert.deepEqual(decodeCursor(encodeCursor('prod-01', ID), { sort: 'text', id: 'uuid' }), ['prod-01', ID]);
  assert.deepEqual(decodeCursor(encodeCursor('1234', '1234'), { sort: 'integer', id: 'integer' }), ['1234', '1234']);
  assert.deepEqual(decodeCursor(encodeCursor(1234, '1234'), { sort: 'integer', id: 'integer' }), ['1234', '1234']);
});

test('hand-made cursors are BAD_USER_INPUT naming the argument', () => {
  const b = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const shape = { sort: 'timestamp', id: 'uuid' } as const;
  for (const bad of [
    'garbage',
    '!!!',
    '',
    b({}),
    b([]),
    b(['2026-12-02T03:06:55Z']),
    b(['2026-12-02T03:06:55Z', 'not-a-uuid']),
    b(['yesterday', ID]),
    b(['2026-13-45T99:99:99Z', ID]),
    b([1, ID]),
    b(['2026-12-02T03:06:55Z', ID, 'extra']),
    b({ __proto__: { polluted: true } }),
    Buffer.from('[').toString('base64url'),
    'A'.repeat(5000),
  ]) {
    assert.throws(() => decodeCursor(bad, shape), refusedAfter, bad.slice(0, 30));
  }
  assert.throws(() => decodeCursor(b(['a\u0000b', ID]), { sort: 'text', id: 'uuid' }), refusedAfter);
  assert.throws(() => decodeCursor(b(['12a', '1']), { sort: 'integer', id: 'integer' }), refusedAfter);
  assert.throws(() => decodeCursor(b([-1, '1']), { sort: 'integer', id: 'integer' }), refusedAfter);
  assert.throws(() => decodeCursor('garbage', shape, 'filter.after'), (err: unknown) => err instanceof InputValidationError && err.field === 'filter.after');
});
