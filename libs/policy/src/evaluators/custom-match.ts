import type { KubeObject } from '../kube-object';
import { SYSTEM_NAMESPACES } from '../namespace-scope';
import { CLUSTER_SCOPED_KINDS, SNAPSHOT_KINDS, type SnapshotKind } from '../policy.types';

/** Where each snapshot kind lives in the API: what a CUSTOM policy's resourceRules name. */
export const SNAPSHOT_KIND_RESOURCES: Readonly<Record<SnapshotKind, { group: string; version: string; resource: string }>> = {
  Namespace: { group: '', version: 'v1', resource: 'namespaces' },
  Pod: { group: '', version: 'v1', resource: 'pods' },
  Deployment: { group: 'apps', version: 'v1', resource: 'deployments' },
  StatefulSet: { group: 'apps', version: 'v1', resource: 'statefulsets' },
  DaemonSet: { group: 'apps', version: 'v1', resource: 'daemonsets' },
  ReplicaSet: { group: 'apps', version: 'v1', resource: 'replicasets' },
  Job: { group: 'batch', version: 'v1', resource: 'jobs' },
  CronJob: { group: 'batch', version: 'v1', resource: 'cronjobs' },
  Service: { group: '', version: 'v1', resource: 'services' },
  ConfigMap: { group: '', version: 'v1', resource: 'configmaps' },
  NetworkPolicy: { group: 'networking.k8s.io', version: 'v1', resource: 'networkpolicies' },
  ResourceQuota: { group: '', version: 'v1', resource: 'resourcequotas' },
  ClusterRoleBinding: { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterrolebindings' },
  RoleBinding: { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings' },
  ClusterRole: { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles' },
  Role: { group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'roles' },
  ServiceAccount: { group: '', version: 'v1', resource: 'serviceaccounts' },
};

export interface ResourceRule {
  apiGroups: string[];
  apiVersions?: string[];
  operations?: string[];
  resources?: string[];
  kinds?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }>;
}

export interface MatchConstraints {
  resourceRules: ResourceRule[];
  namespaceSelector?: LabelSelector;
  namespaces?: string[];
  excludeNamespaces?: string[];
}

/** The snapshot kinds one rule matches (by kinds or resources, "*" for all), in catalogue order. */
export function kindsOfRule(rule: ResourceRule): SnapshotKind[] {
  return SNAPSHOT_KINDS.filter((kind) => {
    const r = SNAPSHOT_KIND_RESOURCES[kind];
    if (!rule.apiGroups.includes('*') && !rule.apiGroups.includes(r.group)) return false;
    if (rule.apiVersions && !rule.apiVersions.includes('*') && !rule.apiVersions.includes(r.version)) return false;
    if (rule.kinds) return rule.kinds.includes('*') || rule.kinds.includes(kind);
    return !!rule.resources && (rule.resources.includes('*') || rule.resources.includes(r.resource));
  });
}

export function matchedKinds(match: MatchConstraints): SnapshotKind[] {
  const kinds = new Set(match.resourceRules.flatMap(kindsOfRule));
  return SNAPSHOT_KINDS.filter((k) => kinds.has(k));
}

export function selectsLabels(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
    if (e.operator === 'In' && !(has && (e.values ?? []).includes(l[e.key]))) return false;
    if (e.operator === 'NotIn' && has && (e.values ?? []).includes(l[e.key])) return false;
  }
  return true;
}

/**
 * The namespace selector the policy means, as one label selector on `kubernetes.io/metadata.name`
 * plus the spec's own: named namespaces only (system ones included when named), otherwise every
 * namespace but the system ones; excludeNamespaces always wins. The audit and the installed
 * ValidatingAdmissionPolicy use the same selector, so they judge the same objects.
 */
export function effectiveNamespaceSelector(match: MatchConstraints): LabelSelector {
  const excluded = match.excludeNamespaces ?? [];
  const expressions: NonNullable<LabelSelector['matchExpressions']> = [...(match.namespaceSelector?.matchExpressions ?? [])];
  if (match.namespaces) {
    const names = match.namespaces.filter((n) => !excluded.includes(n));
    expressions.push({ key: NAME_LABEL, operator: 'In', values: names });
  } else {
    expressions.push({ key: NAME_LABEL, operator: 'NotIn', values: [...new Set([...SYSTEM_NAMESPACES, ...excluded])].sort() });
  }
  return { ...(match.namespaceSelector?.matchLabels ? { matchLabels: match.namespaceSelector.matchLabels } : {}), matchExpressions: expressions };
}

const NAME_LABEL = 'kubernetes.io/metadata.name';

/**
 * Whether an object is in the policy's scope, as the API server decides for a binding's
 * namespaceSelector: a namespaced object by its namespace's labels, a Namespace by its own,
 * other cluster-scoped objects always.
 */
export function namespaceMatcher(match: MatchConstraints, namespaces: KubeObject[] | undefined): (kind: SnapshotKind, object: KubeObject) => boolean {
  const selector = effectiveNamespaceSelector(match);
  const labelsOf = new Map<string, Record<string, string>>();
  for (const ns of namespaces ?? []) labelsOf.set(ns.metadata.name, withNameLabel(ns.metadata.name, ns.metadata.labels));
  const nsLabels = (name: string) => labelsOf.get(name) ?? withNameLabel(name, undefined);
  return (kind, object) => {
    if (kind === 'Namespace') return selectsLabels(selector, withNameLabel(object.metadata.name, object.metadata.labels));
    if (CLUSTER_SCOPED_KINDS.has(kind)) return true;
    return selectsLabels(selector, nsLabels(object.metadata.namespace ?? ''));
  };
}

function withNameLabel(name: string, labels: Record<string, string> | undefined): Record<string, string> {
  return { ...labels, [NAME_LABEL]: name };
}
