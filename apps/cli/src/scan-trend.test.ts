import { test } from 'node:test';
import assert from 'node:assert/strict';
import { previousScan, scanTrendLine } from './scan-trend';

const scan = (id: string, createdAt: string, compliant: number | null, status = 'SUCCEEDED') => ({ id, status, createdAt, summary: compliant === null ? null : { compliant } });

test('the trend compares compliant clusters with the previous finished scan', () => {
  const current = scan('s3', '2026-01-03T00:00:00Z', 5);
  const recent = [current, scan('s2', '2026-01-02T00:00:00Z', 9, 'FAILED'), scan('s1', '2026-01-01T00:00:00Z', 4)];
  const previous = previousScan(current, recent);
  assert.equal(previous?.id, 's1');
  assert.equal(scanTrendLine(current, previous), 'trend: 5 compliant clusters now, 4 at the previous scan (+1)');
  assert.equal(scanTrendLine(scan('x', '2026-01-03T00:00:00Z', 1), scan('y', '2026-01-02T00:00:00Z', 2)), 'trend: 1 compliant cluster now, 2 at the previous scan (-1)');
  assert.equal(scanTrendLine(scan('x', '2026-01-03T00:00:00Z', 2), scan('y', '2026-01-02T00:00:00Z', 2)), 'trend: 2 compliant clusters now, 2 at the previous scan (±0)');
});

test('the first scan says there is nothing to compare with', () => {
  const current = scan('s1', '2026-01-01T00:00:00Z', 3);
  assert.equal(previousScan(current, [current]), null);
  assert.equal(scanTrendLine(current, null), 'trend: 3 compliant clusters now (no previous scan to compare with)');
});
