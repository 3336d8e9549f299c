import { DataSource, EntityManager } from 'typeorm';
import { ClusterGroupEntity } from '../entities/cluster-group.entity';
import { isUuid } from '@flotilla/validation';

export interface ClusterGroupWithCount extends ClusterGroupEntity {
  clusterCount: number;
}

export class ClusterGroupRepository {
  constructor(private readonly db: DataSource) {}

  async listWithCounts(organizationId: string): Promise<ClusterGroupWithCount[]> {
    const rows: Array<Record<string, any>> = await this.db.query(
      `SELECT g.id, g.organization_id, g.name, g.description, g.created_at,
              (SELECT count(*) FROM clusters c WHERE c.organization_id = g.organization_id AND c.group_id = g.id AND c.status <> 'DETACHED')::int AS cluster_count
         FROM cluster_groups g WHERE g.organization_id = $1 ORDER BY g.name`,
      [organizationId],
    );
    return rows.map((r) => ({
      id: r.id,
      organizationId: r.organization_id,
      name: r.name,
      description: r.description,
      createdAt: r.created_at,
      clusterCount: r.cluster_count,
    }));
  }

  async findById(organizationId: string, id: string, tx?: EntityManager): Promise<ClusterGroupEntity | null> {
    return (tx ?? this.db.manager).getRepository(ClusterGroupEntity).findOneBy({ organizationId, id });
  }

  async findByIds(organizationId: string, ids: readonly string[]): Promise<ClusterGroupEntity[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    return this.db.query(
      `SELECT id, organization_id AS "organizationId", name, description, created_at AS "createdAt"
         FROM cluster_groups WHERE organization_id = $1 AND id = ANY($2::uuid[])`,
      [organizationId, valid],
    );
  }

  async countClusters(organizationId: string, groupIds: readonly string[]): Promise<Map<string, number>> {
    const rows: Array<{ group_id: string; n: number }> = await this.db.query(
      `SELECT group_id, count(*)::int AS n FROM clusters
        WHERE organization_id = $1 AND group_id = ANY($2::uuid[]) AND status <> 'DETACHED' GROUP BY group_id`,
      [organizationId, groupIds],
    );
    return new Map(rows.map((r) => [r.group_id, r.n]));
  }

  async findByName(organizationId: string, name: string): Promise<ClusterGroupEntity | null> {
    return this.db.getRepository(ClusterGroupEntity).findOneBy({ organizationId, name });
  }

  /** Returns null when the name is taken. */
  async create(tx: EntityManager, organizationId: string, name: string, description: string | null): Promise<ClusterGroupEntity | null> {
    const rows: Array<{ id: string }> = await tx.query(
      `INSERT INTO cluster_groups (organization_id, name, description) VALUES ($1, $2, $3)
       ON CONFLICT (organization_id, name) DO NOTHING RETURNING id`,
      [organizationId, name, description],
    );
    if (rows.length === 0) return null;
    return tx.getRepository(ClusterGroupEntity).findOneByOrFail({ organizationId, id: rows[0].id });
  }

  /**
   * Deletes the group unless something still depends on it: live clusters (they would silently
   * leave their group) or policies scoped to it, deleted ones included (the foreign key would
   * cascade and take their results, the compliance history, with them). Detached clusters and
   * scans keep their rows and lose only the link (ON DELETE SET NULL).
   */
  async deleteUnused(
    tx: EntityManager,
    organizationId: string,
    id: string,
  ): Promise<{ deleted: ClusterGroupEntity } | { liveClusters: string[]; policies: Array<{ name: string; deleted: boolean }> } | null> {
    const group = await tx.getRepository(ClusterGroupEntity).findOne({ where: { organizationId, id }, lock: { mode: 'pessimistic_write' } });
    if (!group) return null;
    const clusters: Array<{ name: string }> = await tx.query(
      `SELECT name FROM clusters WHERE organization_id = $1 AND group_id = $2 AND status <> 'DETACHED' ORDER BY name`,
      [organizationId, id],
    );
    const policies: Array<{ name: string; deleted: boolean }> = await tx.query(
      `SELECT name, deleted_at IS NOT NULL AS deleted FROM policies WHERE organization_id = $1 AND group_id = $2 ORDER BY deleted_at NULLS FIRST, name`,
      [organizationId, id],
    );
    if (clusters.length || policies.length) return { liveClusters: clusters.map((c) => c.name), policies };
    await tx.query(`DELETE FROM cluster_groups WHERE organization_id = $1 AND id = $2`, [organizationId, id]);
    return { deleted: group };
  }
}
