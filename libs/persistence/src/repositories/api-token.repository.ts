import { DataSource, EntityManager, IsNull } from 'typeorm';
import { ApiTokenEntity, Role } from '../entities/api-token.entity';

export interface NewApiToken {
  name: string;
  role: Role;
  tokenPrefix: string;
  tokenHash: Buffer;
  createdBy: string;
  expiresAt: Date;
}

export class ApiTokenRepository {
  constructor(private readonly db: DataSource) {}

  async create(tx: EntityManager, organizationId: string, token: NewApiToken): Promise<ApiTokenEntity> {
    const repo = tx.getRepository(ApiTokenEntity);
    return repo.save(repo.create({ organizationId, ...token, lastUsedAt: null, revokedAt: null }));
  }

  async list(organizationId: string): Promise<ApiTokenEntity[]> {
    return this.db.getRepository(ApiTokenEntity).find({ where: { organizationId }, order: { createdAt: 'DESC', id: 'ASC' } });
  }

  async findById(organizationId: string, id: string): Promise<ApiTokenEntity | null> {
    return this.db.getRepository(ApiTokenEntity).findOneBy({ organizationId, id });
  }

  async revoke(tx: EntityManager, organizationId: string, id: string): Promise<ApiTokenEntity | null> {
    await tx.getRepository(ApiTokenEntity).update({ organizationId, id, revokedAt: IsNull() }, { revokedAt: new Date() });
    return tx.getRepository(ApiTokenEntity).findOneBy({ organizationId, id });
  }

  /** Authentication is the one lookup that is not scoped by organization: it is how we learn it. */
  async findByPrefixForAuthentication(tokenPrefix: string): Promise<ApiTokenEntity | null> {
    return this.db.getRepository(ApiTokenEntity).findOneBy({ tokenPrefix });
  }

  /** Bounded write amplification: last_used_at moves at most once a minute per token. */
  async touchLastUsed(organizationId: string, id: string): Promise<void> {
    await this.db.query(
      `UPDATE api_tokens SET last_used_at = now()
        WHERE organization_id = $1 AND id = $2 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [organizationId, id],
    );
  }
}
