import { Field, ID, InputType, ObjectType } from '@nestjs/graphql';
import { LabelInput } from '../clusters/cluster.inputs';
import { ClusterModel } from '../clusters/cluster.model';

@InputType('RegisterAgentClusterInput')
export class RegisterAgentClusterInput {
  @Field() name!: string;
  @Field(() => ID, { nullable: true }) groupId?: string | null;
  @Field(() => [LabelInput], { nullable: true }) labels?: LabelInput[] | null;
}

@ObjectType('AgentRegistration')
export class AgentRegistrationModel {
  @Field(() => ClusterModel) cluster!: ClusterModel;
  @Field({ description: 'One-time token the agent exchanges for its own credential (shown once; expires at registrationExpiresAt, at most one hour)' })
  registrationToken!: string;
  @Field() registrationExpiresAt!: Date;
  @Field({ description: 'Where the agent connects: wss:// (ws:// only to loopback, in development)' }) agentEndpoint!: string;
}
