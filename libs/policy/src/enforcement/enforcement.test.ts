import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePolicy, planEnforcement } from '../evaluate-policy';
import type { KubeObject } from '../kube-object';
import { FLOTILLA_MANAGED_LABELS, POLICY_ID_ANNOTATION } from '../managed-labels';
import { ENFORCED_KINDS, objectsCreatedBy } from './cleanup';
import type { ClusterSnapshot, PolicyDefinition } from '../policy.types';
import { applyToSnapshot, deployment, emptyWorkloads, namespace, namespaces, pod, policy, restrictedContainer } from '../testing/snapshot.builders';

const enforce = (type: PolicyDefinition['type'], spec: unknown) => policy(type, spec, 'ENFORCE', 'pol-7');

/** Plan, apply, and check that the cluster then complies and that planning again changes nothing. */
function assertConverges(p: PolicyDefinition, snapshot: ClusterSnapshot): ClusterSnapshot {
  const plan = planEnforcement(p, snapshot);
  assert.ok(plan.apply.length + plan.namespaceLabels.length > 0, 'the plan does something');
  for (const object of plan.apply) assert.deepEqual(object.metadata.labels, FLOTILLA_MANAGED_LABELS, `${object.kind} ${object.metadata.name} is labelled as Flotilla's`);
  const after = applyToSnapshot(snapshot, plan.apply, plan.namespaceLabels);
  const again = planEnforcement(p, after);
  assert.deepEqual(again.apply, [], 're-planning applies nothing');
  assert.deepEqual(again.namespaceLabels, [], 're-planning labels nothing');
  return after;
}

test('ACCESS enforcement creates a ClusterRoleBinding or per-namespace RoleBindings to the ClusterRole, then nothing', () => {
  const p = enforce('ACCESS', {
    bindings: [
      { role: 'view', subjects: [{ kind: 'Group', name: 'devs' }] },
      { role: 'edit', subjects: [{ kind: 'ServiceAccount', name: 'ci', namespace: 'ci' }], namespaces: ['team-a'] },
    ],
  });
  const role = (name: string): KubeObject => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name } });
  const snapshot: ClusterSnapshot = { ClusterRole: [role('view'), role('edit')], ClusterRoleBinding: [], RoleBinding: [], Namespace: namespaces('team-a') };
  const plan = planEnforcement(p, snapshot);
  assert.deepEqual(plan.apply, [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'flotilla-access-pol-7-view', labels: FLOTILLA_MANAGED_LABELS, annotations: { 'flotilla.io/policy-id': 'pol-7' } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'devs' }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'flotilla-access-pol-7-edit', namespace: 'team-a', labels: FLOTILLA_MANAGED_LABELS, annotations: { 'flotilla.io/policy-id': 'pol-7' } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ kind: 'ServiceAccount', name: 'ci', namespace: 'ci' }],
    },
  ]);
  assert.deepEqual(plan.unenforceable, []);
  const after = assertConverges(p, snapshot);
  assert.equal(evaluatePolicy(p, after).status, 'COMPLIANT');
});

test('ACCESS enforcement cannot create a missing namespace or ClusterRole, and says so', () => {
  const p = enforce('ACCESS', { bindings: [{ role: 'auditor', subjects: [{ kind: 'User', name: 'al' }], namespaces: ['gone', 'here'] }] });
  const plan = planEnforcement(p, { ClusterRole: [], RoleBinding: [], Namespace: namespaces('here') });
  assert.deepEqual(plan.apply.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`), ['RoleBinding/here/flotilla-access-pol-7-auditor']);
  assert.deepEqual(plan.unenforceable.map((v) => `${v.kind}/${v.name}`), ['ClusterRole/auditor', 'Namespace/gone']);
});

test('NETWORK enforcement adds a default-deny policy only where one is missing, then nothing', () => {
  const p = enforce('NETWORK', { defaultDeny: 'all' });
  const existing: KubeObject = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'theirs', namespace: 'b' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } };
  const snapshot: ClusterSnapshot = { Namespace: namespaces('a', 'b', 'kube-system'), NetworkPolicy: [existing] };
  const plan = planEnforcement(p, snapshot);
  assert.deepEqual(plan.apply, [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name: 'flotilla-default-deny-pol-7', namespace: 'a', labels: FLOTILLA_MANAGED_LABELS, annotations: { 'flotilla.io/policy-id': 'pol-7' } },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    },
  ]);
  const after = assertConverges(p, snapshot);
  assert.equal(evaluatePolicy(p, after).status, 'COMPLIANT');
  // What it did not create is left in place.
  assert.ok(after.NetworkPolicy!.some((np) => np.metadata.name === 'theirs'));
});

test('QUOTA enforcement adds a quota with the policy limits where the namespace is not capped enough, then nothing', () => {
  const p = enforce('QUOTA', { hard: { 'requests.cpu': '4', 'limits.memory': '8Gi' } });
  const theirs: KubeObject = { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'big', namespace: 'a' }, spec: { hard: { 'requests.cpu': '64' } } };
  const snapshot: ClusterSnapshot = { Namespace: namespaces('a'), ResourceQuota: [theirs] };
  const plan = planEnforcement(p, snapshot);
  assert.deepEqual(plan.apply.map((o) => [o.kind, o.metadata.namespace, o.metadata.name, o.spec]), [
    ['ResourceQuota', 'a', 'flotilla-quota-pol-7', { hard: { 'requests.cpu': '4', 'limits.memory': '8Gi' } }],
  ]);
  const after = assertConverges(p, snapshot);
  assert.equal(evaluatePolicy(p, after).status, 'COMPLIANT');
  assert.deepEqual(after.ResourceQuota!.find((q) => q.metadata.name === 'big'), theirs);
});

test('an edited Flotilla object is re-applied with the policy values', () => {
  const p = enforce('QUOTA', { hard: { 'requests.cpu': '4' } });
  const drifted: KubeObject = {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: 'flotilla-quota-pol-7', namespace: 'a', labels: FLOTILLA_MANAGED_LABELS },
    spec: { hard: { 'requests.cpu': '40' } },
  };
  const plan = planEnforcement(p, { Namespace: namespaces('a'), ResourceQuota: [drifted] });
  assert.deepEqual(plan.apply.map((o) => o.spec), [{ hard: { 'requests.cpu': '4' } }]);
});

test('SECURITY enforcement labels namespaces for the admission controller and reports pods already running', () => {
  const p = enforce('SECURITY', { level: 'baseline', version: 'v1.30' });
  const snapshot: ClusterSnapshot = {
    ...emptyWorkloads(),
    Namespace: [
      namespace('plain'),
      namespace('stricter', { 'pod-security.kubernetes.io/enforce': 'restricted' }),
      namespace('weaker', { 'pod-security.kubernetes.io/enforce': 'privileged' }),
      namespace('kube-system'),
    ],
    Pod: [pod('plain', 'root', { containers: [{ name: 'c', image: 'i', securityContext: { privileged: true } }] })],
    Deployment: [deployment('plain', 'fine', { containers: [restrictedContainer('c')] })],
  };
  const plan = planEnforcement(p, snapshot);
  const labels = { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/enforce-version': 'v1.30' };
  assert.deepEqual(plan.namespaceLabels, [
    { namespace: 'plain', labels },
    { namespace: 'weaker', labels },
  ]);
  assert.deepEqual(plan.apply, []);
  assert.deepEqual(plan.unenforceable.map((v) => `${v.kind}/${v.namespace}/${v.name}`), ['Pod/plain/root']);
  assertConverges(p, snapshot);
});

test('IMAGE_REGISTRY and LABELS cannot be enforced by objects: every violation is reported', () => {
  const images = enforce('IMAGE_REGISTRY', { allowedRegistries: ['registry.example.com'] });
  const snapshot: ClusterSnapshot = { ...emptyWorkloads(), Namespace: namespaces('a'), Pod: [pod('a', 'p', { containers: [{ name: 'c', image: 'nginx' }] })] };
  const imagePlan = planEnforcement(images, snapshot);
  assert.deepEqual(imagePlan.apply, []);
  assert.deepEqual(imagePlan.unenforceable, evaluatePolicy(images, snapshot).violations);
  assert.equal(imagePlan.unenforceable.length, 1);

  const labels = enforce('LABELS', { kinds: ['Namespace'], required: ['owner'] });
  const labelPlan = planEnforcement(labels, snapshot);
  assert.deepEqual(labelPlan, { apply: [], namespaceLabels: [], unenforceable: [{ kind: 'Namespace', name: 'a', message: 'missing required label "owner"' }] });
});

test('an AUDIT policy plans nothing', () => {
  const p = policy('NETWORK', { defaultDeny: 'ingress' }, 'AUDIT');
  assert.deepEqual(planEnforcement(p, { Namespace: namespaces('a'), NetworkPolicy: [] }), { apply: [], namespaceLabels: [], unenforceable: [] });
});

test('plans only ever create or update: there is no delete in a plan, whatever the snapshot holds', () => {
  const p = enforce('NETWORK', { defaultDeny: 'ingress' });
  const stale: KubeObject = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'flotilla-default-deny-old-policy', namespace: 'a', labels: FLOTILLA_MANAGED_LABELS },
    spec: { podSelector: {}, policyTypes: ['Ingress'] },
  };
  const plan = planEnforcement(p, { Namespace: namespaces('a', 'b'), NetworkPolicy: [stale] });
  assert.deepEqual(Object.keys(plan).sort(), ['apply', 'namespaceLabels', 'unenforceable']);
  assert.deepEqual(plan.apply.map((o) => o.metadata.namespace), ['b']);
});

test('cleanup takes exactly the objects this policy created: Flotilla label and this policy id, both', () => {
  const obj = (name: string, labels?: Record<string, string>, policyId?: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name, namespace: 'a', ...(labels ? { labels } : {}), ...(policyId ? { annotations: { [POLICY_ID_ANNOTATION]: policyId } } : {}) },
  });
  const objects = [
    obj('ours', FLOTILLA_MANAGED_LABELS, 'pol-7'),
    obj('other-policy', FLOTILLA_MANAGED_LABELS, 'pol-8'),
    obj('label-only', FLOTILLA_MANAGED_LABELS),
    obj('annotation-only', { team: 'x' }, 'pol-7'),
    obj('theirs', { 'app.kubernetes.io/managed-by': 'helm' }, 'pol-7'),
  ];
  assert.deepEqual(objectsCreatedBy('pol-7', objects).map((o) => o.metadata.name), ['ours']);
});

test('every kind a plan creates is a kind cleanup looks at', () => {
  const role = (name: string): KubeObject => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name } });
  const plans = [
    planEnforcement(enforce('ACCESS', { bindings: [{ role: 'view', subjects: [{ kind: 'User', name: 'u' }] }, { role: 'view', subjects: [{ kind: 'User', name: 'u' }], namespaces: ['a'] }] }), {
      ClusterRole: [role('view')],
      ClusterRoleBinding: [],
      RoleBinding: [],
      Namespace: namespaces('a'),
    }),
    planEnforcement(enforce('NETWORK', { defaultDeny: 'all' }), { Namespace: namespaces('a'), NetworkPolicy: [] }),
    planEnforcement(enforce('QUOTA', { hard: { 'requests.cpu': '1' } }), { Namespace: namespaces('a'), ResourceQuota: [] }),
    planEnforcement(
      enforce('CUSTOM', { matchConstraints: { resourceRules: [{ apiGroups: [''], kinds: ['Pod'] }] }, validations: [{ expression: 'true' }] }),
      { Pod: [] },
      { kubernetesVersion: { major: 1, minor: 31 } },
    ),
  ];
  const kinds = new Set(plans.flatMap((p) => p.apply.map((o) => o.kind)));
  assert.deepEqual([...kinds].sort(), [...ENFORCED_KINDS].sort());
  for (const o of plans.flatMap((p) => p.apply)) assert.deepEqual(objectsCreatedBy('pol-7', [o]), [o], `${o.kind} ${o.metadata.name} is found by cleanup`);
});
