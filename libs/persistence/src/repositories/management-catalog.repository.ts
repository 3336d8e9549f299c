import { DataSource } from 'typeorm';

export interface ManagedClusterRef {
  /** The workload cluster's API server URL, without a trailing slash. */
  url: string;
  namespace: string;
  name: string;
}

export interface ManagementOffersRow {
  id: string;
  name: string;
  offeredVersions: string[];
  vmClasses: string[];
  storageClasses: string[];
}

/**
 * What each management cluster offers (release versions) and which Cluster API Cluster objects it
 * holds, as its last sync saw them. The API reads offered versions from here (it never calls a
 * cluster); a workload cluster's sync finds its management link here.
 */
export class ManagementCatalogRepository {
  constructor(private readonly db: DataSource) {}

  async save(organizationId: string, managementClusterId: string, offeredVersions: string[], managed: ManagedClusterRef[], classes: { vmClasses: string[]; storageClasses: string[] } = { vmClasses: [], storageClasses: [] }): Promise<void> {
    await this.db.query(
      `INSERT INTO management_catalogs (cluster_id, organization_id, offered_versions, managed_clusters, vm_classes, storage_classes, observed_at)
       SELECT $2, $1, $3::text[], $4::jsonb, $5::text[], $6::text[], now() FROM clusters WHERE organization_id = $1 AND id = $2
       ON CONFLICT (cluster_id) DO UPDATE SET offered_versions = EXCLUDED.offered_versions, managed_clusters = EXCLUDED.managed_clusters,
         vm_classes = EXCLUDED.vm_classes, storage_classes = EXCLUDED.storage_classes, observed_at = now()`,
      [organizationId, managementClusterId, offeredVersions, JSON.stringify(managed), classes.vmClasses, classes.storageClasses],
    );
  }

  /**
   * Attached management clusters (those whose sync found Cluster API) with what they offer, by name;
   * one when `managementClusterId` is given.
   */
  async offers(organizationId: string, managementClusterId?: string): Promise<ManagementOffersRow[]> {
    return this.db.query(
      `SELECT c.id, c.name, m.offered_versions AS "offeredVersions", m.vm_classes AS "vmClasses", m.storage_classes AS "storageClasses"
         FROM management_catalogs m
         JOIN clusters c ON c.id = m.cluster_id AND c.organization_id = m.organization_id AND c.status <> 'DETACHED'
        WHERE m.organization_id = $1 AND ($2::uuid IS NULL OR m.cluster_id = $2::uuid)
        ORDER BY c.name`,
      [organizationId, managementClusterId ?? null],
    );
  }

  /** Offered versions per attached management cluster id (absent when never observed, or detached). */
  async offeredVersions(organizationId: string, managementClusterIds: readonly string[]): Promise<Map<string, string[]>> {
    const ids = [...new Set(managementClusterIds)];
    if (ids.length === 0) return new Map();
    const rows: Array<{ clusterId: string; offered: string[] }> = await this.db.query(
      `SELECT m.cluster_id AS "clusterId", m.offered_versions AS offered FROM management_catalogs m
         JOIN clusters c ON c.id = m.cluster_id AND c.organization_id = m.organization_id AND c.status <> 'DETACHED'
        WHERE m.organization_id = $1 AND m.cluster_id = ANY($2::uuid[])`,
      [organizationId, ids],
    );
    return new Map(rows.map((r) => [r.clusterId, r.offered]));
  }

  /** The management cluster (other than the cluster itself) whose last sync described a Cluster at this URL. */
  async findManagerOf(organizationId: string, clusterId: string, apiServerUrl: string): Promise<{ managementClusterId: string; namespace: string; name: string } | null> {
    const url = apiServerUrl.replace(/\/+$/, '');
    const rows: Array<{ managementClusterId: string; namespace: string; name: string }> = await this.db.query(
      `SELECT m.cluster_id AS "managementClusterId", e->>'namespace' AS namespace, e->>'name' AS name
         FROM management_catalogs m
         JOIN clusters c ON c.id = m.cluster_id AND c.status <> 'DETACHED'
         CROSS JOIN LATERAL jsonb_array_elements(m.managed_clusters) e
        WHERE m.organization_id = $1 AND m.cluster_id <> $2 AND m.managed_clusters @> jsonb_build_array(jsonb_build_object('url', $3::text))
          AND e->>'url' = $3
        ORDER BY m.observed_at DESC LIMIT 1`,
      [organizationId, clusterId, url],
    );
    return rows[0] ?? null;
  }

  /** Links one workload cluster to the Cluster object that describes it (no-op when already linked so). */
  async linkCluster(organizationId: string, clusterId: string, link: { managementClusterId: string; namespace: string; name: string }): Promise<boolean> {
    const res: [unknown[], number] = await this.db.query(
      `UPDATE clusters SET management_cluster_id = $3, management_namespace = $4, management_name = $5, updated_at = now()
        WHERE organization_id = $1 AND id = $2 AND status <> 'DETACHED'
          AND (management_cluster_id IS DISTINCT FROM $3 OR management_namespace IS DISTINCT FROM $4 OR management_name IS DISTINCT FROM $5)`,
      [organizationId, clusterId, link.managementClusterId, link.namespace, link.name],
    );
    return res[1] > 0;
  }
}
