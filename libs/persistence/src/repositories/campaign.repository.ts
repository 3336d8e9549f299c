import { DataSource, EntityManager } from 'typeorm';
import { isUuid } from '@flotilla/validation';
import { Page, decodeCursor, encodeCursor } from '../page-cursor';

export type CampaignStatusName = 'QUEUED' | 'WAITING_FOR_WINDOW' | 'RUNNING' | 'SOAKING' | 'WAITING_FOR_APPROVAL' | 'PAUSED' | 'HALTED' | 'SUCCEEDED' | 'CANCELLED';
export type WaveStatusName = 'PENDING' | 'RUNNING' | 'SOAKING' | 'WAITING_FOR_APPROVAL' | 'SUCCEEDED' | 'HALTED' | 'CANCELLED';
export type CampaignClusterStatusName = 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'SKIPPED';

export interface CampaignRow {
  id: string;
  organizationId: string;
  name: string;
  targetVersion: string;
  status: CampaignStatusName;
  statusReason: string | null;
  maxConcurrent: number | null;
  maxFailedClusters: number | null;
  maxFailedPercent: number | null;
  haltOnUnreachable: boolean;
  haltOnComplianceRegression: boolean;
  windowCron: string | null;
  windowDurationMinutes: number | null;
  windowTimezone: string | null;
  createdBy: string;
  createdByTokenId: string | null;
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export interface CampaignWaveRow {
  campaignId: string;
  index: number;
  name: string;
  status: WaveStatusName;
  soakMinutes: number;
  requiresApproval: boolean;
  approvedBy: string | null;
  approvedAt: Date | null;
  startedAt: Date | null;
  soakEndsAt: Date | null;
  finishedAt: Date | null;
  baselineCompliant: string[] | null;
  soakScanId: string | null;
}

export interface CampaignClusterRow {
  campaignId: string;
  clusterId: string;
  clusterName: string;
  clusterStatus: string;
  waveIndex: number;
  position: number;
  status: CampaignClusterStatusName;
  reason: string | null;
  upgradeId: string | null;
  upgradeStatus: string | null;
  upgradePhase: string | null;
  upgradeError: string | null;
}

export interface CampaignSelector {
  clusterIds?: string[] | null;
  groupIds?: string[] | null;
  labels?: Record<string, string> | null;
  providers?: string[] | null;
}

export interface CampaignCandidateRow {
  id: string;
  name: string;
  apiServerUrl: string;
  status: string;
  kubernetesVersion: string | null;
  nodeCount: number;
  readyNodeCount: number;
  managed: boolean;
  managerAttached: boolean;
  offeredVersions: string[] | null;
  upgradeInProgress: boolean;
  activeCampaign: string | null;
  removedApisInUse: string[] | null;
}

export interface NewCampaign {
  name: string;
  targetVersion: string;
  maxConcurrent: number | null;
  maxFailedClusters: number | null;
  maxFailedPercent: number | null;
  haltOnUnreachable: boolean;
  haltOnComplianceRegression: boolean;
  window: { cron: string; durationMinutes: number; timezone: string } | null;
  createdBy: string;
  createdByTokenId: string | null;
  waves: Array<{ name: string; soakMinutes: number; requiresApproval: boolean; clusterIds: string[] }>;
}

const CAMPAIGN = `c.id, c.organization_id AS "organizationId", c.name, c.target_version AS "targetVersion", c.status, c.status_reason AS "statusReason",
  c.max_concurrent AS "maxConcurrent", c.max_failed_clusters AS "maxFailedClusters", c.max_failed_percent AS "maxFailedPercent",
  c.halt_on_unreachable AS "haltOnUnreachable", c.halt_on_compliance_regression AS "haltOnComplianceRegression",
  c.window_cron AS "windowCron", c.window_duration_minutes AS "windowDurationMinutes", c.window_timezone AS "windowTimezone",
  c.created_by AS "createdBy", c.created_by_token_id AS "createdByTokenId", c.created_at AS "createdAt", c.updated_at AS "updatedAt", c.finished_at AS "finishedAt"`;

const WAVE = `w.campaign_id AS "campaignId", w.wave_index AS index, w.name, w.status, w.soak_minutes AS "soakMinutes", w.requires_approval AS "requiresApproval",
  w.approved_by AS "approvedBy", w.approved_at AS "approvedAt", w.started_at AS "startedAt", w.soak_ends_at AS "soakEndsAt", w.finished_at AS "finishedAt",
  w.baseline_compliant AS "baselineCompliant", w.soak_scan_id AS "soakScanId"`;

const ACTIVE: CampaignStatusName[] = ['QUEUED', 'WAITING_FOR_WINDOW', 'RUNNING', 'SOAKING', 'WAITING_FOR_APPROVAL', 'PAUSED'];

/** Thrown by create when a cluster is already in another running campaign (the partial unique index decided). */
export class ClusterInRunningCampaignError extends Error {
  constructor(readonly clusters: Array<{ clusterId: string; clusterName: string; campaignId: string; campaignName: string }>) {
    super('clusters are already in a running campaign');
  }
}

/**
 * Upgrade campaigns, their waves and clusters. Every step of the state machine is applied in the
 * transaction that claimed the campaign row (claimDue, FOR UPDATE SKIP LOCKED); a cluster leaves
 * PENDING only in markStarted, in the transaction that creates its upgrade.
 */
export class CampaignRepository {
  constructor(private readonly db: DataSource) {}

  /** Creates the campaign, its waves and clusters; refuses (ClusterInRunningCampaignError) a cluster in another running campaign. */
  async create(tx: EntityManager, organizationId: string, c: NewCampaign): Promise<CampaignRow> {
    const rows: CampaignRow[] = await tx.query(
      `INSERT INTO upgrade_campaigns AS c (organization_id, name, target_version, max_concurrent, max_failed_clusters, max_failed_percent,
              halt_on_unreachable, halt_on_compliance_regression, window_cron, window_duration_minutes, window_timezone, created_by, created_by_token_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING ${CAMPAIGN}`,
      [
        organizationId, c.name, c.targetVersion, c.maxConcurrent, c.maxFailedClusters, c.maxFailedPercent, c.haltOnUnreachable, c.haltOnComplianceRegression,
        c.window?.cron ?? null, c.window?.durationMinutes ?? null, c.window?.timezone ?? null, c.createdBy, c.createdByTokenId,
      ],
    );
    const campaign = rows[0];
    await tx.query(
      `INSERT INTO campaign_waves (campaign_id, wave_index, organization_id, name, soak_minutes, requires_approval)
       SELECT $1, i - 1, $2, n, s, a FROM unnest($3::text[], $4::int[], $5::boolean[]) WITH ORDINALITY AS t(n, s, a, i)`,
      [campaign.id, organizationId, c.waves.map((w) => w.name), c.waves.map((w) => w.soakMinutes), c.waves.map((w) => w.requiresApproval)],
    );
    const ids = c.waves.flatMap((w) => w.clusterIds);
    const waveOf = c.waves.flatMap((w, i) => w.clusterIds.map(() => i));
    const inserted: Array<{ cluster_id: string }> = await tx.query(
      `INSERT INTO campaign_clusters (campaign_id, cluster_id, organization_id, wave_index, position)
       SELECT $1, k, $2, wv, i FROM unnest($3::uuid[], $4::int[]) WITH ORDINALITY AS t(k, wv, i)
       ON CONFLICT (cluster_id) WHERE campaign_active DO NOTHING RETURNING cluster_id`,
      [campaign.id, organizationId, ids, waveOf],
    );
    if (inserted.length !== ids.length) {
      const got = new Set(inserted.map((r) => r.cluster_id));
      const missing = ids.filter((id) => !got.has(id));
      const blocking = await tx.query(
        `SELECT cc.cluster_id AS "clusterId", k.name AS "clusterName", c.id AS "campaignId", c.name AS "campaignName"
           FROM campaign_clusters cc JOIN upgrade_campaigns c ON c.id = cc.campaign_id JOIN clusters k ON k.id = cc.cluster_id
          WHERE cc.cluster_id = ANY($1::uuid[]) AND cc.campaign_active AND cc.campaign_id <> $2`,
        [missing, campaign.id],
      );
      throw new ClusterInRunningCampaignError(blocking);
    }
    return campaign;
  }

  /**
   * What the campaign planner needs of every attached cluster the selector takes, in one statement:
   * the registry row, its management link and offers, an active upgrade, the running campaign that
   * holds it, and the failing checks of its latest DEPRECATED_APIS inspection against the target's minor.
   */
  async candidates(organizationId: string, selector: CampaignSelector, targetMinor: string): Promise<CampaignCandidateRow[]> {
    return this.db.query(
      `SELECT k.id, k.name, k.api_server_url AS "apiServerUrl", k.status, k.kubernetes_version AS "kubernetesVersion",
              k.node_count AS "nodeCount", k.ready_node_count AS "readyNodeCount",
              (k.management_cluster_id IS NOT NULL AND k.management_namespace IS NOT NULL AND k.management_name IS NOT NULL) AS managed,
              (m.id IS NOT NULL AND m.status <> 'DETACHED') AS "managerAttached",
              mc.offered_versions AS "offeredVersions",
              EXISTS (SELECT 1 FROM upgrades u WHERE u.cluster_id = k.id AND u.status IN ('QUEUED', 'RUNNING')) AS "upgradeInProgress",
              ac.name AS "activeCampaign",
              di.removed AS "removedApisInUse"
         FROM clusters k
         LEFT JOIN clusters m ON m.id = k.management_cluster_id
         LEFT JOIN management_catalogs mc ON mc.cluster_id = k.management_cluster_id
         LEFT JOIN LATERAL (SELECT c.name FROM campaign_clusters cc JOIN upgrade_campaigns c ON c.id = cc.campaign_id
                             WHERE cc.cluster_id = k.id AND cc.campaign_active LIMIT 1) ac ON true
         LEFT JOIN LATERAL (SELECT ARRAY(SELECT e->>'message' FROM jsonb_array_elements(i.checks) e WHERE e->>'outcome' = 'FAIL') AS removed
                              FROM inspections i WHERE i.cluster_id = k.id AND i.kind = 'DEPRECATED_APIS' AND i.status = 'SUCCEEDED'
                               AND regexp_replace(coalesce(i.target_version, ''), '^v?([0-9]+[.][0-9]+).*$', '\\1') = $6
                             ORDER BY i.created_at DESC LIMIT 1) di ON true
        WHERE k.organization_id = $1 AND k.status <> 'DETACHED'
          AND ($2::uuid[] IS NULL OR k.id = ANY($2::uuid[]))
          AND ($3::uuid[] IS NULL OR k.group_id = ANY($3::uuid[]))
          AND ($4::jsonb IS NULL OR k.labels @> $4::jsonb)
          AND ($5::text[] IS NULL OR k.provider = ANY($5::text[]))
        ORDER BY k.name, k.id`,
      [
        organizationId,
        selector.clusterIds ?? null,
        selector.groupIds ?? null,
        selector.labels ? JSON.stringify(selector.labels) : null,
        selector.providers ?? null,
        targetMinor,
      ],
    );
  }

  /** The running campaign (not ended) that holds each cluster. */
  async activeCampaignsOf(organizationId: string, clusterIds: readonly string[]): Promise<Map<string, { id: string; name: string }>> {
    if (clusterIds.length === 0) return new Map();
    const rows: Array<{ clusterId: string; id: string; name: string }> = await this.db.query(
      `SELECT cc.cluster_id AS "clusterId", c.id, c.name FROM campaign_clusters cc JOIN upgrade_campaigns c ON c.id = cc.campaign_id
        WHERE cc.organization_id = $1 AND cc.cluster_id = ANY($2::uuid[]) AND cc.campaign_active`,
      [organizationId, clusterIds],
    );
    return new Map(rows.map((r) => [r.clusterId, { id: r.id, name: r.name }]));
  }

  async activeCampaignOf(organizationId: string, clusterId: string): Promise<{ id: string; name: string } | null> {
    return (await this.activeCampaignsOf(organizationId, [clusterId])).get(clusterId) ?? null;
  }

  async findById(organizationId: string, id: string, tx?: EntityManager, lock = false): Promise<CampaignRow | null> {
    if (!isUuid(id)) return null;
    const rows: CampaignRow[] = await (tx ?? this.db).query(
      `SELECT ${CAMPAIGN} FROM upgrade_campaigns c WHERE c.organization_id = $1 AND c.id = $2 ${lock ? 'FOR UPDATE' : ''}`,
      [organizationId, id],
    );
    return rows[0] ?? null;
  }

  async list(organizationId: string, first: number, after?: string | null): Promise<Page<CampaignRow> & { totalCount: number; cursors: string[] }> {
    const params: unknown[] = [organizationId, first + 1];
    let keyset = '';
    if (after) {
      const [createdAt, id] = decodeCursor(after, { sort: 'timestamp', id: 'uuid' });
      params.push(createdAt, id);
      keyset = 'AND (c.created_at, c.id) < ($3::timestamptz, $4::uuid)';
    }
    const rows: Array<CampaignRow & { key: string }> = await this.db.query(
      `SELECT ${CAMPAIGN}, c.created_at::text AS key FROM upgrade_campaigns c WHERE c.organization_id = $1 ${keyset} ORDER BY c.created_at DESC, c.id DESC LIMIT $2`,
      params,
    );
    const [{ n }] = await this.db.query(`SELECT count(*)::int AS n FROM upgrade_campaigns WHERE organization_id = $1`, [organizationId]);
    const items = rows.slice(0, first);
    const cursors = items.map((r) => encodeCursor(r.key, r.id));
    return {
      items: items.map(({ key: _k, ...r }) => r),
      cursors,
      hasNextPage: rows.length > first,
      endCursor: cursors[cursors.length - 1] ?? null,
      totalCount: n,
    };
  }

  async wavesOf(organizationId: string, campaignIds: readonly string[], tx?: EntityManager): Promise<CampaignWaveRow[]> {
    if (campaignIds.length === 0) return [];
    return (tx ?? this.db).query(
      `SELECT ${WAVE} FROM campaign_waves w WHERE w.organization_id = $1 AND w.campaign_id = ANY($2::uuid[]) ORDER BY w.campaign_id, w.wave_index`,
      [organizationId, campaignIds],
    );
  }

  /** Each campaign cluster with its cluster's name and status and its upgrade's status (one statement). */
  async clustersOf(organizationId: string, campaignIds: readonly string[], tx?: EntityManager): Promise<CampaignClusterRow[]> {
    if (campaignIds.length === 0) return [];
    return (tx ?? this.db).query(
      `SELECT cc.campaign_id AS "campaignId", cc.cluster_id AS "clusterId", k.name AS "clusterName", k.status AS "clusterStatus",
              cc.wave_index AS "waveIndex", cc.position, cc.status, cc.reason, cc.upgrade_id AS "upgradeId",
              u.status AS "upgradeStatus", u.phase AS "upgradePhase", u.error AS "upgradeError"
         FROM campaign_clusters cc JOIN clusters k ON k.id = cc.cluster_id LEFT JOIN upgrades u ON u.id = cc.upgrade_id
        WHERE cc.organization_id = $1 AND cc.campaign_id = ANY($2::uuid[]) ORDER BY cc.campaign_id, cc.wave_index, cc.position`,
      [organizationId, campaignIds],
    );
  }

  async countsOf(organizationId: string, campaignIds: readonly string[]): Promise<Map<string, Record<CampaignClusterStatusName, number>>> {
    const out = new Map<string, Record<CampaignClusterStatusName, number>>();
    for (const id of campaignIds) out.set(id, { PENDING: 0, RUNNING: 0, SUCCEEDED: 0, FAILED: 0, SKIPPED: 0 });
    if (campaignIds.length === 0) return out;
    const rows: Array<{ campaignId: string; status: CampaignClusterStatusName; n: number }> = await this.db.query(
      `SELECT campaign_id AS "campaignId", status, count(*)::int AS n FROM campaign_clusters WHERE organization_id = $1 AND campaign_id = ANY($2::uuid[]) GROUP BY 1, 2`,
      [organizationId, campaignIds],
    );
    for (const r of rows) out.get(r.campaignId)![r.status] = r.n;
    return out;
  }

  // ---- the campaign loop (across organizations: the worker's clock) ----

  /** Locks one campaign whose next look is due (FOR UPDATE SKIP LOCKED: replicas take different ones); also returns the database's now(). */
  async claimDue(tx: EntityManager): Promise<{ campaign: CampaignRow; now: Date } | null> {
    const rows: Array<CampaignRow & { dbNow: Date }> = await tx.query(
      `SELECT ${CAMPAIGN}, now() AS "dbNow" FROM upgrade_campaigns c WHERE c.next_tick_at <= now()
        ORDER BY c.next_tick_at LIMIT 1 FOR UPDATE SKIP LOCKED`,
    );
    if (!rows[0]) return null;
    const { dbNow, ...campaign } = rows[0];
    return { campaign, now: dbNow };
  }

  /** When the loop looks at the campaign next (null: never again, nothing can change). */
  async scheduleNext(tx: EntityManager, campaignId: string, afterMs: number | null): Promise<void> {
    await tx.query(
      `UPDATE upgrade_campaigns SET next_tick_at = CASE WHEN $2::int IS NULL THEN NULL ELSE now() + make_interval(secs => $2::int / 1000.0) END WHERE id = $1`,
      [campaignId, afterMs],
    );
  }

  async setStatus(tx: EntityManager, campaignId: string, status: CampaignStatusName, reason: string | null): Promise<void> {
    const ended = status === 'HALTED' || status === 'SUCCEEDED' || status === 'CANCELLED';
    await tx.query(
      `UPDATE upgrade_campaigns SET status = $2, status_reason = $3, updated_at = now(), finished_at = CASE WHEN $4 THEN coalesce(finished_at, now()) ELSE NULL END WHERE id = $1`,
      [campaignId, status, reason, ended],
    );
    // An ended campaign no longer holds its clusters: another campaign (or a manual upgrade) may take them.
    if (ended) await tx.query(`UPDATE campaign_clusters SET campaign_active = false WHERE campaign_id = $1 AND campaign_active`, [campaignId]);
  }

  async updateWave(
    tx: EntityManager,
    campaignId: string,
    w: { index: number; status: WaveStatusName; started?: boolean; finished?: boolean; soakEndsAt?: Date; baselineCompliant?: string[]; soakScanId?: string },
  ): Promise<void> {
    await tx.query(
      `UPDATE campaign_waves SET status = $3,
              started_at = CASE WHEN $4 THEN coalesce(started_at, now()) ELSE started_at END,
              finished_at = CASE WHEN $5 THEN coalesce(finished_at, now()) ELSE finished_at END,
              soak_ends_at = coalesce($6, soak_ends_at),
              baseline_compliant = coalesce($7::uuid[], baseline_compliant),
              soak_scan_id = coalesce($8::uuid, soak_scan_id)
        WHERE campaign_id = $1 AND wave_index = $2`,
      [campaignId, w.index, w.status, !!w.started, !!w.finished, w.soakEndsAt ?? null, w.baselineCompliant ?? null, w.soakScanId ?? null],
    );
  }

  /** Records how running clusters ended (only from RUNNING: a step applied twice changes nothing). */
  async recordClusterEnds(tx: EntityManager, campaignId: string, ends: Array<{ clusterId: string; status: CampaignClusterStatusName; reason: string | null }>): Promise<void> {
    if (ends.length === 0) return;
    await tx.query(
      `UPDATE campaign_clusters cc SET status = t.status, reason = t.reason, finished_at = now()
         FROM unnest($2::uuid[], $3::text[], $4::text[]) AS t(cluster_id, status, reason)
        WHERE cc.campaign_id = $1 AND cc.cluster_id = t.cluster_id AND cc.status IN ('RUNNING', 'PENDING')`,
      [campaignId, ends.map((e) => e.clusterId), ends.map((e) => e.status), ends.map((e) => e.reason)],
    );
  }

  /**
   * PENDING → RUNNING with the upgrade that was created in the same transaction. Guarded by PENDING
   * and by the UNIQUE upgrade_id: a cluster is started once per campaign. Returns whether it moved.
   */
  async markStarted(tx: EntityManager, campaignId: string, clusterId: string, upgradeId: string): Promise<boolean> {
    const res: [unknown[], number] = await tx.query(
      `UPDATE campaign_clusters SET status = 'RUNNING', upgrade_id = $3, started_at = now() WHERE campaign_id = $1 AND cluster_id = $2 AND status = 'PENDING'`,
      [campaignId, clusterId, upgradeId],
    );
    return res[1] === 1;
  }

  /** markStarted for many clusters in one statement; returns how many moved (the caller requires all). */
  async markStartedMany(tx: EntityManager, campaignId: string, started: Array<{ clusterId: string; upgradeId: string }>): Promise<number> {
    if (started.length === 0) return 0;
    const res: [unknown[], number] = await tx.query(
      `UPDATE campaign_clusters cc SET status = 'RUNNING', upgrade_id = t.u, started_at = now()
         FROM unnest($2::uuid[], $3::uuid[]) AS t(c, u)
        WHERE cc.campaign_id = $1 AND cc.cluster_id = t.c AND cc.status = 'PENDING'`,
      [campaignId, started.map((s) => s.clusterId), started.map((s) => s.upgradeId)],
    );
    return res[1];
  }

  /** The wave's clusters that were COMPLIANT when it began (its compliance baseline). */
  async compliantNow(tx: EntityManager, clusterIds: string[]): Promise<string[]> {
    if (clusterIds.length === 0) return [];
    const rows: Array<{ id: string }> = await tx.query(`SELECT cluster_id AS id FROM cluster_compliance WHERE cluster_id = ANY($1::uuid[]) AND status = 'COMPLIANT'`, [clusterIds]);
    return rows.map((r) => r.id);
  }

  /** 'pending' until the scan ended; then the baseline clusters the scan found NON_COMPLIANT (their names). */
  async regressedAfterScan(tx: EntityManager, scanId: string, baseline: string[]): Promise<'pending' | { regressed: string[] }> {
    const [scan] = await tx.query(`SELECT status FROM scans WHERE id = $1`, [scanId]);
    if (!scan || scan.status === 'QUEUED' || scan.status === 'RUNNING') return scan ? 'pending' : { regressed: [] };
    const rows: Array<{ name: string }> = await tx.query(
      `SELECT k.name FROM scan_clusters sc JOIN clusters k ON k.id = sc.cluster_id WHERE sc.scan_id = $1 AND sc.cluster_id = ANY($2::uuid[]) AND sc.status = 'NON_COMPLIANT' ORDER BY k.name`,
      [scanId, baseline],
    );
    return { regressed: rows.map((r) => r.name) };
  }

  // ---- operator actions (the row is locked: they wait for a step under way, never interleave) ----

  async approveWave(tx: EntityManager, campaignId: string, index: number, actor: string): Promise<boolean> {
    const res: [unknown[], number] = await tx.query(
      `UPDATE campaign_waves SET approved_by = $3, approved_at = now() WHERE campaign_id = $1 AND wave_index = $2 AND requires_approval AND approved_at IS NULL AND status IN ('PENDING', 'WAITING_FOR_APPROVAL')`,
      [campaignId, index, actor],
    );
    return res[1] === 1;
  }

  /** Look at the campaign at once (an operator changed something). */
  async tickNow(tx: EntityManager, campaignId: string): Promise<void> {
    await tx.query(`UPDATE upgrade_campaigns SET next_tick_at = now() WHERE id = $1`, [campaignId]);
  }

  /** Cancelled: waves not ended are CANCELLED; PENDING clusters are SKIPPED; running upgrades are followed to their end. */
  async cancelRemaining(tx: EntityManager, campaignId: string, reason: string): Promise<void> {
    await tx.query(`UPDATE campaign_waves SET status = 'CANCELLED', finished_at = coalesce(finished_at, now()) WHERE campaign_id = $1 AND status NOT IN ('SUCCEEDED', 'HALTED')`, [campaignId]);
    await tx.query(`UPDATE campaign_clusters SET status = 'SKIPPED', reason = $2, finished_at = now() WHERE campaign_id = $1 AND status = 'PENDING'`, [campaignId, reason]);
  }

  static readonly ACTIVE_STATUSES = ACTIVE;
}
