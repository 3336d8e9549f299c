import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ProviderEnum } from '../common/enums';
import { PageInfoModel } from '../common/page-info.model';
import { LabelInput } from '../clusters/cluster.inputs';
import { ClusterModel } from '../clusters/cluster.model';
import { UpgradeModel } from '../upgrades/upgrade.model';

export enum CampaignStatusEnum {
  QUEUED = 'QUEUED',
  WAITING_FOR_WINDOW = 'WAITING_FOR_WINDOW',
  RUNNING = 'RUNNING',
  SOAKING = 'SOAKING',
  WAITING_FOR_APPROVAL = 'WAITING_FOR_APPROVAL',
  PAUSED = 'PAUSED',
  HALTED = 'HALTED',
  SUCCEEDED = 'SUCCEEDED',
  CANCELLED = 'CANCELLED',
}
export enum WaveStatusEnum { PENDING = 'PENDING', RUNNING = 'RUNNING', SOAKING = 'SOAKING', WAITING_FOR_APPROVAL = 'WAITING_FOR_APPROVAL', SUCCEEDED = 'SUCCEEDED', HALTED = 'HALTED', CANCELLED = 'CANCELLED' }
export enum CampaignClusterStatusEnum { PENDING = 'PENDING', RUNNING = 'RUNNING', SUCCEEDED = 'SUCCEEDED', FAILED = 'FAILED', SKIPPED = 'SKIPPED' }
registerEnumType(CampaignStatusEnum, { name: 'CampaignStatus' });
registerEnumType(WaveStatusEnum, { name: 'WaveStatus' });
registerEnumType(CampaignClusterStatusEnum, { name: 'CampaignClusterStatus' });

@InputType('ClusterSelectorInput')
export class ClusterSelectorInput {
  @Field(() => [ID], { nullable: true }) clusterIds?: string[] | null;
  @Field(() => [ID], { nullable: true }) groupIds?: string[] | null;
  @Field(() => [LabelInput], { nullable: true }) labels?: LabelInput[] | null;
  @Field(() => [ProviderEnum], { nullable: true }) providers?: ProviderEnum[] | null;
}

@InputType('CampaignWaveInput')
export class CampaignWaveInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => Int, { nullable: true, description: 'this many clusters' }) clusterCount?: number | null;
  @Field(() => Int, { nullable: true, description: 'this percentage of the eligible clusters, rounded up' }) clusterPercent?: number | null;
  @Field(() => Int, { nullable: true, description: 'soak after the wave before the next begins (default 10; 0: none)' }) soakMinutes?: number | null;
  @Field(() => Boolean, { nullable: true, description: 'the wave begins only once an ADMIN other than the campaign\'s creator approved it' }) requiresApproval?: boolean | null;
}

@InputType('FailureBudgetInput')
export class FailureBudgetInput {
  @Field(() => Int, { nullable: true }) maxFailedClusters?: number | null;
  @Field(() => Int, { nullable: true }) maxFailedPercent?: number | null;
}

@InputType('MaintenanceWindowInput')
export class MaintenanceWindowInput {
  @Field({ description: 'when the window opens: five-field cron or a macro' }) cron!: string;
  @Field(() => Int) durationMinutes!: number;
  @Field(() => String, { nullable: true, description: 'IANA zone the cron is read in (default UTC)' }) timezone?: string | null;
}

@InputType('HaltConditionsInput')
export class HaltConditionsInput {
  @Field(() => Boolean, { nullable: true, description: 'halt when a wave\'s clusters compliant before it are non-compliant after it (re-scanned during the soak)' }) onComplianceRegression?: boolean | null;
  @Field(() => Boolean, { nullable: true, description: 'halt when a cluster of the campaign turns UNREACHABLE' }) onUnreachable?: boolean | null;
}

@InputType('CreateUpgradeCampaignInput')
export class CreateUpgradeCampaignInput {
  @Field() name!: string;
  @Field(() => ClusterSelectorInput) selector!: ClusterSelectorInput;
  @Field() targetVersion!: string;
  @Field(() => [CampaignWaveInput], { nullable: true, description: 'default: 1 canary cluster, then 10 %, then the rest' }) waves?: CampaignWaveInput[] | null;
  @Field(() => Int, { nullable: true, description: 'upgrades running at once within a wave (default: the whole wave)' }) maxConcurrent?: number | null;
  @Field(() => FailureBudgetInput, { nullable: true }) failureBudget?: FailureBudgetInput | null;
  @Field(() => MaintenanceWindowInput, { nullable: true }) maintenanceWindow?: MaintenanceWindowInput | null;
  @Field(() => HaltConditionsInput, { nullable: true }) haltOn?: HaltConditionsInput | null;
}

@ObjectType('CampaignPreviewWave')
export class CampaignPreviewWaveModel {
  @Field() name!: string;
  @Field(() => [ClusterModel]) clusters!: ClusterModel[];
}

@ObjectType('CampaignExclusion')
export class CampaignExclusionModel {
  @Field(() => ClusterModel) cluster!: ClusterModel;
  @Field() reason!: string;
}

@ObjectType('UpgradeCampaignPreview')
export class UpgradeCampaignPreviewModel {
  @Field() targetVersion!: string;
  @Field(() => [CampaignPreviewWaveModel]) waves!: CampaignPreviewWaveModel[];
  @Field(() => [CampaignExclusionModel]) excluded!: CampaignExclusionModel[];
}

@ObjectType('FailureBudget')
export class FailureBudgetModel {
  @Field(() => Int, { nullable: true }) maxFailedClusters!: number | null;
  @Field(() => Int, { nullable: true }) maxFailedPercent!: number | null;
}

@ObjectType('MaintenanceWindow')
export class MaintenanceWindowModel {
  @Field() cron!: string;
  @Field(() => Int) durationMinutes!: number;
  @Field() timezone!: string;
  @Field(() => Date, { nullable: true, description: 'when the window opens next (now, when it is open)' }) nextOpensAt!: Date | null;
}

@ObjectType('CampaignCounts')
export class CampaignCountsModel {
  @Field(() => Int) total!: number;
  @Field(() => Int) pending!: number;
  @Field(() => Int) running!: number;
  @Field(() => Int) succeeded!: number;
  @Field(() => Int) failed!: number;
  @Field(() => Int) skipped!: number;
}

@ObjectType('CampaignCluster')
export class CampaignClusterModel {
  @Field(() => ClusterModel) cluster!: ClusterModel;
  @Field(() => CampaignClusterStatusEnum) status!: CampaignClusterStatusEnum;
  @Field(() => UpgradeModel, { nullable: true }) upgrade!: UpgradeModel | null;
}

@ObjectType('CampaignWave')
export class CampaignWaveModel {
  @Field(() => Int) index!: number;
  @Field() name!: string;
  @Field(() => WaveStatusEnum) status!: WaveStatusEnum;
  @Field(() => Int) soakMinutes!: number;
  @Field() requiresApproval!: boolean;
  @Field(() => String, { nullable: true }) approvedBy!: string | null;
  @Field(() => Date, { nullable: true }) startedAt!: Date | null;
  @Field(() => Date, { nullable: true }) soakEndsAt!: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
  @Field(() => [CampaignClusterModel]) clusters!: CampaignClusterModel[];
}

@ObjectType('UpgradeCampaign')
export class UpgradeCampaignModel {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => CampaignStatusEnum) status!: CampaignStatusEnum;
  @Field(() => String, { nullable: true, description: 'why it halted (naming the clusters) or was cancelled' }) statusReason!: string | null;
  @Field() targetVersion!: string;
  @Field(() => FailureBudgetModel) failureBudget!: FailureBudgetModel;
  @Field(() => MaintenanceWindowModel, { nullable: true }) maintenanceWindow!: MaintenanceWindowModel | null;
  @Field(() => Date) createdAt!: Date;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
  // counts and waves are resolved fields (batched per request)
  organizationId!: string;
}

@ObjectType('UpgradeCampaignEdge')
export class UpgradeCampaignEdgeModel {
  @Field(() => UpgradeCampaignModel) node!: UpgradeCampaignModel;
  @Field() cursor!: string;
}

@ObjectType('UpgradeCampaignConnection')
export class UpgradeCampaignConnectionModel {
  @Field(() => Int) totalCount!: number;
  @Field(() => PageInfoModel) pageInfo!: PageInfoModel;
  @Field(() => [UpgradeCampaignEdgeModel]) edges!: UpgradeCampaignEdgeModel[];
}
