import { Query, Resolver } from '@nestjs/graphql';
import { ClusterRepository, OrganizationRepository } from '@flotilla/persistence';
import { CurrentViewer } from '../auth/current-viewer.decorator';
import { ViewerContext } from '../auth/viewer';
import { clusterScope } from '../auth/workspace-restriction';
import { ClusterStatusEnum, ProviderEnum, RoleEnum } from '../common/enums';
import { FleetSummaryModel } from './fleet-summary.model';
import { ViewerModel } from './viewer.model';

@Resolver()
export class FleetResolver {
  constructor(
    private readonly clusters: ClusterRepository,
    private readonly organizations: OrganizationRepository,
  ) {}

  @Query(() => ViewerModel)
  async viewer(@CurrentViewer() viewer: ViewerContext): Promise<ViewerModel> {
    const org = await this.organizations.findById(viewer.organizationId);
    return { role: viewer.role as RoleEnum, organization: { id: viewer.organizationId, name: org?.name ?? '', accessBindableRoles: org?.accessBindableRoles ?? [] } };
  }

  @Query(() => FleetSummaryModel)
  async fleetSummary(@CurrentViewer() viewer: ViewerContext): Promise<FleetSummaryModel> {
    const s = await this.clusters.fleetSummary(clusterScope(viewer));
    return {
      organizationId: viewer.organizationId,
      clusterIds: viewer.workspace?.clusterIds ?? null,
      clusterCount: s.clusterCount,
      nodeCount: s.nodeCount,
      byStatus: s.byStatus.map((b) => ({ status: b.status as ClusterStatusEnum, count: b.count })),
      byProvider: s.byProvider.map((b) => ({ provider: b.provider as ProviderEnum, count: b.count })),
      byVersion: s.byVersion,
    };
  }
}
