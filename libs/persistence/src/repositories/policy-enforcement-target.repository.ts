import { DataSource, EntityManager } from 'typeorm';

/**
 * The clusters on which an ENFORCE policy may have created objects: written before the first
 * object is applied, forgotten once a cleanup removed them. Cleanup (policy deleted or switched to
 * AUDIT) visits exactly these clusters, not the whole fleet.
 */
export class PolicyEnforcementTargetRepository {
  constructor(private readonly db: DataSource) {}

  async record(organizationId: string, policyId: string, clusterId: string): Promise<void> {
    await this.db.query(
      `INSERT INTO policy_enforcement_targets (organization_id, policy_id, cluster_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [organizationId, policyId, clusterId],
    );
  }

  async clustersOf(tx: EntityManager, organizationId: string, policyId: string): Promise<string[]> {
    const rows: Array<{ clusterId: string }> = await tx.query(
      `SELECT cluster_id AS "clusterId" FROM policy_enforcement_targets WHERE organization_id = $1 AND policy_id = $2 ORDER BY cluster_id`,
      [organizationId, policyId],
    );
    return rows.map((r) => r.clusterId);
  }

  /**
   * Done on this cluster — unless the policy was switched back to ENFORCE meanwhile and may have
   * applied again (the row is then kept for the next cleanup).
   */
  async forget(tx: EntityManager, organizationId: string, policyId: string, clusterId: string): Promise<void> {
    await tx.query(
      `DELETE FROM policy_enforcement_targets t
        WHERE t.organization_id = $1 AND t.policy_id = $2 AND t.cluster_id = $3
          AND NOT EXISTS (SELECT 1 FROM policies p WHERE p.id = t.policy_id AND p.deleted_at IS NULL AND p.mode = 'ENFORCE')`,
      [organizationId, policyId, clusterId],
    );
  }

  /**
   * Cleanups that should have finished: targets of policies deleted or switched to AUDIT more than
   * `olderThanSeconds` ago (their jobs ran out of retries, or the queue lost them).
   */
  async unfinishedCleanups(tx: EntityManager, olderThanSeconds: number, limit: number): Promise<Array<{ organizationId: string; policyId: string; clusterId: string }>> {
    return tx.query(
      `SELECT t.organization_id AS "organizationId", t.policy_id AS "policyId", t.cluster_id AS "clusterId"
         FROM policy_enforcement_targets t JOIN policies p ON p.id = t.policy_id
        WHERE (p.deleted_at IS NOT NULL OR p.mode = 'AUDIT') AND p.updated_at < now() - make_interval(secs => $1)
        ORDER BY p.updated_at LIMIT $2`,
      [olderThanSeconds, limit],
    );
  }
}
