import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ProvisioningRow } from '@flotilla/persistence';
import { LabelInput } from '../clusters/cluster.inputs';

export enum ProvisioningPhaseEnum { PENDING = 'PENDING', PROVISIONING = 'PROVISIONING', RUNNING = 'RUNNING', DELETING = 'DELETING', DELETED = 'DELETED', FAILED = 'FAILED' }
registerEnumType(ProvisioningPhaseEnum, { name: 'ProvisioningPhase' });

@InputType('NodePoolInput')
export class NodePoolInput {
  @Field({ description: 'Pool name (a DNS label, unique in the cluster): the MachineDeployment topology name.' }) name!: string;
  @Field(() => Int) replicas!: number;
  @Field(() => String, { nullable: true, description: "VM class of this pool's machines; the cluster's vmClass when absent." }) vmClass?: string | null;
}

@InputType('ProvisionClusterInput')
export class ProvisionClusterInput {
  @Field({ description: 'The new cluster\'s name: the Cluster API Cluster and the cluster in Flotilla (a DNS label, at most 40 characters).' }) name!: string;
  @Field(() => ID, { description: 'An attached management cluster (see managementClusters).' }) managementClusterId!: string;
  @Field(() => String, { nullable: true, description: 'Namespace of the Cluster object on the management cluster (a vSphere Namespace); default "default".' }) namespace?: string | null;
  @Field({ description: 'A release the management cluster offers (ManagementCluster.offeredVersions).' }) version!: string;
  @Field(() => Int, { nullable: true, description: 'Control-plane machines: 1, 3 or 5 (default 1).' }) controlPlaneReplicas?: number | null;
  @Field(() => String, { nullable: true, description: 'VM class of every machine unless a pool names its own (ManagementCluster.vmClasses).' }) vmClass?: string | null;
  @Field(() => String, { nullable: true, description: 'Storage class for the machines and the new cluster\'s default (ManagementCluster.storageClasses).' }) storageClass?: string | null;
  @Field(() => [NodePoolInput]) workers!: NodePoolInput[];
  @Field(() => ID, { nullable: true }) groupId?: string | null;
  @Field(() => [LabelInput], { nullable: true }) labels?: LabelInput[] | null;
}

@ObjectType('ClusterManifests')
export class ClusterManifestsModel {
  @Field(() => Int) objectCount!: number;
  @Field({ description: 'The objects as multi-document YAML, as provisionCluster would apply them.' }) yaml!: string;
}

@ObjectType('ManagementCluster')
export class ManagementClusterModel {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => [String], { description: 'Kubernetes versions of the releases (TanzuKubernetesReleases) it offers, as its last sync read them.' }) offeredVersions!: string[];
  @Field(() => [String]) vmClasses!: string[];
  @Field(() => [String]) storageClasses!: string[];
}

@ObjectType('Provisioning')
export class ProvisioningModel {
  @Field(() => ProvisioningPhaseEnum) phase!: ProvisioningPhaseEnum;
  @Field(() => String, { nullable: true, description: 'What the provisioning is waiting for, or why it failed.' }) message!: string | null;
  @Field(() => Date, { nullable: true }) startedAt!: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
  managementClusterId!: string;
  organizationId!: string;

  static from(r: ProvisioningRow): ProvisioningModel {
    return Object.assign(new ProvisioningModel(), {
      phase: r.phase as ProvisioningPhaseEnum,
      message: r.message,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      managementClusterId: r.managementClusterId,
      organizationId: r.organizationId,
    });
  }
}
