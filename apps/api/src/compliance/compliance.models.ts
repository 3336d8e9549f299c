import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import type { PolicyRow, ScanRow, ScanScheduleRow } from '@flotilla/persistence';
import { ClusterGroupModel } from '../clusters/cluster-group.model';
import { ClusterModel } from '../clusters/cluster.model';
import { ComplianceStatusEnum, JobStatusEnum } from '../common/enums';
import { JSONScalar } from '../common/json.scalar';
import { PageInfoModel } from '../common/page-info.model';
import { PolicyModeEnum, PolicyScopeKindEnum, PolicyTypeEnum, ScanTriggerEnum } from './compliance.enums';

@ObjectType('PolicyScope')
export class PolicyScopeModel {
  @Field(() => PolicyScopeKindEnum) kind!: PolicyScopeKindEnum;
  /** Resolved by field resolvers (per-request loaders). */
  @Field(() => ClusterGroupModel, { nullable: true }) group?: ClusterGroupModel | null;
  @Field(() => ClusterModel, { nullable: true }) cluster?: ClusterModel | null;
  /** Resolved by WorkspaceScopeResolver (apps/api/src/workspaces), batched per request. */
  workspace?: unknown;
  groupId!: string | null;
  clusterId!: string | null;
  workspaceId!: string | null;
  organizationId!: string;
}

@ObjectType('Policy')
export class PolicyModel {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => PolicyTypeEnum) type!: PolicyTypeEnum;
  @Field(() => PolicyModeEnum) mode!: PolicyModeEnum;
  @Field(() => JSONScalar) spec!: unknown;
  @Field(() => PolicyScopeModel) scope!: PolicyScopeModel;
  @Field() createdAt!: Date;
  @Field() updatedAt!: Date;

  static from(p: PolicyRow): PolicyModel {
    const scope = Object.assign(new PolicyScopeModel(), {
      kind: p.scopeKind as PolicyScopeKindEnum,
      groupId: p.groupId,
      clusterId: p.clusterId,
      workspaceId: p.workspaceId,
      organizationId: p.organizationId,
    });
    return Object.assign(new PolicyModel(), {
      id: p.id,
      name: p.name,
      type: p.type as PolicyTypeEnum,
      mode: p.mode as PolicyModeEnum,
      spec: p.spec,
      scope,
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
    });
  }
}

@ObjectType('Violation', { description: 'One thing wrong with one Kubernetes object' })
export class ViolationModel {
  @Field() kind!: string;
  @Field(() => String, { nullable: true }) namespace!: string | null;
  @Field() name!: string;
  @Field() message!: string;
}

@ObjectType('ExemptedViolation', { description: 'A violation an approved, unexpired policy exception waives: reported, not counted' })
export class ExemptedViolationModel {
  @Field() kind!: string;
  @Field(() => String, { nullable: true }) namespace!: string | null;
  @Field() name!: string;
  @Field() message!: string;
  @Field(() => ID) exceptionId!: string;
}

@ObjectType('PolicyResult')
export class PolicyResultModel {
  @Field(() => PolicyModel) policy!: PolicyModel;
  @Field(() => ComplianceStatusEnum) status!: ComplianceStatusEnum;
  @Field() checkedAt!: Date;
  @Field(() => [ViolationModel], { description: 'What is still wrong (for ENFORCE: after enforcement, what objects could not fix)' })
  violations!: ViolationModel[];
  @Field(() => [ExemptedViolationModel], { description: 'Violations approved, unexpired exceptions waived at that evaluation: reported, not counted' })
  exempted!: ExemptedViolationModel[];
  @Field(() => String, { nullable: true, description: 'Why the policy could not be evaluated (ERROR)' }) error!: string | null;
  @Field(() => JSONScalar, { nullable: true, description: 'ENFORCE: the objects applied, namespaces labelled and writes that failed' })
  enforcement!: unknown;
  @Field(() => ID) scanId!: string;
}

@ObjectType('ClusterCompliance')
export class ClusterComplianceModel {
  @Field(() => ComplianceStatusEnum) status!: ComplianceStatusEnum;
  @Field(() => Int) violationCount!: number;
  @Field(() => Date, { nullable: true }) checkedAt!: Date | null;
  @Field(() => String, { nullable: true, description: 'Why the last scan could not check the cluster (ERROR)' }) reason!: string | null;
}

@ObjectType('ComplianceSummary')
export class ComplianceSummaryModel {
  @Field(() => Int) compliantClusters!: number;
  @Field(() => Int) nonCompliantClusters!: number;
  @Field(() => Int, { description: 'Never scanned, or the last scan could not check them (errored ones included)' }) unknownClusters!: number;
  @Field(() => Int, { description: 'Clusters whose last scan ended in ERROR (also counted as unknown)' }) erroredClusters!: number;
  @Field(() => Int) violationCount!: number;
  @Field(() => Date, { nullable: true }) lastScanAt!: Date | null;
}

@ObjectType('ScanSummary')
export class ScanSummaryModel {
  @Field(() => Int) compliant!: number;
  @Field(() => Int) nonCompliant!: number;
  @Field(() => Int) errored!: number;
  @Field(() => Int) violations!: number;
}

@ObjectType('Scan')
export class ScanModel {
  @Field(() => ID) id!: string;
  @Field(() => JobStatusEnum) status!: JobStatusEnum;
  @Field(() => ScanTriggerEnum) trigger!: ScanTriggerEnum;
  @Field(() => Int) clusterCount!: number;
  @Field(() => Int) completedCount!: number;
  @Field(() => Int) failedCount!: number;
  @Field() createdAt!: Date;
  @Field(() => Date, { nullable: true }) startedAt!: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
  @Field(() => ScanSummaryModel, { nullable: true }) summary!: ScanSummaryModel | null;

  static from(s: ScanRow): ScanModel {
    return Object.assign(new ScanModel(), {
      id: s.id,
      status: s.status as JobStatusEnum,
      trigger: s.trigger as ScanTriggerEnum,
      clusterCount: s.clusterCount,
      completedCount: s.completedCount,
      failedCount: s.failedCount,
      createdAt: s.createdAt,
      startedAt: s.startedAt,
      finishedAt: s.finishedAt,
      summary: {
        compliant: s.compliantCount,
        nonCompliant: s.nonCompliantCount,
        errored: s.erroredCount,
        violations: s.violationCount,
      },
    });
  }
}

@ObjectType('ScanEdge')
export class ScanEdgeModel {
  @Field(() => ScanModel) node!: ScanModel;
  @Field() cursor!: string;
}

@ObjectType('ScanConnection')
export class ScanConnectionModel {
  @Field(() => Int) totalCount!: number;
  @Field(() => PageInfoModel) pageInfo!: PageInfoModel;
  @Field(() => [ScanEdgeModel]) edges!: ScanEdgeModel[];
}

@ObjectType('ScanSchedule')
export class ScanScheduleModel {
  @Field() cron!: string;
  @Field() timezone!: string;
  @Field() enabled!: boolean;
  @Field(() => Date, { nullable: true }) nextRunAt!: Date | null;
  @Field(() => Date, { nullable: true }) lastRunAt!: Date | null;

  static from(s: ScanScheduleRow): ScanScheduleModel {
    return { cron: s.cron, timezone: s.timezone, enabled: s.enabled, nextRunAt: s.nextRunAt, lastRunAt: s.lastRunAt };
  }
}
