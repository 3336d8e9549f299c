import { Args, Context, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Inject } from '@nestjs/common';
import { AppConfig } from '@flotilla/config';
import { ClusterRepository, InspectionRepository } from '@flotilla/persistence';
import { CurrentViewer } from '../auth/current-viewer.decorator';
import { RequireRole } from '../auth/require-role.decorator';
import { ViewerContext } from '../auth/viewer';
import { clusterScope } from '../auth/workspace-restriction';
import { parentPageArgs } from '../common/pagination';
import { requestLoader } from '../common/request-loaders';
import { ClusterModel } from '../clusters/cluster.model';
import { APP_CONFIG } from '@flotilla/infrastructure';
import { InspectionConnectionModel, InspectionModel, RunInspectionInput } from './inspection.model';
import { InspectionService } from './inspection.service';

@Resolver(() => InspectionModel)
export class InspectionResolver {
  constructor(
    private readonly service: InspectionService,
    private readonly clusters: ClusterRepository,
  ) {}

  @Query(() => InspectionModel, { nullable: true })
  async inspection(@CurrentViewer() viewer: ViewerContext, @Args('id', { type: () => ID }) id: string): Promise<InspectionModel | null> {
    const i = await this.service.get(viewer, id);
    return i ? InspectionModel.from(i) : null;
  }

  @Mutation(() => InspectionModel)
  @RequireRole('OPERATOR')
  async runInspection(@CurrentViewer() viewer: ViewerContext, @Args('input') input: RunInspectionInput): Promise<InspectionModel> {
    return InspectionModel.from(await this.service.run(viewer, input));
  }

  @ResolveField(() => ClusterModel)
  async cluster(@Parent() inspection: InspectionModel, @CurrentViewer() viewer: ViewerContext, @Context() ctx: object): Promise<ClusterModel | null> {
    const loader = requestLoader<string, ClusterModel>(ctx, 'inspections.clusterById', async (ids) => {
      const rows = await this.clusters.findByIds(clusterScope(viewer), ids);
      const byId = new Map(rows.map((c) => [c.id, ClusterModel.from(c)]));
      return ids.map((id) => byId.get(id) ?? null);
    });
    return loader.load(inspection.clusterId);
  }
}

/** Cluster.inspections, batched per request. */
@Resolver(() => ClusterModel)
export class ClusterInspectionFieldsResolver {
  constructor(
    private readonly inspectionRows: InspectionRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @ResolveField(() => InspectionConnectionModel)
  async inspections(
    @Parent() cluster: ClusterModel,
    @Context() ctx: object,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { type: () => String, nullable: true }) after?: string,
  ): Promise<InspectionConnectionModel> {
    const { size } = parentPageArgs(first, after, this.config.api.maxPageSize);
    const loader = requestLoader<string, InspectionConnectionModel>(ctx, `inspections.page.${size}.${after ?? ''}`, async (ids) => {
      const pages = await this.inspectionRows.pagesForClusters(cluster.organizationId, ids, size, after);
      return ids.map((id) => {
        const page = pages.get(id) ?? { items: [], cursors: [], hasNextPage: false, endCursor: null };
        return {
          pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
          edges: page.items.map((i, n) => ({ cursor: page.cursors[n], node: InspectionModel.from(i) })),
        };
      });
    });
    return (await loader.load(cluster.id)) as InspectionConnectionModel;
  }
}
