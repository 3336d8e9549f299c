import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from './contract';
import { fleetMix } from './index';
import { generateFleet, ofKind } from './generation.test-helper';

type Subject = { kind: string; name: string; namespace?: string };
type Rule = { apiGroups?: string[]; resources?: string[]; verbs: string[] };

const subjects = (b: KubeObject) => (b.subjects as Subject[] | undefined) ?? [];
const roleRef = (b: KubeObject) => b.roleRef as { kind: string; name: string };

function risks(objects: KubeObject[]): Set<string> {
  const found = new Set<string>();
  for (const b of objects.filter((o) => o.kind === 'ClusterRoleBinding' || o.kind === 'RoleBinding')) {
    for (const s of subjects(b)) {
      if (roleRef(b).name === 'cluster-admin' && s.kind === 'User' && !s.name.startsWith('system:')) found.add('cluster-admin-user');
      if (roleRef(b).name === 'cluster-admin' && s.kind === 'ServiceAccount' && s.namespace !== 'kube-system') found.add('cluster-admin-sa');
      if (s.kind === 'ServiceAccount' && s.name === 'default') found.add('default-sa');
      if ((s.name === 'system:anonymous' || s.name === 'system:unauthenticated') && roleRef(b).name !== 'system:public-info-viewer') found.add('anonymous');
    }
  }
  for (const r of objects.filter((o) => o.kind === 'Role' || (o.kind === 'ClusterRole' && o.metadata.name !== 'cluster-admin' && !o.metadata.name.startsWith('capi-')))) {
    if ((r.rules as Rule[]).some((rule) => rule.verbs.includes('*') || rule.resources?.includes('*'))) found.add('wildcard');
  }
  return found;
}

test('every cluster has the bootstrap policy: cluster-admin with * rules bound to system:masters, admin/edit/view', () => {
  for (const g of generateFleet(fleetMix(12, 1), 1)) {
    const admin = ofKind(g, 'ClusterRole').find((r) => r.metadata.name === 'cluster-admin');
    assert.deepEqual((admin?.rules as Rule[])[0], { apiGroups: ['*'], resources: ['*'], verbs: ['*'] });
    const binding = ofKind(g, 'ClusterRoleBinding').find((b) => b.metadata.name === 'cluster-admin');
    assert.deepEqual(subjects(binding!), [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:masters' }]);
    for (const name of ['admin', 'edit', 'view']) assert.ok(ofKind(g, 'ClusterRole').some((r) => r.metadata.name === name), name);
  }
});

test('bindings refer to roles that exist', () => {
  for (const g of generateFleet(fleetMix(30, 4), 4)) {
    const clusterRoles = new Set(ofKind(g, 'ClusterRole').map((r) => r.metadata.name));
    const roles = new Set(ofKind(g, 'Role').map((r) => `${r.metadata.namespace}/${r.metadata.name}`));
    for (const b of [...ofKind(g, 'ClusterRoleBinding'), ...ofKind(g, 'RoleBinding')]) {
      const ref = roleRef(b);
      assert.ok(ref.kind === 'ClusterRole' ? clusterRoles.has(ref.name) : roles.has(`${b.metadata.namespace}/${ref.name}`), `${g.spec.name} ${b.kind} ${b.metadata.name} → ${ref.kind} ${ref.name}`);
    }
  }
});

test('risky grants are seeded in a minority of clusters, each kind somewhere in the fleet', () => {
  const fleet = generateFleet(fleetMix(200, 1), 1);
  const tally = new Map<string, number>();
  let clean = 0;
  for (const g of fleet) {
    const found = risks(g.objects);
    if (!found.size) clean++;
    for (const r of found) tally.set(r, (tally.get(r) ?? 0) + 1);
  }
  for (const kind of ['cluster-admin-user', 'cluster-admin-sa', 'default-sa', 'wildcard', 'anonymous']) {
    const n = tally.get(kind) ?? 0;
    assert.ok(n >= 1 && n < fleet.length / 2, `${kind}: ${n} clusters`);
  }
  assert.ok(clean > fleet.length / 4, `clean clusters: ${clean}`);
});

test('ServiceAccounts given cluster-admin exist in their namespace', () => {
  for (const g of generateFleet(fleetMix(100, 5), 5)) {
    for (const b of ofKind(g, 'ClusterRoleBinding').filter((x) => roleRef(x).name === 'cluster-admin')) {
      for (const s of subjects(b).filter((x) => x.kind === 'ServiceAccount')) {
        assert.ok(ofKind(g, 'ServiceAccount').some((a) => a.metadata.name === s.name && a.metadata.namespace === s.namespace), `${s.namespace}/${s.name}`);
      }
    }
  }
});

test('NetworkPolicies, ResourceQuotas and LimitRanges appear in some namespaces and not others', () => {
  const fleet = generateFleet(fleetMix(40, 2), 2);
  const policies = fleet.flatMap((g) => ofKind(g, 'NetworkPolicy'));
  const denyIngress = policies.filter((p) => JSON.stringify((p.spec as Record<string, unknown>).podSelector) === '{}' && JSON.stringify((p.spec as { policyTypes: string[] }).policyTypes) === '["Ingress"]');
  const denyAll = policies.filter((p) => JSON.stringify((p.spec as Record<string, unknown>).podSelector) === '{}' && (p.spec as { policyTypes: string[]; egress?: unknown }).policyTypes.length === 2 && !(p.spec as { ingress?: unknown }).ingress);
  assert.ok(denyIngress.length > 0 && denyAll.length > 0);
  const quotas = fleet.flatMap((g) => ofKind(g, 'ResourceQuota'));
  assert.ok(quotas.length > 0);
  for (const q of quotas) for (const key of ['requests.cpu', 'limits.memory', 'pods']) assert.ok((q.spec as { hard: Record<string, string> }).hard[key], key);
  assert.ok(fleet.flatMap((g) => ofKind(g, 'LimitRange')).length > 0);
  const withoutDeny = fleet.some((g) => ofKind(g, 'Namespace').some((n) => !n.metadata.name.startsWith('kube-') && !policies.some((p) => p.metadata.namespace === n.metadata.name)));
  assert.ok(withoutDeny);
});
