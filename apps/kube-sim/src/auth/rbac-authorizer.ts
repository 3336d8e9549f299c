/**
 * RBAC as kube-apiserver evaluates it: the union of the rules of every ClusterRoleBinding and (in
 * the request's namespace) RoleBinding whose subjects include the user. No aggregation.
 */
import type { KubeObject } from '../content/contract';
import type { ObjectStore } from '../store/object-store';
import type { RequestInfo } from '../api/request-info';
import type { UserInfo } from './user-info';

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface ResolvedRules {
  rules: PolicyRule[];
  /** Upstream's messages for bindings whose role could not be resolved. */
  errors: string[];
}

export interface Decision {
  allowed: boolean;
  reason: string;
}

const RBAC = 'rbac.authorization.k8s.io';

export class RbacAuthorizer {
  private readonly cache = new WeakMap<ObjectStore, Map<string, ResolvedRules>>();

  /** Forget cached rules of a cluster whose RBAC objects changed. */
  invalidate(store: ObjectStore): void {
    this.cache.delete(store);
  }

  authorize(store: ObjectStore, user: UserInfo, info: RequestInfo): Decision {
    if (user.groups.includes('system:masters')) return { allowed: true, reason: '' };
    const rules = this.rulesFor(store, user, info.isResource ? info.namespace : undefined);
    const allowed = rules.some((r) => ruleAllows(r, info));
    return { allowed, reason: allowed ? 'RBAC: allowed by a binding' : '' };
  }

  /** Cluster-wide rules plus those bound in `namespace`. */
  rulesFor(store: ObjectStore, user: UserInfo, namespace: string | undefined): PolicyRule[] {
    return this.resolve(store, user, namespace).rules;
  }

  /** The user's rules and, as upstream's rule resolver reports them, the bindings whose role is missing. */
  resolve(store: ObjectStore, user: UserInfo, namespace: string | undefined): ResolvedRules {
    let byUser = this.cache.get(store);
    if (!byUser) this.cache.set(store, (byUser = new Map()));
    const key = `${user.username}\u0000${user.groups.join(',')}\u0000${namespace ?? ''}`;
    let resolved = byUser.get(key);
    if (resolved) return resolved;
    resolved = { rules: [], errors: [] };
    const add = (binding: KubeObject, ns: string): void => {
      const rules = this.roleRules(store, binding, ns);
      if (typeof rules === 'string') resolved!.errors.push(rules);
      else resolved!.rules.push(...rules);
    };
    for (const b of store.list(`${RBAC}/clusterrolebindings`)) if (bindingMatches(b.obj, user, '')) add(b.obj, '');
    if (namespace) {
      for (const b of store.list(`${RBAC}/rolebindings`, namespace)) if (bindingMatches(b.obj, user, namespace)) add(b.obj, namespace);
    }
    if (byUser.size > 1000) byUser.clear();
    byUser.set(key, resolved);
    return resolved;
  }

  /** The rules a role reference grants in a binding's namespace ('' for a ClusterRoleBinding), or why there are none. */
  roleReferenceRules(store: ObjectStore, ref: { kind?: string; name?: string } | undefined, namespace: string): PolicyRule[] | string {
    const kind = ref?.kind;
    if (kind !== 'Role' && kind !== 'ClusterRole') return `unsupported role reference kind: "${String(kind)}"`;
    const name = ref?.name ?? '';
    const role = kind === 'Role' ? store.get(`${RBAC}/roles`, namespace, name) : store.get(`${RBAC}/clusterroles`, '', name);
    if (!role) return `${kind === 'Role' ? 'roles' : 'clusterroles'}.${RBAC} "${name}" not found`;
    return ((role.obj.rules as PolicyRule[] | undefined) ?? []).filter((r) => Array.isArray(r?.verbs));
  }

  private roleRules(store: ObjectStore, binding: KubeObject, namespace: string): PolicyRule[] | string {
    return this.roleReferenceRules(store, binding.roleRef as { kind?: string; name?: string } | undefined, namespace);
  }
}

function bindingMatches(binding: KubeObject, user: UserInfo, bindingNamespace: string): boolean {
  const subjects = (binding.subjects as Array<{ kind: string; name: string; namespace?: string }> | undefined) ?? [];
  for (const s of subjects) {
    if (s.kind === 'User' && s.name === user.username) return true;
    if (s.kind === 'Group' && user.groups.includes(s.name)) return true;
    if (s.kind === 'ServiceAccount' && user.serviceAccount && s.name === user.serviceAccount.name && (s.namespace || bindingNamespace) === user.serviceAccount.namespace) return true;
  }
  return false;
}

function has(list: string[] | undefined, value: string): boolean {
  return !!list && (list.includes('*') || list.includes(value));
}

export function ruleAllows(rule: PolicyRule, info: RequestInfo): boolean {
  if (!has(rule.verbs, info.verb)) return false;
  if (!info.isResource) {
    return (rule.nonResourceURLs ?? []).some((u) => u === '*' || u === info.path || (u.endsWith('*') && info.path.startsWith(u.slice(0, -1))));
  }
  if (!has(rule.apiGroups, info.group)) return false;
  const combined = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  const resources = rule.resources ?? [];
  const resourceOk = resources.includes('*') || resources.includes(combined) || (info.subresource !== undefined && resources.includes(`*/${info.subresource}`));
  if (!resourceOk) return false;
  if (rule.resourceNames && rule.resourceNames.length > 0) return info.name !== undefined && rule.resourceNames.includes(info.name);
  return true;
}

export function forbiddenMessage(user: UserInfo, info: RequestInfo): string {
  if (!info.isResource) return `forbidden: User "${user.username}" cannot ${info.verb} path "${info.path}"`;
  const combined = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  const what = info.name ? `${combined} "${info.name}"` : combined;
  const where = info.namespace ? `in the namespace "${info.namespace}"` : 'at the cluster scope';
  return `${what} is forbidden: User "${user.username}" cannot ${info.verb} resource "${combined}" in API group "${info.group}" ${where}`;
}
