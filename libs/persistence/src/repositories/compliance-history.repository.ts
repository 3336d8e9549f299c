import { DataSource } from 'typeorm';

export type TrendBucketName = 'HOUR' | 'DAY' | 'WEEK';

export interface ComplianceChangeRow {
  at: Date;
  policyId: string;
  policyName: string;
  clusterName: string;
  status: 'COMPLIANT' | 'NON_COMPLIANT' | 'ERROR';
  violationCount: number;
  scanId: string | null;
}

export interface ComplianceTrendRow {
  at: Date;
  compliantClusters: number;
  nonCompliantClusters: number;
  erroredClusters: number;
  violationCount: number;
}

const UNIT: Record<TrendBucketName, string> = { HOUR: 'hour', DAY: 'day', WEEK: 'week' };

/** The delta a cluster transition makes to the fleet's counts (+1 to its status, −1 to the one it replaced). */
const DELTAS = `
  sum((t.status = 'COMPLIANT')::int - (t.previous_status IS NOT DISTINCT FROM 'COMPLIANT')::int) AS c,
  sum((t.status = 'NON_COMPLIANT')::int - (t.previous_status IS NOT DISTINCT FROM 'NON_COMPLIANT')::int) AS n,
  sum((t.status = 'ERROR')::int - (t.previous_status IS NOT DISTINCT FROM 'ERROR')::int) AS e,
  sum(t.violation_count - t.previous_violation_count) AS v`;

/**
 * Compliance history (per cluster and policy: the changes) and trends (per bucket: the fleet's
 * state at the bucket's end). Written by ScanRepository.recordClusterOutcome in the statement that
 * records an outcome; read here; pruned by retention.
 */
export class ComplianceHistoryRepository {
  constructor(private readonly db: DataSource) {}

  /** The cluster's policy changes in [from, to), oldest first (names as they were). */
  async clusterHistory(organizationId: string, clusterId: string, from: Date, to: Date, limit = 5000): Promise<ComplianceChangeRow[]> {
    return this.db.query(
      `SELECT t.at, t.policy_id AS "policyId", t.policy_name AS "policyName", t.cluster_name AS "clusterName", t.status,
              t.violation_count AS "violationCount", t.scan_id AS "scanId"
         FROM policy_compliance_transitions t
        WHERE t.organization_id = $1 AND t.cluster_id = $2 AND t.at >= $3 AND t.at < $4
        ORDER BY t.at, t.policy_name, t.policy_id LIMIT $5`,
      [organizationId, clusterId, from, to, limit],
    );
  }

  /**
   * One point per bucket (UTC; weeks start on Monday) from the bucket holding `from` to the one
   * holding `to`: each cluster counted in the state of its latest change before the bucket's end,
   * carried forward from earlier buckets; a cluster never scanned by then, or detached or deleted
   * by then, is not counted. DAY and WEEK read the per-day sums; HOUR reads the transitions.
   */
  async fleetTrend(organizationId: string, from: Date, to: Date, bucket: TrendBucketName): Promise<ComplianceTrendRow[]> {
    const unit = UNIT[bucket];
    const rows: Array<{ at: Date; c: string; n: string; e: string; v: string }> =
      bucket === 'HOUR'
        ? await this.hourly(organizationId, from, to)
        : await this.db.query(
            `WITH p AS (SELECT date_trunc($4, $2::timestamptz AT TIME ZONE 'UTC') AS f, date_trunc($4, $3::timestamptz AT TIME ZONE 'UTC') AS l,
                               ('1 ' || $4)::interval AS step),
             base AS (
               SELECT coalesce(sum(compliant), 0) AS c, coalesce(sum(non_compliant), 0) AS n, coalesce(sum(errored), 0) AS e, coalesce(sum(violations), 0) AS v
                 FROM compliance_trend_daily, p WHERE organization_id = $1 AND day < p.f::date),
             inrange AS (
               SELECT date_trunc($4, day::timestamp) AS b, sum(compliant) AS c, sum(non_compliant) AS n, sum(errored) AS e, sum(violations) AS v
                 FROM compliance_trend_daily, p WHERE organization_id = $1 AND day >= p.f::date AND day < (p.l + p.step)::date
                GROUP BY 1),
             series AS (SELECT g AS b FROM p, generate_series(p.f, p.l, p.step) g)
             SELECT s.b AT TIME ZONE 'UTC' AS at,
                    base.c + sum(coalesce(i.c, 0)) OVER w AS c, base.n + sum(coalesce(i.n, 0)) OVER w AS n,
                    base.e + sum(coalesce(i.e, 0)) OVER w AS e, base.v + sum(coalesce(i.v, 0)) OVER w AS v
               FROM series s CROSS JOIN base LEFT JOIN inrange i ON i.b = s.b
             WINDOW w AS (ORDER BY s.b) ORDER BY s.b`,
            [organizationId, from, to, unit],
          );
    return rows.map((r) => ({
      at: r.at,
      compliantClusters: Number(r.c),
      nonCompliantClusters: Number(r.n),
      erroredClusters: Number(r.e),
      violationCount: Number(r.v),
    }));
  }

  /**
   * HOUR buckets from the transitions of the range. The bounds are computed here and passed as
   * values, so both transition reads are index range scans on (organization_id, at): the state at
   * the first bucket's start is the per-day sums before its day plus that day's changes before it.
   */
  private hourly(organizationId: string, from: Date, to: Date): Promise<Array<{ at: Date; c: string; n: string; e: string; v: string }>> {
    const first = new Date(Math.floor(from.getTime() / 3_600_000) * 3_600_000);
    const last = new Date(Math.floor(to.getTime() / 3_600_000) * 3_600_000);
    const end = new Date(last.getTime() + 3_600_000);
    const dayStart = new Date(Math.floor(first.getTime() / 86_400_000) * 86_400_000);
    return this.db.query(
      `WITH base AS (
         SELECT coalesce(sum(d.c), 0) AS c, coalesce(sum(d.n), 0) AS n, coalesce(sum(d.e), 0) AS e, coalesce(sum(d.v), 0) AS v FROM (
           SELECT sum(compliant) AS c, sum(non_compliant) AS n, sum(errored) AS e, sum(violations) AS v
             FROM compliance_trend_daily WHERE organization_id = $1 AND day < $2::date
           UNION ALL
           SELECT ${DELTAS} FROM cluster_compliance_transitions t WHERE t.organization_id = $1 AND t.at >= $3 AND t.at < $4) d),
       inrange AS (
         SELECT date_trunc('hour', t.at AT TIME ZONE 'UTC') AS b, ${DELTAS} FROM cluster_compliance_transitions t
          WHERE t.organization_id = $1 AND t.at >= $4 AND t.at < $5
          GROUP BY 1),
       series AS (SELECT g AS b FROM generate_series($4::timestamptz AT TIME ZONE 'UTC', $6::timestamptz AT TIME ZONE 'UTC', interval '1 hour') g)
       SELECT s.b AT TIME ZONE 'UTC' AS at,
              base.c + sum(coalesce(i.c, 0)) OVER w AS c, base.n + sum(coalesce(i.n, 0)) OVER w AS n,
              base.e + sum(coalesce(i.e, 0)) OVER w AS e, base.v + sum(coalesce(i.v, 0)) OVER w AS v
         FROM series s CROSS JOIN base LEFT JOIN inrange i ON i.b = s.b
       WINDOW w AS (ORDER BY s.b) ORDER BY s.b`,
      [organizationId, dayStart.toISOString().slice(0, 10), dayStart, first, end, last],
    );
  }

  /**
   * Retention: drops changes older than `days` in bounded batches. A cluster's latest change stays
   * however old (the next change needs the state it replaces); the per-day sums of pruned days are
   * folded into the first kept day so every later running sum stays exact.
   */
  async pruneOlderThan(days: number, batch = 10000): Promise<{ policyChanges: number; clusterChanges: number; days: number }> {
    let policyChanges = 0;
    for (;;) {
      const r: [unknown[], number] = await this.db.query(
        `DELETE FROM policy_compliance_transitions WHERE ctid IN (
           SELECT ctid FROM policy_compliance_transitions WHERE at < now() - make_interval(days => $1) LIMIT $2)`,
        [days, batch],
      );
      policyChanges += r[1];
      if (r[1] < batch) break;
    }
    let clusterChanges = 0;
    for (;;) {
      const r: [unknown[], number] = await this.db.query(
        `DELETE FROM cluster_compliance_transitions WHERE ctid IN (
           SELECT t.ctid FROM cluster_compliance_transitions t
            WHERE t.at < now() - make_interval(days => $1)
              AND EXISTS (SELECT 1 FROM cluster_compliance_transitions n WHERE n.cluster_id = t.cluster_id AND n.at > t.at)
            LIMIT $2)`,
        [days, batch],
      );
      clusterChanges += r[1];
      if (r[1] < batch) break;
    }
    const folded: Array<{ n: number }> = await this.db.query(
      `WITH cutoff AS (SELECT ((now() - make_interval(days => $1)) AT TIME ZONE 'UTC')::date AS day),
       old AS (
         DELETE FROM compliance_trend_daily d USING cutoff WHERE d.day < cutoff.day
         RETURNING d.organization_id, d.compliant, d.non_compliant, d.errored, d.violations),
       sums AS (
         SELECT organization_id, sum(compliant)::int AS c, sum(non_compliant)::int AS n, sum(errored)::int AS e, sum(violations) AS v, count(*)::int AS k
           FROM old GROUP BY organization_id),
       kept AS (
         INSERT INTO compliance_trend_daily AS d (organization_id, day, compliant, non_compliant, errored, violations)
         SELECT s.organization_id, cutoff.day, s.c, s.n, s.e, s.v FROM sums s, cutoff
         ON CONFLICT (organization_id, day) DO UPDATE SET compliant = d.compliant + EXCLUDED.compliant,
           non_compliant = d.non_compliant + EXCLUDED.non_compliant, errored = d.errored + EXCLUDED.errored, violations = d.violations + EXCLUDED.violations
         RETURNING 1)
       SELECT coalesce((SELECT sum(k) FROM sums), 0)::int AS n, (SELECT count(*) FROM kept) AS kept`,
      [days],
    );
    return { policyChanges, clusterChanges, days: folded[0].n };
  }
}
