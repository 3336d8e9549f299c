import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from 'commander';
import { collectLabel, parseLabel } from './labels';

test('a label is key=value, the value may be empty and may not contain another =', () => {
  assert.deepEqual(parseLabel('env=prod'), { key: 'env', value: 'prod' });
  assert.deepEqual(parseLabel('team.acme.io/owner=platform-team'), { key: 'team.acme.io/owner', value: 'platform-team' });
  assert.deepEqual(parseLabel('canary='), { key: 'canary', value: '' });
  assert.throws(() => parseLabel('a=b=c'), InvalidArgumentError);
});

test('malformed labels are usage errors that say what is wrong', () => {
  for (const bad of ['env', '=prod', 'has space=x', 'env=has space', '-env=x', 'Bad_Prefix/env=x', `${'k'.repeat(64)}=v`, `k=${'v'.repeat(64)}`]) {
    assert.throws(() => parseLabel(bad), InvalidArgumentError, bad);
  }
  assert.throws(() => parseLabel('env'), /must look like key=value/);
});

test('--label repeats, and a key given twice is refused', () => {
  const labels = collectLabel('region=eu', collectLabel('env=prod'));
  assert.deepEqual(labels, [
    { key: 'env', value: 'prod' },
    { key: 'region', value: 'eu' },
  ]);
  assert.throws(() => collectLabel('env=dev', labels), /env given more than once/);
});
