import { Field, ID, InputType, Int, ArgsType } from '@nestjs/graphql';
import { ClusterOrderFieldEnum, ClusterStatusEnum, ComplianceStatusEnum, ProviderEnum, SortDirectionEnum } from '../common/enums';

@InputType('LabelInput')
export class LabelInput {
  @Field() key!: string;
  @Field() value!: string;
}

@InputType('ClusterFilter')
export class ClusterFilterInput {
  @Field(() => String, { nullable: true }) search?: string | null;
  @Field(() => [ProviderEnum], { nullable: true }) providers?: ProviderEnum[] | null;
  @Field(() => [ClusterStatusEnum], { nullable: true }) statuses?: ClusterStatusEnum[] | null;
  @Field(() => ID, { nullable: true }) groupId?: string | null;
  @Field(() => [LabelInput], { nullable: true }) labels?: LabelInput[] | null;
  @Field(() => [ComplianceStatusEnum], { nullable: true }) complianceStatuses?: ComplianceStatusEnum[] | null;
}

@InputType('ClusterOrder')
export class ClusterOrderInput {
  @Field(() => ClusterOrderFieldEnum) field!: ClusterOrderFieldEnum;
  @Field(() => SortDirectionEnum) direction!: SortDirectionEnum;
}

@ArgsType()
export class ClustersArgs {
  @Field(() => ClusterFilterInput, { nullable: true }) filter?: ClusterFilterInput | null;
  @Field(() => Int, { nullable: true }) first?: number | null;
  @Field(() => String, { nullable: true }) after?: string | null;
  @Field(() => ClusterOrderInput, { nullable: true }) orderBy?: ClusterOrderInput | null;
}

@InputType('AttachClusterInput')
export class AttachClusterInput {
  @Field() name!: string;
  @Field() apiServerUrl!: string;
  /** The agent service account's token. Write-only: no field ever returns it. */
  @Field() token!: string;
  @Field(() => String, { nullable: true, description: 'base64 of the PEM CA bundle' }) caData?: string | null;
  @Field(() => ID, { nullable: true }) groupId?: string | null;
  @Field(() => [LabelInput], { nullable: true }) labels?: LabelInput[] | null;
}

@InputType('UpdateClusterInput')
export class UpdateClusterInput {
  @Field(() => [LabelInput], { nullable: true }) labels?: LabelInput[] | null;
  @Field(() => ID, { nullable: true, description: 'null removes the cluster from its group' }) groupId?: string | null;
  /** Credential rotation (re-attach): a new API URL, token or CA replaces the stored one and the cluster is synced at once. */
  @Field(() => String, { nullable: true, description: 'new API server URL (credential rotation)' }) apiServerUrl?: string | null;
  @Field(() => String, { nullable: true, description: 'new bearer token (write-only; credential rotation)' }) token?: string | null;
  @Field(() => String, { nullable: true, description: 'new CA bundle, base64 PEM (credential rotation; needs token)' }) caData?: string | null;
}

@InputType('CreateClusterGroupInput')
export class CreateClusterGroupInput {
  @Field() name!: string;
  @Field(() => String, { nullable: true }) description?: string | null;
}
