import { Injectable } from '@nestjs/common';
import { ClusterEntity, ClusterRepository } from '../../../../libs/persistence/src';
import { ClusterClient, managedClusterUrl } from '../../../../libs/cluster-access/src';

const CAPI_CLUSTERS = '/apis/cluster.x-k8s.io/v1beta1/clusters';

/**
 * On a Cluster API management cluster (vSphere Supervisor, any CAPI cluster), links each `Cluster`
 * object to the attached workload cluster it describes, so upgrades know where to act.
 */
@Injectable()
export class ManagementLinkService {
  constructor(private readonly clusters: ClusterRepository) {}

  async refresh(cluster: ClusterEntity, client: ClusterClient): Promise<number> {
    const served = await client.getOptional<{ resources?: unknown[] }>('/apis/cluster.x-k8s.io/v1beta1');
    if (!served) return 0;
    const objects = await client.listAll(CAPI_CLUSTERS);
    const links = objects
      .map((o) => ({ url: managedClusterUrl(o), namespace: o.metadata.namespace ?? 'default', name: o.metadata.name }))
      .filter((l): l is { url: string; namespace: string; name: string } => l.url !== null);
    return this.clusters.linkManagedClusters(cluster.organizationId, cluster.id, links);
  }
}

