import { DataSource, EntityManager } from 'typeorm';
import { OrganizationEntity } from '../entities/organization.entity';

export class OrganizationRepository {
  constructor(private readonly db: DataSource) {}

  async findById(organizationId: string): Promise<OrganizationEntity | null> {
    return this.db.getRepository(OrganizationEntity).findOneBy({ id: organizationId });
  }

  async findOrCreateByName(tx: EntityManager, name: string): Promise<OrganizationEntity> {
    await tx.query(`INSERT INTO organizations (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [name]);
    return tx.getRepository(OrganizationEntity).findOneByOrFail({ name });
  }
}
