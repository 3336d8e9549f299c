import { Context, Parent, ResolveField, Resolver } from '@nestjs/graphql';
import { ComplianceRepository, PolicyRepository } from '@flotilla/persistence';
import { CurrentViewer } from '../auth/current-viewer.decorator';
import { ViewerContext } from '../auth/viewer';
import { ClusterModel } from '../clusters/cluster.model';
import { ComplianceStatusEnum } from '../common/enums';
import { requestLoader } from '../common/request-loaders';
import { FleetSummaryModel } from '../fleet/fleet-summary.model';
import { ClusterComplianceModel, ComplianceSummaryModel, PolicyModel, PolicyResultModel } from './compliance.models';
import { NEVER_SCANNED, visibleResults, workspaceCompliance } from './workspace-compliance';

/**
 * A cluster's current compliance and latest result per policy, batched per request (one query per
 * page of clusters). For a workspace-restricted viewer, violations outside its namespaces are left
 * out, and the cluster's status and count are derived from what is left (so a count never reveals
 * findings in namespaces the token cannot see).
 */
@Resolver(() => ClusterModel)
export class ClusterComplianceResolver {
  constructor(
    private readonly rollups: ComplianceRepository,
    private readonly policyRepo: PolicyRepository,
  ) {}

  @ResolveField(() => ClusterComplianceModel)
  async compliance(@Parent() cluster: ClusterModel, @CurrentViewer() viewer: ViewerContext, @Context() ctx: object): Promise<ClusterComplianceModel> {
    const loader = requestLoader<string, ClusterComplianceModel>(ctx, 'clusterCompliance', async (ids) => {
      if (viewer.workspace) return workspaceCompliance(this.rollups, viewer, cluster.organizationId, ids);
      const byId = new Map((await this.rollups.forClusters(cluster.organizationId, ids)).map((r) => [r.clusterId, r]));
      return ids.map((id) => {
        const r = byId.get(id);
        return r ? { status: r.status as ComplianceStatusEnum, violationCount: r.violationCount, checkedAt: r.checkedAt, reason: r.reason } : NEVER_SCANNED;
      });
    });
    return (await loader.load(cluster.id)) ?? NEVER_SCANNED;
  }

  @ResolveField(() => [PolicyResultModel])
  async policyResults(@Parent() cluster: ClusterModel, @CurrentViewer() viewer: ViewerContext, @Context() ctx: object): Promise<PolicyResultModel[]> {
    const loader = requestLoader<string, PolicyResultModel[]>(ctx, 'clusterPolicyResults', async (ids) => {
      const rows = visibleResults(viewer, await this.rollups.currentResults(cluster.organizationId, ids));
      const policies = new Map(
        (await this.policyRepo.findByIdsIncludingDeleted(cluster.organizationId, [...new Set(rows.map((r) => r.policyId))])).map((p) => [p.id, PolicyModel.from(p)]),
      );
      const byCluster = new Map<string, PolicyResultModel[]>(ids.map((id) => [id, []]));
      for (const r of rows) {
        const policy = policies.get(r.policyId);
        if (!policy) continue;
        byCluster.get(r.clusterId)?.push({
          policy,
          status: r.status as ComplianceStatusEnum,
          checkedAt: r.checkedAt,
          violations: r.violations.map((v) => ({ kind: v.kind, namespace: v.namespace ?? null, name: v.name, message: v.message })),
          exempted: r.exempted.map((v) => ({ kind: v.kind, namespace: v.namespace ?? null, name: v.name, message: v.message, exceptionId: v.exceptionId })),
          error: r.error,
          enforcement: r.enforcement,
          scanId: r.scanId,
        });
      }
      for (const list of byCluster.values()) list.sort((a, b) => a.policy.name.localeCompare(b.policy.name));
      return ids.map((id) => byCluster.get(id) ?? []);
    });
    return (await loader.load(cluster.id)) ?? [];
  }
}

@Resolver(() => FleetSummaryModel)
export class FleetComplianceResolver {
  constructor(private readonly rollups: ComplianceRepository) {}

  @ResolveField(() => ComplianceSummaryModel)
  async compliance(@Parent() summary: FleetSummaryModel, @CurrentViewer() viewer: ViewerContext): Promise<ComplianceSummaryModel> {
    if (!viewer.workspace) return this.rollups.fleetSummary(summary.organizationId);
    const ids = viewer.workspace.clusterIds;
    const [perCluster, lastScanAt] = await Promise.all([
      workspaceCompliance(this.rollups, viewer, summary.organizationId, ids),
      this.rollups.fleetSummary(summary.organizationId, ids).then((s) => s.lastScanAt),
    ]);
    const count = (status: ComplianceStatusEnum) => perCluster.filter((c) => c.status === status).length;
    return {
      compliantClusters: count(ComplianceStatusEnum.COMPLIANT),
      nonCompliantClusters: count(ComplianceStatusEnum.NON_COMPLIANT),
      erroredClusters: count(ComplianceStatusEnum.ERROR),
      unknownClusters: count(ComplianceStatusEnum.UNKNOWN) + count(ComplianceStatusEnum.ERROR),
      violationCount: perCluster.reduce((n, c) => n + c.violationCount, 0),
      lastScanAt,
    };
  }
}
