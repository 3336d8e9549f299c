import { Args, Context, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Inject } from '@nestjs/common';
import { AppConfig } from '@flotilla/config';
import { ClusterRepository, UpgradeRepository } from '@flotilla/persistence';
import { CurrentViewer } from '../auth/current-viewer.decorator';
import { RequireRole } from '../auth/require-role.decorator';
import { ViewerContext } from '../auth/viewer';
import { clusterScope } from '../auth/workspace-restriction';
import { parentPageArgs } from '../common/pagination';
import { requestLoader } from '../common/request-loaders';
import { ClusterModel } from '../clusters/cluster.model';
import { APP_CONFIG } from '@flotilla/infrastructure';
import { StartUpgradeInput, UpgradeConnectionModel, UpgradeModel } from './upgrade.model';
import { UpgradeService } from './upgrade.service';

@Resolver(() => UpgradeModel)
export class UpgradeResolver {
  constructor(
    private readonly service: UpgradeService,
    private readonly clusters: ClusterRepository,
  ) {}

  @Query(() => UpgradeModel, { nullable: true })
  async upgrade(@CurrentViewer() viewer: ViewerContext, @Args('id', { type: () => ID }) id: string): Promise<UpgradeModel | null> {
    const u = await this.service.get(viewer, id);
    return u ? UpgradeModel.from(u) : null;
  }

  @Mutation(() => UpgradeModel, { description: 'Queues an upgrade; pre-flight runs in the worker and a refusal lands on the upgrade (FAILED in PREFLIGHT with every reason).' })
  @RequireRole('OPERATOR')
  async startUpgrade(@CurrentViewer() viewer: ViewerContext, @Args('input') input: StartUpgradeInput): Promise<UpgradeModel> {
    return UpgradeModel.from(await this.service.start(viewer, input));
  }

  @Mutation(() => UpgradeModel)
  @RequireRole('OPERATOR')
  async cancelUpgrade(@CurrentViewer() viewer: ViewerContext, @Args('id', { type: () => ID }) id: string): Promise<UpgradeModel> {
    return UpgradeModel.from(await this.service.cancel(viewer, id));
  }

  @ResolveField(() => ClusterModel)
  async cluster(@Parent() upgrade: UpgradeModel, @CurrentViewer() viewer: ViewerContext, @Context() ctx: object): Promise<ClusterModel | null> {
    const loader = requestLoader<string, ClusterModel>(ctx, 'upgrades.clusterById', async (ids) => {
      const rows = await this.clusters.findByIds(clusterScope(viewer), ids);
      const byId = new Map(rows.map((c) => [c.id, ClusterModel.from(c)]));
      return ids.map((id) => byId.get(id) ?? null);
    });
    return loader.load(upgrade.clusterId);
  }
}

/** Cluster.availableUpgrades and Cluster.upgrades, batched per request. */
@Resolver(() => ClusterModel)
export class ClusterUpgradeFieldsResolver {
  constructor(
    private readonly service: UpgradeService,
    private readonly upgradeRows: UpgradeRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @ResolveField(() => [String], { description: 'Versions the management cluster offers that the version-skew rules allow from the current one, newest first; [] when Cluster API does not manage the cluster.' })
  async availableUpgrades(@Parent() cluster: ClusterModel, @Context() ctx: object): Promise<string[]> {
    const loader = requestLoader<ClusterModel, string[]>(ctx, 'upgrades.available', async (clusters) =>
      this.service.availableFor(cluster.organizationId, clusters.map((c) => ({ managementClusterId: c.managementClusterId, kubernetesVersion: c.kubernetesVersion }))),
    );
    return (await loader.load(cluster)) ?? [];
  }

  @ResolveField(() => UpgradeConnectionModel)
  async upgrades(
    @Parent() cluster: ClusterModel,
    @Context() ctx: object,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { type: () => String, nullable: true }) after?: string,
  ): Promise<UpgradeConnectionModel> {
    const { size } = parentPageArgs(first, after, this.config.api.maxPageSize);
    // One loader per page shape: every cluster asking for the same page is one query.
    const loader = requestLoader<string, UpgradeConnectionModel>(ctx, `upgrades.page.${size}.${after ?? ''}`, async (ids) => {
      const pages = await this.upgradeRows.pagesForClusters(cluster.organizationId, ids, size, after);
      return ids.map((id) => {
        const page = pages.get(id) ?? { items: [], cursors: [], hasNextPage: false, endCursor: null };
        return {
          pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
          edges: page.items.map((u, i) => ({ cursor: page.cursors[i], node: UpgradeModel.from(u) })),
        };
      });
    });
    return (await loader.load(cluster.id)) as UpgradeConnectionModel;
  }
}
