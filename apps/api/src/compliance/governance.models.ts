import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ComplianceStatusEnum } from '../common/enums';
import { PolicyModel } from './compliance.models';
export { ExemptedViolationModel } from './compliance.models';

export enum TrendBucketEnum {
  HOUR = 'HOUR',
  DAY = 'DAY',
  WEEK = 'WEEK',
}
export enum PolicyExceptionStatusEnum {
  REQUESTED = 'REQUESTED',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
  REVOKED = 'REVOKED',
  EXPIRED = 'EXPIRED',
}
registerEnumType(TrendBucketEnum, { name: 'TrendBucket', description: 'UTC hours, UTC days, or ISO weeks (Monday 00:00 UTC)' });
registerEnumType(PolicyExceptionStatusEnum, {
  name: 'PolicyExceptionStatus',
  description: 'REQUESTED, APPROVED, REJECTED and REVOKED are what people did; EXPIRED is a REQUESTED or APPROVED exception whose expiresAt has passed',
});

@ObjectType('ComplianceTrendPoint', {
  description:
    "One bucket of the fleet's compliance trend: `at` is the bucket's start; the counts are the state of each cluster at the bucket's end (its latest scan outcome before then, carried forward from earlier buckets). Clusters never scanned by then, or detached or deleted by then, are not counted.",
})
export class ComplianceTrendPointModel {
  @Field() at!: Date;
  @Field(() => Int) compliantClusters!: number;
  @Field(() => Int) nonCompliantClusters!: number;
  @Field(() => Int, { description: 'Clusters whose latest scan by then could not check them' }) erroredClusters!: number;
  @Field(() => Int, { description: "The sum of those clusters' violations (exempted ones not counted)" }) violationCount!: number;
}

@ObjectType('ComplianceChange', {
  description: "A change of one policy's status or violation count on a cluster (history keeps changes, not every scan; names as they were then)",
})
export class ComplianceChangeModel {
  @Field() at!: Date;
  @Field() policyName!: string;
  @Field(() => ComplianceStatusEnum) status!: ComplianceStatusEnum;
  @Field(() => Int) violationCount!: number;
  @Field(() => ID, { nullable: true, description: 'The scan that saw the change (it may since have been pruned)' }) scanId!: string | null;
}

@ObjectType('PolicyExceptionTarget')
export class PolicyExceptionTargetModel {
  @Field(() => ID, { nullable: true }) clusterId!: string | null;
  @Field(() => ID, { nullable: true }) groupId!: string | null;
  @Field(() => String, { nullable: true }) namespace!: string | null;
  @Field(() => String, { nullable: true }) kind!: string | null;
  @Field(() => String, { nullable: true }) name!: string | null;
}

@ObjectType('PolicyException')
export class PolicyExceptionModel {
  @Field(() => ID) id!: string;
  @Field(() => PolicyModel) policy!: PolicyModel;
  @Field(() => PolicyExceptionTargetModel) target!: PolicyExceptionTargetModel;
  @Field() reason!: string;
  @Field(() => String, { nullable: true }) ticket!: string | null;
  @Field(() => PolicyExceptionStatusEnum) status!: PolicyExceptionStatusEnum;
  @Field() requestedBy!: string;
  @Field(() => String, { nullable: true }) approvedBy!: string | null;
  @Field() expiresAt!: Date;
  policyId!: string;
  organizationId!: string;
}

@InputType('PolicyExceptionTargetInput', {
  description:
    'Where the exception applies; given fields must all match: a cluster or a group (neither: every cluster), a namespace (its objects and the Namespace itself), one object by kind and name (with namespace for a namespaced kind). At least one.',
})
export class PolicyExceptionTargetInput {
  @Field(() => ID, { nullable: true }) clusterId?: string | null;
  @Field(() => ID, { nullable: true }) groupId?: string | null;
  @Field(() => String, { nullable: true }) namespace?: string | null;
  @Field(() => String, { nullable: true }) kind?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
}

@InputType('PolicyExceptionInput')
export class PolicyExceptionInput {
  @Field(() => ID) policyId!: string;
  @Field(() => PolicyExceptionTargetInput) target!: PolicyExceptionTargetInput;
  @Field() reason!: string;
  @Field(() => String, { nullable: true }) ticket?: string | null;
  @Field({ description: 'Required; in the future and at most 365 days away' }) expiresAt!: Date;
}
