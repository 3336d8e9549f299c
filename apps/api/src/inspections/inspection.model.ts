import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { InspectionEntity } from '@flotilla/persistence';
import { JobStatusEnum } from '../common/enums';
import { PageInfoModel } from '../common/page-info.model';

export enum InspectionKindEnum { CONFORMANCE_LITE = 'CONFORMANCE_LITE', RBAC_RISK = 'RBAC_RISK', DEPRECATED_APIS = 'DEPRECATED_APIS', POD_SECURITY = 'POD_SECURITY' }
export enum SeverityEnum { LOW = 'LOW', MEDIUM = 'MEDIUM', HIGH = 'HIGH', CRITICAL = 'CRITICAL' }
export enum CheckOutcomeEnum { PASS = 'PASS', FAIL = 'FAIL', WARN = 'WARN', SKIP = 'SKIP' }
registerEnumType(InspectionKindEnum, { name: 'InspectionKind' });
registerEnumType(SeverityEnum, { name: 'Severity' });
registerEnumType(CheckOutcomeEnum, { name: 'CheckOutcome' });

@ObjectType('InspectionCheck')
export class InspectionCheckModel {
  @Field() id!: string;
  @Field() title!: string;
  @Field(() => SeverityEnum) severity!: SeverityEnum;
  @Field(() => CheckOutcomeEnum) outcome!: CheckOutcomeEnum;
  @Field(() => String, { nullable: true }) message!: string | null;
}

@ObjectType('Inspection')
export class InspectionModel {
  @Field(() => ID) id!: string;
  @Field(() => InspectionKindEnum) kind!: InspectionKindEnum;
  @Field(() => JobStatusEnum) status!: JobStatusEnum;
  @Field(() => Int) passed!: number;
  @Field(() => Int) failed!: number;
  @Field(() => Int) warnings!: number;
  @Field(() => [InspectionCheckModel]) checks!: InspectionCheckModel[];
  @Field(() => String, { nullable: true, description: 'DEPRECATED_APIS: the release judged against' }) targetVersion!: string | null;
  @Field(() => String, { nullable: true, description: 'why the inspection itself failed (e.g. the cluster was unreachable)' }) error!: string | null;
  @Field() createdAt!: Date;
  @Field(() => Date, { nullable: true }) startedAt!: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
  /** For the `cluster` field resolver; not exposed. */
  clusterId!: string;
  organizationId!: string;

  static from(e: InspectionEntity): InspectionModel {
    return Object.assign(new InspectionModel(), {
      id: e.id,
      kind: e.kind as InspectionKindEnum,
      status: e.status as JobStatusEnum,
      passed: e.passed,
      failed: e.failed,
      warnings: e.warnings,
      checks: (e.checks ?? []).map((c) => ({ id: c.id, title: c.title, severity: c.severity as SeverityEnum, outcome: c.outcome as CheckOutcomeEnum, message: c.message ?? null })),
      targetVersion: e.targetVersion,
      error: e.error,
      createdAt: e.createdAt,
      startedAt: e.startedAt,
      finishedAt: e.finishedAt,
      clusterId: e.clusterId,
      organizationId: e.organizationId,
    });
  }
}

@ObjectType('InspectionEdge')
export class InspectionEdgeModel {
  @Field(() => InspectionModel) node!: InspectionModel;
  @Field() cursor!: string;
}

@ObjectType('InspectionConnection')
export class InspectionConnectionModel {
  @Field(() => [InspectionEdgeModel]) edges!: InspectionEdgeModel[];
  @Field(() => PageInfoModel) pageInfo!: PageInfoModel;
}

@InputType('RunInspectionInput')
export class RunInspectionInput {
  @Field(() => ID) clusterId!: string;
  @Field(() => InspectionKindEnum) kind!: InspectionKindEnum;
  @Field(() => String, { nullable: true, description: 'DEPRECATED_APIS only: the release to judge against (default: the next minor)' }) targetVersion?: string | null;
}
