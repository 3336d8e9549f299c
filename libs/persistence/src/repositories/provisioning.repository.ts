import { DataSource, EntityManager } from 'typeorm';
import { ClusterEntity } from '../entities/cluster.entity';

export type ProvisioningPhase = 'PENDING' | 'PROVISIONING' | 'RUNNING' | 'DELETING' | 'DELETED' | 'FAILED';

export interface ProvisioningRow {
  clusterId: string;
  organizationId: string;
  managementClusterId: string;
  namespace: string;
  name: string;
  /** The resolved spec (libs/provisioning ResolvedProvisionSpec); never a secret. */
  spec: Record<string, unknown>;
  phase: ProvisioningPhase;
  message: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  deadlineAt: Date;
  followSeq: number;
  /** deadline_at has passed, by PostgreSQL's clock (the one every replica shares). */
  expired: boolean;
  /** The objects were applied over a minute ago (a Cluster missing since then was deleted, not slow to appear). */
  appliedLongAgo: boolean;
}

const COLUMNS = `p.cluster_id AS "clusterId", p.organization_id AS "organizationId", p.management_cluster_id AS "managementClusterId",
  p.namespace, p.name, p.spec, p.phase, p.message, p.started_at AS "startedAt", p.finished_at AS "finishedAt",
  p.deadline_at AS "deadlineAt", p.follow_seq AS "followSeq", (p.deadline_at <= now()) AS expired,
  (p.applied_at IS NOT NULL AND p.applied_at < now() - interval '60 seconds') AS "appliedLongAgo"`;

/**
 * Clusters Flotilla provisions through Cluster API. Every phase change is guarded by the phase it
 * comes from, so a replayed job or two runners never move a provisioning twice.
 */
export class ProvisioningRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * The provisioned cluster's own row: PENDING, at a placeholder `.invalid` URL, never due for sync
   * (next_sync_at NULL) until its credential is stored. Null when a live cluster has the name.
   */
  async insertCluster(tx: EntityManager, organizationId: string, c: { name: string; placeholderUrl: string; groupId: string | null; labels: Record<string, string>; bindableRoles: string[]; managementClusterId: string; namespace: string }): Promise<ClusterEntity | null> {
    const rows: Array<{ id: string }> = await tx.query(
      `INSERT INTO clusters (organization_id, name, api_server_url, group_id, labels, bindable_roles, status, status_reason, next_sync_at,
                             management_cluster_id, management_namespace, management_name)
       VALUES ($1, $2, $3, $4, $5, $6::text[], 'PENDING', 'being provisioned through Cluster API', NULL, $7, $8, $2)
       ON CONFLICT (organization_id, name) WHERE status <> 'DETACHED' DO NOTHING
       RETURNING id`,
      [organizationId, c.name, c.placeholderUrl, c.groupId, c.labels, c.bindableRoles, c.managementClusterId, c.namespace],
    );
    return rows[0] ? { id: rows[0].id } as ClusterEntity : null;
  }

  async create(tx: EntityManager, organizationId: string, p: { clusterId: string; managementClusterId: string; namespace: string; name: string; spec: object; deadlineSeconds: number }): Promise<ProvisioningRow | null> {
    const rows: ProvisioningRow[] = await tx.query(
      `INSERT INTO cluster_provisionings AS p (cluster_id, organization_id, management_cluster_id, namespace, name, spec, phase, message, deadline_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, 'PROVISIONING', 'waiting for the provisioning job', now() + make_interval(secs => $7))
       ON CONFLICT (management_cluster_id, namespace, name) WHERE phase <> 'DELETED' DO NOTHING
       RETURNING ${COLUMNS}`,
      [p.clusterId, organizationId, p.managementClusterId, p.namespace, p.name, JSON.stringify(p.spec), p.deadlineSeconds],
    );
    return rows[0] ?? null;
  }

  async find(organizationId: string, clusterId: string, tx?: EntityManager): Promise<ProvisioningRow | null> {
    const rows: ProvisioningRow[] = await (tx ?? this.db).query(`SELECT ${COLUMNS} FROM cluster_provisionings p WHERE p.organization_id = $1 AND p.cluster_id = $2`, [organizationId, clusterId]);
    return rows[0] ?? null;
  }

  async findMany(organizationId: string, clusterIds: readonly string[]): Promise<ProvisioningRow[]> {
    if (clusterIds.length === 0) return [];
    return this.db.query(`SELECT ${COLUMNS} FROM cluster_provisionings p WHERE p.organization_id = $1 AND p.cluster_id = ANY($2::uuid[])`, [organizationId, [...clusterIds]]);
  }

  /** Progress while the phase is still `phase`; null when it moved on (another runner, a deprovision). */
  async recordProgress(organizationId: string, clusterId: string, phase: ProvisioningPhase, message: string): Promise<ProvisioningRow | null> {
    const rows: [ProvisioningRow[], number] = await this.db.query(
      `UPDATE cluster_provisionings p SET message = $4, updated_at = now() WHERE p.organization_id = $1 AND p.cluster_id = $2 AND p.phase = $3 RETURNING ${COLUMNS}`,
      [organizationId, clusterId, phase, message],
    );
    return rows[0][0] ?? null;
  }

  /** Ends a phase (RUNNING, DELETED, FAILED) if it is still one of `from`. */
  async finish(tx: EntityManager, organizationId: string, clusterId: string, from: ProvisioningPhase[], to: ProvisioningPhase, message: string): Promise<ProvisioningRow | null> {
    const rows: [ProvisioningRow[], number] = await tx.query(
      `UPDATE cluster_provisionings p SET phase = $4, message = $5, finished_at = now(), updated_at = now()
        WHERE p.organization_id = $1 AND p.cluster_id = $2 AND p.phase = ANY($3::text[]) RETURNING ${COLUMNS}`,
      [organizationId, clusterId, from, to, message],
    );
    return rows[0][0] ?? null;
  }

  /** DELETING from any phase but DELETING/DELETED, with a fresh deadline; null otherwise. */
  async startDeletion(tx: EntityManager, organizationId: string, clusterId: string, deadlineSeconds: number): Promise<ProvisioningRow | null> {
    const rows: [ProvisioningRow[], number] = await tx.query(
      `UPDATE cluster_provisionings p SET phase = 'DELETING', message = 'waiting for the deprovisioning job', finished_at = NULL,
              deadline_at = now() + make_interval(secs => $3), follow_seq = p.follow_seq + 1, updated_at = now()
        WHERE p.organization_id = $1 AND p.cluster_id = $2 AND p.phase NOT IN ('DELETING', 'DELETED') RETURNING ${COLUMNS}`,
      [organizationId, clusterId, deadlineSeconds],
    );
    return rows[0][0] ?? null;
  }

  /** True for the one runner that may apply the objects (applied_at compare-and-set). */
  async claimApply(organizationId: string, clusterId: string): Promise<boolean> {
    const rows: [unknown[], number] = await this.db.query(
      `UPDATE cluster_provisionings SET applied_at = now(), updated_at = now() WHERE organization_id = $1 AND cluster_id = $2 AND phase = 'PROVISIONING' AND applied_at IS NULL`,
      [organizationId, clusterId],
    );
    return rows[1] === 1;
  }

  /** After an apply that failed for a passing reason: the next attempt may claim it. */
  async releaseApply(organizationId: string, clusterId: string): Promise<void> {
    await this.db.query(`UPDATE cluster_provisionings SET applied_at = NULL, updated_at = now() WHERE organization_id = $1 AND cluster_id = $2 AND phase = 'PROVISIONING'`, [organizationId, clusterId]);
  }

  /** The next follow-up's sequence number if `seq` is still current (exactly one runner wins); else null. */
  async claimFollowUp(tx: EntityManager, organizationId: string, clusterId: string, phase: ProvisioningPhase, seq: number): Promise<number | null> {
    const rows: [Array<{ followSeq: number }>, number] = await tx.query(
      `UPDATE cluster_provisionings p SET follow_seq = p.follow_seq + 1, updated_at = now()
        WHERE p.organization_id = $1 AND p.cluster_id = $2 AND p.phase = $3 AND p.follow_seq = $4 RETURNING p.follow_seq AS "followSeq"`,
      [organizationId, clusterId, phase, seq],
    );
    return rows[0][0]?.followSeq ?? null;
  }

  /** The new cluster's real API server URL, due for its first sync now (its credential is stored in the same transaction). */
  async markReachable(tx: EntityManager, organizationId: string, clusterId: string, apiServerUrl: string): Promise<void> {
    await tx.query(
      `UPDATE clusters SET api_server_url = $3, status_reason = 'provisioned; waiting for the first sync', next_sync_at = now(), updated_at = now()
        WHERE organization_id = $1 AND id = $2 AND status <> 'DETACHED'`,
      [organizationId, clusterId, apiServerUrl],
    );
  }

  /** A failed provisioning: the cluster stays registered (deprovision removes what Cluster API made), never synced. */
  async markClusterFailed(tx: EntityManager, organizationId: string, clusterId: string, reason: string): Promise<void> {
    await tx.query(
      `UPDATE clusters SET status = 'UNREACHABLE', status_reason = $3, next_sync_at = NULL, updated_at = now()
        WHERE organization_id = $1 AND id = $2 AND status <> 'DETACHED'`,
      [organizationId, clusterId, `provisioning failed: ${reason}`.slice(0, 2000)],
    );
  }

  async markClusterDeleted(tx: EntityManager, organizationId: string, clusterId: string): Promise<void> {
    await tx.query(
      `UPDATE clusters SET status = 'DETACHED', status_reason = 'deprovisioned through Cluster API', detached_at = now(), next_sync_at = NULL, updated_at = now()
        WHERE organization_id = $1 AND id = $2 AND status <> 'DETACHED'`,
      [organizationId, clusterId],
    );
  }

  /** While deprovisioning, the cluster is not synced (its API server is going away). */
  async pauseSync(tx: EntityManager, organizationId: string, clusterId: string): Promise<void> {
    await tx.query(`UPDATE clusters SET next_sync_at = NULL, status_reason = 'being deprovisioned through Cluster API', updated_at = now() WHERE organization_id = $1 AND id = $2 AND status <> 'DETACHED'`, [organizationId, clusterId]);
  }
}
