import { Args, Context, ID, Info, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import { Inject } from '@nestjs/common';
import { AppConfig } from '@flotilla/config';
import { ClusterGroupRepository } from '@flotilla/persistence';
import { CurrentViewer } from '../auth/current-viewer.decorator';
import { RequireRole } from '../auth/require-role.decorator';
import { ViewerContext } from '../auth/viewer';
import { pageSize } from '../common/pagination';
import { requestLoader } from '../common/request-loaders';
import { APP_CONFIG } from '@flotilla/infrastructure';
import { ClusterGroupModel } from './cluster-group.model';
import { AttachClusterInput, ClustersArgs, UpdateClusterInput } from './cluster.inputs';
import { ClusterConnectionModel, ClusterModel } from './cluster.model';
import { ClusterService } from './cluster.service';
import { asksOnlyFleetTable } from './fleet-table-selection';

@Resolver(() => ClusterModel)
export class ClusterResolver {
  constructor(
    private readonly clusterService: ClusterService,
    private readonly groups: ClusterGroupRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Query(() => ClusterConnectionModel)
  async clusters(@CurrentViewer() viewer: ViewerContext, @Args() args: ClustersArgs, @Info() info: GraphQLResolveInfo): Promise<ClusterConnectionModel> {
    const first = pageSize(args.first, this.config.api.maxPageSize);
    const page = await this.clusterService.list(viewer, {
      filter: args.filter ?? undefined,
      first,
      after: args.after,
      orderBy: args.orderBy ?? undefined,
      // The dashboard's table reads half the row; any other field gets the whole row.
      columns: asksOnlyFleetTable(info) ? 'table' : 'all',
    });
    const field = args.orderBy?.field ?? 'NAME';
    return {
      totalCount: page.totalCount,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
      edges: page.items.map((c) => ({ cursor: this.clusterService.cursorFor(c, field), node: ClusterModel.from(c) })),
    };
  }

  @Query(() => ClusterModel, { nullable: true })
  async cluster(@CurrentViewer() viewer: ViewerContext, @Args('id', { type: () => ID }) id: string): Promise<ClusterModel | null> {
    const c = await this.clusterService.get(viewer, id);
    return c ? ClusterModel.from(c) : null;
  }

  @Mutation(() => ClusterModel)
  @RequireRole('OPERATOR')
  async attachCluster(@CurrentViewer() viewer: ViewerContext, @Args('input') input: AttachClusterInput): Promise<ClusterModel> {
    return ClusterModel.from(await this.clusterService.attach(viewer, input));
  }

  @Mutation(() => ClusterModel)
  @RequireRole('OPERATOR')
  async updateCluster(
    @CurrentViewer() viewer: ViewerContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: UpdateClusterInput,
  ): Promise<ClusterModel> {
    return ClusterModel.from(await this.clusterService.update(viewer, id, input));
  }

  @Mutation(() => ClusterModel)
  @RequireRole('OPERATOR')
  async detachCluster(@CurrentViewer() viewer: ViewerContext, @Args('id', { type: () => ID }) id: string): Promise<ClusterModel> {
    return ClusterModel.from(await this.clusterService.detach(viewer, id));
  }

  @ResolveField(() => ClusterGroupModel, { nullable: true })
  async group(@Parent() cluster: ClusterModel, @Context() ctx: object): Promise<ClusterGroupModel | null> {
    if (!cluster.groupId) return null;
    if (cluster.preloadedGroup) return ClusterGroupModel.unCounted(cluster.preloadedGroup);
    const loader = requestLoader<string, ClusterGroupModel>(ctx, 'groupById', async (ids) => {
      const rows = await this.groups.findByIds(cluster.organizationId, ids);
      const byId = new Map(rows.map((g) => [g.id, g]));
      // clusterCount is resolved by ClusterGroupResolver only when a query asks for it.
      return ids.map((id) => {
        const g = byId.get(id);
        return g ? ClusterGroupModel.unCounted(g) : null;
      });
    });
    return loader.load(cluster.groupId);
  }
}
