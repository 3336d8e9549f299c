import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInspection } from './run-inspection';
import type { InspectionCheck, InspectionSnapshot } from './inspection.types';
import { clusterRole, clusterRoleBinding, role, roleBinding } from './snapshot.fixture';

const DEFAULTS = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };

/** What every cluster ships: none of it is a finding. */
function baseline(): InspectionSnapshot {
  return {
    provider: 'VSPHERE',
    version: 'v1.30.4',
    clusterRoles: [
      clusterRole('cluster-admin', [{ verbs: ['*'], resources: ['*'], apiGroups: ['*'] }], DEFAULTS),
      clusterRole('admin', [{ verbs: ['get', 'list'], resources: ['pods'] }], DEFAULTS),
      clusterRole('system:controller:namespace-controller', [{ verbs: ['*'], resources: ['*'] }], DEFAULTS),
    ],
    clusterRoleBindings: [
      clusterRoleBinding('cluster-admin', 'cluster-admin', [{ kind: 'Group', name: 'system:masters' }], DEFAULTS),
      clusterRoleBinding('system:public-info-viewer', 'system:public-info-viewer', [{ kind: 'Group', name: 'system:authenticated' }, { kind: 'Group', name: 'system:unauthenticated' }], DEFAULTS),
      clusterRoleBinding('kubeadm:cluster-admins', 'cluster-admin', [{ kind: 'Group', name: 'kubeadm:cluster-admins' }]),
      clusterRoleBinding('tkg-addons', 'cluster-admin', [{ kind: 'ServiceAccount', name: 'addons-manager', namespace: 'kube-system' }]),
    ],
    roles: [role('kube-public', 'kubeadm:bootstrap-signer-clusterinfo', [{ verbs: ['get'], resources: ['configmaps'] }])],
    roleBindings: [roleBinding('kube-public', 'kubeadm:bootstrap-signer-clusterinfo', { kind: 'Role', name: 'kubeadm:bootstrap-signer-clusterinfo' }, [{ kind: 'User', name: 'system:anonymous' }])],
  };
}

function check(s: InspectionSnapshot, id: string): InspectionCheck {
  const c = runInspection('RBAC_RISK', s).find((x) => x.id === id);
  assert.ok(c, `check ${id} present`);
  return c;
}

test('the built-in RBAC of a fresh cluster raises nothing except a kubeadm admin group', () => {
  const checks = runInspection('RBAC_RISK', baseline());
  assert.deepEqual(checks.map((c) => [c.id, c.severity, c.outcome]), [
    ['rbac.cluster-admin-subjects', 'CRITICAL', 'FAIL'],
    ['rbac.wildcard-rules', 'HIGH', 'PASS'],
    ['rbac.default-service-account-bindings', 'MEDIUM', 'PASS'],
    ['rbac.anonymous-access', 'CRITICAL', 'PASS'],
  ]);
  // kubeadm's own admin group is not a system: subject, so it is reported — operators should know who holds it.
  assert.equal(checks[0]!.message, 'cluster-admin is bound to non-system subjects: ClusterRoleBinding kubeadm:cluster-admins → Group kubeadm:cluster-admins.');
  assert.match(checks[3]!.message, /only the Kubernetes defaults: ClusterRoleBinding system:public-info-viewer .*RoleBinding kube-public\/kubeadm:bootstrap-signer-clusterinfo/);
});

test('cluster-admin bound to people, broad groups or workload service accounts is CRITICAL, naming binding and subjects', () => {
  const s = baseline();
  s.clusterRoleBindings = [
    clusterRoleBinding('ops', 'cluster-admin', [{ kind: 'User', name: 'alice@example.com' }, { kind: 'Group', name: 'system:masters' }, { kind: 'Group', name: 'platform' }]),
    clusterRoleBinding('oops', 'cluster-admin', [{ kind: 'Group', name: 'system:authenticated' }]),
    clusterRoleBinding('viewers', 'view', [{ kind: 'User', name: 'bob' }]),
  ];
  s.roleBindings = [roleBinding('ci', 'deployer-admin', { kind: 'ClusterRole', name: 'cluster-admin' }, [{ kind: 'ServiceAccount', name: 'deployer' }])];
  const c = check(s, 'rbac.cluster-admin-subjects');
  assert.equal(c.outcome, 'FAIL');
  assert.equal(
    c.message,
    'cluster-admin is bound to non-system subjects: ClusterRoleBinding oops → Group system:authenticated; ClusterRoleBinding ops → User alice@example.com, Group platform; RoleBinding ci/deployer-admin → ServiceAccount ci/deployer.',
  );
});

test('only system subjects on cluster-admin passes', () => {
  const s = baseline();
  s.clusterRoleBindings = s.clusterRoleBindings!.filter((b) => b.metadata.name !== 'kubeadm:cluster-admins');
  assert.equal(check(s, 'rbac.cluster-admin-subjects').outcome, 'PASS');
});

test('custom roles with wildcard verbs or resources are HIGH, each named', () => {
  const s = baseline();
  s.clusterRoles!.push(clusterRole('ci-everything', [{ verbs: ['*'], resources: ['deployments'] }, { verbs: ['get'], resources: ['*'] }]));
  s.roles!.push(role('shop', 'pod-janitor', [{ verbs: ['delete'], resources: ['*'] }]), role('shop', 'reader', [{ verbs: ['get', 'list'], resources: ['pods'] }]));
  const c = check(s, 'rbac.wildcard-rules');
  assert.equal(c.outcome, 'FAIL');
  assert.equal(c.severity, 'HIGH');
  assert.equal(c.message, 'Roles granting wildcards: ClusterRole ci-everything (* verbs and resources); Role shop/pod-janitor (* resources).');
});

test('bindings that give a default service account permissions are MEDIUM findings', () => {
  const s = baseline();
  s.roleBindings!.push(roleBinding('shop', 'default-view', { kind: 'ClusterRole', name: 'view' }, [{ kind: 'ServiceAccount', name: 'default', namespace: 'shop' }]));
  const c = check(s, 'rbac.default-service-account-bindings');
  assert.equal(c.outcome, 'FAIL');
  assert.equal(c.severity, 'MEDIUM');
  assert.match(c.message, /RoleBinding shop\/default-view \(ClusterRole view\) → ServiceAccount shop\/default\.$/);
});

test('anonymous or unauthenticated subjects on anything but the defaults are CRITICAL', () => {
  const s = baseline();
  s.clusterRoleBindings!.push(clusterRoleBinding('anon-view', 'view', [{ kind: 'User', name: 'system:anonymous' }]));
  // A binding that borrows a default's name but grants something else is still a finding.
  s.roleBindings!.push(roleBinding('kube-public', 'kubeadm:bootstrap-signer-clusterinfo-2', { kind: 'ClusterRole', name: 'edit' }, [{ kind: 'Group', name: 'system:unauthenticated' }]));
  const c = check(s, 'rbac.anonymous-access');
  assert.equal(c.outcome, 'FAIL');
  assert.equal(
    c.message,
    'Anonymous requests are granted roles: ClusterRoleBinding anon-view (ClusterRole view) → User system:anonymous; RoleBinding kube-public/kubeadm:bootstrap-signer-clusterinfo-2 (ClusterRole edit) → Group system:unauthenticated.',
  );
});

test('RBAC objects not fetched are SKIP', () => {
  const checks = runInspection('RBAC_RISK', { provider: 'GENERIC', version: 'v1.30.0' });
  assert.deepEqual(checks.map((c) => c.outcome), ['SKIP', 'SKIP', 'SKIP', 'SKIP']);
});
