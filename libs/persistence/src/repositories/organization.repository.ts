import { DataSource, EntityManager } from 'typeorm';
import { OrganizationEntity } from '../entities/organization.entity';

export class OrganizationRepository {
  constructor(private readonly db: DataSource) {}

  async findById(organizationId: string): Promise<OrganizationEntity | null> {
    return this.db.getRepository(OrganizationEntity).findOneBy({ id: organizationId });
  }

  /** The ClusterRoles the organization's ACCESS policies may bind (read in the caller's transaction when given). */
  async accessBindableRoles(organizationId: string, tx?: EntityManager): Promise<string[]> {
    const rows: Array<{ roles: string[] }> = await (tx ?? this.db).query(`SELECT access_bindable_roles AS roles FROM organizations WHERE id = $1`, [organizationId]);
    return rows[0]?.roles ?? [];
  }

  async setAccessBindableRoles(tx: EntityManager, organizationId: string, roles: string[]): Promise<OrganizationEntity | null> {
    await tx.query(`UPDATE organizations SET access_bindable_roles = $2::text[] WHERE id = $1`, [organizationId, roles]);
    return tx.getRepository(OrganizationEntity).findOneBy({ id: organizationId });
  }

  async findOrCreateByName(tx: EntityManager, name: string): Promise<OrganizationEntity> {
    await tx.query(`INSERT INTO organizations (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [name]);
    return tx.getRepository(OrganizationEntity).findOneByOrFail({ name });
  }
}
