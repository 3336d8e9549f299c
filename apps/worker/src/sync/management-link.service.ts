import { Injectable } from '@nestjs/common';
import { ClusterEntity, ClusterRepository, ManagementCatalogRepository } from '../../../../libs/persistence/src';
import { ClusterClient, KubeObject, managedClusterUrl } from '../../../../libs/cluster-access/src';

const CAPI_GROUP_VERSION = '/apis/cluster.x-k8s.io/v1beta1';
const CAPI_CLUSTERS = `${CAPI_GROUP_VERSION}/clusters`;
const TKR_GROUP_VERSION = '/apis/run.tanzu.vmware.com/v1alpha3';
const TKRS = `${TKR_GROUP_VERSION}/tanzukubernetesreleases`;

/**
 * On a Cluster API management cluster (vSphere Supervisor, any CAPI cluster), links each `Cluster`
 * object to the attached workload cluster it describes, so upgrades know where to act, and records
 * the releases it offers (TanzuKubernetesReleases) so the API can answer availableUpgrades without
 * calling a cluster.
 *
 * Clusters are synced in no particular order: a workload cluster attached after its management
 * cluster's last sync would wait a whole sync interval for its link. So every cluster's sync also
 * looks itself up among the Cluster objects management clusters last reported.
 */
@Injectable()
export class ManagementLinkService {
  constructor(
    private readonly clusters: ClusterRepository,
    private readonly catalogs: ManagementCatalogRepository,
  ) {}

  async refresh(cluster: ClusterEntity, client: ClusterClient): Promise<number> {
    const served = await client.getOptional<{ resources?: unknown[] }>(CAPI_GROUP_VERSION);
    if (!served) return this.linkFromKnownManagers(cluster);
    const objects = await client.listAll(CAPI_CLUSTERS);
    const links = objects
      .map((o) => ({ url: managedClusterUrl(o), namespace: o.metadata.namespace ?? 'default', name: o.metadata.name }))
      .filter((l): l is { url: string; namespace: string; name: string } => l.url !== null);
    const offered = await this.offeredReleases(client);
    await this.catalogs.save(cluster.organizationId, cluster.id, offered, links);
    return this.clusters.linkManagedClusters(cluster.organizationId, cluster.id, links);
  }

  /** Kubernetes versions of the releases this management cluster offers; [] when it serves none. */
  async offeredReleases(client: ClusterClient): Promise<string[]> {
    const served = await client.getOptional<{ resources?: unknown[] }>(TKR_GROUP_VERSION);
    if (!served) return [];
    return offeredVersionsOf(await client.listAll(TKRS));
  }

  private async linkFromKnownManagers(cluster: ClusterEntity): Promise<number> {
    const manager = await this.catalogs.findManagerOf(cluster.organizationId, cluster.id, cluster.apiServerUrl);
    if (!manager) return 0;
    return (await this.catalogs.linkCluster(cluster.organizationId, cluster.id, manager)) ? 1 : 0;
  }
}

/**
 * A TKR's Kubernetes version as the workload cluster will report it ("v1.30.8+vmware.1"; the TKR's
 * own spec.version adds "-tkg.N"). Releases marked incompatible with the Supervisor are not offers.
 */
export function offeredVersionsOf(tkrs: KubeObject[]): string[] {
  const out: string[] = [];
  for (const t of tkrs) {
    const spec = (t.spec ?? {}) as { kubernetes?: { version?: string }; version?: string };
    const conditions = ((t.status as { conditions?: Array<{ type: string; status: string }> } | undefined)?.conditions ?? []);
    if (conditions.some((c) => c.type === 'Compatible' && c.status === 'False')) continue;
    const version = spec.kubernetes?.version ?? spec.version;
    if (typeof version === 'string' && version && !out.includes(version)) out.push(version);
  }
  return out;
}
