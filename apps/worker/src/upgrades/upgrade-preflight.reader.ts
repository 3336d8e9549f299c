import { Injectable } from '@nestjs/common';
import { ClusterClient, assessNodes, describeFailure, kubeletVersionOf, nodeReady, statusFromNodes } from '@flotilla/cluster-access';
import { UpgradeEntity } from '@flotilla/persistence';
import { parseDeprecatedApiMetrics, runPreflight, sameRelease } from '@flotilla/upgrade';
import { ManagementLinkService } from '../sync/management-link.service';
import { capiClusterRef, readCapiCluster } from './capi-cluster';

export type PreflightVerdict = { ok: true; patchVersion: string } | { ok: false; reasons: string[] };

/**
 * Reads the pre-flight facts live — the workload cluster's version, nodes and /metrics; the releases
 * the management cluster offers and the upgrade's Cluster object — and hands them to the pure
 * runPreflight of libs/upgrade. A fact it cannot read is itself a reason to refuse, named.
 */
@Injectable()
export class UpgradePreflightReader {
  constructor(private readonly links: ManagementLinkService) {}

  async check(u: UpgradeEntity, workload: ClusterClient, management: ClusterClient): Promise<PreflightVerdict> {
    const reasons: string[] = [];
    const reach = async <T>(what: string, f: () => Promise<T>): Promise<T | undefined> => {
      try {
        return await f();
      } catch (err) {
        reasons.push(`Could not read ${what}: ${describeFailure(err)}.`);
        return undefined;
      }
    };
    const ref = capiClusterRef(u);
    const version = await reach('the cluster\'s /version', () => workload.readVersion());
    const nodes = await reach('the cluster\'s nodes', () => workload.listNodes());
    const metrics = await reach('the cluster\'s /metrics (needed to find deprecated APIs in use)', () => workload.readMetrics());
    const offered = await reach('the releases the management cluster offers', () => this.links.offeredReleases(management));
    const capi = await reach(`Cluster ${ref} on the management cluster`, () => readCapiCluster(management, u));
    if (capi === null) reasons.push(`Cluster ${ref} no longer exists on the management cluster.`);
    if (capi && !capi.spec?.topology) {
      reasons.push(`Cluster ${ref} has no spec.topology: Flotilla upgrades only ClusterClass-based (topology) clusters.`);
    }
    if (reasons.length > 0) return { ok: false, reasons };

    const result = runPreflight({
      // Judged from the nodes just read, not from the last sync (which may be a minute old).
      clusterStatus: statusFromNodes(assessNodes(nodes ?? [])).status,
      nodes: (nodes ?? []).map((n) => ({ name: n.metadata.name, ready: nodeReady(n), kubeletVersion: kubeletVersionOf(n) })),
      currentVersion: version!.gitVersion,
      targetVersion: u.toVersion,
      offeredVersions: offered ?? [],
      managed: true,
      upgradeInProgress: false, // the partial unique index makes this upgrade the only active one
      deprecatedApisInUse: parseDeprecatedApiMetrics(metrics ?? ''),
    });
    if (!result.ok) return { ok: false, reasons: result.reasons };
    // Patch with the management cluster's own spelling of the release (what its controllers resolve).
    const patchVersion = (offered ?? []).find((o) => sameRelease(o, u.toVersion)) ?? u.toVersion;
    return { ok: true, patchVersion };
  }
}
