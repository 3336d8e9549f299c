import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AGENT_NAMESPACE, AGENT_SERVICE_ACCOUNT, agentClusterRole, agentClusterRoleRules, agentObjects, wildcardGrants } from './agent-identity';

function grants(verb: string, group: string, resource: string): boolean {
  return agentClusterRoleRules().some((r) => r.verbs.includes(verb) && (r.apiGroups ?? []).includes(group) && (r.resources ?? []).includes(resource));
}

test('the agent ClusterRole grants no wildcard verb, resource, API group or URL', () => {
  const role = agentClusterRole() as unknown as { rules: Parameters<typeof wildcardGrants>[0] };
  assert.deepEqual(wildcardGrants(role.rules), []);
  // The role as serialized carries no '*' at all (belt and braces against a field the check misses).
  assert.ok(!JSON.stringify(role.rules).includes('*'));
});

test('the wildcard check notices a wildcard', () => {
  assert.deepEqual(wildcardGrants([{ apiGroups: ['apps'], resources: ['*'], verbs: ['get'] }]), ['rules[0].resources: *']);
  assert.deepEqual(wildcardGrants([{ nonResourceURLs: ['/healthz/*'], verbs: ['get'] }]), ['rules[0].nonResourceURLs: /healthz/*']);
});

test('the agent never reads secrets or config maps and never deletes', () => {
  assert.ok(!grants('get', '', 'secrets') && !grants('list', '', 'secrets'));
  assert.ok(!grants('list', '', 'configmaps'));
  assert.ok(!agentClusterRoleRules().some((r) => r.verbs.includes('delete') || r.verbs.includes('deletecollection')));
  assert.ok(!agentClusterRoleRules().some((r) => r.verbs.includes('escalate') || r.verbs.includes('impersonate')));
});

test('the agent can write only what enforcement and upgrades write', () => {
  const writable = agentClusterRoleRules()
    .filter((r) => r.verbs.some((v) => ['create', 'update', 'patch'].includes(v)))
    .flatMap((r) => (r.resources ?? []).map((res) => `${r.apiGroups?.[0] || 'core'}/${res}`))
    .sort();
  assert.deepEqual(writable, [
    'cluster.x-k8s.io/clusters',
    'core/namespaces',
    'core/resourcequotas',
    'networking.k8s.io/networkpolicies',
    'rbac.authorization.k8s.io/clusterrolebindings',
    'rbac.authorization.k8s.io/rolebindings',
  ]);
  assert.ok(grants('bind', 'rbac.authorization.k8s.io', 'clusterroles'), 'binding a role the agent does not hold needs bind');
  assert.ok(!grants('update', '', 'namespaces'), 'namespaces are only patched (labels)');
});

test('the objects come in apply order and the token secret is bound to the agent service account', () => {
  const objs = agentObjects();
  assert.deepEqual(
    objs.map((o) => o.kind),
    ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Secret'],
  );
  const secret = objs[4];
  assert.equal(secret.type, 'kubernetes.io/service-account-token');
  assert.equal(secret.metadata.namespace, AGENT_NAMESPACE);
  assert.equal(secret.metadata.annotations?.['kubernetes.io/service-account.name'], AGENT_SERVICE_ACCOUNT);
  const binding = objs[3] as unknown as { subjects: Array<{ name: string; namespace: string }>; roleRef: { name: string } };
  assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: AGENT_SERVICE_ACCOUNT, namespace: AGENT_NAMESPACE }]);
  assert.equal(binding.roleRef.name, agentClusterRole().metadata.name);
});
