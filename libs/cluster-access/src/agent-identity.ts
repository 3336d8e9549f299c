/**
 * The identity Flotilla's worker uses inside an attached cluster, as pure data: the CLI creates
 * these objects with the operator's own credentials at attach time, and only the resulting
 * service-account token ever reaches the API.
 *
 * Least privilege, and no `*` anywhere: every verb, resource, API group and URL is named, so that
 * a new Kubernetes kind never silently widens what Flotilla may touch.
 */

export const AGENT_NAMESPACE = 'flotilla-system';
export const AGENT_SERVICE_ACCOUNT = 'flotilla-agent';
export const AGENT_CLUSTER_ROLE = 'flotilla-agent';
export const AGENT_CLUSTER_ROLE_BINDING = 'flotilla-agent';
export const AGENT_TOKEN_SECRET = 'flotilla-agent-token';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}

const LABELS = { 'app.kubernetes.io/name': 'flotilla-agent', 'app.kubernetes.io/managed-by': 'flotilla' };
const READ = ['get', 'list'];
const WRITE = ['create', 'update', 'patch'];

/** The agent's rules. Each group says which Flotilla feature needs it; keep it that way. */
export function agentClusterRoleRules(): PolicyRule[] {
  return [
    // Sync (nodes, readiness, provider detection), scans and inspections read the workloads and
    // their pods (Pod Security, image registries, labels), services, service accounts (RBAC risk:
    // default service accounts with bindings) and limit ranges. Secrets and config maps are never read.
    { apiGroups: [''], resources: ['nodes', 'pods', 'services', 'serviceaccounts', 'limitranges'], verbs: READ },
    // Namespaces: read for every scan; ENFORCE patches Pod Security labels onto them.
    { apiGroups: [''], resources: ['namespaces'], verbs: [...READ, 'patch'] },
    // QUOTA: read, and ENFORCE creates/updates ResourceQuotas.
    { apiGroups: [''], resources: ['resourcequotas'], verbs: [...READ, ...WRITE] },
    // Workloads, for image-registry, label and Pod Security checks and system-workload health.
    { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'], verbs: READ },
    { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: READ },
    // RBAC risk inspection and ACCESS policies read roles and bindings ...
    { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'clusterroles'], verbs: READ },
    // ... and ENFORCE creates the bindings an ACCESS policy requires.
    { apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings', 'clusterrolebindings'], verbs: [...READ, ...WRITE] },
    // Kubernetes' RBAC escalation check refuses a binding to a role unless the creator already
    // holds every permission in that role, or has `bind` on it. The agent deliberately holds far
    // less than the roles policies grant (view, edit, …), so ENFORCE needs `bind`. This is the most
    // powerful grant here: it lets the agent bind any ClusterRole (cluster-admin included). To
    // narrow it, add `resourceNames` listing only the roles your ACCESS policies name.
    { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], verbs: ['bind'] },
    // NETWORK: read, and ENFORCE creates default-deny NetworkPolicies.
    { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: [...READ, ...WRITE] },
    // Management clusters: Cluster API objects for sync and upgrades; upgrades patch
    // Cluster.spec.topology.version (and nothing else is written).
    { apiGroups: ['cluster.x-k8s.io'], resources: ['clusters'], verbs: [...READ, 'patch'] },
    { apiGroups: ['cluster.x-k8s.io'], resources: ['machinedeployments', 'machines'], verbs: READ },
    // vSphere Supervisor: the releases a management cluster offers (upgrade targets).
    { apiGroups: ['run.tanzu.vmware.com'], resources: ['tanzukubernetesreleases'], verbs: READ },
    // Version and health for sync and CONFORMANCE_LITE; /metrics for DEPRECATED_APIS
    // (apiserver_requested_deprecated_apis).
    { nonResourceURLs: ['/version', '/healthz', '/livez', '/readyz', '/metrics'], verbs: ['get'] },
  ];
}

export function agentClusterRole(): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: AGENT_CLUSTER_ROLE, labels: { ...LABELS } },
    rules: agentClusterRoleRules(),
  };
}

/** Every object attach creates, in the order it must apply them (the Secret last: the token
 * controller only fills a token for a ServiceAccount that already exists). */
export function agentObjects(): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: AGENT_NAMESPACE, labels: { ...LABELS } } },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: AGENT_SERVICE_ACCOUNT, namespace: AGENT_NAMESPACE, labels: { ...LABELS } },
    },
    agentClusterRole(),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: AGENT_CLUSTER_ROLE_BINDING, labels: { ...LABELS } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: AGENT_CLUSTER_ROLE },
      subjects: [{ kind: 'ServiceAccount', name: AGENT_SERVICE_ACCOUNT, namespace: AGENT_NAMESPACE }],
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/service-account-token',
      metadata: {
        name: AGENT_TOKEN_SECRET,
        namespace: AGENT_NAMESPACE,
        labels: { ...LABELS },
        annotations: { 'kubernetes.io/service-account.name': AGENT_SERVICE_ACCOUNT },
      },
    },
  ];
}

/** Every place a rule grants `*` (verb, resource, API group or URL); empty when there is none. */
export function wildcardGrants(rules: PolicyRule[]): string[] {
  const found: string[] = [];
  rules.forEach((rule, i) => {
    for (const field of ['verbs', 'resources', 'apiGroups', 'nonResourceURLs'] as const) {
      for (const value of rule[field] ?? []) {
        if (value.includes('*')) found.push(`rules[${i}].${field}: ${value}`);
      }
    }
  });
  return found;
}
