import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePolicy, planEnforcement, snapshotKindsFor } from './evaluate-policy';
import { FLOTILLA_MANAGED_LABELS } from './managed-labels';
import { WHOLE_CLUSTER, governedNamespaces, governsNamespace, missingNamespaces, type NamespaceReach } from './namespace-governance';
import type { PolicyDefinition } from './policy.types';
import { applyToSnapshot, emptyWorkloads, namespaces, pod, policy } from './testing/snapshot.builders';

const workspace = (...ns: string[]): NamespaceReach => ({ kind: 'WORKSPACE', workspaceId: 'ws-1', namespaces: ns });
const ON_CLUSTER = ['default', 'team-a', 'team-b', 'kube-system', 'flotilla-system'];

test('a whole-cluster policy governs every non-system namespace, or exactly those its spec names', () => {
  assert.deepEqual(governedNamespaces({}, WHOLE_CLUSTER, ON_CLUSTER), ['default', 'team-a', 'team-b']);
  assert.deepEqual(governedNamespaces({ namespaces: ['team-a', 'kube-system'] }, WHOLE_CLUSTER, ON_CLUSTER), ['kube-system', 'team-a']);
  assert.deepEqual(governedNamespaces({ excludeNamespaces: ['default'] }, WHOLE_CLUSTER, ON_CLUSTER), ['team-a', 'team-b']);
});

test("a workspace policy governs exactly the workspace's namespaces on the cluster, including ones not created yet", () => {
  assert.deepEqual(governedNamespaces({}, workspace('team-a', 'team-new'), ON_CLUSTER), ['team-a', 'team-new']);
  assert.equal(governsNamespace({}, workspace('team-a'))('team-b'), false);
  assert.equal(governsNamespace({}, workspace('team-a'))('default'), false);
});

test('a workspace policy never governs a system namespace, even when the workspace or the spec names it', () => {
  assert.deepEqual(governedNamespaces({ namespaces: ['kube-system', 'team-a'] }, workspace('kube-system', 'team-a'), ON_CLUSTER), ['team-a']);
});

test("a workspace policy's spec narrows the workspace, and excludeNamespaces wins", () => {
  assert.deepEqual(governedNamespaces({ namespaces: ['team-a', 'team-b'] }, workspace('team-a', 'team-c'), ON_CLUSTER), ['team-a']);
  assert.deepEqual(governedNamespaces({ excludeNamespaces: ['team-a'] }, workspace('team-a', 'team-c'), ON_CLUSTER), ['team-c']);
});

test('only a workspace reach has missing namespaces: the governed ones absent from the cluster', () => {
  assert.deepEqual(missingNamespaces({}, workspace('team-a', 'team-new', 'kube-public'), ON_CLUSTER), ['team-new']);
  assert.deepEqual(missingNamespaces({ namespaces: ['nowhere'] }, WHOLE_CLUSTER, ON_CLUSTER), []);
});

const privileged = { containers: [{ name: 'c', image: 'x', securityContext: { privileged: true } }] };
const scopedTo = (p: PolicyDefinition, reach: NamespaceReach): PolicyDefinition => ({ ...p, reach });

test('a SECURITY policy on a workspace flags only the workspace namespaces', () => {
  const snapshot = { ...emptyWorkloads(), Namespace: namespaces(...ON_CLUSTER), Pod: [pod('team-a', 'bad-a', privileged), pod('team-b', 'bad-b', privileged), pod('kube-system', 'bad-k', privileged)] };
  const p = scopedTo(policy('SECURITY', { level: 'baseline' }), workspace('team-a'));
  assert.deepEqual(evaluatePolicy(p, snapshot).violations.map((v) => `${v.namespace}/${v.name}`), ['team-a/bad-a']);
  assert.deepEqual(evaluatePolicy(policy('SECURITY', { level: 'baseline' }), snapshot).violations.map((v) => `${v.namespace}/${v.name}`), ['team-a/bad-a', 'team-b/bad-b']);
});

test('a LABELS policy on a workspace leaves cluster-scoped objects alone', () => {
  const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'team-reader' } };
  const snapshot = { Namespace: namespaces('team-a', 'team-b'), ClusterRole: [role] };
  const spec = { required: ['owner'], kinds: ['Namespace', 'ClusterRole'] };
  const p = policy('LABELS', spec);
  const whole = evaluatePolicy(p, snapshot).violations.map((v) => `${v.kind}/${v.name}`);
  assert.ok(whole.includes('ClusterRole/team-reader'), 'the whole-cluster policy checks the ClusterRole');
  assert.deepEqual(evaluatePolicy(scopedTo(p, workspace('team-a')), snapshot).violations.map((v) => `${v.kind}/${v.name}`), ['Namespace/team-a']);
});

test('ENFORCE on a workspace creates its missing namespaces (labelled Flotilla’s), labels them, then does nothing more', () => {
  const p = scopedTo(policy('SECURITY', { level: 'baseline' }, 'ENFORCE', 'pol-9'), workspace('team-a', 'team-new'));
  assert.ok(snapshotKindsFor([p]).includes('Namespace'));
  const snapshot = { ...emptyWorkloads(), Namespace: namespaces('default', 'team-a') };
  const plan = planEnforcement(p, snapshot);
  assert.deepEqual(plan.apply, [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-new', labels: FLOTILLA_MANAGED_LABELS, annotations: { 'flotilla.io/workspace-id': 'ws-1' } } },
  ]);
  assert.deepEqual(plan.namespaceLabels.map((l) => l.namespace), ['team-a', 'team-new'], 'the new namespace is labelled too, never default');
  const after = applyToSnapshot(snapshot, plan.apply, plan.namespaceLabels);
  const again = planEnforcement(p, after);
  assert.deepEqual(again.apply, []);
  assert.deepEqual(again.namespaceLabels, []);
});

test('AUDIT on a workspace creates nothing', () => {
  const p = scopedTo(policy('SECURITY', { level: 'baseline' }), workspace('team-new'));
  assert.deepEqual(planEnforcement(p, { ...emptyWorkloads(), Namespace: [] }).apply, []);
});
