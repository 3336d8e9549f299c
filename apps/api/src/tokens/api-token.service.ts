import { Inject, Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { ApiTokenEntity, ApiTokenRepository, AuditRepository, WorkspaceRepository } from '@flotilla/persistence';
import { isUuid } from '@flotilla/validation';
import { issueToken } from '@flotilla/access';
import { displayName } from '@flotilla/validation';
import { ViewerContext, roleAllows } from '../auth/viewer';
import { DomainError, ErrorCode, badInput, idInMessage, notFound } from '../common/domain.errors';
import { DATA_SOURCE } from '@flotilla/infrastructure';
import { AuthenticationService } from '../auth/authentication.service';
import { CreateApiTokenInput } from './api-token.model';

export const DEFAULT_TOKEN_DAYS = 90;
export const MAX_TOKEN_DAYS = 365;

@Injectable()
export class ApiTokenService {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly tokens: ApiTokenRepository,
    private readonly audit: AuditRepository,
    private readonly authentication: AuthenticationService,
    private readonly workspaces: WorkspaceRepository,
  ) {}

  list(viewer: ViewerContext): Promise<ApiTokenEntity[]> {
    return this.tokens.list(viewer.organizationId);
  }

  /** Every token expires (default 90 days); none may carry more power than its creator. */
  async create(viewer: ViewerContext, input: CreateApiTokenInput): Promise<{ token: string; apiToken: ApiTokenEntity }> {
    const name = displayName(input.name, 'input.name', 100);
    const role = input.role ?? 'VIEWER';
    if (!roleAllows(viewer.role, role)) throw new DomainError(ErrorCode.Forbidden, `a ${viewer.role} token cannot create a ${role} token`);
    const days = input.expiresInDays ?? DEFAULT_TOKEN_DAYS;
    if (!Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS) throw badInput('input.expiresInDays', `must be between 1 and ${MAX_TOKEN_DAYS}`);
    const issued = issueToken();
    return this.db.transaction(async (tx) => {
      const workspaceId = await this.workspaceFor(viewer, input.workspaceId, tx);
      const row = await this.tokens.create(tx, viewer.organizationId, {
        workspaceId,
        name,
        role,
        tokenPrefix: issued.prefix,
        tokenHash: issued.hash,
        createdBy: viewer.actor,
        expiresAt: new Date(Date.now() + days * 86_400_000),
      });
      await this.audit.record(tx, viewer.organizationId, {
        actor: viewer.actor,
        action: 'apiToken.create',
        targetType: 'ApiToken',
        targetId: row.id,
        details: { name, role, expiresInDays: days, workspaceId },
      });
      return { token: issued.token, apiToken: row };
    });
  }

  /**
   * The workspace a new token is restricted to. A workspace-restricted creator can only create
   * tokens of its own workspace (the default for it); another workspace answers like a missing one.
   */
  private async workspaceFor(viewer: ViewerContext, requested: string | null | undefined, tx: EntityManager): Promise<string | null> {
    const id = requested ?? viewer.workspace?.workspaceId ?? null;
    if (id === null) return null;
    const missing = badInput('input.workspaceId', `no workspace with id ${idInMessage(id)}`);
    if (viewer.workspace && viewer.workspace.workspaceId !== id) throw missing;
    const workspace = await this.workspaces.findById(viewer.organizationId, id, tx);
    if (!workspace) throw missing;
    return workspace.id;
  }

  async revoke(viewer: ViewerContext, id: string): Promise<ApiTokenEntity> {
    if (!isUuid(id)) throw notFound('API token', id);
    return this.db.transaction(async (tx) => {
      const row = await this.tokens.revoke(tx, viewer.organizationId, id);
      if (!row) throw notFound('API token', id);
      await this.audit.record(tx, viewer.organizationId, { actor: viewer.actor, action: 'apiToken.revoke', targetType: 'ApiToken', targetId: id });
      this.authentication.forget(id);
      return row;
    });
  }
}
