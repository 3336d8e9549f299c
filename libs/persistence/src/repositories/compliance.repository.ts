import { DataSource, EntityManager } from 'typeorm';

export interface ClusterComplianceRow {
  clusterId: string;
  status: 'COMPLIANT' | 'NON_COMPLIANT' | 'ERROR' | 'UNKNOWN';
  violationCount: number;
  reason: string | null;
  checkedAt: Date;
  lastScanId: string;
}

export interface CurrentPolicyResultRow {
  clusterId: string;
  policyId: string;
  scanId: string;
  status: 'COMPLIANT' | 'NON_COMPLIANT' | 'ERROR';
  checkedAt: Date;
  violations: Array<{ kind: string; namespace?: string; name: string; message: string }>;
  exempted: Array<{ kind: string; namespace?: string; name: string; message: string; exceptionId: string }>;
  enforcement: unknown;
  error: string | null;
}

export interface FleetCompliance {
  compliantClusters: number;
  nonCompliantClusters: number;
  erroredClusters: number;
  unknownClusters: number;
  violationCount: number;
  lastScanAt: Date | null;
}

/** The current compliance roll-ups the dashboard reads: one row per cluster, one per cluster and policy. */
export class ComplianceRepository {
  constructor(private readonly db: DataSource) {}

  async forClusters(organizationId: string, clusterIds: readonly string[]): Promise<ClusterComplianceRow[]> {
    if (clusterIds.length === 0) return [];
    return this.db.query(
      `SELECT cluster_id AS "clusterId", status, violation_count AS "violationCount", reason, checked_at AS "checkedAt", last_scan_id AS "lastScanId"
         FROM cluster_compliance WHERE organization_id = $1 AND cluster_id = ANY($2::uuid[])`,
      [organizationId, clusterIds],
    );
  }

  /** The latest result of every effective policy of each cluster, with its violations. */
  async currentResults(organizationId: string, clusterIds: readonly string[]): Promise<CurrentPolicyResultRow[]> {
    if (clusterIds.length === 0) return [];
    return this.db.query(
      `SELECT c.cluster_id AS "clusterId", c.policy_id AS "policyId", c.scan_id AS "scanId", c.status, c.checked_at AS "checkedAt",
              coalesce(pr.violations, src.violations) AS violations, pr.exempted, pr.enforcement, pr.error
         FROM cluster_policy_results_current c
         JOIN policy_results pr ON pr.scan_id = c.scan_id AND pr.cluster_id = c.cluster_id AND pr.policy_id = c.policy_id
         -- A carried-over result's violations are those of the evaluated result it points at.
         LEFT JOIN policy_results src ON src.scan_id = pr.violations_from AND src.cluster_id = pr.cluster_id AND src.policy_id = pr.policy_id
         -- A policy deleted while a scan was running may have been written back by that scan.
         JOIN policies p ON p.id = c.policy_id AND p.deleted_at IS NULL
        WHERE c.organization_id = $1 AND c.cluster_id = ANY($2::uuid[])
        ORDER BY c.cluster_id, c.policy_id`,
      [organizationId, clusterIds],
    );
  }

  /**
   * One pass over the organization's attached clusters and their current-compliance rows (never
   * over history). Clusters without a row have not been scanned yet: unknown. An errored cluster
   * is counted as errored and also as unknown (its compliance is not known).
   */
  /** `clusterIds`: only these clusters (a workspace-restricted caller). */
  async fleetSummary(organizationId: string, clusterIds?: readonly string[] | null): Promise<FleetCompliance> {
    const rows: Array<Record<string, number | Date | null>> = await this.db.query(
      `SELECT count(*) FILTER (WHERE cc.status = 'COMPLIANT')::int AS compliant,
              count(*) FILTER (WHERE cc.status = 'NON_COMPLIANT')::int AS non_compliant,
              count(*) FILTER (WHERE cc.status = 'ERROR')::int AS errored,
              count(*) FILTER (WHERE cc.status IS NULL OR cc.status IN ('ERROR', 'UNKNOWN'))::int AS unknown,
              coalesce(sum(cc.violation_count), 0)::int AS violations,
              max(cc.checked_at) AS last
         FROM clusters c LEFT JOIN cluster_compliance cc ON cc.cluster_id = c.id
        WHERE c.organization_id = $1 AND c.status <> 'DETACHED' AND ($2::uuid[] IS NULL OR c.id = ANY($2::uuid[]))`,
      [organizationId, clusterIds ?? null],
    );
    const r = rows[0];
    return {
      compliantClusters: r.compliant as number,
      nonCompliantClusters: r.non_compliant as number,
      erroredClusters: r.errored as number,
      unknownClusters: r.unknown as number,
      violationCount: r.violations as number,
      lastScanAt: (r.last as Date | null) ?? null,
    };
  }

  /**
   * A deleted policy leaves the current state: its current rows go, and the clusters that had one
   * get their roll-up recomputed from their remaining current results (history keeps its rows).
   */
  async forgetPolicy(tx: EntityManager, organizationId: string, policyId: string): Promise<void> {
    // TypeORM answers a DELETE … RETURNING on PostgreSQL with [rows, affected], not rows.
    const [removed]: [Array<{ cluster_id: string }>, number] = await tx.query(
      `DELETE FROM cluster_policy_results_current WHERE organization_id = $1 AND policy_id = $2 RETURNING cluster_id`,
      [organizationId, policyId],
    );
    if (removed.length === 0) return;
    await tx.query(
      `UPDATE cluster_compliance cc SET violation_count = agg.v, status = agg.s
         FROM (SELECT a.id AS cluster_id, coalesce(sum(c.violation_count), 0)::int AS v,
                      CASE WHEN bool_or(c.status = 'ERROR') THEN 'ERROR'
                           WHEN bool_or(c.status = 'NON_COMPLIANT') THEN 'NON_COMPLIANT'
                           ELSE 'COMPLIANT' END AS s
                 FROM unnest($2::uuid[]) AS a(id)
                 LEFT JOIN cluster_policy_results_current c ON c.cluster_id = a.id
                GROUP BY a.id) agg
        WHERE cc.organization_id = $1 AND cc.cluster_id = agg.cluster_id AND cc.status <> 'ERROR'`,
      [organizationId, removed.map((r) => r.cluster_id)],
    );
  }
}
