import { Field, ID, InputType, ObjectType } from '@nestjs/graphql';
import type { WorkspaceRow } from '@flotilla/persistence';
import { ClusterModel } from '../clusters/cluster.model';

@ObjectType('WorkspaceNamespace', { description: 'One namespace on one cluster, part of a workspace' })
export class WorkspaceNamespaceModel {
  /** Resolved per request (batched). */
  @Field(() => ClusterModel) cluster?: ClusterModel;
  @Field() namespace!: string;
  clusterId!: string;
}

@ObjectType('Workspace', { description: 'Namespaces across clusters: a unit of policy (scope WORKSPACE) and access (workspace-restricted API tokens)' })
export class WorkspaceModel {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  /** Resolved per request (batched); namespaces on detached clusters are left out. */
  @Field(() => [WorkspaceNamespaceModel]) namespaces?: WorkspaceNamespaceModel[];
  organizationId!: string;

  static from(w: WorkspaceRow): WorkspaceModel {
    return Object.assign(new WorkspaceModel(), { id: w.id, name: w.name, description: w.description, organizationId: w.organizationId });
  }
}

@InputType('CreateWorkspaceInput')
export class CreateWorkspaceInput {
  @Field() name!: string;
  @Field(() => String, { nullable: true }) description?: string | null;
}

@InputType('WorkspaceNamespaceInput')
export class WorkspaceNamespaceInput {
  @Field(() => ID) workspaceId!: string;
  @Field(() => ID) clusterId!: string;
  @Field({ description: 'A DNS label; system namespaces (kube-system, kube-public, kube-node-lease, flotilla-system) are refused' }) namespace!: string;
}
