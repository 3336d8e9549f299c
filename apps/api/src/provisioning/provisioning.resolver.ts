import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { ClusterRepository } from '@flotilla/persistence';
import { CurrentViewer } from '../auth/current-viewer.decorator';
import { RequireRole } from '../auth/require-role.decorator';
import { ViewerContext } from '../auth/viewer';
import { requestLoader } from '../common/request-loaders';
import { ClusterModel } from '../clusters/cluster.model';
import { ClusterManifestsModel, ManagementClusterModel, ProvisionClusterInput, ProvisioningModel } from './provisioning.model';
import { ProvisioningService } from './provisioning.service';

@Resolver(() => ProvisioningModel)
export class ProvisioningResolver {
  constructor(
    private readonly service: ProvisioningService,
    private readonly clusters: ClusterRepository,
  ) {}

  @Query(() => [ManagementClusterModel], { description: 'Attached management clusters (their sync found Cluster API) with the releases, VM classes and storage classes they offer.' })
  async managementClusters(@CurrentViewer() viewer: ViewerContext): Promise<ManagementClusterModel[]> {
    return this.service.managementClusters(viewer);
  }

  @Query(() => ClusterManifestsModel, { description: 'The Cluster API objects provisionCluster would apply, validated against the management cluster\'s offers; applies nothing.' })
  async previewClusterManifests(@CurrentViewer() viewer: ViewerContext, @Args('input') input: ProvisionClusterInput): Promise<ClusterManifestsModel> {
    return this.service.preview(viewer, input);
  }

  @Mutation(() => ClusterModel, { description: 'Creates a cluster through Cluster API on a management cluster: PENDING with provisioning.phase PROVISIONING until the worker attaches it (CONNECTED, phase RUNNING) or it fails (FAILED with the reason).' })
  @RequireRole('OPERATOR')
  async provisionCluster(@CurrentViewer() viewer: ViewerContext, @Args('input') input: ProvisionClusterInput): Promise<ClusterModel> {
    return ClusterModel.from(await this.service.provision(viewer, input));
  }

  @Mutation(() => ClusterModel, { description: 'Deletes a cluster Flotilla provisioned (its Cluster object on the management cluster); DETACHED with provisioning.phase DELETED once Cluster API has removed it.' })
  @RequireRole('OPERATOR')
  async deprovisionCluster(@CurrentViewer() viewer: ViewerContext, @Args('id', { type: () => ID }) id: string): Promise<ClusterModel> {
    return ClusterModel.from(await this.service.deprovision(viewer, id));
  }

  @ResolveField(() => ClusterModel)
  async managementCluster(@Parent() p: ProvisioningModel, @Context() ctx: object): Promise<ClusterModel | null> {
    const loader = requestLoader<string, ClusterModel>(ctx, 'provisioning.managementById', async (ids) => {
      const rows = await this.clusters.findByIds(p.organizationId, ids);
      const byId = new Map(rows.map((c) => [c.id, ClusterModel.from(c)]));
      return ids.map((id) => byId.get(id) ?? null);
    });
    return loader.load(p.managementClusterId);
  }
}

/** Cluster.provisioning, batched per request. */
@Resolver(() => ClusterModel)
export class ClusterProvisioningFieldResolver {
  constructor(private readonly service: ProvisioningService) {}

  @ResolveField(() => ProvisioningModel, { nullable: true, description: 'Set for clusters Flotilla provisioned through Cluster API.' })
  async provisioning(@Parent() cluster: ClusterModel, @Context() ctx: object): Promise<ProvisioningModel | null> {
    const loader = requestLoader<string, ProvisioningModel | null>(ctx, 'provisioning.byCluster', async (ids) => {
      const rows = await this.service.provisioningsFor(cluster.organizationId, ids);
      const byId = new Map(rows.map((r) => [r.clusterId, ProvisioningModel.from(r)]));
      return ids.map((id) => byId.get(id) ?? null);
    });
    return loader.load(cluster.id);
  }
}
