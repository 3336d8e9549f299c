import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluatePolicy } from '../evaluate-policy';
import type { KubeObject } from '../kube-object';
import type { ClusterSnapshot } from '../policy.types';
import { namespaces, policy } from '../testing/snapshot.builders';

const clusterRole = (name: string): KubeObject => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name } });

function binding(kind: 'ClusterRoleBinding' | 'RoleBinding', name: string, roleRef: { kind: string; name: string }, subjects: unknown[], namespace?: string): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: { name, ...(namespace ? { namespace } : {}) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
    subjects,
  };
}

const devs = { kind: 'Group', name: 'devs', apiGroup: 'rbac.authorization.k8s.io' };
const ci = { kind: 'ServiceAccount', name: 'ci', namespace: 'ci' };

const clusterWide = policy('ACCESS', { bindings: [{ role: 'view', subjects: [{ kind: 'Group', name: 'devs' }, { kind: 'ServiceAccount', name: 'ci', namespace: 'ci' }] }] });
const perNamespace = policy('ACCESS', { bindings: [{ role: 'edit', subjects: [{ kind: 'Group', name: 'devs' }], namespaces: ['team-a', 'team-b'] }] });

function snapshot(extra: Partial<ClusterSnapshot>): ClusterSnapshot {
  return { ClusterRole: [clusterRole('view'), clusterRole('edit')], ClusterRoleBinding: [], RoleBinding: [], Namespace: namespaces('team-a', 'team-b'), ...extra };
}

test('ACCESS is compliant when ClusterRoleBindings grant the ClusterRole to every subject, even across bindings', () => {
  const result = evaluatePolicy(
    clusterWide,
    snapshot({
      ClusterRoleBinding: [binding('ClusterRoleBinding', 'a', { kind: 'ClusterRole', name: 'view' }, [devs]), binding('ClusterRoleBinding', 'b', { kind: 'ClusterRole', name: 'view' }, [ci])],
    }),
  );
  assert.deepEqual(result, { policyId: 'p1', status: 'COMPLIANT', violations: [] });
});

test('ACCESS names the ClusterRole and each subject that lacks the cluster-wide grant', () => {
  const result = evaluatePolicy(
    clusterWide,
    snapshot({
      ClusterRoleBinding: [
        binding('ClusterRoleBinding', 'a', { kind: 'ClusterRole', name: 'view' }, [devs]),
        // Same name, other namespace: a different ServiceAccount.
        binding('ClusterRoleBinding', 'b', { kind: 'ClusterRole', name: 'view' }, [{ ...ci, namespace: 'default' }]),
      ],
    }),
  );
  assert.equal(result.status, 'NON_COMPLIANT');
  assert.deepEqual(result.violations, [
    {
      kind: 'ClusterRole',
      name: 'view',
      message: 'ClusterRole "view" is not granted cluster-wide to ServiceAccount "ci/ci": no ClusterRoleBinding binds it to this subject',
    },
  ]);
});

test('ACCESS with namespaces needs a RoleBinding to the ClusterRole in each namespace; a Role of the same name does not count', () => {
  const result = evaluatePolicy(
    perNamespace,
    snapshot({
      RoleBinding: [
        binding('RoleBinding', 'ok', { kind: 'ClusterRole', name: 'edit' }, [devs], 'team-a'),
        binding('RoleBinding', 'role-not-clusterrole', { kind: 'Role', name: 'edit' }, [devs], 'team-b'),
      ],
      // A cluster-wide binding is not what the policy asks for.
      ClusterRoleBinding: [binding('ClusterRoleBinding', 'x', { kind: 'ClusterRole', name: 'edit' }, [devs])],
    }),
  );
  assert.deepEqual(result.violations, [
    { kind: 'Namespace', name: 'team-b', message: 'ClusterRole "edit" is not granted in this namespace to Group "devs": no RoleBinding here binds it to this subject' },
  ]);
});

test('ACCESS reports a named namespace that does not exist and a ClusterRole that does not exist', () => {
  const result = evaluatePolicy(
    policy('ACCESS', { bindings: [{ role: 'auditor', subjects: [{ kind: 'User', name: 'alice' }], namespaces: ['team-z'] }] }),
    snapshot({}),
  );
  assert.deepEqual(result.violations, [
    { kind: 'ClusterRole', name: 'auditor', message: 'ClusterRole "auditor" does not exist, so bindings to it grant nothing' },
    { kind: 'Namespace', name: 'team-z', message: 'namespace does not exist (or is being deleted), so ClusterRole "auditor" cannot be granted in it to User "alice"' },
  ]);
});

test('ACCESS may name a system namespace, which is then checked', () => {
  const result = evaluatePolicy(
    policy('ACCESS', { bindings: [{ role: 'view', subjects: [{ kind: 'Group', name: 'sre' }], namespaces: ['kube-system'] }] }),
    snapshot({ Namespace: namespaces('kube-system') }),
  );
  assert.deepEqual(
    result.violations.map((v) => v.name),
    ['kube-system'],
  );
});
