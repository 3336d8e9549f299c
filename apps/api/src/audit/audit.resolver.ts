import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { Inject } from '@nestjs/common';
import { AppConfig } from '@flotilla/config';
import { AuditRepository, encodeCursor } from '@flotilla/persistence';
import { CurrentViewer } from '../auth/current-viewer.decorator';
import { RequireRole } from '../auth/require-role.decorator';
import { ViewerContext } from '../auth/viewer';
import { pageSize } from '../common/pagination';
import { APP_CONFIG } from '@flotilla/infrastructure';
import { AuditEventConnectionModel } from './audit-event.model';

@Resolver()
export class AuditResolver {
  constructor(
    private readonly audit: AuditRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Query(() => AuditEventConnectionModel)
  @RequireRole('ADMIN')
  async auditEvents(
    @CurrentViewer() viewer: ViewerContext,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { type: () => String, nullable: true }) after?: string,
  ): Promise<AuditEventConnectionModel> {
    const page = await this.audit.list(viewer.organizationId, pageSize(first, this.config.api.maxPageSize), after ?? undefined);
    return {
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
      edges: page.items.map((e) => ({
        cursor: encodeCursor(e.id, e.id),
        node: { id: e.id, at: e.at, actor: e.actor, action: e.action, targetType: e.targetType, targetId: e.targetId, outcome: e.outcome },
      })),
    };
  }
}
