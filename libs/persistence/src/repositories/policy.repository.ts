import { DataSource, EntityManager } from 'typeorm';
import { isUuid } from '@flotilla/validation';

export type PolicyTypeName = 'ACCESS' | 'NETWORK' | 'QUOTA' | 'IMAGE_REGISTRY' | 'SECURITY' | 'LABELS' | 'CUSTOM';
export type PolicyModeName = 'AUDIT' | 'ENFORCE';
export type PolicyScopeKindName = 'ORGANIZATION' | 'GROUP' | 'CLUSTER' | 'WORKSPACE';

export interface PolicyRow {
  id: string;
  organizationId: string;
  name: string;
  type: PolicyTypeName;
  mode: PolicyModeName;
  spec: unknown;
  scopeKind: PolicyScopeKindName;
  groupId: string | null;
  clusterId: string | null;
  workspaceId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewPolicy {
  name: string;
  type: PolicyTypeName;
  mode: PolicyModeName;
  spec: unknown;
  scopeKind: PolicyScopeKindName;
  groupId: string | null;
  clusterId: string | null;
  workspaceId?: string | null;
}

const COLUMNS = `p.id, p.organization_id AS "organizationId", p.name, p.type, p.mode, p.spec, p.scope_kind AS "scopeKind",
  p.group_id AS "groupId", p.cluster_id AS "clusterId", p.workspace_id AS "workspaceId", p.created_at AS "createdAt", p.updated_at AS "updatedAt"`;

/**
 * SQL condition: policy `p` is live and applies to the cluster whose organization, group and id
 * the given expressions name — the union of organization, group, cluster and workspace scopes (a
 * workspace policy applies to a cluster on which its workspace has a namespace; which namespaces
 * it governs there is libs/policy's governedNamespaces).
 */
export function effectivePolicyCondition(organization: string, groupId: string, clusterId: string): string {
  return `p.organization_id = ${organization} AND p.deleted_at IS NULL
          AND (p.scope_kind = 'ORGANIZATION'
               OR (p.scope_kind = 'GROUP' AND p.group_id = ${groupId})
               OR (p.scope_kind = 'CLUSTER' AND p.cluster_id = ${clusterId})
               OR (p.scope_kind = 'WORKSPACE' AND EXISTS (
                     SELECT 1 FROM workspace_namespaces wn
                      WHERE wn.workspace_id = p.workspace_id AND wn.organization_id = p.organization_id AND wn.cluster_id = ${clusterId})))`;
}

/** SQL: the namespaces policy `p`'s workspace has on the cluster `clusterId` names (a JSON array; [] for other scopes). */
export function workspaceNamespacesExpression(clusterId: string): string {
  return `(SELECT coalesce(json_agg(wn.namespace ORDER BY wn.namespace), '[]'::json) FROM workspace_namespaces wn
            WHERE p.scope_kind = 'WORKSPACE' AND wn.workspace_id = p.workspace_id AND wn.organization_id = p.organization_id AND wn.cluster_id = ${clusterId})`;
}


/** Live (not deleted) policies of one organization. */
export class PolicyRepository {
  constructor(private readonly db: DataSource) {}

  /** Returns null when a live policy of that name exists already. */
  async create(tx: EntityManager, organizationId: string, p: NewPolicy): Promise<PolicyRow | null> {
    const rows: PolicyRow[] = await tx.query(
      `INSERT INTO policies AS p (organization_id, name, type, mode, spec, scope_kind, group_id, cluster_id, workspace_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (organization_id, name) WHERE deleted_at IS NULL DO NOTHING
       RETURNING ${COLUMNS}`,
      [organizationId, p.name, p.type, p.mode, JSON.stringify(p.spec), p.scopeKind, p.groupId, p.clusterId, p.workspaceId ?? null],
    );
    return rows[0] ?? null;
  }

  async findById(organizationId: string, id: string, tx?: EntityManager): Promise<PolicyRow | null> {
    if (!isUuid(id)) return null;
    const rows: PolicyRow[] = await (tx ?? this.db).query(
      `SELECT ${COLUMNS} FROM policies p WHERE p.organization_id = $1 AND p.id = $2 AND p.deleted_at IS NULL`,
      [organizationId, id],
    );
    return rows[0] ?? null;
  }

  /** Including deleted ones: history (policy results) still names them. */
  async findByIdsIncludingDeleted(organizationId: string, ids: readonly string[]): Promise<PolicyRow[]> {
    if (ids.length === 0) return [];
    return this.db.query(`SELECT ${COLUMNS} FROM policies p WHERE p.organization_id = $1 AND p.id = ANY($2::uuid[])`, [organizationId, ids]);
  }

  async list(organizationId: string): Promise<PolicyRow[]> {
    return this.db.query(`SELECT ${COLUMNS} FROM policies p WHERE p.organization_id = $1 AND p.deleted_at IS NULL ORDER BY p.name`, [
      organizationId,
    ]);
  }

  /** A cluster's effective policies: the union of its organization's, its group's and its own. */
  async effectiveFor(organizationId: string, cluster: { id: string; groupId: string | null }): Promise<PolicyRow[]> {
    return this.db.query(
      `SELECT ${COLUMNS} FROM policies p WHERE ${effectivePolicyCondition('$1', '$2::uuid', '$3::uuid')} ORDER BY p.name`,
      [organizationId, cluster.groupId, cluster.id],
    );
  }

  /** Returns null when there is no such live policy, 'conflict' when the new name is taken. */
  async update(
    tx: EntityManager,
    organizationId: string,
    id: string,
    change: { name?: string; mode?: PolicyModeName; spec?: unknown },
  ): Promise<PolicyRow | null | 'conflict'> {
    const sets = ['updated_at = now()'];
    const params: unknown[] = [organizationId, id];
    const set = (column: string, value: unknown) => {
      params.push(value);
      sets.push(`${column} = $${params.length}`);
    };
    if (change.name !== undefined) set('name', change.name);
    if (change.mode !== undefined) set('mode', change.mode);
    if (change.spec !== undefined) set('spec', JSON.stringify(change.spec));
    try {
      const rows: [PolicyRow[], number] = await tx.query(
        `UPDATE policies p SET ${sets.join(', ')} WHERE p.organization_id = $1 AND p.id = $2 AND p.deleted_at IS NULL RETURNING ${COLUMNS}`,
        params,
      );
      return rows[0][0] ?? null;
    } catch (err) {
      if ((err as { code?: string }).code === '23505') return 'conflict';
      throw err;
    }
  }

  async softDelete(tx: EntityManager, organizationId: string, id: string): Promise<PolicyRow | null> {
    if (!isUuid(id)) return null;
    const rows: [PolicyRow[], number] = await tx.query(
      `UPDATE policies p SET deleted_at = now(), updated_at = now() WHERE p.organization_id = $1 AND p.id = $2 AND p.deleted_at IS NULL RETURNING ${COLUMNS}`,
      [organizationId, id],
    );
    return rows[0][0] ?? null;
  }
}
