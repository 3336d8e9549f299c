/**
 * What kube-apiserver and the controller manager add to every cluster whatever its content: the
 * bootstrap RBAC policy (so "bind to view/edit/cluster-admin" works) and a `default`
 * ServiceAccount per namespace. Added only where the generator did not provide them.
 */
import type { KubeObject } from '../content/contract';

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];
const WORKLOADS = {
  '': ['pods', 'pods/log', 'pods/status', 'services', 'services/status', 'endpoints', 'persistentvolumeclaims', 'persistentvolumeclaims/status', 'configmaps', 'serviceaccounts', 'replicationcontrollers', 'replicationcontrollers/scale', 'events', 'limitranges', 'resourcequotas', 'resourcequotas/status', 'namespaces', 'namespaces/status', 'bindings'],
  apps: ['deployments', 'deployments/scale', 'deployments/status', 'statefulsets', 'statefulsets/scale', 'statefulsets/status', 'daemonsets', 'daemonsets/status', 'replicasets', 'replicasets/scale', 'replicasets/status', 'controllerrevisions'],
  batch: ['jobs', 'jobs/status', 'cronjobs', 'cronjobs/status'],
  autoscaling: ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'],
  'networking.k8s.io': ['networkpolicies', 'ingresses', 'ingresses/status'],
  policy: ['poddisruptionbudgets', 'poddisruptionbudgets/status'],
  'coordination.k8s.io': ['leases'],
};

function rulesFor(verbs: string[], extra: Array<Record<string, unknown>> = []): Array<Record<string, unknown>> {
  return [...Object.entries(WORKLOADS).map(([group, resources]) => ({ apiGroups: [group], resources, verbs })), ...extra];
}

const DISCOVERY_PATHS = ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'];

function clusterRole(name: string, rules: Array<Record<string, unknown>>, extraLabels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults', ...extraLabels }, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' } },
    rules,
  };
}

function clusterBinding(name: string, role: string, subjects: Array<Record<string, string>>): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name, labels: { 'kubernetes.io/bootstrapping': 'rbac-defaults' }, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'true' } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects,
  };
}

const group = (name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name });

export function bootstrapRbac(): KubeObject[] {
  const secretsRead = { apiGroups: [''], resources: ['secrets'], verbs: READ };
  const secretsWrite = { apiGroups: [''], resources: ['secrets'], verbs: WRITE };
  return [
    clusterRole('cluster-admin', [
      { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
      { nonResourceURLs: ['*'], verbs: ['*'] },
    ]),
    clusterRole('admin', [...rulesFor([...READ, ...WRITE], [secretsRead, secretsWrite]), { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: [...READ, ...WRITE] }, { apiGroups: ['authorization.k8s.io'], resources: ['localsubjectaccessreviews'], verbs: ['create'] }]),
    clusterRole('edit', rulesFor([...READ, ...WRITE], [secretsRead, secretsWrite])),
    clusterRole('view', rulesFor(READ)),
    clusterRole('system:discovery', [{ nonResourceURLs: DISCOVERY_PATHS, verbs: ['get'] }]),
    clusterRole('system:public-info-viewer', [{ nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] }]),
    clusterRole('system:basic-user', [
      { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
      { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
    ]),
    clusterBinding('cluster-admin', 'cluster-admin', [group('system:masters')]),
    clusterBinding('system:discovery', 'system:discovery', [group('system:authenticated')]),
    clusterBinding('system:basic-user', 'system:basic-user', [group('system:authenticated')]),
    clusterBinding('system:public-info-viewer', 'system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]),
  ];
}

export function defaultServiceAccount(namespace: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } };
}

/** Objects to add to generated content: bootstrap RBAC and default ServiceAccounts it lacks. */
export function missingBootstrapObjects(objects: KubeObject[]): KubeObject[] {
  const have = new Set<string>();
  const namespaces: string[] = [];
  for (const o of objects) {
    have.add(`${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    if (o.kind === 'Namespace') namespaces.push(o.metadata.name);
  }
  const out = bootstrapRbac().filter((o) => !have.has(`${o.kind}//${o.metadata.name}`));
  for (const ns of namespaces) if (!have.has(`ServiceAccount/${ns}/default`)) out.push(defaultServiceAccount(ns));
  return out;
}
