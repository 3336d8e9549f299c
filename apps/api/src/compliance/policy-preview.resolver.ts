import { Args, Int, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { ClusterRepository } from '@flotilla/persistence';
import { CurrentViewer } from '../auth/current-viewer.decorator';
import { RequireRole } from '../auth/require-role.decorator';
import { ViewerContext } from '../auth/viewer';
import { ClusterModel } from '../clusters/cluster.model';
import { badInput } from '../common/domain.errors';
import { ViolationModel } from './compliance.models';
import { CreatePolicyInput } from './compliance.inputs';
import { PolicyPreviewClusterModel, PolicyPreviewModel } from './policy-preview.model';
import { PREVIEW_MAX_CLUSTERS, PREVIEW_MAX_VIOLATIONS, PolicyPreviewService } from './policy-preview.service';

/** An explicit null `first` means the field's default, as an absent one does. */
function pageSize(first: number | null, fallback: number, max: number, field: string): number {
  if (first === null) return fallback;
  if (!Number.isInteger(first) || first < 0 || first > max) throw badInput(field, `must be between 0 and ${max}`);
  return first;
}

@Resolver(() => PolicyPreviewModel)
export class PolicyPreviewResolver {
  constructor(
    private readonly previews: PolicyPreviewService,
    private readonly clusterRepository: ClusterRepository,
  ) {}

  @Query(() => PolicyPreviewModel, { description: 'What the policy would find across the fleet, from the cached snapshots (the same input checks as createPolicy)' })
  @RequireRole('ADMIN')
  async previewPolicy(@CurrentViewer() viewer: ViewerContext, @Args('input') input: CreatePolicyInput): Promise<PolicyPreviewModel> {
    const p = await this.previews.preview(viewer, input);
    const byId = new Map((await this.clusterRepository.findByIds(viewer.organizationId, p.clusters.map((c) => c.clusterId))).map((c) => [c.id, ClusterModel.from(c)]));
    return Object.assign(new PolicyPreviewModel(), {
      evaluatedClusters: p.evaluatedClusters,
      notEvaluatedClusters: p.notEvaluatedClusters,
      wouldViolateClusters: p.wouldViolateClusters,
      newlyNonCompliantClusters: p.newlyNonCompliantClusters,
      oldestSnapshotAt: p.oldestSnapshotAt,
      allClusters: p.clusters
        .filter((c) => byId.has(c.clusterId))
        .map((c) => Object.assign(new PolicyPreviewClusterModel(), { cluster: byId.get(c.clusterId)!, violationCount: c.violationCount, allViolations: c.violations })),
    });
  }

  @ResolveField(() => [PolicyPreviewClusterModel], { description: `Clusters that would violate, by name (at most ${PREVIEW_MAX_CLUSTERS})` })
  clusters(@Parent() p: PolicyPreviewModel, @Args('first', { type: () => Int, nullable: true, defaultValue: 50 }) first: number | null): PolicyPreviewClusterModel[] {
    return p.allClusters.slice(0, pageSize(first, 50, PREVIEW_MAX_CLUSTERS, 'first'));
  }
}

@Resolver(() => PolicyPreviewClusterModel)
export class PolicyPreviewClusterResolver {
  @ResolveField(() => [ViolationModel], { description: `Sample violations, sorted (at most ${PREVIEW_MAX_VIOLATIONS})` })
  violations(@Parent() c: PolicyPreviewClusterModel, @Args('first', { type: () => Int, nullable: true, defaultValue: 20 }) first: number | null): ViolationModel[] {
    return c.allViolations.slice(0, pageSize(first, 20, PREVIEW_MAX_VIOLATIONS, 'first')).map((v) => ({ kind: v.kind, namespace: v.namespace ?? null, name: v.name, message: v.message }));
  }
}
