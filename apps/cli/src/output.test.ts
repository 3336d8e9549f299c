import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { emit, formatFields, formatTable, formatYaml, timeAgo, truncate } from './output';

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

test('json and yaml print the same document; a long reason stays on one yaml line', () => {
  const value = [{ name: 'a', statusReason: `${'x'.repeat(150)} y`, labels: [{ key: 'env', value: 'prod' }], group: null }];
  const out: Record<string, string> = {};
  for (const format of ['json', 'yaml', 'table']) {
    let text = '';
    emit({ out: (s) => (text += s), err: () => undefined }, format, value, () => 'TABLE\n');
    out[format] = text;
  }
  assert.deepEqual(JSON.parse(out.json), value);
  assert.deepEqual(parse(out.yaml), value);
  assert.equal(out.table, 'TABLE\n');
  assert.ok(formatYaml(value).split('\n').some((l) => l.includes('x'.repeat(150))));
});

test('fields line up; long cells are cut with an ellipsis', () => {
  assert.equal(formatFields([['Name', 'prod'], ['API server', null]]), 'Name:       prod\nAPI server: -\n');
  assert.equal(truncate('abcdefghij', 6), 'abcde…');
  assert.equal(truncate('abc', 6), 'abc');
});
