import { Field, ID, InputType, Int, ArgsType } from '@nestjs/graphql';
import { ConnectionModeEnum } from './cluster-connectivity.model';
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
  @Field(() => [ConnectionModeEnum], { nullable: true }) connectionModes?: ConnectionModeEnum[] | null;
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
  @Field(() => Date, {
    nullable: true,
    description:
      "When the token expires (a TokenRequest's status.expirationTimestamp): Flotilla renews it with the same identity when 20 % of its life is left. Must be in the future and match the token's exp claim. Omitted: a long-lived token, never renewed.",
  })
  tokenExpiresAt?: Date | null;
  @Field(() => String, { nullable: true, description: 'base64 of the PEM CA bundle' }) caData?: string | null;
  @Field(() => ID, { nullable: true }) groupId?: string | null;
  @Field(() => [LabelInput], { nullable: true }) labels?: LabelInput[] | null;
  @Field(() => Boolean, {
    nullable: true,
    description: "Without caData: verify the API server against the system's public roots only (its certificate must chain to them). Required to attach without caData.",
  })
  useSystemTrustRoots?: boolean | null;
  @Field(() => [String], {
    nullable: true,
    description: 'The ClusterRoles the agent was given bind on at attach time (default view, edit, admin); must match the agent ClusterRole created in the cluster.',
  })
  bindableRoles?: string[] | null;
  @Field(() => Boolean, { nullable: true, description: 'The agent may bind cluster-admin (explicit opt-in; stored, shown on the cluster and audited).' })
  allowClusterAdminBinding?: boolean | null;
}

@InputType('UpdateClusterInput')
export class UpdateClusterInput {
  @Field(() => [LabelInput], { nullable: true }) labels?: LabelInput[] | null;
  @Field(() => ID, { nullable: true, description: 'null removes the cluster from its group' }) groupId?: string | null;
  /** Credential rotation (re-attach): a new API URL, token or CA replaces the stored one and the cluster is synced at once. */
  @Field(() => String, { nullable: true, description: 'new API server URL (credential rotation)' }) apiServerUrl?: string | null;
  @Field(() => String, { nullable: true, description: 'new bearer token (write-only; credential rotation)' }) token?: string | null;
  @Field(() => Date, { nullable: true, description: "with a new token: when it expires (as in AttachClusterInput); omitted, the new token is long-lived" })
  tokenExpiresAt?: Date | null;
  @Field(() => String, { nullable: true, description: 'new CA bundle, base64 PEM (credential rotation; needs token)' }) caData?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'with a new token and no caData: verify against the system roots only' }) useSystemTrustRoots?: boolean | null;
  @Field(() => [String], { nullable: true, description: 'the ClusterRoles the re-attached agent may bind' }) bindableRoles?: string[] | null;
  @Field(() => Boolean, { nullable: true, description: 'with bindableRoles: the agent may bind cluster-admin (explicit opt-in, audited)' })
  allowClusterAdminBinding?: boolean | null;
}

@InputType('CreateClusterGroupInput')
export class CreateClusterGroupInput {
  @Field() name!: string;
  @Field(() => String, { nullable: true }) description?: string | null;
}
