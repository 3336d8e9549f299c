import { DataSource, EntityManager } from 'typeorm';
import { isUuid } from '@flotilla/validation';

export interface WorkspaceRow {
  id: string;
  organizationId: string;
  name: string;
  description: string | null;
  createdAt: Date;
}

export interface WorkspaceNamespaceRow {
  workspaceId: string;
  clusterId: string;
  namespace: string;
}

/**
 * What a workspace-restricted token may see: the workspace's namespaces, grouped by cluster.
 * Detached clusters are left out (they are invisible anyway).
 */
export interface WorkspaceReach {
  workspaceId: string;
  namespacesByCluster: Map<string, ReadonlySet<string>>;
}

const COLUMNS = `w.id, w.organization_id AS "organizationId", w.name, w.description, w.created_at AS "createdAt"`;

/** Workspaces and their namespaces, every read and write scoped by organization. */
export class WorkspaceRepository {
  constructor(private readonly db: DataSource) {}

  /** Returns null when the name is taken. */
  async create(tx: EntityManager, organizationId: string, name: string, description: string | null): Promise<WorkspaceRow | null> {
    const rows: WorkspaceRow[] = await tx.query(
      `INSERT INTO workspaces AS w (organization_id, name, description) VALUES ($1, $2, $3)
       ON CONFLICT (organization_id, name) DO NOTHING RETURNING ${COLUMNS}`,
      [organizationId, name, description],
    );
    return rows[0] ?? null;
  }

  /** `onlyId`: a workspace-restricted caller lists its own workspace only. */
  async list(organizationId: string, onlyId?: string | null): Promise<WorkspaceRow[]> {
    return this.db.query(
      `SELECT ${COLUMNS} FROM workspaces w WHERE w.organization_id = $1 AND ($2::uuid IS NULL OR w.id = $2::uuid) ORDER BY w.name`,
      [organizationId, onlyId ?? null],
    );
  }

  async findById(organizationId: string, id: string, tx?: EntityManager): Promise<WorkspaceRow | null> {
    if (!isUuid(id)) return null;
    const rows: WorkspaceRow[] = await (tx ?? this.db).query(`SELECT ${COLUMNS} FROM workspaces w WHERE w.organization_id = $1 AND w.id = $2`, [organizationId, id]);
    return rows[0] ?? null;
  }

  async findByIds(organizationId: string, ids: readonly string[]): Promise<WorkspaceRow[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    return this.db.query(`SELECT ${COLUMNS} FROM workspaces w WHERE w.organization_id = $1 AND w.id = ANY($2::uuid[])`, [organizationId, valid]);
  }

  async findByName(organizationId: string, name: string): Promise<WorkspaceRow | null> {
    const rows: WorkspaceRow[] = await this.db.query(`SELECT ${COLUMNS} FROM workspaces w WHERE w.organization_id = $1 AND w.name = $2`, [organizationId, name]);
    return rows[0] ?? null;
  }

  /** The namespaces of these workspaces on attached clusters, ordered by cluster then namespace. */
  async namespacesOf(organizationId: string, workspaceIds: readonly string[], tx?: EntityManager): Promise<WorkspaceNamespaceRow[]> {
    const valid = workspaceIds.filter(isUuid);
    if (valid.length === 0) return [];
    return (tx ?? this.db).query(
      `SELECT wn.workspace_id AS "workspaceId", wn.cluster_id AS "clusterId", wn.namespace
         FROM workspace_namespaces wn JOIN clusters c ON c.id = wn.cluster_id AND c.organization_id = wn.organization_id
        WHERE wn.organization_id = $1 AND wn.workspace_id = ANY($2::uuid[]) AND c.status <> 'DETACHED'
        ORDER BY wn.workspace_id, c.name, wn.namespace`,
      [organizationId, valid],
    );
  }

  /** Returns false when the namespace was in the workspace already (adding is idempotent). */
  async addNamespace(tx: EntityManager, organizationId: string, workspaceId: string, clusterId: string, namespace: string): Promise<boolean> {
    const rows: unknown[] = await tx.query(
      `INSERT INTO workspace_namespaces (workspace_id, organization_id, cluster_id, namespace) VALUES ($1, $2, $3, $4)
       ON CONFLICT DO NOTHING RETURNING namespace`,
      [workspaceId, organizationId, clusterId, namespace],
    );
    return rows.length > 0;
  }

  async removeNamespace(tx: EntityManager, organizationId: string, workspaceId: string, clusterId: string, namespace: string): Promise<boolean> {
    if (!isUuid(clusterId)) return false;
    const res: [unknown[], number] = await tx.query(
      `DELETE FROM workspace_namespaces WHERE organization_id = $1 AND workspace_id = $2 AND cluster_id = $3 AND namespace = $4 RETURNING namespace`,
      [organizationId, workspaceId, clusterId, namespace],
    );
    return res[1] > 0;
  }

  /**
   * What still holds a workspace: policies scoped to it (deleted ones too: their results stay under
   * its scope) and unrevoked, unexpired tokens restricted to it.
   */
  async holders(tx: EntityManager, organizationId: string, id: string): Promise<{ policies: Array<{ name: string; deleted: boolean }>; tokens: string[] }> {
    const [policies, tokens]: [Array<{ name: string; deleted: boolean }>, Array<{ name: string }>] = await Promise.all([
      tx.query(`SELECT name, deleted_at IS NOT NULL AS deleted FROM policies WHERE organization_id = $1 AND workspace_id = $2 ORDER BY name`, [organizationId, id]),
      tx.query(`SELECT name FROM api_tokens WHERE organization_id = $1 AND workspace_id = $2 AND revoked_at IS NULL AND expires_at > now() ORDER BY name`, [organizationId, id]),
    ]);
    return { policies, tokens: tokens.map((t) => t.name) };
  }

  /**
   * Deletes the workspace and its namespaces; revoked or expired tokens that named it are unlinked
   * (and stay revoked). The caller refuses while holders() names anything.
   */
  async delete(tx: EntityManager, organizationId: string, id: string): Promise<WorkspaceRow | null> {
    if (!isUuid(id)) return null;
    await tx.query(`UPDATE api_tokens SET workspace_id = NULL, revoked_at = coalesce(revoked_at, now()) WHERE organization_id = $1 AND workspace_id = $2`, [organizationId, id]);
    const rows: [WorkspaceRow[], number] = await tx.query(`DELETE FROM workspaces w WHERE w.organization_id = $1 AND w.id = $2 RETURNING ${COLUMNS}`, [organizationId, id]);
    return rows[0][0] ?? null;
  }

  /** The reach of a workspace-restricted token (read at authentication). */
  async reachOf(organizationId: string, workspaceId: string): Promise<WorkspaceReach> {
    const rows = await this.namespacesOf(organizationId, [workspaceId]);
    const namespacesByCluster = new Map<string, Set<string>>();
    for (const r of rows) {
      const set = namespacesByCluster.get(r.clusterId) ?? new Set<string>();
      set.add(r.namespace);
      namespacesByCluster.set(r.clusterId, set);
    }
    return { workspaceId, namespacesByCluster };
  }
}
