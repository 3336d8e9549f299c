import { DataSource, EntityManager } from 'typeorm';

export interface StrandedJob {
  kind: 'scan-cluster' | 'inspection' | 'upgrade' | 'provisioning' | 'webhook-delivery';
  organizationId: string;
  scanId?: string;
  clusterId?: string;
  inspectionId?: string;
  upgradeId?: string;
  deliveryId?: string;
  /** The upgrade's current follow-up (0: its first job): the one job id that may be live now. */
  followSeq?: number;
  /** A provisioning's live job: the action of its phase (with followSeq). */
  provisioningAction?: 'provision' | 'deprovision';
}

/**
 * Work PostgreSQL says is unfinished although its job was handed to BullMQ a while ago: what a
 * Redis that lost its data (a restart without persistence, a failover) leaves behind. Cross-
 * organization on purpose: the worker's reconciler re-queues it all.
 */
export class StrandedWorkRepository {
  constructor(private readonly db: DataSource) {}

  async find(tx: EntityManager, olderThanSeconds: number, limit: number): Promise<StrandedJob[]> {
    const scans: Array<{ organization_id: string; scan_id: string; cluster_id: string }> = await tx.query(
      `SELECT sc.organization_id, sc.scan_id, sc.cluster_id
         FROM scan_clusters sc JOIN scans s ON s.id = sc.scan_id
        WHERE sc.status = 'PENDING' AND s.status IN ('QUEUED', 'RUNNING') AND s.created_at < now() - make_interval(secs => $1)
        LIMIT $2`,
      [olderThanSeconds, limit],
    );
    const inspections: Array<{ organization_id: string; id: string }> = await tx.query(
      `SELECT organization_id, id FROM inspections
        WHERE status IN ('QUEUED', 'RUNNING') AND created_at < now() - make_interval(secs => $1)
        LIMIT $2`,
      [olderThanSeconds, limit],
    );
    // An upgrade's live job is the one its follow_seq names; re-adding it while BullMQ still holds
    // it is a no-op, and only after a loss does it create the job again.
    const upgrades: Array<{ organization_id: string; id: string; follow_seq: number }> = await tx.query(
      `SELECT organization_id, id, follow_seq FROM upgrades
        WHERE status IN ('QUEUED', 'RUNNING') AND created_at < now() - make_interval(secs => $1)
        LIMIT $2`,
      [olderThanSeconds, limit],
    );
    // A provisioning (or deprovisioning) being followed: its live job is the one follow_seq names for its phase.
    const provisionings: Array<{ organization_id: string; cluster_id: string; follow_seq: number; phase: string }> = await tx.query(
      `SELECT organization_id, cluster_id, follow_seq, phase FROM cluster_provisionings
        WHERE phase IN ('PROVISIONING', 'DELETING') AND updated_at < now() - make_interval(secs => $1)
        LIMIT $2`,
      [olderThanSeconds, limit],
    );
    // A delivery waiting for its next attempt is a delayed job BullMQ still holds (re-adding is a no-op).
    const deliveries: Array<{ organization_id: string; id: string }> = await tx.query(
      `SELECT organization_id, id FROM webhook_deliveries
        WHERE status = 'PENDING' AND created_at < now() - make_interval(secs => $1)
        LIMIT $2`,
      [olderThanSeconds, limit],
    );
    return [
      ...provisionings.map((r) => ({ kind: 'provisioning' as const, organizationId: r.organization_id, clusterId: r.cluster_id, followSeq: r.follow_seq, provisioningAction: r.phase === 'PROVISIONING' ? ('provision' as const) : ('deprovision' as const) })),
      ...deliveries.map((r) => ({ kind: 'webhook-delivery' as const, organizationId: r.organization_id, deliveryId: r.id })),
      ...upgrades.map((r) => ({ kind: 'upgrade' as const, organizationId: r.organization_id, upgradeId: r.id, followSeq: r.follow_seq })),
      ...scans.map((r) => ({ kind: 'scan-cluster' as const, organizationId: r.organization_id, scanId: r.scan_id, clusterId: r.cluster_id })),
      ...inspections.map((r) => ({ kind: 'inspection' as const, organizationId: r.organization_id, inspectionId: r.id })),
    ];
  }
}
