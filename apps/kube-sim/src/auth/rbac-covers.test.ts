import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PolicyRule } from './rbac-authorizer';
import { breakdownRule, compactRules, covers, escalationMessage, goQuoteList } from './rbac-covers';

const rule = (verbs: string[], apiGroups: string[], resources: string[], resourceNames?: string[]): PolicyRule => ({ verbs, apiGroups, resources, ...(resourceNames ? { resourceNames } : {}) });
const urls = (verbs: string[], nonResourceURLs: string[]): PolicyRule => ({ verbs, nonResourceURLs });

test('a rule breaks down into one rule per verb, group, resource and name, and per verb and URL', () => {
  assert.equal(breakdownRule(rule(['get', 'list'], ['', 'apps'], ['pods', 'deployments'], ['a', 'b'])).length, 16);
  assert.deepEqual(breakdownRule(urls(['get'], ['/healthz', '/metrics'])), [urls(['get'], ['/healthz']), urls(['get'], ['/metrics'])]);
});

test('wildcards cover everything in their field, and only there', () => {
  const owner = [rule(['*'], ['*'], ['*'])];
  assert.equal(covers(owner, [rule(['escalate', 'bind'], ['rbac.authorization.k8s.io'], ['clusterroles'])]).covered, true);
  assert.equal(covers(owner, [urls(['get'], ['/healthz'])]).covered, false, 'resource wildcards do not grant non-resource URLs');
  assert.equal(covers([urls(['*'], ['*'])], [urls(['get'], ['/healthz'])]).covered, true);
  assert.equal(covers([rule(['get'], ['*'], ['pods'])], [rule(['get'], ['apps'], ['pods'])]).covered, true);
  assert.equal(covers([rule(['get'], [''], ['pods'])], [rule(['get'], ['*'], ['pods'])]).covered, false, 'a literal group does not cover "*"');
  assert.equal(covers([rule(['get', 'list'], [''], ['pods'])], [rule(['*'], [''], ['pods'])]).covered, false, 'named verbs do not cover "*"');
});

test('subresources: exact, "*/sub" or "*" cover them; the parent resource does not', () => {
  assert.equal(covers([rule(['get'], [''], ['pods'])], [rule(['get'], [''], ['pods/log'])]).covered, false);
  assert.equal(covers([rule(['get'], [''], ['pods/log'])], [rule(['get'], [''], ['pods/log'])]).covered, true);
  assert.equal(covers([rule(['update'], ['apps'], ['*/status'])], [rule(['update'], ['apps'], ['deployments/status'])]).covered, true);
  assert.equal(covers([rule(['update'], ['apps'], ['*/status'])], [rule(['update'], ['apps'], ['deployments'])]).covered, false);
  assert.equal(covers([rule(['get'], [''], ['*'])], [rule(['get'], [''], ['pods/exec'])]).covered, true);
});

test('resourceNames: an unrestricted rule covers named ones; a named rule covers only its names', () => {
  assert.equal(covers([rule(['bind'], ['rbac.authorization.k8s.io'], ['clusterroles'])], [rule(['bind'], ['rbac.authorization.k8s.io'], ['clusterroles'], ['view'])]).covered, true);
  assert.equal(covers([rule(['get'], [''], ['configmaps'], ['a', 'b'])], [rule(['get'], [''], ['configmaps'], ['b'])]).covered, true);
  assert.equal(covers([rule(['get'], [''], ['configmaps'], ['a'])], [rule(['get'], [''], ['configmaps'], ['b'])]).covered, false);
  assert.equal(covers([rule(['get'], [''], ['configmaps'], ['a'])], [rule(['get'], [''], ['configmaps'])]).covered, false, 'named access does not cover every name');
});

test('non-resource URLs: a trailing "*" covers what starts with the rest', () => {
  assert.equal(covers([urls(['get'], ['/apis/*'])], [urls(['get'], ['/apis/apps/v1'])]).covered, true);
  assert.equal(covers([urls(['get'], ['/apis/*'])], [urls(['get'], ['/api'])]).covered, false);
  assert.equal(covers([urls(['get'], ['/healthz'])], [urls(['get'], ['/healthz/etcd'])]).covered, false);
});

test('what is missing is reported broken down, across several owner rules', () => {
  const owner = [rule(['get'], [''], ['pods']), rule(['list'], [''], ['pods'])];
  const { covered, missing } = covers(owner, [rule(['get', 'list', 'delete'], [''], ['pods', 'secrets'])]);
  assert.equal(covered, false);
  assert.deepEqual(missing, [rule(['delete'], [''], ['pods']), rule(['get'], [''], ['secrets']), rule(['list'], [''], ['secrets']), rule(['delete'], [''], ['secrets'])]);
});

test('simple missing rules merge their verbs; others stay as they are', () => {
  const out = compactRules([rule(['get'], [''], ['secrets']), rule(['list'], [''], ['secrets']), urls(['get'], ['/x']), rule(['get'], [''], ['secrets'], ['a']), rule(['delete'], [''], ['secrets'], ['a'])]);
  assert.deepEqual(out, [urls(['get'], ['/x']), rule(['get', 'list'], [''], ['secrets']), rule(['get', 'delete'], [''], ['secrets'], ['a'])]);
});

test('the message is upstream\'s: user, groups, then each missing rule on its own line, sorted', () => {
  const user = { username: 'system:serviceaccount:team:bot', groups: ['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated'] };
  const { missing } = covers([], [rule(['*'], ['*'], ['*']), urls(['*'], ['*'])]);
  assert.equal(
    escalationMessage(user, missing),
    'user "system:serviceaccount:team:bot" (groups=["system:serviceaccounts" "system:serviceaccounts:team" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}',
  );
  const named = covers([], [rule(['get', 'watch'], [''], ['configmaps'], ['settings'])]).missing;
  assert.equal(escalationMessage({ username: 'bob', groups: [] }, named, ['clusterroles.rbac.authorization.k8s.io "gone" not found']), 'user "bob" (groups=[]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["configmaps"], ResourceNames:["settings"], Verbs:["get" "watch"]}; resolution errors: [clusterroles.rbac.authorization.k8s.io "gone" not found]');
  assert.equal(goQuoteList(['a"b', 'tab\there']), '["a\\"b" "tab\\there"]');
});
