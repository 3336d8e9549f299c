import { Args, ID, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Inject } from '@nestjs/common';
import { AppConfig } from '@flotilla/config';
import { CurrentViewer } from '../auth/current-viewer.decorator';
import { RequireRole } from '../auth/require-role.decorator';
import { ViewerContext } from '../auth/viewer';
import { pageSize } from '../common/pagination';
import { APP_CONFIG } from '@flotilla/infrastructure';
import { RunComplianceScanInput, ScanScheduleInput } from './compliance.inputs';
import { ScanConnectionModel, ScanModel, ScanScheduleModel } from './compliance.models';
import { ScanService } from './scan.service';

@Resolver(() => ScanModel)
export class ScanResolver {
  constructor(
    private readonly scanService: ScanService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Query(() => ScanConnectionModel)
  async scans(
    @CurrentViewer() viewer: ViewerContext,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ): Promise<ScanConnectionModel> {
    const page = await this.scanService.list(viewer, pageSize(first, this.config.api.maxPageSize), after);
    return {
      totalCount: page.totalCount,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
      edges: page.items.map((s) => ({ cursor: this.scanService.cursorFor(s), node: ScanModel.from(s) })),
    };
  }

  @Query(() => ScanModel, { nullable: true })
  async scan(@CurrentViewer() viewer: ViewerContext, @Args('id', { type: () => ID }) id: string): Promise<ScanModel | null> {
    const s = await this.scanService.get(viewer, id);
    return s ? ScanModel.from(s) : null;
  }

  @Mutation(() => ScanModel)
  @RequireRole('OPERATOR')
  async runComplianceScan(@CurrentViewer() viewer: ViewerContext, @Args('input') input: RunComplianceScanInput): Promise<ScanModel> {
    return ScanModel.from(await this.scanService.run(viewer, input));
  }

  @Query(() => ScanScheduleModel, { nullable: true })
  async scanSchedule(@CurrentViewer() viewer: ViewerContext): Promise<ScanScheduleModel | null> {
    const s = await this.scanService.getSchedule(viewer);
    return s ? ScanScheduleModel.from(s) : null;
  }

  @Mutation(() => ScanScheduleModel)
  @RequireRole('ADMIN')
  async setScanSchedule(@CurrentViewer() viewer: ViewerContext, @Args('input') input: ScanScheduleInput): Promise<ScanScheduleModel> {
    return ScanScheduleModel.from(await this.scanService.setSchedule(viewer, input));
  }
}
