import { Args, Context, ID, Int, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Inject } from '@nestjs/common';
import { AppConfig } from '@flotilla/config';
import { CampaignRepository, CampaignRow, ClusterRepository, UpgradeRepository } from '@flotilla/persistence';
import { APP_CONFIG } from '@flotilla/infrastructure';
import { CurrentViewer } from '../auth/current-viewer.decorator';
import { RequireRole } from '../auth/require-role.decorator';
import { ViewerContext } from '../auth/viewer';
import { pageSize } from '../common/pagination';
import { requestLoader } from '../common/request-loaders';
import { decodeCursor } from '@flotilla/persistence';
import { ClusterModel } from '../clusters/cluster.model';
import { UpgradeModel } from '../upgrades/upgrade.model';
import {
  CampaignClusterStatusEnum,
  CampaignCountsModel,
  CampaignStatusEnum,
  CampaignWaveModel,
  CreateUpgradeCampaignInput,
  UpgradeCampaignConnectionModel,
  UpgradeCampaignModel,
  UpgradeCampaignPreviewModel,
  WaveStatusEnum,
} from './campaign.model';
import { CampaignService, nextOpensAt } from './campaign.service';

function toModel(c: CampaignRow): UpgradeCampaignModel {
  return Object.assign(new UpgradeCampaignModel(), {
    id: c.id,
    name: c.name,
    status: c.status as CampaignStatusEnum,
    statusReason: c.statusReason,
    targetVersion: c.targetVersion,
    failureBudget: { maxFailedClusters: c.maxFailedClusters, maxFailedPercent: c.maxFailedPercent },
    maintenanceWindow: c.windowCron
      ? { cron: c.windowCron, durationMinutes: c.windowDurationMinutes as number, timezone: c.windowTimezone ?? 'UTC', nextOpensAt: nextOpensAt(c) }
      : null,
    createdAt: c.createdAt,
    finishedAt: c.finishedAt,
    organizationId: c.organizationId,
  });
}

@Resolver(() => UpgradeCampaignModel)
export class CampaignResolver {
  constructor(
    private readonly service: CampaignService,
    private readonly campaigns: CampaignRepository,
    private readonly clusters: ClusterRepository,
    private readonly upgrades: UpgradeRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Query(() => UpgradeCampaignPreviewModel, { description: 'Which clusters the campaign would take, in which wave, and which are excluded with the reason. Changes nothing.' })
  async previewUpgradeCampaign(@CurrentViewer() viewer: ViewerContext, @Args('input') input: CreateUpgradeCampaignInput): Promise<UpgradeCampaignPreviewModel> {
    const { targetVersion, plan } = await this.service.preview(viewer, input);
    const ids = [...plan.waves.flatMap((w) => w.clusterIds), ...plan.excluded.map((e) => e.clusterId)];
    const byId = new Map((await this.clusters.findByIds(viewer.organizationId, ids)).map((c) => [c.id, ClusterModel.from(c)]));
    return {
      targetVersion,
      waves: plan.waves.map((w) => ({ name: w.name, clusters: w.clusterIds.map((id) => byId.get(id)!).filter(Boolean) })),
      excluded: plan.excluded.filter((e) => byId.has(e.clusterId)).map((e) => ({ cluster: byId.get(e.clusterId)!, reason: e.reason })),
    };
  }

  @Mutation(() => UpgradeCampaignModel)
  @RequireRole('OPERATOR')
  async createUpgradeCampaign(@CurrentViewer() viewer: ViewerContext, @Args('input') input: CreateUpgradeCampaignInput): Promise<UpgradeCampaignModel> {
    return toModel(await this.service.create(viewer, input));
  }

  @Query(() => UpgradeCampaignConnectionModel)
  async upgradeCampaigns(
    @CurrentViewer() viewer: ViewerContext,
    @Args('first', { type: () => Int, nullable: true }) first?: number,
    @Args('after', { type: () => String, nullable: true }) after?: string,
  ): Promise<UpgradeCampaignConnectionModel> {
    const size = pageSize(first, this.config.api.maxPageSize);
    if (after) decodeCursor(after, { sort: 'timestamp', id: 'uuid' }, 'after');
    const page = await this.service.list(viewer, size, after);
    return {
      totalCount: page.totalCount,
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.endCursor },
      edges: page.items.map((c, i) => ({ node: toModel(c), cursor: page.cursors[i] })),
    };
  }

  @Query(() => UpgradeCampaignModel, { nullable: true })
  async upgradeCampaign(@CurrentViewer() viewer: ViewerContext, @Args('id', { type: () => ID }) id: string): Promise<UpgradeCampaignModel | null> {
    const c = await this.service.get(viewer, id);
    return c ? toModel(c) : null;
  }

  @Mutation(() => UpgradeCampaignModel, { description: 'Lets a wave that requires approval begin; by an ADMIN other than the token that created the campaign.' })
  @RequireRole('ADMIN')
  async approveCampaignWave(
    @CurrentViewer() viewer: ViewerContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('waveIndex', { type: () => Int }) waveIndex: number,
  ): Promise<UpgradeCampaignModel> {
    return toModel(await this.service.approveWave(viewer, id, waveIndex));
  }

  @Mutation(() => UpgradeCampaignModel, { description: 'Nothing new starts; running upgrades are followed to their end.' })
  @RequireRole('OPERATOR')
  async pauseUpgradeCampaign(@CurrentViewer() viewer: ViewerContext, @Args('id', { type: () => ID }) id: string): Promise<UpgradeCampaignModel> {
    return toModel(await this.service.pause(viewer, id));
  }

  @Mutation(() => UpgradeCampaignModel)
  @RequireRole('OPERATOR')
  async resumeUpgradeCampaign(@CurrentViewer() viewer: ViewerContext, @Args('id', { type: () => ID }) id: string): Promise<UpgradeCampaignModel> {
    return toModel(await this.service.resume(viewer, id));
  }

  @Mutation(() => UpgradeCampaignModel, { description: 'Nothing new starts; running upgrades are followed to their end, never interrupted.' })
  @RequireRole('OPERATOR')
  async cancelUpgradeCampaign(@CurrentViewer() viewer: ViewerContext, @Args('id', { type: () => ID }) id: string): Promise<UpgradeCampaignModel> {
    return toModel(await this.service.cancel(viewer, id));
  }

  @ResolveField(() => CampaignCountsModel)
  async counts(@Parent() c: UpgradeCampaignModel, @Context() ctx: object): Promise<CampaignCountsModel> {
    const loader = requestLoader<string, CampaignCountsModel>(ctx, 'campaigns.counts', async (ids) => {
      const m = await this.campaigns.countsOf(c.organizationId, ids);
      return ids.map((id) => {
        const n = m.get(id)!;
        return { total: n.PENDING + n.RUNNING + n.SUCCEEDED + n.FAILED + n.SKIPPED, pending: n.PENDING, running: n.RUNNING, succeeded: n.SUCCEEDED, failed: n.FAILED, skipped: n.SKIPPED };
      });
    });
    return (await loader.load(c.id))!;
  }

  @ResolveField(() => [CampaignWaveModel])
  async waves(@Parent() c: UpgradeCampaignModel, @Context() ctx: object): Promise<CampaignWaveModel[]> {
    const loader = requestLoader<string, CampaignWaveModel[]>(ctx, 'campaigns.waves', async (ids) => {
      const [waves, members] = await Promise.all([this.campaigns.wavesOf(c.organizationId, ids), this.campaigns.clustersOf(c.organizationId, ids)]);
      const clusterIds = [...new Set(members.map((m) => m.clusterId))];
      const upgradeIds = members.map((m) => m.upgradeId).filter((x): x is string => !!x);
      const [clusters, upgrades] = await Promise.all([
        this.clusters.findByIds(c.organizationId, clusterIds),
        this.upgrades.findByIds(c.organizationId, upgradeIds),
      ]);
      const clusterById = new Map(clusters.map((k) => [k.id, ClusterModel.from(k)]));
      const upgradeById = new Map(upgrades.map((u) => [u.id, UpgradeModel.from(u)]));
      return ids.map((id) =>
        waves
          .filter((w) => w.campaignId === id)
          .map((w) => ({
            index: w.index,
            name: w.name,
            status: w.status as WaveStatusEnum,
            soakMinutes: w.soakMinutes,
            requiresApproval: w.requiresApproval,
            approvedBy: w.approvedBy,
            startedAt: w.startedAt,
            soakEndsAt: w.soakEndsAt,
            finishedAt: w.finishedAt,
            clusters: members
              .filter((m) => m.campaignId === id && m.waveIndex === w.index && clusterById.has(m.clusterId))
              .map((m) => ({
                cluster: clusterById.get(m.clusterId)!,
                status: m.status as CampaignClusterStatusEnum,
                upgrade: m.upgradeId ? (upgradeById.get(m.upgradeId) ?? null) : null,
              })),
          })),
      );
    });
    return (await loader.load(c.id)) ?? [];
  }
}
