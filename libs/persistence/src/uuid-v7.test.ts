import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uuidV7 } from './uuid-v7';

test('UUIDv7 ids carry their millisecond and version, and sort in the order they were made', () => {
  const ids = Array.from({ length: 5000 }, () => uuidV7(1_765_000_000_000));
  assert.match(ids[0], /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(parseInt(ids[0].replace(/-/g, '').slice(0, 12), 16), 1_765_000_000_000);
  assert.deepEqual([...ids].sort(), ids, 'monotonic even past 4,096 ids in one millisecond');
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(uuidV7(1_765_000_000_001 + 10) > ids[ids.length - 1]);
});
