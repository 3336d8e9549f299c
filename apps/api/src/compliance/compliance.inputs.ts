import { Field, ID, InputType } from '@nestjs/graphql';
import { JSONScalar } from '../common/json.scalar';
import { PolicyModeEnum, PolicyScopeKindEnum, PolicyTypeEnum } from './compliance.enums';

@InputType('PolicyScopeInput')
export class PolicyScopeInput {
  @Field(() => PolicyScopeKindEnum) kind!: PolicyScopeKindEnum;
  @Field(() => ID, { nullable: true }) groupId?: string | null;
  @Field(() => ID, { nullable: true }) clusterId?: string | null;
  @Field(() => ID, { nullable: true, description: "WORKSPACE: the policy governs exactly the workspace's namespaces on its clusters" }) workspaceId?: string | null;
}

@InputType('CreatePolicyInput')
export class CreatePolicyInput {
  @Field() name!: string;
  @Field(() => PolicyTypeEnum) type!: PolicyTypeEnum;
  @Field(() => PolicyModeEnum) mode!: PolicyModeEnum;
  @Field(() => JSONScalar) spec!: unknown;
  @Field(() => PolicyScopeInput) scope!: PolicyScopeInput;
}

@InputType('UpdatePolicyInput')
export class UpdatePolicyInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => PolicyModeEnum, { nullable: true }) mode?: PolicyModeEnum | null;
  @Field(() => JSONScalar, { nullable: true }) spec?: unknown;
}

@InputType('RunComplianceScanInput')
export class RunComplianceScanInput {
  @Field(() => ID, { nullable: true, description: 'Scan only this group (default: the whole organization)' }) groupId?: string | null;
  @Field(() => [ID], { nullable: true, description: 'Scan only these clusters' }) clusterIds?: string[] | null;
}

@InputType('ScanScheduleInput')
export class ScanScheduleInput {
  @Field({ description: 'Five-field cron expression (minute hour day-of-month month day-of-week) or a macro such as @daily' }) cron!: string;
  @Field(() => String, { nullable: true, description: 'IANA time zone; default UTC' }) timezone?: string | null;
  @Field() enabled!: boolean;
}
