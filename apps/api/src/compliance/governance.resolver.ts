import { Args, Context, GraphQLISODateTime, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { ComplianceHistoryRepository, PolicyExceptionRow, PolicyRepository } from '@flotilla/persistence';
import { CurrentViewer } from '../auth/current-viewer.decorator';
import { RequireRole } from '../auth/require-role.decorator';
import { ViewerContext } from '../auth/viewer';
import { ClusterModel } from '../clusters/cluster.model';
import { ComplianceStatusEnum } from '../common/enums';
import { badInput } from '../common/domain.errors';
import { requestLoader } from '../common/request-loaders';
import { FleetSummaryModel } from '../fleet/fleet-summary.model';
import { PolicyModel } from './compliance.models';
import {
  ComplianceChangeModel,
  ComplianceTrendPointModel,
  PolicyExceptionInput,
  PolicyExceptionModel,
  PolicyExceptionStatusEnum,
  TrendBucketEnum,
} from './governance.models';
import { PolicyExceptionService } from './policy-exception.service';

/** The most buckets one trend answers (two years of days, or ~83 days of hours). */
export const TREND_MAX_BUCKETS = 2000;
const BUCKET_MS: Record<TrendBucketEnum, number> = { HOUR: 3600_000, DAY: 86_400_000, WEEK: 7 * 86_400_000 };

function checkRange(from: Date, to: Date): void {
  if (Number.isNaN(from.getTime())) throw badInput('from', 'must be a date and time');
  if (Number.isNaN(to.getTime())) throw badInput('to', 'must be a date and time');
  if (to.getTime() <= from.getTime()) throw badInput('to', 'must be after from');
}

/** A cluster's compliance history: the changes of each policy's status or violation count. */
@Resolver(() => ClusterModel)
export class ClusterComplianceHistoryResolver {
  constructor(private readonly history: ComplianceHistoryRepository) {}

  @ResolveField(() => [ComplianceChangeModel], { description: 'Changes in [from, to), oldest first (at most 5000)' })
  async complianceHistory(
    @Parent() cluster: ClusterModel,
    @Args('from', { type: () => GraphQLISODateTime }) from: Date,
    @Args('to', { type: () => GraphQLISODateTime }) to: Date,
  ): Promise<ComplianceChangeModel[]> {
    checkRange(from, to);
    const rows = await this.history.clusterHistory(cluster.organizationId, cluster.id, from, to);
    return rows.map((r) => ({ at: r.at, policyName: r.policyName, status: r.status as ComplianceStatusEnum, violationCount: r.violationCount, scanId: r.scanId }));
  }
}

@Resolver(() => FleetSummaryModel)
export class FleetComplianceTrendResolver {
  constructor(private readonly history: ComplianceHistoryRepository) {}

  @ResolveField(() => [ComplianceTrendPointModel], {
    description: `One point per bucket from the bucket holding from to the one holding to (at most ${TREND_MAX_BUCKETS}); see ComplianceTrendPoint for what is counted`,
  })
  async complianceTrend(
    @Parent() summary: FleetSummaryModel,
    @Args('from', { type: () => GraphQLISODateTime }) from: Date,
    @Args('to', { type: () => GraphQLISODateTime }) to: Date,
    @Args('bucket', { type: () => TrendBucketEnum }) bucket: TrendBucketEnum,
  ): Promise<ComplianceTrendPointModel[]> {
    checkRange(from, to);
    if ((to.getTime() - from.getTime()) / BUCKET_MS[bucket] > TREND_MAX_BUCKETS) {
      throw badInput('from', `the range holds more than ${TREND_MAX_BUCKETS} ${bucket} buckets: narrow it or use a larger bucket`);
    }
    return this.history.fleetTrend(summary.organizationId, from, to, bucket);
  }
}

function toModel(r: PolicyExceptionRow): PolicyExceptionModel {
  return Object.assign(new PolicyExceptionModel(), {
    id: r.id,
    policyId: r.policyId,
    organizationId: r.organizationId,
    target: { clusterId: r.clusterId, groupId: r.groupId, namespace: r.namespace, kind: r.kind, name: r.name },
    reason: r.reason,
    ticket: r.ticket,
    status: r.status as PolicyExceptionStatusEnum,
    requestedBy: r.requestedBy,
    approvedBy: r.approvedBy,
    expiresAt: r.expiresAt,
  });
}

@Resolver(() => PolicyExceptionModel)
export class PolicyExceptionResolver {
  constructor(
    private readonly service: PolicyExceptionService,
    private readonly policies: PolicyRepository,
  ) {}

  @Query(() => [PolicyExceptionModel], { description: 'Newest first (at most 1000); only those in the given statuses when given' })
  async policyExceptions(
    @CurrentViewer() viewer: ViewerContext,
    @Args('status', { type: () => [PolicyExceptionStatusEnum], nullable: true }) status?: PolicyExceptionStatusEnum[] | null,
  ): Promise<PolicyExceptionModel[]> {
    return (await this.service.list(viewer, status ?? null)).map(toModel);
  }

  @Mutation(() => PolicyExceptionModel, { description: 'Requests an exception; it applies once another ADMIN approves it, until expiresAt' })
  @RequireRole('OPERATOR')
  async requestPolicyException(@CurrentViewer() viewer: ViewerContext, @Args('input') input: PolicyExceptionInput): Promise<PolicyExceptionModel> {
    return toModel(await this.service.request(viewer, input));
  }

  @Mutation(() => PolicyExceptionModel, { description: "Approves a REQUESTED exception: an ADMIN, never with the requester's token" })
  @RequireRole('ADMIN')
  async approvePolicyException(@CurrentViewer() viewer: ViewerContext, @Args('id', { type: () => ID }) id: string): Promise<PolicyExceptionModel> {
    return toModel(await this.service.approve(viewer, id));
  }

  @Mutation(() => PolicyExceptionModel, { description: 'Revokes an exception at once (an ADMIN; a requester may withdraw their own request)' })
  @RequireRole('OPERATOR')
  async revokePolicyException(@CurrentViewer() viewer: ViewerContext, @Args('id', { type: () => ID }) id: string): Promise<PolicyExceptionModel> {
    return toModel(await this.service.revoke(viewer, id));
  }

  @ResolveField(() => PolicyModel)
  async policy(@Parent() e: PolicyExceptionModel, @Context() ctx: object): Promise<PolicyModel> {
    const loader = requestLoader<string, PolicyModel>(ctx, 'exceptionPolicyById', async (ids) => {
      const byId = new Map((await this.policies.findByIdsIncludingDeleted(e.organizationId, ids)).map((p) => [p.id, PolicyModel.from(p)]));
      return ids.map((id) => byId.get(id) ?? null);
    });
    const policy = await loader.load(e.policyId);
    if (!policy) throw new Error(`policy ${e.policyId} of exception ${e.id} is missing`);
    return policy;
  }
}
