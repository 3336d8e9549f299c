import { ClusterClient, KubeObject } from '@flotilla/cluster-access';
import { UpgradeEntity } from '@flotilla/persistence';

/** What upgrades read of a Cluster API Cluster object. */
export type CapiCluster = KubeObject & {
  spec?: { topology?: { version?: string } };
  status?: { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }> };
};

/** "namespace/name" of the upgrade's Cluster object, as operators read it. */
export function capiClusterRef(u: UpgradeEntity): string {
  return `${u.managementNamespace}/${u.managementName}`;
}

/** The upgrade's Cluster object on its management cluster; null when it no longer exists. */
export function readCapiCluster(management: ClusterClient, u: UpgradeEntity): Promise<CapiCluster | null> {
  return management.get<CapiCluster>('Cluster', u.managementName ?? '', u.managementNamespace ?? 'default');
}

/** Sets the Cluster's spec.topology.version: what starts a Cluster API rollout. */
export async function patchTopologyVersion(management: ClusterClient, u: UpgradeEntity, version: string): Promise<void> {
  await management.mergePatch('Cluster', u.managementName ?? '', { spec: { topology: { version } } }, u.managementNamespace ?? 'default');
}
