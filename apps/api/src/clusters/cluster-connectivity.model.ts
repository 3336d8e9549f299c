import { Field, ObjectType, registerEnumType } from '@nestjs/graphql';

/** How Flotilla reaches a cluster: it dials the API server itself, or through the cluster's outbound agent. */
export enum ConnectionMode {
  DIRECT = 'DIRECT',
  AGENT = 'AGENT',
}
registerEnumType(ConnectionMode, { name: 'ConnectionMode', description: 'How Flotilla reaches a cluster: DIRECT (it dials the API server) or AGENT (through the outbound agent in the cluster).' });

/**
 * `Cluster.connection`: how Flotilla reaches the cluster and with what. The agent fields are null
 * for a DIRECT cluster; `credentialExpiresAt` is null for an AGENT cluster (Flotilla stores no
 * credential) and for a DIRECT cluster still on a long-lived token (attached before short-lived
 * credentials; `flotilla cluster attach NAME --update` replaces it).
 */
@ObjectType('ClusterConnectivity')
export class ClusterConnectivityModel {
  @Field(() => ConnectionMode) mode!: ConnectionMode;
  @Field(() => String, { nullable: true, description: "The connected agent's version (AGENT clusters)." }) agentVersion!: string | null;
  @Field(() => Date, { nullable: true, description: 'When the agent connected (AGENT clusters).' }) connectedAt!: Date | null;
  @Field(() => Date, { nullable: true, description: "The agent's last heartbeat (AGENT clusters)." }) lastHeartbeatAt!: Date | null;
  @Field(() => Date, {
    nullable: true,
    description:
      'When the short-lived token Flotilla holds for this cluster expires (renewed by Flotilla when 20 % of its life is left). Null: no stored credential (AGENT) or a long-lived token from before short-lived credentials.',
  })
  credentialExpiresAt!: Date | null;

  static direct(credentialExpiresAt: Date | null): ClusterConnectivityModel {
    return Object.assign(new ClusterConnectivityModel(), { mode: ConnectionMode.DIRECT, agentVersion: null, connectedAt: null, lastHeartbeatAt: null, credentialExpiresAt });
  }
}
