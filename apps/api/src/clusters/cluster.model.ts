import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { ClusterEntity } from '../../../../libs/persistence/src';
import { ClusterStatusEnum, ProviderEnum } from '../common/enums';
import { PageInfoModel } from '../common/page-info.model';
import { labelsToList } from '../common/labels';

@ObjectType('Label')
export class LabelModel {
  @Field() key!: string;
  @Field() value!: string;
}

/** What the API shows of a cluster. Mapped explicitly from the entity: the credential has no field here. */
@ObjectType('Cluster')
export class ClusterModel {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => ProviderEnum) provider!: ProviderEnum;
  @Field(() => String, { nullable: true }) region!: string | null;
  @Field(() => String, { nullable: true }) kubernetesVersion!: string | null;
  @Field(() => ClusterStatusEnum) status!: ClusterStatusEnum;
  @Field(() => String, { nullable: true }) statusReason!: string | null;
  @Field() apiServerUrl!: string;
  @Field(() => Int) nodeCount!: number;
  @Field(() => Int) readyNodeCount!: number;
  @Field(() => Date, { nullable: true }) lastSeenAt!: Date | null;
  @Field() attachedAt!: Date;
  @Field(() => [LabelModel]) labels!: LabelModel[];
  /** Resolved by field resolvers (DataLoader); kept for them, not exposed. */
  groupId!: string | null;
  /** The group as the fleet list loads it along with the cluster, when it did. */
  preloadedGroup?: { id: string; name: string; description: string | null } | null;
  organizationId!: string;
  managementClusterId!: string | null;

  static from(e: ClusterEntity & { group?: { id: string; name: string; description: string | null } | null }): ClusterModel {
    return Object.assign(new ClusterModel(), {
      id: e.id,
      name: e.name,
      provider: e.provider as ProviderEnum,
      region: e.region,
      kubernetesVersion: e.kubernetesVersion,
      status: e.status as ClusterStatusEnum,
      statusReason: e.statusReason,
      apiServerUrl: e.apiServerUrl,
      nodeCount: e.nodeCount,
      readyNodeCount: e.readyNodeCount,
      lastSeenAt: e.lastSeenAt,
      attachedAt: e.attachedAt,
      labels: labelsToList(e.labels ?? {}),
      groupId: e.groupId,
      preloadedGroup: e.group,
      organizationId: e.organizationId,
      managementClusterId: e.managementClusterId,
    });
  }
}

@ObjectType('ClusterEdge')
export class ClusterEdgeModel {
  @Field() cursor!: string;
  @Field(() => ClusterModel) node!: ClusterModel;
}

@ObjectType('ClusterConnection')
export class ClusterConnectionModel {
  @Field(() => Int) totalCount!: number;
  @Field(() => PageInfoModel) pageInfo!: PageInfoModel;
  @Field(() => [ClusterEdgeModel]) edges!: ClusterEdgeModel[];
}
