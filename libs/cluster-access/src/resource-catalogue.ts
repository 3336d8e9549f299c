/**
 * Every Kubernetes kind Flotilla reads or writes, and where it lives in the API. This is the one
 * place a new kind is added: the ClusterClient derives every path from it, a kind missing here is
 * a compile error (KindName) or a clear refusal at run time, and the outbound agent forwards only
 * what it names (isCataloguePath).
 */
export interface ResourceType {
  /** '' for the core group. */
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
  /** Flotilla changes objects of this kind (enforcement, upgrades); every other kind is read only. */
  writable?: true;
  /** Flotilla deletes objects of this kind it created itself (cleanup when an ENFORCE policy goes, a provisioned cluster's Cluster). */
  removable?: true;
  /**
   * Read only over a direct connection, never forwarded by the outbound agent (isCataloguePath
   * refuses it): Secrets, which provisioning reads once (the `<name>-kubeconfig` Cluster API writes).
   */
  directOnly?: true;
}

const CORE = '';
const APPS = 'apps';
const BATCH = 'batch';
const NETWORKING = 'networking.k8s.io';
const RBAC = 'rbac.authorization.k8s.io';
const ADMISSION = 'admissionregistration.k8s.io';
const CLUSTER_API = 'cluster.x-k8s.io';
const TANZU_RUN = 'run.tanzu.vmware.com';
const VM_OPERATOR = 'vmoperator.vmware.com';
const STORAGE = 'storage.k8s.io';

export const RESOURCE_CATALOGUE = {
  // Sync, upgrades and inspections: nodes and their readiness; policies: namespaces (enforcement labels them).
  Node: { group: CORE, version: 'v1', plural: 'nodes', namespaced: false },
  Namespace: { group: CORE, version: 'v1', plural: 'namespaces', namespaced: false, writable: true },
  Pod: { group: CORE, version: 'v1', plural: 'pods', namespaced: true },
  Service: { group: CORE, version: 'v1', plural: 'services', namespaced: true },
  ConfigMap: { group: CORE, version: 'v1', plural: 'configmaps', namespaced: true },
  ResourceQuota: { group: CORE, version: 'v1', plural: 'resourcequotas', namespaced: true, writable: true, removable: true },
  ServiceAccount: { group: CORE, version: 'v1', plural: 'serviceaccounts', namespaced: true },
  Deployment: { group: APPS, version: 'v1', plural: 'deployments', namespaced: true },
  StatefulSet: { group: APPS, version: 'v1', plural: 'statefulsets', namespaced: true },
  DaemonSet: { group: APPS, version: 'v1', plural: 'daemonsets', namespaced: true },
  ReplicaSet: { group: APPS, version: 'v1', plural: 'replicasets', namespaced: true },
  Job: { group: BATCH, version: 'v1', plural: 'jobs', namespaced: true },
  CronJob: { group: BATCH, version: 'v1', plural: 'cronjobs', namespaced: true },
  NetworkPolicy: { group: NETWORKING, version: 'v1', plural: 'networkpolicies', namespaced: true, writable: true, removable: true },
  ClusterRole: { group: RBAC, version: 'v1', plural: 'clusterroles', namespaced: false },
  ClusterRoleBinding: { group: RBAC, version: 'v1', plural: 'clusterrolebindings', namespaced: false, writable: true, removable: true },
  Role: { group: RBAC, version: 'v1', plural: 'roles', namespaced: true },
  RoleBinding: { group: RBAC, version: 'v1', plural: 'rolebindings', namespaced: true, writable: true, removable: true },
  // CUSTOM policies in ENFORCE: the native admission policy and its binding (Kubernetes ≥ 1.30), deleted with the policy.
  ValidatingAdmissionPolicy: { group: ADMISSION, version: 'v1', plural: 'validatingadmissionpolicies', namespaced: false, writable: true, removable: true },
  ValidatingAdmissionPolicyBinding: { group: ADMISSION, version: 'v1', plural: 'validatingadmissionpolicybindings', namespaced: false, writable: true, removable: true },
  // Management clusters: Cluster API objects (upgrades patch spec.topology.version; provisioning
  // applies a Cluster and deletes it to deprovision) and the releases, VM classes and storage classes vSphere offers.
  Cluster: { group: CLUSTER_API, version: 'v1beta1', plural: 'clusters', namespaced: true, writable: true, removable: true },
  TanzuKubernetesRelease: { group: TANZU_RUN, version: 'v1alpha3', plural: 'tanzukubernetesreleases', namespaced: false },
  VirtualMachineClass: { group: VM_OPERATOR, version: 'v1alpha1', plural: 'virtualmachineclasses', namespaced: false },
  StorageClass: { group: STORAGE, version: 'v1', plural: 'storageclasses', namespaced: false },
  // Provisioning only, over a direct connection: the kubeconfig Secret Cluster API writes (see
  // directOnly). The agent's own credential is a TokenRequest token, never a Secret.
  Secret: { group: CORE, version: 'v1', plural: 'secrets', namespaced: true, directOnly: true },
} as const satisfies Record<string, ResourceType>;

/** A kind the catalogue names; any other string is a compile error where a KindName is expected. */
export type KindName = keyof typeof RESOURCE_CATALOGUE;

/** A kind Flotilla writes. */
export type WritableKind = { [K in KindName]: (typeof RESOURCE_CATALOGUE)[K] extends { writable: true } ? K : never }[KindName];

/** A kind Flotilla deletes (only objects it created). */
export type RemovableKind = { [K in KindName]: (typeof RESOURCE_CATALOGUE)[K] extends { removable: true } ? K : never }[KindName];

/** The paths Flotilla reads besides resources: version, health probes and metrics. */
export const NON_RESOURCE_PATHS = ['/version', '/metrics', '/healthz', '/livez', '/readyz'] as const;

/** Refused: a kind (or apiVersion) the catalogue does not name. */
export class UnknownKindError extends Error {
  constructor(what: string) {
    super(`${what} is not in Flotilla's resource catalogue (libs/cluster-access/src/resource-catalogue.ts)`);
  }
}

/** Refused: a write of a kind the catalogue does not mark writable. */
export class ReadOnlyKindError extends Error {
  constructor(kind: string) {
    super(`Flotilla does not write ${kind} objects (not writable in its resource catalogue)`);
  }
}

export function isKnownKind(kind: string): kind is KindName {
  return Object.prototype.hasOwnProperty.call(RESOURCE_CATALOGUE, kind);
}

export function resourceOf(kind: string): ResourceType {
  if (!isKnownKind(kind)) throw new UnknownKindError(`kind ${kind}`);
  return RESOURCE_CATALOGUE[kind];
}

/** "apps/v1", or "v1" for the core group: what an object of the kind carries as apiVersion. */
export function apiVersionOf(kind: KindName): string {
  const r: ResourceType = RESOURCE_CATALOGUE[kind];
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** The kind a plural names ("pods" → Pod), for callers that speak resources. */
export function kindOfPlural(plural: string): KindName {
  for (const [kind, r] of Object.entries(RESOURCE_CATALOGUE) as Array<[KindName, ResourceType]>) if (r.plural === plural) return kind;
  throw new UnknownKindError(`resource ${plural}`);
}

/** The kind an object says it is, checked against its apiVersion. */
export function kindOfObject(o: { apiVersion?: string; kind?: string }): KindName {
  const kind = o.kind ?? '';
  if (!isKnownKind(kind)) throw new UnknownKindError(`kind ${kind || '(none)'}`);
  if (o.apiVersion !== apiVersionOf(kind)) throw new UnknownKindError(`${kind} of apiVersion ${o.apiVersion ?? '(none)'} (the catalogue has ${apiVersionOf(kind)})`);
  return kind;
}

/** /api/v1 or /apis/<group>/<version>: also the group-version's discovery document. */
export function groupVersionPath(kind: KindName): string {
  const r: ResourceType = RESOURCE_CATALOGUE[kind];
  return r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
}

/** The collection of a kind: in one namespace, or across all namespaces (and cluster-scoped kinds) without one. */
export function collectionPath(kind: KindName, namespace?: string): string {
  const r: ResourceType = RESOURCE_CATALOGUE[kind];
  const ns = r.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${groupVersionPath(kind)}${ns}/${r.plural}`;
}

/** The path of one object; a namespaced kind needs its namespace. */
export function objectPath(kind: KindName, name: string, namespace?: string): string {
  const r: ResourceType = RESOURCE_CATALOGUE[kind];
  if (r.namespaced && !namespace) throw new Error(`${kind} ${name} needs a namespace`);
  if (!name) throw new Error(`a ${kind} needs a name`);
  return `${collectionPath(kind, namespace)}/${encodeURIComponent(name)}`;
}

/**
 * A service account's TokenRequest subresource (authentication.k8s.io/v1 TokenRequest): how the
 * worker renews the short-lived token of a directly attached cluster. Deliberately not a path
 * isCataloguePath accepts: an outbound agent never mints tokens for the hub to carry away.
 */
export function serviceAccountTokenPath(namespace: string, name: string): string {
  return `${objectPath('ServiceAccount', name, namespace)}/token`;
}

/** A name Kubernetes accepts in a path: not empty, not "." or "..", no "/" or "%" once decoded (RBAC names may hold ":"). */
function isPathSegmentName(segment: string): boolean {
  let name: string;
  try {
    name = decodeURIComponent(segment);
  } catch {
    return false;
  }
  return name !== '' && name !== '.' && name !== '..' && !/[/%]/.test(name);
}

/**
 * Whether a request is one Flotilla makes: GET of the non-resource paths, of a catalogue kind's
 * group-version, collection or object; for writable kinds only, PATCH of an object or POST to
 * a namespaced-or-cluster collection; for removable kinds only, DELETE of an object. What the outbound agent forwards (nothing else).
 */
export function isCataloguePath(method: string, path: string): boolean {
  const [p] = path.split('?');
  const verb = method.toUpperCase();
  if ((NON_RESOURCE_PATHS as readonly string[]).includes(p)) return verb === 'GET';
  const parts = p.split('/').slice(1);
  let rest: string[];
  let group: string;
  let version: string;
  if (parts[0] === 'api') [group, version, rest] = [CORE, parts[1], parts.slice(2)];
  else if (parts[0] === 'apis') [group, version, rest] = [parts[1], parts[2], parts.slice(3)];
  else return false;
  if (rest.some((s) => !isPathSegmentName(s))) return false;
  const kinds = (Object.entries(RESOURCE_CATALOGUE) as Array<[KindName, ResourceType]>).filter(([, r]) => r.group === group && r.version === version && r.directOnly !== true);
  if (kinds.length === 0) return false;
  if (rest.length === 0) return verb === 'GET'; // discovery of a group-version the catalogue uses
  let namespaced = false;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespaced = true;
    rest = rest.slice(2);
  }
  const [plural, name, ...extra] = rest;
  if (extra.length) return false;
  const entry = kinds.find(([, r]) => r.plural === plural);
  if (!entry) return false;
  const r = entry[1];
  if (namespaced && !r.namespaced) return false;
  if (name === undefined) return verb === 'GET' || (verb === 'POST' && r.writable === true && (namespaced || !r.namespaced));
  if (r.namespaced && !namespaced) return false;
  if (verb === 'GET') return true;
  if (verb === 'DELETE') return r.removable === true;
  return verb === 'PATCH' && r.writable === true;
}
