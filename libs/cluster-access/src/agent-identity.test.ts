import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AGENT_NAMESPACE,
  AGENT_SERVICE_ACCOUNT,
  AGENT_TOKEN_ROLE,
  AGENT_TOKEN_SECRET,
  PolicyRule,
  agentTokenRenewalRules,
  isLegacyAgentTokenSecret,
  agentClusterRole,
  agentClusterRoleRules,
  agentObjects,
  establishAgentIdentity,
  checkBindableRoles,
  escalationGrants,
  wildcardGrants,
} from './agent-identity';

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

test('the agent never reads or writes secrets or config maps, and deletes only the kinds enforcement creates', () => {
  assert.ok(!grants('get', '', 'secrets') && !grants('list', '', 'secrets'));
  assert.ok(!agentClusterRoleRules().some((r) => (r.resources ?? []).includes('secrets')), 'no verb at all on secrets');
  assert.ok(!grants('list', '', 'configmaps'));
  assert.ok(!agentClusterRoleRules().some((r) => r.verbs.includes('deletecollection')));
  const deletable = agentClusterRoleRules()
    .filter((r) => r.verbs.includes('delete'))
    .flatMap((r) => (r.resources ?? []).map((res) => `${r.apiGroups?.[0] || 'core'}/${res}`))
    .sort();
  assert.deepEqual(deletable, [
    'admissionregistration.k8s.io/validatingadmissionpolicies',
    'admissionregistration.k8s.io/validatingadmissionpolicybindings',
    'core/resourcequotas', 'networking.k8s.io/networkpolicies', 'rbac.authorization.k8s.io/clusterrolebindings', 'rbac.authorization.k8s.io/rolebindings']);
  assert.ok(!agentClusterRoleRules().some((r) => r.verbs.includes('escalate') || r.verbs.includes('impersonate')));
});

test('the agent cannot escalate: bind only on the named roles, never cluster-admin by default', () => {
  assert.deepEqual(escalationGrants(agentClusterRoleRules()), []);
  const binds = agentClusterRoleRules().filter((r) => r.verbs.includes('bind'));
  assert.deepEqual(binds, [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], resourceNames: ['admin', 'edit', 'view'], verbs: ['bind'] }]);
  // The role exactly as the CLI creates it (the objects attach applies).
  const role = agentObjects().find((o) => o.kind === 'ClusterRole') as unknown as { rules: PolicyRule[] };
  assert.deepEqual(escalationGrants(role.rules), []);
  assert.ok(!JSON.stringify(role.rules).includes('cluster-admin'));
  // An attach-time list replaces the default; cluster-admin appears only when asked for.
  const custom = agentClusterRoleRules({ bindableRoles: ['view', 'auditor', 'view'] }).find((r) => r.verbs.includes('bind'));
  assert.deepEqual(custom?.resourceNames, ['auditor', 'view']);
  const withAdmin = agentClusterRoleRules({ bindableRoles: ['view', 'cluster-admin'] });
  assert.deepEqual(escalationGrants(withAdmin, { allowClusterAdminBinding: true }), []);
  assert.deepEqual(escalationGrants(withAdmin), ['rules[7]: bind on cluster-admin']);
});

test('the escalation check notices each way to escalate', () => {
  assert.deepEqual(
    escalationGrants([
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'] },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['escalate'] },
      { apiGroups: [''], resources: ['users', 'serviceaccounts'], verbs: ['impersonate'] },
      { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'create'] },
    ]),
    ['rules[0]: bind without resourceNames', 'rules[1]: escalate', 'rules[2]: impersonate', 'rules[3]: create on secrets'],
  );
});

test('bindable roles: names checked, deduplicated and sorted; cluster-admin only with the opt-in', () => {
  assert.deepEqual(checkBindableRoles(['view', 'edit', 'view'], false), { roles: ['edit', 'view'] });
  assert.deepEqual(checkBindableRoles(['view'], true), { roles: ['cluster-admin', 'view'] });
  assert.deepEqual(checkBindableRoles(['system:aggregate-to-view'], false), { roles: ['system:aggregate-to-view'] });
  assert.match((checkBindableRoles(['view', 'cluster-admin'], false) as { problem: string }).problem, /cluster-admin is bindable only with the explicit/);
  assert.match((checkBindableRoles([], false) as { problem: string }).problem, /at least one/);
  assert.match((checkBindableRoles(['a/b'], false) as { problem: string }).problem, /"a\/b" is not a ClusterRole name/);
  assert.match((checkBindableRoles(Array.from({ length: 33 }, (_, i) => `r${i}`), false) as { problem: string }).problem, /at most 32/);
});

test('the agent can write only what enforcement and upgrades write', () => {
  const writable = agentClusterRoleRules()
    .filter((r) => r.verbs.some((v) => ['create', 'update', 'patch'].includes(v)))
    .flatMap((r) => (r.resources ?? []).map((res) => `${r.apiGroups?.[0] || 'core'}/${res}`))
    .sort();
  assert.deepEqual(writable, [
    'admissionregistration.k8s.io/validatingadmissionpolicies',
    'admissionregistration.k8s.io/validatingadmissionpolicybindings',
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

test('the objects come in apply order; no token Secret; the token Role lets flotilla-agent mint its own token only', () => {
  const objs = agentObjects();
  assert.deepEqual(
    objs.map((o) => o.kind),
    ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'],
  );
  assert.ok(!objs.some((o) => o.kind === 'Secret'), 'no long-lived token Secret');
  const binding = objs[3] as unknown as { subjects: Array<{ name: string; namespace: string }>; roleRef: { name: string } };
  assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: AGENT_SERVICE_ACCOUNT, namespace: AGENT_NAMESPACE }]);
  assert.equal(binding.roleRef.name, agentClusterRole().metadata.name);
  const role = objs[4] as unknown as { metadata: { name: string; namespace: string }; rules: PolicyRule[] };
  assert.equal(role.metadata.namespace, AGENT_NAMESPACE);
  assert.deepEqual(role.rules, [{ apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: [AGENT_SERVICE_ACCOUNT], verbs: ['create'] }]);
  assert.deepEqual(agentTokenRenewalRules(), role.rules);
  assert.deepEqual(escalationGrants(role.rules), []);
  assert.deepEqual(wildcardGrants(role.rules), []);
  const roleBinding = objs[5] as unknown as { metadata: { namespace: string }; subjects: unknown[]; roleRef: { kind: string; name: string } };
  assert.equal(roleBinding.metadata.namespace, AGENT_NAMESPACE);
  assert.deepEqual(roleBinding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: AGENT_TOKEN_ROLE });
  assert.deepEqual(roleBinding.subjects, [{ kind: 'ServiceAccount', name: AGENT_SERVICE_ACCOUNT, namespace: AGENT_NAMESPACE }]);
  assert.ok(!agentClusterRoleRules().some((r) => (r.resources ?? []).some((res) => res.startsWith('serviceaccounts/'))), 'the ClusterRole mints no tokens anywhere');
});

test('only the token Secret an older attach created counts as the legacy one to remove', () => {
  const legacy = {
    type: 'kubernetes.io/service-account-token',
    metadata: { name: AGENT_TOKEN_SECRET, labels: { 'app.kubernetes.io/managed-by': 'flotilla' }, annotations: { 'kubernetes.io/service-account.name': AGENT_SERVICE_ACCOUNT } },
  };
  assert.equal(isLegacyAgentTokenSecret(legacy), true);
  assert.equal(isLegacyAgentTokenSecret({ ...legacy, type: 'Opaque' }), false);
  assert.equal(isLegacyAgentTokenSecret({ ...legacy, metadata: { ...legacy.metadata, labels: {} } }), false, 'not created by Flotilla');
  assert.equal(isLegacyAgentTokenSecret({ ...legacy, metadata: { ...legacy.metadata, annotations: { 'kubernetes.io/service-account.name': 'default' } } }), false);
});

test('the provisioning opt-in adds exactly Cluster create/delete and get (no list, no watch) on secrets, and stays non-escalating', () => {
  const plain = agentClusterRoleRules();
  const prov = agentClusterRoleRules({ provisioning: true });
  const added = prov.filter((r) => !plain.some((p) => JSON.stringify(p) === JSON.stringify(r)));
  assert.deepEqual(added, [
    { apiGroups: ['cluster.x-k8s.io'], resources: ['clusters'], verbs: ['get', 'list', 'patch', 'create', 'delete'] },
    { apiGroups: [''], resources: ['secrets'], verbs: ['get'] },
  ]);
  assert.deepEqual(escalationGrants(prov), []);
  assert.deepEqual(wildcardGrants(prov), []);
});

test('establishAgentIdentity: every agent object in order, then one TokenRequest for flotilla-agent (24 h unless asked), and no Secret', async () => {
  const ensured: string[] = [];
  const requested: Array<[string, string, number]> = [];
  const progress: string[] = [];
  const writer = {
    ensure: async (o: { kind: string; metadata: { name: string } }) => {
      ensured.push(`${o.kind}/${o.metadata.name}`);
      return o.kind === 'Namespace' ? ('unchanged' as const) : ('created' as const);
    },
    requestToken: async (namespace: string, name: string, seconds: number) => {
      requested.push([namespace, name, seconds]);
      return { token: 't', expiresAt: new Date(Date.UTC(2030, 0, 1)) };
    },
  };
  const issued = await establishAgentIdentity(writer, { provisioning: true, onProgress: (l) => progress.push(l) });
  assert.deepEqual(ensured, agentObjects({ provisioning: true }).map((o) => `${o.kind}/${o.metadata.name}`));
  assert.ok(ensured.includes(`RoleBinding/${AGENT_TOKEN_ROLE}`));
  assert.ok(!ensured.some((e) => e.startsWith('Secret/')), 'no token Secret');
  assert.deepEqual(requested, [[AGENT_NAMESPACE, AGENT_SERVICE_ACCOUNT, 24 * 60 * 60]]);
  assert.deepEqual(issued, { token: 't', expiresAt: new Date(Date.UTC(2030, 0, 1)) });
  assert.equal(progress[0], `namespace/${AGENT_NAMESPACE} unchanged`);

  requested.length = 0;
  await establishAgentIdentity(writer, { tokenTtlSeconds: 3600 });
  assert.deepEqual(requested, [[AGENT_NAMESPACE, AGENT_SERVICE_ACCOUNT, 3600]]);
});
