import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maintenanceWindowAt } from './maintenance-window';

test('a window is open from its cron firing for its duration, in its time zone', () => {
  const w = { cron: '0 2 * * *', durationMinutes: 120, timezone: 'Europe/Berlin' };
  // 02:30 Berlin in winter is 01:30 UTC.
  const inside = maintenanceWindowAt(w, new Date('2026-12-02T01:30:00Z'));
  assert.equal(inside.open, true);
  assert.equal(inside.closesAt.toISOString(), '2026-12-02T03:00:00.000Z');
  const after = maintenanceWindowAt(w, new Date('2026-12-02T03:00:01Z'));
  assert.equal(after.open, false);
  assert.equal(after.opensAt.toISOString(), '2026-12-03T01:00:00.000Z');
});
