import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { ClusterRepository, WorkspaceRepository } from '@flotilla/persistence';
import { CurrentViewer } from '../auth/current-viewer.decorator';
import { RequireRole } from '../auth/require-role.decorator';
import { ViewerContext } from '../auth/viewer';
import { clusterScope } from '../auth/workspace-restriction';
import { ClusterModel } from '../clusters/cluster.model';
import { PolicyScopeModel } from '../compliance/compliance.models';
import { requestLoader } from '../common/request-loaders';
import { ViewerModel } from '../fleet/viewer.model';
import { CreateWorkspaceInput, WorkspaceModel, WorkspaceNamespaceInput, WorkspaceNamespaceModel } from './workspace.model';
import { WorkspaceService } from './workspace.service';

@Resolver(() => WorkspaceModel)
export class WorkspaceResolver {
  constructor(
    private readonly service: WorkspaceService,
    private readonly workspaceRows: WorkspaceRepository,
  ) {}

  @Query(() => [WorkspaceModel], { description: "The organization's workspaces (a workspace-restricted token: its own)" })
  async workspaces(@CurrentViewer() viewer: ViewerContext): Promise<WorkspaceModel[]> {
    return (await this.service.list(viewer)).map(WorkspaceModel.from);
  }

  @Mutation(() => WorkspaceModel)
  @RequireRole('ADMIN')
  async createWorkspace(@CurrentViewer() viewer: ViewerContext, @Args('input') input: CreateWorkspaceInput): Promise<WorkspaceModel> {
    return WorkspaceModel.from(await this.service.create(viewer, input));
  }

  @Mutation(() => WorkspaceModel, { description: 'Adds a namespace of an attached cluster to the workspace (idempotent); ENFORCE of a workspace policy creates it on the cluster when missing' })
  @RequireRole('ADMIN')
  async addWorkspaceNamespace(@CurrentViewer() viewer: ViewerContext, @Args('input') input: WorkspaceNamespaceInput): Promise<WorkspaceModel> {
    return WorkspaceModel.from(await this.service.addNamespace(viewer, input));
  }

  @Mutation(() => WorkspaceModel, { description: 'Takes a namespace out of the workspace; the namespace stays on the cluster' })
  @RequireRole('ADMIN')
  async removeWorkspaceNamespace(@CurrentViewer() viewer: ViewerContext, @Args('input') input: WorkspaceNamespaceInput): Promise<WorkspaceModel> {
    return WorkspaceModel.from(await this.service.removeNamespace(viewer, input));
  }

  @Mutation(() => WorkspaceModel, { description: 'Deletes a workspace; refused while policies are scoped to it or live API tokens are restricted to it' })
  @RequireRole('ADMIN')
  async deleteWorkspace(@CurrentViewer() viewer: ViewerContext, @Args('id', { type: () => ID }) id: string): Promise<WorkspaceModel> {
    return WorkspaceModel.from(await this.service.delete(viewer, id));
  }

  @ResolveField(() => [WorkspaceNamespaceModel])
  async namespaces(@Parent() workspace: WorkspaceModel, @Context() ctx: object): Promise<WorkspaceNamespaceModel[]> {
    const loader = requestLoader<string, WorkspaceNamespaceModel[]>(ctx, 'workspaceNamespaces', async (ids) => {
      const rows = await this.workspaceRows.namespacesOf(workspace.organizationId, ids);
      return ids.map((id) => rows.filter((r) => r.workspaceId === id).map((r) => Object.assign(new WorkspaceNamespaceModel(), { clusterId: r.clusterId, namespace: r.namespace })));
    });
    return (await loader.load(workspace.id)) ?? [];
  }
}

@Resolver(() => WorkspaceNamespaceModel)
export class WorkspaceNamespaceResolver {
  constructor(private readonly clusters: ClusterRepository) {}

  @ResolveField(() => ClusterModel)
  async cluster(@Parent() entry: WorkspaceNamespaceModel, @CurrentViewer() viewer: ViewerContext, @Context() ctx: object): Promise<ClusterModel | null> {
    const loader = requestLoader<string, ClusterModel>(ctx, 'workspaceNamespaceCluster', async (ids) => {
      const byId = new Map((await this.clusters.findByIds(clusterScope(viewer), ids)).map((c) => [c.id, ClusterModel.from(c)]));
      return ids.map((id) => byId.get(id) ?? null);
    });
    return loader.load(entry.clusterId);
  }
}

/** PolicyScope.workspace: batched per request; another workspace is null for a workspace-restricted token (like a missing one). */
@Resolver(() => PolicyScopeModel)
export class WorkspaceScopeResolver {
  constructor(private readonly workspaceRows: WorkspaceRepository) {}

  @ResolveField(() => WorkspaceModel, { nullable: true })
  async workspace(@Parent() scope: PolicyScopeModel, @CurrentViewer() viewer: ViewerContext, @Context() ctx: object): Promise<WorkspaceModel | null> {
    if (!scope.workspaceId) return null;
    if (viewer.workspace && viewer.workspace.workspaceId !== scope.workspaceId) return null;
    const loader = requestLoader<string, WorkspaceModel>(ctx, 'policyScopeWorkspaceById', async (ids) => {
      const byId = new Map((await this.workspaceRows.findByIds(scope.organizationId, ids)).map((w) => [w.id, WorkspaceModel.from(w)]));
      return ids.map((id) => byId.get(id) ?? null);
    });
    return loader.load(scope.workspaceId);
  }
}

/** Viewer.workspace: the workspace the calling token is restricted to (null: the whole organization). */
@Resolver(() => ViewerModel)
export class ViewerWorkspaceResolver {
  constructor(private readonly workspaceRows: WorkspaceRepository) {}

  @ResolveField(() => WorkspaceModel, { nullable: true, description: 'The workspace this token is restricted to; null for a token of the whole organization' })
  async workspace(@CurrentViewer() viewer: ViewerContext): Promise<WorkspaceModel | null> {
    if (!viewer.workspace) return null;
    const row = await this.workspaceRows.findById(viewer.organizationId, viewer.workspace.workspaceId);
    return row ? WorkspaceModel.from(row) : null;
  }
}
