import { Field, Int, ObjectType } from '@nestjs/graphql';
import { ClusterStatusEnum, ProviderEnum } from '../common/enums';

@ObjectType('StatusCount')
export class StatusCountModel {
  @Field(() => ClusterStatusEnum) status!: ClusterStatusEnum;
  @Field(() => Int) count!: number;
}

@ObjectType('ProviderCount')
export class ProviderCountModel {
  @Field(() => ProviderEnum) provider!: ProviderEnum;
  @Field(() => Int) count!: number;
}

@ObjectType('VersionCount')
export class VersionCountModel {
  @Field() version!: string;
  @Field(() => Int) count!: number;
}

@ObjectType('FleetSummary')
export class FleetSummaryModel {
  @Field(() => Int) clusterCount!: number;
  @Field(() => Int) nodeCount!: number;
  @Field(() => [StatusCountModel]) byStatus!: StatusCountModel[];
  @Field(() => [ProviderCountModel]) byProvider!: ProviderCountModel[];
  @Field(() => [VersionCountModel]) byVersion!: VersionCountModel[];
  organizationId!: string;
  /** A workspace-restricted viewer's clusters (null: the whole organization). */
  clusterIds!: readonly string[] | null;
}
