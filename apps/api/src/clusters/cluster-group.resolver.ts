import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentViewer } from '../auth/current-viewer.decorator';
import { RequireRole } from '../auth/require-role.decorator';
import { ViewerContext } from '../auth/viewer';
import { ClusterGroupModel } from './cluster-group.model';
import { CreateClusterGroupInput } from './cluster.inputs';
import { ClusterService } from './cluster.service';

@Resolver(() => ClusterGroupModel)
export class ClusterGroupResolver {
  constructor(private readonly clusters: ClusterService) {}

  @Query(() => [ClusterGroupModel])
  async clusterGroups(@CurrentViewer() viewer: ViewerContext): Promise<ClusterGroupModel[]> {
    return (await this.clusters.listGroups(viewer)).map((g) => ({ id: g.id, name: g.name, description: g.description, clusterCount: g.clusterCount }));
  }

  @Mutation(() => ClusterGroupModel)
  @RequireRole('OPERATOR')
  async createClusterGroup(@CurrentViewer() viewer: ViewerContext, @Args('input') input: CreateClusterGroupInput): Promise<ClusterGroupModel> {
    const g = await this.clusters.createGroup(viewer, input);
    return { id: g.id, name: g.name, description: g.description, clusterCount: g.clusterCount };
  }
}
