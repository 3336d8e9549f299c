import { Field, ID, Int, ObjectType } from '@nestjs/graphql';
import { CLUSTER_ADMIN_ROLE } from '@flotilla/cluster-access';
import { FleetViewCluster } from '@flotilla/persistence';
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
  @Field(() => [String], {
    nullable: true,
    description:
      "The ClusterRoles this cluster's agent may bind (and so the roles ACCESS enforcement can grant here). Null: attached before bind was narrowed; its agent may bind any ClusterRole until re-attached with `flotilla cluster attach NAME --update`.",
  })
  bindableRoles!: string[] | null;
  @Field({ description: 'Whether whoever holds this cluster\'s agent token could bind cluster-admin (opted in at attach time, or attached before bind was narrowed).' })
  allowsClusterAdminBinding!: boolean;
  /** Resolved by field resolvers (DataLoader); kept for them, not exposed. */
  groupId!: string | null;
  /** The group as the fleet list loads it along with the cluster, when it did. */
  preloadedGroup?: { id: string; name: string; description: string | null } | null;
  organizationId!: string;
  managementClusterId!: string | null;
  connectionMode!: 'DIRECT' | 'AGENT';

  /** From a cluster row: a whole entity, or the fleet table's narrower read. */
  static from(e: FleetViewCluster): ClusterModel {
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
      bindableRoles: e.bindableRoles ?? null,
      allowsClusterAdminBinding: e.bindableRoles ? e.bindableRoles.includes(CLUSTER_ADMIN_ROLE) : true,
      groupId: e.groupId,
      preloadedGroup: e.group,
      organizationId: e.organizationId,
      managementClusterId: e.managementClusterId,
      connectionMode: e.connectionMode ?? 'DIRECT',
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
  @Field(() => Int, {
    description:
      'The exact number of clusters matching the filter, never an estimate. When 2,000 or more match, the count may be up to 2 seconds old (computed at most once per filter per 2 s per API replica).',
  })
  totalCount!: number;
  @Field(() => PageInfoModel) pageInfo!: PageInfoModel;
  @Field(() => [ClusterEdgeModel]) edges!: ClusterEdgeModel[];
}
