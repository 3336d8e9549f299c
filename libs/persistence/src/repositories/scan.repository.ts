import { DataSource, EntityManager } from 'typeorm';
import { isUuid } from '@flotilla/validation';
import { Page, decodeCursor, encodeCursor } from '../page-cursor';
import type { ConnectionMode } from '../entities/cluster.entity';
import { preparedQuery } from '../prepared-query';
import { ClusterCredentialRepository, StoredCredential } from './cluster-credential.repository';
import { JobRun, recordRunCte, runParameters } from './job-record.repository';
import type { StoredExceptionRule } from './policy-exception.repository';
import type { StoredSnapshotKind } from './cluster-snapshot.repository';
import { effectivePolicyCondition, workspaceNamespacesExpression, type PolicyModeName, type PolicyTypeName } from './policy.repository';

export type ScanStatus = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
export type ScanTriggerName = 'MANUAL' | 'SCHEDULED';
export type ClusterOutcomeStatus = 'COMPLIANT' | 'NON_COMPLIANT' | 'ERROR';

export interface ScanRow {
  id: string;
  organizationId: string;
  status: ScanStatus;
  trigger: ScanTriggerName;
  scopeGroupId: string | null;
  scopeClusterIds: string[] | null;
  scheduleTick: Date | null;
  createdBy: string;
  clusterCount: number;
  completedCount: number;
  failedCount: number;
  compliantCount: number;
  nonCompliantCount: number;
  erroredCount: number;
  violationCount: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface StartScan {
  trigger: ScanTriggerName;
  createdBy: string;
  groupId?: string | null;
  clusterIds?: string[] | null;
  scheduleTick?: Date | null;
}

export interface PolicyOutcome {
  policyId: string;
  status: ClusterOutcomeStatus;
  /** The violations that count. */
  violations: unknown[];
  /** Violations an approved, unexpired exception waived (each with its exceptionId): reported, not counted. */
  exempted?: unknown[];
  enforcement: unknown | null;
  error: string | null;
  /** What the verdict was evaluated on (an evaluation-input digest); absent or null: never carried over. */
  inputDigest?: string | null;
  /**
   * Set when the verdict is the cluster's current result carried over (same input digest) instead
   * of evaluated again: its stored row points at the row holding the violations, `violations` is empty.
   */
  carriedOver?: CarriedOverResult;
}

/** The cluster's current result of one policy, as the next scan may carry it over. */
export interface CarriedOverResult {
  scanId: string;
  status: ClusterOutcomeStatus;
  violationCount: number;
  inputDigest: string;
  /** When it was last actually evaluated (carrying over keeps this). */
  evaluatedAt: Date;
}

/** The violations a policy outcome counts, carried over or evaluated. */
export function violationCountOf(p: PolicyOutcome): number {
  return p.carriedOver ? p.carriedOver.violationCount : p.violations.length;
}

export interface ClusterOutcome {
  status: ClusterOutcomeStatus;
  violationCount: number;
  /** Why the cluster could not be scanned (ERROR). */
  error: string | null;
  checkedAt: Date;
  policies: PolicyOutcome[];
}

const COLUMNS = `s.id, s.organization_id AS "organizationId", s.status, s.trigger, s.scope_group_id AS "scopeGroupId",
  s.scope_cluster_ids AS "scopeClusterIds", s.schedule_tick AS "scheduleTick", s.created_by AS "createdBy",
  s.cluster_count AS "clusterCount", s.completed_count AS "completedCount", s.failed_count AS "failedCount",
  s.compliant_count AS "compliantCount", s.non_compliant_count AS "nonCompliantCount", s.errored_count AS "erroredCount",
  s.violation_count AS "violationCount", s.created_at AS "createdAt", s.started_at AS "startedAt", s.finished_at AS "finishedAt"`;

/**
 * A scan as read: an unfinished scan's counters are counted from its ledger (an outcome moves only
 * its own ledger row: a counter row that every outcome updated serialized the whole scan on that
 * row's lock, held until each worker got round to committing), a finished scan's as written once
 * when it finished.
 */
const READ_COLUMNS = COLUMNS.replace(/s\.(completed|failed|compliant|non_compliant|errored|violation)_count/g, (_, c: string) => `coalesce(live.${c}, s.${c}_count)`);
const LIVE_COUNTS = `LEFT JOIN LATERAL (${ledgerCounts('s.id')}) live ON s.status IN ('QUEUED', 'RUNNING')`;

/** A scan's counters from its ledger, and how many of its clusters are still PENDING. */
function ledgerCounts(scanId: string): string {
  return `SELECT count(*) FILTER (WHERE sc.status IN ('COMPLIANT', 'NON_COMPLIANT'))::int AS completed,
                 count(*) FILTER (WHERE sc.status = 'ERROR')::int AS failed,
                 count(*) FILTER (WHERE sc.status = 'COMPLIANT')::int AS compliant,
                 count(*) FILTER (WHERE sc.status = 'NON_COMPLIANT')::int AS non_compliant,
                 count(*) FILTER (WHERE sc.status = 'ERROR')::int AS errored,
                 coalesce(sum(sc.violation_count), 0)::int AS violation,
                 count(*) FILTER (WHERE sc.status = 'PENDING')::int AS pending
            FROM scan_clusters sc WHERE sc.scan_id = ${scanId}`;
}

/** A scan's counters as they were when it finished. */
export interface FinishedScanCounts {
  status: string;
  clusterCount: number;
  compliantCount: number;
  nonCompliantCount: number;
  erroredCount: number;
  violationCount: number;
  finishedAt: string;
}

export interface RecordedOutcome {
  /** False when the cluster was already recorded for this scan (a job run twice): nothing changed. */
  stored: boolean;
  /** The cluster's compliance before this outcome (null: never scanned, or nothing stored). */
  previousStatus: string | null;
  clusterName: string | null;
}

/** Compliance scans: the scan row, its per-cluster ledger, results and the current compliance they feed. */
export class ScanRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Creates the scan and its ledger (one PENDING row per target cluster) in the caller's
   * transaction and returns the target cluster ids, for the caller to write their jobs to the
   * outbox in the same transaction. Targets are the organization's attached clusters, narrowed to
   * a group or to listed ids. Returns null when a scan for the same schedule tick exists already.
   * A scan over no cluster is finished at once.
   */
  async start(tx: EntityManager, organizationId: string, s: StartScan): Promise<{ scan: ScanRow; clusterIds: string[] } | null> {
    const rows: Array<ScanRow & { targets: string[] | null }> = await tx.query(
      `WITH targets AS (
         SELECT c.id FROM clusters c
          WHERE c.organization_id = $1 AND c.status <> 'DETACHED'
            AND ($2::uuid IS NULL OR c.group_id = $2)
            AND ($3::uuid[] IS NULL OR c.id = ANY($3::uuid[]))),
       n AS (SELECT count(*)::int AS n, array_agg(id) AS ids FROM targets),
       ins AS (
         INSERT INTO scans AS s (organization_id, trigger, scope_group_id, scope_cluster_ids, schedule_tick, created_by, cluster_count, status, finished_at)
         SELECT $1, $4, $2, $3, $5, $6, n.n, CASE WHEN n.n = 0 THEN 'SUCCEEDED' ELSE 'QUEUED' END, CASE WHEN n.n = 0 THEN now() END FROM n
         ON CONFLICT (organization_id, schedule_tick) DO NOTHING
         RETURNING ${COLUMNS})
       SELECT ins.*, n.ids AS targets FROM ins, n`,
      [organizationId, s.groupId ?? null, s.clusterIds ?? null, s.trigger, s.scheduleTick ?? null, s.createdBy],
    );
    const row = rows[0];
    if (!row) return null;
    const clusterIds = row.targets ?? [];
    delete (row as { targets?: unknown }).targets;
    if (clusterIds.length) {
      await tx.query(
        `INSERT INTO scan_clusters (scan_id, cluster_id, organization_id) SELECT $1, unnest($2::uuid[]), $3`,
        [row.id, clusterIds, organizationId],
      );
    }
    return { scan: row, clusterIds };
  }

  async findById(organizationId: string, id: string): Promise<ScanRow | null> {
    if (!isUuid(id)) return null;
    const rows: ScanRow[] = await this.db.query(`SELECT ${READ_COLUMNS} FROM scans s ${LIVE_COUNTS} WHERE s.organization_id = $1 AND s.id = $2`, [organizationId, id]);
    return rows[0] ?? null;
  }

  /** Newest first, keyset-paginated on (created_at, id). */
  async list(organizationId: string, first: number, after?: string | null): Promise<Page<ScanRow> & { totalCount: number }> {
    const params: unknown[] = [organizationId, first + 1];
    let where = 's.organization_id = $1';
    if (after) {
      const [at, id] = decodeCursor(after, { sort: 'timestamp', id: 'uuid' });
      params.push(at, id);
      where += ` AND (s.created_at, s.id) < ($3::timestamptz, $4::uuid)`;
    }
    const [rows, count] = await Promise.all([
      this.db.query(`SELECT ${READ_COLUMNS} FROM scans s ${LIVE_COUNTS} WHERE ${where} ORDER BY s.created_at DESC, s.id DESC LIMIT $2`, params) as Promise<ScanRow[]>,
      this.db.query(`SELECT count(*)::int AS n FROM scans WHERE organization_id = $1`, [organizationId]) as Promise<Array<{ n: number }>>,
    ]);
    const items = rows.slice(0, first);
    const last = items[items.length - 1];
    return { items, totalCount: count[0].n, hasNextPage: rows.length > first, endCursor: last ? this.cursorFor(last) : null };
  }

  cursorFor(scan: ScanRow): string {
    return encodeCursor(new Date(scan.createdAt).toISOString(), scan.id);
  }

  /**
   * Everything a scan-cluster job reads, in one round trip: its ledger row and the scan's status,
   * the cluster, and the cluster's effective policies (the union of the organization's, its
   * group's and its own live policies). Null when the ledger has no such row.
   */
  async jobContext(
    organizationId: string,
    scanId: string,
    clusterId: string,
  ): Promise<{
    ledgerStatus: string;
    scanStatus: ScanStatus;
    cluster: {
      id: string;
      organizationId: string;
      apiServerUrl: string;
      status: string;
      groupId: string | null;
      bindableRoles: string[] | null;
      connectionMode: ConnectionMode;
      /** Its stored credential (none for an agent cluster), read here so that the scan does not read it again. */
      credential: StoredCredential | null;
    } | null;
    /** `workspaceNamespaces`: for a WORKSPACE-scoped policy, its workspace's namespaces on this cluster; null otherwise. */
    policies: Array<{
      id: string;
      name: string;
      type: PolicyTypeName;
      mode: PolicyModeName;
      spec: unknown;
      workspaceId: string | null;
      workspaceNamespaces: string[] | null;
      /** The cluster's current result of this policy when it recorded what it was evaluated on. */
      current: CarriedOverResult | null;
    }>;
    /** Approved exceptions of those policies that may apply to this cluster (expiry is judged at evaluation). */
    exceptions: StoredExceptionRule[];
    /** The kinds of the cluster's cached snapshot, by kind, with the digest of the list each came from. */
    snapshotKinds: Record<string, StoredSnapshotKind>;
  } | null> {
    const rows = await preparedQuery<Record<string, any>>(
      this.db,
      `SELECT sc.status AS "ledgerStatus", s.status AS "scanStatus",
              c.id AS "clusterId", c.api_server_url AS "apiServerUrl", c.status AS "clusterStatus", c.group_id AS "groupId",
              c.bindable_roles AS "bindableRoles", c.connection_mode AS "connectionMode", ${ClusterCredentialRepository.COLUMNS},
              (SELECT coalesce(json_agg(json_build_object('id', p.id, 'name', p.name, 'type', p.type, 'mode', p.mode, 'spec', p.spec,
                        'workspaceId', p.workspace_id,
                        'workspaceNamespaces', CASE WHEN p.scope_kind = 'WORKSPACE' THEN ${workspaceNamespacesExpression('c.id')} END,
                        'current', CASE WHEN r.input_digest IS NOT NULL THEN json_build_object('scanId', r.scan_id, 'status', r.status,
                                     'violationCount', r.violation_count, 'inputDigest', r.input_digest, 'evaluatedAt', r.evaluated_at) END) ORDER BY p.name), '[]'::json)
                 FROM policies p
                 LEFT JOIN cluster_policy_results_current r ON r.cluster_id = c.id AND r.policy_id = p.id
                WHERE c.id IS NOT NULL AND ${effectivePolicyCondition('sc.organization_id', 'c.group_id', 'c.id')}) AS policies,
              (SELECT coalesce(json_object_agg(sk.kind, json_build_object('digest', sk.digest, 'objectCount', sk.object_count)), '{}'::json)
                 FROM cluster_snapshot_kinds sk WHERE sk.cluster_id = c.id AND sk.digest IS NOT NULL) AS "snapshotKinds",
              (SELECT coalesce(json_agg(json_build_object('id', e.id, 'policyId', e.policy_id, 'clusterId', e.cluster_id, 'groupId', e.group_id,
                                                          'namespace', e.namespace, 'kind', e.kind, 'name', e.name, 'expiresAt', e.expires_at)), '[]'::json)
                 FROM policy_exceptions e
                WHERE c.id IS NOT NULL AND e.organization_id = sc.organization_id AND e.state = 'APPROVED'
                  AND (e.cluster_id IS NULL OR e.cluster_id = c.id) AND (e.group_id IS NULL OR e.group_id = c.group_id)) AS exceptions
         FROM scan_clusters sc
         JOIN scans s ON s.id = sc.scan_id
         LEFT JOIN clusters c ON c.id = sc.cluster_id AND c.organization_id = sc.organization_id
         LEFT JOIN cluster_credentials k ON k.cluster_id = c.id AND k.organization_id = c.organization_id
        WHERE sc.organization_id = $1 AND sc.scan_id = $2 AND sc.cluster_id = $3`,
      [organizationId, scanId, clusterId],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      ledgerStatus: r.ledgerStatus,
      scanStatus: r.scanStatus,
      cluster: r.clusterId
        ? {
            id: r.clusterId,
            organizationId,
            apiServerUrl: r.apiServerUrl,
            status: r.clusterStatus,
            groupId: r.groupId,
            bindableRoles: r.bindableRoles,
            connectionMode: r.connectionMode,
            credential: r.keyId === null ? null : ClusterCredentialRepository.stored(r as never),
          }
        : null,
      policies: (r.policies as Array<Record<string, any>>).map((p) => ({ ...p, current: p.current ? { ...p.current, evaluatedAt: new Date(p.current.evaluatedAt) } : null })) as never,
      exceptions: r.exceptions,
      snapshotKinds: r.snapshotKinds ?? {},
    };
  }

  /** QUEUED → RUNNING when its first cluster job starts (a no-op afterwards: it takes no lock then). */
  async markRunning(organizationId: string, scanId: string): Promise<void> {
    await preparedQuery(this.db, `UPDATE scans SET status = 'RUNNING', started_at = now() WHERE organization_id = $1 AND id = $2 AND status = 'QUEUED'`, [
      organizationId,
      scanId,
    ]);
  }

  /**
   * Stores one cluster's outcome exactly once, in one statement (atomic on its own, one round
   * trip, and no lock beyond this cluster's rows): the ledger row moves PENDING → done, and only if
   * it did are the results and the current compliance (unless something newer is recorded)
   * written. A second run of the same job finds the row done (or waits for the first run's commit,
   * then finds it done) and stores nothing. The scan's counters are its ledger's; finishIfDone
   * ends the scan once the last outcome has committed. Returns whether it stored.
   */
  async recordClusterOutcome(db: EntityManager | DataSource, organizationId: string, scanId: string, clusterId: string, o: ClusterOutcome, run?: JobRun | null): Promise<RecordedOutcome> {
    const rows = await preparedQuery<{ stored: number; previous_status: string | null; cluster_name: string | null }>(
      db,
      // The job's run (when given) is recorded in the same statement: one write fewer per cluster,
      // and the record cannot say SUCCEEDED for an outcome that did not commit.
      `WITH ${recordRunCte(18)},
       previous AS (SELECT status FROM cluster_compliance WHERE cluster_id = $3 AND organization_id = $1),
       ledger AS (
         UPDATE scan_clusters SET status = $4, violation_count = $5, error = $6, finished_at = $7
          WHERE organization_id = $1 AND scan_id = $2 AND cluster_id = $3 AND status = 'PENDING'
         RETURNING cluster_id),
       input AS (
         SELECT t.policy_id, t.status, t.violation_count, t.violations, t.enforcement, t.error, t.exempted, t.input_digest, t.evaluated_at,
                -- A carried-over verdict points at the row holding its violations (that of the result
                -- it carries over, or the row that one points at): they are not copied.
                CASE WHEN t.carried_from IS NOT NULL THEN
                  coalesce((SELECT pr.violations_from FROM policy_results pr
                             WHERE pr.scan_id = t.carried_from AND pr.cluster_id = $3 AND pr.policy_id = t.policy_id), t.carried_from)
                END AS violations_from
           FROM unnest($8::uuid[], $9::text[], $10::int[], $11::jsonb[], $12::jsonb[], $13::text[], $14::jsonb[], $15::text[], $16::timestamptz[], $17::uuid[])
             AS t(policy_id, status, violation_count, violations, enforcement, error, exempted, input_digest, evaluated_at, carried_from)),
       -- What the current state said before this statement (every CTE reads the statement's snapshot).
       previous_policies AS (
         SELECT policy_id, status, violation_count FROM cluster_policy_results_current WHERE cluster_id = $3),
       previous_cluster AS (
         SELECT status, violation_count FROM cluster_compliance_transitions WHERE cluster_id = $3 ORDER BY at DESC LIMIT 1),
       results AS (
         INSERT INTO policy_results (scan_id, cluster_id, organization_id, checked_at, policy_id, status, violation_count, violations, violations_from, enforcement, error, exempted)
         SELECT $2, $3, $1, $7, i.policy_id, i.status, i.violation_count, i.violations, i.violations_from, i.enforcement, i.error, i.exempted FROM input i, ledger
         ON CONFLICT DO NOTHING
         RETURNING 1),
       current_state AS (
         INSERT INTO cluster_compliance AS cc (cluster_id, organization_id, status, violation_count, reason, checked_at, last_scan_id)
         SELECT $3, $1, $4, $5, $6, $7, $2 FROM ledger
         ON CONFLICT (cluster_id) DO UPDATE SET status = EXCLUDED.status, violation_count = EXCLUDED.violation_count,
                reason = EXCLUDED.reason, checked_at = EXCLUDED.checked_at, last_scan_id = EXCLUDED.last_scan_id
          WHERE cc.checked_at <= EXCLUDED.checked_at
         RETURNING cluster_id),
       -- History: only changes, and only for an outcome that became the current state of an attached
       -- cluster (a late, older outcome rewrites nothing). Names are copied: history outlives both.
       historied AS (
         SELECT c.id, c.name FROM clusters c, current_state s WHERE c.id = s.cluster_id AND c.status <> 'DETACHED'),
       policy_history AS (
         INSERT INTO policy_compliance_transitions (organization_id, cluster_id, policy_id, cluster_name, policy_name, at, scan_id, status, violation_count)
         SELECT $1, $3, i.policy_id, h.name, p.name, $7, $2, i.status, i.violation_count
           FROM input i CROSS JOIN historied h JOIN policies p ON p.id = i.policy_id
           LEFT JOIN previous_policies pp ON pp.policy_id = i.policy_id
          WHERE pp.policy_id IS NULL OR pp.status <> i.status OR pp.violation_count <> i.violation_count
         RETURNING 1),
       cluster_history AS (
         INSERT INTO cluster_compliance_transitions (organization_id, cluster_id, cluster_name, at, scan_id, status, violation_count, previous_status, previous_violation_count)
         SELECT $1, $3, h.name, $7, $2, $4, $5, pc.status, coalesce(pc.violation_count, 0)
           FROM historied h LEFT JOIN previous_cluster pc ON true
          WHERE pc.status IS DISTINCT FROM $4 OR pc.violation_count <> $5
         RETURNING 1),
       gone AS (
         DELETE FROM cluster_policy_results_current c USING current_state s
          WHERE c.cluster_id = s.cluster_id AND NOT (c.policy_id = ANY($8::uuid[]))
         RETURNING 1),
       current_results AS (
         INSERT INTO cluster_policy_results_current AS c (cluster_id, organization_id, scan_id, checked_at, policy_id, status, violation_count, input_digest, evaluated_at)
         SELECT $3, $1, $2, $7, i.policy_id, i.status, i.violation_count, i.input_digest, i.evaluated_at FROM input i, current_state
         ON CONFLICT (cluster_id, policy_id) DO UPDATE SET scan_id = EXCLUDED.scan_id, checked_at = EXCLUDED.checked_at,
                status = EXCLUDED.status, violation_count = EXCLUDED.violation_count, input_digest = EXCLUDED.input_digest, evaluated_at = EXCLUDED.evaluated_at
         RETURNING 1)
       SELECT (SELECT count(*) FROM ledger)::int AS stored,
              (SELECT status FROM previous) AS previous_status,
              (SELECT name FROM clusters WHERE id = $3) AS cluster_name`,
      [
        organizationId,
        scanId,
        clusterId,
        o.status,
        o.violationCount,
        o.error,
        o.checkedAt,
        o.policies.map((p) => p.policyId),
        o.policies.map((p) => p.status),
        o.policies.map(violationCountOf),
        o.policies.map((p) => (p.carriedOver ? null : JSON.stringify(p.violations))),
        o.policies.map((p) => (p.enforcement === null ? null : JSON.stringify(p.enforcement))),
        o.policies.map((p) => p.error),
        o.policies.map((p) => JSON.stringify(p.exempted ?? [])),
        o.policies.map((p) => p.inputDigest ?? null),
        o.policies.map((p) => (p.carriedOver ? p.carriedOver.evaluatedAt : o.checkedAt)),
        o.policies.map((p) => p.carriedOver?.scanId ?? null),
        ...runParameters(run, { status: 'SUCCEEDED' }),
      ],
    );
    const r = rows[0];
    return { stored: r.stored > 0, previousStatus: r.stored > 0 ? r.previous_status : null, clusterName: r.cluster_name };
  }

  /** Whether any cluster of the scan is still PENDING (one probe of a partial index). */
  async hasPending(organizationId: string, scanId: string): Promise<boolean> {
    const rows = await preparedQuery<{ pending: boolean }>(
      this.db,
      `SELECT EXISTS (SELECT 1 FROM scan_clusters WHERE scan_id = $2 AND organization_id = $1 AND status = 'PENDING') AS pending`,
      [organizationId, scanId],
    );
    return rows[0].pending;
  }

  /**
   * Finishes the scan if no cluster of it is PENDING any more: SUCCEEDED, its counters written from
   * the ledger. Called after each stored outcome has committed, so the last outcome's call sees every
   * other; only one call turns it (the row's status is checked again under its lock), and that one
   * gets the counts, for the SCAN_FINISHED event in the same transaction. Null: not finished by this call.
   */
  async finishIfDone(tx: EntityManager, organizationId: string, scanId: string): Promise<FinishedScanCounts | null> {
    const rows = await preparedQuery<FinishedScanCounts>(
      tx,
      `UPDATE scans s SET status = 'SUCCEEDED', finished_at = now(), started_at = coalesce(s.started_at, now()),
              completed_count = l.completed, failed_count = l.failed, compliant_count = l.compliant,
              non_compliant_count = l.non_compliant, errored_count = l.errored, violation_count = l.violation
         FROM (${ledgerCounts('$2')}) l
        WHERE s.organization_id = $1 AND s.id = $2 AND s.status IN ('QUEUED', 'RUNNING') AND l.pending = 0
        RETURNING s.status, s.cluster_count AS "clusterCount", s.compliant_count AS "compliantCount", s.non_compliant_count AS "nonCompliantCount",
                  s.errored_count AS "erroredCount", s.violation_count AS "violationCount", s.finished_at AS "finishedAt"`,
      [organizationId, scanId],
    );
    return rows[0] ?? null;
  }

  /** Unfinished scans with nothing PENDING: left so by a worker that stopped between an outcome and finishing its scan. */
  async unfinishedWithNothingPending(limit = 100): Promise<Array<{ organizationId: string; id: string }>> {
    return this.db.query(
      `SELECT s.organization_id AS "organizationId", s.id FROM scans s
        WHERE s.status IN ('QUEUED', 'RUNNING') AND s.cluster_count > 0
          AND NOT EXISTS (SELECT 1 FROM scan_clusters sc WHERE sc.scan_id = s.id AND sc.status = 'PENDING')
        LIMIT $1`,
      [limit],
    );
  }

  /**
   * Retention: deletes policy results checked before the cutoff and finished scans older than it,
   * in bounded batches, except what the current compliance points at (a cluster's latest results
   * and the scan that produced them stay however old they are) and results whose violations a kept
   * carried-over result points at (they go with the last row pointing at them).
   */
  async pruneOlderThan(days: number, batch = 5000): Promise<{ results: number; scans: number }> {
    let results = 0;
    for (;;) {
      const r: [unknown[], number] = await this.db.query(
        `DELETE FROM policy_results WHERE ctid IN (
           SELECT pr.ctid FROM policy_results pr
            WHERE pr.checked_at < now() - make_interval(days => $1)
              AND NOT EXISTS (SELECT 1 FROM cluster_policy_results_current c
                               WHERE c.cluster_id = pr.cluster_id AND c.policy_id = pr.policy_id AND c.scan_id = pr.scan_id)
              AND NOT EXISTS (SELECT 1 FROM policy_results r
                               WHERE r.violations_from = pr.scan_id AND r.cluster_id = pr.cluster_id AND r.policy_id = pr.policy_id)
            LIMIT $2)`,
        [days, batch],
      );
      results += r[1];
      if (r[1] < batch) break;
    }
    let scans = 0;
    for (;;) {
      const r: [unknown[], number] = await this.db.query(
        `DELETE FROM scans WHERE id IN (
           SELECT s.id FROM scans s
            WHERE s.finished_at < now() - make_interval(days => $1)
              AND NOT EXISTS (SELECT 1 FROM cluster_compliance cc WHERE cc.last_scan_id = s.id)
              AND NOT EXISTS (SELECT 1 FROM cluster_policy_results_current c WHERE c.scan_id = s.id)
              AND NOT EXISTS (SELECT 1 FROM policy_results r WHERE r.violations_from = s.id)
            LIMIT $2)`,
        [days, Math.max(1, Math.floor(batch / 50))],
      );
      scans += r[1];
      if (r[1] === 0) break;
    }
    return { results, scans };
  }
}
