import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePolicy } from '../evaluate-policy';
import type { KubeObject } from '../kube-object';
import { namespaces, policy } from '../testing/snapshot.builders';

function quota(ns: string, name: string, hard: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name, namespace: ns }, spec: { hard, ...extra } };
}

const quotaPolicy = policy('QUOTA', { hard: { 'requests.cpu': '4', 'limits.memory': '8Gi' } });

test('QUOTA is compliant when hard limits are set and at most the policy, compared as quantities', () => {
  const result = evaluatePolicy(quotaPolicy, {
    Namespace: namespaces('a', 'b'),
    ResourceQuota: [quota('a', 'q', { 'requests.cpu': '3500m', 'limits.memory': '8Gi' }), quota('b', 'q', { 'requests.cpu': '4', 'limits.memory': '8G' })],
  });
  assert.deepEqual(result.violations, []);
});

test('QUOTA names the quota whose limit is above the policy, and the namespace missing a limit', () => {
  const result = evaluatePolicy(quotaPolicy, {
    Namespace: namespaces('a', 'b'),
    ResourceQuota: [quota('a', 'team', { 'requests.cpu': '4001m', 'limits.memory': '9Gi' }), quota('b', 'cpu-only', { 'requests.cpu': '1' })],
  });
  assert.deepEqual(result.violations, [
    { kind: 'Namespace', name: 'b', message: 'no ResourceQuota sets a hard limit on limits.memory; the policy requires one of at most 8Gi' },
    { kind: 'ResourceQuota', namespace: 'a', name: 'team', message: 'hard limit on limits.memory is 9Gi, above the policy maximum of 8Gi' },
    { kind: 'ResourceQuota', namespace: 'a', name: 'team', message: 'hard limit on requests.cpu is 4001m, above the policy maximum of 4' },
  ]);
});

test('QUOTA takes the tightest of several quotas, since all are enforced', () => {
  const result = evaluatePolicy(quotaPolicy, {
    Namespace: namespaces('a'),
    ResourceQuota: [quota('a', 'loose', { 'requests.cpu': '16', 'limits.memory': '64Gi' }), quota('a', 'tight', { 'requests.cpu': '2', 'limits.memory': '4Gi' })],
  });
  assert.equal(result.status, 'COMPLIANT');
});

test('QUOTA treats cpu and memory as requests.cpu and requests.memory, as ResourceQuota does', () => {
  const result = evaluatePolicy(policy('QUOTA', { hard: { 'requests.cpu': '4', memory: '1Gi' } }), {
    Namespace: namespaces('a'),
    ResourceQuota: [quota('a', 'q', { cpu: '2', 'requests.memory': '512Mi' })],
  });
  assert.equal(result.status, 'COMPLIANT');
});

test('QUOTA ignores scoped quotas, which only cap some pods', () => {
  const result = evaluatePolicy(policy('QUOTA', { hard: { 'requests.cpu': '4' } }), {
    Namespace: namespaces('a'),
    ResourceQuota: [quota('a', 'best-effort', { 'requests.cpu': '1' }, { scopes: ['BestEffort'] })],
  });
  assert.deepEqual(result.violations.map((v) => v.name), ['a']);
});

test('QUOTA exempts system namespaces unless named, and honours excludeNamespaces', () => {
  const snapshot = { Namespace: namespaces('kube-system', 'app', 'batch'), ResourceQuota: [] };
  assert.deepEqual(evaluatePolicy(policy('QUOTA', { hard: { pods: '10' }, excludeNamespaces: ['batch'] }), snapshot).violations.map((v) => v.name), ['app']);
  assert.deepEqual(evaluatePolicy(policy('QUOTA', { hard: { pods: '10' }, namespaces: ['kube-system'] }), snapshot).violations.map((v) => v.name), ['kube-system']);
});
