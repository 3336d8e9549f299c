import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../http/api-error';
import { labelMatcher } from './label-selector';

const labels = { app: 'web', tier: 'front', 'app.kubernetes.io/name': 'shop' };

test('equality, inequality, set and existence requirements', () => {
  const m = (s: string) => labelMatcher(s)!(labels);
  assert.equal(m('app=web'), true);
  assert.equal(m('app==web,tier=front'), true);
  assert.equal(m('app!=web'), false);
  assert.equal(m('missing!=x'), true, '!= matches objects without the label');
  assert.equal(m('tier in (front, back)'), true);
  assert.equal(m('tier notin (front)'), false);
  assert.equal(m('app.kubernetes.io/name'), true);
  assert.equal(m('!app'), false);
  assert.equal(m('!missing'), true);
  assert.equal(m('app=web,tier in (back)'), false);
  assert.equal(labelMatcher(''), undefined);
});

test('a malformed selector is a 400', () => {
  assert.throws(() => labelMatcher('a b c'), (e: unknown) => e instanceof ApiError && e.code === 400);
  assert.throws(() => labelMatcher('bad key=x'), (e: unknown) => e instanceof ApiError && e.code === 400);
});
