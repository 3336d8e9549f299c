/**
 * A short provisioning spec → the Cluster API objects a vSphere Supervisor (or any management
 * cluster with the `tanzukubernetescluster` ClusterClass) needs to build the cluster. Pure: the
 * same spec and offers give the same objects, byte for byte.
 *
 * What is rendered, and why only that: a ClusterClass-based cluster is one `Cluster` object with a
 * `spec.topology` (Cluster API v1beta1: class, version, controlPlane.replicas,
 * workers.machineDeployments[] with per-pool variable overrides, variables). The topology
 * controller expands it on the management cluster into the KubeadmControlPlane, VSphereCluster,
 * VSphereMachineTemplates, KubeadmConfigTemplates and MachineDeployments; writing those ourselves
 * would fight that controller. No Namespace is rendered: on a Supervisor a vSphere Namespace is
 * created in vCenter with its storage policies, VM classes and quotas, never through kubectl, so
 * the namespace must already exist (the provisioning job says so when it does not).
 */
import { stringify } from 'yaml';

export const CAPI_API_VERSION = 'cluster.x-k8s.io/v1beta1';
export const DEFAULT_CLUSTER_CLASS = 'tanzukubernetescluster';
export const DEFAULT_WORKER_CLASS = 'node-pool';
export const DEFAULT_NAMESPACE = 'default';
export const DEFAULT_POD_CIDR = '192.168.0.0/16';
export const DEFAULT_SERVICE_CIDR = '10.96.0.0/12';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'flotilla';

/** Control-plane sizes etcd quorum allows (TKG accepts 1, 3 or 5). */
export const CONTROL_PLANE_REPLICAS = [1, 3, 5] as const;
export const MAX_POOL_REPLICAS = 100;
export const MAX_POOLS = 16;

export interface NodePoolSpec {
  name: string;
  replicas: number;
  vmClass?: string | null;
}

/** What ProvisionClusterInput carries (the management cluster is chosen by the caller). */
export interface ProvisionSpec {
  name: string;
  namespace?: string | null;
  version: string;
  controlPlaneReplicas?: number | null;
  vmClass?: string | null;
  storageClass?: string | null;
  workers: NodePoolSpec[];
  labels?: Record<string, string>;
}

/** What the management cluster offers, as its last sync read it. */
export interface ManagementOffers {
  versions: readonly string[];
  vmClasses: readonly string[];
  storageClasses: readonly string[];
}

export interface FieldProblem {
  /** e.g. "input.workers[1].vmClass" */
  field: string;
  message: string;
}

export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

/** The spec with defaults applied: what renderClusterManifests and the provisioning record keep. */
export interface ResolvedProvisionSpec {
  name: string;
  namespace: string;
  version: string;
  controlPlaneReplicas: number;
  vmClass: string;
  storageClass: string;
  workers: Array<{ name: string; replicas: number; vmClass: string }>;
  labels: Record<string, string>;
}

const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

function offered(list: readonly string[]): string {
  return list.length ? [...list].sort().join(', ') : 'none (the management cluster has not reported any yet)';
}

function checkName(value: string, field: string, max: number, problems: FieldProblem[]): void {
  if (typeof value !== 'string' || value.length === 0) problems.push({ field, message: 'is required' });
  else if (value.length > max) problems.push({ field, message: `must be at most ${max} characters` });
  else if (!DNS_LABEL.test(value)) problems.push({ field, message: 'must be a DNS label: lowercase letters, digits and "-", starting with a letter and ending with a letter or digit' });
}

/**
 * Checks the spec against the offers and applies defaults: every problem, each naming its field
 * and (for an unknown offer) listing what is offered; or the resolved spec.
 */
export function resolveProvisionSpec(spec: ProvisionSpec, offers: ManagementOffers): { spec: ResolvedProvisionSpec } | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  // Cluster API names the kubeconfig Secret "<name>-kubeconfig" and machines "<name>-<pool>-…": 40 keeps them under 63.
  checkName(spec.name, 'input.name', 40, problems);
  const namespace = spec.namespace ?? DEFAULT_NAMESPACE;
  checkName(namespace, 'input.namespace', 63, problems);

  if (!offers.versions.includes(spec.version)) problems.push({ field: 'input.version', message: `${JSON.stringify(String(spec.version).slice(0, 80))} is not offered by the management cluster (offered: ${offered(offers.versions)})` });

  const controlPlaneReplicas = spec.controlPlaneReplicas ?? 1;
  if (!(CONTROL_PLANE_REPLICAS as readonly number[]).includes(controlPlaneReplicas)) {
    problems.push({ field: 'input.controlPlaneReplicas', message: `must be ${CONTROL_PLANE_REPLICAS.join(', ')} (an odd etcd quorum)` });
  }

  const checkOffer = (value: string | null | undefined, field: string, list: readonly string[], what: string): string => {
    if (value === undefined || value === null || value === '') {
      problems.push({ field, message: `is required (offered ${what}: ${offered(list)})` });
      return '';
    }
    if (!list.includes(value)) problems.push({ field, message: `${JSON.stringify(value.slice(0, 80))} is not a ${what.replace(/es$/, '')} the management cluster offers (offered: ${offered(list)})` });
    return value;
  };
  const vmClass = checkOffer(spec.vmClass, 'input.vmClass', offers.vmClasses, 'VM classes');
  const storageClass = checkOffer(spec.storageClass, 'input.storageClass', offers.storageClasses, 'storage classes');

  const workers: ResolvedProvisionSpec['workers'] = [];
  if (!Array.isArray(spec.workers) || spec.workers.length === 0) problems.push({ field: 'input.workers', message: 'must name at least one worker pool' });
  else if (spec.workers.length > MAX_POOLS) problems.push({ field: 'input.workers', message: `may name at most ${MAX_POOLS} worker pools` });
  else {
    const seen = new Set<string>();
    spec.workers.forEach((pool, i) => {
      const at = `input.workers[${i}]`;
      checkName(pool.name, `${at}.name`, 20, problems);
      if (seen.has(pool.name)) problems.push({ field: `${at}.name`, message: `${JSON.stringify(pool.name)} names another pool too (pool names are unique)` });
      seen.add(pool.name);
      if (!Number.isInteger(pool.replicas) || pool.replicas < 0 || pool.replicas > MAX_POOL_REPLICAS) problems.push({ field: `${at}.replicas`, message: `must be an integer from 0 to ${MAX_POOL_REPLICAS}` });
      const poolClass = pool.vmClass === undefined || pool.vmClass === null || pool.vmClass === '' ? vmClass : checkOffer(pool.vmClass, `${at}.vmClass`, offers.vmClasses, 'VM classes');
      workers.push({ name: pool.name, replicas: pool.replicas, vmClass: poolClass });
    });
  }
  if (problems.length) return { problems };
  const labels = { ...(spec.labels ?? {}) };
  return { spec: { name: spec.name, namespace, version: spec.version, controlPlaneReplicas, vmClass, storageClass, workers, labels } };
}

/** The Cluster API objects for a resolved spec, in the order they are applied. */
export function renderClusterManifests(spec: ResolvedProvisionSpec): ManifestObject[] {
  const labels: Record<string, string> = { ...spec.labels, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE };
  const cluster: ManifestObject = {
    apiVersion: CAPI_API_VERSION,
    kind: 'Cluster',
    metadata: { name: spec.name, namespace: spec.namespace, labels: sortKeys(labels) },
    spec: {
      clusterNetwork: {
        pods: { cidrBlocks: [DEFAULT_POD_CIDR] },
        serviceDomain: 'cluster.local',
        services: { cidrBlocks: [DEFAULT_SERVICE_CIDR] },
      },
      topology: {
        class: DEFAULT_CLUSTER_CLASS,
        version: spec.version,
        controlPlane: { replicas: spec.controlPlaneReplicas },
        workers: {
          machineDeployments: spec.workers.map((pool) => ({
            class: DEFAULT_WORKER_CLASS,
            name: pool.name,
            replicas: pool.replicas,
            // A pool on another VM class than the cluster's overrides the ClusterClass variable for its machines only.
            ...(pool.vmClass !== spec.vmClass ? { variables: { overrides: [{ name: 'vmClass', value: pool.vmClass }] } } : {}),
          })),
        },
        variables: [
          { name: 'vmClass', value: spec.vmClass },
          { name: 'storageClass', value: spec.storageClass },
          // Persistent volumes in the new cluster land on the same storage policy unless a workload asks otherwise.
          { name: 'defaultStorageClass', value: spec.storageClass },
        ],
      },
    },
  };
  return [cluster];
}

/** Multi-document YAML of the objects (what previewClusterManifests shows and `kubectl apply -f` would take). */
export function manifestsYaml(objects: readonly ManifestObject[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
