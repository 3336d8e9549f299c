import { Args, Context, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { ClusterGroupRepository } from '@flotilla/persistence';
import { CurrentViewer } from '../auth/current-viewer.decorator';
import { RequireRole } from '../auth/require-role.decorator';
import { ViewerContext } from '../auth/viewer';
import { requestLoader } from '../common/request-loaders';
import { ClusterGroupModel } from './cluster-group.model';
import { CreateClusterGroupInput } from './cluster.inputs';
import { ClusterService } from './cluster.service';

@Resolver(() => ClusterGroupModel)
export class ClusterGroupResolver {
  constructor(
    private readonly clusters: ClusterService,
    private readonly groups: ClusterGroupRepository,
  ) {}

  @Query(() => [ClusterGroupModel])
  async clusterGroups(@CurrentViewer() viewer: ViewerContext): Promise<ClusterGroupModel[]> {
    return (await this.clusters.listGroups(viewer)).map((g) =>
      Object.assign(ClusterGroupModel.unCounted(g), { clusterCount: g.clusterCount }),
    );
  }

  @Mutation(() => ClusterGroupModel)
  @RequireRole('OPERATOR')
  async createClusterGroup(@CurrentViewer() viewer: ViewerContext, @Args('input') input: CreateClusterGroupInput): Promise<ClusterGroupModel> {
    const g = await this.clusters.createGroup(viewer, input);
    return Object.assign(ClusterGroupModel.unCounted(g), { clusterCount: g.clusterCount });
  }

  @Mutation(() => ClusterGroupModel, { description: 'Deletes an empty group; refused while live clusters are in it or policies are scoped to it' })
  @RequireRole('OPERATOR')
  async deleteClusterGroup(@CurrentViewer() viewer: ViewerContext, @Args('id', { type: () => ID }) id: string): Promise<ClusterGroupModel> {
    const g = await this.clusters.deleteGroup(viewer, id);
    return Object.assign(ClusterGroupModel.unCounted(g), { clusterCount: g.clusterCount });
  }

  /** Groups reached through a cluster are loaded without counts; count them (all at once) only when asked. */
  @ResolveField(() => Int)
  async clusterCount(@Parent() group: ClusterGroupModel, @Context() ctx: { viewer: ViewerContext }): Promise<number> {
    if (group.clusterCount !== null && group.clusterCount !== undefined) return group.clusterCount;
    const loader = requestLoader<string, number>(ctx, 'groupClusterCount', async (ids) => {
      // The viewer was resolved by the guard of the root field this group hangs under.
      const counts = await this.groups.countClusters(ctx.viewer.organizationId, ids);
      return ids.map((id) => counts.get(id) ?? 0);
    });
    return (await loader.load(group.id)) ?? 0;
  }
}
