import { Injectable } from '@nestjs/common';
import { ClusterEntity, ClusterRepository, ManagementCatalogRepository } from '@flotilla/persistence';
import { ClusterClient, KubeApiError, managedClusterUrl } from '@flotilla/cluster-access';
import { offeredVersionsOf } from '@flotilla/upgrade';

/**
 * On a Cluster API management cluster (vSphere Supervisor, any CAPI cluster), links each `Cluster`
 * object to the attached workload cluster it describes, so upgrades know where to act, and records
 * the releases it offers (TanzuKubernetesReleases) so the API can answer availableUpgrades without
 * calling a cluster.
 *
 * Clusters are synced in no particular order: a workload cluster attached after its management
 * cluster's last sync would wait a whole sync interval for its link. So every unlinked cluster's
 * sync also looks itself up among the Cluster objects management clusters last reported.
 */
@Injectable()
export class ManagementLinkService {
  constructor(
    private readonly clusters: ClusterRepository,
    private readonly catalogs: ManagementCatalogRepository,
  ) {}

  async refresh(cluster: ClusterEntity, client: ClusterClient): Promise<number> {
    if (!(await client.serves('Cluster'))) return this.linkFromKnownManagers(cluster);
    const objects = await client.list('Cluster');
    const links = objects
      .map((o) => ({ url: managedClusterUrl(o), namespace: o.metadata.namespace ?? 'default', name: o.metadata.name }))
      .filter((l): l is { url: string; namespace: string; name: string } => l.url !== null);
    const offered = await this.offeredReleases(client);
    await this.catalogs.save(cluster.organizationId, cluster.id, offered, links, await this.offeredClasses(client));
    return this.clusters.linkManagedClusters(cluster.organizationId, cluster.id, links);
  }

  /** Kubernetes versions of the releases this management cluster offers; [] when it serves none. */
  async offeredReleases(client: ClusterClient): Promise<string[]> {
    if (!(await client.serves('TanzuKubernetesRelease'))) return [];
    return offeredVersionsOf(await client.list('TanzuKubernetesRelease'));
  }

  /** VM classes (vm-operator) and storage classes the management cluster offers new clusters; [] where it serves none. */
  async offeredClasses(client: ClusterClient): Promise<{ vmClasses: string[]; storageClasses: string[] }> {
    const names = async (kind: 'VirtualMachineClass' | 'StorageClass') => {
      try {
        return (await client.serves(kind)) ? (await client.list(kind)).map((o) => o.metadata.name).sort() : [];
      } catch (err) {
        // An agent attached before these reads joined its role is refused them: it offers nothing to provision with, and its releases still count.
        if (err instanceof KubeApiError && err.statusCode === 403) return [];
        throw err;
      }
    };
    const [vmClasses, storageClasses] = await Promise.all([names('VirtualMachineClass'), names('StorageClass')]);
    return { vmClasses, storageClasses };
  }

  private async linkFromKnownManagers(cluster: ClusterEntity): Promise<number> {
    // Already linked: its management cluster's own sync keeps the link current (re-links it when
    // another manager describes it, unlinks it when none does), so there is nothing to look up.
    if (cluster.managementClusterId) return 0;
    const manager = await this.catalogs.findManagerOf(cluster.organizationId, cluster.id, cluster.apiServerUrl);
    if (!manager) return 0;
    return (await this.catalogs.linkCluster(cluster.organizationId, cluster.id, manager)) ? 1 : 0;
  }
}
