import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { ClusterGroupRepository, ClusterRepository } from '@flotilla/persistence';
import { CurrentViewer } from '../auth/current-viewer.decorator';
import { RequireRole } from '../auth/require-role.decorator';
import { ViewerContext } from '../auth/viewer';
import { clusterScope } from '../auth/workspace-restriction';
import { ClusterGroupModel } from '../clusters/cluster-group.model';
import { ClusterModel } from '../clusters/cluster.model';
import { requestLoader } from '../common/request-loaders';
import { OrganizationModel } from '../fleet/viewer.model';
import { CreatePolicyInput, UpdatePolicyInput } from './compliance.inputs';
import { PolicyModel, PolicyScopeModel } from './compliance.models';
import { PolicyService } from './policy.service';

@Resolver(() => PolicyModel)
export class PolicyResolver {
  constructor(private readonly policyService: PolicyService) {}

  @Query(() => [PolicyModel])
  async policies(@CurrentViewer() viewer: ViewerContext): Promise<PolicyModel[]> {
    return (await this.policyService.list(viewer)).map(PolicyModel.from);
  }

  @Mutation(() => PolicyModel)
  @RequireRole('ADMIN')
  async createPolicy(@CurrentViewer() viewer: ViewerContext, @Args('input') input: CreatePolicyInput): Promise<PolicyModel> {
    return PolicyModel.from(await this.policyService.create(viewer, input));
  }

  @Mutation(() => PolicyModel)
  @RequireRole('ADMIN')
  async updatePolicy(
    @CurrentViewer() viewer: ViewerContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: UpdatePolicyInput,
  ): Promise<PolicyModel> {
    return PolicyModel.from(await this.policyService.update(viewer, id, input));
  }

  @Mutation(() => OrganizationModel, {
    description:
      "Sets the ClusterRoles the organization's ACCESS policies may bind (default view, edit, admin). cluster-admin only with allowClusterAdmin: true. Attach agents with the same list (flotilla cluster attach --bindable-role).",
  })
  @RequireRole('ADMIN')
  async setAccessBindableRoles(
    @CurrentViewer() viewer: ViewerContext,
    @Args('roles', { type: () => [String] }) roles: string[],
    @Args('allowClusterAdmin', { type: () => Boolean, nullable: true }) allowClusterAdmin?: boolean | null,
  ): Promise<OrganizationModel> {
    return this.policyService.setAccessBindableRoles(viewer, roles, allowClusterAdmin === true);
  }

  @Mutation(() => Boolean)
  @RequireRole('ADMIN')
  async deletePolicy(@CurrentViewer() viewer: ViewerContext, @Args('id', { type: () => ID }) id: string): Promise<boolean> {
    return this.policyService.delete(viewer, id);
  }
}

/** A scope's group and cluster, batched per request. */
@Resolver(() => PolicyScopeModel)
export class PolicyScopeResolver {
  constructor(
    private readonly groups: ClusterGroupRepository,
    private readonly clusters: ClusterRepository,
  ) {}

  @ResolveField(() => ClusterGroupModel, { nullable: true })
  async group(@Parent() scope: PolicyScopeModel, @Context() ctx: object): Promise<ClusterGroupModel | null> {
    if (!scope.groupId) return null;
    const loader = requestLoader<string, ClusterGroupModel>(ctx, 'policyScopeGroupById', async (ids) => {
      const byId = new Map((await this.groups.listWithCounts(scope.organizationId)).map((g) => [g.id, g]));
      return ids.map((id) => {
        const g = byId.get(id);
        return g ? { id: g.id, name: g.name, description: g.description, clusterCount: g.clusterCount } : null;
      });
    });
    return loader.load(scope.groupId);
  }

  @ResolveField(() => ClusterModel, { nullable: true })
  async cluster(@Parent() scope: PolicyScopeModel, @CurrentViewer() viewer: ViewerContext, @Context() ctx: object): Promise<ClusterModel | null> {
    if (!scope.clusterId) return null;
    const loader = requestLoader<string, ClusterModel>(ctx, 'policyScopeClusterById', async (ids) => {
      const byId = new Map((await this.clusters.findByIds(clusterScope(viewer), ids)).map((c) => [c.id, ClusterModel.from(c)]));
      return ids.map((id) => byId.get(id) ?? null);
    });
    return loader.load(scope.clusterId);
  }
}
