import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTable, timeAgo } from './output';

test('a table pads columns to the widest cell, three spaces apart, with no trailing blanks', () => {
  const text = formatTable(
    ['NAME', 'STATUS', 'REGION'],
    [
      ['prod-eu-1', 'CONNECTED', 'eu-west-1'],
      ['dev', 'PENDING', null],
    ],
  );
  assert.equal(text, ['NAME        STATUS      REGION', 'prod-eu-1   CONNECTED   eu-west-1', 'dev         PENDING     -', ''].join('\n'));
});

test('cells never break a row: whitespace collapses, missing values show as -', () => {
  assert.equal(formatTable(['A', 'B'], [['multi\nline', undefined]]), 'A            B\nmulti line   -\n');
});

test('last seen is shown relative to now', () => {
  const now = new Date('2026-01-01T12:00:00Z');
  assert.equal(timeAgo('2026-01-01T11:59:30Z', now), '30s ago');
  assert.equal(timeAgo('2026-01-01T11:30:00Z', now), '30m ago');
  assert.equal(timeAgo('2026-01-01T06:00:00Z', now), '6h ago');
  assert.equal(timeAgo('2025-12-25T12:00:00Z', now), '7d ago');
  assert.equal(timeAgo(null, now), '-');
});
