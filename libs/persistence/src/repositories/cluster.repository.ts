import { DataSource, EntityManager } from 'typeorm';
import { ClusterEntity, ClusterStatus, ConnectionMode, Provider } from '../entities/cluster.entity';
import { isUuid } from '@flotilla/validation';
import { Page, decodeCursor, encodeCursor } from '../page-cursor';
import { versionSortKey } from '../version-key';
import { LargeFleetCache } from '../large-fleet-cache';
import { preparedQuery } from '../prepared-query';
import { ClusterCredentialRepository, StoredCredential } from './cluster-credential.repository';

export type ClusterOrderField = 'NAME' | 'LAST_SEEN_AT' | 'KUBERNETES_VERSION' | 'ATTACHED_AT';

export interface ClusterListFilter {
  search?: string | null;
  providers?: Provider[] | null;
  statuses?: ClusterStatus[] | null;
  groupId?: string | null;
  labels?: Array<{ key: string; value: string }> | null;
  /** Compliance roll-up statuses; applied through the current-compliance table. */
  complianceStatuses?: string[] | null;
  connectionModes?: ConnectionMode[] | null;
}

export interface ClusterListQuery {
  filter?: ClusterListFilter;
  first: number;
  after?: string | null;
  orderBy?: { field: ClusterOrderField; direction: 'ASC' | 'DESC' };
  /**
   * 'table': only FLEET_TABLE_COLUMNS (and the order's key), for callers that show no more than the
   * dashboard's fleet table; the other fields of the rows are then undefined. Default: FLEET_VIEW_COLUMNS.
   */
  columns?: 'table' | 'all';
}

export interface NewCluster {
  name: string;
  apiServerUrl: string;
  groupId: string | null;
  labels: Record<string, string>;
  /** The ClusterRoles the agent was given `bind` on at attach time. */
  bindableRoles: string[];
  /** DIRECT by default; AGENT for registerAgentCluster (no stored credential). */
  connectionMode?: ConnectionMode;
}

/** The status reason of a cluster whose credential or URL changed, until a sync proves the new one. */
export const NEW_CREDENTIAL_REASON = 'new API server URL or credential: waiting for the first sync to prove it';

export interface SyncObservation {
  status: 'CONNECTED' | 'DEGRADED';
  statusReason: string | null;
  provider: Provider;
  region: string | null;
  kubernetesVersion: string;
  nodeCount: number;
  readyNodeCount: number;
}

/** Sort expressions use no NULLs, so keyset comparisons are plain row comparisons. */
/**
 * A time's cursor key is its full microseconds as PostgreSQL writes them (orderKey, read with the
 * page): a Date keeps milliseconds, and a cursor of .123 where the row holds .123456 returned that
 * row again on the next page, for ever.
 */
const ORDER_COLUMNS: Record<ClusterOrderField, { expr: string; key: (c: FleetViewCluster) => string | number }> = {
  NAME: { expr: 'c.name', key: (c) => c.name },
  ATTACHED_AT: { expr: 'c.attached_at', key: (c) => c.orderKey ?? c.attachedAt.toISOString() },
  LAST_SEEN_AT: {
    expr: `coalesce(c.last_seen_at, 'epoch'::timestamptz)`,
    key: (c) => c.orderKey ?? (c.lastSeenAt ?? new Date(0)).toISOString(),
  },
  KUBERNETES_VERSION: { expr: 'c.version_key', key: (c) => c.versionKey },
};
const utcMicros = (expr: string) => `to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "orderKey"`;

const COLUMNS = `c.id, c.organization_id AS "organizationId", c.name, c.provider, c.region, c.api_server_url AS "apiServerUrl",
  c.status, c.status_reason AS "statusReason", c.kubernetes_version AS "kubernetesVersion", c.version_key AS "versionKey",
  c.node_count AS "nodeCount", c.ready_node_count AS "readyNodeCount", c.labels, c.group_id AS "groupId",
  c.attached_at AS "attachedAt", c.last_seen_at AS "lastSeenAt", c.detached_at AS "detachedAt",
  c.consecutive_failures AS "consecutiveFailures", c.next_sync_at AS "nextSyncAt",
  c.management_cluster_id AS "managementClusterId", c.management_namespace AS "managementNamespace",
  c.management_name AS "managementName", c.bindable_roles AS "bindableRoles", c.connection_mode AS "connectionMode", c.updated_at AS "updatedAt"`;

/**
 * What the fleet table reads of a cluster: what the API's Cluster type shows (and its field resolvers
 * and cursors use). Bookkeeping columns stay behind: every timestamptz costs a parse and a Date per row.
 */
const FLEET_VIEW_COLUMNS = `c.id, c.organization_id AS "organizationId", c.name, c.provider, c.region, c.api_server_url AS "apiServerUrl",
  c.status, c.status_reason AS "statusReason", c.kubernetes_version AS "kubernetesVersion", c.version_key AS "versionKey",
  c.node_count AS "nodeCount", c.ready_node_count AS "readyNodeCount", c.labels, c.group_id AS "groupId",
  c.attached_at AS "attachedAt", c.last_seen_at AS "lastSeenAt", c.management_cluster_id AS "managementClusterId",
  c.bindable_roles AS "bindableRoles", c.connection_mode AS "connectionMode"`;

/**
 * The fleet table's own columns (the dashboard's ClusterList), with the order's key for cursors: half
 * the text the page's rows carry otherwise, and one timestamp to parse instead of two.
 */
const FLEET_TABLE_COLUMNS = `c.id, c.organization_id AS "organizationId", c.name, c.provider, c.region, c.status,
  c.kubernetes_version AS "kubernetesVersion", c.node_count AS "nodeCount", c.labels, c.group_id AS "groupId", c.last_seen_at AS "lastSeenAt"`;
const TABLE_ORDER_KEYS: Record<ClusterOrderField, string> = {
  NAME: '',
  LAST_SEEN_AT: `, ${utcMicros(ORDER_COLUMNS.LAST_SEEN_AT.expr)}`,
  KUBERNETES_VERSION: ', c.version_key AS "versionKey"',
  ATTACHED_AT: `, ${utcMicros(ORDER_COLUMNS.ATTACHED_AT.expr)}`,
};
/** FLEET_VIEW_COLUMNS has versionKey already. */
const VIEW_ORDER_KEYS: Record<ClusterOrderField, string> = { ...TABLE_ORDER_KEYS, KUBERNETES_VERSION: '' };

/** A cluster as the fleet table reads it (FLEET_VIEW_COLUMNS), with its group. */
export type FleetViewCluster = Omit<
  ClusterEntity,
  'detachedAt' | 'consecutiveFailures' | 'nextSyncAt' | 'managementNamespace' | 'managementName' | 'updatedAt'
> & {
  group?: { id: string; name: string; description: string | null } | null;
  /** A time order's cursor key, to the microsecond (ORDER_COLUMNS). */
  orderKey?: string;
};

/**
 * Whose clusters a read may return: one organization's, or (a workspace-restricted API token) only
 * the listed clusters of it. Every API read of clusters takes this, so a restricted caller's lists,
 * counts and lookups leave the other clusters out exactly as if they did not exist.
 */
export interface ClusterScope {
  organizationId: string;
  /** null/undefined: every cluster of the organization. */
  clusterIds?: readonly string[] | null;
}

function scopeOf(scope: string | ClusterScope): ClusterScope {
  return typeof scope === 'string' ? { organizationId: scope } : scope;
}

/** Fleets of at least this many clusters get counts and summaries up to two seconds old. */
const LARGE_FLEET = 2000;
const LARGE_FLEET_TTL_MS = 2000;

export class ClusterRepository {
  private readonly counts = new LargeFleetCache<number>(LARGE_FLEET_TTL_MS, LARGE_FLEET);
  private readonly summaries = new LargeFleetCache<FleetSummaryRow>(LARGE_FLEET_TTL_MS, LARGE_FLEET);

  constructor(private readonly db: DataSource) {}

  /** Returns null when an attached cluster of that name exists already. */
  async attach(tx: EntityManager, organizationId: string, cluster: NewCluster): Promise<ClusterEntity | null> {
    const rows: ClusterEntity[] = await tx.query(
      `INSERT INTO clusters AS c (organization_id, name, api_server_url, group_id, labels, bindable_roles, connection_mode, status, next_sync_at)
       VALUES ($1, $2, $3, $4, $5, $6::text[], $7, 'PENDING', now())
       ON CONFLICT (organization_id, name) WHERE status <> 'DETACHED' DO NOTHING
       RETURNING ${COLUMNS}`,
      [organizationId, cluster.name, cluster.apiServerUrl, cluster.groupId, cluster.labels, cluster.bindableRoles, cluster.connectionMode ?? 'DIRECT'],
    );
    return rows[0] ?? null;
  }

  async findById(scope: string | ClusterScope, id: string, tx?: EntityManager): Promise<ClusterEntity | null> {
    const { organizationId, clusterIds } = scopeOf(scope);
    if (!isUuid(id) || (clusterIds && !clusterIds.includes(id))) return null;
    const rows: ClusterEntity[] = await (tx ?? this.db).query(
      `SELECT ${COLUMNS} FROM clusters c WHERE c.organization_id = $1 AND c.id = $2`,
      [organizationId, id],
    );
    return rows[0] ?? null;
  }

  async findByIds(scope: string | ClusterScope, ids: readonly string[]): Promise<ClusterEntity[]> {
    const { organizationId, clusterIds } = scopeOf(scope);
    const valid = ids.filter((id) => isUuid(id) && (!clusterIds || clusterIds.includes(id)));
    if (valid.length === 0) return [];
    return this.db.query(`SELECT ${COLUMNS} FROM clusters c WHERE c.organization_id = $1 AND c.id = ANY($2::uuid[])`, [
      organizationId,
      valid,
    ]);
  }

  /** The dashboard's fleet table: filters, one order, keyset pagination and the filtered total. */
  async listForFleetView(scope: string | ClusterScope, q: ClusterListQuery): Promise<Page<FleetViewCluster> & { totalCount: number }> {
    const { organizationId, clusterIds } = scopeOf(scope);
    const params: unknown[] = [organizationId];
    const where = ['c.organization_id = $1'];
    const f = q.filter ?? {};
    const p = (v: unknown) => {
      params.push(v);
      return `$${params.length}`;
    };
    if (clusterIds) where.push(`c.id = ANY(${p(clusterIds)}::uuid[])`);
    if (f.statuses?.length) where.push(`c.status = ANY(${p(f.statuses)}::text[])`);
    else where.push(`c.status <> 'DETACHED'`);
    if (f.providers?.length) where.push(`c.provider = ANY(${p(f.providers)}::text[])`);
    if (f.connectionModes?.length) where.push(`c.connection_mode = ANY(${p(f.connectionModes)}::text[])`);
    if (f.groupId) where.push(isUuid(f.groupId) ? `c.group_id = ${p(f.groupId)}` : 'false');
    if (f.search?.trim()) {
      // search_text is lower(name, region, version) in the C collation (migration 1766000000900).
      const like = `%${f.search.trim().replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      where.push(`c.search_text LIKE lower(${p(like)})`);
    }
    if (f.labels?.length) {
      // Own properties only: a key such as "__proto__" must stay a key.
      const obj = Object.fromEntries(f.labels.map((l) => [l.key, l.value]));
      where.push(`c.labels @> ${p(JSON.stringify(obj))}::jsonb`);
    }
    if (f.complianceStatuses?.length) {
      // UNKNOWN also covers clusters never scanned (no row in cluster_compliance).
      const ph = p(f.complianceStatuses);
      where.push(
        `coalesce((SELECT cc.status FROM cluster_compliance cc WHERE cc.cluster_id = c.id), 'UNKNOWN') = ANY(${ph}::text[])`,
      );
    }
    const whereSql = where.join(' AND ');
    const countParams = [...params];

    const order = ORDER_COLUMNS[q.orderBy?.field ?? 'NAME'];
    const dir = q.orderBy?.direction === 'DESC' ? 'DESC' : 'ASC';
    let pageWhere = whereSql;
    if (q.after) {
      const byTime = q.orderBy?.field === 'ATTACHED_AT' || q.orderBy?.field === 'LAST_SEEN_AT';
      // A cursor of another ordering (a name where a time belongs) is refused, not cast by PostgreSQL.
      const [value, id] = decodeCursor(q.after, { sort: byTime ? 'timestamp' : 'text', id: 'uuid' });
      const cmp = dir === 'ASC' ? '>' : '<';
      const cast = byTime ? '::timestamptz' : '::text';
      pageWhere += ` AND (${order.expr}, c.id) ${cmp} (${p(value)}${cast}, ${p(id)}::uuid)`;
    }
    const limit = p(q.first + 1);
    // The group comes along (the table shows it on every row). Filters on columns alone run as a
    // prepared statement: planning cost more than executing at 10,000 clusters. Label, search and
    // compliance filters are planned for their values every time: PostgreSQL's generic plan for
    // them assumes every organization is small and, at 1,000,000 clusters, read a third of the
    // registry through the label index for one page (42 ms against 0.1 ms for the custom plan).
    const valueSensitive = Boolean(f.labels?.length || f.search?.trim() || f.complianceStatuses?.length);
    const countSql = `SELECT count(*)::int AS n FROM clusters c WHERE ${whereSql}`;
    const countKey = JSON.stringify(countParams);
    const known = this.counts.known(countKey);
    // Without a count at hand, it rides in the page's own statement (an uncorrelated subquery, run
    // once): one round trip instead of two.
    const orderField = q.orderBy?.field ?? 'NAME';
    const columns = q.columns === 'table' ? FLEET_TABLE_COLUMNS + TABLE_ORDER_KEYS[orderField] : FLEET_VIEW_COLUMNS + VIEW_ORDER_KEYS[orderField];
    const pageSql = `SELECT ${columns}, CASE WHEN g.id IS NULL THEN NULL ELSE json_build_object('id', g.id, 'name', g.name, 'description', g.description) END AS "group"
           ${known === undefined ? `, (${countSql}) AS "totalCount"` : ''}
           FROM clusters c LEFT JOIN cluster_groups g ON g.id = c.group_id
          WHERE ${pageWhere} ORDER BY ${order.expr} ${dir}, c.id ${dir} LIMIT ${limit}`;
    type PageRow = FleetViewCluster & { totalCount?: number };
    const reading = valueSensitive ? (this.db.query(pageSql, params) as Promise<PageRow[]>) : preparedQuery<PageRow>(this.db, pageSql, params);
    const counting =
      known ??
      this.counts.track(
        countKey,
        (n) => n,
        reading.then(async (found) => {
          if (found.length > 0) return found[0].totalCount!;
          // No row to carry it: nothing matches at all, or the cursor is past the last match.
          if (!q.after) return 0;
          return ((await this.db.query(countSql, countParams)) as Array<{ n: number }>)[0].n;
        }),
      );
    const [rows, count] = await Promise.all([reading, counting]);
    const items = rows.slice(0, q.first);
    const last = items[items.length - 1];
    return {
      items,
      totalCount: count,
      hasNextPage: rows.length > q.first,
      endCursor: last ? encodeCursor(order.key(last), last.id) : null,
    };
  }

  cursorFor(cluster: FleetViewCluster, field: ClusterOrderField = 'NAME'): string {
    return encodeCursor(ORDER_COLUMNS[field].key(cluster), cluster.id);
  }

  async fleetSummary(scope: string | ClusterScope): Promise<FleetSummaryRow> {
    const { organizationId, clusterIds } = scopeOf(scope);
    if (clusterIds) return this.computeFleetSummary(organizationId, clusterIds);
    return this.summaries.get(organizationId, (s) => s.clusterCount, () => this.computeFleetSummary(organizationId, null));
  }

  private async computeFleetSummary(organizationId: string, clusterIds: readonly string[] | null): Promise<FleetSummaryRow> {
    // One pass over the organization's clusters; grouping sets give the three breakdowns at once.
    const rows: Array<{ status: string | null; provider: string | null; version: string | null; n: number; nodes: number; g: number }> =
      await this.db.query(
        `SELECT status, provider, coalesce(kubernetes_version, 'unknown') AS version, count(*)::int AS n,
                coalesce(sum(node_count), 0)::int AS nodes,
                GROUPING(status, provider, coalesce(kubernetes_version, 'unknown'))::int AS g
           FROM clusters WHERE organization_id = $1 AND status <> 'DETACHED' AND ($2::uuid[] IS NULL OR id = ANY($2::uuid[]))
          GROUP BY GROUPING SETS ((status), (provider), (coalesce(kubernetes_version, 'unknown')), ())`,
        [organizationId, clusterIds],
      );
    const total = rows.find((r) => r.g === 7);
    return {
      clusterCount: total?.n ?? 0,
      nodeCount: total?.nodes ?? 0,
      byStatus: rows.filter((r) => r.g === 3).map((r) => ({ status: r.status as ClusterStatus, count: r.n })).sort((a, b) => a.status.localeCompare(b.status)),
      byProvider: rows.filter((r) => r.g === 5).map((r) => ({ provider: r.provider as Provider, count: r.n })).sort((a, b) => a.provider.localeCompare(b.provider)),
      byVersion: rows
        .filter((r) => r.g === 6)
        .map((r) => ({ version: r.version as string, count: r.n }))
        .sort((a, b) => (versionSortKey(b.version) < versionSortKey(a.version) ? -1 : 1)),
    };
  }

  /** Labels and group, as the user edits them; null when the cluster is missing or detached. */
  async updateLabelsAndGroup(
    tx: EntityManager,
    organizationId: string,
    id: string,
    change: { labels?: Record<string, string>; groupId?: string | null },
  ): Promise<ClusterEntity | null> {
    if (!isUuid(id)) return null;
    const sets: string[] = ['updated_at = now()'];
    const params: unknown[] = [organizationId, id];
    if (change.labels !== undefined) {
      params.push(change.labels);
      sets.push(`labels = $${params.length}`);
    }
    if (change.groupId !== undefined) {
      params.push(change.groupId);
      sets.push(`group_id = $${params.length}`);
    }
    const rows: [ClusterEntity[], number] = await tx.query(
      `UPDATE clusters c SET ${sets.join(', ')} WHERE c.organization_id = $1 AND c.id = $2 AND c.status <> 'DETACHED' RETURNING ${COLUMNS}`,
      params,
    );
    return rows[0][0] ?? null;
  }

  /** The roles the cluster's agent may bind (what ACCESS enforcement may grant there). */
  async setBindableRoles(tx: EntityManager, organizationId: string, id: string, roles: string[]): Promise<void> {
    await tx.query(`UPDATE clusters c SET bindable_roles = $3::text[], updated_at = now() WHERE c.organization_id = $1 AND c.id = $2 AND c.status <> 'DETACHED'`, [organizationId, id, roles]);
  }

  /** A new credential is unproven until a sync succeeds with it: PENDING (not CONNECTED on the strength of the old one), synced now. */
  async markCredentialReplaced(tx: EntityManager, organizationId: string, id: string): Promise<ClusterEntity | null> {
    const rows: [ClusterEntity[], number] = await tx.query(
      `UPDATE clusters c SET status = 'PENDING', status_reason = $3, consecutive_failures = 0, next_sync_at = now(), updated_at = now()
        WHERE c.organization_id = $1 AND c.id = $2 AND c.status <> 'DETACHED' RETURNING ${COLUMNS}`,
      [organizationId, id, NEW_CREDENTIAL_REASON],
    );
    return rows[0][0] ?? null;
  }

  /** Points the cluster at a new API server URL and makes its sync due now, so the new address is tried at once. */
  async moveApiServer(tx: EntityManager, organizationId: string, id: string, apiServerUrl: string): Promise<ClusterEntity | null> {
    const rows: [ClusterEntity[], number] = await tx.query(
      `UPDATE clusters c SET api_server_url = $3, next_sync_at = now(), updated_at = now()
        WHERE c.organization_id = $1 AND c.id = $2 AND c.status <> 'DETACHED' RETURNING ${COLUMNS}`,
      [organizationId, id, apiServerUrl],
    );
    return rows[0][0] ?? null;
  }

  async markDetached(tx: EntityManager, organizationId: string, id: string): Promise<ClusterEntity | null> {
    if (!isUuid(id)) return null;
    const rows: [ClusterEntity[], number] = await tx.query(
      `UPDATE clusters c SET status = 'DETACHED', status_reason = 'detached by a user', detached_at = now(), next_sync_at = NULL, updated_at = now()
        WHERE c.organization_id = $1 AND c.id = $2 AND c.status <> 'DETACHED' RETURNING ${COLUMNS}`,
      [organizationId, id],
    );
    // Its cached snapshot goes with it (the cache holds attached clusters only).
    if (rows[0][0]) await tx.query(`DELETE FROM cluster_snapshots WHERE organization_id = $1 AND cluster_id = $2`, [organizationId, id]);
    return rows[0][0] ?? null;
  }

  /**
   * Claims clusters whose sync is due, across every organization (the worker's clock), and moves
   * their due time on in the same statement: SKIP LOCKED lets any number of replicas claim at once
   * without two of them taking the same cluster for the same tick.
   */
  async claimDueForSync(tx: EntityManager, limit: number, intervalSeconds: number): Promise<Array<{ id: string; organizationId: string }>> {
    const rows: [Array<{ id: string; organizationId: string }>, number] = await tx.query(
      `UPDATE clusters c SET next_sync_at = now() + make_interval(secs => $2)
        WHERE c.id IN (
          SELECT id FROM clusters
           WHERE status <> 'DETACHED' AND next_sync_at <= now()
           ORDER BY next_sync_at
           LIMIT $1
           FOR UPDATE SKIP LOCKED)
        RETURNING c.id, c.organization_id AS "organizationId"`,
      [limit, intervalSeconds],
    );
    return rows[0];
  }

  /**
   * The worker's read of a cluster a job names: the job's payload carries the organization the
   * outbox wrote with it, so the read is scoped like any other (a detached cluster is returned too,
   * for the job to see it is detached).
   */
  async findForWorker(organizationId: string, id: string): Promise<ClusterEntity | null> {
    return this.findById(organizationId, id);
  }

  /** What a sync needs in one round trip: the cluster and its stored credential (null when it has none). */
  async findForSync(organizationId: string, id: string): Promise<{ cluster: ClusterEntity; credential: StoredCredential | null } | null> {
    if (!isUuid(id)) return null;
    const rows: Array<ClusterEntity & { keyId: string | null } & Record<string, unknown>> = await this.db.query(
      `SELECT ${COLUMNS}, ${ClusterCredentialRepository.COLUMNS}
         FROM clusters c LEFT JOIN cluster_credentials k ON k.cluster_id = c.id AND k.organization_id = c.organization_id
        WHERE c.organization_id = $1 AND c.id = $2`,
      [organizationId, id],
    );
    const row = rows[0];
    if (!row) return null;
    const { keyId, iv, ciphertext, authTag, format, credentialIssuedAt, credentialExpiresAt, renewalFailures, renewalRetryAt, ...cluster } = row;
    const credential =
      keyId === null
        ? null
        : ClusterCredentialRepository.stored({ keyId, iv, ciphertext, authTag, format, credentialIssuedAt, credentialExpiresAt, renewalFailures, renewalRetryAt } as never);
    return { cluster: cluster as unknown as ClusterEntity, credential };
  }

  async recordSyncSuccess(organizationId: string, id: string, o: SyncObservation): Promise<ClusterEntity | null> {
    const rows: [ClusterEntity[], number] = await this.db.query(
      `UPDATE clusters c SET status = $3, status_reason = $4, provider = $5, region = $6, kubernetes_version = $7, version_key = $8,
              node_count = $9, ready_node_count = $10, last_seen_at = now(), consecutive_failures = 0, updated_at = now()
        WHERE c.organization_id = $1 AND c.id = $2 AND c.status <> 'DETACHED' RETURNING ${COLUMNS}`,
      [organizationId, id, o.status, o.statusReason, o.provider, o.region, o.kubernetesVersion, versionSortKey(o.kubernetesVersion), o.nodeCount, o.readyNodeCount],
    );
    return rows[0][0] ?? null;
  }

  /**
   * Points each workload cluster whose API URL a management cluster's Cluster object names at that
   * object, and unlinks clusters this management cluster no longer describes.
   */
  async linkManagedClusters(
    organizationId: string,
    managementClusterId: string,
    links: Array<{ url: string; namespace: string; name: string }>,
  ): Promise<number> {
    const res: [unknown[], number] = await this.db.query(
      `UPDATE clusters c SET management_cluster_id = $2, management_namespace = l.namespace, management_name = l.name, updated_at = now()
         FROM unnest($3::text[], $4::text[], $5::text[]) AS l(url, namespace, name)
        WHERE c.organization_id = $1 AND c.id <> $2 AND c.status <> 'DETACHED' AND rtrim(c.api_server_url, '/') = l.url
          AND (c.management_cluster_id IS DISTINCT FROM $2 OR c.management_namespace IS DISTINCT FROM l.namespace OR c.management_name IS DISTINCT FROM l.name)`,
      [organizationId, managementClusterId, links.map((l) => l.url), links.map((l) => l.namespace), links.map((l) => l.name)],
    );
    await this.db.query(
      `UPDATE clusters SET management_cluster_id = NULL, management_namespace = NULL, management_name = NULL
        WHERE organization_id = $1 AND management_cluster_id = $2 AND NOT (rtrim(api_server_url, '/') = ANY($3::text[]))`,
      [organizationId, managementClusterId, links.map((l) => l.url)],
    );
    return res[1];
  }

  /**
   * An agent cluster whose agent is not connected: UNREACHABLE with the reason once it has been gone
   * longer than the grace period (unreachable true), else its status stays and the next sync comes
   * when the grace period ends.
   */
  async recordAgentAbsent(organizationId: string, id: string, o: { unreachable: boolean; reason: string; nextSyncAt: Date }): Promise<ClusterEntity | null> {
    const rows: [ClusterEntity[], number] = await this.db.query(
      `UPDATE clusters c SET status = CASE WHEN $3::boolean THEN 'UNREACHABLE' ELSE c.status END,
              status_reason = CASE WHEN $3::boolean OR c.status = 'PENDING' THEN $4 ELSE c.status_reason END,
              consecutive_failures = c.consecutive_failures + 1, next_sync_at = $5, updated_at = now()
        WHERE c.organization_id = $1 AND c.id = $2 AND c.status <> 'DETACHED' RETURNING ${COLUMNS}`,
      [organizationId, id, o.unreachable, o.reason, o.nextSyncAt],
    );
    return rows[0][0] ?? null;
  }

  /**
   * One more consecutive failure. The cluster turns UNREACHABLE once failures reach the threshold
   * (a single blip does not flap the dashboard), and its next sync comes sooner than an interval,
   * backing off exponentially up to one interval (libs/schedule syncBackoff: the one formula).
   */
  /**
   * Returns the cluster after the failure and its status before it (`previousStatus`), read under
   * the row's lock: a caller that sees `previousStatus !== 'UNREACHABLE'` and `status ===
   * 'UNREACHABLE'` holds the one transition (pass `tx` to publish it in the same transaction).
   */
  async recordSyncFailure(
    organizationId: string,
    id: string,
    reason: string,
    opts: { unreachableAfter: number; backoff: { baseSeconds: number; maxSeconds: number }; credentialRejected?: boolean },
    tx: EntityManager | DataSource = this.db,
  ): Promise<(ClusterEntity & { previousStatus: ClusterStatus }) | null> {
    // A rejected credential is certain at once (no retry makes it work): never CONNECTED beside that reason.
    const rows: [Array<ClusterEntity & { previousStatus: ClusterStatus }>, number] = await tx.query(
      `UPDATE clusters c SET consecutive_failures = c.consecutive_failures + 1,
              status = CASE WHEN c.consecutive_failures + 1 >= $4 OR $7::boolean THEN 'UNREACHABLE' ELSE c.status END,
              status_reason = $3,
              next_sync_at = now() + make_interval(secs => least($6::float8, $5::float8 * power(2, least(c.consecutive_failures, 10)))),
              updated_at = now()
         FROM (SELECT id, status FROM clusters WHERE organization_id = $1 AND id = $2 FOR UPDATE) prev
        WHERE c.id = prev.id AND c.organization_id = $1 AND c.status <> 'DETACHED' RETURNING ${COLUMNS}, prev.status AS "previousStatus"`,
      [organizationId, id, reason, opts.unreachableAfter, opts.backoff.baseSeconds, opts.backoff.maxSeconds, opts.credentialRejected ?? false],
    );
    return rows[0][0] ?? null;
  }
}

export interface FleetSummaryRow {
  clusterCount: number;
  nodeCount: number;
  byStatus: Array<{ status: ClusterStatus; count: number }>;
  byProvider: Array<{ provider: Provider; count: number }>;
  byVersion: Array<{ version: string; count: number }>;
}
