/**
 * RBAC escalation prevention, as kube-apiserver's policy-based RBAC storage does it: writing a
 * (Cluster)Role needs `escalate` on it or already holding every rule it grants; writing a
 * (Cluster)RoleBinding needs `bind` on the referenced role (resourceNames honoured) or already
 * holding all of that role's rules in the binding's namespace. system:masters is exempt.
 */
import type { KubeObject } from '../content/contract';
import type { ResourceType } from '../catalog/resource-type';
import type { ResourceRequest } from '../api/request-info';
import type { ObjectStore } from '../store/object-store';
import { errors } from '../http/api-error';
import type { PolicyRule, RbacAuthorizer } from './rbac-authorizer';
import { covers, escalationMessage } from './rbac-covers';
import type { UserInfo } from './user-info';

const RBAC = 'rbac.authorization.k8s.io';

export interface EscalationRequest {
  store: ObjectStore;
  user: UserInfo;
  info: ResourceRequest;
  type: ResourceType;
}

export class EscalationGuard {
  constructor(private readonly rbac: RbacAuthorizer) {}

  /** Throws upstream's Forbidden when the write would grant what its author does not hold; `old` for updates. */
  admit(r: EscalationRequest, obj: KubeObject, old?: KubeObject): void {
    if (r.type.group !== RBAC || r.user.groups.includes('system:masters')) return;
    switch (r.type.resource) {
      case 'roles':
      case 'clusterroles':
        this.admitRole(r, obj, old);
        return;
      case 'rolebindings':
      case 'clusterrolebindings':
        this.admitBinding(r, obj, old);
        return;
      default:
    }
  }

  private admitRole(r: EscalationRequest, obj: KubeObject, old: KubeObject | undefined): void {
    if (old && onlyGcFieldsChange(obj, old)) return;
    const escalate: ResourceRequest = { isResource: true, verb: 'escalate', group: r.info.group, version: '*', resource: r.info.resource, name: r.info.name, namespace: r.info.namespace };
    if (this.rbac.authorize(r.store, r.user, escalate).allowed) return;
    const rules = ((obj.rules as PolicyRule[] | undefined) ?? []).filter((x) => x && typeof x === 'object');
    this.confirmNoEscalation(r, r.type.namespaced ? (r.info.namespace ?? '') : '', rules, obj.metadata.name);
  }

  private admitBinding(r: EscalationRequest, obj: KubeObject, old: KubeObject | undefined): void {
    const namespace = r.type.namespaced ? (r.info.namespace ?? '') : '';
    if (old && onlyGcFieldsChange(obj, old)) return;
    const ref = (obj.roleRef ?? {}) as { apiGroup?: string; kind?: string; name?: string };
    if (ref.kind === 'Role' || ref.kind === 'ClusterRole') {
      const bind: ResourceRequest = { isResource: true, verb: 'bind', group: ref.apiGroup ?? '', version: '*', resource: ref.kind === 'Role' ? 'roles' : 'clusterroles', name: ref.name ?? '', namespace: namespace || undefined };
      if (this.rbac.authorize(r.store, r.user, bind).allowed) return;
    }
    const rules = this.rbac.roleReferenceRules(r.store, ref, namespace);
    if (typeof rules === 'string') {
      if (ref.kind === 'Role' || ref.kind === 'ClusterRole') throw errors.notFound({ group: RBAC, resource: ref.kind === 'Role' ? 'roles' : 'clusterroles' }, ref.name ?? '');
      throw errors.internal(rules);
    }
    this.confirmNoEscalation(r, namespace, rules, obj.metadata.name);
  }

  private confirmNoEscalation(r: EscalationRequest, namespace: string, rules: PolicyRule[], name: string): void {
    const owner = this.rbac.resolve(r.store, r.user, namespace || undefined);
    const { covered, missing } = covers(owner.rules, rules);
    if (covered) return;
    const resource = { group: RBAC, resource: r.type.resource };
    throw errors.forbidden(`${r.type.resource}.${RBAC} "${name}" is forbidden: ${escalationMessage(r.user, missing, owner.errors)}`, resource, name);
  }
}

const GC_FIELDS = ['ownerReferences', 'finalizers', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'] as const;

/** Upstream's IsOnlyMutatingGCFields: the update touches nothing but what garbage collection needs. */
export function onlyGcFieldsChange(obj: KubeObject, old: KubeObject): boolean {
  const meta: Record<string, unknown> = { ...obj.metadata };
  const oldMeta = old.metadata as Record<string, unknown>;
  for (const f of GC_FIELDS) {
    if (oldMeta[f] === undefined) delete meta[f];
    else meta[f] = oldMeta[f];
  }
  const copy = { ...obj, metadata: meta };
  return deepEqual(copy, old);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const y = b as unknown[];
    return a.length === y.length && a.every((v, i) => deepEqual(v, y[i]));
  }
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x).filter((k) => x[k] !== undefined);
  if (keys.length !== Object.keys(y).filter((k) => y[k] !== undefined).length) return false;
  return keys.every((k) => Object.prototype.hasOwnProperty.call(y, k) && deepEqual(x[k], y[k]));
}
