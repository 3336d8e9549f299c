import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareQuantities, isQuantity, parseQuantity } from './quantity';

const value = (s: string | number) => {
  const q = parseQuantity(s);
  return Number(q.numerator) / Number(q.denominator);
};

test('plain and decimal numbers parse to their value', () => {
  assert.equal(value('4'), 4);
  assert.equal(value('0.5'), 0.5);
  assert.equal(value('.5'), 0.5);
  assert.equal(value('5.'), 5);
  assert.equal(value('+3'), 3);
  assert.equal(value('-3'), -3);
  assert.equal(value(10), 10);
});

test('milli, micro and nano suffixes divide', () => {
  assert.equal(value('500m'), 0.5);
  assert.equal(value('250u'), 0.00025);
  assert.equal(value('100n'), 1e-7);
});

test('decimal SI suffixes multiply by powers of ten', () => {
  assert.equal(value('1k'), 1000);
  assert.equal(value('8M'), 8e6);
  assert.equal(value('8G'), 8e9);
  assert.equal(value('2T'), 2e12);
  assert.equal(value('1P'), 1e15);
  assert.equal(value('1E'), 1e18);
});

test('binary suffixes multiply by powers of two', () => {
  assert.equal(value('1Ki'), 1024);
  assert.equal(value('8Gi'), 8 * 1024 ** 3);
  assert.equal(value('1.5Mi'), 1.5 * 1024 ** 2);
  assert.deepEqual(parseQuantity('1Ei'), { numerator: 1n << 60n, denominator: 1n });
});

test('exponent notation is accepted in both cases and with signs', () => {
  assert.equal(value('2e3'), 2000);
  assert.equal(value('2E3'), 2000);
  assert.equal(value('5e-1'), 0.5);
  assert.equal(value('1e+2'), 100);
});

test('comparison is exact across suffix families', () => {
  assert.equal(compareQuantities('1Gi', '1G'), 1);
  assert.equal(compareQuantities('1G', '1Gi'), -1);
  assert.equal(compareQuantities('1000m', '1'), 0);
  assert.equal(compareQuantities('0.1', '100m'), 0);
  assert.equal(compareQuantities('1024Mi', '1Gi'), 0);
  assert.equal(compareQuantities('1500m', '1.5'), 0);
  assert.equal(compareQuantities('1e3', '1k'), 0);
  assert.equal(compareQuantities('4001m', '4'), 1);
  // Floating point would call these equal.
  assert.equal(compareQuantities('9007199254740993', '9007199254740992'), 1);
});

test('malformed quantities are rejected', () => {
  for (const bad of ['', 'abc', '1.2.3', '1KiB', '1 Gi', 'Gi', '1ki', '--1', '1e', '1m5', '0x10', 'NaN']) {
    assert.equal(isQuantity(bad), false, bad);
    assert.throws(() => parseQuantity(bad), /not a Kubernetes quantity/);
  }
  assert.equal(isQuantity(Number.POSITIVE_INFINITY), false);
});
