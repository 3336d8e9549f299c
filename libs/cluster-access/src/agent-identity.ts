/**
 * The identity Flotilla's worker uses inside an attached cluster, as pure data: the CLI creates
 * these objects with the operator's own credentials at attach time, and only a short-lived
 * TokenRequest token of the service account ever reaches the API (no token Secret is created:
 * nothing long-lived is stored, in the cluster or in Flotilla). Flotilla renews that token with
 * the same identity through a Role that allows `create` on `serviceaccounts/token` for
 * `flotilla-agent` only.
 *
 * Least privilege, and no `*` anywhere: every verb, resource, API group and URL is named, so that
 * a new Kubernetes kind never silently widens what Flotilla may touch. It cannot escalate: no
 * `escalate`, no `impersonate`, and `bind` only on the ClusterRoles named at attach time, so a
 * stolen agent token can grant at most those roles (never cluster-admin unless the operator asked).
 */

import { DEFAULT_TOKEN_TTL_SECONDS } from './token-renewal';

export const AGENT_NAMESPACE = 'flotilla-system';
export const AGENT_SERVICE_ACCOUNT = 'flotilla-agent';
export const AGENT_CLUSTER_ROLE = 'flotilla-agent';
export const AGENT_CLUSTER_ROLE_BINDING = 'flotilla-agent';
/** The long-lived token Secret older versions of attach created; `attach --update` removes it. */
export const AGENT_TOKEN_SECRET = 'flotilla-agent-token';
/** The Role (and its RoleBinding) in flotilla-system that lets the agent renew its own token, and nothing else. */
export const AGENT_TOKEN_ROLE = 'flotilla-agent-token-renewal';

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}

/** The ClusterRoles ACCESS policies may bind unless the operator names others at attach time. */
export const DEFAULT_BINDABLE_ROLES: readonly string[] = Object.freeze(['view', 'edit', 'admin']);
/** Bindable only with an explicit opt-in (`--allow-bind-cluster-admin`): whoever holds the agent's token could then become cluster-admin. */
export const CLUSTER_ADMIN_ROLE = 'cluster-admin';

export interface AgentIdentityOptions {
  /** The ClusterRoles the agent may bind (the `resourceNames` of its only `bind` grant). */
  bindableRoles?: readonly string[];
  /**
   * A management cluster Flotilla may provision clusters on (attach --allow-provisioning): create
   * and delete Cluster API `Cluster`s, and `get` (never list or watch) Secrets, to read the
   * `<name>-kubeconfig` Cluster API writes for a cluster Flotilla asked for.
   */
  provisioning?: boolean;
}

const LABELS = { 'app.kubernetes.io/name': 'flotilla-agent', 'app.kubernetes.io/managed-by': 'flotilla' };
const READ = ['get', 'list'];
const WRITE = ['create', 'update', 'patch'];
/** Only the kinds ENFORCE creates, so that removing a policy can remove exactly what it created. */
const OWN = [...WRITE, 'delete'];

/** The agent's rules. Each group says which Flotilla feature needs it; keep it that way. */
export function agentClusterRoleRules(options: AgentIdentityOptions = {}): PolicyRule[] {
  const bindable = [...new Set(options.bindableRoles ?? DEFAULT_BINDABLE_ROLES)].sort();
  if (bindable.length === 0) throw new Error('the agent needs at least one bindable role');
  return [
    // Sync (nodes, readiness, provider detection), scans and inspections read the workloads and
    // their pods (Pod Security, image registries, labels), services, service accounts (RBAC risk:
    // default service accounts with bindings) and limit ranges. Secrets and config maps are never read.
    { apiGroups: [''], resources: ['nodes', 'pods', 'services', 'serviceaccounts', 'limitranges'], verbs: READ },
    // Namespaces: read for every scan; ENFORCE patches Pod Security labels onto them.
    { apiGroups: [''], resources: ['namespaces'], verbs: [...READ, 'patch'] },
    // QUOTA: read, and ENFORCE creates/updates ResourceQuotas (and deletes its own when the policy goes).
    { apiGroups: [''], resources: ['resourcequotas'], verbs: [...READ, ...OWN] },
    // Workloads, for image-registry, label and Pod Security checks and system-workload health.
    { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'], verbs: READ },
    { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: READ },
    // RBAC risk inspection and ACCESS policies read roles and bindings ...
    { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'clusterroles'], verbs: READ },
    // ... and ENFORCE creates the bindings an ACCESS policy requires (and deletes its own).
    { apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings', 'clusterrolebindings'], verbs: [...READ, ...OWN] },
    // Kubernetes' RBAC escalation check refuses to create or update a binding to a role unless the
    // writer already holds every permission in that role, or has `bind` on it. The agent holds far
    // less than the roles policies grant, so ENFORCE needs `bind` — on the named roles only: a
    // binding to any other role (cluster-admin, or the agent's own) is refused by the API server.
    { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'], resourceNames: bindable, verbs: ['bind'] },
    // NETWORK: read, and ENFORCE creates default-deny NetworkPolicies (and deletes its own).
    { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: [...READ, ...OWN] },
    // CUSTOM policies in ENFORCE: the native ValidatingAdmissionPolicy and its binding (Kubernetes
    // ≥ 1.30), created and deleted only as the policy's own (label and policy-id annotation).
    { apiGroups: ['admissionregistration.k8s.io'], resources: ['validatingadmissionpolicies', 'validatingadmissionpolicybindings'], verbs: [...READ, ...OWN] },
    // Management clusters: Cluster API objects for sync and upgrades; upgrades patch
    // Cluster.spec.topology.version (and nothing else is written). With the provisioning opt-in,
    // Flotilla also creates (server-side apply of a new object) and deletes the Clusters it provisions.
    { apiGroups: ['cluster.x-k8s.io'], resources: ['clusters'], verbs: options.provisioning ? [...READ, 'patch', 'create', 'delete'] : [...READ, 'patch'] },
    { apiGroups: ['cluster.x-k8s.io'], resources: ['machinedeployments', 'machines'], verbs: READ },
    // vSphere Supervisor: the releases a management cluster offers (upgrade and provisioning
    // targets), its VM classes and storage classes (provisioning offers).
    { apiGroups: ['run.tanzu.vmware.com'], resources: ['tanzukubernetesreleases'], verbs: READ },
    { apiGroups: ['vmoperator.vmware.com'], resources: ['virtualmachineclasses'], verbs: READ },
    { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: READ },
    // Provisioning opt-in only: `get` of a Secret by name (no list, no watch: the agent cannot
    // enumerate them), for the `<name>-kubeconfig` of a cluster it provisioned. RBAC cannot narrow
    // resourceNames to a pattern, so this is the narrowest rule that works; see README's security notes.
    ...(options.provisioning ? [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] : []),
    // Version and health for sync and CONFORMANCE_LITE; /metrics for DEPRECATED_APIS
    // (apiserver_requested_deprecated_apis).
    { nonResourceURLs: ['/version', '/healthz', '/livez', '/readyz', '/metrics'], verbs: ['get'] },
  ];
}

export function agentClusterRole(options: AgentIdentityOptions = {}): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: AGENT_CLUSTER_ROLE, labels: { ...LABELS } },
    rules: agentClusterRoleRules(options),
  };
}

/**
 * The agent's namespaced rules in flotilla-system: `create` on its own `serviceaccounts/token`
 * (resourceNames [flotilla-agent]), so Flotilla can renew the short-lived token it holds with
 * that token, and mint none for any other service account.
 */
export function agentTokenRenewalRules(): PolicyRule[] {
  return [{ apiGroups: [''], resources: ['serviceaccounts/token'], resourceNames: [AGENT_SERVICE_ACCOUNT], verbs: ['create'] }];
}

/** Every object attach creates, in the order it must apply them. No token Secret: the token comes from a TokenRequest. */
export function agentObjects(options: AgentIdentityOptions = {}): KubeObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: AGENT_NAMESPACE, labels: { ...LABELS } } },
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: AGENT_SERVICE_ACCOUNT, namespace: AGENT_NAMESPACE, labels: { ...LABELS } },
    },
    agentClusterRole(options),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: AGENT_CLUSTER_ROLE_BINDING, labels: { ...LABELS } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: AGENT_CLUSTER_ROLE },
      subjects: [{ kind: 'ServiceAccount', name: AGENT_SERVICE_ACCOUNT, namespace: AGENT_NAMESPACE }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: AGENT_TOKEN_ROLE, namespace: AGENT_NAMESPACE, labels: { ...LABELS } },
      rules: agentTokenRenewalRules(),
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: AGENT_TOKEN_ROLE, namespace: AGENT_NAMESPACE, labels: { ...LABELS } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: AGENT_TOKEN_ROLE },
      subjects: [{ kind: 'ServiceAccount', name: AGENT_SERVICE_ACCOUNT, namespace: AGENT_NAMESPACE }],
    },
  ];
}

/** How an attach reaches the cluster: the CLI with the operator's kubeconfig, the worker with a provisioned cluster's admin kubeconfig. */
export interface AgentIdentityWriter {
  /** Creates the object, or brings an existing one to the desired state (or keeps it); says which. */
  ensure(object: KubeObject): Promise<'created' | 'configured' | 'unchanged'>;
  /** A TokenRequest for namespace/name; the expiry is the one the API server answers with (it may shorten the lifetime). */
  requestToken(namespace: string, name: string, expirationSeconds: number): Promise<{ token: string; expiresAt: Date }>;
}

export interface EstablishAgentIdentityOptions extends AgentIdentityOptions {
  /** The token's lifetime to ask for (default 24 h). */
  tokenTtlSeconds?: number;
  /** One line per object: "namespace/flotilla-system created". */
  onProgress?: (line: string) => void;
}

/**
 * The one attach path, whoever attaches: every object of agentObjects, in order, then a short-lived
 * TokenRequest token of flotilla-agent (never a token Secret). The returned token and its expiry
 * are what Flotilla stores and later renews with that same identity. Safe to repeat: each run issues
 * a new token, and tokens issued before stay valid until they expire.
 */
export async function establishAgentIdentity(writer: AgentIdentityWriter, options: EstablishAgentIdentityOptions = {}): Promise<{ token: string; expiresAt: Date }> {
  for (const desired of agentObjects({ bindableRoles: options.bindableRoles, provisioning: options.provisioning })) {
    const status = await writer.ensure(desired);
    options.onProgress?.(`${desired.kind.toLowerCase()}/${desired.metadata.name} ${status}`);
  }
  return writer.requestToken(AGENT_NAMESPACE, AGENT_SERVICE_ACCOUNT, options.tokenTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS);
}

/** The token Secret an older attach created (Flotilla's labels, bound to flotilla-agent): safe for `attach --update` to delete. */
export function isLegacyAgentTokenSecret(secret: { type?: string; metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> } }): boolean {
  return (
    secret.metadata?.name === AGENT_TOKEN_SECRET &&
    secret.type === 'kubernetes.io/service-account-token' &&
    secret.metadata.annotations?.['kubernetes.io/service-account.name'] === AGENT_SERVICE_ACCOUNT &&
    secret.metadata.labels?.['app.kubernetes.io/managed-by'] === 'flotilla'
  );
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

/** Verbs that let an identity grant or assume more than it holds; the agent must have none of them unrestricted. */
const ESCALATING_VERBS = ['escalate', 'impersonate'];

/**
 * Every place a rule would let the holder raise its own privileges: `escalate` or `impersonate`
 * anywhere, `bind` without `resourceNames` or naming cluster-admin (unless allowed), and any write
 * to Secrets (a service-account token Secret mints tokens). Empty for the agent's role.
 */
export function escalationGrants(rules: PolicyRule[], opts: { allowClusterAdminBinding?: boolean } = {}): string[] {
  const found: string[] = [];
  rules.forEach((rule, i) => {
    for (const verb of rule.verbs) {
      if (ESCALATING_VERBS.includes(verb)) found.push(`rules[${i}]: ${verb}`);
      if (verb === 'bind' && !rule.resourceNames?.length) found.push(`rules[${i}]: bind without resourceNames`);
      if (verb === 'bind' && !opts.allowClusterAdminBinding && rule.resourceNames?.includes(CLUSTER_ADMIN_ROLE)) found.push(`rules[${i}]: bind on ${CLUSTER_ADMIN_ROLE}`);
      if (!['get', 'list', 'watch'].includes(verb) && (rule.apiGroups ?? []).includes('') && (rule.resources ?? []).includes('secrets')) {
        found.push(`rules[${i}]: ${verb} on secrets`);
      }
    }
  });
  return found;
}

/** A ClusterRole name as Flotilla accepts it (RBAC names are path segments; this is the common, safe subset). */
const ROLE_NAME = /^[A-Za-z0-9]([A-Za-z0-9._:-]{0,251}[A-Za-z0-9])?$/;
export const MAX_BINDABLE_ROLES = 32;

/**
 * The bindable-role list as given at attach time (or for the organization), checked and
 * normalised (deduplicated, sorted): a problem is a sentence naming what is wrong, else the list.
 * cluster-admin is accepted only with the explicit opt-in, which adds it.
 */
export function checkBindableRoles(roles: readonly string[], allowClusterAdmin: boolean): { roles: string[] } | { problem: string } {
  if (roles.length === 0) return { problem: 'must name at least one ClusterRole' };
  if (roles.length > MAX_BINDABLE_ROLES) return { problem: `may name at most ${MAX_BINDABLE_ROLES} ClusterRoles` };
  const bad = roles.find((r) => !ROLE_NAME.test(r));
  if (bad !== undefined) return { problem: `${JSON.stringify(bad.slice(0, 80))} is not a ClusterRole name` };
  if (roles.includes(CLUSTER_ADMIN_ROLE) && !allowClusterAdmin) {
    return { problem: `${CLUSTER_ADMIN_ROLE} is bindable only with the explicit cluster-admin opt-in, as whoever holds the agent's token could then become cluster-admin` };
  }
  return { roles: [...new Set([...roles, ...(allowClusterAdmin ? [CLUSTER_ADMIN_ROLE] : [])])].sort() };
}

/** The Secret attach --agent writes: the agent endpoint and one-time registration token (later the agent's own credential). */
export const AGENT_REGISTRATION_SECRET = 'flotilla-agent-registration';
export const AGENT_REGISTRATION_ROLE = 'flotilla-agent-registration';
export const AGENT_DEPLOYMENT = 'flotilla-agent';
export const DEFAULT_AGENT_IMAGE = 'ghcr.io/flotilla/flotilla:0.1.0';

/**
 * What `attach --agent` adds to the identity: a Role in flotilla-system letting the agent read and
 * update its own registration Secret (that one name only; no other Secret, no create or delete),
 * its binding, and the agent's Deployment (one replica, the image's `agent` entrypoint, the
 * flotilla-agent service account, no privileges, read-only root file system).
 */
export function agentModeObjects(image: string = DEFAULT_AGENT_IMAGE): KubeObject[] {
  return [
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: AGENT_REGISTRATION_ROLE, namespace: AGENT_NAMESPACE, labels: { ...LABELS } },
      rules: [{ apiGroups: [''], resources: ['secrets'], resourceNames: [AGENT_REGISTRATION_SECRET], verbs: ['get', 'update'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: AGENT_REGISTRATION_ROLE, namespace: AGENT_NAMESPACE, labels: { ...LABELS } },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: AGENT_REGISTRATION_ROLE },
      subjects: [{ kind: 'ServiceAccount', name: AGENT_SERVICE_ACCOUNT, namespace: AGENT_NAMESPACE }],
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: AGENT_DEPLOYMENT, namespace: AGENT_NAMESPACE, labels: { ...LABELS } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': 'flotilla-agent' } },
        template: {
          metadata: { labels: { ...LABELS } },
          spec: {
            serviceAccountName: AGENT_SERVICE_ACCOUNT,
            automountServiceAccountToken: true,
            securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
            containers: [
              {
                name: 'agent',
                image,
                command: ['node', 'dist/apps/agent/src/main.js'],
                resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { memory: '256Mi' } },
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
              },
            ],
          },
        },
      },
    },
  ];
}
