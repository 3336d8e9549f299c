import { compareParsed, isSameRelease, parseKubeVersion } from './kube-version';
import { checkUpgradeSkew } from './upgrade-skew';

/** Why a cluster cannot be upgraded to a target, as Flotilla's registry alone can tell (no cluster is called). */
export type BlockerKind =
  | 'NOT_MANAGED'
  | 'MANAGER_DETACHED'
  | 'NOT_SYNCED'
  | 'ALREADY_AT_TARGET'
  | 'SKEW'
  | 'NOT_OFFERED'
  | 'REMOVED_APIS'
  | 'NOT_HEALTHY'
  | 'UPGRADE_IN_PROGRESS';

export interface UpgradeBlocker {
  kind: BlockerKind;
  /** Operator wording, naming the cluster. */
  reason: string;
}

/** What the registry knows of a cluster, as the eligibility rules read it. */
export interface RegistryClusterFacts {
  name: string;
  apiServerUrl: string;
  status: string;
  kubernetesVersion: string | null;
  nodeCount: number;
  readyNodeCount: number;
  /** A Cluster API Cluster object on a management cluster describes it (management link set at sync). */
  managed: boolean;
  /** That management cluster is still attached. */
  managerAttached: boolean;
  /** Releases the management cluster offers (null: not known, e.g. never synced). */
  offeredVersions: string[] | null;
  /** APIs the target removes that the cluster still requests, as an inspection last saw them; null: not known. */
  removedApisInUse: string[] | null;
  upgradeInProgress: boolean;
}

/**
 * The pre-flight rules the registry can decide, in order. `startUpgrade` refuses on the first
 * blocker of the kinds it cannot leave to the worker's live pre-flight (REGISTRY_REFUSALS); a
 * campaign excludes a cluster on any blocker. Both call this one function, so the same cluster is
 * refused for the same words by both. The worker's runPreflight judges again, live, at start.
 */
export function upgradeBlockers(c: RegistryClusterFacts, targetVersion: string): UpgradeBlocker[] {
  const out: UpgradeBlocker[] = [];
  if (!c.managed) {
    out.push({
      kind: 'NOT_MANAGED',
      reason: `cluster ${c.name} is not managed by Cluster API, so it is not upgradeable from Flotilla: no attached management cluster holds a Cluster object for ${c.apiServerUrl}; upgrade it with its provider, or attach its management cluster`,
    });
    return out;
  }
  if (!c.managerAttached) {
    out.push({
      kind: 'MANAGER_DETACHED',
      reason: `cluster ${c.name} is managed by Cluster API from a management cluster that is no longer attached, so it is not upgradeable from Flotilla: attach its management cluster again`,
    });
    return out;
  }
  if (!c.kubernetesVersion) {
    out.push({ kind: 'NOT_SYNCED', reason: `cluster ${c.name} has not been synced yet, so its current version is unknown: try again once it is CONNECTED` });
    return out;
  }
  if (c.upgradeInProgress) out.push({ kind: 'UPGRADE_IN_PROGRESS', reason: `cluster ${c.name} already has an upgrade in progress` });
  let current;
  let target;
  try {
    current = parseKubeVersion(c.kubernetesVersion);
    target = parseKubeVersion(targetVersion);
  } catch (err) {
    out.push({ kind: 'SKEW', reason: `cluster ${c.name}: ${(err as Error).message}` });
    return out;
  }
  if (isSameRelease(current, target) || compareParsed(current, target) > 0) {
    out.push({ kind: 'ALREADY_AT_TARGET', reason: `cluster ${c.name} is already at ${c.kubernetesVersion}, at or past ${targetVersion}` });
    return out;
  }
  const skew = checkUpgradeSkew(c.kubernetesVersion, targetVersion);
  if (!skew.allowed) out.push({ kind: 'SKEW', reason: `cluster ${c.name}: ${skew.reason}` });
  if (c.offeredVersions !== null && !c.offeredVersions.some((o) => sameReleaseLoose(o, targetVersion))) {
    out.push({ kind: 'NOT_OFFERED', reason: `cluster ${c.name}: ${targetVersion} is not offered by its management cluster` });
  }
  if (c.removedApisInUse && c.removedApisInUse.length > 0) {
    out.push({ kind: 'REMOVED_APIS', reason: `cluster ${c.name} still requests APIs ${targetVersion} no longer serves: ${c.removedApisInUse.join('; ')}` });
  }
  if (c.status !== 'CONNECTED' || c.nodeCount === 0 || c.readyNodeCount < c.nodeCount) {
    out.push({ kind: 'NOT_HEALTHY', reason: `cluster ${c.name} is not healthy (${c.status}, ${c.readyNodeCount}/${c.nodeCount} nodes Ready)` });
  }
  return out;
}

/** Blockers `startUpgrade` refuses on at once; the others are left to the worker's live pre-flight (which names them on the upgrade). */
export const REGISTRY_REFUSALS: ReadonlySet<BlockerKind> = new Set(['NOT_MANAGED', 'MANAGER_DETACHED', 'NOT_SYNCED']);

function sameReleaseLoose(a: string, b: string): boolean {
  try {
    return isSameRelease(parseKubeVersion(a), parseKubeVersion(b));
  } catch {
    return false;
  }
}
