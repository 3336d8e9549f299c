import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePolicy } from '../evaluate-policy';
import { deployment, namespace, policy } from '../testing/snapshot.builders';

const labels = policy('LABELS', { kinds: ['Namespace', 'Deployment'], required: ['owner', 'team'] });

test('LABELS reports objects of the listed kinds missing a required label, or with it empty', () => {
  const labelled = (d: ReturnType<typeof deployment>, l: Record<string, string>) => ({ ...d, metadata: { ...d.metadata, labels: l } });
  const result = evaluatePolicy(labels, {
    Namespace: [namespace('a', { owner: 'x', team: 'y' }), namespace('b', { owner: 'x' })],
    Deployment: [labelled(deployment('a', 'ok', {}), { owner: 'x', team: 'y' }), labelled(deployment('a', 'web', {}), { owner: '', other: 'z' })],
  });
  assert.deepEqual(result.violations, [
    { kind: 'Deployment', namespace: 'a', name: 'web', message: 'missing required labels "owner" and "team"' },
    { kind: 'Namespace', name: 'b', message: 'missing required label "team"' },
  ]);
});

test('LABELS exempts system namespaces and what is in them, unless the spec names them', () => {
  const snapshot = { Namespace: [namespace('kube-system')], Deployment: [deployment('kube-system', 'coredns', {})] };
  assert.equal(evaluatePolicy(labels, snapshot).status, 'COMPLIANT');
  const named = policy('LABELS', { kinds: ['Namespace', 'Deployment'], required: ['owner'], namespaces: ['kube-system'] });
  assert.deepEqual(evaluatePolicy(named, snapshot).violations.map((v) => `${v.kind}/${v.name}`), ['Deployment/coredns', 'Namespace/kube-system']);
});

test('LABELS skips the RBAC objects Kubernetes bootstraps', () => {
  const role = (name: string, l?: Record<string, string>) => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, ...(l ? { labels: l } : {}) } });
  const result = evaluatePolicy(policy('LABELS', { kinds: ['ClusterRole'], required: ['owner'] }), {
    ClusterRole: [role('system:node'), role('admin', { 'kubernetes.io/bootstrapping': 'rbac-defaults' }), role('team-reader')],
  });
  assert.deepEqual(result.violations.map((v) => v.name), ['team-reader']);
});
