import type { SnapshotKind } from '../../policy/src';

interface KindResource {
  /** '' for the core group. */
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
}

/** Where each kind a policy reads (or enforcement writes) lives in the Kubernetes API. */
export const KIND_RESOURCES: Record<SnapshotKind, KindResource> = {
  Namespace: { group: '', version: 'v1', plural: 'namespaces', namespaced: false },
  Pod: { group: '', version: 'v1', plural: 'pods', namespaced: true },
  Service: { group: '', version: 'v1', plural: 'services', namespaced: true },
  ConfigMap: { group: '', version: 'v1', plural: 'configmaps', namespaced: true },
  ResourceQuota: { group: '', version: 'v1', plural: 'resourcequotas', namespaced: true },
  ServiceAccount: { group: '', version: 'v1', plural: 'serviceaccounts', namespaced: true },
  Deployment: { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true },
  StatefulSet: { group: 'apps', version: 'v1', plural: 'statefulsets', namespaced: true },
  DaemonSet: { group: 'apps', version: 'v1', plural: 'daemonsets', namespaced: true },
  ReplicaSet: { group: 'apps', version: 'v1', plural: 'replicasets', namespaced: true },
  Job: { group: 'batch', version: 'v1', plural: 'jobs', namespaced: true },
  CronJob: { group: 'batch', version: 'v1', plural: 'cronjobs', namespaced: true },
  NetworkPolicy: { group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies', namespaced: true },
  ClusterRoleBinding: { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterrolebindings', namespaced: false },
  RoleBinding: { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'rolebindings', namespaced: true },
  ClusterRole: { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles', namespaced: false },
  Role: { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'roles', namespaced: true },
};

function resourceOf(kind: string): KindResource {
  const r = KIND_RESOURCES[kind as SnapshotKind];
  if (!r) throw new Error(`no API path known for kind ${kind}`);
  return r;
}

function groupVersionPath(r: KindResource): string {
  return r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
}

/** The cluster-wide list path of a kind (all namespaces). */
export function listPathFor(kind: SnapshotKind): string {
  const r = resourceOf(kind);
  return `${groupVersionPath(r)}/${r.plural}`;
}

/** The path of one object, for server-side apply. */
export function objectPathFor(kind: string, name: string, namespace?: string): string {
  const r = resourceOf(kind);
  if (r.namespaced && !namespace) throw new Error(`${kind} ${name} needs a namespace`);
  const ns = r.namespaced ? `/namespaces/${encodeURIComponent(namespace as string)}` : '';
  return `${groupVersionPath(r)}${ns}/${r.plural}/${encodeURIComponent(name)}`;
}
