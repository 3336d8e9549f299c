import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputValidationError, clusterName, dnsLabel, dnsSubdomain } from './index';

const refused = (field: string) => (err: unknown) => err instanceof InputValidationError && err.field === field;

test('cluster names are DNS-1123 names of at most 63 characters', () => {
  assert.equal(clusterName('tkg-prod-01', 'input.name'), 'tkg-prod-01');
  assert.equal(clusterName('eu.prod-01', 'input.name'), 'eu.prod-01');
  for (const bad of ['a..b', '.a', 'a.', 'a.-b', 'Prod', 'prod_01', '-x', 'x-', '', 'x'.repeat(64), 'ünïcode', 'a\u0000b', 'constructor()']) {
    assert.throws(() => clusterName(bad, 'input.name'), refused('input.name'), JSON.stringify(bad));
  }
});

test('DNS subdomains are at most 253 with labels of at most 63; DNS labels have no dots', () => {
  const label63 = 'a'.repeat(63);
  assert.equal(dnsSubdomain([label63, label63, label63, 'a'.repeat(61)].join('.'), 'f'), [label63, label63, label63, 'a'.repeat(61)].join('.'));
  assert.throws(() => dnsSubdomain([label63, label63, label63, 'a'.repeat(62)].join('.'), 'f'), refused('f'));
  assert.throws(() => dnsSubdomain(`${'a'.repeat(64)}.b`, 'f'), refused('f'));
  assert.throws(() => dnsSubdomain('h'.repeat(70_000), 'f'), refused('f'));
  assert.equal(dnsLabel('kube-system', 'f'), 'kube-system');
  assert.throws(() => dnsLabel('a.b', 'f'), refused('f'));
});
