import type { InspectionCheck, InspectionSnapshot, KubeObject } from './inspection.types';
import { field, listOf, SYSTEM_NAMESPACES } from './kube-object';

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

interface Binding {
  obj: KubeObject;
  kind: 'ClusterRoleBinding' | 'RoleBinding';
  roleRef: { kind: string; name: string };
  subjects: Subject[];
}

// Groups that stand for "everyone" (or every service account): binding them is exposure, not plumbing,
// even though their names start with "system:".
const EVERYONE_GROUPS = /^system:(authenticated|unauthenticated|serviceaccounts(:.*)?)$/;
const ANONYMOUS = (s: Subject) => (s.kind === 'User' && s.name === 'system:anonymous') || (s.kind === 'Group' && s.name === 'system:unauthenticated');
// Defaults every cluster (or every kubeadm cluster) ships that bind anonymous users to public information.
const EXPECTED_ANONYMOUS_BINDINGS = new Set(['ClusterRoleBinding system:public-info-viewer', 'RoleBinding kube-public/kubeadm:bootstrap-signer-clusterinfo']);

export function rbacRiskChecks(s: InspectionSnapshot): InspectionCheck[] {
  const bindings = s.clusterRoleBindings || s.roleBindings ? allBindings(s) : undefined;
  return [clusterAdminBindings(bindings), wildcardRules(s), defaultServiceAccountBindings(bindings), anonymousAccess(bindings)];
}

function allBindings(s: InspectionSnapshot): Binding[] {
  const toBinding = (kind: Binding['kind']) => (obj: KubeObject): Binding => {
    const roleRef = field(obj, 'roleRef') as { kind?: unknown; name?: unknown } | undefined;
    const subjects = field(obj, 'subjects');
    return {
      obj,
      kind,
      roleRef: { kind: String(roleRef?.kind ?? ''), name: String(roleRef?.name ?? '') },
      subjects: Array.isArray(subjects) ? (subjects.filter((x) => x && typeof x.name === 'string') as Subject[]) : [],
    };
  };
  return [...(s.clusterRoleBindings ?? []).map(toBinding('ClusterRoleBinding')), ...(s.roleBindings ?? []).map(toBinding('RoleBinding'))].sort((a, b) =>
    bindingRef(a).localeCompare(bindingRef(b)),
  );
}

function bindingRef(b: Binding): string {
  return b.kind === 'RoleBinding' ? `RoleBinding ${b.obj.metadata.namespace ?? ''}/${b.obj.metadata.name}` : `ClusterRoleBinding ${b.obj.metadata.name}`;
}

function subjectRef(s: Subject, b: Binding): string {
  return s.kind === 'ServiceAccount' ? `ServiceAccount ${s.namespace ?? b.obj.metadata.namespace ?? '?'}/${s.name}` : `${s.kind} ${s.name}`;
}

/** system:masters, system:nodes, system:kube-scheduler…, and service accounts of system namespaces. */
function isSystemSubject(s: Subject, b: Binding): boolean {
  if (s.kind === 'ServiceAccount') return SYSTEM_NAMESPACES.has(s.namespace ?? b.obj.metadata.namespace ?? '');
  return s.name.startsWith('system:') && !EVERYONE_GROUPS.test(s.name) && s.name !== 'system:anonymous';
}

function isBuiltIn(o: KubeObject): boolean {
  return o.metadata.labels?.['kubernetes.io/bootstrapping'] === 'rbac-defaults';
}

const notFetched = (what: string) => `${what} were not fetched.`;

function clusterAdminBindings(bindings: Binding[] | undefined): InspectionCheck {
  const base = { id: 'rbac.cluster-admin-subjects', title: 'cluster-admin granted to non-system subjects', severity: 'CRITICAL' as const };
  if (!bindings) return { ...base, outcome: 'SKIP', message: notFetched('RoleBindings and ClusterRoleBindings') };
  const found: string[] = [];
  for (const b of bindings) {
    if (b.roleRef.kind !== 'ClusterRole' || b.roleRef.name !== 'cluster-admin') continue;
    const risky = b.subjects.filter((s) => !isSystemSubject(s, b)).map((s) => subjectRef(s, b));
    if (risky.length > 0) found.push(`${bindingRef(b)} → ${risky.join(', ')}`);
  }
  if (found.length === 0) return { ...base, outcome: 'PASS', message: 'Only system subjects are bound to cluster-admin.' };
  return { ...base, outcome: 'FAIL', message: `cluster-admin is bound to non-system subjects: ${listOf(found, 10, '; ')}.` };
}

function wildcardRules(s: InspectionSnapshot): InspectionCheck {
  const base = { id: 'rbac.wildcard-rules', title: 'Roles with wildcard verbs or resources', severity: 'HIGH' as const };
  if (!s.clusterRoles && !s.roles) return { ...base, outcome: 'SKIP', message: notFetched('Roles and ClusterRoles') };
  const found: string[] = [];
  const roles = [...(s.clusterRoles ?? []).map((o) => ['ClusterRole', o] as const), ...(s.roles ?? []).map((o) => ['Role', o] as const)];
  for (const [kind, role] of roles) {
    const name = role.metadata.name;
    if (name === 'cluster-admin' || name.startsWith('system:') || isBuiltIn(role)) continue;
    const rules = field(role, 'rules');
    const wild = new Set<string>();
    for (const r of Array.isArray(rules) ? rules : []) {
      if (Array.isArray(r?.verbs) && r.verbs.includes('*')) wild.add('verbs');
      if (Array.isArray(r?.resources) && r.resources.includes('*')) wild.add('resources');
    }
    if (wild.size > 0) found.push(`${kind} ${role.metadata.namespace ? `${role.metadata.namespace}/` : ''}${name} (* ${[...wild].join(' and ')})`);
  }
  found.sort();
  if (found.length === 0) return { ...base, outcome: 'PASS', message: 'No non-built-in role grants wildcard verbs or resources.' };
  return { ...base, outcome: 'FAIL', message: `Roles granting wildcards: ${listOf(found, 10, '; ')}.` };
}

function defaultServiceAccountBindings(bindings: Binding[] | undefined): InspectionCheck {
  const base = { id: 'rbac.default-service-account-bindings', title: 'Default service accounts with bindings', severity: 'MEDIUM' as const };
  if (!bindings) return { ...base, outcome: 'SKIP', message: notFetched('RoleBindings and ClusterRoleBindings') };
  const found: string[] = [];
  for (const b of bindings) {
    if (isBuiltIn(b.obj)) continue;
    const defaults = b.subjects.filter((s) => s.kind === 'ServiceAccount' && s.name === 'default').map((s) => subjectRef(s, b));
    if (defaults.length > 0) found.push(`${bindingRef(b)} (${b.roleRef.kind} ${b.roleRef.name}) → ${defaults.join(', ')}`);
  }
  if (found.length === 0) return { ...base, outcome: 'PASS', message: 'No binding grants permissions to a default service account.' };
  // Every pod that names no service account runs as "default": these permissions reach all of them.
  return { ...base, outcome: 'FAIL', message: `Default service accounts are bound to roles, so every pod without its own service account gets them: ${listOf(found, 10, '; ')}.` };
}

function anonymousAccess(bindings: Binding[] | undefined): InspectionCheck {
  const base = { id: 'rbac.anonymous-access', title: 'Bindings for anonymous users', severity: 'CRITICAL' as const };
  if (!bindings) return { ...base, outcome: 'SKIP', message: notFetched('RoleBindings and ClusterRoleBindings') };
  const found: string[] = [];
  const expected: string[] = [];
  for (const b of bindings) {
    const anon = b.subjects.filter(ANONYMOUS).map((s) => subjectRef(s, b));
    if (anon.length === 0) continue;
    const isDefault = EXPECTED_ANONYMOUS_BINDINGS.has(bindingRef(b)) && b.roleRef.name === b.obj.metadata.name;
    (isDefault ? expected : found).push(`${bindingRef(b)} (${b.roleRef.kind} ${b.roleRef.name}) → ${anon.join(', ')}`);
  }
  if (found.length > 0) return { ...base, outcome: 'FAIL', message: `Anonymous requests are granted roles: ${listOf(found, 10, '; ')}.` };
  const note = expected.length > 0 ? ` (only the Kubernetes defaults: ${expected.join('; ')})` : '';
  return { ...base, outcome: 'PASS', message: `No binding grants roles to system:anonymous or system:unauthenticated${note}.` };
}
