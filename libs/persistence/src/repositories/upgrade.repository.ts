import { DataSource, EntityManager } from 'typeorm';
import { UpgradeEntity, UpgradePhase, UpgradeStatus } from '../entities/upgrade.entity';
import { CursorShape, Page, decodeCursor, encodeCursor } from '../page-cursor';
import { versionSortKey } from '../version-key';
import { isUuid } from '@flotilla/validation';

export interface NewUpgrade {
  clusterId: string;
  fromVersion: string;
  toVersion: string;
  managementClusterId: string;
  managementNamespace: string;
  managementName: string;
  createdBy: string;
}

const COLUMNS = `u.id, u.organization_id AS "organizationId", u.cluster_id AS "clusterId", u.from_version AS "fromVersion",
  u.to_version AS "toVersion", u.status, u.phase, u.error, u.progress, u.preflight_reasons AS "preflightReasons",
  u.management_cluster_id AS "managementClusterId", u.management_namespace AS "managementNamespace",
  u.management_name AS "managementName", u.patched_version AS "patchedVersion", u.patched_at AS "patchedAt",
  u.deadline_at AS "deadlineAt", u.last_progress_at AS "lastProgressAt", u.follow_seq AS "followSeq",
  u.created_by AS "createdBy", u.created_at AS "createdAt", u.started_at AS "startedAt", u.finished_at AS "finishedAt",
  u.updated_at AS "updatedAt", u.created_at::text AS "createdAtKey"`;

type Row = UpgradeEntity & { createdAtKey: string };

function strip(r: Row): UpgradeEntity {
  const { createdAtKey: _k, ...rest } = r;
  return Object.assign(new UpgradeEntity(), rest);
}

/**
 * Upgrades. Status changes are guarded by the status they come from (`WHERE status = 'RUNNING'`),
 * so a cancelled or finished upgrade is never revived by a job that was still running.
 */
export class UpgradeRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Inserts a QUEUED upgrade unless the cluster already has an active one. The partial unique index
   * decides under concurrency: a second transaction waits for the first and then inserts nothing.
   * Returns the created upgrade, or the active one that blocked it.
   */
  async start(tx: EntityManager, organizationId: string, u: NewUpgrade): Promise<{ created: UpgradeEntity } | { active: UpgradeEntity | null }> {
    const rows: Row[] = await tx.query(
      `INSERT INTO upgrades AS u (organization_id, cluster_id, from_version, to_version, management_cluster_id, management_namespace, management_name, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (cluster_id) WHERE status IN ('QUEUED', 'RUNNING') DO NOTHING
       RETURNING ${COLUMNS}`,
      [organizationId, u.clusterId, u.fromVersion, u.toVersion, u.managementClusterId, u.managementNamespace, u.managementName, u.createdBy],
    );
    if (rows[0]) return { created: strip(rows[0]) };
    const active: Row[] = await tx.query(
      `SELECT ${COLUMNS} FROM upgrades u WHERE u.organization_id = $1 AND u.cluster_id = $2 AND u.status IN ('QUEUED', 'RUNNING')`,
      [organizationId, u.clusterId],
    );
    return { active: active[0] ? strip(active[0]) : null };
  }

  /**
   * start() for many clusters in one statement: the clusters that already have an active upgrade
   * (the partial unique index) are left out of the result.
   */
  async startMany(tx: EntityManager, organizationId: string, list: NewUpgrade[]): Promise<UpgradeEntity[]> {
    if (list.length === 0) return [];
    const col = <K extends keyof NewUpgrade>(k: K) => list.map((u) => u[k]);
    const rows: Row[] = await tx.query(
      `INSERT INTO upgrades AS u (organization_id, cluster_id, from_version, to_version, management_cluster_id, management_namespace, management_name, created_by)
       SELECT $1, c, f, t, m, ns, n, b FROM unnest($2::uuid[], $3::text[], $4::text[], $5::uuid[], $6::text[], $7::text[], $8::text[]) AS x(c, f, t, m, ns, n, b)
       ON CONFLICT (cluster_id) WHERE status IN ('QUEUED', 'RUNNING') DO NOTHING
       RETURNING ${COLUMNS}`,
      [organizationId, col('clusterId'), col('fromVersion'), col('toVersion'), col('managementClusterId'), col('managementNamespace'), col('managementName'), col('createdBy')],
    );
    return rows.map(strip);
  }

  async findById(organizationId: string, id: string, tx?: EntityManager): Promise<UpgradeEntity | null> {
    if (!isUuid(id)) return null;
    const rows: Row[] = await (tx ?? this.db).query(`SELECT ${COLUMNS} FROM upgrades u WHERE u.organization_id = $1 AND u.id = $2`, [organizationId, id]);
    return rows[0] ? strip(rows[0]) : null;
  }

  async findByIds(organizationId: string, ids: readonly string[]): Promise<UpgradeEntity[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    const rows: Row[] = await this.db.query(`SELECT ${COLUMNS} FROM upgrades u WHERE u.organization_id = $1 AND u.id = ANY($2::uuid[])`, [organizationId, valid]);
    return rows.map(strip);
  }

  /** Newest first, one page per cluster, in one statement for any number of clusters (DataLoader batches). */
  async pagesForClusters(organizationId: string, clusterIds: readonly string[], first: number, after?: string | null): Promise<Map<string, ClusterPage<UpgradeEntity>>> {
    return pagesForClusters<Row, UpgradeEntity>(this.db, 'upgrades', COLUMNS, organizationId, clusterIds, first, after, strip);
  }

  async markRunning(organizationId: string, id: string): Promise<UpgradeEntity | null> {
    const rows: [Row[], number] = await this.db.query(
      `UPDATE upgrades u SET status = 'RUNNING', started_at = coalesce(u.started_at, now()), updated_at = now()
        WHERE u.organization_id = $1 AND u.id = $2 AND u.status IN ('QUEUED', 'RUNNING') RETURNING ${COLUMNS}`,
      [organizationId, id],
    );
    return rows[0][0] ? strip(rows[0][0]) : null;
  }

  /** Pre-flight refused: FAILED in PREFLIGHT with every reason. */
  async failPreflight(organizationId: string, id: string, reasons: string[], tx?: EntityManager): Promise<UpgradeEntity | null> {
    const rows: [Row[], number] = await (tx ?? this.db).query(
      `UPDATE upgrades u SET status = 'FAILED', phase = 'PREFLIGHT', error = $3, preflight_reasons = $4::jsonb, finished_at = now(), updated_at = now()
        WHERE u.organization_id = $1 AND u.id = $2 AND u.status IN ('QUEUED', 'RUNNING') RETURNING ${COLUMNS}`,
      [organizationId, id, `Pre-flight refused the upgrade: ${reasons.join(' ')}`, JSON.stringify(reasons)],
    );
    return rows[0][0] ? strip(rows[0][0]) : null;
  }

  /**
   * Records that Cluster.spec.topology.version is at the target (patched by this upgrade, or found
   * there). The first call fixes patched_at and the deadline; later calls keep them.
   */
  async recordPatched(organizationId: string, id: string, patchedVersion: string, deadlineSeconds: number): Promise<UpgradeEntity | null> {
    const rows: [Row[], number] = await this.db.query(
      `UPDATE upgrades u SET patched_version = coalesce(u.patched_version, $3), patched_at = coalesce(u.patched_at, now()),
              deadline_at = coalesce(u.deadline_at, now() + make_interval(secs => $4)),
              last_progress_at = coalesce(u.last_progress_at, now()),
              phase = CASE WHEN u.phase = 'PREFLIGHT' THEN 'CONTROL_PLANE' ELSE u.phase END, updated_at = now()
        WHERE u.organization_id = $1 AND u.id = $2 AND u.status = 'RUNNING' RETURNING ${COLUMNS}`,
      [organizationId, id, patchedVersion, deadlineSeconds],
    );
    return rows[0][0] ? strip(rows[0][0]) : null;
  }

  /** Moves phase and progress on; last_progress_at moves only when the progress text changed. Null when no longer RUNNING. */
  async recordProgress(organizationId: string, id: string, phase: UpgradePhase, progress: string): Promise<UpgradeEntity | null> {
    const rows: [Row[], number] = await this.db.query(
      `UPDATE upgrades u SET phase = $3, progress = $4,
              last_progress_at = CASE WHEN u.progress IS DISTINCT FROM $4 THEN now() ELSE u.last_progress_at END, updated_at = now()
        WHERE u.organization_id = $1 AND u.id = $2 AND u.status = 'RUNNING' RETURNING ${COLUMNS}`,
      [organizationId, id, phase, progress],
    );
    return rows[0][0] ? strip(rows[0][0]) : null;
  }

  /**
   * Ends a RUNNING upgrade. On SUCCEEDED the cluster's Kubernetes version is updated in the same
   * transaction (the caller's, when given), so the registry never shows a finished upgrade with the old version.
   */
  async finish(
    organizationId: string,
    id: string,
    outcome: { status: Extract<UpgradeStatus, 'SUCCEEDED' | 'FAILED'>; phase: UpgradePhase; error?: string | null; progress?: string | null; clusterVersion?: string },
    tx?: EntityManager,
  ): Promise<UpgradeEntity | null> {
    const run = async (tx: EntityManager) => {
      const rows: [Row[], number] = await tx.query(
        `UPDATE upgrades u SET status = $3, phase = $4, error = $5, progress = coalesce($6, u.progress), finished_at = now(), updated_at = now()
          WHERE u.organization_id = $1 AND u.id = $2 AND u.status = 'RUNNING' RETURNING ${COLUMNS}`,
        [organizationId, id, outcome.status, outcome.phase, outcome.error ?? null, outcome.progress ?? null],
      );
      const done = rows[0][0];
      if (done && outcome.status === 'SUCCEEDED' && outcome.clusterVersion) {
        await tx.query(
          `UPDATE clusters SET kubernetes_version = $3, version_key = $4, updated_at = now() WHERE organization_id = $1 AND id = $2`,
          [organizationId, done.clusterId, outcome.clusterVersion, versionSortKey(outcome.clusterVersion)],
        );
      }
      return done ? strip(done) : null;
    };
    return tx ? run(tx) : this.db.transaction(run);
  }

  /**
   * Cancels an active upgrade. The message is chosen in the UPDATE from the row's patched_at, so it
   * says truthfully whether the Cluster had been patched even if a worker patched a moment before.
   */
  async cancel(tx: EntityManager, organizationId: string, id: string, message: { notPatched: string; patched: string }): Promise<UpgradeEntity | null> {
    const rows: [Row[], number] = await tx.query(
      `UPDATE upgrades u SET status = 'CANCELLED', error = CASE WHEN u.patched_at IS NULL THEN $3 ELSE $4 END, finished_at = now(), updated_at = now()
        WHERE u.organization_id = $1 AND u.id = $2 AND u.status IN ('QUEUED', 'RUNNING') RETURNING ${COLUMNS}`,
      [organizationId, id, message.notPatched, message.patched],
    );
    return rows[0][0] ? strip(rows[0][0]) : null;
  }

  /**
   * The backstop behind "never RUNNING forever": ends upgrades nobody is following any more — past
   * their deadline by `graceSeconds` (every runner died, the job exhausted its retries), or never
   * started within `neverStartedSeconds`. Across organizations: the worker's clock, like sync.
   */
  async failAbandoned(graceSeconds: number, neverStartedSeconds: number, tx?: EntityManager): Promise<UpgradeEntity[]> {
    const rows: [Row[], number] = await (tx ?? this.db).query(
      `UPDATE upgrades u SET status = 'FAILED', finished_at = now(), updated_at = now(),
              error = CASE WHEN u.deadline_at IS NOT NULL
                THEN 'The upgrade failed: nobody followed the rollout past its deadline (the worker following it stopped). Cluster API may still be rolling it out; sync shows the version the nodes reach. Last observed: ' || coalesce(u.progress, 'nothing')
                ELSE 'The upgrade failed: it never started (no worker took its job), so Flotilla changed nothing.' END
        WHERE u.status IN ('QUEUED', 'RUNNING')
          AND ((u.deadline_at IS NOT NULL AND u.deadline_at < now() - make_interval(secs => $1))
            OR (u.deadline_at IS NULL AND u.patched_at IS NULL AND u.created_at < now() - make_interval(secs => $2)))
        RETURNING ${COLUMNS}`,
      [graceSeconds, neverStartedSeconds],
    );
    return rows[0].map(strip);
  }

  /**
   * Claims the right to queue the next follow-up of a RUNNING upgrade: only the runner that still
   * sees `expectedSeq` wins, so a job that ran twice cannot fork two followers.
   */
  async claimFollowUp(tx: EntityManager, organizationId: string, id: string, expectedSeq: number): Promise<number | null> {
    const rows: [Array<{ seq: number }>, number] = await tx.query(
      `UPDATE upgrades SET follow_seq = follow_seq + 1, updated_at = now()
        WHERE organization_id = $1 AND id = $2 AND status = 'RUNNING' AND follow_seq = $3 RETURNING follow_seq AS seq`,
      [organizationId, id, expectedSeq],
    );
    return rows[0][0]?.seq ?? null;
  }
}

/** A page with each item's cursor (created_at at full precision, so keysets never skip a row). */
export type ClusterPage<E> = Page<E> & { cursors: string[] };

/** A cluster's upgrades and inspections page on (created_at, id). */
export const CLUSTER_PAGE_CURSOR: CursorShape = { sort: 'timestamp', id: 'uuid' };

/** Shared by upgrades and inspections: newest-first keyset pages for many clusters with one LATERAL query. */
export async function pagesForClusters<R extends { id: string; clusterId: string; createdAtKey: string }, E>(
  db: DataSource,
  table: 'upgrades' | 'inspections',
  columns: string,
  organizationId: string,
  clusterIds: readonly string[],
  first: number,
  after: string | null | undefined,
  map: (r: R) => E,
): Promise<Map<string, ClusterPage<E>>> {
  const ids = [...new Set(clusterIds.filter(isUuid))];
  const out = new Map<string, ClusterPage<E>>();
  for (const id of clusterIds) out.set(id, { items: [], cursors: [], hasNextPage: false, endCursor: null });
  if (ids.length === 0) return out;
  const params: unknown[] = [organizationId, ids, first + 1];
  let keyset = '';
  if (after) {
    const [createdAt, id] = decodeCursor(after, CLUSTER_PAGE_CURSOR);
    params.push(createdAt, id);
    keyset = 'AND (x.created_at, x.id) < ($4::timestamptz, $5::uuid)';
  }
  // The alias "u" matches the column list the repositories share.
  const rows: R[] = await db.query(
    `SELECT ${columns} FROM unnest($2::uuid[]) AS k(cluster_id)
       CROSS JOIN LATERAL (
         SELECT * FROM ${table} x WHERE x.organization_id = $1 AND x.cluster_id = k.cluster_id ${keyset}
         ORDER BY x.created_at DESC, x.id DESC LIMIT $3
       ) u
      ORDER BY u.cluster_id, u.created_at DESC, u.id DESC`,
    params,
  );
  const byCluster = new Map<string, R[]>();
  for (const r of rows) byCluster.set(r.clusterId, [...(byCluster.get(r.clusterId) ?? []), r]);
  for (const [clusterId, list] of byCluster) {
    const items = list.slice(0, first);
    const last = items[items.length - 1];
    const cursors = items.map((r) => encodeCursor(r.createdAtKey, r.id));
    out.set(clusterId, { items: items.map(map), cursors, hasNextPage: list.length > first, endCursor: last ? cursors[cursors.length - 1] : null });
  }
  return out;
}
