import { Field, ID, InputType, ObjectType, registerEnumType } from '@nestjs/graphql';
import { UpgradeEntity } from '@flotilla/persistence';
import { JobStatusEnum } from '../common/enums';
import { PageInfoModel } from '../common/page-info.model';

export enum UpgradePhaseEnum { PREFLIGHT = 'PREFLIGHT', CONTROL_PLANE = 'CONTROL_PLANE', WORKERS = 'WORKERS', VERIFYING = 'VERIFYING', DONE = 'DONE' }
registerEnumType(UpgradePhaseEnum, { name: 'UpgradePhase' });

@ObjectType('Upgrade')
export class UpgradeModel {
  @Field(() => ID) id!: string;
  @Field() fromVersion!: string;
  @Field() toVersion!: string;
  @Field(() => JobStatusEnum) status!: JobStatusEnum;
  @Field(() => UpgradePhaseEnum, { nullable: true }) phase!: UpgradePhaseEnum | null;
  @Field(() => String, { nullable: true, description: 'why it failed (every pre-flight reason) or what state a cancel left the cluster in' }) error!: string | null;
  @Field(() => String, { nullable: true, description: 'where the rollout stands, e.g. "2/3 workers at v1.30.8"' }) progress!: string | null;
  @Field(() => [String], { description: 'the pre-flight reasons one by one, when pre-flight refused' }) preflightReasons!: string[];
  @Field() createdAt!: Date;
  @Field(() => Date, { nullable: true }) startedAt!: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
  /** For the `cluster` field resolver; not exposed. */
  clusterId!: string;
  organizationId!: string;

  static from(e: UpgradeEntity): UpgradeModel {
    return Object.assign(new UpgradeModel(), {
      id: e.id,
      fromVersion: e.fromVersion,
      toVersion: e.toVersion,
      status: e.status as JobStatusEnum,
      phase: e.phase as UpgradePhaseEnum,
      error: e.error,
      progress: e.progress,
      preflightReasons: e.preflightReasons ?? [],
      createdAt: e.createdAt,
      startedAt: e.startedAt,
      finishedAt: e.finishedAt,
      clusterId: e.clusterId,
      organizationId: e.organizationId,
    });
  }
}

@ObjectType('UpgradeEdge')
export class UpgradeEdgeModel {
  @Field(() => UpgradeModel) node!: UpgradeModel;
  @Field() cursor!: string;
}

@ObjectType('UpgradeConnection')
export class UpgradeConnectionModel {
  @Field(() => [UpgradeEdgeModel]) edges!: UpgradeEdgeModel[];
  @Field(() => PageInfoModel) pageInfo!: PageInfoModel;
}

@InputType('StartUpgradeInput')
export class StartUpgradeInput {
  @Field(() => ID) clusterId!: string;
  @Field({ description: 'a version the management cluster offers, e.g. v1.30.8+vmware.1 (see Cluster.availableUpgrades)' }) targetVersion!: string;
}
