import { Field, ObjectType, registerEnumType } from '@nestjs/graphql';

export enum ConnectionModeEnum {
  DIRECT = 'DIRECT',
  AGENT = 'AGENT',
}
registerEnumType(ConnectionModeEnum, {
  name: 'ConnectionMode',
  description: 'DIRECT: Flotilla dials the API server with a stored credential. AGENT: the cluster\'s agent connects out to Flotilla; nothing is stored for it.',
});

/** How Flotilla reaches a cluster (cluster.connection). Never a credential. */
@ObjectType('ClusterConnectivity')
export class ClusterConnectivityModel {
  @Field(() => ConnectionModeEnum) mode!: ConnectionModeEnum;
  @Field(() => String, { nullable: true, description: 'AGENT: the version the agent reported when it last connected' }) agentVersion!: string | null;
  @Field(() => Date, { nullable: true, description: 'AGENT: when its current (or last) tunnel opened; null while disconnected or revoked' }) connectedAt!: Date | null;
  @Field(() => Date, { nullable: true, description: 'AGENT: the last heartbeat an API replica recorded' }) lastHeartbeatAt!: Date | null;
  @Field(() => Date, {
    nullable: true,
    description:
      'DIRECT: when the short-lived token Flotilla holds for this cluster expires (renewed by Flotilla when 20 % of its life is left). Null: no stored credential (AGENT) or a long-lived token from before short-lived credentials (`flotilla cluster attach NAME --update` replaces it).',
  })
  credentialExpiresAt!: Date | null;

  static direct(credentialExpiresAt: Date | null): ClusterConnectivityModel {
    return Object.assign(new ClusterConnectivityModel(), { mode: ConnectionModeEnum.DIRECT, agentVersion: null, connectedAt: null, lastHeartbeatAt: null, credentialExpiresAt });
  }
}
