import { DataSource, EntityManager, IsNull } from 'typeorm';
import { ApiTokenEntity, Role } from '../entities/api-token.entity';

export interface NewApiToken {
  name: string;
  role: Role;
  tokenPrefix: string;
  tokenHash: Buffer;
  createdBy: string;
  expiresAt: Date;
  workspaceId?: string | null;
}

export class ApiTokenRepository {
  /** When this process last wrote last_used_at per token: skips a write per request. */
  private readonly touched = new Map<string, number>();

  constructor(private readonly db: DataSource) {}

  async create(tx: EntityManager, organizationId: string, token: NewApiToken): Promise<ApiTokenEntity> {
    const repo = tx.getRepository(ApiTokenEntity);
    return repo.save(repo.create({ organizationId, ...token, workspaceId: token.workspaceId ?? null, lastUsedAt: null, revokedAt: null }));
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
    const rows: ApiTokenEntity[] = await this.db.query(
      `SELECT id, organization_id AS "organizationId", name, role, token_prefix AS "tokenPrefix", token_hash AS "tokenHash",
              created_by AS "createdBy", created_at AS "createdAt", expires_at AS "expiresAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt",
              workspace_id AS "workspaceId"
         FROM api_tokens WHERE token_prefix = $1`,
      [tokenPrefix],
    );
    return rows[0] ?? null;
  }

  /** Bounded write amplification: last_used_at moves at most once a minute per token. */
  async touchLastUsed(organizationId: string, id: string): Promise<void> {
    const now = Date.now();
    if (now - (this.touched.get(id) ?? 0) < 60_000) return;
    if (this.touched.size > 10_000) this.touched.clear();
    this.touched.set(id, now);
    await this.db.query(
      `UPDATE api_tokens SET last_used_at = now()
        WHERE organization_id = $1 AND id = $2 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [organizationId, id],
    );
  }
}
