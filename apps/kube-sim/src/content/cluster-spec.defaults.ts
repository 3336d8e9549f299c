/** Per-flavor defaults and the facts about a cluster that both it and its management cluster derive from the spec. */
import type { ClusterSpec, Flavor } from './contract';
import type { ResolvedSpec } from './cluster-context';
import { DEFAULT_VERSION, FLEET_EPOCH_MS } from './kube-version';
import { hash32, uuidFor } from './seeded-random';

export const DEFAULT_WORKERS: Readonly<Record<Flavor, number>> = { vsphere: 3, management: 3, eks: 5, gke: 4, aks: 3, generic: 3 };
export const DEFAULT_REGION: Readonly<Record<Flavor, string>> = {
  vsphere: 'us-east-dc1', management: 'us-east-dc1', eks: 'us-east-1', gke: 'us-central1', aks: 'eastus', generic: 'us-east-dc1',
};

export function resolveSpec(spec: ClusterSpec, fleetSeed: number): ResolvedSpec {
  const resolved: ResolvedSpec = {
    name: spec.name,
    flavor: spec.flavor,
    version: spec.version ?? DEFAULT_VERSION[spec.flavor],
    nodes: spec.nodes ?? DEFAULT_WORKERS[spec.flavor],
    seed: spec.seed ?? hash32(spec.name, fleetSeed),
    region: spec.region ?? DEFAULT_REGION[spec.flavor],
  };
  if (spec.managedBy !== undefined) resolved.managedBy = spec.managedBy;
  if (spec.controlPlaneNodes !== undefined) resolved.controlPlaneNodes = spec.controlPlaneNodes;
  return resolved;
}

/**
 * Control-plane node count: a pure function of the spec, so the management cluster's
 * Cluster.spec.topology.controlPlane.replicas matches the workload cluster's control-plane nodes.
 */
export function controlPlaneReplicas(spec: ResolvedSpec): number {
  if (spec.controlPlaneNodes !== undefined && spec.flavor !== 'management') return spec.controlPlaneNodes;
  switch (spec.flavor) {
    case 'management':
      return 3;
    case 'vsphere':
    case 'generic':
      return spec.nodes >= 5 || hash32('control-plane', spec.seed) % 2 === 0 ? 3 : 1;
    default:
      return 0;
  }
}

/** KubeadmControlPlane name; control-plane node names start with it (as CAPI names Machines). */
export function controlPlaneName(spec: ResolvedSpec): string {
  return `${spec.name}-${uuidFor(`KubeadmControlPlane//${spec.name}`, spec.seed).slice(0, 5)}`;
}

/** MachineDeployment name of a node pool; its worker node names start with it. */
export function machineDeploymentName(spec: ResolvedSpec, pool: string): string {
  return `${spec.name}-${pool}-${uuidFor(`MachineDeployment//${spec.name}-${pool}`, spec.seed).slice(0, 5)}`;
}

/** Clusters with 6+ workers get two node pools (two MachineDeployments on the management side). */
export function vspherePools(workers: number): Array<{ name: string; replicas: number }> {
  if (workers < 6) return [{ name: 'node-pool-1', replicas: workers }];
  const first = Math.ceil(workers / 2);
  return [{ name: 'node-pool-1', replicas: first }, { name: 'node-pool-2', replicas: workers - first }];
}

/**
 * Index of the worker that stopped reporting (about 8% of clusters), or -1. A pure function of the
 * spec so the management cluster's MachineDeployment status shows the same unready machine.
 */
export function notReadyWorker(spec: ResolvedSpec): number {
  if (spec.nodes <= 0) return -1;
  const h = hash32('not-ready-worker', spec.seed);
  return h % 100 < 8 ? (h >>> 8) % spec.nodes : -1;
}

const DAY_MS = 86_400_000;

/**
 * When the cluster was created: workload clusters 200–720 days before the fleet epoch (their app
 * objects come later, within that span), management clusters 730–800 days, so a Supervisor is
 * always older than the clusters it manages and its Cluster objects can predate their nodes.
 */
export function clusterCreatedMs(spec: ResolvedSpec): number {
  const h = hash32('created', spec.seed);
  const days = spec.flavor === 'management' ? 730 + (h % 71) : 200 + (h % 521);
  return FLEET_EPOCH_MS - days * DAY_MS - ((h >>> 10) % 86_400) * 1000;
}
