/**
 * The seam between kube-sim's API server (storage, HTTP, auth, controllers) and its content
 * generator (what a freshly simulated cluster holds). The server calls the generator lazily, the
 * first time a cluster's objects are needed, and may call it again to rebuild a cluster's base
 * objects after evicting them from memory: generation must be pure and deterministic
 * (same ClusterSpec → same objects, byte for byte; no Date.now(), no Math.random()).
 */

export type Flavor = 'vsphere' | 'eks' | 'gke' | 'aks' | 'generic' | 'management';

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  uid?: string;
  resourceVersion?: string;
  creationTimestamp?: string;
  generation?: number;
  ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }>;
  [key: string]: unknown;
}

/** Any Kubernetes object as served on the wire (apiVersion "v1" or "<group>/<version>"). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** What the admin API's POST /_sim/clusters and the --clusters mix describe. */
export interface ClusterSpec {
  name: string;
  flavor: Flavor;
  /** Kubernetes version as the provider reports it, e.g. "v1.30.4+vmware.1", "v1.31.2-eks-7f9249a". Default per flavor. */
  version?: string;
  /** Worker node count (control-plane nodes, where the provider shows them, come on top). Default per flavor. */
  nodes?: number;
  /** Seed for this cluster's content; the fleet seed mixed with the name when absent. */
  seed?: number;
  /** Name of the management cluster whose Cluster API objects manage this one (vsphere workload clusters). */
  managedBy?: string;
  region?: string;
  /** Control-plane node count of a self-managed flavor (a cluster provisioned through Cluster API asks for it); derived from the seed when absent. */
  controlPlaneNodes?: number;
}

/** The body of GET /version. */
export interface VersionInfo {
  major: string;
  minor: string;
  gitVersion: string;
  gitCommit: string;
  gitTreeState: string;
  buildDate: string;
  goVersion: string;
  compiler: string;
  platform: string;
}

/** A deprecated API that the cluster's seeded clients request (feeds /metrics apiserver_requested_deprecated_apis). */
export interface DeprecatedApiUse {
  group: string;
  version: string;
  resource: string;
  subresource?: string;
  /** e.g. "1.32": the release that removes it. */
  removedRelease: string;
}

export interface GeneratedCluster {
  spec: Required<Pick<ClusterSpec, 'name' | 'flavor' | 'version' | 'nodes' | 'seed'>> & Pick<ClusterSpec, 'managedBy' | 'region' | 'controlPlaneNodes'>;
  versionInfo: VersionInfo;
  /** Every object the cluster starts with: nodes, namespaces, workloads and their pods, RBAC, … and, on a
   * management cluster, Cluster API objects for the clusters it manages and the releases it offers. */
  objects: KubeObject[];
  deprecatedApiUse: DeprecatedApiUse[];
}

export interface GenerationContext {
  /** The fleet seed given to kube-sim (--seed). */
  fleetSeed: number;
  /** For a management cluster: the workload clusters it manages (specs whose managedBy is its name). */
  managed: ClusterSpec[];
  /** The URL at which kube-sim serves a cluster, e.g. https://127.0.0.1:6443/clusters/tkg-prod-01. */
  serverUrlFor(name: string): string;
}

/**
 * Annotation on a Cluster API `Cluster` holding the full URL of the workload cluster's API server.
 * Every simulated cluster shares kube-sim's host and port, so `spec.controlPlaneEndpoint`
 * (host and port only) cannot tell them apart; Flotilla links a managed cluster by this
 * annotation first, then by `https://<host>:<port>` of the endpoint.
 */
export const API_SERVER_URL_ANNOTATION = 'flotilla.dev/api-server-url';

/** Implemented in content/index.ts. */
export type FleetMix = (count: number, fleetSeed: number) => ClusterSpec[];
export type GenerateCluster = (spec: ClusterSpec, ctx: GenerationContext) => GeneratedCluster;
