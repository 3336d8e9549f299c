import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputValidationError, description, displayName, plainText } from './index';

const refusedAs = (field: string) => (err: unknown) => err instanceof InputValidationError && err.field === field && err.message.indexOf(field) === err.message.lastIndexOf(field);

test('group names with control characters or bidi overrides are refused, naming the field once', () => {
  for (const bad of ['pay\u0000ments', 'pay\u0007ments', 'line\nbreak', 'tab\there', 'c1\u0085', 'del\u007f', 'admin\u202Egnp.exe', 'iso\u2066late\u2069', 'mark\u200F', 'lrm\u200E', 'alm\u061C', 'lone\uD800surrogate']) {
    assert.throws(() => displayName(bad, 'input.name'), refusedAs('input.name'), JSON.stringify(bad));
  }
});

test('ordinary names in any script are kept, trimmed', () => {
  assert.equal(displayName('  Zahlungsverkehr – Europa 🚀 ', 'input.name'), 'Zahlungsverkehr – Europa 🚀');
  assert.equal(displayName('платежи', 'input.name'), 'платежи');
  assert.equal(displayName('constructor', 'input.name'), 'constructor');
});

test('names are 1 to 100 characters; descriptions at most 1000, blank is none', () => {
  assert.throws(() => displayName('   ', 'input.name'), refusedAs('input.name'));
  assert.throws(() => displayName('x'.repeat(101), 'input.name'), /input\.name: must be 1 to 100 characters/);
  assert.throws(() => displayName('x'.repeat(200), 'input.name'), /input\.name: must be 1 to 100 characters/);
  assert.throws(() => displayName('x'.repeat(70_000), 'input.name'), refusedAs('input.name'));
  assert.equal(description('  ', 'input.description'), null);
  assert.equal(description(null, 'input.description'), null);
  assert.throws(() => description('d'.repeat(1001), 'input.description'), refusedAs('input.description'));
  assert.throws(() => description('bidi \u202D', 'input.description'), refusedAs('input.description'));
});

test('plain text (a search term) is bounded and printable', () => {
  assert.equal(plainText(" o'brien; DROP TABLE clusters;-- ", 'filter.search', { max: 256 }), "o'brien; DROP TABLE clusters;--");
  assert.throws(() => plainText('\u0000', 'filter.search', { max: 256 }), refusedAs('filter.search'));
  assert.throws(() => plainText('s'.repeat(257), 'filter.search', { max: 256 }), refusedAs('filter.search'));
});
