/**
 * RBAC: the bootstrap policy every apiserver creates (so the server's authorizer and `kubectl auth
 * can-i` behave as on a real cluster), provider and team roles, and in some clusters the risky
 * grants RBAC_RISK inspections look for: cluster-admin to a person or a workload's
 * ServiceAccount, wildcard rules, bindings to a namespace's `default` ServiceAccount, anonymous access.
 */
import type { KubeObject } from './contract';
import { type ClusterContext, rngFor } from './cluster-context';
import type { AppNamespace } from './namespace.generator';

const RBAC = 'rbac.authorization.k8s.io/v1';
const RBAC_GROUP = 'rbac.authorization.k8s.io';
const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'deletecollection', 'patch', 'update'];

type Rule = Record<string, unknown>;
type Subject = { kind: 'User' | 'Group' | 'ServiceAccount'; name: string; namespace?: string; apiGroup?: string };

const WORKLOAD_RESOURCES: ReadonlyArray<readonly [string, string[]]> = [
  ['', ['pods', 'pods/attach', 'pods/exec', 'pods/portforward', 'pods/proxy', 'pods/log', 'pods/status', 'services', 'services/proxy', 'endpoints', 'persistentvolumeclaims', 'configmaps', 'serviceaccounts', 'replicationcontrollers', 'replicationcontrollers/scale', 'events', 'limitranges', 'resourcequotas', 'namespaces']],
  ['apps', ['deployments', 'deployments/scale', 'deployments/status', 'statefulsets', 'statefulsets/scale', 'daemonsets', 'replicasets', 'replicasets/scale', 'controllerrevisions']],
  ['batch', ['jobs', 'cronjobs']],
  ['autoscaling', ['horizontalpodautoscalers']],
  ['networking.k8s.io', ['networkpolicies', 'ingresses']],
  ['policy', ['poddisruptionbudgets']],
  ['discovery.k8s.io', ['endpointslices']],
];

function workloadRules(verbs: string[], withSecrets: boolean): Rule[] {
  const rules: Rule[] = WORKLOAD_RESOURCES.map(([group, resources]) => ({ apiGroups: [group], resources, verbs }));
  if (withSecrets) rules.push({ apiGroups: [''], resources: ['secrets'], verbs });
  return rules;
}

const sa = (name: string, namespace: string): Subject => ({ kind: 'ServiceAccount', name, namespace });
const user = (name: string): Subject => ({ apiGroup: RBAC_GROUP, kind: 'User', name });
const group = (name: string): Subject => ({ apiGroup: RBAC_GROUP, kind: 'Group', name });

/** Rules and subjects reuse module-level lists; each object gets its own copies (the server may edit in place). */
function copyRules(rules: Rule[]): Rule[] {
  return rules.map((r) => {
    const out: Rule = {};
    for (const [k, v] of Object.entries(r)) out[k] = Array.isArray(v) ? [...v] : v;
    return out;
  });
}

class RbacWriter {
  readonly objects: KubeObject[] = [];
  constructor(private readonly ctx: ClusterContext) {}

  clusterRole(name: string, rules: Rule[], options: { bootstrap?: boolean; labels?: Record<string, string>; aggregateTo?: string; age?: number } = {}): void {
    const labels: Record<string, string> = { ...(options.bootstrap ? { 'kubernetes.io/bootstrapping': 'rbac-defaults' } : {}), ...options.labels };
    const annotations = options.bootstrap ? { 'rbac.authorization.kubernetes.io/autoupdate': 'true' } : undefined;
    const body: Record<string, unknown> = { rules: copyRules(rules) };
    if (options.aggregateTo) body.aggregationRule = { clusterRoleSelectors: [{ matchLabels: { [`rbac.authorization.k8s.io/aggregate-to-${options.aggregateTo}`]: 'true' } }] };
    this.objects.push(this.ctx.factory.object(RBAC, 'ClusterRole', name, { labels, annotations, ageOffsetSeconds: options.age ?? 2 }, body));
  }

  clusterRoleBinding(name: string, role: string, subjects: Subject[], options: { bootstrap?: boolean; age?: number; labels?: Record<string, string> } = {}): void {
    const labels = { ...(options.bootstrap ? { 'kubernetes.io/bootstrapping': 'rbac-defaults' } : {}), ...options.labels };
    const annotations = options.bootstrap ? { 'rbac.authorization.kubernetes.io/autoupdate': 'true' } : undefined;
    this.objects.push(this.ctx.factory.object(RBAC, 'ClusterRoleBinding', name, { labels, annotations, ageOffsetSeconds: options.age ?? 2 }, {
      roleRef: { apiGroup: RBAC_GROUP, kind: 'ClusterRole', name: role },
      subjects: subjects.map((x) => ({ ...x })),
    }));
  }

  role(namespace: string, name: string, rules: Rule[], age: number, labels: Record<string, string> = {}): void {
    this.objects.push(this.ctx.factory.object(RBAC, 'Role', name, { namespace, labels, ageOffsetSeconds: age }, { rules: copyRules(rules) }));
  }

  roleBinding(namespace: string, name: string, roleKind: 'Role' | 'ClusterRole', role: string, subjects: Subject[], age: number, labels: Record<string, string> = {}): void {
    this.objects.push(this.ctx.factory.object(RBAC, 'RoleBinding', name, { namespace, labels, ageOffsetSeconds: age }, {
      roleRef: { apiGroup: RBAC_GROUP, kind: roleKind, name: role },
      subjects: subjects.map((x) => ({ ...x })),
    }));
  }
}

/** The kube-apiserver bootstrap policy (a representative subset of it). */
function bootstrapPolicy(w: RbacWriter): void {
  const boot = { bootstrap: true };
  w.clusterRole('cluster-admin', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }, { nonResourceURLs: ['*'], verbs: ['*'] }], boot);
  w.clusterRole('admin', [...workloadRules([...READ, ...WRITE], true), { apiGroups: [RBAC_GROUP], resources: ['roles', 'rolebindings'], verbs: [...READ, ...WRITE] }, { apiGroups: ['authorization.k8s.io'], resources: ['localsubjectaccessreviews'], verbs: ['create'] }], { ...boot, aggregateTo: 'admin' });
  w.clusterRole('edit', workloadRules([...READ, ...WRITE], true), { ...boot, aggregateTo: 'edit', labels: { 'rbac.authorization.k8s.io/aggregate-to-admin': 'true' } });
  w.clusterRole('view', workloadRules(READ, false), { ...boot, aggregateTo: 'view', labels: { 'rbac.authorization.k8s.io/aggregate-to-edit': 'true' } });
  w.clusterRole('system:discovery', [{ nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'], verbs: ['get'] }], boot);
  w.clusterRole('system:basic-user', [
    { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
    { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
  ], boot);
  w.clusterRole('system:public-info-viewer', [{ nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] }], boot);
  w.clusterRole('system:monitoring', [{ nonResourceURLs: ['/healthz', '/healthz/*', '/livez', '/livez/*', '/metrics', '/metrics/slis', '/readyz', '/readyz/*'], verbs: ['get'] }], boot);
  w.clusterRole('system:node', [
    { apiGroups: [''], resources: ['nodes', 'nodes/status'], verbs: ['create', 'get', 'list', 'watch', 'patch', 'update', 'delete'] },
    { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'create', 'delete'] },
    { apiGroups: [''], resources: ['pods/status'], verbs: ['patch', 'update'] },
    { apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create', 'delete', 'get', 'patch', 'update'] },
  ], boot);
  w.clusterRole('system:node-proxier', [
    { apiGroups: [''], resources: ['endpoints', 'services', 'nodes'], verbs: READ },
    { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
    { apiGroups: ['', 'events.k8s.io'], resources: ['events'], verbs: ['create', 'patch', 'update'] },
  ], boot);
  w.clusterRole('system:kube-scheduler', [
    { apiGroups: [''], resources: ['pods', 'nodes', 'namespaces', 'persistentvolumeclaims', 'persistentvolumes', 'services'], verbs: READ },
    { apiGroups: [''], resources: ['bindings', 'pods/binding'], verbs: ['create'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create', 'get', 'update'] },
  ], boot);
  w.clusterRole('system:kube-controller-manager', [
    { apiGroups: [''], resources: ['secrets', 'serviceaccounts'], verbs: ['create', 'get', 'list', 'watch'] },
    { apiGroups: [''], resources: ['serviceaccounts/token'], verbs: ['create'] },
    { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['create', 'get', 'update'] },
  ], boot);
  w.clusterRole('system:kube-dns', [{ apiGroups: [''], resources: ['endpoints', 'services'], verbs: ['list', 'watch'] }], boot);
  w.clusterRole('system:aggregate-to-view', [{ apiGroups: [''], resources: ['pods', 'services', 'configmaps'], verbs: READ }], { ...boot, labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } });
  for (const controller of ['deployment-controller', 'replicaset-controller', 'namespace-controller', 'daemon-set-controller', 'statefulset-controller']) {
    const kind = controller.replace('-controller', '').replace('daemon-set', 'daemonset');
    w.clusterRole(`system:controller:${controller}`, [{ apiGroups: ['apps', 'extensions'], resources: [`${kind}s`, `${kind}s/status`], verbs: ['get', 'list', 'watch', 'update'] }, { apiGroups: [''], resources: ['pods'], verbs: ['create', 'delete', 'list', 'patch', 'watch'] }], boot);
    w.clusterRoleBinding(`system:controller:${controller}`, `system:controller:${controller}`, [sa(controller, 'kube-system')], boot);
  }
  w.clusterRoleBinding('cluster-admin', 'cluster-admin', [group('system:masters')], boot);
  w.clusterRoleBinding('system:discovery', 'system:discovery', [group('system:authenticated')], boot);
  w.clusterRoleBinding('system:basic-user', 'system:basic-user', [group('system:authenticated')], boot);
  // Upstream default: health and version are readable without credentials. Benign, and a good false-positive test.
  w.clusterRoleBinding('system:public-info-viewer', 'system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')], boot);
  w.clusterRoleBinding('system:monitoring', 'system:monitoring', [group('system:monitoring')], boot);
  w.clusterRoleBinding('system:node-proxier', 'system:node-proxier', [user('system:kube-proxy')], boot);
  w.clusterRoleBinding('system:kube-scheduler', 'system:kube-scheduler', [user('system:kube-scheduler')], boot);
  w.clusterRoleBinding('system:kube-controller-manager', 'system:kube-controller-manager', [user('system:kube-controller-manager')], boot);
  w.clusterRoleBinding('system:kube-dns', 'system:kube-dns', [sa('kube-dns', 'kube-system')], boot);
}

/** Roles the provider's add-ons install (CNI, metrics-server, CAPI on a management cluster). */
function providerRoles(w: RbacWriter, ctx: ClusterContext): void {
  const cni: Record<string, [string, string]> = { vsphere: ['antrea-agent', 'kube-system'], management: ['antrea-agent', 'kube-system'], eks: ['aws-node', 'kube-system'], gke: ['anetd', 'kube-system'], aks: ['azure-cns', 'kube-system'], generic: ['calico-node', 'calico-system'] };
  const [cniName, cniNs] = cni[ctx.spec.flavor];
  const podsNodes = { apiGroups: [''], resources: ['pods', 'nodes', 'namespaces', 'services', 'endpoints'], verbs: READ };
  w.clusterRole(cniName, [podsNodes, { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: READ }, { apiGroups: [''], resources: ['nodes/status'], verbs: ['patch', 'update'] }], { labels: { 'app.kubernetes.io/name': cniName }, age: 20 });
  w.clusterRoleBinding(cniName, cniName, [sa(cniName, cniNs)], { labels: { 'app.kubernetes.io/name': cniName }, age: 20 });
  w.clusterRole('system:metrics-server', [{ apiGroups: [''], resources: ['nodes/metrics', 'pods', 'nodes'], verbs: READ }], { labels: { 'k8s-app': 'metrics-server' }, age: 20 });
  w.clusterRole('system:metrics-server-aggregated-reader', [{ apiGroups: ['metrics.k8s.io'], resources: ['pods', 'nodes'], verbs: READ }], { labels: { 'k8s-app': 'metrics-server', 'rbac.authorization.k8s.io/aggregate-to-view': 'true' }, age: 20 });
  w.clusterRoleBinding('system:metrics-server', 'system:metrics-server', [sa('metrics-server', 'kube-system')], { labels: { 'k8s-app': 'metrics-server' }, age: 20 });
  if (ctx.spec.flavor === 'management') {
    w.clusterRole('capi-manager-role', [{ apiGroups: ['cluster.x-k8s.io'], resources: ['*'], verbs: ['*'] }, { apiGroups: [''], resources: ['secrets', 'configmaps', 'events'], verbs: [...READ, ...WRITE] }], { labels: { 'cluster.x-k8s.io/provider': 'cluster-api' }, age: 30 });
    w.clusterRoleBinding('capi-manager-rolebinding', 'capi-manager-role', [sa('capi-controller-manager', 'capi-system')], { labels: { 'cluster.x-k8s.io/provider': 'cluster-api' }, age: 30 });
  }
  if (ctx.spec.flavor === 'eks') {
    w.clusterRole('eks:node-manager', [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'delete'] }, { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch', 'patch'] }], { labels: { 'eks.amazonaws.com/component': 'node' }, age: 20 });
    w.clusterRoleBinding('eks:node-manager', 'eks:node-manager', [user('eks:node-manager')], { labels: { 'eks.amazonaws.com/component': 'node' }, age: 20 });
  }
}

const PEOPLE = ['jsmith@example.com', 'priya.n@example.com', 'ops-admin', 'mlopez@example.com', 'oncall-breakglass'];

/** Names of ServiceAccounts that exist in a namespace, from the objects generated so far. */
function serviceAccountsIn(objects: KubeObject[], namespace: string): string[] {
  return objects.filter((o) => o.kind === 'ServiceAccount' && o.metadata.namespace === namespace && o.metadata.name !== 'default').map((o) => o.metadata.name);
}

export function generateRbac(ctx: ClusterContext, apps: AppNamespace[], existing: KubeObject[]): KubeObject[] {
  const rng = rngFor(ctx, 'rbac');
  const w = new RbacWriter(ctx);
  bootstrapPolicy(w);
  providerRoles(w, ctx);
  const extra: KubeObject[] = [];
  const age = () => rng.int(86_400 * 3, 86_400 * 150);

  // Ordinary team access: the team edits its namespace, everyone on it can view, a CI identity deploys.
  for (const ns of apps) {
    if (ns.team) w.roleBinding(ns.name, `${ns.team}-edit`, 'ClusterRole', 'edit', [group(ns.team)], age(), { team: ns.team });
    if (rng.chance(0.5)) w.roleBinding(ns.name, 'viewers', 'ClusterRole', 'view', [group('engineering'), group(`${ns.name}-viewers`)], age());
    if (rng.chance(0.5)) {
      w.role(ns.name, 'deployer', [
        { apiGroups: ['apps'], resources: ['deployments', 'statefulsets'], verbs: ['get', 'list', 'watch', 'patch', 'update'] },
        { apiGroups: [''], resources: ['pods', 'services', 'configmaps'], verbs: READ },
      ], age());
      const sas = serviceAccountsIn(existing, ns.name);
      w.roleBinding(ns.name, 'deployer', 'Role', 'deployer', [sas.length ? sa(rng.pick(sas), ns.name) : group('ci-deployers')], age());
    }
  }
  if (apps.some((a) => a.name === 'monitoring') && serviceAccountsIn(existing, 'monitoring').includes('prometheus')) {
    w.clusterRole('prometheus', [{ apiGroups: [''], resources: ['nodes', 'nodes/metrics', 'services', 'endpoints', 'pods'], verbs: READ }, { nonResourceURLs: ['/metrics'], verbs: ['get'] }], { labels: { app: 'prometheus' }, age: age() });
    w.clusterRoleBinding('prometheus', 'prometheus', [sa('prometheus', 'monitoring')], { labels: { app: 'prometheus' }, age: age() });
  }

  // Risky grants, each in a minority of clusters.
  if (apps.length && rng.chance(0.15)) {
    const person = rng.pick(PEOPLE);
    w.clusterRoleBinding(`${person.split('@')[0].replace(/\./g, '-')}-cluster-admin`, 'cluster-admin', [user(person)], { age: age() });
  }
  if (apps.length && rng.chance(0.12)) {
    const ns = rng.pick(apps).name;
    const sas = serviceAccountsIn(existing, ns);
    let name = sas.length ? rng.pick(sas) : 'deployer';
    if (!sas.length) {
      name = 'deployer';
      extra.push(ctx.factory.object('v1', 'ServiceAccount', name, { namespace: ns, labels: {}, ageOffsetSeconds: age() }, {}));
    }
    w.clusterRoleBinding(`${ns}-${name}-admin`, 'cluster-admin', [sa(name, ns)], { age: age() });
  }
  if (apps.length && rng.chance(0.12)) {
    const ns = rng.pick(apps);
    w.role(ns.name, 'full-access', [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }], age());
    w.roleBinding(ns.name, 'full-access', 'Role', 'full-access', [group(ns.team ?? `${ns.name}-admins`)], age());
  }
  if (rng.chance(0.06)) {
    w.clusterRole('secrets-operator', [{ apiGroups: [''], resources: ['secrets'], verbs: ['*'] }, { apiGroups: ['*'], resources: ['configmaps'], verbs: READ }], { age: age() });
    w.clusterRoleBinding('secrets-operator', 'secrets-operator', [group('platform-ops')], { age: age() });
  }
  if (apps.length && rng.chance(0.12)) {
    const ns = rng.pick(apps).name;
    w.roleBinding(ns, 'default-sa-edit', 'ClusterRole', rng.pick(['edit', 'admin']), [sa('default', ns)], age());
  }
  if (rng.chance(0.04)) {
    if (rng.chance(0.5)) w.clusterRoleBinding('anonymous-view', 'view', [user('system:anonymous')], { age: age() });
    else w.clusterRoleBinding('unauthenticated-read', 'view', [group('system:unauthenticated')], { age: age() });
  }
  return [...extra, ...w.objects];
}
